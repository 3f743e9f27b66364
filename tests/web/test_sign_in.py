"""Signing in once per browser session: the cookie, links, sign-out, the limit, CSRF."""

from __future__ import annotations

import re

import pytest

from matcher.services import editors

FORM = "/cities/nl-emmen/profile/edit"


def _cookie_header(response) -> str:
    [cookie] = [v for v in response.headers.getlist("Set-Cookie") if v.startswith("session=")]
    return cookie


def _asks_to_sign_in(response) -> bool:
    return response.status_code == 403 and "Sign in needed" in response.get_data(as_text=True)


def test_the_form_page_asks_to_sign_in_with_a_samesite_cookie_behind_https(client, token, web_app):
    web_app.config["WTF_CSRF_ENABLED"] = True  # the form's CSRF token is what the cookie holds
    response = client.get(FORM, headers={"X-Forwarded-Proto": "https"})
    assert _asks_to_sign_in(response)
    page = response.get_data(as_text=True)
    assert 'action="/sign-in"' in page and f'value="{FORM}"' in page
    cookie = _cookie_header(response)
    assert "SameSite=Lax" in cookie and "Secure" in cookie and "HttpOnly" in cookie


def test_the_session_cookie_is_httponly_and_samesite_lax(client, token):
    response = client.post("/sign-in", data={"token": token})
    cookie = _cookie_header(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP: a Secure cookie would never come back


def test_the_cookie_is_secure_behind_an_https_proxy(client, token):
    response = client.post(
        "/sign-in", data={"token": token}, headers={"X-Forwarded-Proto": "https"}
    )
    cookie = _cookie_header(response)
    assert "Secure" in cookie and "SameSite=Lax" in cookie and "HttpOnly" in cookie


def test_signing_in_rotates_the_session(client, token):
    with client.session_transaction() as planted:
        planted["editor_id"] = 999  # e.g. a cookie planted before sign-in
        planted["sid"] = "known"
    client.post("/sign-in", data={"token": token})
    with client.session_transaction() as current:
        assert current["sid"] != "known" and "editor_id" not in current


def test_signed_in_once_then_forms_work_and_sign_out_ends_it(client, token):
    assert _asks_to_sign_in(client.get(FORM))
    client.post("/sign-in", data={"token": token})
    page = client.get(FORM)
    assert page.status_code == 200 and "Sign out" in page.get_data(as_text=True)
    signed_out = client.post("/sign-out")
    assert signed_out.status_code == 303
    assert _asks_to_sign_in(client.get(FORM))


def test_a_wrong_token_on_the_form_is_403_and_explained(client, token):
    response = client.post("/sign-in", data={"token": "guess"})
    assert response.status_code == 403
    assert "not valid" in response.get_data(as_text=True)


def test_sign_in_returns_to_the_page_asked_for_and_only_on_this_site(client, token):
    back = client.post("/sign-in", data={"token": token, "next": FORM})
    assert back.headers["Location"].endswith(FORM)
    away = client.post("/sign-in", data={"token": token, "next": "//evil.example/x"})
    assert "evil" not in away.headers["Location"]


def test_a_one_time_link_signs_in_once(client, web_session):
    issued = editors.add_editor(web_session, "Ann", city="nl-emmen")
    url = f"/sign-in/{issued.link_token}"
    shown = client.get(url)  # a mail scanner fetching the link does not use it up
    assert shown.status_code == 200 and "Sign in as Ann" in shown.get_data(as_text=True)
    used = client.post(url)
    assert used.status_code == 303 and used.headers["Location"].endswith(FORM)
    assert client.get(FORM).status_code == 200
    client.post("/sign-out")
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 404


def test_a_revoked_editor_is_signed_out_at_once(client, web_session):
    issued = editors.add_editor(web_session, "Ann", city="nl-emmen")
    client.post("/sign-in", data={"token": issued.token})
    assert client.get(FORM).status_code == 200
    editors.revoke(web_session, issued.editor.id)
    assert _asks_to_sign_in(client.get(FORM))


def test_wrong_tokens_on_the_sign_in_form_meet_a_429(client, token):
    statuses = [client.post("/sign-in", data={"token": f"g{i}"}).status_code for i in range(8)]
    assert statuses[: editors.FAILURE_LIMIT] == [403] * editors.FAILURE_LIMIT
    limited = client.post("/sign-in", data={"token": token})
    assert limited.status_code == 429 and "Retry-After" in limited.headers


@pytest.mark.parametrize("url", ["/sign-in", "/sign-out"])
def test_sign_in_and_out_need_the_csrf_token(client, token, web_app, url):
    web_app.config["WTF_CSRF_ENABLED"] = True
    assert client.post(url, data={"token": token}).status_code == 400


def test_every_page_signs_out_with_a_csrf_protected_form(client, token, web_app):
    web_app.config["WTF_CSRF_ENABLED"] = True
    page = client.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/sign-in", data={"token": token, "csrf_token": csrf})
    home = client.get("/").get_data(as_text=True)
    assert 'action="/sign-out"' in home
    form_csrf = re.search(r'name="csrf_token" value="([^"]+)"', home).group(1)
    assert client.post("/sign-out", data={"csrf_token": form_csrf}).status_code == 303
