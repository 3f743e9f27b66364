"""Finding a city: suggestions as you type (with typos), and the same without JavaScript."""

from __future__ import annotations

import re

from playwright.sync_api import expect


def test_typo_gives_suggestions_and_keyboard_choice_opens_the_city(page):
    page.goto("/")
    page.fill("#q", "jyvaskila")
    options = page.locator("#q-suggestions [role=option]")
    expect(options.first).to_contain_text("Jyväskylä")
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#q")).to_have_attribute("aria-activedescendant", "q-option-0")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/cities/fi-jyvaskyla$"))
    expect(page.locator("h1")).to_contain_text("Jyväskylä")


def test_clicking_a_suggestion_opens_the_city(page):
    page.goto("/")
    page.fill("#q", "peterboro")
    page.locator("#q-suggestions [role=option]", has_text="Peterborough").click()
    expect(page).to_have_url(re.compile(r"/cities/gb-peterborough$"))


def test_escape_closes_the_suggestions(page):
    page.goto("/")
    page.fill("#q", "emmen")
    expect(page.locator("#q-suggestions")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#q-suggestions")).to_be_hidden()
    expect(page.locator("#q")).to_have_attribute("aria-expanded", "false")


def test_search_works_without_javascript(new_page):
    page = new_page(javascript=False)
    page.goto("/")
    page.fill("#q", "Gyor")
    page.keyboard.press("Enter")
    expect(page.locator("#results-heading")).to_contain_text("Gyor")
    page.locator(".results a", has_text="Győr").click()
    expect(page).to_have_url(re.compile(r"/cities/hu-gyor$"))
    expect(page.locator("h1")).to_contain_text("Győr")


def test_city_page_tabs_lead_to_partners_and_calls(page):
    page.goto("/cities/nl-emmen")
    page.get_by_role("link", name="Partners").click()
    expect(page).to_have_url(re.compile(r"/cities/nl-emmen/partners$"))
    expect(page.get_by_role("link", name="Partners")).to_have_attribute("aria-current", "page")
