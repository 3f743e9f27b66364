"""Call endpoints: calls for a city (groups), the call list, one call, eligibility, consortium."""

from __future__ import annotations

import pytest

PROBLEM = "application/problem+json"
CALL = "HORIZON-CID-2026-01-02"
GROUPS = ["eligible", "needs_partners", "other_offers", "check_text", "unsuited", "ineligible"]


# --------------------------------------------------------------------------- calls for a city


def test_city_calls_come_in_six_groups_ranked_by_fit(client):
    body = client.get("/api/v1/cities/nl-emmen/calls?status=all").get_json()
    assert body["city"]["slug"] == "nl-emmen" and body["today"] == "2026-09-01"
    assert list(body["groups"]) == GROUPS
    assert body["considered"] >= sum(len(g) for g in body["groups"].values()) > 0
    # An industrial decarbonisation call: listed apart, not offered to a municipality.
    unsuited = body["groups"]["unsuited"]
    assert CALL in [m["call"]["id"] for m in unsuited]
    match = next(m for m in unsuited if m["call"]["id"] == CALL)
    assert match["suitability"]["level"] in {"possible", "unlikely"}
    assert match["suitability"]["reason"] and match["suitability"]["evidence"]
    assert match["call"]["deadline"] == "2026-09-15" and match["call"]["days_left"] == 14
    assert match["call"]["html_url"] == f"/calls/{CALL}"
    assert match["call"]["url"] == f"/api/v1/calls/{CALL}"
    assert {"id": "nature-based-solutions", "label": "Water, nature and biodiversity"} in match[
        "matching_themes"
    ]
    assert {r["status"] for r in match["rules"]} <= {"passed", "unknown"}
    for name, group in body["groups"].items():
        for eligibility in ("eligible", "needs_partners"):
            # The other offers: eligible now first, then once partners join, each by fit.
            fits = [m["fit"] for m in group if m.get("eligibility") in (None, eligibility)]
            assert fits == sorted(fits, reverse=True), name
    others = [m["eligibility"] for m in body["groups"]["other_offers"]]
    assert others == sorted(others, key=["eligible", "needs_partners"].index)


def test_a_citys_calls_are_open_and_forthcoming_unless_asked_otherwise(client):
    # A city must see the calls it can prepare for, not only those open today.
    default = client.get("/api/v1/cities/nl-emmen/calls").get_json()
    assert default["status"] == "all"
    assert default == client.get("/api/v1/cities/nl-emmen/calls?status=all").get_json()
    only_open = client.get("/api/v1/cities/nl-emmen/calls?status=open").get_json()
    assert only_open["status"] == "open"


def test_the_calls_written_for_cities_lead_without_declared_needs(client):
    body = client.get("/api/v1/cities/nl-emmen/calls?status=all").get_json()
    assert body["lead"] == "cities" and body["needs"] == []
    for name in ("eligible", "needs_partners"):
        assert all(m["suitability"]["level"] == "written_for_cities" for m in body["groups"][name])
    assert all(m["suitability"]["level"] != "written_for_cities"
               for m in body["groups"]["other_offers"])  # fmt: skip


def test_ineligible_calls_carry_the_failed_rule(client):
    body = client.get("/api/v1/cities/nl-emmen/calls?status=all").get_json()
    for match in body["groups"]["ineligible"]:
        assert any(r["status"] == "failed" and r["reason"] for r in match["rules"])


def test_city_call_filters(client):
    body = client.get(
        "/api/v1/cities/nl-emmen/calls?status=all&programme=LIFE&deadline_within_days=20&limit=2"
    ).get_json()
    matches = [m for group in body["groups"].values() for m in group]
    assert matches
    assert all(m["call"]["programme"] == "LIFE" and m["call"]["days_left"] <= 20 for m in matches)
    assert all(len(group) <= 2 for group in body["groups"].values())


def test_programme_names_with_commas_are_not_split(client):
    name = "Technical assistance for ERDF, CF and JTF (ERDF-TA)"
    response = client.get("/api/v1/cities/nl-emmen/calls", query_string={"programme": name})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("status=closed", "status"), ("deadline_within_days=-1", "deadline_within_days"),
     ("min_budget=-5", "min_budget"), ("limit=0", "limit"), ("colour=red", "colour")],
)  # fmt: skip
def test_bad_city_call_parameters_are_a_400_problem(client, query, parameter):
    response = client.get(f"/api/v1/cities/nl-emmen/calls?{query}")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert parameter in [e["parameter"] for e in response.get_json()["errors"]]


def test_unknown_programme_is_a_422_problem(client):
    response = client.get("/api/v1/cities/nl-emmen/calls?programme=Astrology")
    assert response.status_code == 422 and response.mimetype == PROBLEM
    assert "Astrology" in response.get_json()["detail"]


def test_calls_of_an_unknown_city_are_a_404_problem(client):
    response = client.get("/api/v1/cities/xx-nowhere/calls")
    assert response.status_code == 404 and response.mimetype == PROBLEM


# --------------------------------------------------------------------------- call list


def test_call_list_is_paginated_with_links(client):
    body = client.get("/api/v1/calls?per_page=30&page=2").get_json()
    assert (body["page"], body["per_page"], body["total"]) == (2, 30, 82)
    assert len(body["items"]) == 30
    assert body["links"]["next"] == "/api/v1/calls?page=3&per_page=30&status=all"
    assert body["links"]["prev"] == "/api/v1/calls?page=1&per_page=30&status=all"
    last = client.get(body["links"]["last"]).get_json()
    assert len(last["items"]) == 22 and last["links"]["next"] is None


def test_call_pages_do_not_overlap_and_soonest_deadline_comes_first(client):
    first = client.get("/api/v1/calls?per_page=10&status=open").get_json()["items"]
    second = client.get("/api/v1/calls?per_page=10&page=2&status=open").get_json()["items"]
    assert not {c["id"] for c in first} & {c["id"] for c in second}
    days = [c["days_left"] for c in first + second if c["days_left"] is not None]
    assert days == sorted(days)
    assert {c["status"] for c in first + second} == {"open"}


def test_call_list_filters_by_programme(client):
    body = client.get("/api/v1/calls?programme=LIFE&programme=CERV&per_page=100").get_json()
    assert body["total"] == 12
    assert {c["programme"] for c in body["items"]} == {"LIFE", "CERV"}
    assert "programme=LIFE&programme=CERV" in body["links"]["self"]


def test_call_list_rejects_bad_parameters(client):
    assert client.get("/api/v1/calls?page=0").status_code == 400
    assert client.get("/api/v1/calls?status=someday").status_code == 400
    response = client.get("/api/v1/calls?programme=Astrology")
    assert response.status_code == 422 and response.mimetype == PROBLEM


# --------------------------------------------------------------------------- one call


def test_call_detail_has_texts_dates_and_rules(client):
    body = client.get(f"/api/v1/calls/{CALL}").get_json()
    assert body["id"] == CALL and body["programme"] == "Horizon Europe"
    assert body["status"] == "open" and body["deadlines"] == ["2026-09-15"]
    assert body["portal_url"].startswith("https://ec.europa.eu/")
    assert body["description"]
    kinds = {rule["kind"] for rule in body["rules"]}
    assert {"eligible_countries", "min_partners", "min_countries"} <= kinds
    assert all(isinstance(rule["parsed"], bool) for rule in body["rules"])


def test_call_ids_with_slashes(client):
    body = client.get("/api/v1/calls/EuropeAid/186002/DD/ACT/MA").get_json()
    assert body["id"] == "EuropeAid/186002/DD/ACT/MA"
    assert body["url"] == "/api/v1/calls/EuropeAid/186002/DD/ACT/MA"


def test_unknown_call_is_a_404_problem(client):
    for path in ("/api/v1/calls/NOPE", "/api/v1/calls/NOPE/eligibility?cities=nl-emmen",
                 "/api/v1/calls/NOPE/consortium?lead=nl-emmen"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == PROBLEM, path
        assert "NOPE" in response.get_json()["detail"]


# --------------------------------------------------------------------------- eligibility


def test_eligibility_for_one_city(client):
    body = client.get(f"/api/v1/calls/{CALL}/eligibility?cities=nl-emmen").get_json()
    assert [c["slug"] for c in body["cities"]] == ["nl-emmen"]
    assert body["group"] == "needs_partners"
    statuses = {r["kind"]: r["status"] for r in body["results"]}
    assert statuses["eligible_countries"] == "passed"
    assert statuses["min_partners"] == "unknown"
    assert all(r["reason"] for r in body["results"])


def test_eligibility_for_a_consortium(client):
    body = client.get(
        f"/api/v1/calls/{CALL}/eligibility?cities=nl-emmen,de-haren-ems,it-padova"
    ).get_json()
    assert body["group"] == "eligible"
    assert {r["status"] for r in body["results"]} == {"passed"}


def test_eligibility_for_unknown_slugs_offers_the_cities_they_may_have_meant(client):
    response = client.get(f"/api/v1/calls/{CALL}/eligibility?cities=nl-emmen,de-haren,it-bolonia")
    assert response.status_code == 404
    body = response.get_json()
    assert "'de-haren', 'it-bolonia'" in body["detail"]
    assert {"de-haren-ems", "it-bologna"} <= set(body["suggestions"])


def test_eligibility_needs_known_cities(client):
    response = client.get(f"/api/v1/calls/{CALL}/eligibility?cities=nl-emmen,xx-nowhere")
    assert response.status_code == 404 and "xx-nowhere" in response.get_json()["detail"]
    response = client.get(f"/api/v1/calls/{CALL}/eligibility")
    assert response.status_code == 400
    assert "cities" in [e["parameter"] for e in response.get_json()["errors"]]


# --------------------------------------------------------------------------- consortium


def test_consortium_proposal(client):
    body = client.get(f"/api/v1/calls/{CALL}/consortium?lead=nl-emmen&size=3").get_json()
    assert body["valid"] is True and body["size"] == 3
    assert body["lead"]["slug"] == "nl-emmen" and body["call"]["id"] == CALL
    roles = [m["role"] for m in body["members"]]
    assert roles == ["lead", "partner", "partner"]
    assert len({m["city"]["country"] for m in body["members"]}) == 3
    assert all(m["reasons"] for m in body["members"])
    assert any(m["alternatives"] for m in body["members"][1:])
    assert {r["status"] for r in body["rule_results"]} == {"passed"}
    assert set(body["parts"]) == {"call_fit", "pair_fit"}


def test_impossible_consortium_reports_the_unmet_rule_and_relaxations(client):
    body = client.get(
        "/api/v1/calls/LIFE-2026-CET-ENERPOV/consortium?lead=nl-emmen&size=3&countries=FI"
    ).get_json()
    assert body["valid"] is False and body["score"] is None
    assert body["unmet"][0]["kind"] == "min_countries"
    fixes = [r for r in body["relaxations"] if r["fixes"]]
    assert fixes and fixes[0]["partners"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("lead=", "lead"), ("size=0&lead=nl-emmen", "size"), ("size=21&lead=nl-emmen", "size"),
     ("lead=nl-emmen&countries=ZZ", "countries"), ("size=3", "lead")],
)  # fmt: skip
def test_bad_consortium_parameters_are_a_400_problem(client, query, parameter):
    response = client.get(f"/api/v1/calls/{CALL}/consortium?{query}")
    assert response.status_code == 400 and response.mimetype == PROBLEM
    assert parameter in [e["parameter"] for e in response.get_json()["errors"]]


def test_consortium_with_unknown_lead_is_a_404_problem(client):
    response = client.get(f"/api/v1/calls/{CALL}/consortium?lead=xx-nowhere")
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_call_answers_say_how_recent_the_call_data_is(client):
    # The mini seed is the August 2026 portal snapshot; on 2026-09-01 it is a month old.
    for url in ("/api/v1/cities/nl-emmen/calls", "/api/v1/calls"):
        body = client.get(url).get_json()
        assert (body["data_as_of"], body["data_stale"]) == ("2026-08-01", False)
    client.application.config["TODAY"] = "2026-12-01"
    for url in ("/api/v1/cities/nl-emmen/calls", "/api/v1/calls"):
        body = client.get(url).get_json()
        assert (body["data_as_of"], body["data_stale"]) == ("2026-08-01", True)


def test_openapi_documents_the_call_data_date(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    answers = [n for n in schemas if n.split(".")[0] in ("CityCalls", "CallPage")]
    assert len(answers) == 2
    for name in answers:
        assert {"data_as_of", "data_stale"} <= set(schemas[name]["properties"]), name
