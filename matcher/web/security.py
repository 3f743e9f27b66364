"""HTTP security headers for every response, and the Content Security Policy they carry.

The policy allows only our own origin: no inline scripts or styles, no third-party hosts. The one
planned exception is a map tile server (``MAP_TILES_URL``); it is empty by default, so pages fall
back to lists and nothing is fetched from elsewhere unless an operator opts in.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, request
from flask.sessions import SecureCookieSessionInterface


def tile_origin(tiles_url: str) -> str | None:
    """The ``scheme://host[:port]`` of a tile URL template, or None when none is configured.

    >>> tile_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    'https://tile.openstreetmap.org'
    >>> tile_origin("") is None
    True
    """
    parts = urlsplit((tiles_url or "").strip())
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


@lru_cache(maxsize=8)
def content_security_policy(tiles_url: str = "") -> str:
    """The CSP header value; the tile server's origin is added to ``img-src`` only when set."""
    image_sources = ["'self'", "data:"]
    origin = tile_origin(tiles_url)
    if origin:
        image_sources.append(origin)
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": " ".join(image_sources),
        "connect-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def init_app(app: Flask) -> None:
    """Add the security headers to every response, error pages and static files included."""

    @app.after_request
    def _security_headers(response: Response) -> Response:
        headers = response.headers
        # One pass over the few headers a response has, then appends: ``setdefault`` per
        # header scanned them each time, a measurable share of a cheap request.
        present = {key.lower() for key, _value in headers.items()}
        policy = content_security_policy(current_app.config.get("MAP_TILES_URL") or "")
        for name, value in (("Content-Security-Policy", policy), *_FIXED_HEADERS):
            if name.lower() not in present:
                headers.add(name, value)
        if request.is_secure and "strict-transport-security" not in present:
            headers.add("Strict-Transport-Security", "max-age=31536000")
        return response


_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    # Older browsers ignore CSP frame-ancestors; X-Frame-Options covers them.
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)


class CookieFirstSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, except that a request without the session cookie
    (every API client) gets an empty session without Flask first building the signing
    serializer, which it does on every request: a fifth of what a health check cost."""

    def open_session(self, app, request):
        """The session of the request's cookie; an empty one when there is no cookie."""
        if not app.secret_key or request.cookies.get(self.get_cookie_name(app)):
            return super().open_session(app, request)
        return self.session_class()
