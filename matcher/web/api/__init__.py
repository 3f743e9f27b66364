"""The JSON API under ``/api/v1``: public reads, token-guarded writes, OpenAPI-described."""

from __future__ import annotations

from flask import Flask

from matcher.web import edges

# Importing the endpoint modules registers their routes on the blueprint.
from matcher.web.api import calls, cities, events, history, meta, partners  # noqa: F401
from matcher.web.api.base import API_PREFIX, bp, check_write

__all__ = ["API_PREFIX", "bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register the API blueprint; it authenticates by token, so it is exempt from CSRF."""
    app.register_blueprint(bp)
    edges.guard_writes(app, bp.name, check_write)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
