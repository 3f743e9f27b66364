"""Web layer: HTML views and the JSON API, both calling :mod:`matcher.services`."""

from __future__ import annotations


def init_app(app) -> None:
    """Register blueprints, error pages and security headers."""
    from matcher.web import errors, views

    app.register_blueprint(views.bp)
    errors.init_app(app)
