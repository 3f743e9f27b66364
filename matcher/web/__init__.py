"""Web layer: HTML views and the JSON API, both calling :mod:`matcher.services`."""

from __future__ import annotations


def init_app(app) -> None:
    """Register CSRF protection, sessions, blueprints, error pages and security headers."""
    from flask_wtf.csrf import CSRFProtect
    from werkzeug.middleware.proxy_fix import ProxyFix

    from matcher.web import api, auth, edges, errors, security, signin, views

    # Security headers on every response: a WSGI middleware inside the proxy fix, so it
    # sees the scheme the proxy forwarded (HSTS on HTTPS).
    security.init_app(app)
    # Behind a reverse proxy the request's scheme (and, when trusted, the client's address)
    # come from its X-Forwarded-* headers: HTTPS then marks the session cookie Secure, and
    # the guessing limit counts the real client. The numbers are the proxies to trust.
    trusted_for = int(app.config.get("PROXY_FIX_FOR") or 0)
    trusted_proto = int(app.config.get("PROXY_FIX_PROTO") or 0)
    if trusted_for or trusted_proto:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted_for, x_proto=trusted_proto)
    edges.register_converters(app)
    CSRFProtect(app)
    edges.take_over_csrf(app)
    auth.init_app(app)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.events.bp)
    signin.init_app(app)
    api.init_app(app)
    errors.init_app(app)
    edges.init_app(app)
