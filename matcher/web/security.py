"""HTTP security headers for every response, and the Content Security Policy they carry.

The policy allows only our own origin: no inline scripts or styles, no third-party hosts. The one
planned exception is a map tile server (``MAP_TILES_URL``); it is empty by default, so pages fall
back to lists and nothing is fetched from elsewhere unless an operator opts in.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask


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
    """Add the security headers to every response, error pages and static files included.

    A WSGI middleware around the app rather than an ``after_request`` function: it sees
    every response Flask sends (errors, 404, 405 and static files too) and appends a few
    prepared tuples to the header list, where Flask's hook chain and ``Headers.add``
    validation cost a measurable share of a cheap request such as a health check."""
    app.wsgi_app = SecurityHeaders(app, app.wsgi_app)


class SecurityHeaders:
    """WSGI middleware: the security headers on every response that does not set its own."""

    def __init__(self, app: Flask, wsgi_app) -> None:
        self.config = app.config
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        def start(status, headers, exc_info=None):
            # Read at response time: a proxy fix in front may have set the scheme.
            secure = environ.get("wsgi.url_scheme") in ("https", "wss")
            extra = security_headers(self.config.get("MAP_TILES_URL") or "", secure)
            present = {name.lower() for name, _value in headers}
            headers.extend(h for h in extra if h[0].lower() not in present)
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


@lru_cache(maxsize=16)
def security_headers(tiles_url: str, secure: bool) -> tuple[tuple[str, str], ...]:
    """The (name, value) pairs every response carries; HSTS only on a secure request."""
    pairs = (("Content-Security-Policy", content_security_policy(tiles_url)), *_FIXED_HEADERS)
    if secure:
        pairs = (*pairs, ("Strict-Transport-Security", "max-age=31536000"))
    return pairs


_FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    # Older browsers ignore CSP frame-ancestors; X-Frame-Options covers them.
    ("X-Frame-Options", "DENY"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
