"""Reference solutions for the meeting scheduler: the LP upper bound, the greedy baseline and the
exact time-indexed model (also used, restricted to must-meet pairs, by the fast solver).

All functions work on a :class:`~matcher.scoring.schedule.graph.CandidateGraph` and return
placements ``(round column, edge)``; ``schedule.py`` exposes them on problems.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, linprog, milp

from matcher.scoring.schedule.graph import CandidateGraph, Placement


@dataclass(frozen=True)
class LpRelaxation:
    """The LP bound and its optimal ``x`` per edge (nearly integral on real instances)."""

    bound: float
    x: np.ndarray


def lp_relaxation(graph: CandidateGraph, *, fair: bool = False) -> LpRelaxation:
    """Upper bound on the total value of any valid schedule (LP relaxation, HiGHS).

    Variables ``x_pair`` in [0, 1] (locked pairs fixed to 1); each attendee meets at most as many
    partners as rounds it attends; all rounds together hold at most
    ``sum_r min(tables, attendees present in r // 2)`` meetings. The last row is a valid
    strengthening: without it the bound ignores table capacity entirely when tables are scarce.

    With ``fair`` (and the fairness rule on), each attendee's meetings must also lie between its
    fair floor and ceiling; where that is impossible, shortfall and excess are minimised first
    (a penalty far above any value). The bound is then the best value of the fairest fractional
    schedule: an upper bound for every schedule as fair as that, and the fast solver's guide.
    """
    if graph.m == 0:
        return LpRelaxation(0.0, np.zeros(0))
    fair = fair and graph.fair()
    edges = np.arange(graph.m)
    incidence = sparse.csr_matrix(
        (np.ones(2 * graph.m), (np.concatenate([graph.u, graph.v]), np.tile(edges, 2))),
        shape=(graph.n, graph.m),
    )
    attended = graph.available.sum(axis=1)
    seats = np.minimum(graph.tables, graph.available.sum(axis=0) // 2).sum()
    rows = [incidence, sparse.csr_matrix(np.ones((1, graph.m)))]
    b_ub = [attended, [seats]]
    cost = -graph.value
    lower = np.zeros(graph.m)
    lower[list(graph.locked_edges)] = 1.0
    upper = np.ones(graph.m)
    if fair:
        n = graph.n
        eye = sparse.identity(n, format="csr")
        zeros = sparse.csr_matrix((n, n))
        # -(meetings) - shortfall <= -floor ; meetings - excess <= ceiling
        rows = [sparse.hstack([r, sparse.csr_matrix((r.shape[0], 2 * n))]) for r in rows]
        rows += [sparse.hstack([-incidence, -eye, zeros]), sparse.hstack([incidence, zeros, -eye])]
        b_ub += [-graph.floors, graph.ceilings]
        big = 1_000.0 * max(1.0, float(graph.value.max()))
        cost = np.concatenate([cost, np.full(2 * n, big)])
        lower = np.concatenate([lower, np.zeros(2 * n)])
        upper = np.concatenate([upper, np.full(2 * n, np.inf)])
    result = linprog(
        cost, A_ub=sparse.vstack(rows, format="csr"), b_ub=np.concatenate(b_ub),
        bounds=np.column_stack([lower, upper]), method="highs",
    )  # fmt: skip
    if not result.success:
        raise RuntimeError(f"LP bound failed: {result.message}")
    x = result.x[: graph.m]
    return LpRelaxation(float(graph.value @ x), x)


def initial_state(graph: CandidateGraph) -> tuple[list[Placement], np.ndarray, np.ndarray]:
    """Locked placements, the (n, R) busy matrix and the per-round meeting count they imply."""
    placements = [(lock.round, lock.edge) for lock in graph.locks]
    busy = np.zeros_like(graph.available)
    load = np.zeros(graph.rounds, dtype=np.int64)
    for r, e in placements:
        busy[graph.u[e], r] = busy[graph.v[e], r] = True
        load[r] += 1
    return placements, busy, load


def greedy_placements(graph: CandidateGraph) -> list[Placement]:
    """Baseline: locks, then each must-meet in its earliest free round, then round by round the
    highest-value feasible pairs first. Ignores fairness."""
    placements, busy, load = initial_state(graph)
    used = np.zeros(graph.m, dtype=bool)
    used[list(graph.locked_edges)] = True

    def place(r: int, e: int) -> None:
        placements.append((r, e))
        busy[graph.u[e], r] = busy[graph.v[e], r] = True
        used[e] = True
        load[r] += 1

    musts = np.flatnonzero(graph.must_weight > 0)
    for e in musts[np.lexsort((-graph.value[musts], -graph.must_weight[musts]))]:
        if used[e]:
            continue
        free = graph.common[e] & ~busy[graph.u[e]] & ~busy[graph.v[e]] & (load < graph.tables)
        if free.any():
            place(int(np.argmax(free)), int(e))

    order = np.argsort(-graph.value, kind="stable")
    for r in range(graph.rounds):
        ok = graph.common[order, r] & ~used[order]
        for e in order[ok]:
            if load[r] >= graph.tables:
                break
            if not (used[e] or busy[graph.u[e], r] or busy[graph.v[e], r]):
                place(r, int(e))
    return placements


# --------------------------------------------------------------------------- time-indexed MILP


@dataclass(frozen=True)
class MilpOutcome:
    placements: list[Placement]
    optimal: bool


class ExactTimeout(RuntimeError):
    """HiGHS ran out of time before it found any schedule of the exact model."""


def exact_placements(
    graph: CandidateGraph,
    *,
    time_limit: float = 30.0,
    baseline: list[Placement] | None = None,
) -> MilpOutcome:
    """Optimal schedule of the full time-indexed model ``x[pair, round]`` (binary).

    Lexicographic, one HiGHS solve per level so each objective keeps its own scale:

    1. the most must-meet weight;
    2. the least unfairness (meetings below the fair floors or above the ceilings) with it;
    3. the best total value with both.

    With a ``fairness_budget`` below 1, levels 2-3 become: the best total value ``V*``, then the
    largest value minus the fairness penalty among schedules worth at least
    ``(1 - fairness_budget) * V*`` and at least ``baseline``'s value (the greedy schedule) when
    the baseline honours as much must-meet weight.

    ``time_limit`` bounds all levels together. ``optimal`` is False when it stopped HiGHS before
    it proved optimality; :class:`ExactTimeout` when no schedule was found in time.
    """
    deadline = time.monotonic() + time_limit
    model = _TimeIndexedModel(graph, edges=np.arange(graph.m), fair=graph.fair())
    must_weight = model.must_objective()
    values = np.concatenate([graph.value[model.var_edge], np.zeros(model.n_vars - model.x_count)])
    keep: list[LinearConstraint] = []
    optimal = True
    best_must = 0.0
    if graph.must_weight.any():
        x, proved = model.solve(must_weight, deadline=deadline)
        best_must, optimal = float(must_weight @ x), optimal and proved
        keep.append(LinearConstraint(must_weight[None, :], best_must - 0.5, np.inf))
    budget = graph.problem.fairness_budget
    if budget >= 1.0 or not graph.fair():
        if model.n_vars > model.x_count:
            unfair = model.unfairness_objective()
            x, proved = model.solve(unfair, deadline=deadline, extra=keep)
            least, optimal = float(-unfair @ x), optimal and proved
            if least < 0.5:
                # Fully fair: fixing every slack at 0 gives HiGHS a much tighter model than a
                # sum constraint (a 177-variable event took 2.5 s to prove, now milliseconds).
                model.slack_upper = 0.0
            else:
                keep.append(LinearConstraint(-unfair[None, :], -np.inf, least + 0.5))
        x, proved = model.solve(values, deadline=deadline, extra=keep)
        return MilpOutcome(model.placements(x), optimal and proved)
    x, proved = model.solve(values, deadline=deadline, extra=keep)
    best_value, optimal = float(values @ x), optimal and proved
    floor = (1.0 - budget) * best_value
    if baseline:
        baseline_edges = [e for _, e in baseline]
        if graph.must_weight[baseline_edges].sum() >= best_must:
            floor = max(floor, float(graph.value[baseline_edges].sum()))
    # The tolerance only absorbs float round-off: the floor never exceeds ``best_value``.
    keep.append(LinearConstraint(values[None, :], floor - 1e-7 * max(1.0, floor), np.inf))
    x, proved = model.solve(model.value_objective(), deadline=deadline, extra=keep)
    return MilpOutcome(model.placements(x), optimal and proved)


def must_placements(
    graph: CandidateGraph, busy: np.ndarray, load: np.ndarray, *, time_limit: float = 5.0
) -> list[Placement]:
    """Place as much must-meet weight as fits around the locks, preferring early rounds."""
    locked = graph.locked_edges
    edges = np.array([e for e in np.flatnonzero(graph.must_weight > 0) if e not in locked])
    if len(edges) == 0:
        return []
    model = _TimeIndexedModel(graph, edges=edges, busy=busy, load=load, fair=False)
    # Ties in must weight go to the more valuable pairs, then to earlier rounds (as the greedy
    # baseline does, so that the fast solver never starts below it); each tie-break term sums
    # to less than one unit of must weight.
    values = graph.value[model.var_edge]
    top = float(values.max(initial=0.0)) or 1.0
    worth = 0.5 * values / (top * (model.x_count + 1))
    lateness = 0.25 * model.var_round / (graph.rounds * (model.x_count + 1))
    x, _ = model.solve(
        model.must_objective() + worth - lateness, deadline=time.monotonic() + time_limit
    )
    return model.placements(x)


class _TimeIndexedModel:
    """Binary ``x[edge, round]`` for the given edges over the rounds both ends attend and are not
    busy in, plus (when ``fair``) a continuous shortfall variable per attendee with a floor and
    an excess variable per attendee whose ceiling is below the rounds it attends."""

    def __init__(self, graph, edges, busy=None, load=None, fair=True):
        self.graph = graph
        busy = np.zeros_like(graph.available) if busy is None else busy
        load = np.zeros(graph.rounds, dtype=np.int64) if load is None else load
        locks = {lock.edge: lock.round for lock in graph.locks}
        allowed = graph.common[edges] & ~busy[graph.u[edges]] & ~busy[graph.v[edges]]
        for row, e in enumerate(edges):
            if e in locks:  # a locked pair exists only in its locked round
                allowed[row] = False
                allowed[row, locks[e]] = True
        rows, self.var_round = np.nonzero(allowed)
        self.var_edge = edges[rows]
        self.x_count = len(self.var_edge)
        self.locked_var = np.array(
            [locks.get(int(e)) == r for e, r in zip(self.var_edge, self.var_round, strict=True)],
            dtype=bool,
        )
        none = np.array([], dtype=np.int64)
        attended = graph.available.sum(axis=1)
        self.short_people = np.flatnonzero(graph.floors > 0) if fair else none
        self.over_people = np.flatnonzero(graph.ceilings < attended) if fair else none
        self.slack_upper = np.inf
        self._constraints = self._build(load)

    @property
    def slack_count(self) -> int:
        return len(self.short_people) + len(self.over_people)

    def _build(self, load: np.ndarray) -> list[LinearConstraint]:
        g, k = self.graph, self.x_count
        cols = np.arange(k)
        n_vars = self.n_vars
        ends = np.concatenate([g.u[self.var_edge], g.v[self.var_edge]])
        seat_rows = ends * g.rounds + np.tile(self.var_round, 2)
        seat = sparse.csr_matrix(
            (np.ones(2 * k), (seat_rows, np.tile(cols, 2))), shape=(g.n * g.rounds, n_vars)
        )
        once = sparse.csr_matrix((np.ones(k), (self.var_edge, cols)), shape=(g.m, n_vars))
        tables = sparse.csr_matrix((np.ones(k), (self.var_round, cols)), shape=(g.rounds, n_vars))
        constraints = [
            LinearConstraint(seat, -np.inf, 1),
            LinearConstraint(once, -np.inf, 1),
            LinearConstraint(tables, -np.inf, g.tables - load),
        ]
        if self.slack_count == 0:
            return constraints
        meets = sparse.csr_matrix((np.ones(2 * k), (ends, np.tile(cols, 2))), shape=(g.n, n_vars))
        first = k
        for people, sign in ((self.short_people, 1.0), (self.over_people, -1.0)):
            if len(people) == 0:
                continue
            slack = sparse.csr_matrix(
                (
                    np.full(len(people), sign),
                    (np.arange(len(people)), first + np.arange(len(people))),
                ),
                shape=(len(people), n_vars),
            )
            rows = meets[people] + slack
            if sign > 0:  # meetings + shortfall >= floor
                constraints.append(LinearConstraint(rows, g.floors[people], np.inf))
            else:  # meetings - excess <= ceiling
                constraints.append(LinearConstraint(rows, -np.inf, g.ceilings[people]))
            first += len(people)
        return constraints

    def must_objective(self) -> np.ndarray:
        weights = self.graph.must_weight[self.var_edge].astype(float)
        return np.concatenate([weights, np.zeros(self.slack_count)])

    def unfairness_objective(self) -> np.ndarray:
        """Minus the total shortfall and excess (to maximise)."""
        return np.concatenate([np.zeros(self.x_count), -np.ones(self.slack_count)])

    def value_objective(self) -> np.ndarray:
        g = self.graph
        penalty = np.full(self.slack_count, -g.shortfall_penalty)
        return np.concatenate([g.value[self.var_edge], penalty])

    @property
    def n_vars(self) -> int:
        return self.x_count + self.slack_count

    def solve(
        self, maximise: np.ndarray, *, deadline: float, extra: list[LinearConstraint] = ()
    ) -> tuple[np.ndarray, bool]:
        k, n_vars = self.x_count, self.n_vars
        if n_vars == 0:
            return np.zeros(0), True
        constraints = self._constraints + list(extra)
        lower = np.zeros(n_vars)
        lower[:k][self.locked_var] = 1.0
        upper = np.concatenate([np.ones(k), np.full(self.slack_count, self.slack_upper)])
        integrality = np.concatenate([np.ones(k), np.zeros(self.slack_count)])
        result = milp(
            -maximise,
            integrality=integrality,
            bounds=(lower, upper),
            constraints=constraints,
            options={
                "time_limit": max(0.1, deadline - time.monotonic()),
                "mip_rel_gap": 0.0,
                "disp": False,
            },
        )
        if result.x is None:
            if result.status == 1:  # iteration or time limit
                raise ExactTimeout(f"the exact model found no schedule in time: {result.message}")
            raise RuntimeError(f"time-indexed model found no schedule: {result.message}")
        return np.round(result.x), result.status == 0

    def placements(self, x: np.ndarray) -> list[Placement]:
        chosen = np.flatnonzero(x[: self.x_count] > 0.5)
        return [(int(self.var_round[i]), int(self.var_edge[i])) for i in chosen]
