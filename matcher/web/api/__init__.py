"""The JSON API under ``/api/v1``: public reads, token-guarded writes, OpenAPI-described."""

from __future__ import annotations

from flask import Flask

# Importing the endpoint modules registers their routes on the blueprint.
from matcher.web.api import calls, cities, events, history, meta, partners  # noqa: F401
from matcher.web.api.base import API_PREFIX, bp

__all__ = ["API_PREFIX", "bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register the API blueprint; it authenticates by token, so it is exempt from CSRF."""
    app.register_blueprint(bp)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
