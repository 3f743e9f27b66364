"""Error pages for people and RFC 9457 problem bodies for API clients; never a stack trace."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def wants_json() -> bool:
    """Whether the error should be a problem body (API paths, or a client asking for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


_wants_json = wants_json
#: Headers an HTTP error carries that the client needs (``Allow`` on every 405).
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def problem(status: int, title: str, detail: str = "", **extra):
    """A ``application/problem+json`` response."""
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def init_app(app) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        headers = {k: v for k, v in exc.get_headers() if k in _KEPT_HEADERS}
        if _wants_json():
            response = problem(exc.code or 500, exc.name, exc.description or "")
            response.headers.update(headers)
            return response
        # An unknown city's page lists the cities its address may have meant (city_or_404).
        suggestions = getattr(exc, "suggestions", ())
        return render_template("error.html", code=exc.code, title=exc.name,
                               detail=exc.description, suggestions=suggestions,
                               ), exc.code, headers  # fmt: skip

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if _wants_json():
            return problem(500, "Internal Server Error", "Something went wrong on our side.")
        error = InternalServerError()
        return render_template("error.html", code=500, title=error.name,
                               detail="Something went wrong on our side."), 500  # fmt: skip
