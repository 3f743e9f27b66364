"""Screenshots of the main pages for the README (docs/screenshots/, fixed file names)."""

from __future__ import annotations

from e2e_helpers import PHONE, SCREENSHOTS
from playwright.sync_api import expect


def _save(page, name: str, *, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    assert path.stat().st_size > 10_000, f"{name} looks empty"


def test_screenshot_home_with_suggestions(page):
    page.goto("/")
    page.fill("#q", "jyvaskila")
    expect(page.locator("#q-suggestions [role=option]").first).to_be_visible()
    _save(page, "home.png")


def test_screenshot_city_page(page):
    page.goto("/cities/it-bologna")
    expect(page.locator("h1")).to_contain_text("Bologna")
    _save(page, "city.png", full_page=True)


def test_screenshot_city_page_on_a_phone(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/cities/nl-emmen")
    expect(page.locator("h1")).to_contain_text("Emmen")
    _save(page, "city-phone.png")


def test_screenshot_partners(page):
    page.goto("/cities/nl-emmen/partners?country_sets=EU27&top=5")
    expect(page.locator("li.partner").first).to_be_visible()
    _save(page, "partners.png", full_page=True)


def test_screenshot_calls(page):
    page.goto("/cities/nl-emmen/calls?status=all&limit=3")
    expect(page.locator("#group-eligible")).to_be_visible()
    _save(page, "calls.png", full_page=True)


def test_screenshot_call(page):
    page.goto("/calls/HORIZON-CID-2026-01-02?city=nl-emmen")
    expect(page.locator("ul.rules")).to_be_visible()
    _save(page, "call.png", full_page=True)


def test_screenshot_consortium(page):
    page.goto("/calls/HORIZON-CID-2026-01-02/consortium?lead=nl-emmen&size=3")
    expect(page.locator("li.member").first).to_be_visible()
    _save(page, "consortium.png", full_page=True)
