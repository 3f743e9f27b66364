"""GET /api/v1/cities/{slug}/partners: ranked partners with parts, weights, reasons, distance."""

from __future__ import annotations

import pytest

from matcher.domain import EU27

PROBLEM = "application/problem+json"
URL = "/api/v1/cities/nl-emmen/partners"


def test_items_carry_score_parts_weights_reasons_and_distance(client):
    body = client.get(f"{URL}?top=5").get_json()
    assert body["city"]["slug"] == "nl-emmen"
    items = body["items"]
    assert [item["rank"] for item in items] == [1, 2, 3, 4, 5]
    first = items[0]
    assert first["city"]["slug"] == "de-haren-ems"
    assert first["city"]["html_url"] == "/cities/de-haren-ems"
    assert 0 < first["score"] <= 1 and 0 < first["distance_km"] < 100
    assert set(first["parts"]) == set(first["weights"])
    assert all(0 <= value <= 1 for value in first["parts"].values())
    assert first["reasons"] and any("Worked together" in r for r in first["reasons"])
    assert first["shared_collaborations"][0]["title"]
    scores = [item["score"] for item in items]
    assert scores == sorted(scores, reverse=True)


def test_each_partner_carries_the_chance_its_purpose_calibration_gives(client):
    for purpose in ("cross-border", "transnational", "research", "any"):
        items = client.get(f"{URL}?top=10&purpose={purpose}").get_json()["items"]
        assert all(0 < item["chance"] < 1 for item in items)
        # It reads the evidence alone: down the list it never rises, but for a city that
        # pays a hub price (which orders the list and is no evidence).
        unpriced = [item["chance"] for item in items if "exposure" not in item["weights"]]
        assert unpriced == sorted(unpriced, reverse=True)


def test_a_purpose_without_partnerships_to_calibrate_on_gives_no_chance(client):
    items = client.get(f"{URL}?top=3&purpose=peer-exchange").get_json()["items"]
    assert items and all(item["chance"] is None for item in items)


def test_a_focus_comes_with_how_many_cities_hold_each_theme(client):
    body = client.get(f"{URL}?theme=urban-regeneration&countries=DE&top=3").get_json()
    (note,) = body["focus"]
    assert (
        note["theme"] == "urban-regeneration" and note["label"] == "Urban regeneration and planning"
    )
    assert note["holders"] >= len(note["nearest"]) > 0
    assert all(n["city"]["country"] == "DE" for n in note["nearest"])
    distances = [n["distance_km"] for n in note["nearest"]]
    assert distances == sorted(distances)
    assert client.get(f"{URL}?top=3").get_json()["focus"] == []


def test_same_ranking_as_the_page(client):
    api = [item["city"]["slug"] for item in client.get(URL).get_json()["items"]]
    page = client.get("/cities/nl-emmen/partners").get_data(as_text=True)
    positions = [page.index(f'href="/cities/{slug}"') for slug in api]
    assert positions == sorted(positions)


@pytest.mark.parametrize(
    "query", ["country_sets=eu27&top=20", "country_sets=EU27,EEA&top=20",
              "country_sets=EU27&country_sets=EEA&top=20"],
)  # fmt: skip
def test_country_sets_given_commas_or_repeated(client, query):
    body = client.get(f"{URL}?{query}").get_json()
    assert body["items"] and all(item["city"]["country"] in EU27 for item in body["items"])
    assert "EU27" in body["query"]["country_sets"]


def test_filters_are_echoed_normalised(client):
    body = client.get(
        f"{URL}?theme=open-data,mobility-transition&countries=de,el&exclude_countries=uk"
        "&size_bands=s&max_distance_km=900&geography=cross-border&top=4"
    ).get_json()
    assert body["query"] == {
        "theme": ["open-data", "mobility-transition"],
        "countries": ["DE", "GR"],
        "exclude_countries": ["GB"],
        "country_sets": [],
        "size_bands": ["s"],
        "max_distance_km": 900.0,
        "geography": "cross-border",
        "purpose": "any",
        "top": 4,
    }
    for item in body["items"]:
        assert item["city"]["country"] in {"DE", "GR"}
        assert item["city"]["size_band"] == "s" and item["distance_km"] <= 900


def test_a_chosen_geography_gets_a_weight(client):
    plain = client.get(f"{URL}?top=1").get_json()["items"][0]
    near = client.get(f"{URL}?top=1&geography=near").get_json()["items"][0]
    assert plain["weights"]["geography"] == 0
    assert near["weights"]["geography"] > 0


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("top=0", "top"), ("top=201", "top"), ("top=x", "top"), ("geography=up", "geography"),
     ("countries=XX", "countries"), ("exclude_countries=DE,QQ", "exclude_countries"),
     ("country_sets=MARS", "country_sets"), ("size_bands=huge", "size_bands"),
     ("purpose=tourism", "purpose"),
     ("max_distance_km=0", "max_distance_km"), ("max_distance_km=far", "max_distance_km"),
     ("colour=red", "colour")],
)  # fmt: skip
def test_bad_parameters_are_a_400_problem_naming_the_parameter(client, query, parameter):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == 400
    assert parameter in [error["parameter"] for error in body["errors"]]


def test_unknown_theme_is_a_422_problem(client):
    response = client.get(f"{URL}?theme=open-data,astrology")
    assert response.status_code == 422
    assert response.mimetype == PROBLEM
    assert "astrology" in response.get_json()["detail"]


def test_unknown_city_is_a_404_problem(client):
    response = client.get("/api/v1/cities/xx-nowhere/partners")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    assert "xx-nowhere" in response.get_json()["detail"]


def test_a_purpose_is_accepted_echoed_and_changes_the_model(client):
    research = client.get(f"{URL}?top=5&purpose=research").get_json()
    assert research["query"]["purpose"] == "research"
    cross = client.get(f"{URL}?top=5&purpose=cross-border").get_json()
    assert [i["city"]["slug"] for i in research["items"]] != [
        i["city"]["slug"] for i in cross["items"]
    ]
