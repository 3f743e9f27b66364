"""What a cheap read still does: headers on every answer, no cookie for an anonymous client,
a health body that follows the data, NUL checks where a NUL can be."""

from __future__ import annotations

import pytest

from tests.web.conftest import EDITOR_TOKEN

SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Content-Type-Options",
    "X-Frame-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
    "Permissions-Policy",
)


@pytest.fixture
def client(web_app):
    return web_app.test_client()


def _assert_security_headers(response) -> None:
    for name in SECURITY_HEADERS:
        assert len(response.headers.getlist(name)) == 1, name


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/health", 200),
        ("get", "/api/v1/cities/no-such-city", 404),
        ("get", "/no/such/page", 404),
        ("delete", "/api/v1/themes", 405),
        ("post", "/api/v1/events", 401),
        ("get", "/api/v1/cities/search?q=Br%00ugge", 400),
        ("get", "/assets/site.css", 200),
    ],
)
def test_every_answer_carries_the_security_headers_once(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    _assert_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_an_error_the_app_did_not_expect_still_carries_them(client, monkeypatch):
    from matcher.services import cities as city_service

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(city_service, "search_cities", broken)
    response = client.get("/api/v1/cities/search?q=bologna")
    assert response.status_code == 500
    _assert_security_headers(response)


def test_https_behind_a_proxy_adds_hsts(client):
    response = client.get("/api/v1/health", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    _assert_security_headers(response)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/health", "/api/v1/cities/it-bologna", "/api/v1/cities/it-bologna/partners",
     "/api/v1/cities/search?q=bologna", "/", "/cities/it-bologna"],
)  # fmt: skip
def test_an_anonymous_read_sets_no_cookie(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers.getlist("Set-Cookie") == []


def test_a_session_cookie_is_still_read_and_kept(client, token):
    assert client.post("/sign-in", data={"token": token}).status_code == 303
    page = client.get("/cities/it-bologna/profile/edit")
    assert page.status_code == 200  # the signed-in session was read from its cookie
    assert "Cookie" in page.headers.get("Vary", "")


def test_the_health_body_follows_the_data_version(client, token):
    first = client.get("/api/v1/health")
    again = client.get("/api/v1/health")
    version = first.get_json()["data_version"]
    assert first.get_json() == again.get_json() == {"status": "ok", "data_version": version}
    assert first.mimetype == "application/json"
    response = client.put(
        "/api/v1/cities/it-bologna/profile",
        json={"need": {"open-data": 0.7}},
        headers={"Authorization": f"Bearer {EDITOR_TOKEN}"},
    )
    assert response.status_code == 200
    after = client.get("/api/v1/health").get_json()
    assert after["data_version"] == version + 1


def test_a_nul_is_looked_for_only_where_one_can_be():
    from matcher.web.edges import _query_may_hold_nul

    assert _query_may_hold_nul("q=Br%00ugge")
    assert _query_may_hold_nul("q=Br\x00ugge")
    assert not _query_may_hold_nul("q=Br%2500ugge&top=5")  # an encoded '%', then '00'


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cities/search?q=bologna&limit=3", "/api/v1/cities/it-bologna",
     "/api/v1/cities/it-bologna/partners?top=4&theme=open-data",
     "/api/v1/cities/it-bologna/calls?limit=5"],
)  # fmt: skip
def test_a_repeated_read_answers_what_the_validated_first_one_did(client, url):
    first = client.get(url)  # through spectree: validated, rendered
    again = client.get(url)  # the kept query model and body
    assert first.status_code == again.status_code == 200
    assert again.mimetype == "application/json"
    assert again.get_data() == first.get_data()


def test_a_kept_query_string_still_answers_per_path_and_invalid_ones_still_fail(client):
    url = "/api/v1/cities/{}/partners?top=3"
    assert client.get(url.format("it-bologna")).status_code == 200
    missing = client.get(url.format("xx-nowhere"))  # same query string, unknown city
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    for _ in range(2):  # an invalid query string is refused every time, never kept
        bad = client.get("/api/v1/cities/it-bologna/partners?top=0")
        assert bad.status_code == 400 and bad.get_json()["errors"][0]["parameter"] == "top"


def test_a_request_session_is_reused_only_when_it_holds_nothing(web_app):
    from matcher.db import get_database, repository

    database = get_database(web_app)
    session = database.request_session()
    repository.data_state(session)  # remembered in session.info
    database.release(session)
    reused = database.request_session()
    assert reused is session and reused.info == {}  # no state of the last request
    repository.all_cities(reused)  # now it holds a transaction and objects
    database.release(reused)
    assert database.request_session() is not reused


def test_a_read_skips_the_write_checks_and_a_write_still_gets_them(web_app, client, monkeypatch):
    """The CSRF check and the API's token guard run on writes only: a read that reached
    them would fail here, and a write that skipped them would pass unauthenticated."""

    def must_not_run(*_args, **_kwargs):
        raise AssertionError("a write check ran on a read")

    csrf = web_app.extensions["csrf"]
    monkeypatch.setattr(csrf, "protect", must_not_run)
    guards = web_app.extensions["matcher.write_guards"]
    monkeypatch.setitem(guards, "api", must_not_run)
    assert client.get("/api/v1/health").status_code == 200
    assert client.get("/api/v1/cities/it-bologna").status_code == 200
    assert client.get("/cities/it-bologna").status_code == 200
    monkeypatch.undo()
    assert client.post("/api/v1/events", json={}).status_code == 401


def test_flask_wtf_hook_is_replaced_by_the_gate_not_kept_beside_it(web_app):
    """One gate for every request: Flask-WTF's own hook is gone (else CSRF would run twice,
    reads included), and the API blueprint has no hook of its own."""
    hooks = web_app.before_request_funcs
    assert [hook.__name__ for hook in hooks[None]] == ["_gate"]
    assert not hooks.get("api")
