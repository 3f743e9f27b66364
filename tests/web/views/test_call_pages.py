"""The calls tab (four groups under a GET filter form), a call's page with its rules, and the
consortium proposal page."""

from __future__ import annotations

import re

import pytest
from pages import section

CALLS = "/cities/nl-emmen/calls"
CALL = "/calls/HORIZON-CID-2026-01-02"  # Horizon: Emmen needs partners from 3 countries


def call_ids(page: str) -> list[str]:
    return re.findall(r'<li class="call-item">\s*<h3><a href="/calls/([^"?]+)\?city=', page)


def test_calls_tab_shows_the_six_groups_in_order(client):
    response = client.get(f"{CALLS}?status=all")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    headings = re.findall(r'<h2 id="group-(\w+)-heading">', page)
    assert headings == [
        "eligible", "needs_partners", "other_offers", "check_text", "unsuited", "ineligible"
    ]  # fmt: skip
    assert "Eligible now, written for cities" in page
    assert "Eligible once partners join, written for cities" in page
    assert "More calls you could go for" in page
    assert "Check the call text" in page and "Not eligible" in page


def test_each_call_has_its_facts_fit_and_themes(client):
    page = client.get(f"{CALLS}?status=all").get_data(as_text=True)
    # An industrial call: listed apart from the offers, with the reason.
    group = section(page, 'id="group-unsuited"', 'id="group-ineligible"')
    assert "HORIZON-CID-2026-01-02" in group
    item = section(group, "HORIZON-CID-2026-01-02", "</li>\n    \n")
    assert "Horizon Europe" in item and "Deadline 2026-09-15" in item and "14 days left" in item
    assert '<span class="bar-label">Fit</span>' in item
    assert '<span class="label">Water, nature and biodiversity</span>' in item
    assert "Needs partners" in item  # the consortium rule that keeps it out of "eligible"
    assert "For a municipality:" in item and "Parts: suitability" in item


def test_ineligible_calls_name_the_failing_rule(client):
    page = client.get(f"{CALLS}?status=all").get_data(as_text=True)
    group = section(page, 'id="group-ineligible"')
    assert "ERC-2026-PLUS" in group
    assert "Only ERC principal investigators may apply" in group
    assert '<span class="status status-failed">Failed</span>' in group


def test_calls_link_to_their_page_for_this_city(client):
    page = client.get(CALLS).get_data(as_text=True)
    links = re.findall(r'<li class="call-item">\s*<h3><a href="(/calls/[^"]+)"', page)
    assert links and all(re.fullmatch(r"/calls/[\w-]+\?city=nl-emmen", link) for link in links)


def test_programme_filter(client):
    page = client.get(f"{CALLS}?status=all&programme=LIFE").get_data(as_text=True)
    ids = call_ids(page)
    assert ids and all(call_id.startswith("LIFE-") for call_id in ids)
    assert '<option selected value="LIFE">' in page


def test_deadline_window_filter(client):
    page = client.get(f"{CALLS}?status=all&deadline_within_days=14").get_data(as_text=True)
    days = [int(d) for d in re.findall(r"\((\d+) days? left\)", page)]
    assert days and max(days) <= 14
    assert "LIFE-2026-CET-ENERPOV" not in page  # 15 days left


def test_limit_caps_each_group(client):
    page = client.get(f"{CALLS}?status=all&limit=1").get_data(as_text=True)
    for name in ("eligible", "needs_partners", "check_text", "ineligible"):
        group = section(page, f'id="group-{name}"', "</section>")
        assert group.count('<li class="call-item">') <= 1


def test_budget_accepts_thousands_separators(client):
    response = client.get(f"{CALLS}?min_budget=1,000,000")
    assert response.status_code == 200
    assert 'value="1,000,000"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("deadline_within_days=soon", "deadline_within_days", 'value="soon"'),
        ("deadline_within_days=-1", "deadline_within_days", 'value="-1"'),
        ("min_budget=lots", "min_budget", 'value="lots"'),
        ("programme=Nope", "programme", None),
        ("status=closed", "status", None),
        ("limit=0", "limit", 'value="0"'),
    ],
)
def test_invalid_filters_are_a_400_with_the_input_kept(client, query, field, kept):
    response = client.get(f"{CALLS}?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in section(page, 'class="error-summary"', "</div>")
    if kept:
        assert kept in page
    assert '<li class="call-item">' not in page


def test_unknown_city_calls_are_a_404(client):
    assert client.get("/cities/xx-nowhere/calls").status_code == 404


# --------------------------------------------------------------------------- call page


def test_call_page_shows_the_facts_and_the_portal_link(client):
    response = client.get(CALL)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<h1>R&amp;I in Support of the Clean Industrial Deal" in page
    for fact in ("Horizon Europe", "Open", "2026-09-15", "14 days left", "EUR "):
        assert fact in page, fact
    assert re.search(r'<a href="https://ec\.europa\.eu/[^"]+" rel="noopener noreferrer">', page)


def test_long_descriptions_show_an_excerpt_and_the_rest_in_details(client):
    page = client.get(CALL).get_data(as_text=True)
    description = section(page, 'id="description-heading"', "</section>")
    assert "<details" in description
    assert "<summary>Read the full description</summary>" in description


def test_without_a_city_the_rules_are_listed_with_their_source(client):
    page = client.get(CALL).get_data(as_text=True)
    rules = section(page, 'id="rules-heading"', 'id="consortium-heading"')
    assert "Eligible countries" in rules and "Number of partners" in rules
    assert "Read from the call text" in rules
    assert '<blockquote class="source-sentence">' in rules
    assert "Passed" not in rules  # nothing is judged without a city


def test_for_a_city_every_rule_has_a_status_reason_and_source(client):
    page = client.get(f"{CALL}?city=nl-emmen").get_data(as_text=True)
    rules = section(page, 'id="rules-heading"', 'id="consortium-heading"')
    assert "Eligibility rules for Emmen" in rules
    assert '<span class="status status-passed">Passed</span>' in rules
    # Partner-count rules cannot be met by one city: unknown, and they need partners.
    assert '<span class="status status-unknown">Needs partners</span>' in rules
    assert "at least 3 partners" in rules
    assert "the consortium rules need partners" in rules
    assert '<blockquote class="source-sentence">' in rules


def test_an_unreadable_cofunding_rate_is_shown_but_decides_nothing(client):
    page = client.get("/calls/LIFE-2026-CET-ENERPOV?city=nl-emmen").get_data(as_text=True)
    rules = section(page, 'id="rules-heading"', 'id="consortium-heading"')
    assert '<span class="status status-unknown">Check the call text</span>' in rules
    assert "cofunding rate rule we could not read" in rules
    # Co-funding is information, not a gate: the verdict comes from the other rules.
    assert "A rule could not be read reliably" not in rules


def test_call_page_accepts_a_city_name_too(client):
    page = client.get(f"{CALL}?city=Emmen").get_data(as_text=True)
    assert "Eligibility rules for Emmen" in page


def test_unknown_city_on_a_call_is_a_400_with_suggestions_and_the_input_kept(client):
    response = client.get(f"{CALL}?city=Emmenn-xyz")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'value="Emmenn-xyz"' in page and "No city called “Emmenn-xyz”" in page


def test_consortium_form_is_prefilled_with_the_city(client):
    page = client.get(f"{CALL}?city=nl-emmen").get_data(as_text=True)
    form = section(page, 'id="consortium-heading"', "</form>")
    assert 'action="/calls/HORIZON-CID-2026-01-02/consortium"' in form
    assert 'name="lead"' in form and 'value="nl-emmen"' in form


def test_call_ids_with_slashes_work(client):
    response = client.get("/calls/EuropeAid/186002/DD/ACT/MA?city=nl-emmen")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'action="/calls/EuropeAid/186002/DD/ACT/MA/consortium"' in page


def test_unknown_call_is_a_404(client):
    assert client.get("/calls/NO-SUCH-CALL").status_code == 404
    assert client.get("/calls/NO-SUCH-CALL/consortium?lead=nl-emmen").status_code == 404


# --------------------------------------------------------------------------- consortium


def test_valid_consortium_shows_members_reasons_alternatives_and_rules(client):
    response = client.get(f"{CALL}/consortium?lead=nl-emmen&size=3")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "A valid consortium of 3 members" in page
    members = section(page, '<ol class="members">', "</ol>")
    assert members.count('<li class="member">') == 3
    assert '<span class="label">Lead</span>' in members
    assert members.count('<span class="label">Partner</span>') == 2
    assert "adds a second country" in members
    assert "Alternatives for this place" in members
    rules = section(page, "The call’s rules for this consortium", "</ul>")
    assert '<span class="status status-passed">Passed</span>' in rules
    assert "Fit between the members" in page


def test_partner_countries_restrict_the_partners(client):
    page = client.get(f"{CALL}/consortium?lead=nl-emmen&countries=DE,IT,HR,RO").get_data(
        as_text=True
    )
    members = section(page, '<ol class="members">', "</ol>")
    partners = re.findall(r'<h3><a href="/cities/([a-z]{2})-', members)[1:]
    assert partners and set(partners) <= {"de", "it", "hr", "ro"}


def test_impossible_consortium_names_the_rule_and_the_relaxations(client):
    page = client.get("/calls/LIFE-2026-CET-ENERPOV/consortium?lead=nl-emmen&size=3&countries=FI")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "No valid consortium of 3 members" in text
    assert "needs members from at least 3 countries" in text
    relaxations = section(text, '<table class="relaxations">', "</table>")
    assert '<span class="status status-passed">Fixes it</span>' in relaxations
    assert '<span class="status status-failed">Does not help</span>' in relaxations
    assert "candidates from any country" in relaxations.lower()


def test_consortium_page_without_input_shows_the_empty_form(client):
    response = client.get(f"{CALL}/consortium")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Please correct" not in page and 'name="lead"' in page


@pytest.mark.parametrize(
    ("query", "field", "kept"),
    [
        ("lead=nl-emmen&size=many", "size", 'value="many"'),
        ("lead=nl-emmen&size=40", "size", 'value="40"'),
        ("lead=nl-emmen&countries=ZZ", "countries", 'value="ZZ"'),
        ("lead=Atlantis", "lead", 'value="Atlantis"'),
        ("lead=&size=3", "lead", 'value="3"'),
    ],
)
def test_invalid_consortium_input_is_a_400_with_the_input_kept(client, query, field, kept):
    response = client.get(f"{CALL}/consortium?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'href="#{field}"' in section(page, 'class="error-summary"', "</div>")
    assert kept in page
    assert '<ol class="members">' not in page


def test_meet_them_creates_an_event_with_the_consortium_and_its_reasons(signed_in, web_session):
    from matcher.services import events

    client = signed_in
    page = client.get(f"{CALL}/consortium?lead=nl-emmen&size=3").get_data(as_text=True)
    assert "Meet them" in page
    response = client.post(
        f"{CALL}/consortium/meet",
        data={"lead": "nl-emmen", "size": "3", "countries": "", "day": "2026-10-05"},
    )
    assert response.status_code == 303
    event_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    schedule = events.get_schedule(web_session, event_id)
    cities = {a.city.slug for a in schedule.event.attendees}
    assert "nl-emmen" in cities and len(cities) >= 3  # lead, 2 partners and alternatives
    with_lead = [m for m in schedule.meetings if "nl-emmen" in (m.a.slug, m.b.slug)]
    partners = [m for m in with_lead if m.kind == "must-meet"]
    assert len(partners) == 2
    assert all(m.reason.startswith("Proposed partner for HORIZON-CID-2026-01-02") for m in partners)


def test_meet_them_needs_a_signed_in_administrator(client, web_session):
    from matcher.services import events

    response = client.post(
        f"{CALL}/consortium/meet", data={"lead": "nl-emmen", "size": "3", "day": "2026-10-05"}
    )
    assert response.status_code == 403
    assert 'action="/sign-in' in response.get_data(as_text=True)
    assert events.list_events(web_session) == []


def test_meet_them_without_a_date_goes_back_to_the_proposal(signed_in):
    response = signed_in.post(
        f"{CALL}/consortium/meet", data={"lead": "nl-emmen", "size": "3", "day": ""}
    )
    assert response.status_code == 303
    assert "/consortium?lead=nl-emmen&size=3" in response.headers["Location"]
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    assert "Meet them: Enter a date." in page


def test_call_page_shows_the_data_date_and_warns_when_it_is_old(client):
    page = client.get("/calls/HORIZON-CID-2026-01-02").get_data(as_text=True)
    assert "Call data as of" in page and "Aug 2026" in page and "refresh with" not in page
    client.application.config["TODAY"] = "2026-12-01"
    page = client.get("/calls/HORIZON-CID-2026-01-02").get_data(as_text=True)
    assert "refresh with <code>matcher calls fetch</code>" in page
