"""The exact model is optimal (checked by brute force on tiny events), and ``auto`` uses it for
small events such as 12 cities over 5 rounds, so that it returns the optimum."""

from __future__ import annotations

import itertools
import random

import pytest

from matcher.scoring.schedule.bounds import greedy_placements
from matcher.scoring.schedule.graph import compile_problem
from matcher.scoring.schedule.solve import (
    MeetingRequest,
    RequestKind,
    ScheduleProblem,
    exact_schedule,
    schedule,
    validate,
)


def random_event(seed: int, n: int, rounds: int, tables: int, density: float) -> ScheduleProblem:
    rng = random.Random(seed)
    ids = list(range(100, 100 + n))
    pairs = [(a, b) for a, b in itertools.combinations(ids, 2) if rng.random() < density]
    scores = {p: round(rng.random(), 2) for p in pairs}
    availability = {a: frozenset(rng.sample(range(1, rounds + 1), rounds - 1)) for a in ids[:2]}
    requests = [
        MeetingRequest(*rng.sample(ids, 2), kind, mutual=rng.random() < 0.5)
        for kind in (RequestKind.MUST, RequestKind.WOULD_LIKE, RequestKind.DO_NOT_MEET)
    ]
    return ScheduleProblem(
        tuple(ids),
        rounds,
        tables,
        scores,
        availability=availability,
        requests=tuple(requests),
        fair_floor_share=rng.choice([0.5, 1.0]),
        fairness_budget=rng.choice([0.004, 0.1, 1.0]),
    )


def brute_force_best(problem: ScheduleProblem) -> tuple[int, float]:
    """(must weight, objective) of the best schedule, by enumerating every schedule.

    The definition the exact model implements: most must-meet weight first. With the default
    fairness budget of 1, then the least unfairness, then the most value. With a smaller
    budget, only schedules worth at least ``1 - fairness_budget`` of the best value with that
    weight, and at least the greedy baseline's value when greedy honours as much must-meet
    weight; among those the largest value minus the fairness penalty.
    """
    graph = compile_problem(problem)
    locked = {(lock.round, lock.edge) for lock in graph.locks}
    per_round = [_matchings(graph, r, locked) for r in range(graph.rounds)]
    schedules = []
    for combo in itertools.product(*per_round):
        edges = [e for matching in combo for e in matching]
        if len(edges) == len(set(edges)):
            placements = [(r, e) for r, matching in enumerate(combo) for e in matching]
            must, fair, value = graph.objective(placements)
            schedules.append((must, fair, value, graph.penalised_value(placements)))
    best_must = max(must for must, *_ in schedules)
    if problem.fairness_budget >= 1:
        best = max((s for s in schedules if s[0] == best_must), key=lambda s: (s[1], s[2]))
        return best_must, best[3]
    best_value = max(value for must, _, value, _ in schedules if must == best_must)
    floor = (1 - problem.fairness_budget) * best_value
    greedy = greedy_placements(graph)
    if graph.objective(greedy)[0] >= best_must:
        floor = max(floor, graph.value[[e for _, e in greedy]].sum())
    return best_must, max(
        obj for must, _, value, obj in schedules if must == best_must and value >= floor - 1e-9
    )


def _matchings(graph, r: int, locked) -> list[tuple[int, ...]]:
    """Every set of meetings round ``r`` can hold, locks included."""
    fixed = tuple(e for rr, e in locked if rr == r)
    locked_edges = {e for _, e in locked}
    options = [e for e in range(graph.m) if graph.common[e, r] and e not in locked_edges]
    out = []
    for size in range(graph.tables - len(fixed) + 1):
        for extra in itertools.combinations(options, size):
            ends = [x for e in (*fixed, *extra) for x in (graph.u[e], graph.v[e])]
            if len(ends) == len(set(ends)):
                out.append(fixed + extra)
    return out


@pytest.mark.parametrize("seed", range(8))
def test_exact_model_matches_brute_force_on_tiny_events(seed):
    problem = random_event(seed, n=5, rounds=3, tables=2, density=0.7)
    result = exact_schedule(problem)
    assert validate(problem, result) == []
    must = problem.requests_by_pair()[RequestKind.MUST]
    must_weight = sum(len(must[m.pair]) for m in result.meetings if m.pair in must)
    best_must, best_objective = brute_force_best(problem)
    assert result.quality.optimal
    assert must_weight == best_must
    assert result.quality.objective == pytest.approx(best_objective)


@pytest.mark.parametrize("seed", range(5))
def test_auto_finds_the_exact_optimum_for_twelve_cities_over_five_rounds(seed):
    problem = random_event(seed, n=12, rounds=5, tables=6, density=0.5)
    auto = schedule(problem)
    exact = exact_schedule(problem)
    assert validate(problem, auto) == []
    assert auto.quality.method == "exact" and auto.quality.optimal
    assert auto.quality.objective == pytest.approx(exact.quality.objective)


def test_exact_refuses_a_model_above_its_measured_size_and_says_so(monkeypatch):
    import matcher.scoring.schedule.solve as solve

    problem = random_event(0, n=12, rounds=5, tables=6, density=0.5)
    monkeypatch.setattr(solve, "EXACT_REFUSE_VARIABLES", 10)
    result = schedule(problem, method="exact")
    assert validate(problem, result) == []
    assert result.quality.method.startswith("matching (exact refused:")
    assert not result.quality.optimal


def test_exact_falls_back_when_it_finds_nothing_in_time(monkeypatch):
    import matcher.scoring.schedule.solve as solve
    from matcher.scoring.schedule.bounds import ExactTimeout

    def too_slow(*args, **kwargs):
        raise ExactTimeout("no schedule in time")

    monkeypatch.setattr(solve, "exact_placements", too_slow)
    problem = random_event(1, n=12, rounds=5, tables=6, density=0.5)
    result = schedule(problem, method="exact", time_limit=1)
    assert validate(problem, result) == []
    assert result.quality.method == "matching (exact found no schedule within 1 s)"
