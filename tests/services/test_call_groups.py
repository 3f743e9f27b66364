"""How a ranked call is grouped for a city: co-funding never gates, unsuited calls apart."""

from __future__ import annotations

from types import SimpleNamespace

from matcher.domain import RuleResult, RuleStatus
from matcher.scoring.calls.suitability import Suitability
from matcher.services.calls import offer_group, rule_group

PASSED = RuleResult("eligible_countries", RuleStatus.PASSED, "EU member state")
UNREADABLE_RATE = RuleResult("cofunding_rate", RuleStatus.UNKNOWN, "rate not readable")
PARTNERS = RuleResult("min_partners", RuleStatus.UNKNOWN, "Needs partners: at least 3")


def match(rules, level="written_for_cities", score=1.0):
    return SimpleNamespace(rules=rules, suitability=Suitability(level, score, "why", "text"))


def test_an_unreadable_cofunding_rate_does_not_send_a_call_to_check_the_text():
    assert rule_group([PASSED, UNREADABLE_RATE]) == "eligible"
    assert rule_group([PASSED, UNREADABLE_RATE, PARTNERS]) == "needs_partners"


def test_a_call_not_aimed_at_municipalities_is_listed_apart():
    assert offer_group(match([PASSED], "unlikely", 0.1)) == "unsuited"
    assert offer_group(match([PASSED])) == "eligible"


def test_a_failed_rule_stays_the_reason_even_for_an_unsuited_call():
    failed = RuleResult("eligible_countries", RuleStatus.FAILED, "not eligible")
    assert offer_group(match([failed], "never", 0.0)) == "ineligible"


def test_the_data_date_is_the_newest_fetch_or_snapshot():
    from datetime import date

    from matcher.services.calls import data_date

    snapshot = "EU Funding & Tenders portal (European Commission), snapshot Aug 2026"
    assert data_date([snapshot]) == (date(2026, 8, 1), "Aug 2026")
    fetched = "EU Funding & Tenders portal search API (European Commission), fetched 2026-12-01"
    assert data_date([snapshot, fetched]) == (date(2026, 12, 1), "2026-12-01")
    assert data_date(["imported"]) == (None, "")
