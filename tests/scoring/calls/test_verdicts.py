"""Eligibility verdicts on real seeded calls: programme participation as recorded, programme
defaults where the portal defers to them, "should" never hard, Annex B additive."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

from matcher.domain import City, RuleKind, RuleStatus
from matcher.scoring.calls.consortium.builder import build_consortium
from matcher.scoring.calls.eligibility import evaluate_city, evaluate_consortium, is_eligible

sys.path.insert(0, str(Path(__file__).parent))
from seeded import seeded_calls  # noqa: E402

SNAPSHOT = date(2026, 8, 20)


@pytest.fixture(scope="module")
def calls():
    return {c.id: c for c in seeded_calls()}


def town(country: str, cid: int = 1, *, mission: bool | None = False) -> City:
    return City(id=cid, slug=f"t{cid}", name=f"Town {cid}", country=country, mission_city=mission)


def country_result(call, city):
    results = evaluate_city(call, city, SNAPSHOT)
    return next(r for r in results if r.kind == RuleKind.COUNTRIES)


def test_norway_does_not_take_part_in_life(calls):
    result = country_result(calls["LIFE-2026-SAP-CLIMA-CCA"], town("NO"))
    assert result.status == RuleStatus.FAILED
    assert "not associated to the LIFE programme" in result.reason


def test_the_uk_is_outside_life_and_inside_horizon_europe(calls):
    assert country_result(calls["LIFE-2026-SAP-NAT-NATURE"], town("GB")).status == "failed"
    horizon = country_result(calls["HORIZON-MISS-2026-04-CIT-01"], town("GB"))
    assert horizon.status == RuleStatus.PASSED
    assert "associated to Horizon Europe since 2024-01-01" in horizon.reason


def test_denmark_is_outside_justice_and_the_internal_security_fund(calls):
    for call_id in ("JUST-2027-JACC-EJUSTICE-DIGITAL", "ISF-2026-TF2-AG-THB"):
        result = country_result(calls[call_id], town("DK"))
        assert result.status == RuleStatus.FAILED and "Protocol No 22" in result.reason
        assert country_result(calls[call_id], town("IT")).status == RuleStatus.PASSED


def test_morocco_is_not_taken_for_associated_to_horizon_europe(calls):
    result = country_result(calls["HORIZON-CL5-2026-10-D6-07"], town("MA"))
    assert result.status == RuleStatus.UNKNOWN and "not in force" in result.reason


def test_egypt_is_associated_for_pillar_two_only(calls):
    result = country_result(calls["HORIZON-CL5-2026-10-D6-07"], town("EG"))
    assert result.status == RuleStatus.UNKNOWN and "Pillar II" in result.reason


def test_a_lone_city_is_never_eligible_now_for_a_defence_fund_call(calls):
    edf = [c for c in calls.values() if c.programme == "European Defence Fund"]
    assert edf
    for call in edf:
        assert is_eligible(evaluate_city(call, town("IT"), SNAPSHOT)) is not True, call.id


def test_a_lone_city_is_never_eligible_now_for_euratom_or_msca_networks(calls):
    for call_id in ("HORIZON-EURATOM-2026-01-01", "HORIZON-MSCA-2026-DN-01-01"):
        assert is_eligible(evaluate_city(calls[call_id], town("FR"), SNAPSHOT)) is None


def test_a_call_deferring_to_its_call_document_asks_to_check_it(calls):
    results = evaluate_city(calls["CERV-2026-CITIZENS-TOWN-TT"], town("IT"), SNAPSHOT)
    partners = next(r for r in results if r.kind == RuleKind.MIN_PARTNERS)
    assert partners.status == RuleStatus.UNKNOWN
    assert "call document" in partners.source_sentence


def test_should_is_never_a_hard_rule(calls):
    call = calls["HORIZON-MISS-2026-01-CLIMA-05"]
    assert not any("Should already identify" in r.source_sentence for r in call.rules)
    minimum = [r.params["min"] for r in call.rules if r.kind == RuleKind.MIN_PARTNERS]
    assert minimum == [3]  # the Annex B standard consortium


def test_annex_b_is_kept_next_to_an_additional_clause(calls):
    call = calls["HORIZON-MISS-2027-04-CIT-03"]
    bases = {r.params.get("basis", "") for r in call.rules if r.kind == RuleKind.MIN_PARTNERS}
    assert any("Annex B" in b for b in bases)
    assert any("additional" in r.source_sentence for r in call.rules)


def test_mission_city_rule_needs_a_mission_city_in_the_consortium(calls):
    call = calls["HORIZON-MISS-2027-04-CIT-03"]
    flagged = [r for r in call.rules if r.params.get("flag") == "mission_city"]
    assert flagged
    today = date(2026, 12, 1)
    members = [town("IT", 1, mission=False), town("FR", 2), town("ES", 3), town("DE", 4)]
    without = evaluate_consortium(call, members, today)
    assert is_eligible(without) is False
    members[0] = town("IT", 1, mission=True)
    with_one = evaluate_consortium(call, members, today)
    mission = [r for r in with_one if r.kind == RuleKind.REQUIRED_MEMBER and "Mission" in r.reason]
    assert mission and all(r.status == RuleStatus.PASSED for r in mission)


def test_a_closed_call_has_no_valid_consortium(calls):
    call = calls["HORIZON-CL5-2026-10-D6-07"]
    lead, partners = town("IT", 1), [town("FR", 2), town("ES", 3), town("DE", 4)]
    fits = [0.5] * 4
    proposal = build_consortium(call, lead, partners, call_fit=fits, today=date(2027, 1, 1))
    assert not proposal.valid
    assert proposal.unmet[0].kind == RuleKind.DEADLINE and "closed" in proposal.unmet[0].reason


def test_the_us_is_eligible_for_funding_where_a_health_call_names_it(calls):
    call = calls["HORIZON-HLTH-2027-01-CARE-02"]
    result = country_result(call, town("US"))
    assert result.status == RuleStatus.PASSED
    assert "names as eligible for EU funding" in result.reason
    assert "United States of America" in result.source_sentence
    # The programme's own countries are unchanged next to it.
    assert country_result(call, town("IT")).status == RuleStatus.PASSED
    assert country_result(call, town("NO")).status == RuleStatus.PASSED
    # A Horizon call that names no third country does not admit the US.
    other = country_result(calls["HORIZON-MISS-2026-04-CIT-01"], town("US"))
    assert other.status == RuleStatus.FAILED


def test_third_countries_named_under_a_condition_are_to_be_checked(calls):
    result = country_result(calls["HORIZON-INFRA-2027-SERV-01-01"], town("US"))
    assert result.status == RuleStatus.UNKNOWN
    assert "access to their state-of-the-art research infrastructures" in result.reason


def _flags(call):
    return {r.params["flag"]: r.params["min"] for r in call.rules if r.params.get("flag")}


def test_required_member_groups_are_kept(calls):
    assert _flags(calls["HORIZON-EIE-2026-03-CONNECT-01"]) == {
        "research_organisation": 3,
        "widening_country_entity": 1,
    }
    assert _flags(calls["HORIZON-EIE-2027-01-CONNECT-03"]) == {
        "research_organisation": 1,
        "philanthropy_organisation": 1,
    }
    assert _flags(calls["HORIZON-INFRA-2027-TECH-01-01"]) == {"research_infrastructure": 2}
    assert _flags(calls["HORIZON-MISS-2027-04-CIT-03"])["tent_urban_node"] == 1
    assert _flags(calls["HORIZON-WIDERA-2027-04-WIDENING-01"]) == {"local_or_regional_authority": 1}
    widening = [r for r in calls["HORIZON-WIDERA-2027-04-WIDENING-01"].rules
                if r.kind == RuleKind.MIN_COUNTRIES]  # fmt: skip
    assert [r.params for r in widening] == [{"min": 2, "from_set": "WIDENING"}]


def test_a_member_group_cities_cannot_fill_keeps_the_consortium_unconfirmed(calls):
    call = calls["HORIZON-EIE-2026-03-CONNECT-01"]
    members = [town("IT", 1), town("FR", 2), town("PL", 3)]
    results = evaluate_consortium(call, members, SNAPSHOT)
    groups = {r.reason: r.status for r in results if r.kind == RuleKind.REQUIRED_MEMBER}
    assert is_eligible(results) is None
    research = [s for reason, s in groups.items() if "universities or research" in reason]
    assert research == [RuleStatus.UNKNOWN]
    widening = [s for reason, s in groups.items() if "Widening country" in reason]
    assert widening == [RuleStatus.PASSED]  # Town 3 is in Poland
    results = evaluate_consortium(call, [town("IT", 1), town("FR", 2), town("DE", 3)], SNAPSHOT)
    widening = [r for r in results if "Widening country" in r.reason]
    assert widening[0].status == RuleStatus.UNKNOWN and "partner organisation" in widening[0].reason


def test_the_hop_on_facility_is_joined_through_a_running_projects_coordinator(calls):
    call = calls["HORIZON-WIDERA-2026-03-WIDENING-01"]
    # Not the Annex B three: the text lists the members (a Widening-country entity and the
    # coordinator of an already funded action), which the flattened portal text splits.
    minimum = [r for r in call.rules if r.kind == RuleKind.MIN_PARTNERS]
    assert [(r.params, r.parsed) for r in minimum] == [({}, False)]
    assert _flags(call) == {"widening_country_entity": 1}
    results = evaluate_city(call, town("PL"), SNAPSHOT)
    assert is_eligible(results) is None  # never "eligible now" for a lone city
    coordinator = [r for r in results if r.kind == RuleKind.APPLICANT_TYPE]
    assert coordinator[0].status == RuleStatus.UNKNOWN
    assert "already funded action" in coordinator[0].source_sentence


def test_a_lone_city_cannot_apply_for_a_personal_research_grant(calls):
    for call_id in ("ERC-2027-STG", "HORIZON-MSCA-2026-PF-01-01"):
        results = evaluate_city(calls[call_id], town("IT"), SNAPSHOT)
        assert is_eligible(results) is False, call_id
        applicant = next(r for r in results if r.kind == RuleKind.APPLICANT_TYPE)
        assert applicant.status == RuleStatus.FAILED and "a municipality cannot" in applicant.reason
        assert "Work Programme" in applicant.source_sentence  # the programme's rule, named
