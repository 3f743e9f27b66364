"""Who is asking: a bearer token (API) or a signed-in browser session, and the guessing limit.

Tokens are checked by :mod:`matcher.services.editors`: an editor's token, or one whose SHA-256
is configured in ``API_TOKEN_HASHES`` (``MATCHER_API_TOKEN_HASHES``; an administrator). A
browser signs in once, with a token or a one-time link, and then carries only a session cookie
(HttpOnly, SameSite=Lax, Secure when the request came over HTTPS) naming the editor; every
request looks the editor up again, so revoking one ends its sessions at once.

Every failed authentication counts against the client's address; past the limit, the address
is refused with 429 and ``Retry-After`` before its token is even looked at.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, g, request, session
from flask.sessions import SecureCookieSessionInterface

from matcher.db import get_session
from matcher.domain import Actor, Editor
from matcher.services import editors

_SESSION_EDITOR = "editor_id"
_SESSION_CONFIGURED = "configured_hash"


def hash_token(token: str) -> str:
    """The SHA-256 hex digest under which ``token`` is configured.

    >>> hash_token("secret")[:16]
    '2bb80d537b1da3e3'
    """
    return editors.hash_secret(token)


def configured_token_hashes() -> list[str]:
    """The accepted token digests of the current app, lower-cased, blanks dropped."""
    raw = current_app.config.get("API_TOKEN_HASHES") or ""
    return [part.strip().lower() for part in raw.split(",") if part.strip()]


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, if the request has one."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def client_address() -> str:
    """The client's address (behind a trusted proxy, the one it forwarded; see ProxyFix)."""
    return request.remote_addr or "unknown"


@dataclass(frozen=True)
class Outcome:
    """What checking a secret gave: an actor (or the link's editor), or None and (when
    limited) the seconds to wait."""

    actor: Actor | None = None
    retry_after: int | None = None
    editor: Editor | None = None


def _limited() -> int | None:
    return editors.retry_after(get_session(), client_address())


def _failed() -> None:
    editors.record_failure(get_session(), client_address())
    current_app.logger.warning("failed authentication from %s", client_address())


def check_token(token: str | None) -> Outcome:
    """Authenticate ``token`` under the guessing limit (a wrong one counts as a failure)."""
    wait = _limited()
    if wait is not None:
        return Outcome(retry_after=wait)
    actor = editors.actor_for_token(get_session(), token, configured_token_hashes())
    if actor is None:
        _failed()
    return Outcome(actor=actor)


def check_link(link: str) -> Outcome:
    """Use up a one-time sign-in link under the guessing limit."""
    wait = _limited()
    if wait is not None:
        return Outcome(retry_after=wait)
    editor = editors.use_link(get_session(), link)
    if editor is None:
        _failed()
        return Outcome()
    return Outcome(actor=editor.actor())


def peek_link(link: str) -> Outcome:
    """Whose one-time link this is, without using it up, under the guessing limit."""
    wait = _limited()
    if wait is not None:
        return Outcome(retry_after=wait)
    editor = editors.editor_of_link(get_session(), link)
    if editor is None:
        _failed()
    return Outcome(editor=editor)


# --------------------------------------------------------------------------- browser sessions


def sign_in(actor: Actor, token: str | None = None) -> None:
    """Start a fresh session for ``actor``: the old cookie's contents are dropped (so a cookie
    planted before sign-in never gains the rights) and the new one carries a new random id."""
    session.clear()
    session["sid"] = secrets.token_urlsafe(16)
    if actor.editor_id is not None:
        session[_SESSION_EDITOR] = actor.editor_id
    elif token is not None:
        session[_SESSION_CONFIGURED] = hash_token(token)
    g.pop("actor", None)


def sign_out() -> None:
    """End the session (the cookie is emptied)."""
    session.clear()
    g.pop("actor", None)


def _session_actor() -> Actor | None:
    editor_id = session.get(_SESSION_EDITOR)
    if isinstance(editor_id, int):
        return editors.actor_for_editor(get_session(), editor_id)
    digest = session.get(_SESSION_CONFIGURED)
    # Still configured? Removing the hash from the configuration ends these sessions.
    known = configured_token_hashes() if isinstance(digest, str) else []
    if any(hmac.compare_digest(digest, entry) for entry in known):
        return editors.configured_administrator()
    return None


def current_actor() -> Actor | None:
    """Who the browser session belongs to (None when not signed in), looked up once a request."""
    if "actor" not in g:
        g.actor = _session_actor() if session else None
    return g.actor


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, marked Secure whenever the request itself was HTTPS
    (directly or, through ProxyFix, behind a proxy that says so).

    Cookie first: a request without the session cookie (every API client, every anonymous
    visit) gets an empty session without Flask building the signing serializer, which it
    otherwise does on every request (a fifth of what a health check cost). An empty,
    unchanged session sets no cookie; one a view writes to is signed and sent as usual."""

    def open_session(self, app: Flask, request):
        """The session of the request's cookie; an empty one when there is no cookie."""
        # No Cookie header at all (the common case) is decided without parsing cookies.
        if app.secret_key and (
            not request.environ.get("HTTP_COOKIE")
            or not request.cookies.get(self.get_cookie_name(app))
        ):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        """Nothing to do for an empty session nobody read or wrote (no cookie, no Vary);
        otherwise Flask's, which first works out every cookie flag."""
        if session or session.accessed:
            super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(super().get_cookie_secure(app) or request.is_secure)


def init_app(app: Flask) -> None:
    """Cookie flags, the session interface and the ``current_actor`` template global."""
    app.config.setdefault("SESSION_COOKIE_HTTPONLY", True)
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    app.session_interface = SessionInterface()
    app.jinja_env.globals["current_actor"] = current_actor
