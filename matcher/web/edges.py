"""HTTP edges every request shares, so SQLite and PostgreSQL answer alike and nothing is a 500.

* Integer path parts are bounded to the database's integer range: ``/events/2147483648`` is a
  404 on both backends (PostgreSQL would otherwise fail the query, SQLite would not).
* A NUL character in the path, the query string or a form field is refused before any view
  runs (PostgreSQL cannot store one; SQLite would): 404 for a path, 400 otherwise.
* A write that meets a lock waits a bounded time (``LOCK_TIMEOUT_SECONDS``, set on every
  connection in :func:`matcher.db.make_engine`) and is then answered 503 with ``Retry-After``.
* Every body is bounded by ``MAX_CONTENT_LENGTH`` (chunked ones too: Werkzeug counts what it
  reads); the API's JSON bodies by the smaller limit of :mod:`matcher.web.api.base`.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.routing import IntegerConverter

from matcher.web.errors import problem, wants_json

#: The largest id a database integer column holds (PostgreSQL ``integer``).
MAX_DATABASE_INT = 2**31 - 1
#: Seconds a client is asked to wait before retrying a write that met a lock.
RETRY_AFTER_SECONDS = 5
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_WRITE_GUARDS = "matcher.write_guards"


class BoundedIntegerConverter(IntegerConverter):
    """``<int:...>`` limited to 1 .. 2^31-1: larger numbers match no route (404)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 - Werkzeug's signature
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_DATABASE_INT)
        super().__init__(map, *args, **kwargs)


def has_nul(value) -> bool:
    """Whether a string, or any string inside a JSON value, holds a NUL character."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(has_nul(k) or has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_nul(item) for item in value)
    return False


def _query_may_hold_nul(raw: str) -> bool:
    """Whether a raw query string can decode to a NUL (``%00``, or a NUL as it is): only
    then are the arguments parsed and looked through, so most requests parse nothing here.

    >>> _query_may_hold_nul("q=Br%00ugge"), _query_may_hold_nul("q=Bruges&top=5")
    (True, False)
    """
    return "%00" in raw or "\x00" in raw


def body_too_large(limit: int) -> bool:
    """Whether the request body is over ``limit`` bytes, chunked bodies included.

    A body without Content-Length (chunked) is read, up to one byte past the limit, and kept
    for the view (Werkzeug parses forms and JSON from the kept bytes); Werkzeug alone would
    silently cut such a body at the limit rather than refuse it."""
    if request.content_length is not None:
        return request.content_length > limit
    request.max_content_length = limit + 1
    return len(request.get_data(cache=True)) > limit


def _refuse_nul():
    """404 for a NUL in the path, 400 for one in a query parameter, None without one."""
    if "\x00" in request.path:
        return _refuse(404, "Not Found", "No page has a NUL character in its address.")
    if _query_may_hold_nul(request.environ.get("QUERY_STRING", "")) and any(
        has_nul(k) or has_nul(v) for k, v in request.args.items(multi=True)
    ):
        return _refuse(400, "Bad Request", "A query parameter holds a NUL character.")
    return None


def _check_write(app: Flask):
    """The shared checks of a write, in order: CSRF (for views not exempt from it), the
    body's size, NUL characters in the address and in form fields."""
    csrf = app.extensions.get("csrf")
    if csrf is not None and app.config["WTF_CSRF_ENABLED"] and app.config["WTF_CSRF_CHECK_DEFAULT"]:
        csrf.protect(apply_exemptions=True)
    limit = int(app.config["MAX_CONTENT_LENGTH"])
    if request.method in _BODY_METHODS and body_too_large(limit):
        return _refuse(413, "Content Too Large", f"Bodies are limited to {limit} bytes.")
    refused = _refuse_nul()
    if refused is None and request.method == "POST" and request.mimetype in _FORM_TYPES:
        fields = request.form.items(multi=True)
        if any(has_nul(k) or has_nul(v) for k, v in fields):
            return _refuse(400, "Bad Request", "A form field holds a NUL character.")
    return refused


def _refuse(status: int, title: str, detail: str):
    if wants_json():
        return problem(status, title, detail)
    return render_template("error.html", code=status, title=title, detail=detail), status


def register_converters(app: Flask) -> None:
    """Install the bounded ``int`` converter; must run before any route is registered."""
    app.url_map.converters["int"] = BoundedIntegerConverter


def take_over_csrf(app: Flask) -> None:
    """Remove Flask-WTF's own ``before_request`` hook: the gate of :func:`init_app` makes
    the same check (``protect`` with the exemptions) on writes only, so a read pays no call
    for it. Call right after ``CSRFProtect(app)``; fails loudly if the hook is not found."""
    hooks = app.before_request_funcs[None]
    found = [
        hook
        for hook in hooks
        if hook.__qualname__.endswith("CSRFProtect.init_app.<locals>.csrf_protect")
    ]
    if len(found) != 1:
        raise RuntimeError("Flask-WTF's CSRF hook was not found: CSRF would go unchecked")
    hooks.remove(found[0])


def guard_writes(app: Flask, blueprint: str, guard: Callable[[], object]) -> None:
    """Run ``guard`` on every write to ``blueprint``'s views, after the shared checks; a
    response it returns answers the request. Kept here rather than as the blueprint's
    ``before_request``, so that a read does not pay a call for it."""
    app.extensions.setdefault(_WRITE_GUARDS, {})[blueprint] = guard


def init_app(app: Flask) -> None:
    """The checks and handlers described in the module docstring.

    Every check runs in one ``before_request`` gate that lets a read through after two
    substring tests (a read is nearly every request; each hook Flask calls costs a few
    microseconds of a health check's ~60): writes get the body limits, CSRF (the views'
    forms; the API is exempt and checks its token instead) and the blueprint's own guard.
    """
    app.config.setdefault("MAX_CONTENT_LENGTH", 16 * 1024 * 1024)
    checked_methods = _BODY_METHODS | set(app.config.get("WTF_CSRF_METHODS", ()))
    guards: dict[str, Callable[[], object]] = app.extensions.setdefault(_WRITE_GUARDS, {})

    @app.before_request
    def _gate():
        environ = request.environ
        if request.method not in checked_methods:
            if "\x00" not in environ.get("PATH_INFO", "") and not _query_may_hold_nul(
                environ.get("QUERY_STRING", "")
            ):
                return None
            return _refuse_nul()
        refused = _check_write(app)
        if refused is None:
            guard = guards.get(request.blueprint or "")
            refused = guard() if guard is not None else None
        return refused

    @app.errorhandler(OperationalError)
    def _database_busy(exc: OperationalError):
        # A lock held by another write past the lock timeout, or a database that is briefly
        # unreachable: both pass, so the client is told when to try again (never a 500).
        app.logger.warning("database busy: %s", str(exc.orig or exc).splitlines()[0])
        detail = "The database is busy with another write; nothing was changed. Try again."
        response = _refuse(503, "Service Unavailable", detail)
        if isinstance(response, tuple):
            body, status = response
            return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
