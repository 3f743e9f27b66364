"""axe-core finds no serious or critical accessibility problems on the main pages."""

from __future__ import annotations

import pytest
from e2e_helpers import PHONE, describe, run_axe, sign_in
from playwright.sync_api import expect

PAGES = [
    "/",
    "/?q=bologna",
    "/cities/it-bologna",
    "/cities/nl-emmen/partners",
    "/cities/nl-emmen/partners?country_sets=EU27&theme=open-data",
    "/cities/nl-emmen/partners?countries=XX&top=none",
    "/cities/nl-emmen/calls?status=all",
    "/cities/nl-emmen/calls?deadline_within_days=soon",
    "/calls/HORIZON-CID-2026-01-02",
    "/calls/HORIZON-CID-2026-01-02?city=nl-emmen",
    "/calls/HORIZON-CID-2026-01-02/consortium?lead=nl-emmen&size=3",
    "/calls/LIFE-2026-CET-ENERPOV/consortium?lead=nl-emmen&size=3&countries=FI",
    "/calls/HORIZON-CID-2026-01-02/consortium?lead=Atlantis&size=x",
    "/about/data",
    "/cities/it-bologna/profile/edit",
    "/sign-in",
    "/events/",
    "/api/v1/docs",
    "/cities/xx-nowhere",
]


@pytest.fixture
def axe_page(new_page):
    # axe is injected as a script tag, which the site's CSP (rightly) forbids; only here is
    # the CSP bypassed, and only to run the checker.
    return new_page(bypass_csp=True)


@pytest.mark.parametrize("path", PAGES)
def test_page_has_no_serious_violations(axe_page, path):
    sign_in(axe_page)  # the edit forms (and the header's sign-out form) are audited too
    axe_page.goto(path)
    violations = run_axe(axe_page)
    assert not violations, describe(violations)


def test_open_suggestions_have_no_serious_violations(axe_page):
    axe_page.goto("/")
    axe_page.fill("#q", "jyvaskila")
    expect(axe_page.locator("#q-suggestions [role=option]").first).to_be_visible()
    violations = run_axe(axe_page)
    assert not violations, describe(violations)


def test_form_with_errors_has_no_serious_violations(axe_page):
    sign_in(axe_page)
    axe_page.goto("/cities/nl-emmen/profile/edit")
    axe_page.fill("#interest-open-data", "2")
    axe_page.get_by_role("button", name="Save declared profile").click()
    expect(axe_page.get_by_role("alert")).to_be_visible()
    violations = run_axe(axe_page)
    assert not violations, describe(violations)


def test_phone_layout_has_no_serious_violations(new_page):
    page = new_page(viewport=PHONE, bypass_csp=True)
    page.goto("/cities/it-bologna")
    violations = run_axe(page)
    assert not violations, describe(violations)


def test_partner_map_has_no_serious_violations(axe_page, live_app, live_server):
    tiles = f"{live_server}/assets/vendor/leaflet/images/layers.png?z={{z}}&x={{x}}&y={{y}}"
    live_app.config["MAP_TILES_URL"] = tiles
    try:
        axe_page.goto("/cities/nl-emmen/partners?top=5")
        expect(axe_page.locator("#partner-map.map-ready")).to_be_visible()
        violations = run_axe(axe_page)
    finally:
        live_app.config["MAP_TILES_URL"] = ""
    assert not violations, describe(violations)


def test_phone_partners_page_has_no_serious_violations(new_page):
    page = new_page(viewport=PHONE, bypass_csp=True)
    page.goto("/cities/nl-emmen/partners")
    violations = run_axe(page)
    assert not violations, describe(violations)
