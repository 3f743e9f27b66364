"""Two app instances on one database stand in for two gunicorn workers: a write through one
is visible in the very next read through the other, as a delta, not a rebuild."""

from __future__ import annotations

import pytest

from matcher.domain import DECLARED_PROVENANCE
from tests.conftest import _make_app
from tests.web.conftest import EDITOR_TOKEN

PROFILE = "/api/v1/cities/it-bologna/profile"


@pytest.fixture
def other_worker(web_app, tmp_path):
    from matcher.db import get_database

    second = _make_app(web_app.config["DATABASE_URL"], tmp_path / "second")
    second.config["API_TOKEN_HASHES"] = web_app.config["API_TOKEN_HASHES"]
    yield second
    get_database(second).dispose()


def _put(client, body):
    headers = {"Authorization": f"Bearer {EDITOR_TOKEN}"}
    response = client.put(PROFILE, json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def _declared_needs(body) -> dict[str, float]:
    return {
        entry["theme_id"]: entry["weight"]
        for entry in body["profile"]["need"]
        if entry["provenance"] == DECLARED_PROVENANCE
    }


def test_a_write_on_one_worker_is_read_on_the_other(web_app, token, other_worker):
    first, second = web_app.test_client(), other_worker.test_client()
    # Both workers have served the city and its partners (their caches are warm).
    for client in (first, second):
        assert client.get("/api/v1/cities/it-bologna").status_code == 200
        assert client.get("/api/v1/cities/it-bologna/partners").status_code == 200
    _put(first, {"need": {"open-data": 0.9}})
    for client in (second, first):
        assert _declared_needs(client.get("/api/v1/cities/it-bologna").get_json()) == {
            "open-data": 0.9
        }
    _put(second, {"need": {"circular-economy": 0.4}})
    assert _declared_needs(first.get("/api/v1/cities/it-bologna").get_json()) == {
        "circular-economy": 0.4
    }


def test_partner_answers_follow_a_write_on_another_worker(web_app, token, other_worker, tmp_path):
    from matcher.db import get_database
    from matcher.services.partners import partner_index

    first, second = web_app.test_client(), other_worker.test_client()
    # Every city of the small seed, so that the cities with projects on the theme (whose
    # experience part the query's own profile weighs) are in the answer whichever model ranks.
    url = "/api/v1/cities/it-bologna/partners?top=200&theme=urban-regeneration"
    before = second.get(url).get_json()
    _put(first, {"need": {"urban-regeneration": 1.0}, "offer": {"urban-regeneration": 1.0}})
    after = second.get(url).get_json()
    assert after != before  # the query city's own profile changed its answer
    with other_worker.app_context():
        index = partner_index(get_database(other_worker).session())
        assert index.edits, "the second worker applied the write as a delta"
    # A fresh worker (a full build from the database) answers the same.
    fresh = _make_app(web_app.config["DATABASE_URL"], tmp_path / "fresh")
    assert fresh.test_client().get(url).get_json() == after
    get_database(fresh).dispose()
