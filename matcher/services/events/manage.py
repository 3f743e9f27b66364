"""Creating events and keeping their attendees, requests and locked meetings.

Public functions commit (or roll back and raise) like the other services; the ``_``-prefixed
steps only flush, so that :func:`matcher.services.events.planning.schedule_once` can chain them
and roll everything back.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.db.models import (
    EventAttendeeRow,
    EventRoundRow,
    EventRow,
    MeetingRequestRow,
    MeetingRow,
)
from matcher.importing.attendees import (
    AttendeeImport,
    AttendeeRow,
    parse_attendee_records,
    read_attendees,
)
from matcher.importing.records import ImportFailed, Problem, Record
from matcher.services.events.model import (
    REQUEST_KINDS,
    Event,
    EventCity,
    EventError,
    EventNotFound,
    EventSummary,
    ScheduledMeeting,
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
    return _event(session, _row(session, event_id))


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


def _row(session: Session, event_id: int) -> EventRow:
    row = repository.event_row(session, int(event_id))
    if row is None:
        raise EventNotFound(f"no event with id {event_id}")
    return row


def _event(session: Session, row: EventRow) -> Event:
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
    row = _create(
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
    return _commit(session, row)


def _create(
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
    _raise(errors)
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
    row = _row(session, event_id)
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
        _raise(errors)
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
    return _commit(session, row)


def delete_event(session: Session, event_id: int) -> None:
    """Delete an event and everything stored with it."""
    session.delete(_row(session, event_id))
    session.commit()


def _current_break(rounds: Sequence[EventRoundRow]) -> int:
    if len(rounds) < 2:
        return 0
    return max(
        0, _minutes_of(rounds[1].start_time) - _minutes_of(rounds[0].start_time) - rounds[0].minutes
    )


# --------------------------------------------------------------------------- attendees


def add_attendees(
    session: Session, event_id: int, rows: Sequence[AttendeeRow], *, replace: bool = False
) -> Event:
    """Add the attendees of an attendee import (see :mod:`matcher.importing.attendees`).

    An attendee already present gets the new unavailable rounds; requests are added once (a
    request the other side already made becomes mutual). Every requested city must be an
    attendee after the import. ``replace`` makes ``rows`` the whole list: other attendees go,
    with their requests and meetings. Raises :class:`EventError`; nothing is written then.
    """
    row = _row(session, event_id)
    targets = {target for item in rows for _kind, target in item.requests}
    problems = attendee_problems(
        row, rows, "attendees", replace=replace, names=event_cities(session, targets)
    )
    if problems:
        raise EventError("; ".join(str(p) for p in problems))
    _add_attendees(session, row, rows, replace=replace)
    return _commit(session, row)


def import_attendees(
    session: Session,
    event_id: int,
    path: str | Path,
    *,
    text: str | None = None,
    skip_unresolved: bool = False,
    replace: bool = False,
):
    """Read an attendee CSV (or ``text`` uploaded under the name ``path``) into the event.

    Returns ``(event, import result)``. Any problem raises
    :class:`~matcher.importing.attendees.AttendeeImportFailed` (an ``ImportFailed``) with the
    file, row and field, and nothing is written; names that match no single city are reported
    with suggestions and never guessed. With ``skip_unresolved`` the rows of unresolved cities
    (and requests naming them) are left out instead, and listed in ``result.unresolved``.
    """
    from matcher.services.cities import name_index

    row = _row(session, event_id)
    result = read_attendees(session, path, name_index(session), text=text, rounds=len(row.rounds))
    return _import(session, row, result, skip_unresolved=skip_unresolved, replace=replace)


def import_attendee_records(
    session: Session,
    event_id: int,
    records: Sequence[Record],
    *,
    source: str = "request",
    skip_unresolved: bool = False,
    replace: bool = False,
):
    """Like :func:`import_attendees` for records already read (a JSON body, say)."""
    from matcher.services.cities import name_index

    row = _row(session, event_id)
    result = parse_attendee_records(
        session, source, list(records), name_index(session), rounds=len(row.rounds)
    )
    return _import(session, row, result, skip_unresolved=skip_unresolved, replace=replace)


def _import(
    session: Session, row: EventRow, result: AttendeeImport, *, skip_unresolved: bool, replace: bool
):
    if skip_unresolved:
        result = result.without_unresolved()
    result.raise_for_problems()
    targets = {target for item in result.rows for _kind, target in item.requests}
    problems = attendee_problems(
        row, result.rows, result.file, replace=replace, names=event_cities(session, targets)
    )
    if problems:
        raise ImportFailed(problems)
    _add_attendees(session, row, result.rows, replace=replace)
    return _commit(session, row), result


def attendee_problems(
    row: EventRow,
    rows: Sequence[AttendeeRow],
    file: str,
    *,
    replace: bool = False,
    names: dict[int, EventCity] | None = None,
) -> list[Problem]:
    """Problems that only the event can tell: rounds out of range, requests naming cities that
    are not attendees."""
    problems: list[Problem] = []
    rounds = len(row.rounds)
    present = {r.city_id for r in rows}
    if not replace:
        present |= {a.city_id for a in row.attendees}
    for item in rows:
        late = [n for n in item.unavailable_rounds if not 1 <= n <= rounds]
        if late:
            problems.append(
                Problem(
                    file,
                    item.row,
                    "unavailable_rounds",
                    f"the event has rounds 1 to {rounds}, not {late}",
                )
            )
        for kind, target in item.requests:
            if target not in present:
                column = kind.replace("-", "_")
                label = names[target].label if names and target in names else f"city {target}"
                problems.append(
                    Problem(file, item.row, column, f"{label} is not an attendee of the event")
                )
    return problems


def _add_attendees(
    session: Session, row: EventRow, rows: Sequence[AttendeeRow], *, replace: bool = False
) -> None:
    wanted = {item.city_id for item in rows}
    if replace:
        row.attendees = [a for a in row.attendees if a.city_id in wanted]
        row.requests = []
        row.meetings = [m for m in row.meetings if m.city_a_id in wanted and m.city_b_id in wanted]
        session.flush()
    by_city = {a.city_id: a for a in row.attendees}
    for item in rows:
        attendee = by_city.get(item.city_id)
        if attendee is None:
            attendee = EventAttendeeRow(city_id=item.city_id)
            row.attendees.append(attendee)
            by_city[item.city_id] = attendee
        attendee.unavailable_rounds = list(item.unavailable_rounds)
    for item in rows:
        for kind, target in item.requests:
            _put_request(row, item.city_id, target, kind, mutual=False)
    mark_stale(row)
    session.flush()


# --------------------------------------------------------------------------- requests


def add_request(
    session: Session,
    event_id: int,
    requester_id: int,
    target_id: int,
    kind: str,
    *,
    mutual: bool = False,
) -> Event:
    """``requester`` asks to meet (``must-meet``, ``would-like``) or not to meet
    (``do-not-meet``) ``target``; ``mutual`` says both asked. Both must be attendees."""
    row = _row(session, event_id)
    attendees = {a.city_id for a in row.attendees}
    if kind not in REQUEST_KINDS:
        raise EventError(f"request kind must be one of {', '.join(REQUEST_KINDS)}, not {kind!r}")
    if requester_id == target_id:
        raise EventError("a city cannot make a request about itself")
    missing = [c for c in (requester_id, target_id) if c not in attendees]
    if missing:
        names = event_cities(session, missing)
        raise EventError(
            "not an attendee of the event: "
            + ", ".join(names[c].label if c in names else str(c) for c in missing)
        )
    _put_request(row, requester_id, target_id, kind, mutual=mutual)
    mark_stale(row)
    return _commit(session, row)


def remove_request(session: Session, event_id: int, request_id: int) -> Event:
    row = _row(session, event_id)
    found = [r for r in row.requests if r.id == request_id]
    if not found:
        raise EventNotFound(f"event {event_id} has no request {request_id}")
    row.requests.remove(found[0])
    mark_stale(row)
    return _commit(session, row)


def _put_request(row: EventRow, requester: int, target: int, kind: str, *, mutual: bool) -> None:
    for existing in row.requests:
        if existing.kind != kind:
            continue
        if (existing.from_city_id, existing.to_city_id) == (requester, target):
            existing.mutual = existing.mutual or mutual
            return
        if (existing.from_city_id, existing.to_city_id) == (target, requester):
            existing.mutual = True  # the other side asked the same
            return
    row.requests.append(
        MeetingRequestRow(from_city_id=requester, to_city_id=target, kind=kind, mutual=bool(mutual))
    )


# --------------------------------------------------------------------------- locks


def lock_meeting(session: Session, event_id: int, meeting_id: int, *, locked: bool = True):
    """Keep a scheduled meeting (round, table and pair) when the schedule is generated again."""
    row = _row(session, event_id)
    found = [m for m in row.meetings if m.id == meeting_id]
    if not found:
        raise EventNotFound(f"event {event_id} has no meeting {meeting_id}")
    meeting = found[0]
    meeting.locked = locked
    meeting.kind = (
        "locked" if locked else _requested_kind(row, meeting.city_a_id, meeting.city_b_id)
    )
    event = _commit(session, row)
    return next(m for m in event.meetings if m.id == meeting_id)


def _requested_kind(row: EventRow, a: int, b: int) -> str:
    """The kind a meeting of ``a`` and ``b`` has without a lock: what was asked for it."""
    asked = {r.kind for r in row.requests if {r.from_city_id, r.to_city_id} == {a, b}}
    if "must-meet" in asked:
        return "must-meet"
    return "would-like" if "would-like" in asked else "suggested"


def unlock_meeting(session: Session, event_id: int, meeting_id: int) -> ScheduledMeeting:
    """Let the scheduler move or drop a meeting that was locked."""
    return lock_meeting(session, event_id, meeting_id, locked=False)


def fix_meeting(
    session: Session,
    event_id: int,
    round_number: int,
    city_a: int,
    city_b: int,
    *,
    table: int | None = None,
) -> ScheduledMeeting:
    """Put a locked meeting of two attendees in a round (at ``table``, or the first free one).

    Unlocked meetings in the way (same attendees or same table in that round) are removed;
    a conflict with another locked meeting raises :class:`EventError`."""
    row = _row(session, event_id)
    attendees = {a.city_id: a for a in row.attendees}
    errors: list[str] = []
    if city_a == city_b:
        errors.append("a meeting needs two different cities")
    for city in (city_a, city_b):
        if city not in attendees:
            errors.append(f"city id {city} is not an attendee")
        elif round_number in (attendees[city].unavailable_rounds or ()):
            errors.append(f"city id {city} does not attend round {round_number}")
    if not 1 <= round_number <= len(row.rounds):
        errors.append(f"round must be between 1 and {len(row.rounds)}")
    if table is not None and not 1 <= table <= row.tables:
        errors.append(f"table must be between 1 and {row.tables}")
    pair = {city_a, city_b}

    def in_the_way(m: MeetingRow) -> bool:
        if {m.city_a_id, m.city_b_id} == pair:
            return True
        return m.round_number == round_number and (
            bool({m.city_a_id, m.city_b_id} & pair) or m.table_number == table
        )

    in_way = [m for m in row.meetings if in_the_way(m)]
    if any(m.locked for m in in_way):
        errors.append(
            f"a locked meeting is in the way (same cities in round {round_number}, "
            "the same table, or this pair already locked)"
        )
    _raise(errors)
    for meeting in in_way:
        row.meetings.remove(meeting)
    taken = {m.table_number for m in row.meetings if m.round_number == round_number}
    if table is None:
        table = next((t for t in range(1, row.tables + 1) if t not in taken), None)
        if table is None:
            raise EventError(f"round {round_number} has no free table left")
    a, b = sorted(pair)
    meeting = MeetingRow(
        round_number=round_number,
        table_number=table,
        city_a_id=a,
        city_b_id=b,
        score=0.0,
        kind="locked",
        locked=True,
        reason="Fixed by the organiser.",
    )
    row.meetings.append(meeting)
    mark_stale(row)
    event = _commit(session, row)
    return next(m for m in event.meetings if m.id == meeting.id)


# --------------------------------------------------------------------------- helpers


def mark_stale(row: EventRow) -> None:
    """Flag the stored report: the inputs changed after the schedule was generated."""
    if row.schedule_report and not row.schedule_report.get("stale"):
        row.schedule_report = {**row.schedule_report, "stale": True}


def _commit(session: Session, row: EventRow) -> Event:
    try:
        session.commit()
    except Exception:
        session.rollback()
        raise
    return get_event(session, row.id)


def _raise(errors: list[str]) -> None:
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
    first = int(found[1]) * 60 + int(found[2])
    end = first + count * length + (count - 1) * pause
    if end > 24 * 60:
        errors.append(
            "the rounds must end by midnight: start earlier, or use fewer or shorter rounds"
        )
        return []
    step = length + pause
    return [f"{(first + i * step) // 60:02d}:{(first + i * step) % 60:02d}" for i in range(count)]
