"""Writes through the API need a bearer token; bad bodies are 4xx problems, never a 500."""

from __future__ import annotations

import hashlib

import pytest

from matcher.web import auth

URL = "/api/v1/cities/nl-emmen/profile"
PROBLEM = "application/problem+json"
BODY = {"interest": {"open-data": 0.8}, "offer": {}}


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_hash_token_is_the_sha256_hex_digest():
    assert auth.hash_token("abc") == hashlib.sha256(b"abc").hexdigest()


def test_write_without_a_token_is_401_with_a_challenge(client, token, saved_profiles):
    response = client.put(URL, json=BODY)
    assert response.status_code == 401
    assert response.mimetype == PROBLEM
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert saved_profiles == []


@pytest.mark.parametrize("header", ["Bearer wrong", "Basic Y29ycmVjdA==", "Bearer", "token"])
def test_write_with_a_wrong_token_is_401(client, token, saved_profiles, header):
    response = client.put(URL, json=BODY, headers={"Authorization": header})
    assert response.status_code == 401
    assert saved_profiles == []


def test_writes_are_refused_when_no_token_is_configured(client, saved_profiles):
    response = client.put(URL, json=BODY, headers=_bearer("anything"))
    assert response.status_code == 401
    assert saved_profiles == []


def test_valid_token_saves_the_given_kinds_only(client, token, saved_profiles, web_session):
    from matcher.db import repository

    response = client.put(URL, json=BODY, headers=_bearer(token))
    assert response.status_code == 200
    assert response.get_json()["slug"] == "nl-emmen"
    emmen = repository.get_city(web_session, "nl-emmen")
    assert saved_profiles == [(emmen.id, {"interest": {"open-data": 0.8}, "offer": {}})]


def test_true_or_false_is_not_a_weight(client, token, saved_profiles):
    body = {"offer": {"circular-economy": False}}
    response = client.put("/api/v1/cities/nl-emmen/profile", json=body, headers=_bearer(token))
    assert response.status_code == 422
    assert saved_profiles == []


def test_reads_need_no_token(client, token):
    assert client.get("/api/v1/cities/nl-emmen").status_code == 200


def test_token_check_comes_before_body_checks(client, token):
    assert client.put(URL, data="not json").status_code == 401


def test_non_json_body_is_415(client, token):
    response = client.put(URL, data="interest=1", headers=_bearer(token))
    assert response.status_code == 415 and response.mimetype == PROBLEM


def test_malformed_json_is_400(client, token):
    response = client.put(
        URL, data="{oops", content_type="application/json", headers=_bearer(token)
    )
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_oversized_body_is_413(client, token):
    from matcher.web.api.base import MAX_BODY_BYTES

    big = {"interest": {f"theme-{i}": 0.5 for i in range(MAX_BODY_BYTES // 16)}}
    response = client.put(URL, json=big, headers=_bearer(token))
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"interest": {"open-data": 1.5}}, "#/interest/open-data"),
        ({"need": {"open-data": -0.1}}, "#/need/open-data"),
        ({"offer": {"open-data": "lots"}}, "#/offer/open-data"),
        ({"interest": {"open-data": 0.5}, "wishes": {}}, "#/wishes"),
        ({}, "#"),
    ],
)
def test_invalid_body_is_a_422_problem_pointing_at_the_field(
    client, token, saved_profiles, body, pointer
):
    response = client.put(URL, json=body, headers=_bearer(token))
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert pointer in [error["pointer"] for error in response.get_json()["errors"]]
    assert saved_profiles == []


def test_unknown_theme_is_a_422_problem(client, token, saved_profiles):
    response = client.put(URL, json={"need": {"teleportation": 0.5}}, headers=_bearer(token))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"pointer": "#/need/teleportation", "detail": "unknown theme id 'teleportation'"}
    ]
    assert saved_profiles == []


def test_write_to_an_unknown_city_is_a_404_problem(client, token, saved_profiles):
    response = client.put("/api/v1/cities/xx-nowhere/profile", json=BODY, headers=_bearer(token))
    assert response.status_code == 404 and response.mimetype == PROBLEM
