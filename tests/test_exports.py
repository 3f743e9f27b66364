"""Exports of a stored schedule: CSV, iCalendar (parsed back) and printable HTML agendas."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from matcher import exports
from matcher.services import events

ATTENDEES = (
    "city,country,unavailable_rounds\nBologna,IT,2\nJyväskylä,FI,\nGyőr,HU,\nEmmen,NL,\n"
    "Tartu,EE,\nTallinn,EE,\nMaribor,SI,\nGent,BE,\n"
)


@pytest.fixture
def schedule(session, tmp_path):
    event = events.create_event(
        session,
        "Small Giants, Bologna",
        "2026-10-01",
        "Europe/Rome",
        3,
        "09:00",
        20,
        tables=4,
        break_minutes=10,
    )
    path = tmp_path / "attendees.csv"
    path.write_text(ATTENDEES, encoding="utf-8")
    events.import_attendees(session, event.id, path)
    return events.generate_schedule(session, event.id)


def city_id(schedule, name: str) -> int:
    return next(a.city.id for a in schedule.event.attendees if a.city.name == name)


def read_csv(text: str) -> list[dict]:
    assert text.startswith(exports.BOM)  # spreadsheets then read UTF-8 (Gdańsk, not GdaÅ„sk)
    return list(csv.DictReader(io.StringIO(text.removeprefix(exports.BOM))))


def test_csv_has_the_columns_and_one_line_per_meeting(schedule):
    rows = read_csv(exports.schedule_csv(schedule))
    assert tuple(rows[0]) == (
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
    assert len(rows) == len(schedule.meetings) > 0
    assert {(r["date"], r["timezone"]) for r in rows} == {("2026-10-01", "Europe/Rome")}
    second = [r for r in rows if r["round"] == "2"]
    assert second and {(r["start_time"], r["end_time"]) for r in second} == {("09:30", "09:50")}
    assert all(r["reason"] for r in rows)
    assert all(0.0 <= float(r["score"]) <= 1.0 for r in rows)
    assert not any("Bologna" in (r["city_a"], r["city_b"]) for r in second)  # unavailable


def test_csv_has_a_line_for_each_attendee_without_a_meeting(schedule):
    gent = city_id(schedule, "Gent")
    without_gent = dataclasses.replace(
        schedule,
        event=dataclasses.replace(
            schedule.event,
            meetings=tuple(m for m in schedule.meetings if gent not in (m.a.id, m.b.id)),
        ),
    )
    rows = read_csv(exports.schedule_csv(without_gent))
    idle = [r for r in rows if r["city_a"] == "Gent"]
    assert len(idle) == 1
    assert idle[0]["round"] == "" and idle[0]["city_b"] == ""
    assert idle[0]["reason"] == exports.NO_MEETING


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_formula_looking_cells_are_neutralised(text):
    assert exports.neutralise_cell(text) == "'" + text
    assert exports.neutralise_cell("Gent") == "Gent"
    assert exports.neutralise_cell(3) == 3


def test_an_attendee_without_meetings_gets_no_invalid_calendar(schedule):
    gent = city_id(schedule, "Gent")
    without_gent = dataclasses.replace(
        schedule,
        event=dataclasses.replace(
            schedule.event,
            meetings=tuple(m for m in schedule.meetings if gent not in (m.a.id, m.b.id)),
        ),
    )
    with pytest.raises(exports.NoMeetings, match="Gent has no meeting"):
        exports.agenda_ics(without_gent, gent)


def test_attendee_ics_parses_back_with_local_times(schedule):
    gent = city_id(schedule, "Gent")
    agenda = schedule.agenda(gent)
    calendar = Calendar.from_ical(exports.agenda_ics(schedule, gent))
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == len(agenda) > 0
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Rome"
    rome = ZoneInfo("Europe/Rome")
    for item, meeting in zip(vevents, agenda, strict=True):
        start = item.decoded("DTSTART")
        expected = datetime(2026, 10, 1, 9, 0, tzinfo=rome) + timedelta(
            minutes=30 * (meeting.round - 1)
        )
        assert start == expected and start.utcoffset() == timedelta(hours=2)
        assert item.decoded("DTEND") - start == timedelta(minutes=20)
        partner = meeting.partner_of(gent)
        assert partner.name in str(item["SUMMARY"])
        assert f"table {meeting.table}" in str(item["LOCATION"])
        assert meeting.reason in str(item["DESCRIPTION"])
    uids = [str(item["UID"]) for item in vevents]
    assert len(set(uids)) == len(uids)
    again = Calendar.from_ical(exports.agenda_ics(schedule, gent)).walk("VEVENT")
    assert [str(item["UID"]) for item in again] == uids  # stable


def test_event_ics_has_every_meeting(schedule):
    calendar = Calendar.from_ical(exports.event_ics(schedule))
    assert len(calendar.walk("VEVENT")) == len(schedule.meetings)


def test_ics_for_a_city_that_does_not_attend_is_refused(schedule):
    with pytest.raises(ValueError, match="does not attend"):
        exports.agenda_ics(schedule, 10**9)


def test_html_agenda_lists_the_meetings_and_prints(schedule):
    gent = city_id(schedule, "Gent")
    html = exports.agenda_html(schedule, [gent])
    assert "Agenda of Gent (BE)" in html
    for meeting in schedule.agenda(gent):
        assert meeting.partner_of(gent).name in html
    assert "@media print" in html and "<script" not in html
    assert html.count('class="agenda"') == 1
    everyone = exports.agenda_html(schedule)
    assert everyone.count('class="agenda"') == len(schedule.event.attendees)
    linked = exports.agenda_html(schedule, [gent], stylesheet_href="/agenda.css")
    assert "<style" not in linked and 'href="/agenda.css"' in linked


def test_html_escapes_names(schedule):
    from dataclasses import replace

    event = replace(schedule.event, name="<b>Bold</b> & co")
    html = exports.agenda_html(replace(schedule, event=event))
    assert "<b>Bold</b>" not in html and "&lt;b&gt;Bold&lt;/b&gt; &amp; co" in html


def test_formula_cells_are_quoted_and_numbers_are_not():
    from matcher.exports import formula_safe, table_csv

    assert formula_safe('=HYPERLINK("http://x","y")') == '\'=HYPERLINK("http://x","y")'
    assert formula_safe(-3.7) == -3.7 and formula_safe("Gent") == "Gent"
    text = table_csv([{"a": "@SUM(A1)", "b": ["=1", "ok"]}], ["a", "b"])
    assert text.splitlines()[1] == "'@SUM(A1),'=1|ok"


def test_rounds_past_midnight_are_dated_the_next_day_in_every_export(session, tmp_path):
    event = events.create_event(session, "Evening session", "2026-10-01", "Europe/Rome", 3,
                                "23:30", 20, tables=4, break_minutes=10)  # fmt: skip
    path = tmp_path / "attendees.csv"
    path.write_text(ATTENDEES, encoding="utf-8")
    events.import_attendees(session, event.id, path)
    schedule = events.generate_schedule(session, event.id)
    rome = ZoneInfo("Europe/Rome")
    rows = read_csv(exports.schedule_csv(schedule))
    dates = {(r["round"], r["date"], r["start_time"]) for r in rows if r["round"]}
    assert dates <= {("1", "2026-10-01", "23:30"), ("2", "2026-10-02", "00:00"),
                     ("3", "2026-10-02", "00:30")}  # fmt: skip
    assert {d[0] for d in dates} == {"1", "2", "3"}
    calendar = Calendar.from_ical(exports.event_ics(schedule))
    starts = sorted(e.decoded("dtstart") for e in calendar.walk("VEVENT"))
    assert starts and all(s.tzinfo is not None for s in starts)
    assert all(datetime(2026, 10, 1, 23, 30, tzinfo=rome) <= s for s in starts)
    assert all(s < datetime(2026, 10, 2, 1, 0, tzinfo=rome) for s in starts)
    assert any(s.date().isoformat() == "2026-10-02" for s in starts)
