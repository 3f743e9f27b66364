"""Error pages for people and RFC 9457 problem bodies for API clients; never a stack trace."""

from __future__ import annotations

from flask import jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


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
        if _wants_json():
            return problem(exc.code or 500, exc.name, exc.description or "")
        return render_template("error.html", code=exc.code, title=exc.name,
                               detail=exc.description), exc.code  # fmt: skip

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        app.logger.exception("unhandled error")
        if _wants_json():
            return problem(500, "Internal Server Error", "Something went wrong on our side.")
        error = InternalServerError()
        return render_template("error.html", code=500, title=error.name,
                               detail="Something went wrong on our side."), 500  # fmt: skip
