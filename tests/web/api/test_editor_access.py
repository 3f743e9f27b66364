"""Editors over the API: scopes, the guessing limit, the history for administrators."""

from __future__ import annotations

import pytest

from matcher.services import editors, events, history

EMMEN = "/api/v1/cities/nl-emmen/profile"
HAREN = "/api/v1/cities/de-haren-ems/profile"
BODY = {"interest": {"open-data": 0.8}}
PROBLEM = "application/problem+json"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_city_editor_changes_that_city_and_not_another(client, city_editor, web_session):
    token = city_editor("nl-emmen", "Ann Editor")
    assert client.put(EMMEN, json=BODY, headers=_bearer(token)).status_code == 200
    refused = client.put(HAREN, json=BODY, headers=_bearer(token))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    assert "editor of nl-emmen" in refused.get_json()["detail"]
    [change] = history.city_history(web_session, "nl-emmen")
    assert change.editor_name == "Ann Editor"
    assert change.details["after"]["interest"]["open-data"] == 0.8
    assert history.city_history(web_session, "de-haren-ems") == []


def test_a_configured_token_is_an_administrator(client, token, web_session):
    assert client.put(HAREN, json=BODY, headers=_bearer(token)).status_code == 200
    [change] = history.city_history(web_session, "de-haren-ems")
    assert change.editor_name == editors.CONFIGURED_ADMIN_NAME


def test_an_event_editor_changes_that_event_only(client, web_session):
    mine, other = (
        events.create_event(web_session, n, "2026-10-01", "Europe/Rome", 3, "09:00", 20, tables=3)
        for n in ("Mine", "Other")
    )
    token = editors.add_editor(web_session, "Eve", event=mine.id).token
    body = [{"city": "Gent", "country": "BE"}, {"city": "Tartu", "country": "EE"}]
    url = "/api/v1/events/{}/attendees"
    assert client.post(url.format(mine.id), json=body, headers=_bearer(token)).status_code == 200
    assert client.post(url.format(other.id), json=body, headers=_bearer(token)).status_code == 403
    create = {"name": "X", "date": "2026-10-03", "rounds": 2, "tables": 2}
    assert client.post("/api/v1/events", json=create, headers=_bearer(token)).status_code == 403
    assert [c.editor_name for c in history.event_history(web_session, mine.id)] == ["Eve"]


def test_a_revoked_editor_is_refused(client, web_session):
    issued = editors.add_editor(web_session, "Ann", city="nl-emmen")
    editors.revoke(web_session, issued.editor.id)
    assert client.put(EMMEN, json=BODY, headers=_bearer(issued.token)).status_code == 401


def test_thirty_wrong_tokens_meet_a_429_with_retry_after(client, token):
    statuses = [
        client.put(EMMEN, json=BODY, headers=_bearer(f"guess-{i}")).status_code for i in range(30)
    ]
    assert statuses[: editors.FAILURE_LIMIT] == [401] * editors.FAILURE_LIMIT
    assert set(statuses[editors.FAILURE_LIMIT :]) == {429}
    limited = client.put(EMMEN, json=BODY, headers=_bearer("guess"))
    assert limited.mimetype == PROBLEM
    assert 1 <= int(limited.headers["Retry-After"]) <= 60


def test_the_limit_is_per_client_address(client, token):
    for i in range(editors.FAILURE_LIMIT + 1):
        client.put(EMMEN, json=BODY, headers=_bearer(f"guess-{i}"),
                   environ_base={"REMOTE_ADDR": "10.0.0.1"})  # fmt: skip
    other = client.put(EMMEN, json=BODY, headers=_bearer(token),
                       environ_base={"REMOTE_ADDR": "10.0.0.2"})  # fmt: skip
    assert other.status_code == 200


def test_successful_authentications_are_not_counted(client, token):
    for _ in range(3 * editors.FAILURE_LIMIT):
        assert client.put(EMMEN, json=BODY, headers=_bearer(token)).status_code == 200
    for i in range(editors.FAILURE_LIMIT - 1):
        assert client.put(EMMEN, json=BODY, headers=_bearer(f"g{i}")).status_code == 401
    assert client.put(EMMEN, json=BODY, headers=_bearer(token)).status_code == 200


def test_the_history_api_is_for_administrators(client, token, city_editor):
    editor_token = city_editor("nl-emmen", "Ann Editor")
    client.put(EMMEN, json=BODY, headers=_bearer(editor_token))
    assert client.get("/api/v1/history").status_code == 401
    refused = client.get("/api/v1/history", headers=_bearer(editor_token))
    assert refused.status_code == 403 and refused.mimetype == PROBLEM
    answer = client.get("/api/v1/history?city=nl-emmen", headers=_bearer(token))
    assert answer.status_code == 200
    [item] = answer.get_json()["items"]
    assert item["editor"] == "Ann Editor" and item["action"] == "profile.update"
    assert item["details"]["before"]["interest"] != item["details"]["after"]["interest"]


@pytest.mark.parametrize("query", ["limit=0", "event=abc", "colour=red"])
def test_a_bad_history_query_is_a_problem(client, token, query):
    response = client.get(f"/api/v1/history?{query}", headers=_bearer(token))
    assert response.status_code == 400 and response.mimetype == PROBLEM
