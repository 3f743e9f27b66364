"""An event's attendees (from an attendee import or one by one) and their meeting requests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.db.models import (
    EventAttendeeRow,
    EventRow,
    MeetingRequestRow,
)
from matcher.importing.attendees import (
    AttendeeImport,
    AttendeeRow,
    parse_attendee_records,
    read_attendees,
)
from matcher.importing.records import ImportFailed, Problem, Record
from matcher.services.events.manage import (
    commit_event,
    event_cities,
    event_row,
    mark_stale,
)
from matcher.services.events.model import (
    REQUEST_KINDS,
    Event,
    EventCity,
    EventError,
    EventNotFound,
)


def add_attendees(
    session: Session, event_id: int, rows: Sequence[AttendeeRow], *, replace: bool = False
) -> Event:
    """Add the attendees of an attendee import (see :mod:`matcher.importing.attendees`).

    An attendee already present gets the new unavailable rounds; requests are added once (a
    request the other side already made becomes mutual). Every requested city must be an
    attendee after the import. ``replace`` makes ``rows`` the whole list: other attendees go,
    with their requests and meetings. Raises :class:`EventError`; nothing is written then.
    """
    row = event_row(session, event_id)
    targets = {target for item in rows for _kind, target in item.requests}
    problems = attendee_problems(
        row, rows, "attendees", replace=replace, names=event_cities(session, targets)
    )
    if problems:
        raise EventError("; ".join(str(p) for p in problems))
    stage_attendees(session, row, rows, replace=replace)
    return commit_event(session, row)


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

    row = event_row(session, event_id)
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

    row = event_row(session, event_id)
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
    stage_attendees(session, row, result.rows, replace=replace)
    return commit_event(session, row), result


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


def stage_attendees(
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
    row = event_row(session, event_id)
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
    return commit_event(session, row)


def remove_request(session: Session, event_id: int, request_id: int) -> Event:
    row = event_row(session, event_id)
    found = [r for r in row.requests if r.id == request_id]
    if not found:
        raise EventNotFound(f"event {event_id} has no request {request_id}")
    row.requests.remove(found[0])
    mark_stale(row)
    return commit_event(session, row)


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
