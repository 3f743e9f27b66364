"""JSON API reads: search, list with pagination, detail, themes, health; problem bodies."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"


def test_search_tolerates_a_typo(client):
    body = client.get("/api/v1/cities/search?q=jyvaskila").get_json()
    assert body["items"][0]["city"]["slug"] == "fi-jyvaskyla"
    assert body["items"][0]["city"]["html_url"] == "/cities/fi-jyvaskyla"


def test_search_says_what_it_found(client):
    body = client.get("/api/v1/cities/search?q=Jyvaskyla").get_json()
    assert body["status"] == "found"
    assert body["message"] == "Jyväskylä (FI, fi-jyvaskyla)"


def test_search_says_when_no_city_has_the_name(client):
    body = client.get("/api/v1/cities/search?q=Qwxzvbn").get_json()
    assert body["status"] == "not_found"
    assert body["message"] == "No city called “Qwxzvbn”."


def test_search_honours_the_country_filter_and_the_limit(client):
    body = client.get("/api/v1/cities/search?q=bo&country=it&limit=2").get_json()
    assert 0 < len(body["items"]) <= 2
    assert {hit["city"]["country"] for hit in body["items"]} == {"IT"}


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("q=", "q"), ("q=emmen&limit=0", "limit"), ("q=emmen&limit=x", "limit"),
     ("q=emmen&country=XX", "country"), ("q=emmen&colour=red", "colour"), ("", "q")],
)  # fmt: skip
def test_bad_search_parameters_are_a_400_problem_naming_the_parameter(client, query, parameter):
    response = client.get(f"/api/v1/cities/search?{query}")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 400 and body["title"]
    assert parameter in [error["parameter"] for error in body["errors"]]


def test_list_is_paginated_with_links(client):
    body = client.get("/api/v1/cities?per_page=50&page=2").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 50, 162)
    assert len(body["items"]) == 50
    links = body["links"]
    assert links["next"] == "/api/v1/cities?page=3&per_page=50"
    assert links["prev"] == "/api/v1/cities?page=1&per_page=50"
    assert links["last"] == "/api/v1/cities?page=4&per_page=50"


def test_last_page_has_no_next_link_and_the_first_no_prev(client):
    last = client.get("/api/v1/cities?per_page=50&page=4").get_json()
    assert len(last["items"]) == 12 and last["links"]["next"] is None
    first = client.get("/api/v1/cities?per_page=50").get_json()
    assert first["links"]["prev"] is None


def test_pages_do_not_overlap(client):
    first = client.get("/api/v1/cities?per_page=7&page=1").get_json()["items"]
    second = client.get("/api/v1/cities?per_page=7&page=2").get_json()["items"]
    assert not {c["slug"] for c in first} & {c["slug"] for c in second}


def test_list_filters_by_country_and_accepts_eu_codes(client):
    body = client.get("/api/v1/cities?country=EL&per_page=100").get_json()
    assert body["total"] == len(body["items"]) > 0
    assert {c["country"] for c in body["items"]} == {"GR"}
    assert "country=GR" in body["links"]["self"]


@pytest.mark.parametrize("query", ["page=0", "per_page=101", "per_page=abc"])
def test_bad_page_parameters_are_a_400_problem(client, query):
    response = client.get(f"/api/v1/cities?{query}")
    assert response.status_code == 400 and response.mimetype == PROBLEM


def test_city_detail_has_profile_with_provenance_and_collaborations(client):
    body = client.get("/api/v1/cities/nl-emmen").get_json()
    assert body["name"] == "Emmen" and body["country"] == "NL"
    assert body["size_band"] == "l"  # 100,000-250,000
    weights = body["profile"]["interest"]
    assert weights and all(w["provenance"] for w in weights)
    assert all(0 <= w["weight"] <= 1 for w in weights)
    assert body["collaborations"]


def test_unknown_city_is_a_404_problem(client):
    response = client.get("/api/v1/cities/xx-nowhere")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert "xx-nowhere" in response.get_json()["detail"]
    assert response.get_json()["suggestions"] == []


@pytest.mark.parametrize("path", ["", "/partners", "/calls"])
def test_an_old_city_slug_is_a_404_problem_with_the_slug_it_meant(client, path):
    response = client.get(f"/api/v1/cities/de-haren{path}")
    assert response.status_code == 404 and response.mimetype == PROBLEM
    body = response.get_json()
    assert body["suggestions"] == ["de-haren-ems"] and "'de-haren-ems'" in body["detail"]


def test_themes_lists_the_vocabulary(client):
    items = client.get("/api/v1/themes").get_json()["items"]
    ids = [theme["id"] for theme in items]
    assert "smart-lighting" in ids and len(ids) == len(set(ids))
    assert all(theme["label"] for theme in items)


def test_health_reports_the_data_version(client):
    body = client.get("/api/v1/health").get_json()
    assert body == {"status": "ok", "data_version": body["data_version"]}
    assert body["data_version"] >= 1


def test_unexpected_api_error_is_a_500_problem_without_details(client, monkeypatch):
    from matcher.services import cities as city_service

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(city_service, "search_cities", broken)
    response = client.get("/api/v1/cities/search?q=emmen")
    assert response.status_code == 500 and response.mimetype == PROBLEM
    assert "secret internals" not in response.get_data(as_text=True)


def test_wrong_method_is_a_405_problem(client):
    response = client.get("/api/v1/cities/nl-emmen/profile")
    assert response.status_code == 405
    assert response.mimetype == PROBLEM


def test_min_score_drops_weak_matches(client):
    loose = client.get("/api/v1/cities/search?q=jyvaskila&limit=10").get_json()["items"]
    strict = client.get("/api/v1/cities/search?q=jyvaskila&limit=10&min_score=80").get_json()
    assert len(strict["items"]) < len(loose)
    assert all(hit["score"] >= 80 for hit in strict["items"])
    assert strict["items"][0]["city"]["slug"] == "fi-jyvaskyla"
