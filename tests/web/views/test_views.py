"""Server-rendered pages: city list, search, city page, tabs, about the data, errors."""

from __future__ import annotations

import pytest


def test_home_lists_the_first_page_of_cities_with_the_total(client):
    page = client.get("/").get_data(as_text=True)
    assert "Bologna" in page
    assert "All cities (162)" in page
    assert 'href="/?page=2"' in page


def test_home_second_page_continues_the_list(client):
    page = client.get("/?page=2").get_data(as_text=True)
    assert "Jyväskylä" in page
    assert "Page 2 of 4" in page


def test_search_with_a_typo_finds_the_city(client):
    page = client.get("/?q=jyvaskila").get_data(as_text=True)
    results = page[page.index("results-heading") :]
    assert "/cities/fi-jyvaskyla" in results


def test_search_finds_a_city_by_an_alternate_name(client):
    page = client.get("/?q=Bolonia").get_data(as_text=True)
    results = page[page.index("results-heading") : page.index("cities-heading")]
    assert "/cities/it-bologna" in results


def test_city_page_shows_reference_data(client):
    page = client.get("/cities/hu-gyor").get_data(as_text=True)
    assert "<h1>Győr" in page
    assert "Hungary" in page
    assert "132,038" in page
    assert "100,000-250,000" in page


def test_city_page_keeps_the_official_name_next_to_the_display_name(client):
    page = client.get("/cities/de-haren-ems").get_data(as_text=True)
    assert "<h1>Haren (Ems)" in page
    assert "Haren (Ems), Stadt" in page  # the official LAU name


def test_city_page_shows_commitments_in_words(client):
    page = client.get("/cities/it-bologna").get_data(as_text=True)
    assert "Covenant of Mayors 2030 target" in page


def test_city_page_shows_profile_weights_with_provenance(client):
    page = client.get("/cities/it-bologna").get_data(as_text=True)
    assert "Works on" in page
    assert "derived from" in page


def test_city_page_lists_past_collaborations(client, web_session):
    from matcher.db import repository

    city = repository.get_city(web_session, "nl-emmen")
    titles = [c.title for c in repository.collaborations_of_city(web_session, city.id)]
    assert titles, "the fixture seed should give Emmen a collaboration"
    page = client.get("/cities/nl-emmen").get_data(as_text=True)
    assert all(title in page for title in titles)


def test_city_page_links_the_partner_and_call_tabs(client):
    page = client.get("/cities/nl-emmen").get_data(as_text=True)
    assert 'href="/cities/nl-emmen/partners"' in page
    assert 'href="/cities/nl-emmen/calls"' in page
    assert 'href="/cities/nl-emmen" aria-current="page"' in page


@pytest.mark.parametrize("tab", ["partners", "calls"])
def test_city_tabs_answer_for_known_cities_only(client, tab):
    assert client.get(f"/cities/nl-emmen/{tab}").status_code == 200
    assert client.get(f"/cities/xx-nowhere/{tab}").status_code == 404


def test_unknown_city_is_a_friendly_404(client):
    response = client.get("/cities/xx-nowhere")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "Back to the city search" in page
    assert "xx-nowhere" in page
    assert "Did you mean" not in page  # nothing is close: no guess


@pytest.mark.parametrize("tab", ["", "/partners", "/calls"])
def test_an_old_city_address_is_a_404_that_links_the_city_it_meant(client, tab):
    response = client.get(f"/cities/de-haren{tab}")
    assert response.status_code == 404  # offered, never followed
    suggestions = response.get_data(as_text=True).split('<ul class="suggestions">')[1]
    assert '<a href="/cities/de-haren-ems">Haren (Ems)</a> (Germany)' in suggestions


def test_unexpected_error_is_a_friendly_500_without_a_traceback(client, monkeypatch):
    from matcher.services import cities as city_service

    def broken(*_args, **_kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(city_service, "list_cities", broken)
    response = client.get("/")
    page = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Back to the city search" in page
    assert "database on fire" not in page and "Traceback" not in page


def test_pages_are_english_with_a_skip_link_and_landmarks(client):
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert '<a class="skip" href="#main">' in page
    assert '<main id="main"' in page and "<header" in page and "<footer" in page


def test_static_assets_are_served(client):
    assert client.get("/assets/site.css").status_code == 200
    assert client.get("/assets/search.js").status_code == 200


def test_search_shows_no_far_fetched_matches(client):
    page = client.get("/?q=qxzvw").get_data(as_text=True)
    assert "No city matches “qxzvw”" in page


def test_home_search_box_points_suggestions_at_the_api(client):
    page = client.get("/").get_data(as_text=True)
    assert 'data-suggest-url="/api/v1/cities/search?min_score=70.0"' in page


def test_home_search_says_when_no_city_has_the_name(client):
    page = client.get("/?q=Qwxzvbn").get_data(as_text=True)
    assert "No city called “Qwxzvbn”." in page
