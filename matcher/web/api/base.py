"""The API blueprint, its OpenAPI validator, and the rules every endpoint shares.

Bad input never reaches a view: spectree validates query strings and bodies against the pydantic
models, and its failures are turned into RFC 9457 problem bodies here. Writes need a bearer token
(see :mod:`matcher.web.auth`); the blueprint checks it before anything else, so no write
endpoint can forget to, and puts its actor in ``g.api_actor`` for the endpoint's scope check.
"""

from __future__ import annotations

import functools
from typing import Any

from flask import Blueprint, abort, current_app, g, request
from pydantic import ValidationError
from spectree import SecurityScheme, SecuritySchemeData, SpecTree
from werkzeug.exceptions import RequestEntityTooLarge

from matcher.db import get_session
from matcher.services.cities import cities_like_slug
from matcher.web import auth
from matcher.web.api.schemas import KeptAnswer, Problem, QueryParameters
from matcher.web.edges import body_too_large, has_nul
from matcher.web.errors import problem

API_PREFIX = "/api/v1"
#: Bodies are JSON objects and lists; anything larger is refused before it is parsed. The
#: largest well-formed body is an attendee list of 2,000 cities with their requests, so the
#: limit leaves room for it: a list that breaks the schema (2,001 cities) is answered 422
#: by validation, naming the rule, rather than 413 for its bytes.
MAX_BODY_BYTES = 1024 * 1024
BEARER = {"bearerToken": []}

bp = Blueprint("api", __name__, url_prefix=API_PREFIX)


def json_pointer(location: tuple) -> str:
    """A JSON Pointer (as a URI fragment) to a place in the request body (RFC 6901)."""
    escaped = (str(part).replace("~", "~0").replace("/", "~1") for part in location)
    return "#/" + "/".join(escaped) if location else "#"


def _field_problems(error: ValidationError) -> list[dict]:
    """RFC 9457 ``errors`` entries: query problems name the parameter, body problems point."""
    # pydantic names the failing model in ``title``; query models derive from QueryParameters.
    in_query = error.title in {model.__name__ for model in QueryParameters.__subclasses__()}
    problems = []
    for item in error.errors(include_context=False, include_input=False, include_url=False):
        detail = item["msg"].removeprefix("Value error, ")
        location = tuple(item["loc"])
        if in_query:
            # A list parameter's item (``countries.1``) is reported under the parameter's name.
            problems.append({"parameter": str(location[0]) if location else "", "detail": detail})
        else:
            problems.append({"pointer": json_pointer(location), "detail": detail})
    return problems


def _reject_invalid_request(_request, response, validation_error, _instance, _adapter) -> None:
    """spectree's ``before`` hook: answer a validation failure with a problem body."""
    if validation_error is None:
        return
    abort(
        problem(
            response.status_code,
            "Invalid request",
            "The request has invalid or missing values; see 'errors'.",
            errors=_field_problems(validation_error),
        )
    )


spec = SpecTree(
    "flask",
    title="City Matcher API",
    description=(
        "Find partner cities and funding calls for small and medium-sized European cities. "
        "Reads are public; writes need an API token. Errors are RFC 9457 problem bodies."
    ),
    version="1",
    # Only views decorated with spec.validate are documented; the spec page is our own view.
    mode="strict",
    page_templates={},
    before=_reject_invalid_request,
    validation_error_status=400,
    validation_error_model=Problem,
    # Plain model names in the document (the default appends a hash of the module path).
    naming_strategy=lambda model: model.__name__,
    nested_naming_strategy=lambda _parent, child: child,
    security_schemes=[
        SecurityScheme(
            name="bearerToken",
            data=SecuritySchemeData(type="http", scheme="bearer", description="An API token."),
        )
    ],
)


def documented_only(view):
    """``view`` (a ``spec.validate`` view) without spectree's per-request wrapper, for an
    endpoint with nothing to validate: spectree still documents it (it finds its metadata
    through ``__wrapped__``), but the request skips the wrapper's unpacking and re-making of
    the response (a third of a health check's cost)."""
    original = view.__wrapped__

    @functools.wraps(view)
    def direct(*args, **kwargs):
        return original(*args, **kwargs)

    return direct


#: Query strings remembered per endpoint by :func:`kept_read` (cleared when full).
VALIDATED_QUERIES_KEPT = 4096


def kept_read(view):
    """``view`` (a ``spec.validate`` GET view whose answers are kept, see
    ``services.partners.answer``) with spectree's per-request work done once per query
    string: the first request with a given query string goes through spectree (which
    validates it and answers 422 when it is invalid); once one was valid, the same query
    string reuses the query model spectree made and skips the wrapper, and a kept answer is
    sent as the bytes it was rendered to (:meth:`schemas.KeptAnswer.json_body`). Validation
    reads the query string alone (no data, no header), so the reused model is the one
    spectree would make; the documented operation is unchanged (found via ``__wrapped__``)."""
    original = view.__wrapped__
    validated: dict[bytes, Any] = {}

    @functools.wraps(view)
    def direct(*args, **kwargs):
        raw = request.query_string
        query = validated.get(raw, _UNSEEN)
        if query is _UNSEEN:
            response = view(*args, **kwargs)  # invalid: spectree aborts with a 422 problem
            if len(validated) >= VALIDATED_QUERIES_KEPT:
                validated.clear()
            validated[raw] = getattr(getattr(request, "context", None), "query", None)
            return response
        if query is not None:
            kwargs["query"] = query
        result = original(*args, **kwargs)
        if isinstance(result, KeptAnswer):
            return current_app.response_class(result.json_body(), mimetype="application/json")
        return current_app.make_response(result)

    return direct


_UNSEEN = object()


def _unauthorized():
    response = problem(
        401, "Unauthorized", "Send 'Authorization: Bearer <token>' with a valid editor token."
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="City Matcher API"'
    return response


def _too_many(wait: int):
    response = problem(
        429,
        "Too Many Requests",
        f"Too many failed authentications from your address; try again in {wait} s.",
    )
    response.headers["Retry-After"] = str(wait)
    return response


def authenticate():
    """The bearer token's actor in ``g.api_actor``, or the 401/429 problem to answer instead."""
    token = auth.bearer_token()
    if token is None:
        return _unauthorized()  # no token is not a guess: not counted
    outcome = auth.check_token(token)
    if outcome.retry_after is not None:
        return _too_many(outcome.retry_after)
    if outcome.actor is None:
        return _unauthorized()
    g.api_actor = outcome.actor
    return None


def no_such_city(*slugs: str):
    """A 404 problem for unknown city slugs, with the slugs they may have meant
    (``suggestions``, maybe empty): an old or mistyped address gets somewhere."""
    session = get_session()
    meant = list({c.slug: c for slug in slugs for c in cities_like_slug(session, slug)}.values())
    detail = f"No city with slug {', '.join(map(repr, slugs))}."
    if meant:
        detail += " Did you mean " + ", ".join(f"'{c.slug}' ({c.name})" for c in meant) + "?"
    return problem(404, "Not Found", detail, suggestions=[c.slug for c in meant])


def forbidden(what: str):
    """403 for a valid token whose editor may not change ``what``."""
    actor = g.api_actor
    return problem(
        403,
        "Forbidden",
        f"This token belongs to {actor.name} ({actor.scope_label}); changing {what} needs an "
        "editor of it or an administrator.",
    )


def check_write():
    """Every write needs a valid token (checked first), then a small, well-formed JSON body;
    run by the edges' gate on every write to the API (:func:`matcher.web.edges.guard_writes`)."""
    refused = authenticate()
    if refused is not None:
        return refused
    if body_too_large(MAX_BODY_BYTES):
        return _too_large()
    if not request.is_json:
        return problem(415, "Unsupported Media Type", "Send the body as application/json.")
    try:
        body = request.get_json(silent=True)
    except RequestEntityTooLarge:
        return _too_large()
    if body is None:
        return problem(400, "Bad Request", "The body is not valid JSON.")
    if has_nul(body):
        return problem(400, "Bad Request", "The body holds a NUL character.")
    return None


def _too_large():
    return problem(413, "Content Too Large", f"Bodies are limited to {MAX_BODY_BYTES} bytes.")
