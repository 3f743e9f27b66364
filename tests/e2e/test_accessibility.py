"""axe-core finds no serious or critical accessibility problems on the main pages."""

from __future__ import annotations

import pytest
from e2e_helpers import PHONE, describe, run_axe
from playwright.sync_api import expect

PAGES = [
    "/",
    "/?q=bologna",
    "/cities/it-bologna",
    "/cities/nl-emmen/partners",
    "/about/data",
    "/cities/it-bologna/profile/edit",
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
