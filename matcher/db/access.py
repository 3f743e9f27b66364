"""Queries of editors, the history of changes and failed authentications.

Kept apart from :mod:`matcher.db.repository` (cities, calls, events): these tables say who may
write and who wrote, not what the data is.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from matcher.db.models import AuthFailureRow, ChangeRow, EditorRow
from matcher.domain import Change, Editor


def _editor(row: EditorRow) -> Editor:
    return Editor(
        id=row.id,
        name=row.name,
        scope=row.scope,
        scope_ref=row.scope_ref,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        link_expires_at=row.link_expires_at,
    )


def add_editor(
    session: Session,
    *,
    name: str,
    scope: str,
    scope_ref: str,
    token_hash: str,
    created_at: datetime,
) -> Editor:
    """Store a new editor (flushed, not committed)."""
    row = EditorRow(
        name=name, scope=scope, scope_ref=scope_ref, token_hash=token_hash, created_at=created_at
    )
    session.add(row)
    session.flush()
    return _editor(row)


def get_editor(session: Session, editor_id: int) -> Editor | None:
    row = session.get(EditorRow, editor_id)
    return _editor(row) if row is not None else None


def active_editor_by_token_hash(session: Session, token_hash: str) -> Editor | None:
    """The editor whose token hashes to ``token_hash``, unless revoked."""
    row = session.scalars(
        select(EditorRow).where(EditorRow.token_hash == token_hash, EditorRow.revoked_at.is_(None))
    ).one_or_none()
    return _editor(row) if row is not None else None


def take_link(session: Session, link_hash: str, now: datetime) -> Editor | None:
    """The active editor of an unexpired sign-in link, which is used up (flushed) on the way."""
    row = session.scalars(
        select(EditorRow).where(EditorRow.link_hash == link_hash, EditorRow.revoked_at.is_(None))
    ).one_or_none()
    if row is None or row.link_expires_at is None or row.link_expires_at < now:
        return None
    row.link_hash = None
    row.link_expires_at = None
    session.flush()
    return _editor(row)


def peek_link(session: Session, link_hash: str, now: datetime) -> Editor | None:
    """The editor of an unexpired sign-in link, without using it up."""
    row = session.scalars(
        select(EditorRow).where(EditorRow.link_hash == link_hash, EditorRow.revoked_at.is_(None))
    ).one_or_none()
    if row is None or row.link_expires_at is None or row.link_expires_at < now:
        return None
    return _editor(row)


def set_link(session: Session, editor_id: int, link_hash: str, expires_at: datetime) -> None:
    """Replace the editor's sign-in link (an earlier unused one stops working)."""
    row = session.get(EditorRow, editor_id)
    if row is None:
        raise LookupError(f"no editor {editor_id}")
    row.link_hash = link_hash
    row.link_expires_at = expires_at
    session.flush()


def list_editors(session: Session, *, include_revoked: bool = False) -> list[Editor]:
    query = select(EditorRow).order_by(EditorRow.id)
    if not include_revoked:
        query = query.where(EditorRow.revoked_at.is_(None))
    return [_editor(row) for row in session.scalars(query)]


def count_active_admins(session: Session) -> int:
    return session.scalar(
        select(func.count())
        .select_from(EditorRow)
        .where(EditorRow.scope == "admin", EditorRow.revoked_at.is_(None))
    )


def revoke_editor(session: Session, editor_id: int, now: datetime) -> Editor | None:
    """Mark the editor revoked (its token and link stop working); None when unknown."""
    row = session.get(EditorRow, editor_id)
    if row is None:
        return None
    if row.revoked_at is None:
        row.revoked_at = now
    row.link_hash = None
    row.link_expires_at = None
    session.flush()
    return _editor(row)


# --------------------------------------------------------------------------- history


def add_change(
    session: Session,
    *,
    at: datetime,
    editor_id: int | None,
    editor_name: str,
    action: str,
    summary: str,
    city_slug: str | None = None,
    event_id: int | None = None,
    details: dict | None = None,
) -> None:
    """Add a history entry to the session (written with the change it describes)."""
    session.add(
        ChangeRow(
            at=at,
            editor_id=editor_id,
            editor_name=editor_name,
            action=action,
            summary=summary,
            city_slug=city_slug,
            event_id=event_id,
            details=details or {},
        )
    )


def changes(
    session: Session,
    *,
    city_slug: str | None = None,
    event_id: int | None = None,
    action_prefix: str | None = None,
    limit: int = 50,
) -> list[Change]:
    """History entries, newest first, optionally of one city or one event."""
    query = select(ChangeRow).order_by(ChangeRow.at.desc(), ChangeRow.id.desc()).limit(limit)
    if city_slug is not None:
        query = query.where(ChangeRow.city_slug == city_slug)
    if event_id is not None:
        query = query.where(ChangeRow.event_id == event_id)
    if action_prefix is not None:
        query = query.where(ChangeRow.action.startswith(action_prefix))
    return [
        Change(
            id=row.id,
            at=row.at,
            editor_name=row.editor_name,
            action=row.action,
            summary=row.summary,
            city_slug=row.city_slug,
            event_id=row.event_id,
            editor_id=row.editor_id,
            details=dict(row.details or {}),
        )
        for row in session.scalars(query)
    ]


# --------------------------------------------------------------------------- failed sign-ins


def failures_since(session: Session, address: str, since: datetime) -> list[datetime]:
    """When ``address`` failed to authenticate since ``since``, oldest first."""
    query = (
        select(AuthFailureRow.at)
        .where(AuthFailureRow.address == address, AuthFailureRow.at >= since)
        .order_by(AuthFailureRow.at)
    )
    return list(session.scalars(query))


def add_failure(session: Session, address: str, at: datetime, *, prune_before: datetime) -> None:
    """Record a failure and drop every failure older than the window (of any address)."""
    session.execute(delete(AuthFailureRow).where(AuthFailureRow.at < prune_before))
    session.add(AuthFailureRow(address=address[:64], at=at))
    session.flush()
