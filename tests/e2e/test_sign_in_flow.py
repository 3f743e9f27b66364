"""A new editor signs in once with their link, edits their city, and signs out."""

from __future__ import annotations

import re

from e2e_helpers import describe, run_axe
from playwright.sync_api import expect


def _new_editor(live_app, name: str, slug: str):
    from matcher.db import get_database
    from matcher.services import editors

    session = get_database(live_app).session()
    try:
        return editors.add_editor(session, name, city=slug)
    finally:
        session.close()


def test_link_sign_in_edit_own_city_history_and_sign_out(new_page, live_app):
    issued = _new_editor(live_app, "Ann Emmen", "nl-emmen")
    page = new_page()
    page.goto(f"/sign-in/{issued.link_token}")
    page.get_by_role("button", name="Sign in as Ann Emmen").click()
    # The link leads to the city's form, which asks for no token.
    expect(page).to_have_url(re.compile(r"/cities/nl-emmen/profile/edit$"))
    expect(page.get_by_label(re.compile("Editor token"))).to_have_count(0)
    header = page.get_by_role("navigation", name="Main")
    expect(header).to_contain_text("Signed in as Ann Emmen (editor of nl-emmen)")

    page.fill("#offer-open-data", "0.7")
    page.get_by_role("button", name="Save declared profile").click()
    expect(page).to_have_url(re.compile(r"/cities/nl-emmen$"))
    changes = page.get_by_role("region", name="Recent changes to the declared profile")
    expect(changes).to_contain_text("Ann Emmen")
    expect(changes).to_contain_text("offer open-data")

    # The session carries on from page to page; another city is refused.
    page.goto("/cities/de-haren-ems/profile/edit")
    expect(page.locator("h1")).to_have_text("Forbidden")
    expect(page.locator("main")).to_contain_text("editor of nl-emmen")

    cookie = next(c for c in page.context.cookies() if c["name"] == "session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    header.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Sign in")
    page.goto("/cities/nl-emmen/profile/edit")
    expect(page.locator("h1")).to_have_text("Sign in needed")

    # A used link does not work again.
    page.goto(f"/sign-in/{issued.link_token}")
    expect(page.locator("h1")).to_have_text("This sign-in link does not work")


def test_token_sign_in_from_the_header_returns_to_the_page(new_page, live_app):
    issued = _new_editor(live_app, "Bo Emmen", "nl-emmen")
    page = new_page(javascript=False)
    page.goto("/cities/nl-emmen/profile/edit")
    expect(page.locator("h1")).to_have_text("Sign in needed")
    page.get_by_label("Editor token").fill(issued.token)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/cities/nl-emmen/profile/edit$"))
    expect(page.get_by_role("button", name="Save declared profile")).to_be_visible()


def test_sign_in_pages_have_no_serious_violations(new_page, live_app):
    issued = _new_editor(live_app, "Cy Emmen", "nl-emmen")
    page = new_page(bypass_csp=True)
    for path in ("/sign-in", f"/sign-in/{issued.link_token}", "/cities/nl-emmen/profile/edit"):
        page.goto(path)
        violations = run_axe(page)
        assert not violations, describe(violations)
