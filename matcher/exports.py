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
    "FORMULA_PREFIXES",
    "SCHEDULE_COLUMNS",
    "formula_safe",
    "table_csv",
    "agenda_css",
    "agenda_html",
    "agenda_ics",
    "event_ics",
    "NoMeetings",
    "ics_uid",
    "neutralise_cell",
    "schedule_csv",
    "schedule_rows",
]

SCHEDULE_COLUMNS = (
    "date",
    "timezone",
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
#: Columns that hold free text (names, reasons) and so could be read as a formula.
TEXT_COLUMNS = frozenset({"city_a", "country_a", "city_b", "country_b", "reason"})
#: Byte order mark: spreadsheet programs read UTF-8 CSV as UTF-8 only when it starts with one.
BOM = "\ufeff"
NO_MEETING = "No meeting in this schedule"
#: The agenda template and its stylesheet (shared with the web pages of events).
TEMPLATES = Path(__file__).resolve().parent / "web" / "templates"
PRODID = "-//City Matcher//Networking sessions//EN"
UID_DOMAIN = "city-matcher"


# --------------------------------------------------------------------------- CSV

#: A cell starting with one of these is run as a formula by spreadsheet programs
#: (``=HYPERLINK(...)``, ``@SUM(...)``; tab and carriage return hide such a start).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def formula_safe(value):
    """A text cell that a spreadsheet would run as a formula, quoted with a leading ``'``
    (the OWASP advice); numbers (``-3.7``) and other cells are returned unchanged. The import
    takes such a quote off again (:mod:`matcher.importing.fields`), so exports read back."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def table_csv(rows: Iterable[dict], columns: list[str]) -> str:
    """Rows as CSV text with a header: lists become ``|``-separated cells, None an empty
    cell, and every text cell is :func:`formula_safe`."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {}
        for key, value in row.items():
            if isinstance(value, list | tuple):
                value = "|".join(str(formula_safe(str(item))) for item in value)
            cells[key] = "" if value is None else formula_safe(value)
        writer.writerow(cells)
    return buffer.getvalue()


def neutralise_cell(value: object) -> object:
    """A CSV cell that spreadsheets will not run as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
    apostrophe (the OWASP advice against CSV injection); other values pass unchanged.
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def schedule_rows(schedule: EventSchedule) -> list[dict]:
    """One dict per meeting in round and table order, with the columns of the CSV, then one per
    attendee without any meeting (round and partner empty) so that nobody is left out."""
    event = schedule.event
    day = event.date.isoformat()
    rows = []
    for meeting in schedule.meetings:
        rnd = event.round(meeting.round)
        rows.append(
            {
                "date": rnd.date_on(event.date).isoformat(),
                "timezone": event.timezone,
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
    met = {c for m in schedule.meetings for c in (m.a.id, m.b.id)}
    for attendee in event.attendees:
        if attendee.city.id in met:
            continue
        rows.append(
            {
                **dict.fromkeys(SCHEDULE_COLUMNS, ""),
                "date": day,
                "timezone": event.timezone,
                "city_a": attendee.city.name,
                "country_a": attendee.city.country,
                "reason": NO_MEETING,
            }
        )
    return rows


def schedule_csv(schedule: EventSchedule) -> str:
    """The whole schedule as CSV for spreadsheets: a BOM, a header row, one meeting per line
    (the event's date, time zone and local times HH:MM), then one line per attendee without a
    meeting; text cells are neutralised (:func:`neutralise_cell`)."""
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.DictWriter(buffer, fieldnames=SCHEDULE_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in schedule_rows(schedule):
        writer.writerow({k: neutralise_cell(v) if k in TEXT_COLUMNS else v for k, v in row.items()})
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


class NoMeetings(ValueError):
    """A calendar was asked for an attendee (or event) without meetings: RFC 5545 requires at
    least one component, so there is no valid file to give."""


def agenda_ics(schedule: EventSchedule, city_id: int) -> bytes:
    """One attendee's meetings as an iCalendar file (one VEVENT per meeting).

    Raises :class:`NoMeetings` when the attendee has no meeting.
    """
    event = schedule.event
    attendee = event.attendee(city_id)
    if attendee is None:
        raise ValueError(f"city {city_id} does not attend event {event.id}")
    if not schedule.agenda(city_id):
        raise NoMeetings(
            f"{attendee.city.name} has no meeting in this schedule, so there is no calendar file"
        )
    calendar = _calendar(f"{event.name}: agenda of {attendee.city.name}")
    for meeting in schedule.agenda(city_id):
        partner = meeting.partner_of(city_id)
        calendar.add_component(
            _vevent(schedule, meeting, f"Meeting with {partner.label}", attendee.city)
        )
    return _finish(calendar)


def event_ics(schedule: EventSchedule) -> bytes:
    """Every meeting of the event as an iCalendar file, for organisers.

    Raises :class:`NoMeetings` when the event has no meeting yet.
    """
    if not schedule.meetings:
        raise NoMeetings("the event has no meeting yet, so there is no calendar file")
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
