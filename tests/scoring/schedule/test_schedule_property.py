"""Property test: on random small events every method returns a schedule that keeps every hard
constraint (locks, availability, requests, memory, tables), stays under the LP bound and never
does worse than the greedy baseline in the schedule order (must-meets, fairness, value). The
events include must-meet chains sharing an attendee, one table or one round, and attendees who
attend no round at all."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.scoring.schedule.model import pair_key
from matcher.scoring.schedule.solve import (
    LockedMeeting,
    MeetingRequest,
    RequestKind,
    ScheduleProblem,
    schedule,
    validate,
)


@st.composite
def events(draw) -> ScheduleProblem:
    n = draw(st.integers(2, 9))
    rounds = draw(st.integers(1, 4))
    tables = draw(st.integers(1, 4))
    budget = draw(st.sampled_from([1.0, 1.0, 0.004]))
    ids = draw(st.lists(st.integers(-40, 40), min_size=n, max_size=n, unique=True))
    pairs = [pair_key(a, b) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    scored = draw(st.lists(st.sampled_from(pairs), unique=True, max_size=len(pairs)))
    scores = {p: draw(st.sampled_from([0.0, 0.1, 0.35, 0.5, 0.8, 1.0])) for p in scored}
    partial = draw(st.lists(st.sampled_from(ids), unique=True))
    availability = {a: draw(st.frozensets(st.integers(1, rounds))) for a in partial}
    request = st.builds(
        lambda pair, flip, kind, mutual: MeetingRequest(
            *(pair[::-1] if flip else pair), kind, mutual
        ),
        st.sampled_from(pairs),
        st.booleans(),
        st.sampled_from(list(RequestKind)),
        st.booleans(),
    )
    requests = draw(st.lists(request, max_size=6))
    if draw(st.booleans()):
        # A must-meet chain: one attendee must meet several others (they compete for its rounds).
        hub, *others = draw(st.permutations(ids))
        chain = others[: draw(st.integers(1, max(1, len(others))))]
        requests += [MeetingRequest(hub, o, RequestKind.MUST, draw(st.booleans())) for o in chain]
    base = ScheduleProblem(
        attendees=tuple(ids),
        rounds=rounds,
        tables=tables,
        pair_scores=scores,
        availability=availability,
        requests=tuple(requests),
        past_pairs=frozenset(draw(st.lists(st.sampled_from(pairs), max_size=3))),
        no_repeat=draw(st.booleans()),
        fair_floor_share=draw(st.sampled_from([0.5, 1.0])),
        fairness_budget=budget,
        fairness_weight=draw(st.sampled_from([1.0, 1.0, 0.0])),
    )
    locks: list[LockedMeeting] = []
    for r, pair, table in draw(
        st.lists(
            st.tuples(
                st.integers(1, rounds),
                st.sampled_from(pairs),
                st.none() | st.integers(1, tables),
            ),
            max_size=3,
        )
    ):
        # Keep only the locks that are consistent with the event and the earlier locks.
        try:
            ScheduleProblem(**{**_fields(base), "locked": (*locks, LockedMeeting(r, *pair, table))})
        except ValueError:
            continue
        locks.append(LockedMeeting(r, *pair, table))
    return ScheduleProblem(**{**_fields(base), "locked": tuple(locks)})


def _fields(p: ScheduleProblem) -> dict:
    return {name: getattr(p, name) for name in p.__dataclass_fields__}


def _must_weight(p: ScheduleProblem, result) -> int:
    must = p.requests_by_pair()[RequestKind.MUST]
    return sum(len(must[m.pair]) for m in result.meetings if m.pair in must)


def _order(p: ScheduleProblem, result) -> tuple:
    """The schedule order of ``result``: must weight, then (by default) fairness, then value."""
    q = result.quality
    if p.fairness_budget < 1:
        return (_must_weight(p, result), q.total_score)
    return (_must_weight(p, result), -q.unfairness, q.total_score)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_every_method_keeps_every_constraint(problem):
    greedy = schedule(problem, method="greedy")
    assert validate(problem, greedy) == []
    for method in ("matching", "auto", "exact"):
        result = schedule(problem, method=method)
        assert validate(problem, result) == [], method
        q = result.quality
        assert q.total_score <= q.upper_bound + 1e-6
        ours, baseline = _order(problem, result), _order(problem, greedy)
        assert ours[:-1] >= baseline[:-1], method
        if ours[:-1] == baseline[:-1]:
            assert ours[-1] >= baseline[-1] - 1e-9, method


def test_must_meet_chain_on_one_table_and_one_round():
    # Found by hypothesis: the fast solver placed the cheaper must-meet and then looked for a
    # value floor set by the greedy baseline that no step could reach (StopIteration).
    scores = {(0, 1): 0.35, (1, 3): 0.8, (0, 3): 1.0, (2, 3): 1.0, (3, 4): 1.0, (0, 4): 0.5}
    requests = (MeetingRequest(0, 1, RequestKind.MUST, True), MeetingRequest(1, 3, "must", True))
    problem = ScheduleProblem((0, 1, 2, 3, 4), 1, 1, scores, requests=requests)
    for method in ("greedy", "matching", "auto", "exact"):
        result = schedule(problem, method=method)
        assert validate(problem, result) == []
        assert [m.pair for m in result.meetings] == [(1, 3)]
        assert [(u.a, u.b) for u in result.unmet_must] == [(0, 1)]


@settings(max_examples=60, deadline=None)
@given(events())
def test_exact_is_at_least_as_good_as_matching(problem):
    exact = schedule(problem, method="exact")
    fast = schedule(problem, method="matching")
    assert exact.quality.optimal
    best, other = _order(problem, exact), _order(problem, fast)
    if problem.fairness_budget >= 1:
        assert best >= (*other[:-1], other[-1] - 1e-6)
        return
    assert best[0] >= other[0]
    # With a budget the exact schedule keeps 1 - budget of the best attainable value; it is
    # the best penalised value only among schedules that keep that much (the fast solver's
    # may not: it measures the floor against the value it reached when the LP bound is out
    # of its reach).
    floor = max(fast.quality.greedy_total, (1 - problem.fairness_budget) * _best_value(problem))
    if best[0] == other[0] and fast.quality.total_score >= floor - 1e-9:
        assert exact.quality.objective >= fast.quality.objective - 1e-6
    assert exact.quality.total_score >= (1 - problem.fairness_budget) * _best_value(problem) - 1e-6


def _best_value(problem: ScheduleProblem) -> float:
    """The best attainable total value (must-meets first), fairness aside."""
    unfair = ScheduleProblem(**{**_fields(problem), "fairness_weight": 0.0})
    return schedule(unfair, method="exact").quality.total_score


def test_a_budget_keeps_the_value_even_where_the_fast_solver_gave_it_up():
    # Found by hypothesis: the best schedule is worth 0.45 at one unit of unfairness; the fast
    # solver could not reach it and returned a fair 0.35. With a 0.4% budget the exact solver
    # must keep 0.45: its penalised value is lower, and still the right answer.
    scores = {(3, 6): 0.1, (2, 3): 0.35, (1, 6): 0.0, (1, 4): 0.0, (0, 1): 0.0}
    availability = {0: frozenset(), 4: frozenset(), 5: frozenset(), 1: frozenset({1, 2, 3}),
                    6: frozenset({1})}  # fmt: skip
    problem = ScheduleProblem(tuple(range(7)), 3, 2, scores, availability=availability,
                              fairness_budget=0.004, fair_floor_share=0.5)  # fmt: skip
    exact = schedule(problem, method="exact")
    assert exact.quality.optimal
    assert exact.quality.total_score == pytest.approx(0.45)
    assert schedule(problem, method="matching").quality.total_score <= 0.45
