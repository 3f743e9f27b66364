"""Eligibility of a city and of a consortium against a call's rules, with reasons."""

from __future__ import annotations

from datetime import date

import pytest

from matcher.domain import City, EligibilityRule, FundingCall, RuleKind, RuleStatus
from matcher.scoring.calls.eligibility import (
    evaluate_city,
    evaluate_consortium,
    failing,
    is_eligible,
)

TODAY = date(2026, 8, 20)
EMMEN = City(id=1, slug="emmen", name="Emmen", country="NL", population=107_000, mission_city=False)
BOLOGNA = City(id=2, slug="bologna", name="Bologna", country="IT", population=390_000,
               mission_city=True)  # fmt: skip
PETERBOROUGH = City(id=3, slug="peterborough", name="Peterborough", country="UK",
                    population=215_000, mission_city=None)  # fmt: skip
OLDENBURG = City(id=4, slug="oldenburg", name="Oldenburg", country="DE", population=170_000)


def _rule(kind: RuleKind, params: dict | None = None, *, parsed: bool = True) -> EligibilityRule:
    return EligibilityRule(kind=str(kind), params=params or {}, parsed=parsed, source_sentence="s")


def _call(*rules: EligibilityRule, deadlines=(date(2026, 9, 17),)) -> FundingCall:
    return FundingCall(id="T", title="Topic", deadlines=tuple(deadlines), rules=rules)


def _only(results, kind: RuleKind):
    (result,) = [r for r in results if r.kind == kind]
    return result


HORIZON = _rule(RuleKind.COUNTRIES, {"sets": ["HORIZON"], "countries": []})
EU_ONLY = _rule(RuleKind.COUNTRIES, {"sets": ["EU27"], "countries": []})


# --------------------------------------------------------------------------- single city


def test_city_in_member_state_passes_country_rule_with_reason():
    result = _only(evaluate_city(_call(EU_ONLY), EMMEN, TODAY), RuleKind.COUNTRIES)
    assert result.status == RuleStatus.PASSED
    assert result.reason == "Emmen is in the Netherlands, an EU member state: eligible"
    assert result.source_sentence == "s"


def test_uk_city_passes_horizon_as_associated_country():
    result = _only(evaluate_city(_call(HORIZON), PETERBOROUGH, TODAY), RuleKind.COUNTRIES)
    assert result.status == RuleStatus.PASSED
    assert "associated to Horizon Europe" in result.reason


def test_uk_city_fails_member_states_only_call():
    result = _only(evaluate_city(_call(EU_ONLY), PETERBOROUGH, TODAY), RuleKind.COUNTRIES)
    assert result.status == RuleStatus.FAILED


def test_unlisted_country_of_open_ended_rule_is_unknown():
    rule = _rule(RuleKind.COUNTRIES, {"sets": ["EU27"], "countries": [], "open_ended": True})
    result = _only(evaluate_city(_call(rule), PETERBOROUGH, TODAY), RuleKind.COUNTRIES)
    assert result.status == RuleStatus.UNKNOWN


def test_unparsed_rule_is_unknown_never_passed():
    result = _only(
        evaluate_city(_call(_rule(RuleKind.COUNTRIES, parsed=False)), EMMEN, TODAY),
        RuleKind.COUNTRIES,
    )
    assert result.status == RuleStatus.UNKNOWN


def test_sme_only_call_fails_a_municipality():
    rule = _rule(RuleKind.APPLICANT_TYPE, {"types": ["sme", "small_mid_cap"]})
    result = _only(evaluate_city(_call(rule), EMMEN, TODAY), RuleKind.APPLICANT_TYPE)
    assert result.status == RuleStatus.FAILED
    assert "SMEs" in result.reason


def test_public_bodies_call_admits_a_municipality():
    rule = _rule(RuleKind.APPLICANT_TYPE, {"types": ["public_body", "private_entity"]})
    result = _only(evaluate_city(_call(rule), EMMEN, TODAY), RuleKind.APPLICANT_TYPE)
    assert result.status == RuleStatus.PASSED


def test_population_above_maximum_fails():
    rule = _rule(RuleKind.POPULATION, {"min": None, "max": 49_999})
    result = _only(evaluate_city(_call(rule), EMMEN, TODAY), RuleKind.POPULATION)
    assert result.status == RuleStatus.FAILED


def test_unknown_population_is_unknown():
    rule = _rule(RuleKind.POPULATION, {"min": None, "max": 49_999})
    city = City(id=9, slug="x", name="X", country="NL")
    result = _only(evaluate_city(_call(rule), city, TODAY), RuleKind.POPULATION)
    assert result.status == RuleStatus.UNKNOWN


def test_passed_deadline_fails_with_date():
    result = _only(
        evaluate_city(_call(deadlines=[date(2026, 8, 1)]), EMMEN, TODAY), RuleKind.DEADLINE
    )
    assert (result.status, result.reason) == (RuleStatus.FAILED, "Deadline 2026-08-01 has passed")


def test_upcoming_deadline_passes_with_days_left():
    result = _only(evaluate_city(_call(), EMMEN, TODAY), RuleKind.DEADLINE)
    assert (result.status, result.reason) == (RuleStatus.PASSED, "Deadline 2026-09-17 (in 28 days)")


def test_missing_deadline_is_unknown():
    result = _only(evaluate_city(_call(deadlines=()), EMMEN, TODAY), RuleKind.DEADLINE)
    assert result.status == RuleStatus.UNKNOWN


def test_single_city_needs_partners_is_unknown_not_failed():
    rule = _rule(RuleKind.MIN_PARTNERS, {"min": 3})
    result = _only(evaluate_city(_call(rule), EMMEN, TODAY), RuleKind.MIN_PARTNERS)
    assert (result.status, result.reason) == (
        RuleStatus.UNKNOWN,
        "Needs partners: at least 3 partners",
    )


def test_single_city_meets_mono_beneficiary_rule():
    rule = _rule(RuleKind.MIN_PARTNERS, {"min": 1, "max": 1})
    result = _only(evaluate_city(_call(rule), EMMEN, TODAY), RuleKind.MIN_PARTNERS)
    assert result.status == RuleStatus.PASSED


def test_mission_city_alone_meets_mission_city_requirement():
    rule = _rule(RuleKind.REQUIRED_MEMBER, {"flag": "mission_city", "min": 1})
    result = _only(evaluate_city(_call(rule), BOLOGNA, TODAY), RuleKind.REQUIRED_MEMBER)
    assert result.status == RuleStatus.PASSED


def test_widening_coordinator_rule_for_non_widening_city_is_needs_partners():
    rule = _rule(RuleKind.COUNTRIES, {"sets": [], "countries": ["PL"], "role": "coordinator"})
    results = evaluate_city(_call(HORIZON, rule), EMMEN, TODAY)
    general, coordinator = [r for r in results if r.kind == RuleKind.COUNTRIES]
    assert general.status == RuleStatus.PASSED
    assert coordinator.status == RuleStatus.UNKNOWN
    assert coordinator.reason.startswith("Needs partners")


# --------------------------------------------------------------------------- consortium


def test_consortium_with_two_countries_fails_three_country_rule():
    rule = _rule(RuleKind.MIN_COUNTRIES, {"min": 3, "from_set": None})
    result = _only(
        evaluate_consortium(_call(rule), [EMMEN, OLDENBURG], TODAY), RuleKind.MIN_COUNTRIES
    )
    assert (result.status, result.reason) == (
        RuleStatus.FAILED,
        "Needs partners from at least 3 countries; this consortium has 2 (DE, NL)",
    )


def test_member_state_count_ignores_associated_countries():
    rule = _rule(RuleKind.MIN_COUNTRIES, {"min": 2, "from_set": "EU27"})
    result = _only(
        evaluate_consortium(_call(rule), [EMMEN, PETERBOROUGH], TODAY), RuleKind.MIN_COUNTRIES
    )
    assert result.status == RuleStatus.FAILED


def test_min_partners_met_by_consortium():
    rule = _rule(RuleKind.MIN_PARTNERS, {"min": 3})
    cities = [EMMEN, OLDENBURG, BOLOGNA]
    result = _only(evaluate_consortium(_call(rule), cities, TODAY), RuleKind.MIN_PARTNERS)
    assert result.status == RuleStatus.PASSED


def test_mission_city_missing_fails_when_all_statuses_known():
    rule = _rule(RuleKind.REQUIRED_MEMBER, {"flag": "mission_city", "min": 1})
    result = _only(evaluate_consortium(_call(rule), [EMMEN], TODAY), RuleKind.REQUIRED_MEMBER)
    assert result.status == RuleStatus.FAILED


def test_mission_city_status_not_on_record_gives_unknown():
    rule = _rule(RuleKind.REQUIRED_MEMBER, {"flag": "mission_city", "min": 1})
    result = _only(
        evaluate_consortium(_call(rule), [EMMEN, PETERBOROUGH], TODAY), RuleKind.REQUIRED_MEMBER
    )
    assert result.status == RuleStatus.UNKNOWN


def test_non_city_member_requirement_is_unknown():
    rule = _rule(RuleKind.REQUIRED_MEMBER, {"flag": "police_authority", "min": 3})
    result = _only(evaluate_consortium(_call(rule), [EMMEN], TODAY), RuleKind.REQUIRED_MEMBER)
    assert result.status == RuleStatus.UNKNOWN


def test_consortium_country_rule_fails_if_one_member_fails():
    result = _only(
        evaluate_consortium(_call(EU_ONLY), [EMMEN, PETERBOROUGH], TODAY), RuleKind.COUNTRIES
    )
    assert result.status == RuleStatus.FAILED
    assert "Peterborough" in result.reason


def test_coordinator_rule_passes_when_one_member_can_lead():
    rule = _rule(RuleKind.COUNTRIES, {"sets": [], "countries": ["IT"], "role": "coordinator"})
    result = _only(evaluate_consortium(_call(rule), [EMMEN, BOLOGNA], TODAY), RuleKind.COUNTRIES)
    assert result.status == RuleStatus.PASSED


def test_empty_consortium_is_rejected():
    with pytest.raises(ValueError):
        evaluate_consortium(_call(), [], TODAY)


# --------------------------------------------------------------------------- verdicts


def test_is_eligible_false_when_any_rule_failed():
    results = evaluate_city(_call(EU_ONLY, deadlines=[date(2026, 1, 1)]), EMMEN, TODAY)
    assert is_eligible(results) is False
    assert [r.kind for r in failing(results)] == [RuleKind.DEADLINE]


def test_is_eligible_none_when_only_unknowns_remain():
    results = evaluate_city(_call(EU_ONLY, _rule(RuleKind.MIN_PARTNERS, {"min": 3})), EMMEN, TODAY)
    assert is_eligible(results) is None


def test_is_eligible_true_when_all_rules_pass():
    assert is_eligible(evaluate_city(_call(EU_ONLY), EMMEN, TODAY)) is True


def test_unreadable_cofunding_does_not_block_eligibility():
    results = evaluate_city(_call(EU_ONLY, _rule(RuleKind.COFUNDING, parsed=False)), EMMEN, TODAY)
    assert is_eligible(results) is True


def test_cofunding_reason_mentions_non_profit_rate():
    rule = _rule(RuleKind.COFUNDING, {"rate": 0.6, "non_profit_rate": 1.0})
    result = _only(evaluate_city(_call(rule), EMMEN, TODAY), RuleKind.COFUNDING)
    assert "60%" in result.reason and "100%" in result.reason
