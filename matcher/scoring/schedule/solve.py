"""One-to-one meeting schedules for networking sessions: the public entry points.

``schedule(problem)`` returns meetings with tables, the must-meets it could not honour (with
reasons) and quality figures measured against the LP upper bound and the greedy baseline. See
:mod:`.model` for the problem's conventions and the fairness rule.

Methods:

* ``"exact"``: the time-indexed MILP (HiGHS); optimal, for small events.
* ``"matching"``: must-meets by a small MILP, then per-round maximum-weight matchings and sweeps
  (:mod:`.matching`); about a second for 1,000 attendees x 8 rounds.
* ``"greedy"``: the baseline, highest-value feasible pairs first, round by round.
* ``"auto"``: exact when the model is small, else matching.

Whatever the method, a non-exact result never honours fewer must-meets than the greedy baseline,
nor, with as many, scores less: should greedy ever win, its schedule is returned (and the method
says so).
"""

from __future__ import annotations

from matcher.scoring.schedule.bounds import (
    ExactTimeout,
    LpRelaxation,
    exact_placements,
    greedy_placements,
    lp_relaxation,
)
from matcher.scoring.schedule.graph import CandidateGraph, Placement, compile_problem
from matcher.scoring.schedule.matching import matching_placements
from matcher.scoring.schedule.model import (
    FairnessGap,
    LockedMeeting,
    Meeting,
    MeetingKind,
    MeetingRequest,
    RequestKind,
    Schedule,
    ScheduleProblem,
    ScheduleQuality,
    UnmetRequest,
    validate,
)
from matcher.scoring.schedule.result import build_schedule

__all__ = [
    "FairnessGap",
    "LockedMeeting",
    "Meeting",
    "MeetingKind",
    "MeetingRequest",
    "RequestKind",
    "Schedule",
    "ScheduleProblem",
    "ScheduleQuality",
    "UnmetRequest",
    "exact_schedule",
    "greedy_schedule",
    "lp_upper_bound",
    "schedule",
    "validate",
]

METHODS = ("auto", "exact", "matching", "greedy")
#: ``auto`` uses the exact model up to this many (pair, round) variables: HiGHS proves such
#: models optimal in well under a second (a 12-city, 5-round event has at most 330).
EXACT_MAX_VARIABLES = 2_000
#: ``exact`` refuses models above this many variables and returns the matching schedule (its
#: method says so). Measured on synthetic events of 6 rounds (``benchmarks/schedule.py
#: --exact``, 2 shared cores): 1,300-3,600 variables took 3-8 s to prove optimal, 4,500 took
#: 15 s, and 6,000+ (80 attendees) no proof within 30 s; 200 seed cities x 6 rounds is ~13,000.
EXACT_REFUSE_VARIABLES = 3_000
#: Seconds ``auto`` grants the exact model before falling back to the matching result.
AUTO_EXACT_TIME_LIMIT = 5.0


def schedule(
    problem: ScheduleProblem, *, method: str = "auto", seed: int = 0, time_limit: float = 30.0
) -> Schedule:
    """Schedule ``problem`` with ``method`` (see the module docstring).

    ``seed`` only changes how exact ties are broken. ``time_limit`` bounds the exact model when
    ``method="exact"``; a model too large for it (above ``EXACT_REFUSE_VARIABLES``), or one that
    finds no schedule in time, falls back to ``matching`` and the method says why.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    graph = compile_problem(problem)
    greedy = greedy_placements(graph)
    lp = lp_relaxation(graph)
    optimal = False
    if method == "greedy":
        placements = greedy
    elif method == "exact":
        method, placements, optimal = _exact(graph, seed, greedy, lp, time_limit)
    elif method == "matching":
        placements = _matching(graph, seed, greedy, lp)
    else:
        method, placements, optimal = _auto(graph, seed, greedy, lp)
    if method != "greedy" and not optimal and _beats(graph, greedy, placements):
        method, placements = f"{method} (greedy kept)", greedy
    fair_lp = lp_relaxation(graph, fair=True) if graph.fair() else lp
    return build_schedule(
        graph,
        placements,
        method=method,
        optimal=optimal,
        upper_bound=lp.bound,
        greedy_total=_total(graph, greedy),
        fair_bound=fair_lp.bound,
    )


def greedy_schedule(problem: ScheduleProblem) -> Schedule:
    """The greedy baseline schedule (see :func:`~.bounds.greedy_placements`)."""
    return schedule(problem, method="greedy")


def exact_schedule(problem: ScheduleProblem, *, time_limit: float = 30.0) -> Schedule:
    """The optimal schedule of the time-indexed MILP; for small events."""
    return schedule(problem, method="exact", time_limit=time_limit)


def lp_upper_bound(problem: ScheduleProblem) -> float:
    """Upper bound on the total meeting value of any valid schedule of ``problem``."""
    return lp_relaxation(compile_problem(problem)).bound


def exact_model_size(graph: CandidateGraph) -> int:
    """Number of binary (pair, round) variables of the exact model."""
    return int(graph.common.sum())


def _exact(
    graph: CandidateGraph, seed: int, greedy: list[Placement], lp: LpRelaxation, time_limit: float
) -> tuple[str, list[Placement], bool]:
    size = exact_model_size(graph)
    if size > EXACT_REFUSE_VARIABLES:
        reason = f"exact refused: {size:,} variables, more than {EXACT_REFUSE_VARIABLES:,}"
        return f"matching ({reason})", _matching(graph, seed, greedy, lp), False
    try:
        outcome = exact_placements(graph, time_limit=time_limit, baseline=greedy)
    except ExactTimeout:
        reason = f"exact found no schedule within {time_limit:g} s"
        return f"matching ({reason})", _matching(graph, seed, greedy, lp), False
    return (
        ("exact" if outcome.optimal else "exact (time limit)"),
        outcome.placements,
        outcome.optimal,
    )


def _auto(
    graph: CandidateGraph, seed: int, greedy: list[Placement], lp: LpRelaxation
) -> tuple[str, list[Placement], bool]:
    if exact_model_size(graph) > EXACT_MAX_VARIABLES:
        return "matching", _matching(graph, seed, greedy, lp), False
    try:
        outcome = exact_placements(graph, time_limit=AUTO_EXACT_TIME_LIMIT, baseline=greedy)
    except ExactTimeout:
        return "matching", _matching(graph, seed, greedy, lp), False
    if outcome.optimal:
        return "exact", outcome.placements, True
    fast = _matching(graph, seed, greedy, lp)
    if graph.objective(outcome.placements) >= graph.objective(fast):
        return "exact (time limit)", outcome.placements, False
    return "matching", fast, False


def _matching(graph, seed, greedy, lp: LpRelaxation) -> list[Placement]:
    return matching_placements(
        graph,
        seed=seed,
        greedy_total=_total(graph, greedy),
        best_value_estimate=lp.bound,
        guide=lp.x,
    )


def _total(graph: CandidateGraph, placements: list[Placement]) -> float:
    return float(graph.value[[e for _, e in placements]].sum())


def _beats(graph: CandidateGraph, greedy: list[Placement], ours: list[Placement]) -> bool:
    """Whether the greedy baseline is better in the schedule order: must-meets honoured, then
    fairness (while it is on and has no budget), then value."""
    if graph.problem.fairness_budget < 1.0:
        greedy_must, _, greedy_value = graph.objective(greedy)
        our_must, _, our_value = graph.objective(ours)
        return (greedy_must, greedy_value) > (our_must, our_value)
    return graph.objective(greedy) > graph.objective(ours)
