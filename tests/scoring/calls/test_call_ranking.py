"""CallIndex: filters before eligibility, eligibility split with reasons, relevance and order."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from matcher.domain import (
    City,
    EligibilityRule,
    FundingCall,
    ProfileEntry,
    ProfileKind,
    RuleResult,
    RuleStatus,
)
from matcher.scoring.calls import eligibility
from matcher.scoring.calls.ranking import CallFitWeights, CallIndex

THEMES = ["energy", "mobility", "waste", "data"]
TODAY = date(2026, 8, 15)
DATA = Path(__file__).resolve().parents[3] / "data"


def call(cid, themes=(), deadlines=("2026-10-01",), **extra):
    return FundingCall(
        id=cid,
        title=extra.pop("title", f"Call {cid}"),
        themes=tuple(themes),
        deadlines=tuple(date.fromisoformat(d) for d in deadlines),
        **extra,
    )


def city(cid=1, country="NL", interests=(), needs=()):
    profile = tuple(ProfileEntry(ProfileKind.INTEREST, t, 1.0, "declared") for t in interests)
    profile += tuple(ProfileEntry(ProfileKind.NEED, t, 1.0, "declared") for t in needs)
    return City(id=cid, slug=f"c{cid}", name=f"City {cid}", country=country, profile=profile)


def passes(call, city, today):
    return [RuleResult("deadline", RuleStatus.PASSED, "the deadline has not passed")]


def index_of(*calls, share_rule_results=True, **weights):
    weights = CallFitWeights(**weights) if weights else CallFitWeights()
    index = CallIndex(weights, share_rule_results=share_rule_results)
    return index.fit(calls, THEMES)


def ids(matches):
    return [m.call_id for m in matches]


# --------------------------------------------------------------------------- filters


def test_status_open_excludes_forthcoming_and_closed_calls():
    index = index_of(
        call("open"),
        call("forthcoming", opening_date=date(2026, 9, 1)),
        call("closed", deadlines=("2026-08-01",)),
    )
    ranking = index.rank_for_city(city(), TODAY, status="open", evaluate=passes)
    assert ids(ranking.eligible) == ["open"]


def test_status_forthcoming_keeps_only_calls_not_yet_open():
    index = index_of(call("open"), call("forthcoming", opening_date=date(2026, 9, 1)))
    ranking = index.rank_for_city(city(), TODAY, status="forthcoming", evaluate=passes)
    assert ids(ranking.eligible) == ["forthcoming"]
    assert ranking.eligible[0].status == "forthcoming"


def test_status_all_means_every_call_not_closed():
    index = index_of(
        call("a"),
        call("b", opening_date=date(2026, 9, 1)),
        call("closed", deadlines=("2026-08-14",)),
    )
    ranking = index.rank_for_city(city(), TODAY, status="all", evaluate=passes)
    assert sorted(ids(ranking.eligible)) == ["a", "b"]


def test_unknown_status_filter_is_rejected():
    with pytest.raises(ValueError, match="status"):
        index_of(call("a")).rank_for_city(city(), TODAY, status="closed", evaluate=passes)


def test_programme_filter_ignores_case():
    index = index_of(call("life", programme="LIFE"), call("he", programme="Horizon Europe"))
    ranking = index.rank_for_city(city(), TODAY, programmes=["life"], evaluate=passes)
    assert ids(ranking.eligible) == ["life"]


def test_deadline_window_keeps_calls_due_within_it_and_drops_undated_ones():
    index = index_of(
        call("soon", deadlines=("2026-08-30",)),
        call("late", deadlines=("2026-12-01",)),
        call("undated", deadlines=()),
    )
    ranking = index.rank_for_city(city(), TODAY, deadline_within_days=30, evaluate=passes)
    assert ids(ranking.eligible) == ["soon"]


def test_min_budget_drops_smaller_calls_but_keeps_unpublished_budgets():
    index = index_of(
        call("small", budget_max=100_000.0),
        call("big", budget_max=2_000_000.0),
        call("unpublished"),
    )
    ranking = index.rank_for_city(city(), TODAY, min_budget=1_000_000, evaluate=passes)
    assert sorted(ids(ranking.eligible)) == ["big", "unpublished"]


def test_evaluator_runs_only_on_calls_that_passed_the_filters():
    seen = []

    def spy(call, city, today):
        seen.append(call.id)
        return []

    index = index_of(
        call("kept", programme="LIFE"), call("dropped", programme="CERV"), share_rule_results=False
    )
    index.rank_for_city(city(), TODAY, programmes=["LIFE"], evaluate=spy)
    assert seen == ["kept"]


# --------------------------------------------------------------------------- eligibility


def by_call(verdicts):
    """An evaluator answering a fixed status per call id."""

    def evaluate(call, city, today):
        status = verdicts.get(call.id, RuleStatus.PASSED)
        return [RuleResult("eligible_countries", status, f"{call.id}: {status}", "Sentence.")]

    return evaluate


def test_failed_rule_puts_the_call_in_ineligible_with_its_reason():
    index = index_of(call("ok"), call("no"), share_rule_results=False)
    ranking = index.rank_for_city(city(), TODAY, evaluate=by_call({"no": RuleStatus.FAILED}))
    assert ids(ranking.eligible) == ["ok"]
    (excluded,) = ranking.ineligible
    assert excluded.eligible is False
    assert [r.reason for r in excluded.failed_rules] == ["no: failed"]


def test_unknown_rule_does_not_fail_the_call_but_asks_to_check_the_text():
    index = index_of(call("maybe"), share_rule_results=False)
    ranking = index.rank_for_city(city(), TODAY, evaluate=by_call({"maybe": RuleStatus.UNKNOWN}))
    (match,) = ranking.unknown
    assert match.eligible is None
    assert [r.kind for r in match.unknown_rules] == ["eligible_countries"]
    assert not ranking.eligible and not ranking.ineligible


def test_co_funding_rate_is_information_and_never_decides_eligibility():
    def evaluate(call, city, today):
        return [RuleResult("cofunding_rate", RuleStatus.UNKNOWN, "rate unreadable")]

    (match,) = index_of(call("a")).rank_for_city(city(), TODAY, evaluate=evaluate).eligible
    assert match.eligible is True and match.unknown_rules == ()


# --------------------------------------------------------------------------- relevance


def test_needs_weigh_more_than_interests():
    index = index_of(call("on-interest", ["energy"]), call("on-need", ["waste"]))
    query = city(interests=["energy"], needs=["waste"])
    ranking = index.rank_for_city(query, TODAY, evaluate=passes)
    assert ids(ranking.eligible) == ["on-need", "on-interest"]
    assert ranking.eligible[0].parts["themes"] > ranking.eligible[1].parts["themes"]


def test_matching_themes_name_needs_first_then_interests():
    index = index_of(call("both", ["energy", "waste", "data"]))
    query = city(interests=["energy", "mobility"], needs=["waste"])
    (match,) = index.rank_for_city(query, TODAY, evaluate=passes).eligible
    assert match.matching_themes == ("waste", "energy")
    assert match.matching_needs == ("waste",)


def test_city_text_lifts_the_call_whose_text_matches():
    index = index_of(
        call("heat", ["energy"], title="District heating networks for small towns"),
        call("grid", ["energy"], title="Offshore grid interconnectors"),
    )
    query = city(interests=["energy"])
    ranking = index.rank_for_city(
        query, TODAY, city_text="our district heating network", evaluate=passes
    )
    assert ids(ranking.eligible) == ["heat", "grid"]
    assert ranking.eligible[0].parts["text"] > 0 == ranking.eligible[1].parts["text"]


def test_without_city_text_relevance_is_the_theme_part_alone():
    index = index_of(call("a", ["energy"]))
    (match,) = index.rank_for_city(city(interests=["energy"]), TODAY, evaluate=passes).eligible
    assert match.relevance == pytest.approx(match.parts["themes"]) == pytest.approx(1.0)


def test_fit_blends_suitability_with_relevance():
    index = index_of(call("a", ["energy"]), suitability=0.4)
    (match,) = index.rank_for_city(city(interests=["energy"]), TODAY, evaluate=passes).eligible
    expected = 0.4 * match.parts["suitability"] + 0.6 * match.relevance
    assert match.fit == pytest.approx(expected, abs=1e-6)


def test_relevance_with_text_is_the_weighted_mean_of_the_parts():
    index = index_of(call("a", ["energy"], title="heat pumps"), themes=0.6, text=0.4)
    ranking = index.rank_for_city(
        city(interests=["energy", "data"]), TODAY, city_text="heat pumps", evaluate=passes
    )
    (match,) = ranking.eligible
    parts = match.parts
    expected = 0.6 * parts["themes"] + 0.4 * parts["text"]
    assert match.relevance == pytest.approx(expected, abs=1e-6)
    assert 0.0 <= match.fit <= 1.0


def test_call_themes_outside_the_vocabulary_are_ignored_and_listed():
    index = index_of(call("a", ["energy", "space-tourism"]))
    assert index.unknown_themes_ == frozenset({"space-tourism"})
    (match,) = index.rank_for_city(city(interests=["energy"]), TODAY, evaluate=passes).eligible
    assert match.parts["themes"] == pytest.approx(1.0)


# --------------------------------------------------------------------------- ordering


def test_equal_fit_orders_by_deadline_then_id():
    index = index_of(
        call("b-late", ["energy"], deadlines=("2026-12-01",)),
        call("c-soon", ["energy"], deadlines=("2026-09-01",)),
        call("a-late", ["energy"], deadlines=("2026-12-01",)),
        call("d-undated", ["energy"], deadlines=()),
    )
    ranking = index.rank_for_city(city(interests=["energy"]), TODAY, evaluate=passes)
    assert ids(ranking.eligible) == ["c-soon", "a-late", "b-late", "d-undated"]


def test_deadline_shown_is_the_next_one_on_or_after_today():
    index = index_of(call("two-stage", deadlines=("2026-08-01", "2026-08-15", "2027-01-20")))
    (match,) = index.rank_for_city(city(), TODAY, evaluate=passes).eligible
    assert (match.deadline, match.days_left) == (date(2026, 8, 15), 0)


def test_limit_caps_each_list_but_considered_counts_every_call():
    index = index_of(*(call(f"c{n}") for n in range(5)), call("x"), share_rule_results=False)
    verdicts = by_call({"x": RuleStatus.FAILED})
    ranking = index.rank_for_city(city(), TODAY, evaluate=verdicts, limit=2)
    assert (len(ranking.eligible), len(ranking.ineligible), ranking.considered) == (2, 1, 6)


# --------------------------------------------------------------------------- consortium


def test_consortium_ranking_evaluates_all_members_and_matches_any_members_themes():
    received = []

    def evaluate(call, cities, today):
        received.append(tuple(c.id for c in cities))
        return []

    index = index_of(call("energy", ["energy"]), call("waste", ["waste"]), call("data", ["data"]))
    members = [city(1, interests=["energy"]), city(2, "DE", needs=["waste"])]
    ranking = index.rank_for_consortium(members, TODAY, evaluate=evaluate)
    assert set(received) == {(1, 2)}
    assert sorted(ids(ranking.eligible)[:2]) == ["energy", "waste"]
    assert ranking.eligible[-1].call_id == "data"
    assert ranking.eligible[-1].matching_themes == ()


def test_call_fit_of_cities_agrees_with_the_ranking():
    index = index_of(call("a", ["energy", "waste"]), call("b", ["data"]))
    cities = [city(1, interests=["energy"]), city(2, needs=["waste", "data"])]
    fits = index.call_fit_of_cities("a", cities)
    for one, fit in zip(cities, fits, strict=True):
        ranking = index.rank_for_city(one, TODAY, evaluate=passes)
        match = next(m for m in ranking.eligible if m.call_id == "a")
        assert fit == pytest.approx(match.parts["themes"])


# --------------------------------------------------------------------------- seeded calls


def seeded_calls():
    records = json.loads((DATA / "calls.json").read_text(encoding="utf-8"))["calls"]
    return [
        FundingCall(
            id=r["id"],
            title=r["title"],
            programme=r["programme"],
            description=r["description"],
            keywords=tuple(r["keywords"]),
            themes=tuple(r["themes"]),
            deadlines=tuple(date.fromisoformat(d) for d in r["deadlines"]),
            rules=tuple(
                EligibilityRule(x["kind"], x["params"], x["parsed"], x["source_sentence"])
                for x in r["rules"]
            ),
        )
        for r in records
    ]


@pytest.fixture(scope="module")
def seeded_index():
    """The index over every seeded call, fitted once for the tests that need real data."""
    themes = json.loads((DATA / "themes.json").read_text(encoding="utf-8"))["themes"]
    return CallIndex().fit(seeded_calls(), [t["id"] for t in themes])


def test_seeded_calls_rank_with_the_real_evaluator(seeded_index):
    query = city(country="NL", interests=["energy-transition"], needs=["circular-economy"])
    ranking = seeded_index.rank_for_city(query, TODAY)
    assert ranking.eligible
    assert all(m.eligible is False and m.failed_rules for m in ranking.ineligible)
    fits = [m.fit for m in ranking.eligible]
    assert fits == sorted(fits, reverse=True)


def test_shared_rule_results_equal_evaluating_each_call(seeded_index):
    applicants = [
        city(1, "NL", interests=["energy"]),
        City(id=2, slug="ua", name="Lviv", country="UA", population=700_000, mission_city=True),
        City(id=3, slug="ch", name="Basel", country="CH", population=None),
    ]
    for applicant in applicants:
        ranking = seeded_index.rank_for_city(applicant, TODAY)
        for match in ranking.eligible + ranking.unknown + ranking.ineligible:
            expected = tuple(eligibility.evaluate_city(match.call, applicant, TODAY))
            assert match.rules == expected, match.call_id
            assert match.eligible is eligibility.is_eligible(expected), match.call_id


def test_each_distinct_rule_set_is_evaluated_once_per_query():
    countries = EligibilityRule("eligible_countries", {"sets": ["EU27"], "countries": []})
    evaluated = []

    def spy(call, city, today):
        evaluated.append((call.id, len(call.rules)))
        return eligibility.evaluate_city(call, city, today)

    same_rules = [call(f"c{n}", rules=(countries,)) for n in range(4)]
    index_of(*same_rules).rank_for_city(city(), TODAY, evaluate=spy)
    assert sum(1 for _, rules in evaluated if rules == 1) == 1


def test_shared_rule_results_equal_evaluating_each_call_for_a_consortium(seeded_index):
    members = [city(1, "NL"), city(2, "DE"), City(id=3, slug="ua", name="Lviv", country="UA")]
    ranking = seeded_index.rank_for_consortium(members, TODAY)
    for match in ranking.eligible + ranking.unknown + ranking.ineligible:
        expected = tuple(eligibility.evaluate_consortium(match.call, members, TODAY))
        assert match.rules == expected, match.call_id


def test_call_listed_forthcoming_without_opening_date_is_forthcoming_until_closed():
    from datetime import date

    from matcher.domain import FundingCall
    from matcher.scoring.calls.ranking import CallIndex

    call = FundingCall(id="X-1", title="Synthetic forthcoming call", portal_status="forthcoming",
                       deadlines=(date(2027, 3, 1),))  # fmt: skip
    index = CallIndex().fit([call], ["open-data"])
    day = date(2026, 11, 22)
    mask, forthcoming, _ = index._filter_mask(day, "forthcoming", None, None, None)
    assert mask.tolist() == [True] and call.status(day) == "forthcoming"
    mask, _, _ = index._filter_mask(date(2027, 3, 2), "all", None, None, None)
    assert mask.tolist() == [False] and call.status(date(2027, 3, 2)) == "closed"


def test_a_declared_need_moves_the_calls_about_it_to_the_top():
    index = index_of(
        call("energy-1", ["energy"]), call("energy-2", ["energy", "data"]),
        call("waste-1", ["waste"]), call("mobility-1", ["mobility"]),
    )  # fmt: skip
    by_need = {
        need: ids(
            index.rank_for_city(
                city(interests=["energy"], needs=[need]), TODAY, evaluate=passes
            ).eligible
        )  # fmt: skip
        for need in ("waste", "mobility")
    }
    assert by_need["waste"][0] == "waste-1" and by_need["mobility"][0] == "mobility-1"
    assert by_need["waste"] != by_need["mobility"]


def test_a_theme_on_every_call_says_less_than_a_specific_one():
    index = index_of(
        call("broad", ["energy"]), call("both", ["energy", "waste"]), call("other", ["energy"])
    )
    (idf_energy, idf_waste) = index.theme_idf_[[0, 2]]
    assert idf_waste > idf_energy


def test_a_call_no_municipality_can_take_part_in_scores_zero():
    index = index_of(call("edf", ["energy"], programme="European Defence Fund"),
                     call("city", ["energy"], title="Urban energy plans"))  # fmt: skip
    ranking = index.rank_for_city(city(interests=["energy"]), TODAY, evaluate=passes)
    assert ids(ranking.eligible) == ["city", "edf"]
    assert ranking.eligible[-1].fit == 0.0
    assert ranking.eligible[-1].suitability.level == "never"


def test_a_call_mostly_about_a_declared_need_ranks_above_one_that_names_it_among_many():
    index = index_of(
        call("broad", ["waste", "energy", "mobility", "data"]), call("focused", ["waste"]),
        call("other", ["energy"]),
    )  # fmt: skip
    ranking = index.rank_for_city(city(needs=["waste"]), TODAY, evaluate=passes)
    parts = {m.call_id: m.parts["needs"] for m in ranking.eligible}
    assert ids(ranking.eligible) == ["focused", "broad", "other"]
    assert parts["focused"] > parts["broad"] >= 0.5 > parts["other"]


def test_a_need_that_is_a_call_s_first_theme_counts_more_than_one_listed_last():
    # Themes are listed strongest evidence first: the same themes, in another order.
    index = index_of(
        call("need-last", ["energy", "mobility", "data", "waste"]),
        call("need-first", ["waste", "energy", "mobility", "data"]),
    )  # fmt: skip
    ranking = index.rank_for_city(city(needs=["waste"]), TODAY, evaluate=passes)
    parts = {m.call_id: m.parts["needs"] for m in ranking.eligible}
    assert ids(ranking.eligible) == ["need-first", "need-last"]
    assert parts["need-first"] > parts["need-last"] > 0
