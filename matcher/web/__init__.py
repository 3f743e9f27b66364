"""Web layer: HTML views and the JSON API, both calling :mod:`matcher.services`."""

from __future__ import annotations


def init_app(app) -> None:
    """Register CSRF protection, blueprints, error pages and security headers."""
    from flask_wtf.csrf import CSRFProtect

    from matcher.web import api, errors, security, views

    CSRFProtect(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.events.bp)
    api.init_app(app)
    errors.init_app(app)
    security.init_app(app)
