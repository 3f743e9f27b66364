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
