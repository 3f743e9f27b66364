"""Consortium builder: the call's rules as constraints, reasons, alternatives, relaxations, and
quality against exhaustive search."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from matcher.domain import (
    EU27,
    City,
    EligibilityRule,
    FundingCall,
    ProfileEntry,
    ProfileKind,
    RuleKind,
    RuleResult,
    RuleStatus,
)
from matcher.scoring.calls.consortium.builder import brute_force_consortium, build_consortium
from matcher.scoring.calls.consortium.rules import consortium_rules


def rule(kind, **params):
    return EligibilityRule(str(kind), params, True, "")


def call_with(*rules, themes=()):
    return FundingCall(id="CALL-1", title="A call", themes=tuple(themes), rules=tuple(rules))


def city(cid, country, *, mission=False, population=50_000, interests=()):
    profile = tuple(ProfileEntry(ProfileKind.INTEREST, t, 1.0, "declared") for t in interests)
    return City(
        id=cid,
        slug=f"c{cid}",
        name=f"City {cid}",
        country=country,
        population=population,
        mission_city=mission,
        profile=profile,
    )


def fits(mapping, default=0.1):
    """Call fit by city id."""
    return lambda c: mapping.get(c.id, default)


THREE_COUNTRIES = rule(RuleKind.MIN_COUNTRIES, min=3, from_set=None)
MISSION_CITY = rule(RuleKind.REQUIRED_MEMBER, flag="mission_city", min=1)
LEAD = city(0, "NL")


def partner_ids(proposal):
    return [m.city.id for m in proposal.members if m.role == "partner"]


# --------------------------------------------------------------------------- rules


def test_call_rules_become_consortium_constraints():
    rules = consortium_rules(
        call_with(
            rule(RuleKind.COUNTRIES, sets=["HORIZON"], countries=[]),
            rule(RuleKind.COUNTRIES, sets=["EU27"], countries=[], role="coordinator"),
            rule(RuleKind.MIN_PARTNERS, min=3, max=7),
            rule(RuleKind.MIN_COUNTRIES, min=1, from_set="EU27"),
            MISSION_CITY,
            rule(RuleKind.REQUIRED_MEMBER, flag="police_authority", min=3),
        )
    )
    assert "GB" in rules.member_countries and "US" not in rules.member_countries
    assert (rules.min_members, rules.max_members) == (3, 7)
    quotas = [(q.role, q.min, q.within) for q in rules.country_quotas]
    assert quotas == [("coordinator", 1, EU27), ("", 1, EU27)]
    assert [q.flag for q in rules.member_quotas] == ["mission_city"]
    assert [q.describe() for q in rules.other_members] == ["at least 3 police authorities"]


def test_members_a_city_cannot_be_are_named_as_the_call_check_names_them():
    # One wording for the eligibility check and the consortium: not "tent urban node".
    rules = consortium_rules(call_with(
        rule(RuleKind.REQUIRED_MEMBER, flag="tent_urban_node", min=1),
        rule(RuleKind.REQUIRED_MEMBER, flag="research_organisation", min=2),
    ))  # fmt: skip
    assert [q.describe() for q in rules.other_members] == [
        "at least 1 city that is an urban node of the TEN-T network",
        "at least 2 universities or research organisations",
    ]


def test_unparsed_rules_constrain_nothing():
    unparsed = EligibilityRule(str(RuleKind.MIN_COUNTRIES), {"min": 9}, False, "see document")
    assert consortium_rules(call_with(unparsed)).country_quotas == ()


def test_default_size_is_the_smallest_the_call_allows_but_at_least_three():
    assert consortium_rules(call_with()).default_size() == 3
    assert consortium_rules(call_with(rule(RuleKind.MIN_PARTNERS, min=5))).default_size() == 5


# --------------------------------------------------------------------------- building


def test_three_country_rule_takes_a_weaker_city_from_a_third_country():
    candidates = [city(1, "NL"), city(2, "DE"), city(3, "DE"), city(4, "FR")]
    proposal = build_consortium(
        call_with(THREE_COUNTRIES),
        LEAD,
        candidates,
        call_fit=fits({1: 0.9, 2: 0.8, 3: 0.7, 4: 0.2}),
        size=3,
    )
    assert proposal.valid
    assert partner_ids(proposal) == [2, 4]
    assert "adds a third country (FR)" in proposal.members[2].reasons


def test_required_mission_city_is_included_and_named_as_the_reason():
    candidates = [city(1, "DE"), city(2, "FR"), city(3, "IT", mission=True)]
    proposal = build_consortium(
        call_with(MISSION_CITY),
        LEAD,
        candidates,
        call_fit=fits({1: 0.9, 2: 0.8, 3: 0.1}),
        size=3,
    )
    assert 3 in partner_ids(proposal)
    mission = next(m for m in proposal.members if m.city.id == 3)
    assert "Mission city" in mission.reasons


def test_cities_outside_the_eligible_countries_are_never_proposed():
    eu_only = rule(RuleKind.COUNTRIES, sets=["EU27"], countries=[])
    candidates = [city(1, "CH"), city(2, "DE"), city(3, "FR")]
    proposal = build_consortium(
        call_with(eu_only), LEAD, candidates, call_fit=fits({1: 0.99}), size=3
    )
    assert sorted(partner_ids(proposal)) == [2, 3]


def test_lead_that_may_not_coordinate_gets_a_partner_who_may():
    eu_coordinator = rule(RuleKind.COUNTRIES, sets=["EU27"], countries=[], role="coordinator")
    lead = city(0, "NO")
    candidates = [city(1, "CH"), city(2, "IS"), city(3, "DE")]
    proposal = build_consortium(
        call_with(eu_coordinator), lead, candidates, call_fit=fits({1: 0.9, 2: 0.9}), size=3
    )
    assert 3 in partner_ids(proposal)
    coordinator = next(m for m in proposal.members if m.city.id == 3)
    assert "can coordinate (the lead's country cannot)" in coordinator.reasons


def test_shared_call_themes_are_given_as_a_reason_with_their_labels():
    call = call_with(themes=["circular-economy"])
    candidates = [city(1, "DE", interests=["circular-economy"]), city(2, "FR")]
    proposal = build_consortium(
        call,
        LEAD,
        candidates,
        call_fit=fits({1: 0.8}),
        size=2,
        theme_labels={"circular-economy": "circular economy"},
    )
    assert proposal.members[1].reasons == ("strong fit on circular economy",)


def test_pair_fit_matrix_and_callable_give_the_same_proposal():
    candidates = [city(i, c) for i, c in enumerate(["DE", "FR", "IT", "ES", "PL"], start=1)]
    rng = np.random.default_rng(3)
    matrix = rng.random((6, 6))
    matrix = (matrix + matrix.T) / 2
    call_fit = rng.random(6)
    pool = [LEAD, *candidates]
    position = {c.id: n for n, c in enumerate(pool)}
    by_matrix = build_consortium(
        call_with(THREE_COUNTRIES), LEAD, candidates, call_fit=call_fit, pair_fit=matrix, size=4
    )
    by_callable = build_consortium(
        call_with(THREE_COUNTRIES),
        LEAD,
        candidates,
        call_fit=lambda c: call_fit[position[c.id]],
        pair_fit=lambda a, b: matrix[position[a.id], position[b.id]],
        size=4,
    )
    assert partner_ids(by_matrix) == partner_ids(by_callable)
    assert by_matrix.score == pytest.approx(by_callable.score)


def test_pair_fit_can_outweigh_a_better_call_fit():
    candidates = [city(1, "DE"), city(2, "FR")]
    matrix = np.array([[0, 0.0, 1.0], [0.0, 0, 0], [1.0, 0, 0]])
    proposal = build_consortium(
        call_with(), LEAD, candidates, call_fit=[0.5, 0.6, 0.5], pair_fit=matrix, size=2
    )
    assert partner_ids(proposal) == [2]


def test_alternatives_keep_the_rules_met_and_come_best_first():
    candidates = [
        city(1, "DE"),
        city(2, "DE"),
        city(3, "FR"),
        city(4, "FR"),
        city(5, "NL"),
    ]
    proposal = build_consortium(
        call_with(THREE_COUNTRIES),
        LEAD,
        candidates,
        call_fit=fits({1: 0.9, 2: 0.5, 3: 0.8, 4: 0.6, 5: 0.99}),
        size=3,
        alternatives=2,
    )
    by_country = {m.city.country: m for m in proposal.members if m.role == "partner"}
    assert [a.city.id for a in by_country["DE"].alternatives] == [2]  # NL would break the rule
    assert [a.city.id for a in by_country["FR"].alternatives] == [4]
    assert by_country["DE"].alternatives[0].score < proposal.score


def test_lead_and_duplicate_candidates_are_not_proposed_as_partners():
    candidates = [LEAD, city(1, "DE"), city(1, "DE"), city(2, "FR")]
    proposal = build_consortium(call_with(), LEAD, candidates, call_fit=fits({0: 1.0}), size=3)
    assert sorted(partner_ids(proposal)) == [1, 2]


def test_shortlist_keeps_the_only_city_that_meets_a_quota():
    candidates = [city(n, "NL") for n in range(1, 11)] + [city(11, "DE"), city(12, "FR")]
    proposal = build_consortium(
        call_with(THREE_COUNTRIES),
        LEAD,
        candidates,
        call_fit=fits({n: 0.9 for n in range(1, 11)}, default=0.0),
        size=3,
        shortlist=2,
    )
    assert sorted(partner_ids(proposal)) == [11, 12]


def test_non_city_members_are_listed_for_the_user_to_add():
    police = rule(RuleKind.REQUIRED_MEMBER, flag="police_authority", min=3)
    proposal = build_consortium(
        call_with(police), LEAD, [city(1, "DE"), city(2, "FR")], call_fit=fits({}), size=3
    )
    assert proposal.valid
    assert proposal.other_members_needed == ("at least 3 police authorities",)


def test_evaluator_checks_the_proposed_set_lead_first():
    received = []

    def evaluate(call, cities, today):
        received.append([c.id for c in cities])
        return [RuleResult("min_countries", RuleStatus.PASSED, "3 countries")]

    proposal = build_consortium(
        call_with(THREE_COUNTRIES),
        LEAD,
        [city(1, "DE"), city(2, "FR")],
        call_fit=fits({}),
        size=3,
        today=date(2026, 8, 15),
        evaluate=evaluate,
    )
    assert received == [[0, 1, 2]] or received == [[0, 2, 1]]
    assert [r.reason for r in proposal.rule_results] == ["3 countries"]


# --------------------------------------------------------------------------- no valid set


def test_lead_that_no_rule_admits_is_reported_without_a_search():
    sme_only = rule(RuleKind.APPLICANT_TYPE, types=["sme"])
    proposal = build_consortium(
        call_with(sme_only), LEAD, [city(1, "DE")], call_fit=fits({}), size=2
    )
    assert not proposal.valid
    assert [u.kind for u in proposal.unmet] == ["applicant_type"]
    assert "sme" in proposal.unmet[0].reason


def test_missing_mission_city_is_named_and_dropping_it_is_shown_to_fix_it():
    proposal = build_consortium(
        call_with(MISSION_CITY), LEAD, [city(1, "DE"), city(2, "FR")], call_fit=fits({}), size=3
    )
    assert not proposal.valid
    assert [u.kind for u in proposal.unmet] == ["required_member"]
    assert "Mission city" in proposal.unmet[0].reason
    fixes = {r.description: r.fixes for r in proposal.relaxations}
    assert fixes == {"a consortium of 6 members": False, "without the required Mission city": True}


def test_too_small_a_consortium_for_the_country_rule_suggests_the_size_that_works():
    candidates = [city(1, "DE"), city(2, "FR"), city(3, "IT")]
    proposal = build_consortium(
        call_with(rule(RuleKind.MIN_COUNTRIES, min=4, from_set=None)),
        LEAD,
        candidates,
        call_fit=fits({}),
        size=3,
    )
    assert not proposal.valid
    (bigger,) = [r for r in proposal.relaxations if r.kind == "size"]
    assert bigger.fixes and bigger.description == "a consortium of 4 members"
    assert len(bigger.partners) == 3


def test_country_filter_relaxation_is_tested():
    candidates = [city(1, "NL"), city(2, "DE"), city(3, "FR")]
    proposal = build_consortium(
        call_with(THREE_COUNTRIES),
        LEAD,
        candidates,
        call_fit=fits({}),
        size=3,
        countries=["NL", "DE"],
    )
    assert "cover DE, NL" in proposal.unmet[0].reason
    (widened,) = [r for r in proposal.relaxations if r.kind == "country_filter"]
    assert widened.fixes and {c.country for c in widened.partners} == {"DE", "FR"}


def test_open_ended_country_rule_relaxation_admits_the_other_countries():
    open_ended = rule(RuleKind.COUNTRIES, sets=["EU27"], countries=[], open_ended=True)
    proposal = build_consortium(
        call_with(open_ended, THREE_COUNTRIES),
        LEAD,
        [city(1, "DE"), city(2, "NO")],
        call_fit=fits({}),
        size=3,
    )
    assert not proposal.valid
    (wider,) = [r for r in proposal.relaxations if r.kind == "open_countries"]
    assert wider.fixes


# --------------------------------------------------------------------------- quality

COUNTRIES = ["NL", "DE", "FR", "IT", "ES", "PL", "NO", "CH"]


def random_instance(rng):
    """12-16 candidates, 2-4 partners, random countries, Mission flags, rules and fits."""
    n, partners = int(rng.integers(12, 17)), int(rng.integers(2, 5))
    lead = city(0, str(rng.choice(COUNTRIES[:4])), mission=bool(rng.random() < 0.2))
    candidates = [
        city(i, str(rng.choice(COUNTRIES)), mission=bool(rng.random() < 0.2))
        for i in range(1, n + 1)
    ]
    rules = []
    if rng.random() < 0.8:
        rules.append(rule(RuleKind.MIN_COUNTRIES, min=int(rng.integers(2, partners + 2))))
    if rng.random() < 0.5:
        rules.append(rule(RuleKind.MIN_COUNTRIES, min=1, from_set="EU27"))
    if rng.random() < 0.4:
        rules.append(
            rule(RuleKind.REQUIRED_MEMBER, flag="mission_city", min=int(rng.integers(1, 3)))
        )
    if rng.random() < 0.3:
        rules.append(rule(RuleKind.COUNTRIES, sets=["EU27"], countries=[]))
    pair = rng.random((n + 1, n + 1))
    return call_with(*rules), lead, candidates, rng.random(n + 1), (pair + pair.T) / 2, partners + 1


def test_builder_reaches_95_percent_of_the_exact_optimum_on_random_instances():
    rng = np.random.default_rng(20260815)
    ratios, agreements = [], 0
    for _ in range(100):
        call, lead, candidates, call_fit, pair_fit, size = random_instance(rng)
        inputs = {"call_fit": call_fit, "pair_fit": pair_fit, "size": size}
        exact = brute_force_consortium(call, lead, candidates, **inputs)
        proposal = build_consortium(call, lead, candidates, **inputs)
        agreements += proposal.valid == (exact is not None)
        if exact is not None:
            ratios.append(proposal.score / exact[1] if proposal.valid else 0.0)
    assert agreements == 100
    assert len(ratios) >= 80
    assert min(ratios) >= 0.95


# --------------------------------------------------------------------------- seeded calls


def test_proposals_for_seeded_calls_pass_the_eligibility_evaluator():
    from tests.scoring.calls.test_call_ranking import seeded_calls

    shaping = {RuleKind.MIN_COUNTRIES, RuleKind.REQUIRED_MEMBER, RuleKind.MIN_PARTNERS}
    calls = [c for c in seeded_calls() if any(r.kind in shaping for r in c.rules)]
    countries = ["NL", "DE", "FR", "IT", "ES", "PL", "NO", "CH", "GB", "UA", "TR", "RS"]
    candidates = [
        City(
            id=n,
            slug=f"c{n}",
            name=f"City {n}",
            country=countries[n % len(countries)],
            population=30_000 + 1_000 * n,
            mission_city=n % 5 == 0,
            commitments=("com2030", "adaptation") if n % 7 == 0 else ("com2030",),
        )
        for n in range(1, 61)
    ]
    rng = np.random.default_rng(5)
    call_fit, pair_fit = rng.random(61), rng.random((61, 61))
    today = date(2026, 8, 20)
    valid = 0
    for call in calls:
        proposal = build_consortium(
            call, LEAD, candidates, call_fit=call_fit, pair_fit=pair_fit, today=today
        )
        if not proposal.valid:
            assert proposal.unmet
            continue
        valid += 1
        failed = [r for r in proposal.rule_results if r.status == RuleStatus.FAILED]
        assert not failed, (call.id, failed)
    assert valid >= len(calls) // 2
