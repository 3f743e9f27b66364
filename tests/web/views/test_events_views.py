"""The HTML pages of networking sessions: create, attendees, generate, grid and downloads."""

from __future__ import annotations

import io
import re

import pytest
from icalendar import Calendar

from matcher.services import events

ATTENDEES = (
    "city,country,unavailable_rounds,must_meet\nBologna,IT,,Tartu\nJyvaskyla,FI,1,\n"
    "Gyor,HU,,\nEmmen,NL,,\nTartu,EE,,\nTallinn,EE,,\n"
)
FORM = {
    "name": "Small Giants day",
    "day": "2026-10-01",
    "timezone": "Europe/Rome",
    "rounds": "3",
    "start": "09:00",
    "minutes": "20",
    "break_minutes": "10",
    "tables": "3",
}


@pytest.fixture
def event_id(web_session):
    event = events.create_event(
        web_session, "Matchmaking", "2026-10-01", "Europe/Rome", 3, "09:00", 20, tables=3
    )
    return event.id


def test_create_event_needs_an_administrator_and_keeps_input(client, signed_in):
    invalid = client.post("/events/new", data={**FORM, "rounds": "99", "timezone": "Mars/X"})
    assert invalid.status_code == 422
    page = invalid.get_data(as_text=True)
    assert 'href="#rounds"' in page and "Europe/Brussels" in page and 'value="Mars/X"' in page
    assert 'aria-invalid="true"' in page

    created = client.post("/events/new", data={**FORM})
    assert created.status_code == 303
    detail = client.get(created.headers["Location"])
    assert detail.status_code == 200 and "Small Giants day" in detail.get_data(as_text=True)
    assert "Small Giants day" in client.get("/events/").get_data(as_text=True)


def test_paste_attendees_then_generate_and_download(client, signed_in, event_id):
    added = client.post(f"/events/{event_id}/attendees", data={"add-attendees": ATTENDEES})
    assert added.status_code == 303
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Jyväskylä" in page and "6 attending cities" in page

    generated = client.post(f"/events/{event_id}/schedule", data={"generate-method": "auto"})
    assert generated.status_code == 303
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert '<th scope="col">Table 3</th>' in page and '<th scope="row">1' in page
    assert "Must-meet honoured" in page and "of the upper bound" in page

    csv_response = client.get(f"/events/{event_id}/schedule.csv")
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert csv_response.get_data(as_text=True).startswith("\ufeffdate,timezone,round,start_time")
    calendar = Calendar.from_ical(client.get(f"/events/{event_id}/schedule.ics").data)
    assert calendar.walk("VEVENT")
    agenda = client.get(f"/events/{event_id}/agendas/ee-tartu")
    assert agenda.status_code == 200 and "Agenda of Tartu (EE)" in agenda.get_data(as_text=True)
    assert "<style" not in agenda.get_data(as_text=True)  # the CSP forbids inline styles
    assert client.get(f"/events/{event_id}/agendas/ee-tartu.ics").mimetype == "text/calendar"
    assert client.get(f"/events/{event_id}/agendas/se-lund").status_code == 404
    assert client.get("/events/assets/agenda.css").mimetype == "text/css"


def test_upload_with_unknown_names_shows_suggestions_and_keeps_nothing(client, signed_in, event_id):
    data = {
        "add-upload": (io.BytesIO(b"city,country\nGent,BE\nBrugs,BE\n"), "people.csv"),
    }
    response = client.post(
        f"/events/{event_id}/attendees", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Brugs" in page and "Brugge (BE)" in page and "people.csv, row 3" in page
    assert "No attendees yet." in page


def test_without_signing_in_no_form_is_offered_and_posts_are_refused(client, token, event_id):
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert "Add attendees" not in page and "sign in" in page
    assert "Create an event" not in client.get("/events/").get_data(as_text=True)
    assert client.get("/events/new").status_code == 403
    response = client.post(f"/events/{event_id}/attendees", data={"add-attendees": ATTENDEES})
    assert response.status_code == 403 and "Sign in needed" in response.get_data(as_text=True)
    locks = client.post(f"/events/{event_id}/locks", data={"then": "generate"})
    assert locks.status_code == 403 and "Sign in needed" in locks.get_data(as_text=True)
    assert events.get_event(client.application.extensions["matcher.db"].session(), event_id)


def test_an_event_editor_changes_that_event_only(client, web_session, event_id):
    from matcher.services import editors, history

    other = events.create_event(
        web_session, "Other", "2026-10-02", "Europe/Rome", 3, "09:00", 20, tables=3
    ).id
    issued = editors.add_editor(web_session, "Eve Organiser", event=event_id)
    client.post("/sign-in", data={"token": issued.token})
    mine = client.post(f"/events/{event_id}/attendees", data={"add-attendees": ATTENDEES})
    assert mine.status_code == 303
    theirs = client.post(f"/events/{other}/attendees", data={"add-attendees": ATTENDEES})
    assert theirs.status_code == 403
    assert client.get("/events/new").status_code == 403
    [change] = history.event_history(web_session, event_id)
    assert change.editor_name == "Eve Organiser" and change.action == "event.attendees"
    assert history.event_history(web_session, other) == []


def test_settings_change_rounds_and_tables(client, signed_in, event_id, web_session):
    response = client.post(
        f"/events/{event_id}/settings",
        data={
            "settings-rounds": "5",
            "settings-start": "10:00",
            "settings-minutes": "15",
            "settings-break_minutes": "5",
            "settings-tables": "7",
        },
    )
    assert response.status_code == 303
    web_session.expire_all()  # the request committed in its own session
    event = events.get_event(web_session, event_id)
    assert (len(event.rounds), event.tables, event.rounds[-1].start) == (5, 7, "11:20")


def test_generate_without_attendees_says_why(client, signed_in, event_id):
    response = client.post(f"/events/{event_id}/schedule", data={"generate-method": "auto"})
    assert response.status_code == 422
    assert "at least two attendees" in response.get_data(as_text=True)


def test_pages_have_landmarks_labels_and_no_inline_code(client, signed_in, event_id):
    for url in ("/events/", "/events/new", f"/events/{event_id}"):
        page = client.get(url).get_data(as_text=True)
        assert "<main" in page and "<script>" not in page and " style=" not in page
        ids = re.findall(r' id="([^"]+)"', page)
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
        for field_id in re.findall(r'<(?:input|textarea|select)[^>]* id="([^"]+)"', page):
            if not field_id.endswith("csrf_token"):
                assert f'for="{field_id}"' in page, (url, field_id)


def test_unknown_event_is_404(client):
    assert client.get("/events/999").status_code == 404


def test_lock_a_meeting_from_the_grid_then_generate_the_rest(
    client, signed_in, event_id, web_session
):
    client.post(f"/events/{event_id}/attendees", data={"add-attendees": ATTENDEES})
    client.post(f"/events/{event_id}/schedule", data={"generate-method": "auto"})
    web_session.expire_all()
    before = events.get_schedule(web_session, event_id)
    kept = before.meetings[0]
    page = client.get(f"/events/{event_id}").get_data(as_text=True)
    assert f'name="lock" value="{kept.id}"' in page

    locked = client.post(
        f"/events/{event_id}/locks",
        data={"lock": [str(kept.id)], "then": "generate"},
    )
    assert locked.status_code == 303
    web_session.expire_all()
    after = events.get_schedule(web_session, event_id)
    same = [m for m in after.meetings if m.locked]
    assert [(m.round, m.table, m.a.id, m.b.id) for m in same] == [
        (kept.round, kept.table, kept.a.id, kept.b.id)
    ]

    unlocked = client.post(f"/events/{event_id}/locks", data={})
    assert unlocked.status_code == 303
    web_session.expire_all()
    assert not any(m.locked for m in events.get_schedule(web_session, event_id).meetings)


def test_reloading_the_address_of_a_form_answer_shows_the_event(client, event_id):
    for form in ("attendees", "settings", "schedule", "locks"):
        response = client.get(f"/events/{event_id}/{form}")
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/events/{event_id}")
