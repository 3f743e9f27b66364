"""The partners tab: filters (a GET form), ranked partners with score bars and reasons, the map."""

from __future__ import annotations

import re

import pytest
from pages import all_in_eu, partner_slugs, section, slug_country

URL = "/cities/nl-emmen/partners"


def test_default_search_ranks_partners_with_their_facts_and_reasons(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    slugs = partner_slugs(page)
    assert len(slugs) == 10 and "nl-emmen" not in slugs
    first = section(page, '<li class="partner" id="partner-1"', 'id="partner-2"')
    # Haren, across the border, worked with Emmen in an Interreg project: the reason says so.
    assert slugs[0] == "de-haren-ems"
    assert "Germany" in first and "km" in first and "Worked together" in first
    assert re.search(r"<dt>Chance</dt><dd>(\d+(\.\d)?%|&lt;0\.1%)</dd>", first)
    assert "Chance: how often a city with this evidence was a real partner" in page
    assert '<span class="bar-label">Close by</span>' in first


def test_score_parts_are_bars_drawn_by_classes_with_their_values_in_text(client):
    page = client.get(URL).get_data(as_text=True)
    bar = r'<span class="bar-fill (w-\d+)"></span></span>\s*<span class="bar-value">(\d+)%'
    bars = re.findall(bar, page)
    assert bars
    for width, percent in bars:
        assert int(width[2:]) % 5 == 0 and abs(int(width[2:]) - int(percent)) <= 3
    assert "style=" not in page  # the CSP forbids inline styles


def test_country_set_filter_keeps_only_eu_partners_and_stays_selected(client):
    page = client.get(f"{URL}?country_sets=EU27&top=20").get_data(as_text=True)
    slugs = partner_slugs(page)
    assert slugs and all_in_eu(slugs)
    assert re.search(r'<input checked id="country_sets-0" name="country_sets" type="checkbox" '
                     r'value="EU27">', page)  # fmt: skip


def test_theme_focus_is_kept_selected(client):
    page = client.get(f"{URL}?theme=open-data&theme=mobility-transition").get_data(as_text=True)
    assert partner_slugs(page)
    assert '<option selected value="open-data">' in page
    assert '<option selected value="mobility-transition">' in page


def test_a_focused_list_says_how_many_cities_it_can_show_hold_each_theme(client):
    page = client.get(f"{URL}?theme=urban-regeneration&countries=DE").get_data(as_text=True)
    notes = section(page, '<ul class="focus-notes"', "</ul>")
    assert re.search(r"[\d,]+ cities? this list can show ha(s|ve) a past project on urban "
                     r"regeneration and planning", notes)  # fmt: skip
    assert "(Germany)" not in notes and " km)" in notes
    assert '<ul class="focus-notes"' not in client.get(URL).get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("countries=DE,FI", lambda slugs: {slug_country(s) for s in slugs} <= {"DE", "FI"}),
        ("exclude_countries=de", lambda slugs: "DE" not in {slug_country(s) for s in slugs}),
        ("top=3", lambda slugs: len(slugs) == 3),
    ],
)
def test_filters_apply(client, query, check):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200
    slugs = partner_slugs(response.get_data(as_text=True))
    assert slugs and check(slugs)


def test_max_distance_and_size_band_filters_apply(client):
    page = client.get(f"{URL}?max_distance_km=400&size_bands=s&size_bands=m").get_data(as_text=True)
    distances = [float(km.replace(",", "")) for km in
                 re.findall(r"<dt>Distance</dt><dd>([\d,]+) km", page)]  # fmt: skip
    assert distances and max(distances) <= 400
    populations = [int(p.replace(",", "")) for p in
                   re.findall(r"<dt>Population</dt><dd>([\d,]+)</dd>", page)]  # fmt: skip
    assert populations and all(20_000 <= p < 100_000 for p in populations)


def test_no_match_says_so(client):
    page = client.get(f"{URL}?countries=IS").get_data(as_text=True)
    assert "0 partners for Emmen" in page and "No city passes these filters" in page


def test_invalid_input_is_a_400_with_messages_and_the_input_kept(client):
    query = "countries=XX,DE&max_distance_km=-3&top=lots&geography=near&theme=open-data"
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    summary = section(page, 'class="error-summary"', "</div>")
    assert 'href="#countries"' in summary and "XX" in summary
    assert 'href="#max_distance_km"' in summary and 'href="#top"' in summary
    assert 'value="XX,DE"' in page and 'value="-3"' in page and 'value="lots"' in page
    assert 'checked id="geography-1"' in page  # "near" stays chosen
    assert '<option selected value="open-data">' in page
    assert 'aria-invalid="true"' in page
    assert not partner_slugs(page)
    assert "<title>Error: " in page


@pytest.mark.parametrize(
    "query", ["theme=not-a-theme", "geography=sideways", "size_bands=huge", "country_sets=MARS"]
)
def test_tampered_choices_are_a_400_not_a_500(client, query):
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400
    assert "Please correct the following" in response.get_data(as_text=True)


def test_service_refusal_is_shown_on_the_form(client, monkeypatch):
    from matcher.services import partners as partner_service

    def refuse(*_args, **_kwargs):
        raise partner_service.PartnerQueryError("Emmen is not in the partner index yet")

    monkeypatch.setattr(partner_service, "find_partners", refuse)
    response = client.get(URL)
    assert response.status_code == 400
    assert "not in the partner index yet" in response.get_data(as_text=True)


def test_unknown_city_is_a_404(client):
    assert client.get("/cities/xx-nowhere/partners?top=3").status_code == 404


def test_without_tiles_there_is_no_map_only_the_list_and_no_third_party_host(client):
    response = client.get(URL)
    page = response.get_data(as_text=True)
    assert 'id="partner-map"' not in page and "leaflet" not in page
    places = section(page, 'id="map-places"', "</ul>")
    assert places.count('data-role="partner"') == 10
    assert re.search(r'data-lat="[\d.-]+" data-lon="[\d.-]+"', places)
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data:;" in policy


def test_with_tiles_configured_the_map_loads_vendored_leaflet_and_csp_allows_the_host(
    client, web_app
):
    web_app.config["MAP_TILES_URL"] = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get(URL)
    page = response.get_data(as_text=True)
    assert 'data-tiles-url="https://tiles.example.org/{z}/{x}/{y}.png"' in page
    assert 'src="/assets/vendor/leaflet/leaflet.js"' in page
    assert 'href="/assets/vendor/leaflet/leaflet.css"' in page
    assert 'src="/assets/partner-map.js"' in page
    assert "© OpenStreetMap contributors" in page
    policy = response.headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://tiles.example.org;" in policy
    assert "script-src 'self';" in policy


def test_vendored_leaflet_is_served_with_its_licence(client):
    for asset in ("leaflet.js", "leaflet.css", "images/marker-icon.png", "LICENSE"):
        assert client.get(f"/assets/vendor/leaflet/{asset}").status_code == 200, asset
