"""HTTP edges: Allow on 405, body limits (chunked too), ids and NUL alike on both backends."""

from __future__ import annotations

import io

import pytest

from tests.conftest import _seeded


@pytest.fixture
def client(database_url, tmp_path, monkeypatch):
    import hashlib

    monkeypatch.setenv("MATCHER_API_TOKEN_HASHES", hashlib.sha256(b"secret").hexdigest())
    app = _seeded(database_url, tmp_path)
    app.config["API_TOKEN_HASHES"] = hashlib.sha256(b"secret").hexdigest()
    yield app.test_client()
    from matcher.db import get_database

    get_database(app).dispose()


AUTH = {"Authorization": "Bearer secret"}


def test_every_405_names_the_allowed_methods(client):
    response = client.delete("/api/v1/themes")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("path", ["/api/v1/events/2147483648", "/api/v1/events/99999999999999"])
def test_ids_beyond_the_integer_range_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_a_nul_in_the_path_is_404(client):
    assert client.get("/api/v1/cities/be-br%00ugge").status_code == 404


def test_a_nul_in_a_query_is_400(client):
    response = client.get("/api/v1/cities/search?q=Br%00ugge")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_a_nul_in_a_json_body_is_400(client):
    response = client.post("/api/v1/events", json={"name": "A\x00B"}, headers=AUTH)
    assert response.status_code == 400


def test_a_chunked_body_over_the_limit_is_413(client):
    body = b'{"name": "' + b"x" * 2_000_000 + b'"}'
    # No Content-Length: the server (gunicorn) marks a de-chunked stream as terminated.
    response = client.post(
        "/api/v1/events",
        input_stream=io.BytesIO(body),
        headers={**AUTH, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and response.mimetype == "application/problem+json"


def test_a_write_meeting_a_lock_answers_503_with_retry_after(client, monkeypatch):
    from sqlalchemy.exc import OperationalError

    from matcher.services import cities as city_service

    def locked(*_args, **_kwargs):
        raise OperationalError("UPDATE city", {}, Exception("database is locked"))

    monkeypatch.setattr(city_service, "update_declared_profile", locked)
    response = client.put(
        "/api/v1/cities/be-brugge/profile", json={"interest": {"open-data": 0.5}}, headers=AUTH
    )
    assert response.status_code == 503 and response.headers["Retry-After"]
