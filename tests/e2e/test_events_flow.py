"""An organiser creates an event, pastes attendees, generates the schedule and downloads it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from e2e_helpers import SCREENSHOTS, describe, run_axe, sign_in
from playwright.sync_api import expect

ATTENDEES = (
    "city,country,unavailable_rounds,must_meet,would_like,do_not_meet\n"
    "Bologna,IT,,Tartu,,\nJyvaskyla,FI,1,,,\nGyor,HU,,,,Emmen\nEmmen,NL,,,,\n"
    "Tartu,EE,,,,\nTallinn,EE,,,,\nMaribor,SI,,,,\nGent,BE,,,,\n"
)


def test_create_event_generate_and_download_the_schedule(page, new_page):
    sign_in(page)
    page.goto("/events/")
    page.get_by_role("link", name="Create an event").click()
    page.get_by_label("Name").fill("Small Giants matchmaking")
    page.get_by_label("Date").fill("2026-10-01")
    page.get_by_label("Time zone").fill("Europe/Rome")
    page.get_by_label("Rounds", exact=True).fill("3")
    page.get_by_label("Tables", exact=True).fill("4")
    page.get_by_role("button", name="Create event").click()
    expect(page).to_have_url(re.compile(r"/events/\d+$"))
    expect(page.locator("h1")).to_have_text("Small Giants matchmaking")

    attendees = page.locator("form", has=page.get_by_role("button", name="Add attendees"))
    attendees.get_by_label("Paste the attendee list (CSV)").fill(ATTENDEES)
    attendees.get_by_role("button", name="Add attendees").click()
    expect(page.get_by_role("table", name=re.compile("8 attending cities"))).to_be_visible()

    generate = page.locator("form", has=page.get_by_role("button", name="Generate schedule"))
    generate.get_by_role("button", name="Generate schedule").click()
    grid = page.get_by_role("table", name=re.compile("Meetings by round"))
    expect(grid).to_be_visible()
    expect(grid.get_by_role("columnheader", name="Table 4")).to_be_visible()
    expect(page.locator(".quality")).to_contain_text("Must-meet honoured")
    assert not page.console_errors  # no CSP violations

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Schedule (CSV)").click()
    download = download_info.value
    assert download.suggested_filename == "small-giants-matchmaking-schedule.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and rows[0]["start_time"] == "09:00"
    assert any({r["city_a"], r["city_b"]} == {"Bologna", "Tartu"} for r in rows)

    with page.expect_download() as ics_info:
        page.get_by_role("link", name=re.compile("calendar of Gent")).click()
    assert b"BEGIN:VEVENT" in Path(ics_info.value.path()).read_bytes()

    # axe is injected inline, so it runs in a page that bypasses the CSP
    audit = new_page(bypass_csp=True)
    sign_in(audit)
    audit.goto(page.url)
    violations = run_axe(audit)
    assert not violations, describe(violations)


def test_unknown_names_are_flagged_without_javascript(new_page):
    page = new_page(javascript=False)
    sign_in(page)
    page.goto("/events/new")
    page.get_by_label("Name").fill("No-JS event")
    page.get_by_label("Date").fill("2026-11-05")
    page.get_by_label("Rounds", exact=True).fill("2")
    page.get_by_label("Tables", exact=True).fill("2")
    page.get_by_role("button", name="Create event").click()
    attendees = page.locator("form", has=page.get_by_role("button", name="Add attendees"))
    attendees.get_by_label("Paste the attendee list (CSV)").fill(
        "city,country\nGent,BE\nBrugs,BE\n"
    )
    attendees.get_by_role("button", name="Add attendees").click()
    problems = page.get_by_role("table", name=re.compile("Names we could not identify"))
    expect(problems).to_contain_text("Brugs")
    expect(problems).to_contain_text("Brugge (BE)")
    expect(attendees.get_by_label("Paste the attendee list (CSV)")).to_have_value(
        "city,country\nGent,BE\nBrugs,BE\n"
    )


def test_an_organiser_finds_events_locks_a_meeting_and_sees_every_table(new_page):
    page = new_page(viewport={"width": 1366, "height": 768})
    sign_in(page)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Events").click()
    page.get_by_role("link", name="Create an event").click()
    page.get_by_label("Name").fill("Wide grid")
    page.get_by_label("Date").fill("2026-10-02")
    page.get_by_label("Rounds", exact=True).fill("3")
    page.get_by_label("Tables", exact=True).fill("12")
    page.get_by_role("button", name="Create event").click()
    attendees = page.locator("form", has=page.get_by_role("button", name="Add attendees"))
    attendees.get_by_label("Paste the attendee list (CSV)").fill(ATTENDEES)
    attendees.get_by_role("button", name="Add attendees").click()
    generate = page.locator("form", has=page.get_by_role("button", name="Generate schedule"))
    generate.get_by_role("button", name="Generate schedule").click()

    # The grid scrolls inside its own box; the round column stays in view while it does.
    # Measured once the new page and its stylesheets have loaded: on a busy machine the
    # box was read before events.css applied, when nothing overflows yet.
    expect(page.get_by_text("Schedule generated")).to_be_visible()
    page.wait_for_load_state("load")
    box = page.locator(".grid-scroll")
    page.wait_for_function(
        "() => { const b = document.querySelector('.grid-scroll');"
        " return b !== null && b.scrollWidth > b.clientWidth; }"
    )
    round_cell = page.locator(".schedule-grid tbody th").first
    left = round_cell.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    expect(page.get_by_role("columnheader", name="Table 12")).to_be_in_viewport()
    assert abs(round_cell.bounding_box()["x"] - left) < 1
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "event-grid-1366.png"), animations="disabled")
    box.evaluate("b => { b.scrollLeft = 0; }")

    # Lock the first meeting of the grid, then re-run for the rest: it stays where it was.
    first = page.locator(".schedule-grid td.meeting").first
    pair = first.locator(".pair").inner_text()
    first.get_by_role("checkbox").check()
    locks = page.locator("form", has=page.get_by_role("button", name="Save locks", exact=True))
    locks.get_by_role("button", name="Save locks and generate again").click()
    expect(page.locator(".flashes")).to_contain_text("Locks saved")
    first = page.locator(".schedule-grid td.meeting").first
    expect(first.locator(".pair")).to_have_text(pair)
    expect(first.get_by_role("checkbox")).to_be_checked()
    expect(first.locator(".badge")).to_have_text("locked")

    # Reloading the address of a form's answer shows the event again (no 405).
    response = page.goto(page.url.split("#")[0] + "/schedule")
    assert response.ok
    expect(page.locator("h1")).to_have_text("Wide grid")
