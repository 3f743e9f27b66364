"""The history of every write: who, when, what (before and after for profile weights).

Callers wrap a write in :func:`recording`, one small call around the service or import that
does the work::

    with history.recording(session, actor, "profile.update", city_slug=slug, details=...):
        city_service.update_declared_profile(session, city_id, weights)

The entry is added to the session just before the write's own ``commit``, so it is stored in
the same transaction: no change without its entry, no entry for a change that was rolled back
or failed. The services themselves do not change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.orm import Session

from matcher.db import access, repository
from matcher.db.models import CityRow, FundingCallRow
from matcher.domain import Actor, Change, ProfileKind
from matcher.services.editors import utc_now

_PENDING = "matcher.history.pending"
_LISTENING = "matcher.history.listening"
#: The name of writes made on the command line (there is no token there; the shell's user is).
COMMAND_LINE = Actor("command line", "admin")


@dataclass
class Pending:
    """An entry waiting for its write's commit. ``finish`` may fill in details then (it sees
    the flushed, not yet committed, state of the write)."""

    actor: Actor
    action: str
    summary: str = ""
    city_slug: str | None = None
    event_id: int | None = None
    details: dict = field(default_factory=dict)
    finish: Callable[[Session, Pending], None] | None = None
    #: One more entry for each of these cities (an import that touched them), so each city's
    #: history shows it.
    cities: list[str] = field(default_factory=list)


def _before_commit(session: Session) -> None:
    pending: list[Pending] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()
    now = utc_now()
    for entry in pending:
        if entry.finish is not None:
            entry.finish(session, entry)
        access.add_change(
            session,
            at=now,
            editor_id=entry.actor.editor_id,
            editor_name=entry.actor.name,
            action=entry.action,
            summary=entry.summary,
            city_slug=entry.city_slug,
            event_id=entry.event_id,
            details={"scope": entry.actor.scope_label, **entry.details},
        )
        for slug in entry.cities:
            access.add_change(
                session,
                at=now,
                editor_id=entry.actor.editor_id,
                editor_name=entry.actor.name,
                action=entry.action,
                summary=entry.summary,
                city_slug=slug,
                details={"scope": entry.actor.scope_label},
            )


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def _listen(session: Session) -> None:
    if not session.info.get(_LISTENING):
        event.listen(session, "before_commit", _before_commit)
        event.listen(session, "after_soft_rollback", lambda s, _t: _after_rollback(s))
        session.info[_LISTENING] = True


@contextmanager
def recording(
    session: Session,
    actor: Actor,
    action: str,
    *,
    summary: str = "",
    city_slug: str | None = None,
    event_id: int | None = None,
    details: dict | None = None,
    finish: Callable[[Session, Pending], None] | None = None,
) -> Iterator[Pending]:
    """Record the write done inside the ``with`` block when it commits; nothing when it fails.

    An entry its block did not commit (the write raised first, or wrote nothing) is dropped."""
    _listen(session)
    entry = Pending(actor, action, summary, city_slug, event_id, dict(details or {}), finish)
    session.info.setdefault(_PENDING, []).append(entry)
    try:
        yield entry
    finally:
        queued = session.info.get(_PENDING, [])
        if entry in queued:
            queued.remove(entry)


def record(session: Session, actor: Actor, action: str, **fields) -> None:
    """Record a write that was already committed (e.g. one whose id is known only after)."""
    _listen(session)
    session.info.setdefault(_PENDING, []).append(Pending(actor, action, **fields))
    session.commit()


# --------------------------------------------------------------------------- profiles


def profile_weights(session: Session, slug: str) -> dict[str, dict[str, float]]:
    """Kind -> theme id -> weight of the city's profile as stored now (any provenance)."""
    city = repository.get_city(session, slug)
    if city is None:
        return {}
    return {kind.value: city.weights(kind) for kind in ProfileKind}


def describe_profile_change(before: dict, after: dict) -> str:
    """The changed weights in words: "interest energy-transition 0.4 → 0.8; need water –"."""
    parts = []
    for kind in sorted(set(before) | set(after)):
        old, new = before.get(kind, {}), after.get(kind, {})
        for theme in sorted(set(old) | set(new)):
            if old.get(theme) != new.get(theme):
                change = f"{_weight(old.get(theme))} → {_weight(new.get(theme))}"
                parts.append(f"{kind} {theme} {change}")
    return "; ".join(parts) if parts else "no weight changed"


def _weight(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def recording_profile(session: Session, actor: Actor, slug: str, kinds: list[str]):
    """:func:`recording` of a declared-profile write, with the ``kinds`` given, before and
    after (read from the database in the write's transaction, so they are what was stored)."""
    before = {k: v for k, v in profile_weights(session, slug).items() if k in kinds}

    def finish(inner: Session, entry: Pending) -> None:
        inner.expire_all()
        after = {k: v for k, v in profile_weights(inner, slug).items() if k in kinds}
        entry.details = {"before": before, "after": after}
        entry.summary = describe_profile_change(before, after)

    return recording(session, actor, "profile.update", city_slug=slug, finish=finish)


# --------------------------------------------------------------------------- imports

_TOUCHED = "matcher.history.touched"


def _collect_touched(session: Session, _context, _instances) -> None:
    touched = session.info.get(_TOUCHED)
    if touched is None:
        return
    for row in session.new:
        if isinstance(row, CityRow):
            touched["created"].add(row.slug)
        elif isinstance(row, FundingCallRow):
            touched["calls"].add(row.id)
    for row in session.dirty:
        if isinstance(row, CityRow) and session.is_modified(row):
            touched["updated"].add(row.slug)
        elif isinstance(row, FundingCallRow) and session.is_modified(row):
            touched["calls"].add(row.id)


@contextmanager
def recording_import(session: Session, actor: Actor, kind: str, file: str) -> Iterator[Pending]:
    """:func:`recording` of an import (cities or calls): one entry for the file, and for a
    city import one in the history of every city it created or changed."""
    if not session.info.get(_LISTENING + ".flush"):
        event.listen(session, "before_flush", _collect_touched)
        session.info[_LISTENING + ".flush"] = True
    touched: dict[str, set[str]] = {"created": set(), "updated": set(), "calls": set()}

    def finish(_inner: Session, entry: Pending) -> None:
        created = sorted(touched["created"])
        updated = sorted(touched["updated"] - touched["created"])
        if kind == "cities":
            entry.summary = f"{file}: {len(created)} cities created, {len(updated)} updated"
            entry.details = {"file": file, "created": created, "updated": updated}
            entry.cities = created + updated
        else:
            entry.summary = f"{file}: {len(touched['calls'])} calls created or updated"
            entry.details = {"file": file, "calls": sorted(touched["calls"])}

    session.info[_TOUCHED] = touched
    try:
        with recording(session, actor, f"import.{kind}", finish=finish) as entry:
            yield entry
    finally:
        session.info.pop(_TOUCHED, None)


# --------------------------------------------------------------------------- reading


def city_history(session: Session, slug: str, *, limit: int = 50) -> list[Change]:
    """Changes to one city (its declared profile, imports of it), newest first."""
    return access.changes(session, city_slug=slug, limit=limit)


def profile_history(session: Session, slug: str, *, limit: int = 5) -> list[Change]:
    """The last changes of the city's declared profile, newest first (for its page)."""
    return access.changes(session, city_slug=slug, action_prefix="profile.", limit=limit)


def event_history(session: Session, event_id: int, *, limit: int = 50) -> list[Change]:
    """Changes to one event, newest first."""
    return access.changes(session, event_id=event_id, limit=limit)


def all_history(session: Session, *, limit: int = 50) -> list[Change]:
    """Every change, newest first."""
    return access.changes(session, limit=limit)
