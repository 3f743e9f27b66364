"""The JSON API under ``/api/v1``: public reads, token-guarded writes, OpenAPI-described."""

from __future__ import annotations

from flask import Flask

# Importing the endpoint modules registers their routes on the blueprint.
from matcher.web.api import calls, cities, events, history, meta, partners  # noqa: F401
from matcher.web.api.base import API_PREFIX, bp, guard_writes
from matcher.web.edges import guard_writes as guard_writes_of

__all__ = ["API_PREFIX", "bp", "init_app"]


def init_app(app: Flask) -> None:
    """Register the API blueprint; it authenticates by token, so it is exempt from CSRF."""
    app.register_blueprint(bp)
    guard_writes_of(app, bp.name, guard_writes)
    csrf = app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)
