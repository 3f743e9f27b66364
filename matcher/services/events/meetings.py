"""Meetings an organiser fixes by hand: locking a scheduled meeting, or placing one at a round
and table; the scheduler keeps them when it runs again."""

from __future__ import annotations

from sqlalchemy.orm import Session

from matcher.db.models import (
    EventRow,
    MeetingRow,
)
from matcher.services.events.manage import (
    commit_event,
    event_row,
    mark_stale,
    raise_errors,
)
from matcher.services.events.model import (
    EventError,
    EventNotFound,
    ScheduledMeeting,
)


def lock_meeting(session: Session, event_id: int, meeting_id: int, *, locked: bool = True):
    """Keep a scheduled meeting (round, table and pair) when the schedule is generated again."""
    row = event_row(session, event_id)
    found = [m for m in row.meetings if m.id == meeting_id]
    if not found:
        raise EventNotFound(f"event {event_id} has no meeting {meeting_id}")
    meeting = found[0]
    meeting.locked = locked
    meeting.kind = (
        "locked" if locked else _requested_kind(row, meeting.city_a_id, meeting.city_b_id)
    )
    event = commit_event(session, row)
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
    row = event_row(session, event_id)
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
    raise_errors(errors)
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
    event = commit_event(session, row)
    return next(m for m in event.meetings if m.id == meeting.id)


# --------------------------------------------------------------------------- helpers
