"""From a consortium proposal to a networking session: "Meet them".

The event's attendees are the lead, the proposed partners and their alternatives. Each pair the
proposal puts together becomes a request that carries the proposal's reason, and the schedule
writes that reason into the meeting (and so into the agendas): the lead must meet every partner,
would like to meet every alternative, and partners would like to meet each other.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from matcher.db.models import MeetingRequestRow
from matcher.domain import City
from matcher.importing.attendees import AttendeeRow
from matcher.services.events.attendees import add_attendees
from matcher.services.events.manage import create_event, event_row
from matcher.services.events.model import Event, EventError
from matcher.services.events.planning import generate_schedule

#: Rounds of a consortium session are capped: a lead rarely has more than this many meetings.
MAX_ROUNDS = 12


def meet_consortium(
    session: Session,
    call_id: str,
    lead: City,
    today: date,
    *,
    day: date | str,
    size: int | None = None,
    countries: tuple[str, ...] = (),
    timezone: str = "Europe/Brussels",
    start: str = "09:00",
    minutes: int = 20,
) -> Event:
    """Create (and schedule) an event for the consortium proposed for ``lead`` and the call.

    Raises :class:`EventError` when the call has no valid consortium for the lead (the page
    says which rule is unmet).
    """
    from matcher.services import calls as calls_service

    try:
        proposal = calls_service.build_consortium(
            session, call_id, lead, today, size=size, countries=countries
        )
    except calls_service.CallQueryError as exc:
        raise EventError(str(exc)) from None
    if not proposal.valid:
        raise EventError("no valid consortium for this lead and call, so there is no one to meet")
    partners = [m for m in proposal.members if m.role != "lead"]
    people: dict[int, City] = {lead.id: lead}
    notes: list[tuple[int, int, str, str]] = []  # (from, to, kind, reason)
    for member in partners:
        people[member.city.id] = member.city
        why = "; ".join(member.reasons) or "proposed partner"
        notes.append(
            (lead.id, member.city.id, "must-meet", f"Proposed partner for {call_id}: {why}")
        )
        for alternative in member.alternatives:
            if alternative.city.id in people:
                continue
            people[alternative.city.id] = alternative.city
            alt_why = "; ".join(alternative.reasons) or "keeps every rule met"
            notes.append(
                (
                    lead.id,
                    alternative.city.id,
                    "would-like",
                    f"Alternative to {member.city.name} for {call_id}: {alt_why}",
                )
            )
    for i, a in enumerate(partners):
        for b in partners[i + 1 :]:
            notes.append(
                (
                    a.city.id,
                    b.city.id,
                    "would-like",
                    f"Proposed together for {call_id} with the lead {lead.name}",
                )
            )
    rounds = max(1, min(MAX_ROUNDS, len(people) - 1))
    event = create_event(
        session,
        f"Consortium for {call_id}: {lead.name}"[:300],
        day,
        timezone,
        rounds,
        start,
        minutes,
        tables=max(1, len(people) // 2),
    )
    rows = [
        AttendeeRow(i + 1, city.id, city.name, city.country)
        for i, city in enumerate(people.values())
    ]
    add_attendees(session, event.id, rows)
    row = event_row(session, event.id)
    for a, b, kind, reason in notes:
        row.requests.append(
            MeetingRequestRow(from_city_id=a, to_city_id=b, kind=kind, mutual=False, reason=reason)
        )
    session.commit()
    return generate_schedule(session, event.id).event
