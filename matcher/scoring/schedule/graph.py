"""The candidate graph every scheduling method works on: a problem compiled into arrays.

Attendees become positions ``0..n-1`` and rounds columns ``0..R-1``. Each candidate pair that
may still meet (scored or requested, not vetoed, not a remembered repeat, sharing at least one
round) is an edge with its value and the rounds both ends attend. Solutions are expressed as
*placements*: ``(round column, edge)`` tuples, which :mod:`.result` turns into meetings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from matcher.scoring.schedule.model import (
    Pair,
    RequestKind,
    ScheduleProblem,
    fair_shares,
    pair_key,
)

Placement = tuple[int, int]  # (round column, edge id)


@dataclass(frozen=True, slots=True)
class LockedPlacement:
    """A locked meeting in graph coordinates; ``table`` is ``None`` when free to choose."""

    round: int
    edge: int
    table: int | None


@dataclass(eq=False)
class CandidateGraph:
    """Arrays describing what can be scheduled; build it with :func:`compile_problem`."""

    problem: ScheduleProblem
    ids: np.ndarray  # (n,) attendee ids in problem order
    available: np.ndarray  # (n, R) bool
    u: np.ndarray  # (m,) endpoint positions, u < v
    v: np.ndarray
    score: np.ndarray  # (m,) pair score
    bonus: np.ndarray  # (m,) would-like bonus
    must_weight: np.ndarray  # (m,) 0, or how many sides demanded the meeting
    common: np.ndarray  # (m, R) bool: both ends attend the round
    locks: tuple[LockedPlacement, ...]
    floors: np.ndarray  # (n,) fair floor per attendee
    shortfall_penalty: float
    ceilings: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    #: must-meet pairs that no schedule can honour, with the reason
    impossible_must: dict[Pair, str] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)

    @property
    def m(self) -> int:
        return len(self.u)

    @property
    def rounds(self) -> int:
        return self.problem.rounds

    @property
    def tables(self) -> int:
        return self.problem.tables

    @cached_property
    def value(self) -> np.ndarray:
        return self.score + self.bonus

    @cached_property
    def edge_of(self) -> dict[tuple[int, int], int]:
        """(u, v) positions with u < v -> edge id."""
        return {(int(a), int(b)): e for e, (a, b) in enumerate(zip(self.u, self.v, strict=True))}

    @cached_property
    def locked_edges(self) -> frozenset[int]:
        return frozenset(lock.edge for lock in self.locks)

    def pair_ids(self, edge: int) -> Pair:
        """The canonical attendee-id pair of an edge."""
        return pair_key(int(self.ids[self.u[edge]]), int(self.ids[self.v[edge]]))

    def meeting_counts(self, placements: list[Placement]) -> np.ndarray:
        """Meetings per attendee position."""
        edges = np.fromiter((e for _, e in placements), dtype=np.int64, count=len(placements))
        return np.bincount(np.concatenate([self.u[edges], self.v[edges]]), minlength=self.n).astype(
            np.int64
        )

    def unfairness(self, placements: list[Placement]) -> int:
        """Meetings below the fair floors plus meetings above the fair ceilings."""
        counts = self.meeting_counts(placements)
        below = np.maximum(self.floors - counts, 0).sum()
        above = np.maximum(counts - self.ceilings, 0).sum()
        return int(below + above)

    def fair(self) -> bool:
        """Whether the fairness rule is on (``fairness_weight > 0``)."""
        return self.problem.fairness_weight > 0

    def objective(self, placements: list[Placement]) -> tuple[int, int, float]:
        """(must-meet weight honoured, minus unfairness, total value): compared in that order.

        Unfairness counts only while the fairness rule is on."""
        edges = np.fromiter((e for _, e in placements), dtype=np.int64, count=len(placements))
        unfair = self.unfairness(placements) if self.fair() else 0
        return int(self.must_weight[edges].sum()), -unfair, float(self.value[edges].sum())

    def penalised_value(self, placements: list[Placement]) -> float:
        """Total value minus ``shortfall_penalty`` per unit of unfairness (one figure)."""
        edges = np.fromiter((e for _, e in placements), dtype=np.int64, count=len(placements))
        unfair = self.unfairness(placements)
        return float(self.value[edges].sum()) - self.shortfall_penalty * unfair


def compile_problem(problem: ScheduleProblem) -> CandidateGraph:
    """Turn ``problem`` into a :class:`CandidateGraph` (exclusions applied, locks resolved)."""
    ids = np.asarray(problem.attendees, dtype=np.int64)
    position = {int(a): i for i, a in enumerate(problem.attendees)}
    available = np.zeros((len(ids), problem.rounds), dtype=bool)
    for i, attendee in enumerate(problem.attendees):
        for r in problem.rounds_of(attendee):
            available[i, r - 1] = True

    requested = problem.requests_by_pair()
    must = requested[RequestKind.MUST]
    wanted = requested[RequestKind.WOULD_LIKE]
    vetoed = requested[RequestKind.DO_NOT_MEET]
    locked_pairs = {lock.pair for lock in problem.locked}
    candidates = set(problem.pair_scores) | set(must) | set(wanted) | locked_pairs

    impossible: dict[Pair, str] = {}
    kept: list[Pair] = []
    for pair in sorted(candidates):
        reason = _exclusion_reason(problem, pair, vetoed, available, position)
        if reason is None or pair in locked_pairs:
            kept.append(pair)
        elif pair in must:
            impossible[pair] = reason

    u = np.fromiter((position[a] for a, _ in kept), dtype=np.int64, count=len(kept))
    v = np.fromiter((position[b] for _, b in kept), dtype=np.int64, count=len(kept))
    swap = u > v
    u[swap], v[swap] = v[swap], u[swap]
    score = np.fromiter((problem.pair_scores.get(p, 0.0) for p in kept), float, count=len(kept))
    bonus = problem.would_like_bonus * np.fromiter(
        (len(wanted.get(p, ())) for p in kept), float, count=len(kept)
    )
    must_weight = np.fromiter((len(must.get(p, ())) for p in kept), np.int64, count=len(kept))
    common = available[u] & available[v]

    edge_of = {pair: e for e, pair in enumerate(kept)}
    locks = tuple(
        LockedPlacement(lock.round - 1, edge_of[lock.pair], lock.table) for lock in problem.locked
    )
    degree = np.bincount(np.concatenate([u, v]), minlength=len(ids))
    floors, ceilings = fair_bounds(problem, degree, available.sum(axis=1))
    value = score + bonus
    # Twice the best pair: one attendee brought to its floor outweighs any single swap of pairs,
    # so the solvers spread meetings first and maximise value second.
    penalty = 2 * problem.fairness_weight * float(value.max()) if len(value) else 0.0
    return CandidateGraph(
        problem=problem,
        ids=ids,
        available=available,
        u=u,
        v=v,
        score=score,
        bonus=bonus,
        must_weight=must_weight,
        common=common,
        locks=locks,
        floors=floors,
        shortfall_penalty=penalty,
        ceilings=ceilings,
        impossible_must=impossible,
    )


def fair_bounds(
    problem: ScheduleProblem, degree: np.ndarray, attended: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Fair floor and ceiling per attendee position (see the fairness rule in
    ``schedule.model``); both are 0 for everyone when fairness is off."""
    if problem.fairness_weight <= 0:
        zeros = np.zeros(len(problem.attendees), dtype=np.int64)
        return zeros, np.asarray(attended, dtype=np.int64).copy()
    shares = fair_shares(problem)
    share = np.array([shares[a] for a in problem.attendees], dtype=float)
    # The small epsilons keep shares like 3.9999999 (float sums of seat rates) at 4.
    floor = np.ceil(problem.fair_floor_share * share - 1 - 1e-9).astype(np.int64)
    floors = np.clip(np.minimum(np.minimum(floor, degree), attended), 0, None)
    ceilings = np.maximum(np.floor(share + 1 + 1e-9).astype(np.int64), floors)
    if problem.fairness_budget < 1:
        # A capped price keeps the older rule: a floor only (more meetings never cost).
        ceilings = np.maximum(np.asarray(attended, dtype=np.int64), floors)
    return floors, ceilings


def _exclusion_reason(problem, pair: Pair, vetoed, available, position) -> str | None:
    a, b = pair
    if pair in vetoed:
        who = " and ".join(str(x) for x in sorted(vetoed[pair]))
        return f"do-not-meet request by {who}"
    if problem.no_repeat and pair in problem.past_pairs:
        return "already met at an earlier event (no-repeat memory is on)"
    if not (available[position[a]] & available[position[b]]).any():
        return "no round that both attend"
    return None
