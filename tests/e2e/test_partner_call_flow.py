"""From a misspelt search to a consortium: partners with a filter, the city's calls, a call's
rules, and a proposed consortium; the partner filter without JavaScript; the map with tiles."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from matcher.domain import COUNTRY_NAMES, EU27

EU_COUNTRY_NAMES = {COUNTRY_NAMES[code] for code in EU27}


def test_typo_search_to_partners_to_a_call_to_a_consortium(page):
    # Search with a typo and open the city.
    page.goto("/")
    page.fill("#q", "emmn")
    page.locator("#q-suggestions [role=option]", has_text="Emmen").click()
    expect(page).to_have_url(re.compile(r"/cities/nl-emmen$"))

    # Partners, EU member states only.
    page.get_by_role("link", name="Partners").click()
    page.get_by_label("EU member states (EU27)").check()
    page.locator("select#theme").select_option("urban-regeneration")
    page.get_by_role("button", name="Find partners").click()
    expect(page).to_have_url(re.compile(r"/cities/nl-emmen/partners\?.*country_sets=EU27"))
    partners = page.locator("li.partner")
    expect(partners.first).to_be_visible()
    expect(page.get_by_label("EU member states (EU27)")).to_be_checked()
    countries = partners.locator("dl.partner-facts div:first-child dd").all_inner_texts()
    assert countries and set(countries) <= EU_COUNTRY_NAMES
    expect(partners.first.locator(".reasons li").first).to_be_visible()
    expect(partners.first.locator(".bar-row").first).to_contain_text("%")
    # The focus says how many cities the list can show hold its theme.
    expect(page.get_by_role("list", name="The focus themes in the data")).to_contain_text(
        re.compile(r"\d+ cities? this list can show ha(s|ve) a past project on urban regeneration")
    )

    # The city's calls, open or forthcoming; open one that needs partners.
    page.get_by_role("link", name="Funding calls").click()
    page.get_by_label("Open or forthcoming").check()
    page.get_by_role("button", name="Show calls").click()
    group = page.locator("#group-needs_partners")
    expect(group.get_by_role("heading", level=2)).to_contain_text("Eligible once partners join")
    first_call = group.locator("a[href^='/calls/']").first
    call_path = first_call.get_attribute("href").split("?")[0]
    first_call.click()
    expect(page).to_have_url(re.compile(re.escape(call_path) + r"\?city=nl-emmen$"))

    # Its rules, judged for Emmen, with reasons and source sentences.
    rules = page.locator("ul.rules li.rule")
    expect(rules.first).to_be_visible()
    expect(page.locator("ul.rules .status-passed").first).to_have_text("Passed")
    expect(page.locator("ul.rules .status-unknown").first).to_have_text("Needs partners")
    expect(page.locator("ul.rules .source-sentence").first).to_be_visible()

    # Build a consortium led by Emmen (the form is prefilled).
    expect(page.get_by_label("Lead city")).to_have_value("nl-emmen")
    page.get_by_label("Members, lead included").fill("3")
    page.get_by_role("button", name="Build a consortium").click()
    expect(page).to_have_url(re.compile(r"/consortium\?lead=nl-emmen&size=3"))
    expect(page.locator(".verdict")).to_contain_text("A valid consortium of 3 members")
    expect(page.locator("li.member")).to_have_count(3)
    page.locator("li.member details.alternatives summary").first.click()
    expect(page.locator("li.member details.alternatives li").first).to_be_visible()
    assert page.console_errors == []


def test_impossible_consortium_shows_the_unmet_rule_and_what_would_fix_it(page):
    page.goto("/calls/LIFE-2026-CET-ENERPOV/consortium?lead=nl-emmen&size=3&countries=FI")
    expect(page.locator(".verdict")).to_contain_text("No valid consortium")
    expect(page.locator("ul.rules")).to_contain_text("at least 3 countries")
    expect(page.locator("table.relaxations")).to_contain_text("Fixes it")


def test_partner_filter_works_without_javascript_and_keeps_bad_input(new_page):
    page = new_page(javascript=False)
    page.goto("/cities/nl-emmen/partners")
    page.get_by_label("Only these countries").fill("DE, XX")
    page.get_by_label("Maximum distance (km)").fill("300")
    page.get_by_role("button", name="Find partners").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("not a country code we know: XX")
    expect(page.get_by_label("Only these countries")).to_have_value("DE, XX")
    expect(page.get_by_label("Maximum distance (km)")).to_have_value("300")
    expect(page.get_by_label("Only these countries")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Only these countries").fill("DE")
    page.get_by_role("button", name="Find partners").click()
    expect(page.locator("li.partner").first).to_be_visible()
    countries = page.locator("li.partner dl.partner-facts div:first-child dd").all_inner_texts()
    assert set(countries) == {"Germany"}


@pytest.fixture
def tiles(live_app, live_server):
    """Map tiles from our own server (an image of the vendored Leaflet stands in for tiles)."""
    url = f"{live_server}/assets/vendor/leaflet/images/layers.png?z={{z}}&x={{x}}&y={{y}}"
    live_app.config["MAP_TILES_URL"] = url
    yield url
    live_app.config["MAP_TILES_URL"] = ""


def test_map_draws_the_city_and_its_partners_when_tiles_are_configured(page, tiles):
    page.goto("/cities/nl-emmen/partners?top=5")
    expect(page.locator("#partner-map.map-ready")).to_be_visible()
    expect(page.locator("#partner-map .leaflet-marker-icon")).to_have_count(6)
    expect(page.locator("#partner-map img.leaflet-tile").first).to_be_attached()
    expect(page.locator("#map-places li")).to_have_count(6)  # the list stays for everyone
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []


def test_without_tiles_there_is_no_map_and_no_leaflet(page):
    page.goto("/cities/nl-emmen/partners?top=5")
    expect(page.locator("#map-places li")).to_have_count(6)
    expect(page.locator("#partner-map")).to_have_count(0)
    assert page.evaluate("() => typeof window.L") == "undefined"
