"""Creating, changing and reading events, and the checks of their fields.

Public functions commit (or roll back and raise) like the other services; the ``stage_``
steps only flush, so that :func:`matcher.services.events.planning.schedule_once` can chain them
and roll everything back. Attendees and requests are in :mod:`.attendees`, locked and fixed
meetings in :mod:`.meetings`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.db.models import (
    EventRoundRow,
    EventRow,
)
from matcher.services.events.model import (
    Event,
    EventCity,
    EventError,
    EventNotFound,
    EventSummary,
    event_from_row,
)

MAX_NAME = 300
MAX_ROUNDS = 48
MAX_TABLES = 1000
MAX_MINUTES = 240
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


# --------------------------------------------------------------------------- reading


def get_event(session: Session, event_id: int) -> Event:
    """The event with its rounds, attendees, requests and meetings; :class:`EventNotFound`."""
    return load_event(session, event_row(session, event_id))


def list_events(session: Session) -> list[EventSummary]:
    """Every event, the latest date first."""
    counts = repository.event_meeting_counts(session)
    return [
        EventSummary(
            id=row.id,
            name=row.name,
            date=row.event_date,
            timezone=row.timezone,
            rounds=len(row.rounds),
            tables=row.tables,
            attendees=len(row.attendees),
            meetings=counts.get(row.id, 0),
            no_repeat=bool(row.no_repeat_memory),
        )
        for row in repository.event_rows(session)
    ]


def event_row(session: Session, event_id: int) -> EventRow:
    row = repository.event_row(session, int(event_id))
    if row is None:
        raise EventNotFound(f"no event with id {event_id}")
    return row


def load_event(session: Session, row: EventRow) -> Event:
    ids = {a.city_id for a in row.attendees}
    ids |= {r.from_city_id for r in row.requests} | {r.to_city_id for r in row.requests}
    ids |= {m.city_a_id for m in row.meetings} | {m.city_b_id for m in row.meetings}
    return event_from_row(row, event_cities(session, ids))


def event_cities(session: Session, ids: Iterable[int]) -> dict[int, EventCity]:
    return {
        c.id: EventCity(c.id, c.slug, c.name, c.country)
        for c in repository.get_cities(session, sorted(set(ids)))
    }


# --------------------------------------------------------------------------- create / update


def create_event(
    session: Session,
    name: str,
    date: date | str,
    timezone: str,
    rounds: int,
    start: str,
    minutes: int,
    *,
    tables: int,
    break_minutes: int = 0,
    no_repeat: bool = False,
) -> Event:
    """Create an event with ``rounds`` rounds of ``minutes`` from ``start`` (local HH:MM),
    ``break_minutes`` between rounds, and ``tables`` tables. ``no_repeat`` excludes pairs that
    met at earlier events. Raises :class:`EventError` naming every invalid value."""
    row = stage_event(
        session,
        name,
        date,
        timezone,
        rounds,
        start,
        minutes,
        tables=tables,
        break_minutes=break_minutes,
        no_repeat=no_repeat,
    )
    return commit_event(session, row)


def stage_event(
    session,
    name,
    day,
    timezone,
    rounds,
    start,
    minutes,
    *,
    tables,
    break_minutes=0,
    no_repeat=False,
) -> EventRow:
    errors: list[str] = []
    name = _name(name, errors)
    day = _date(day, errors)
    timezone = _timezone(timezone, errors)
    tables = _bounded("tables", tables, 1, MAX_TABLES, errors)
    starts = _round_starts(rounds, start, minutes, break_minutes, errors)
    raise_errors(errors)
    row = EventRow(
        name=name,
        event_date=day,
        timezone=timezone,
        tables=tables,
        no_repeat_memory=bool(no_repeat),
    )
    row.rounds = [
        EventRoundRow(number=i, start_time=s, minutes=int(minutes))
        for i, s in enumerate(starts, start=1)
    ]
    session.add(row)
    session.flush()
    return row


def update_event(
    session: Session,
    event_id: int,
    *,
    name: str | None = None,
    date: date | str | None = None,
    timezone: str | None = None,
    rounds: int | None = None,
    start: str | None = None,
    minutes: int | None = None,
    break_minutes: int | None = None,
    tables: int | None = None,
    no_repeat: bool | None = None,
) -> Event:
    """Change an event's settings; values left None are kept.

    Changing the rounds (count, start, length or break) rebuilds them; meetings that no longer
    fit the rounds or tables are removed (locked ones too) and the schedule report is marked
    stale. Raises :class:`EventError`."""
    row = event_row(session, event_id)
    errors: list[str] = []
    if name is not None:
        row.name = _name(name, errors)
    if date is not None:
        row.event_date = _date(date, errors)
    if timezone is not None:
        row.timezone = _timezone(timezone, errors)
    shape = (
        row.tables,
        bool(row.no_repeat_memory),
        [(r.start_time, r.minutes) for r in row.rounds],
    )
    if tables is not None:
        row.tables = _bounded("tables", tables, 1, MAX_TABLES, errors)
    if no_repeat is not None:
        row.no_repeat_memory = bool(no_repeat)
    if any(v is not None for v in (rounds, start, minutes, break_minutes)):
        current = row.rounds
        count = rounds if rounds is not None else len(current)
        first = start if start is not None else current[0].start_time
        length = minutes if minutes is not None else current[0].minutes
        pause = break_minutes if break_minutes is not None else _current_break(current)
        starts = _round_starts(count, first, length, pause, errors)
        if not errors:
            row.rounds = []
            session.flush()
            row.rounds = [
                EventRoundRow(number=i, start_time=s, minutes=int(length))
                for i, s in enumerate(starts, start=1)
            ]
    if errors:
        session.rollback()
        raise_errors(errors)
    session.flush()
    dropped = [
        m for m in row.meetings if m.round_number > len(row.rounds) or m.table_number > row.tables
    ]
    for meeting in dropped:
        row.meetings.remove(meeting)
    if shape != (
        row.tables,
        bool(row.no_repeat_memory),
        [(r.start_time, r.minutes) for r in row.rounds],
    ):
        mark_stale(row)
    return commit_event(session, row)


def delete_event(session: Session, event_id: int) -> None:
    """Delete an event and everything stored with it."""
    session.delete(event_row(session, event_id))
    session.commit()


def _current_break(rounds: Sequence[EventRoundRow]) -> int:
    if len(rounds) < 2:
        return 0
    return max(
        0, _minutes_of(rounds[1].start_time) - _minutes_of(rounds[0].start_time) - rounds[0].minutes
    )


# --------------------------------------------------------------------------- attendees


def mark_stale(row: EventRow) -> None:
    """Flag the stored report: the inputs changed after the schedule was generated."""
    if row.schedule_report and not row.schedule_report.get("stale"):
        row.schedule_report = {**row.schedule_report, "stale": True}


def commit_event(session: Session, row: EventRow) -> Event:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    return get_event(session, row.id)


def raise_errors(errors: list[str]) -> None:
    if errors:
        raise EventError("; ".join(errors))


def _name(value, errors: list[str]) -> str:
    text = " ".join(str(value or "").split())
    if not text:
        errors.append("name is required")
    elif len(text) > MAX_NAME:
        errors.append(f"name is longer than {MAX_NAME} characters")
    return text


def _date(value, errors: list[str]) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        errors.append(f"date must be YYYY-MM-DD, got {value!r}")
        return None


def _timezone(value, errors: list[str]) -> str:
    text = str(value or "").strip()
    try:
        if not text or text.startswith(("/", ".")):
            raise ValueError
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(f"time zone must be an IANA name such as Europe/Brussels, got {value!r}")
    return text


def _bounded(label: str, value, low: int, high: int, errors: list[str]) -> int:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value)
        if number != float(value):
            raise ValueError
    except (TypeError, ValueError):
        errors.append(f"{label} must be a whole number, got {value!r}")
        return low
    if not low <= number <= high:
        errors.append(f"{label} must be between {low} and {high}, got {number}")
    return number


def _minutes_of(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def _round_starts(rounds, start, minutes, break_minutes, errors: list[str]) -> list[str]:
    count = _bounded("rounds", rounds, 1, MAX_ROUNDS, errors)
    length = _bounded("minutes", minutes, 1, MAX_MINUTES, errors)
    pause = _bounded("break minutes", break_minutes or 0, 0, MAX_MINUTES, errors)
    found = _HHMM.match(str(start or "").strip())
    if not found or int(found[1]) > 23 or int(found[2]) > 59:
        errors.append(f"start must be a time HH:MM such as 09:30, got {start!r}")
        return []
    if errors:
        return []
    # Rounds may run past midnight: the clock wraps and the round is dated the next day
    # (model.rounds_in_order), as an evening session that ends at 01:00 really does.
    first = int(found[1]) * 60 + int(found[2])
    step = length + pause
    starts = [(first + i * step) % (24 * 60) for i in range(count)]
    return [f"{start // 60:02d}:{start % 60:02d}" for start in starts]
