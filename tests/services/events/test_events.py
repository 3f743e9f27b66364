"""Event use cases on the real mini seed: create, import attendees, requests, schedule, locks."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.db import repository
from matcher.importing.attendees import AttendeeImportFailed
from matcher.importing.records import ImportFailed
from matcher.services import events

CITIES = [
    ("Bologna", "IT"),
    ("Jyväskylä", "FI"),
    ("Győr", "HU"),
    ("Emmen", "NL"),
    ("Tartu", "EE"),
    ("Tallinn", "EE"),
    ("Maribor", "SI"),
    ("Gent", "BE"),
]


def attendee_csv(extra: dict[str, dict[str, str]] | None = None, cities=CITIES) -> str:
    extra = extra or {}
    lines = ["city,country,unavailable_rounds,must_meet,would_like,do_not_meet"]
    for name, country in cities:
        cells = extra.get(name, {})
        lines.append(
            ",".join(
                [name, country]
                + [
                    f'"{cells.get(c, "")}"'
                    for c in ("unavailable_rounds", "must_meet", "would_like", "do_not_meet")
                ]
            )
        )
    return "\n".join(lines) + "\n"


def new_event(session, *, rounds=4, tables=2, day="2026-10-01", no_repeat=False, **extra):
    return events.create_event(
        session,
        "Matchmaking",
        day,
        "Europe/Rome",
        rounds,
        "09:00",
        20,
        tables=tables,
        break_minutes=10,
        no_repeat=no_repeat,
        **extra,
    )


def ids(session) -> dict[str, int]:
    return {
        c.name: c.id for c in repository.all_cities(session) if (c.name, c.country) in set(CITIES)
    }


def pairs(schedule) -> set[frozenset[int]]:
    return {frozenset((m.a.id, m.b.id)) for m in schedule.meetings}


# --------------------------------------------------------------------------- create


def test_create_event_stores_rounds_with_breaks(session):
    event = new_event(session, rounds=3)
    stored = events.get_event(session, event.id)
    assert [(r.number, r.start, r.end) for r in stored.rounds] == [
        (1, "09:00", "09:20"),
        (2, "09:30", "09:50"),
        (3, "10:00", "10:20"),
    ]
    assert (stored.name, stored.date, stored.timezone, stored.tables) == (
        "Matchmaking",
        date(2026, 10, 1),
        "Europe/Rome",
        2,
    )
    assert [s.id for s in events.list_events(session)] == [event.id]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "time zone"),
        ({"start": "25:00"}, "start must be a time"),
        ({"rounds": 0}, "rounds must be between"),
        ({"tables": 0}, "tables must be between"),
        ({"date": "1 October"}, "date must be YYYY-MM-DD"),
        ({"name": "  "}, "name is required"),
    ],
)
def test_create_event_rejects_invalid_settings(session, changes, message):
    settings = {
        "name": "E",
        "date": "2026-10-01",
        "timezone": "Europe/Rome",
        "rounds": 4,
        "start": "09:00",
        "minutes": 20,
        "tables": 2,
    } | changes
    with pytest.raises(events.EventError, match=message) as caught:
        events.create_event(session, **settings)
    assert isinstance(caught.value, ValueError)
    assert events.list_events(session) == []


def test_unknown_event_is_a_lookup_error(session):
    with pytest.raises(LookupError):
        events.get_schedule(session, 999)


# --------------------------------------------------------------------------- attendees


def test_import_resolves_typos_and_stores_requests(session, tmp_path):
    event = new_event(session)
    path = tmp_path / "attendees.csv"
    path.write_text(
        attendee_csv(
            {
                "Bologna": {"must_meet": "Tartu", "do_not_meet": "Gyor"},
                "Tartu": {"must_meet": "Bologna (IT)"},
                "Gent": {"unavailable_rounds": "3,4", "would_like": "Tallin"},
            }
        )
        .replace("Jyväskylä", "Jyvaskyla")
        .replace("Maribor", "Maribr"),  # typos, no accents
        encoding="utf-8",
    )
    stored, result = events.import_attendees(session, event.id, path)
    city = ids(session)
    assert {a.city.id for a in stored.attendees} == set(city.values())
    assert stored.attendee(city["Gent"]).unavailable_rounds == (3, 4)
    requests = {(r.requester.name, r.target.name, r.kind, r.mutual) for r in stored.requests}
    assert requests == {
        ("Bologna", "Tartu", "must-meet", True),  # both sides asked: one mutual request
        ("Bologna", "Győr", "do-not-meet", False),
        ("Gent", "Tallinn", "would-like", False),
    }
    assert result.unresolved == []


def test_import_with_an_unknown_name_writes_nothing_and_suggests(session, tmp_path):
    event = new_event(session)
    path = tmp_path / "attendees.csv"
    path.write_text("city,country\nBologna,IT\nTartu,EE\nBrugs,BE\nAtlantis,IT\n")
    with pytest.raises(AttendeeImportFailed) as caught:
        events.import_attendees(session, event.id, path)
    found = {(u.row, u.field, u.name): u for u in caught.value.unresolved}
    assert set(found) == {(4, "city", "Brugs"), (5, "city", "Atlantis")}
    assert "Brugge (BE)" in found[(4, "city", "Brugs")].suggestions
    assert len(found[(4, "city", "Brugs")].suggestions) <= 3
    assert any("attendees.csv, row 4, field 'city'" in str(p) for p in caught.value.problems)
    assert events.get_event(session, event.id).attendees == ()

    stored, result = events.import_attendees(session, event.id, path, skip_unresolved=True)
    assert sorted(a.city.name for a in stored.attendees) == ["Bologna", "Tartu"]
    assert [u.name for u in result.unresolved] == ["Brugs", "Atlantis"]


def test_a_request_for_a_city_that_does_not_attend_is_a_problem(session, tmp_path):
    event = new_event(session)
    path = tmp_path / "a.csv"
    path.write_text("city,country,must_meet\nBologna,IT,Lund\nTartu,EE,\n")
    with pytest.raises(ImportFailed) as caught:
        events.import_attendees(session, event.id, path)
    assert [(p.row, p.field) for p in caught.value.problems] == [(2, "must_meet")]
    assert "Lund (SE) is not an attendee" in caught.value.problems[0].message


def test_unavailable_round_beyond_the_last_is_a_problem(session, tmp_path):
    event = new_event(session, rounds=4)
    path = tmp_path / "a.csv"
    path.write_text('city,country,unavailable_rounds\nBologna,IT,"2,5"\nTartu,EE,\n')
    with pytest.raises(ImportFailed, match="row 2, field 'unavailable_rounds'"):
        events.import_attendees(session, event.id, path)


def test_add_request_validates_and_merges_mutual(session, tmp_path):
    event = new_event(session)
    events.import_attendees(session, event.id, None or _write(tmp_path, attendee_csv()))
    city = ids(session)
    events.add_request(session, event.id, city["Gent"], city["Emmen"], "would-like")
    stored = events.add_request(session, event.id, city["Emmen"], city["Gent"], "would-like")
    assert [(r.kind, r.mutual) for r in stored.requests] == [("would-like", True)]
    with pytest.raises(events.EventError, match="kind"):
        events.add_request(session, event.id, city["Gent"], city["Emmen"], "maybe")
    lund = repository.get_city(session, "se-lund")
    with pytest.raises(events.EventError, match="Lund"):
        events.add_request(session, event.id, city["Gent"], lund.id, "must-meet")


def _write(tmp_path, text: str, name: str = "attendees.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- scheduling


def scheduled_event(session, tmp_path, extra=None, **settings):
    event = new_event(session, **settings)
    events.import_attendees(session, event.id, _write(tmp_path, attendee_csv(extra)))
    return event, events.generate_schedule(session, event.id)


def test_schedule_honours_availability_requests_and_capacity(session, tmp_path):
    event, result = scheduled_event(
        session,
        tmp_path,
        {
            "Jyväskylä": {"unavailable_rounds": "1|2"},
            "Győr": {"do_not_meet": "Emmen"},
            "Bologna": {"must_meet": "Tartu"},
        },
        rounds=4,
        tables=2,
    )
    city = ids(session)
    assert result.meetings, "a schedule was stored"
    seats = set()
    for m in result.meetings:
        assert 1 <= m.round <= 4 and 1 <= m.table <= 2
        for person in (m.a.id, m.b.id):
            assert (m.round, person) not in seats
            seats.add((m.round, person))
        if city["Jyväskylä"] in (m.a.id, m.b.id):
            assert m.round in (3, 4)
        assert m.reason
    assert frozenset((city["Győr"], city["Emmen"])) not in pairs(result)
    must = [m for m in result.meetings if {m.a.id, m.b.id} == {city["Bologna"], city["Tartu"]}]
    assert len(must) == 1 and must[0].kind == "must-meet"
    assert must[0].reason.startswith("Requested by Bologna")
    assert len(pairs(result)) == len(result.meetings)  # no pair twice
    report = result.report
    assert report.must_met == report.must_total == 1
    assert report.meetings == len(result.meetings) == 8  # 2 tables x 4 rounds, 8 cities
    assert 0 < report.share_of_bound <= 1.0 + 1e-9
    assert (report.meetings_min, report.meetings_median, report.meetings_max) == (
        result.meetings_per_attendee()
    )
    assert max(m.score for m in result.meetings) <= 1.0
    assert not report.stale
    # the grid: one row per round, one slot per table, each meeting in its slot
    assert [len(slots) for _, slots in result.grid] == [2, 2, 2, 2]
    assert {
        (rnd.number, t + 1, s.id) for rnd, slots in result.grid for t, s in enumerate(slots) if s
    } == {(m.round, m.table, m.id) for m in result.meetings}


def test_rerun_keeps_locked_meetings(session, tmp_path):
    event, first = scheduled_event(session, tmp_path, rounds=3, tables=3)
    chosen = first.meetings[-1]
    locked = events.lock_meeting(session, event.id, chosen.id)
    assert locked.locked and locked.kind == "locked"
    city = ids(session)
    fixed = events.fix_meeting(session, event.id, 1, city["Gent"], city["Emmen"], table=3)
    again = events.generate_schedule(session, event.id, method="greedy")
    kept = {(m.id, m.round, m.table, m.a.id, m.b.id, m.locked) for m in again.meetings}
    assert (chosen.id, chosen.round, chosen.table, chosen.a.id, chosen.b.id, True) in kept
    assert (fixed.id, 1, 3, fixed.a.id, fixed.b.id, True) in kept
    assert {m.id for m in again.meetings if m.locked} == {chosen.id, fixed.id}

    unlocked = events.unlock_meeting(session, event.id, chosen.id)
    assert not unlocked.locked and unlocked.kind in ("suggested", "would-like", "must-meet")
    assert not next(
        m for m in events.get_event(session, event.id).meetings if m.id == chosen.id
    ).locked


def test_a_lock_that_contradicts_a_later_request_is_reported_by_name(session, tmp_path):
    event, result = scheduled_event(session, tmp_path, rounds=2, tables=4)
    meeting = result.meetings[0]
    events.lock_meeting(session, event.id, meeting.id)
    events.add_request(session, event.id, meeting.a.id, meeting.b.id, "do-not-meet")
    assert events.get_schedule(session, event.id).report.stale
    with pytest.raises(events.EventError, match=f"{meeting.a.name}.*do-not-meet"):
        events.generate_schedule(session, event.id)


def test_no_repeat_memory_excludes_pairs_met_at_earlier_events(session, tmp_path):
    _first, earlier = scheduled_event(session, tmp_path, rounds=3, tables=4, day="2026-05-01")
    met = pairs(earlier)
    assert len(met) == 12
    later = new_event(session, rounds=3, tables=4, day="2026-10-01", no_repeat=True)
    events.import_attendees(session, later.id, _write(tmp_path, attendee_csv(), "b.csv"))
    result = events.generate_schedule(session, later.id)
    assert result.meetings and not pairs(result) & met
    # the memory looks back only: the earlier event may still repeat what the later one has
    remembered = repository.earlier_event_pairs(
        session, _first.id, date(2026, 5, 1), ids(session).values()
    )
    assert remembered == set()


def test_changing_rounds_drops_meetings_that_no_longer_fit(session, tmp_path):
    event, result = scheduled_event(session, tmp_path, rounds=4, tables=4)
    assert max(m.round for m in result.meetings) == 4
    updated = events.update_event(session, event.id, rounds=2, tables=3)
    assert updated.meetings and all(m.round <= 2 and m.table <= 3 for m in updated.meetings)
    assert [r.start for r in updated.rounds] == ["09:00", "09:30"]
    assert events.get_schedule(session, event.id).report.stale


def test_too_few_attendees_is_an_event_error(session, tmp_path):
    event = new_event(session)
    events.import_attendees(session, event.id, _write(tmp_path, "city,country\nGent,BE\n"))
    with pytest.raises(events.EventError, match="at least two attendees"):
        events.generate_schedule(session, event.id)


def test_schedule_once_stores_nothing(session, tmp_path):
    from matcher.importing.attendees import read_attendees
    from matcher.services.cities import name_index

    path = _write(tmp_path, attendee_csv({"Bologna": {"must_meet": "Gent"}}))
    rows = read_attendees(session, path, name_index(session), rounds=3).rows
    result = events.schedule_once(session, rows, rounds=3, tables=4, date="2026-10-01")
    assert len(result.meetings) == 12 and result.report.must_met == 1
    assert events.list_events(session) == []


def test_short_candidate_lists_are_widened_when_they_leave_someone_out(session, tmp_path):
    event = new_event(session, rounds=4, tables=4)
    events.import_attendees(session, event.id, _write(tmp_path, attendee_csv()))
    result = events.generate_schedule(session, event.id, candidates=1)
    # One partner each cannot give everyone 3 of 4 rounds; four each can.
    assert result.report.candidates == 4
    assert result.report.unfairness == 0 and result.report.fairness_gaps == ()
