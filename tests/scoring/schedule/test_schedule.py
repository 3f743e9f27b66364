"""Behaviour of the meeting scheduler: requests, locks, memory, tables, fairness and quality."""

from __future__ import annotations

import dataclasses

import pytest

from matcher.scoring.schedule.solve import (
    LockedMeeting,
    MeetingKind,
    MeetingRequest,
    RequestKind,
    ScheduleProblem,
    greedy_schedule,
    lp_upper_bound,
    schedule,
    validate,
)

METHODS = ["matching", "exact", "auto", "greedy"]
SCORES = {(1, 2): 0.9, (3, 4): 0.8, (1, 3): 0.5, (2, 4): 0.4, (1, 4): 0.3, (2, 3): 0.2}


def problem(**changes) -> ScheduleProblem:
    base = dict(attendees=(1, 2, 3, 4), rounds=3, tables=2, pair_scores=SCORES)
    return ScheduleProblem(**(base | changes))


def solved(p: ScheduleProblem, method: str):
    result = schedule(p, method=method)
    assert validate(p, result) == []
    return result


def by_pair(result):
    return {m.pair: m for m in result.meetings}


@pytest.mark.parametrize("method", METHODS)
def test_must_meet_is_scheduled_even_without_a_score(method):
    p = problem(pair_scores={(1, 2): 0.9}, requests=[MeetingRequest(3, 4, RequestKind.MUST)])
    meeting = by_pair(solved(p, method))[(3, 4)]
    assert meeting.kind == MeetingKind.MUST
    assert meeting.score == 0.0


@pytest.mark.parametrize("method", ["matching", "greedy"])
def test_fast_methods_place_a_must_meet_in_the_earliest_common_round(method):
    p = problem(requests=[MeetingRequest(1, 4, RequestKind.MUST)], availability={4: {2, 3}})
    assert by_pair(solved(p, method))[(1, 4)].round == 2


@pytest.mark.parametrize("method", METHODS)
def test_do_not_meet_overrides_a_must_meet_and_says_why(method):
    p = problem(
        requests=[
            MeetingRequest(1, 2, RequestKind.MUST),
            MeetingRequest(2, 1, RequestKind.DO_NOT_MEET),
        ]
    )
    result = solved(p, method)
    assert (1, 2) not in by_pair(result)
    assert [(u.a, u.b) for u in result.unmet_must] == [(1, 2)]
    assert "do-not-meet request by 2" in result.unmet_must[0].reason


@pytest.mark.parametrize("method", METHODS)
def test_must_meet_without_a_common_round_is_reported(method):
    p = problem(requests=[MeetingRequest(1, 2, RequestKind.MUST)], availability={1: {1}, 2: {2, 3}})
    assert "no round that both attend" in solved(p, method).unmet_must[0].reason


@pytest.mark.parametrize("method", METHODS)
def test_mutual_must_meet_wins_the_only_slot(method):
    # Attendee 1 attends one round only; 2 asked mutually, 3 one-sidedly.
    p = problem(
        availability={1: {1}},
        requests=[
            MeetingRequest(3, 1, RequestKind.MUST),
            MeetingRequest(1, 2, RequestKind.MUST, mutual=True),
        ],
    )
    result = solved(p, method)
    assert (1, 2) in by_pair(result)
    assert [(u.a, u.b) for u in result.unmet_must] == [(1, 3)]
    assert "1 has another must-meet" in result.unmet_must[0].reason


@pytest.mark.parametrize("method", METHODS)
def test_remembered_pairs_are_not_repeated_unless_memory_is_off(method):
    remembered = problem(past_pairs=frozenset({(1, 2)}))
    assert (1, 2) not in by_pair(solved(remembered, method))
    forgetful = dataclasses.replace(remembered, no_repeat=False)
    assert (1, 2) in by_pair(solved(forgetful, method))


@pytest.mark.parametrize("method", METHODS)
def test_locked_meetings_stay_where_they_are(method):
    # The lock pairs the weakest pair in round 1 at table 2; the rest is re-optimised around it.
    p = problem(locked=[LockedMeeting(1, 2, 3, table=2), LockedMeeting(3, 1, 4)])
    result = solved(p, method)
    meetings = by_pair(result)
    assert (meetings[(2, 3)].round, meetings[(2, 3)].table) == (1, 2)
    assert meetings[(2, 3)].kind == MeetingKind.LOCKED
    assert meetings[(1, 4)].round == 3
    round_one = {m.pair for m in result.meetings if m.round == 1}
    assert (1, 4) in round_one or not round_one - {(2, 3)}


@pytest.mark.parametrize("method", METHODS)
def test_would_like_bonus_tips_the_choice(method):
    # One round, one table: 3-4 (0.8) beats 1-2 (0.7) unless 1 and 2 both would like to meet.
    p = problem(rounds=1, tables=1, pair_scores={(1, 2): 0.7, (3, 4): 0.8})
    assert by_pair(solved(p, method)).keys() == {(3, 4)}
    wanted = dataclasses.replace(
        p, requests=(MeetingRequest(1, 2, RequestKind.WOULD_LIKE, mutual=True),)
    )
    meeting = by_pair(solved(wanted, method))[(1, 2)]
    assert meeting.kind == MeetingKind.WOULD_LIKE
    assert meeting.value == pytest.approx(0.7 + 2 * wanted.would_like_bonus)


@pytest.mark.parametrize("method", METHODS)
def test_tables_cap_meetings_per_round_and_are_numbered_from_one(method):
    p = problem(tables=1)
    result = solved(p, method)
    assert all(m.table == 1 for m in result.meetings)
    assert len({m.round for m in result.meetings}) == len(result.meetings)


def test_an_attendee_keeps_its_table_when_it_is_free():
    p = ScheduleProblem((1, 2, 3), 2, 2, {(1, 2): 1.0, (1, 3): 0.9})
    meetings = solved(p, "matching").meetings
    assert [m.table for m in meetings] == [1, 1]


def test_odd_attendee_count_leaves_exactly_one_idle_per_round():
    p = ScheduleProblem((1, 2, 3), 3, 5, {(1, 2): 1.0, (1, 3): 1.0, (2, 3): 1.0})
    result = solved(p, "matching")
    assert len(result.meetings) == 3
    assert result.quality.idle_rounds_total == 3
    assert (result.quality.meetings_min, result.quality.meetings_max) == (2, 2)


# Six attendees, three rounds, two tables: the value-maximising schedule leaves someone without
# any meeting; the fair one costs 0.1 of 5.8 (1.7%), still more than the greedy baseline.
FAIRNESS_SCORES = {
    (0, 1): 0.9, (0, 2): 0.5, (0, 5): 0.5, (1, 2): 1.0, (1, 3): 0.1, (1, 4): 1.0,
    (1, 5): 1.0, (2, 3): 1.0, (2, 4): 0.1, (2, 5): 0.9, (3, 4): 0.5, (4, 5): 0.9,
}  # fmt: skip


@pytest.mark.parametrize("method", ["exact", "matching"])
def test_fairness_floor_gives_everyone_a_meeting_when_value_allows(method):
    p = ScheduleProblem(
        tuple(range(6)), 3, 2, FAIRNESS_SCORES, fair_floor_share=1.0, fairness_budget=0.05
    )
    fair = solved(p, method).quality
    unfair = solved(dataclasses.replace(p, fairness_weight=0.0), "exact").quality
    assert unfair.meetings_min == 0
    assert fair.meetings_min >= 1
    assert fair.total_score >= fair.greedy_total


@pytest.mark.parametrize("method", ["exact", "matching"])
def test_fairness_costs_no_more_than_its_budget(method):
    # The same event with a 0.4% budget: the fair schedule costs too much.
    p = ScheduleProblem(
        tuple(range(6)), 3, 2, FAIRNESS_SCORES, fair_floor_share=1.0, fairness_budget=0.004
    )
    quality = solved(p, method).quality
    assert quality.total_score == pytest.approx(5.8)
    assert quality.meetings_min == 0


@pytest.mark.parametrize("method", ["exact", "matching", "auto"])
def test_fairness_comes_first_by_default(method):
    # Without a budget the fair spread wins even where it costs value.
    p = ScheduleProblem(tuple(range(6)), 3, 2, FAIRNESS_SCORES)
    result = solved(p, method)
    assert result.quality.meetings_min >= 1
    assert result.quality.unfairness == 0
    assert result.fairness_gaps == ()


def test_quality_reports_counts_and_the_bound():
    p = problem(
        requests=[
            MeetingRequest(1, 4, RequestKind.MUST),
            MeetingRequest(2, 3, RequestKind.WOULD_LIKE),
        ]
    )
    result = solved(p, "auto")
    q = result.quality
    assert (q.must_met, q.must_total, q.would_like_met, q.would_like_total) == (1, 1, 1, 1)
    assert q.total_score == pytest.approx(sum(m.value for m in result.meetings))
    assert q.upper_bound == pytest.approx(lp_upper_bound(p))
    assert q.total_score <= q.upper_bound + 1e-9
    assert q.greedy_total == pytest.approx(greedy_schedule(p).quality.total_score)
    assert q.meetings_min <= q.meetings_median <= q.meetings_max
    assert q.optimal and q.method == "exact"


def test_lp_bound_counts_table_capacity():
    # Four attendees could each meet three partners, but one table allows one meeting a round.
    p = problem(tables=1, pair_scores=dict.fromkeys(SCORES, 1.0))
    assert lp_upper_bound(p) == pytest.approx(3.0)


def test_unknown_method_is_rejected():
    with pytest.raises(ValueError, match="unknown method"):
        schedule(problem(), method="magic")


def test_agenda_lists_one_attendees_meetings_in_round_order():
    result = solved(problem(), "auto")
    agenda = result.agenda(1)
    assert [m.round for m in agenda] == sorted(m.round for m in agenda)
    assert all(1 in (m.a, m.b) for m in agenda)


def test_an_attendee_unavailable_in_every_round_is_reported():
    p = ScheduleProblem((1, 2, 3), 2, 1, {(1, 2): 1.0, (1, 3): 1.0}, availability={3: ()})
    result = solved(p, "matching")
    gaps = {g.attendee: g.reason for g in result.fairness_gaps}
    assert gaps == {3: "unavailable in every round"}


def test_fair_bound_is_at_most_the_upper_bound_and_at_least_the_fair_schedule():
    p = ScheduleProblem(tuple(range(6)), 3, 2, FAIRNESS_SCORES)
    q = solved(p, "exact").quality
    assert q.unfairness == 0
    assert q.total_score <= q.fair_bound + 1e-9 <= q.upper_bound + 2e-9
