"""The "About the data" page credits every source as its licence requires."""

from __future__ import annotations

import pytest

from matcher.web.sources import DATA_SOURCES, OSM_ATTRIBUTION


@pytest.fixture
def about_page(client) -> str:
    response = client.get("/about/data")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_every_source_is_listed_with_its_date_and_licence(about_page):
    from markupsafe import escape

    for source in DATA_SOURCES:
        assert str(escape(source.name)) in about_page
        assert str(escape(source.as_of)) in about_page
        assert str(escape(source.licence)) in about_page


def test_required_credits_are_shown(about_page):
    assert "Source: keep.eu" in about_page
    assert "© European Union" in about_page
    assert "GeoNames" in about_page


def test_osm_credit_appears_only_when_map_tiles_are_configured(about_page, web_app):
    assert OSM_ATTRIBUTION not in about_page
    web_app.config["MAP_TILES_URL"] = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    page = web_app.test_client().get("/about/data").get_data(as_text=True)
    assert OSM_ATTRIBUTION in page


def test_every_page_footer_links_to_the_credits(client):
    assert 'href="/about/data"' in client.get("/cities/it-bologna").get_data(as_text=True)


def test_city_counts_per_country_and_source_are_shown(about_page):
    assert "Cities per country and source" in about_page
    # The mini seed's cities come from the Covenant file (population at adhesion).
    assert "JRC GCoM MyCovenant 2024:" in about_page
