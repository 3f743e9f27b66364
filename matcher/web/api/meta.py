"""Service endpoints: health, the theme vocabulary, the OpenAPI document and its docs page."""

from __future__ import annotations

import copy
import json

from flask import current_app, jsonify, render_template
from spectree import Response

from matcher.db import get_database, get_session
from matcher.services import cities as city_service
from matcher.web.api import docs, fields, schemas, serialise
from matcher.web.api.base import bp, documented_only, spec

PROBLEM_MEDIA_TYPE = "application/problem+json"


@spec.validate(resp=Response(HTTP_200=schemas.Health), tags=["service"], operation_id="health")
def health():
    """Liveness and the data version the scoring indexes are built from."""
    version = city_service.current_data_version(get_database().engine)
    held = current_app.extensions.get("matcher.health")
    if held is None or held[0] != version:
        # The body depends on the data version alone: serialised once per version.
        held = (version, json.dumps({"status": "ok", "data_version": version}).encode())
        current_app.extensions["matcher.health"] = held
    return current_app.response_class(held[1], mimetype="application/json")


# No parameters to check and a fixed body shape: served without spectree's wrapper.
bp.add_url_rule("/health", "health", documented_only(health), methods=["GET"])


@bp.get("/themes")
@spec.validate(resp=Response(HTTP_200=schemas.ThemeList), tags=["themes"], operation_id="themes")
def list_themes():
    """The controlled theme vocabulary, in its fixed order."""
    themes = city_service.themes(get_session())
    return schemas.ThemeList(items=[serialise.theme(theme) for theme in themes])


def _with_problem_media_type(document: dict) -> dict:
    """spectree labels every body application/json; error bodies are problem documents."""
    for operations in document["paths"].values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if int(status) >= 400 and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return document


#: Text without NUL: PostgreSQL cannot store one, so the API refuses it everywhere (400).
NO_NUL = "^[^\\u0000]*$"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_WRITES = {"post", "put", "patch", "delete"}
#: Answers any operation may give besides its own: (status, description, writes only).
_COMMON_RESPONSES = (
    ("400", "The request is malformed (bad JSON, a NUL character, invalid values).", False),
    ("401", "A write without a valid API token.", True),
    ("413", "The body is larger than the limit.", True),
    ("414", "The address (with its query string) is too long.", False),
    ("415", "A write whose body is not application/json.", True),
    ("503", "The database is busy with another write; retry after Retry-After seconds.", True),
)


def _no_nul(schema: dict) -> None:
    """Add the NUL-free pattern to every string schema inside ``schema``."""
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and "enum" not in schema and "format" not in schema:
        if "pattern" in schema and schema["pattern"] != NO_NUL:
            schema.setdefault("allOf", []).append({"pattern": NO_NUL})
        else:
            schema["pattern"] = NO_NUL
    for value in schema.values():
        if isinstance(value, dict):
            _no_nul(value)
        elif isinstance(value, list):
            for item in value:
                _no_nul(item)


def _with_common_responses(document: dict) -> dict:
    """Describe every status the server can answer, on every operation: 404 where the path
    has parameters, 400/414 everywhere, and 401/413/415/503 on writes (503 with Retry-After).
    Strings in parameters and bodies are documented NUL-free, as the server enforces."""
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            wanted = [
                (s, d) for s, d, writes in _COMMON_RESPONSES if method in _WRITES or not writes
            ]
            if "{" in path:
                wanted.append(("404", "No such resource."))
            for status, description in wanted:
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": PROBLEM_REF}},
                    },
                )
            if "503" in responses:
                responses["503"]["headers"] = {
                    "Retry-After": {
                        "description": "Seconds to wait.",
                        "schema": {"type": "integer"},
                    }
                }
            for parameter in operation.get("parameters", []):
                _no_nul(parameter.get("schema", {}))
    for schema in document.get("components", {}).get("schemas", {}).values():
        _no_nul(schema)
    return document


def _with_data_enums(document: dict) -> dict:
    """Constrain the parameters whose valid values are data (theme ids, programme names,
    country codes) to those values, so the document accepts exactly what the server does."""
    from matcher.domain import COUNTRY_SETS
    from matcher.services import calls as call_service

    session = get_session()
    themes = [theme.id for theme in city_service.themes(session)]
    programmes = call_service.programme_names(session)
    codes = fields.COUNTRY_CODE_VALUES
    sets = list(COUNTRY_SETS) + [name.lower() for name in COUNTRY_SETS]
    enums = {
        "theme": themes,
        "programme": programmes,
        "country": codes,
        "countries": codes,
        "exclude_countries": codes,
        "country_sets": sets,
    }
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                values = enums.get(parameter.get("name"))
                if parameter.get("in") != "query" or values is None:
                    continue
                if (
                    parameter["name"] == "countries"
                    and "set" in str(parameter.get("description")).lower()
                ):
                    values = values + sets
                if parameter["name"] == "country":
                    values = [*values, ""]  # an empty country is no filter, as the server reads it
                _set_enum(parameter.setdefault("schema", {}), values)
    import zoneinfo

    event = document.get("components", {}).get("schemas", {}).get("EventCreate")
    if event and "timezone" in event.get("properties", {}):
        zone = event["properties"]["timezone"]
        zone.pop("pattern", None)
        zone.pop("allOf", None)
        zone["enum"] = sorted(zoneinfo.available_timezones())
    profile = document.get("components", {}).get("schemas", {}).get("ProfileUpdate")
    if profile:
        profile["minProperties"] = 1
        for kind in ("interest", "need", "offer"):
            weights = profile.get("properties", {}).get(kind)
            if weights is None:
                continue
            options = weights.get("anyOf", [weights])
            mapping = next((o for o in options if o.get("type") == "object"), None)
            if mapping is not None:
                mapping["propertyNames"] = {"enum": themes}
                profile["properties"][kind] = {
                    **mapping,
                    "description": weights.get("description", ""),
                }
    return document


def _set_enum(schema: dict, values: list[str]) -> None:
    """Put ``values`` on the string items of a (possibly list-typed) parameter schema."""
    if schema.get("type") == "array":
        _set_enum(schema.setdefault("items", {}), values)
        return
    for option in schema.get("anyOf", []):
        if option.get("type") in ("string", "array"):
            _set_enum(option, values)
    if schema.get("type") == "string":
        schema.pop("pattern", None)
        schema["enum"] = values


def openapi_document() -> dict:
    """The OpenAPI 3.1 document of this API, built from the validated views and completed
    with the common answers and the data-given values (rebuilt when the data changes)."""
    version = city_service.data_version(get_session())
    cached = current_app.extensions.get("matcher.openapi")
    if cached is None or cached[0] != version:
        document = _with_problem_media_type(
            _with_data_enums(_with_common_responses(copy.deepcopy(spec.spec)))
        )
        cached = (version, document)
        current_app.extensions["matcher.openapi"] = cached
    return cached[1]


@bp.get("/openapi.json")
def openapi_json():
    """The machine-readable API description."""
    return jsonify(openapi_document())


@bp.get("/docs")
def api_docs():
    """The API reference for people, rendered here from the OpenAPI document (no CDN)."""
    document = openapi_document()
    return render_template(
        "api_docs.html",
        info=document["info"],
        operations=docs.operations(document),
        schemas=docs.schemas(document),
    )
