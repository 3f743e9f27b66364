"""Who may write: editors with a scope, their tokens and sign-in links, and the guessing limit.

An editor is an administrator (everything), the editor of one city (its declared profile) or
the editor of one event (its settings, attendees and schedule). Tokens and one-time sign-in
links are random 256-bit secrets shown once; only their SHA-256 digests are stored. A plain,
unsalted digest is enough for secrets this long: nobody can enumerate them, and a lookup by
digest needs no per-row work. The digests in ``MATCHER_API_TOKEN_HASHES`` keep working as
administrator tokens.

Failed authentications are counted per client address in the database, so every worker and
host shares the count; after ``FAILURE_LIMIT`` within ``FAILURE_WINDOW`` the address is refused
(HTTP 429) until the oldest failure leaves the window. Successful authentications are never
counted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from matcher.db import access, repository
from matcher.domain import ADMIN_SCOPE, CITY_SCOPE, EVENT_SCOPE, Actor, Editor

#: Tokens start with this, so a leaked one is recognisable (secret scanners, logs).
TOKEN_PREFIX = "cm_"
#: How long a sign-in link works; it also stops working once used.
LINK_LIFETIME = timedelta(days=3)
FAILURE_LIMIT = 5
FAILURE_WINDOW = timedelta(seconds=60)
#: The name history shows for writes made with a token of ``MATCHER_API_TOKEN_HASHES``.
CONFIGURED_ADMIN_NAME = "administrator (configured token)"


class EditorError(ValueError):
    """An editor cannot be made or changed as asked (the message says why)."""


@dataclass(frozen=True)
class IssuedEditor:
    """A new editor with its secrets, which exist only here: show them once."""

    editor: Editor
    token: str
    link_token: str


def utc_now() -> datetime:
    """The current UTC time, naive (as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


def hash_secret(secret: str) -> str:
    """The SHA-256 hex digest under which a token or link is stored (or configured).

    >>> hash_secret("secret")[:16]
    '2bb80d537b1da3e3'
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh random token (256 bits, URL-safe)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def add_editor(
    session: Session,
    name: str,
    *,
    city: str | None = None,
    event: int | None = None,
    admin: bool = False,
    now: datetime | None = None,
) -> IssuedEditor:
    """Make an editor of exactly one scope: ``admin``, the city slug ``city`` or the event id
    ``event``. Returns it with its token and a one-time sign-in link token; raises
    :class:`EditorError` for a missing name, no or several scopes, or an unknown city/event."""
    name = " ".join((name or "").split())
    if not name or len(name) > 200:
        raise EditorError("Give the editor's name (at most 200 characters).")
    chosen = [scope for scope, given in (("admin", admin), ("city", city), ("event", event))
              if given not in (None, False, "")]  # fmt: skip
    if len(chosen) != 1:
        raise EditorError("Give exactly one scope: --admin, --city SLUG or --event ID.")
    if city:
        found = repository.get_city(session, city.strip().lower())
        if found is None:
            raise EditorError(f"There is no city with slug '{city}'.")
        scope, ref = CITY_SCOPE, found.slug
    elif event is not None:
        if repository.event_row(session, int(event)) is None:
            raise EditorError(f"There is no event {event}.")
        scope, ref = EVENT_SCOPE, str(int(event))
    else:
        scope, ref = ADMIN_SCOPE, ""
    now = now or utc_now()
    token, link = new_token(), secrets.token_urlsafe(32)
    try:
        editor = access.add_editor(
            session, name=name, scope=scope, scope_ref=ref, token_hash=hash_secret(token),
            created_at=now,
        )  # fmt: skip
        access.set_link(session, editor.id, hash_secret(link), now + LINK_LIFETIME)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return IssuedEditor(access.get_editor(session, editor.id), token, link)


def new_link(session: Session, editor_id: int, *, now: datetime | None = None) -> str:
    """A new one-time sign-in link token for an active editor (the previous one stops)."""
    editor = access.get_editor(session, editor_id)
    if editor is None or editor.revoked_at is not None:
        raise EditorError(f"There is no active editor {editor_id}.")
    link = secrets.token_urlsafe(32)
    access.set_link(session, editor_id, hash_secret(link), (now or utc_now()) + LINK_LIFETIME)
    session.commit()
    return link


def revoke(session: Session, editor_id: int, *, now: datetime | None = None) -> Editor:
    """Revoke an editor: its token, link and browser sessions stop working at once."""
    editor = access.revoke_editor(session, editor_id, now or utc_now())
    if editor is None:
        session.rollback()
        raise EditorError(f"There is no editor {editor_id}.")
    session.commit()
    return editor


def list_editors(session: Session, *, include_revoked: bool = False) -> list[Editor]:
    """Editors by id (active ones only unless ``include_revoked``)."""
    return access.list_editors(session, include_revoked=include_revoked)


def has_administrator(session: Session, configured_hashes: Iterable[str]) -> bool:
    """Whether anyone can write at all: a configured token or an active administrator."""
    return any(configured_hashes) or access.count_active_admins(session) > 0


# --------------------------------------------------------------------------- authentication


def configured_administrator() -> Actor:
    """The actor of every token configured in ``MATCHER_API_TOKEN_HASHES``."""
    return Actor(CONFIGURED_ADMIN_NAME, ADMIN_SCOPE)


def configured_actor(token: str, configured_hashes: Iterable[str]) -> Actor | None:
    """The administrator of a token configured in ``MATCHER_API_TOKEN_HASHES``, if it is one."""
    digest = hash_secret(token)
    # Compare with every digest without stopping early, so timing says nothing about which.
    matches = [hmac.compare_digest(digest, known.lower()) for known in configured_hashes]
    return configured_administrator() if any(matches) else None


def actor_for_token(
    session: Session, token: str | None, configured_hashes: Iterable[str]
) -> Actor | None:
    """Who ``token`` belongs to (a configured administrator or an active editor), or None."""
    if not token:
        return None
    configured = configured_actor(token, list(configured_hashes))
    if configured is not None:
        return configured
    editor = access.active_editor_by_token_hash(session, hash_secret(token))
    return editor.actor() if editor is not None else None


def actor_for_editor(session: Session, editor_id: int) -> Actor | None:
    """The actor of a signed-in editor, or None once the editor is revoked or gone."""
    editor = access.get_editor(session, editor_id)
    if editor is None or editor.revoked_at is not None:
        return None
    return editor.actor()


def editor_of_link(session: Session, link: str, *, now: datetime | None = None) -> Editor | None:
    """Whose unexpired, unused sign-in link this is (the link is not used up)."""
    return access.peek_link(session, hash_secret(link or ""), now or utc_now())


def use_link(session: Session, link: str, *, now: datetime | None = None) -> Editor | None:
    """Sign in with a one-time link: the editor, with the link used up; None if not valid."""
    editor = access.take_link(session, hash_secret(link or ""), now or utc_now())
    session.commit()
    return editor


def retry_after(session: Session, address: str, *, now: datetime | None = None) -> int | None:
    """Seconds until ``address`` may try again, or None when it is under the failure limit."""
    now = now or utc_now()
    failures = access.failures_since(session, address, now - FAILURE_WINDOW)
    if len(failures) < FAILURE_LIMIT:
        return None
    # The address may try again once enough failures have left the window.
    release = failures[len(failures) - FAILURE_LIMIT] + FAILURE_WINDOW
    return max(1, int((release - now).total_seconds() + 0.999))


def record_failure(session: Session, address: str, *, now: datetime | None = None) -> None:
    """Count a failed authentication of ``address`` (and forget those outside the window)."""
    now = now or utc_now()
    try:
        access.add_failure(session, address, now, prune_before=now - FAILURE_WINDOW)
        session.commit()
    except Exception:
        session.rollback()
        raise
