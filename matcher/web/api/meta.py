"""Service endpoints: health, the theme vocabulary, the OpenAPI document and its docs page."""

from __future__ import annotations

import copy
import threading
import time

from flask import current_app, jsonify, render_template
from spectree import Response

from matcher.db import get_session
from matcher.services import cities as city_service
from matcher.web.api import docs, schemas, serialise
from matcher.web.api.base import bp, documented_only, spec

PROBLEM_MEDIA_TYPE = "application/problem+json"


#: The health endpoint reads the data version from the database at most this often per
#: worker: a load balancer's probe then costs what the framework costs, and a database that
#: stops answering still turns the check into an error within the second.
HEALTH_VERSION_TTL_S = 1.0
_health_lock = threading.Lock()


@spec.validate(resp=Response(HTTP_200=schemas.Health), tags=["service"], operation_id="health")
def health():
    """Liveness and the data version the scoring indexes are built from."""
    held = current_app.extensions.get("matcher.health")
    now = time.monotonic()
    if held is None or now - held[0] > HEALTH_VERSION_TTL_S:
        with _health_lock:
            held = current_app.extensions.get("matcher.health")
            if held is None or now - held[0] > HEALTH_VERSION_TTL_S:
                held = (now, city_service.data_version(get_session()))
                current_app.extensions["matcher.health"] = held
    return jsonify(status="ok", data_version=held[1])


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


def openapi_document() -> dict:
    """The OpenAPI 3.1 document of this API (built once per app from the validated views)."""
    cached = current_app.extensions.get("matcher.openapi")
    if cached is None:
        cached = _with_problem_media_type(copy.deepcopy(spec.spec))
        current_app.extensions["matcher.openapi"] = cached
    return cached


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
