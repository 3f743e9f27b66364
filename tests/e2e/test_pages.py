"""About the data, the profile form's error handling, phone width, CSP cleanliness."""

from __future__ import annotations

import pytest
from e2e_helpers import PHONE, sign_in
from playwright.sync_api import expect

from matcher.web.sources import DATA_SOURCES

MAIN_PAGES = [
    "/",
    "/?q=bologna",
    "/cities/it-bologna",
    "/about/data",
    "/api/v1/docs",
    "/cities/nl-emmen/partners",
    "/cities/nl-emmen/calls?status=all",
    "/calls/HORIZON-CID-2026-01-02?city=nl-emmen",
    "/calls/HORIZON-CID-2026-01-02/consortium?lead=nl-emmen",
    "/calls/LIFE-2026-CET-ENERPOV/consortium?lead=nl-emmen&size=3&countries=FI",
]


def test_about_page_credits_every_source(page):
    page.goto("/about/data")
    expect(page.locator("h1")).to_have_text("About the data")
    for source in DATA_SOURCES:
        expect(page.get_by_role("heading", name=source.name)).to_be_visible()
    expect(page.get_by_text("Source: keep.eu", exact=True)).to_be_visible()


def test_about_page_is_linked_from_the_main_navigation(page):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="About the data").click()
    expect(page.locator("h1")).to_have_text("About the data")


def test_profile_form_keeps_input_on_error(page):
    sign_in(page)
    page.goto("/cities/nl-emmen/profile/edit")
    page.fill("#interest-open-data", "1.5")
    page.fill("#need-smart-lighting", "lots")
    page.fill("#offer-circular-economy", "0.4")
    page.get_by_role("button", name="Save declared profile").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("must be a number from 0 to 1")
    expect(page.locator("#interest-open-data")).to_have_value("1.5")
    expect(page.locator("#need-smart-lighting")).to_have_value("lots")
    expect(page.locator("#offer-circular-economy")).to_have_value("0.4")
    expect(page.locator("#interest-open-data")).to_have_attribute("aria-invalid", "true")
    summary.get_by_role("link").first.click()
    expect(page.locator("#interest-open-data")).to_be_focused()


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_pages_fit_a_phone_screen(new_page, path):
    page = new_page(viewport=PHONE)
    page.goto(path)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


@pytest.mark.parametrize("path", [*MAIN_PAGES, "/cities/it-bologna/profile/edit", "/sign-in"])
def test_pages_raise_no_console_or_csp_errors(page, path):
    sign_in(page)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.console_errors == []


def test_suggestions_raise_no_csp_errors(page):
    page.goto("/")
    page.fill("#q", "bolo")
    expect(page.locator("#q-suggestions [role=option]").first).to_be_visible()
    assert page.console_errors == []
