"""Write access by API token.

Operators hand out random tokens and configure only their SHA-256 hex digests in
``API_TOKEN_HASHES`` (comma-separated; ``MATCHER_API_TOKEN_HASHES`` in the environment), so a
leaked configuration does not leak a usable token. No configured hash means no writes at all.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which ``token`` is configured.

    >>> hash_token("secret")[:16]
    '2bb80d537b1da3e3'
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def configured_token_hashes() -> list[str]:
    """The accepted token digests of the current app, lower-cased, blanks dropped."""
    raw = current_app.config.get("API_TOKEN_HASHES") or ""
    return [part.strip().lower() for part in raw.split(",") if part.strip()]


def writes_enabled() -> bool:
    """Whether any token is configured; without one, every write is refused."""
    return bool(configured_token_hashes())


def token_is_valid(token: str | None) -> bool:
    """Whether ``token`` hashes to one of the configured digests (constant-time comparison)."""
    if not token:
        return False
    digest = hash_token(token)
    # Compare against every digest without stopping early, so timing says nothing about which.
    matches = [hmac.compare_digest(digest, known) for known in configured_token_hashes()]
    return any(matches)


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()
