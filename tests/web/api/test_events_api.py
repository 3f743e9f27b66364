"""The events API: public reads, token-guarded writes, problem bodies on every error."""

from __future__ import annotations

import pytest

EVENT = {
    "name": "Matchmaking",
    "date": "2026-10-01",
    "timezone": "Europe/Rome",
    "rounds": 3,
    "start": "09:00",
    "minutes": 20,
    "break_minutes": 10,
    "tables": 3,
}
PEOPLE = [
    {"city": "Bologna", "country": "IT", "must_meet": ["Tartu"]},
    {"city": "Jyvaskyla", "country": "FI", "unavailable_rounds": [1]},
    {"city": "Gyor", "country": "HU", "do_not_meet": ["Emmen (NL)"]},
    {"city": "Emmen", "country": "NL"},
    {"city": "Tartu", "country": "EE"},
    {"city": "Tallinn", "country": "EE"},
]


@pytest.fixture
def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def event(client, auth):
    response = client.post("/api/v1/events", json=EVENT, headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def test_create_list_and_get(client, event):
    assert [r["start"] for r in event["rounds"]] == ["09:00", "09:30", "10:00"]
    assert event["quality"] is None and event["links"]["html"] == f"/events/{event['id']}"
    listed = client.get("/api/v1/events").json["items"]
    assert [(e["id"], e["attendees"]) for e in listed] == [(event["id"], 0)]
    assert client.get(f"/api/v1/events/{event['id']}").json["name"] == "Matchmaking"


def test_writes_need_a_token(client, token):
    response = client.post("/api/v1/events", json=EVENT)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_invalid_event_bodies_are_problems(client, auth):
    response = client.post(
        "/api/v1/events", json={**EVENT, "rounds": 0, "start": "9h"}, headers=auth
    )
    assert response.status_code == 422
    pointers = {e["pointer"] for e in response.json["errors"]}
    assert pointers == {"#/rounds", "#/start"}
    bad_zone = client.post("/api/v1/events", json={**EVENT, "timezone": "Mars/Base"}, headers=auth)
    assert bad_zone.status_code == 422 and "time zone" in bad_zone.json["detail"]


def test_an_event_date_must_be_written_as_a_date(client, auth):
    response = client.post("/api/v1/events", json={**EVENT, "date": 0}, headers=auth)
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"#/date"}


def test_attendees_then_schedule(client, auth, event):
    url = f"/api/v1/events/{event['id']}"
    added = client.post(f"{url}/attendees", json=PEOPLE, headers=auth)
    assert added.status_code == 200, added.json
    body = added.json
    assert len(body["attendees"]) == 6
    assert {(r["requester"]["name"], r["kind"], r["target"]["name"]) for r in body["requests"]} == {
        ("Bologna", "must-meet", "Tartu"),
        ("Győr", "do-not-meet", "Emmen"),
    }

    scheduled = client.post(f"{url}/schedule", json={}, headers=auth)
    assert scheduled.status_code == 200, scheduled.json
    result = scheduled.json
    quality = result["quality"]
    assert quality["must_met"] == 1 and quality["meetings"] == len(result["meetings"]) > 0
    jyv = next(a["city"]["id"] for a in result["attendees"] if a["city"]["name"] == "Jyväskylä")
    assert all(m["round"] > 1 for m in result["meetings"] if jyv in (m["a"]["id"], m["b"]["id"]))
    assert all(m["reason"] for m in result["meetings"])
    assert client.get(url).json["quality"]["must_met"] == 1


def test_unresolved_names_are_404_with_suggestions(client, auth, event):
    # Any text is a well-formed name: a name the data lacks is "not found", not "invalid".
    url = f"/api/v1/events/{event['id']}/attendees"
    people = [{"city": "Gent", "country": "BE"}, {"city": "Brugs", "country": "BE"}]
    response = client.post(url, json=people, headers=auth)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "City not found"
    [error] = response.json["errors"]
    assert error["pointer"] == "#/1/city" and "Brugge (BE)" in error["suggestions"]
    assert client.get(f"/api/v1/events/{event['id']}").json["attendees"] == []
    skipped = client.post(f"{url}?skip_unresolved=true", json=people, headers=auth)
    assert skipped.status_code == 200 and len(skipped.json["attendees"]) == 1


def test_attendee_body_is_validated(client, auth, event):
    url = f"/api/v1/events/{event['id']}/attendees"
    response = client.post(url, json=[{"city": "Gent", "country": "QQ", "extra": 1}], headers=auth)
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"#/0/country", "#/0/extra"}
    late = client.post(
        url,
        json=[
            {"city": "Gent", "country": "BE", "unavailable_rounds": [7]},
            {"city": "Tartu", "country": "EE"},
        ],
        headers=auth,
    )
    # Well formed, but the event has fewer rounds: a conflict with the event as set up.
    assert late.status_code == 409 and late.json["errors"][0]["pointer"] == "#/0/unavailable_rounds"


def test_schedule_errors_are_problems(client, auth, event):
    url = f"/api/v1/events/{event['id']}/schedule"
    empty = client.post(url, json={}, headers=auth)
    # A valid request the event state does not allow yet: a conflict, not invalid input.
    assert empty.status_code == 409 and "at least two attendees" in empty.json["detail"]
    bad = client.post(url, json={"method": "magic"}, headers=auth)
    assert bad.status_code == 422
    missing = client.post("/api/v1/events/999/schedule", json={}, headers=auth)
    assert missing.status_code == 404
    assert client.get("/api/v1/events/999").status_code == 404


def test_events_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert {
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/events/{event_id}/attendees",
        "/api/v1/events/{event_id}/schedule",
    } <= set(paths)


def test_an_event_id_beyond_64_bits_is_a_404_problem(client):
    # Found by schemathesis: the id overflowed SQLite's INTEGER and gave a 500.
    response = client.get("/api/v1/events/377586889965970063360")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("method", ["auto", "exact", "matching", "greedy"])
def test_a_must_meet_chain_on_one_table_and_one_round_is_scheduled(client, auth, method):
    one = {**EVENT, "rounds": 1, "tables": 1}
    event = client.post("/api/v1/events", json=one, headers=auth).json
    url = f"/api/v1/events/{event['id']}"
    people = [
        {"city": "Bologna", "country": "IT", "must_meet": ["Tartu", "Emmen (NL)"]},
        {"city": "Tartu", "country": "EE", "must_meet": ["Tallinn"]},
        {"city": "Emmen", "country": "NL"},
        {"city": "Tallinn", "country": "EE"},
        {"city": "Gyor", "country": "HU"},
    ]
    assert client.post(f"{url}/attendees", json=people, headers=auth).status_code == 200
    scheduled = client.post(f"{url}/schedule", json={"method": method}, headers=auth)
    assert scheduled.status_code == 200, scheduled.json
    quality = scheduled.json["quality"]
    assert len(scheduled.json["meetings"]) == 1
    assert quality["must_total"] == 3 and quality["must_met"] == 1
    assert len(quality["unmet_must"]) == 2
    assert quality["spread"] == 1 and quality["fairness_gaps"] == []


def test_an_unresolved_name_beside_a_round_the_event_lacks_is_409(client, auth, event):
    url = f"/api/v1/events/{event['id']}/attendees"
    people = [
        {"city": "Gent", "country": "BE", "unavailable_rounds": [7]},
        {"city": "Brugs", "country": "BE"},
    ]
    response = client.post(url, json=people, headers=auth)
    assert response.status_code == 409
    assert {e["pointer"] for e in response.json["errors"]} == {
        "#/0/unavailable_rounds",
        "#/1/city",
    }


def test_rounds_may_run_past_midnight(client, auth):
    evening = {**EVENT, "start": "23:20", "rounds": 3, "minutes": 20, "break_minutes": 10}
    response = client.post("/api/v1/events", json=evening, headers=auth)
    assert response.status_code == 201, response.json
    rounds = response.json["rounds"]
    assert [(r["date"], r["start"], r["end"]) for r in rounds] == [
        (EVENT["date"], "23:20", "23:40"),
        (EVENT["date"], "23:50", "00:10"),
        (_next_day(EVENT["date"]), "00:20", "00:40"),
    ]


def _next_day(iso: str) -> str:
    from datetime import date, timedelta

    return (date.fromisoformat(iso) + timedelta(days=1)).isoformat()


def test_true_or_false_is_not_a_number_of_minutes(client, auth):
    response = client.post("/api/v1/events", json={**EVENT, "break_minutes": False}, headers=auth)
    assert response.status_code == 422
    assert {e["pointer"] for e in response.json["errors"]} == {"#/break_minutes"}


def test_an_attendee_list_over_its_item_limit_is_refused_by_validation(client, auth, event):
    url = f"/api/v1/events/{event['id']}/attendees"
    too_many = [{"city": "Gent", "country": "BE"}] * 2001
    response = client.post(url, json=too_many, headers=auth)
    assert response.status_code == 422
