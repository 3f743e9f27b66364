"""Event schedules for people and calendars: CSV, printable agendas (HTML) and iCalendar.

Everything here works on a :class:`matcher.services.events.EventSchedule`, so the web views, the
API and the CLI export the same thing. Times are the event's local wall-clock times; iCalendar
events carry the event's time zone (with its VTIMEZONE) so calendars show them correctly
wherever the reader is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from matcher.services.events import EventCity, EventSchedule, ScheduledMeeting

__all__ = [
    "SCHEDULE_COLUMNS",
    "agenda_css",
    "agenda_html",
    "agenda_ics",
    "event_ics",
    "ics_uid",
    "schedule_csv",
    "schedule_rows",
]

SCHEDULE_COLUMNS = (
    "round",
    "start_time",
    "end_time",
    "table",
    "city_a",
    "country_a",
    "city_b",
    "country_b",
    "score",
    "reason",
)
#: The agenda template and its stylesheet (shared with the web pages of events).
TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
PRODID = "-//City Matcher//Networking sessions//EN"
UID_DOMAIN = "city-matcher"


# --------------------------------------------------------------------------- CSV


def schedule_rows(schedule: EventSchedule) -> list[dict]:
    """One dict per meeting in round and table order, with the columns of the CSV."""
    event = schedule.event
    rows = []
    for meeting in schedule.meetings:
        rnd = event.round(meeting.round)
        rows.append(
            {
                "round": meeting.round,
                "start_time": rnd.start,
                "end_time": rnd.end,
                "table": meeting.table,
                "city_a": meeting.a.name,
                "country_a": meeting.a.country,
                "city_b": meeting.b.name,
                "country_b": meeting.b.country,
                "score": f"{meeting.score:.3f}",
                "reason": meeting.reason,
            }
        )
    return rows


def schedule_csv(schedule: EventSchedule) -> str:
    """The whole schedule as CSV (header row, one meeting per line, local times HH:MM)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCHEDULE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(schedule_rows(schedule))
    return buffer.getvalue()


# --------------------------------------------------------------------------- printable agendas


@lru_cache(maxsize=1)
def _environment():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def agenda_css() -> str:
    """The stylesheet of the agendas (screen and print)."""
    return (TEMPLATES / "events" / "agenda.css").read_text(encoding="utf-8")


def agenda_html(
    schedule: EventSchedule,
    city_ids: Iterable[int] | None = None,
    *,
    stylesheet_href: str | None = None,
) -> str:
    """Printable agendas, one page per attendee (all attendees when ``city_ids`` is None).

    The document is self-contained (its print stylesheet embedded) unless ``stylesheet_href``
    is given, for pages served under a Content Security Policy that forbids inline styles. It
    holds no script.
    """
    event = schedule.event
    wanted = None if city_ids is None else set(city_ids)
    agendas = [
        (attendee, _agenda_slots(schedule, attendee.city.id))
        for attendee in event.attendees
        if wanted is None or attendee.city.id in wanted
    ]
    template = _environment().get_template("events/agenda_print.html")
    return template.render(
        event=event,
        agendas=agendas,
        stylesheet_href=stylesheet_href,
        css=None if stylesheet_href else agenda_css(),
    )


def _agenda_slots(schedule: EventSchedule, city_id: int) -> list[dict]:
    event = schedule.event
    attendee = event.attendee(city_id)
    away = set(attendee.unavailable_rounds) if attendee else set()
    by_round = {m.round: m for m in schedule.agenda(city_id)}
    slots = []
    for rnd in event.rounds:
        meeting = by_round.get(rnd.number)
        slots.append(
            {
                "round": rnd,
                "meeting": meeting,
                "partner": meeting.partner_of(city_id) if meeting else None,
                "away": rnd.number in away,
            }
        )
    return slots


# --------------------------------------------------------------------------- iCalendar


def ics_uid(event_id: int, meeting: ScheduledMeeting) -> str:
    """Stable UID of a meeting: the same event, round and pair give the same UID, so
    re-importing an updated calendar updates the entry instead of duplicating it."""
    a, b = sorted((meeting.a.id, meeting.b.id))
    return f"event-{event_id}-round-{meeting.round}-{a}-{b}@{UID_DOMAIN}"


def agenda_ics(schedule: EventSchedule, city_id: int) -> bytes:
    """One attendee's meetings as an iCalendar file (one VEVENT per meeting)."""
    event = schedule.event
    attendee = event.attendee(city_id)
    if attendee is None:
        raise ValueError(f"city {city_id} does not attend event {event.id}")
    calendar = _calendar(f"{event.name}: agenda of {attendee.city.name}")
    for meeting in schedule.agenda(city_id):
        partner = meeting.partner_of(city_id)
        calendar.add_component(
            _vevent(schedule, meeting, f"Meeting with {partner.label}", attendee.city)
        )
    return _finish(calendar)


def event_ics(schedule: EventSchedule) -> bytes:
    """Every meeting of the event as an iCalendar file, for organisers."""
    calendar = _calendar(schedule.event.name)
    for meeting in schedule.meetings:
        summary = f"{meeting.a.label} meets {meeting.b.label}"
        calendar.add_component(_vevent(schedule, meeting, summary, None))
    return _finish(calendar)


def _calendar(name: str):
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _vevent(
    schedule: EventSchedule, meeting: ScheduledMeeting, summary: str, viewer: EventCity | None
):
    from icalendar import Event as VEvent

    event = schedule.event
    rnd = event.round(meeting.round)
    item = VEvent()
    item.add("uid", ics_uid(event.id, meeting))
    item.add("dtstamp", datetime.now(UTC).replace(microsecond=0))
    item.add("dtstart", rnd.starts_at(event.date, event.timezone))
    item.add("dtend", rnd.ends_at(event.date, event.timezone))
    item.add("summary", summary)
    item.add("location", f"{event.name}, table {meeting.table}")
    lines = [f"Round {meeting.round}, table {meeting.table}."]
    if viewer is None:
        lines.append(f"{meeting.a.label} and {meeting.b.label}.")
    if meeting.reason:
        lines.append(f"Why meet: {meeting.reason}")
    item.add("description", "\n".join(lines))
    item.add("categories", [meeting.kind])
    return item


def _finish(calendar) -> bytes:
    calendar.add_missing_timezones()
    return calendar.to_ical()
