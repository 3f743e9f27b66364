"""From placements to a :class:`Schedule`: tables, meeting kinds, unmet must-meets and quality."""

from __future__ import annotations

import dataclasses
import math

import numpy as np

from matcher.scoring.schedule.graph import CandidateGraph, Placement
from matcher.scoring.schedule.model import (
    FairnessGap,
    Meeting,
    MeetingKind,
    RequestKind,
    Schedule,
    ScheduleQuality,
    UnmetRequest,
    fair_shares,
)


def build_schedule(
    graph: CandidateGraph,
    placements: list[Placement],
    *,
    method: str,
    optimal: bool,
    upper_bound: float,
    greedy_total: float,
    fair_bound: float | None = None,
) -> Schedule:
    """Assemble the schedule for ``placements`` (which must satisfy every hard constraint)."""
    requested = graph.problem.requests_by_pair()
    wanted = requested[RequestKind.WOULD_LIKE]
    must = requested[RequestKind.MUST]
    tables = assign_tables(graph, placements)
    meetings = []
    for (r, e), table in zip(placements, tables, strict=True):
        a, b = graph.pair_ids(e)
        meetings.append(
            Meeting(
                round=r + 1,
                table=table,
                a=a,
                b=b,
                score=float(graph.score[e]),
                kind=_kind(graph, e, (a, b), must, wanted),
                bonus=float(graph.bonus[e]),
            )
        )
    meetings.sort(key=lambda m: (m.round, m.table))
    met = {m.pair for m in meetings}
    unmet = tuple(
        UnmetRequest(a, b, _unmet_reason(graph, (a, b), placements))
        for a, b in sorted(must)
        if (a, b) not in met
    )
    quality = _quality(graph, placements, meetings, method, optimal, upper_bound, greedy_total)
    if fair_bound is not None:
        quality = dataclasses.replace(quality, fair_bound=fair_bound)
    return Schedule(tuple(meetings), unmet, quality, fairness_gaps(graph, placements))


def fairness_gaps(graph: CandidateGraph, placements: list[Placement]) -> tuple[FairnessGap, ...]:
    """Attendees with fewer meetings than the even share minus one, or more than the share plus
    one, each with the reason the schedule could not do better (empty when fairness is off)."""
    if not graph.fair():
        return ()
    problem = graph.problem
    shares = fair_shares(problem)
    counts = graph.meeting_counts(placements)
    attended = graph.available.sum(axis=1)
    degree = np.bincount(np.concatenate([graph.u, graph.v]), minlength=graph.n)
    fixed_rounds = _fixed_rounds(graph, placements)
    gaps = []
    for i, attendee in enumerate(graph.ids.tolist()):
        share = shares[attendee]
        low = max(0, math.ceil(problem.fair_floor_share * share - 1 - 1e-9))
        high = int(graph.ceilings[i])
        have = int(counts[i])
        if low <= have <= high and attended[i] > 0:
            continue
        if have > high:
            reason = "locked and must-meet meetings exceed its even share"
        elif attended[i] == 0:
            reason = "unavailable in every round"
        elif attended[i] < low:
            reason = f"attends only {attended[i]} of {graph.rounds} rounds"
        elif degree[i] < low:
            reason = (
                f"only {degree[i]} possible partners (the rest are excluded by do-not-meet"
                " requests, earlier meetings, no shared round or no score)"
            )
        elif fixed_rounds[i] >= graph.rounds - have:
            reason = "its free rounds are full with locked and must-meet meetings"
        else:
            reason = (
                "its possible partners are busy in the rounds it attends"
                " (more meetings for it would take one from an attendee at its own floor)"
            )
        gaps.append(FairnessGap(attendee, have, round(share, 3), low, high, reason))
    return tuple(gaps)


def _fixed_rounds(graph: CandidateGraph, placements: list[Placement]) -> np.ndarray:
    """Per attendee, the rounds in which every table holds a locked or must-meet meeting."""
    load = np.zeros(graph.rounds, dtype=np.int64)
    for r, e in placements:
        if e in graph.locked_edges or graph.must_weight[e] > 0:
            load[r] += 1
    full = load >= graph.tables
    return (graph.available & full[None, :]).sum(axis=1)


def assign_tables(graph: CandidateGraph, placements: list[Placement]) -> list[int]:
    """Table per placement, 1..tables within each round.

    Locked tables stay; otherwise an attendee keeps the table it had in its previous meeting
    when that table is free (fewer people walking around the room), else the lowest free table.
    Meetings are seated in a fixed order (value, then ids), so the layout is reproducible.
    """
    locked_table = {(lock.round, lock.edge): lock.table for lock in graph.locks}
    by_round: dict[int, list[int]] = {}
    for i, (r, _) in enumerate(placements):
        by_round.setdefault(r, []).append(i)
    tables = [0] * len(placements)
    last_table: dict[int, int] = {}
    for r in sorted(by_round):
        taken = set()
        pending = []
        for i in by_round[r]:
            table = locked_table.get(placements[i])
            if table is None:
                pending.append(i)
            else:
                tables[i] = table
                taken.add(table)
        pending.sort(
            key=lambda i: (-graph.value[placements[i][1]], graph.pair_ids(placements[i][1]))
        )
        free = iter(t for t in range(1, graph.tables + 1))
        for i in pending:
            e = placements[i][1]
            ends = (int(graph.u[e]), int(graph.v[e]))
            preferred = [last_table[p] for p in ends if p in last_table]
            table = next((t for t in preferred if t not in taken), None)
            while table is None:
                t = next(free)
                table = t if t not in taken else None
            tables[i] = table
            taken.add(table)
        for i in by_round[r]:
            e = placements[i][1]
            last_table[int(graph.u[e])] = last_table[int(graph.v[e])] = tables[i]
    return tables


def _kind(graph: CandidateGraph, edge: int, pair, must, wanted) -> MeetingKind:
    if edge in graph.locked_edges:
        return MeetingKind.LOCKED
    if pair in must:
        return MeetingKind.MUST
    if pair in wanted:
        return MeetingKind.WOULD_LIKE
    return MeetingKind.SUGGESTED


def _unmet_reason(graph: CandidateGraph, pair, placements: list[Placement]) -> str:
    if pair in graph.impossible_must:
        return graph.impossible_must[pair]
    # Only locks and must-meets outrank a must-meet, so they are what blocked it.
    position = {int(a): i for i, a in enumerate(graph.ids)}
    a, b = position[pair[0]], position[pair[1]]
    e = graph.edge_of[(min(a, b), max(a, b))]
    blockers: dict[tuple[int, int], str] = {}
    load = np.zeros(graph.rounds, dtype=np.int64)
    for r, other in placements:
        if other in graph.locked_edges or graph.must_weight[other] > 0:
            load[r] += 1
            label = "a locked meeting" if other in graph.locked_edges else "another must-meet"
            for p in (int(graph.u[other]), int(graph.v[other])):
                blockers[(p, r)] = label
    parts = []
    for r in np.flatnonzero(graph.common[e]):
        busy = [f"{graph.ids[p]} has {blockers[(p, r)]}" for p in (a, b) if (p, int(r)) in blockers]
        if busy:
            parts.append(f"round {r + 1}: " + ", ".join(busy))
        elif load[r] >= graph.tables:
            parts.append(f"round {r + 1}: all tables hold locked or must-meet meetings")
        else:
            parts.append(f"round {r + 1}: not placed by the solver")
    return "no free slot in the rounds both attend (" + "; ".join(parts) + ")"


def _quality(graph, placements, meetings, method, optimal, upper_bound, greedy_total):
    counts = graph.meeting_counts(placements)
    attended = graph.available.sum(axis=1)
    present = attended > 0
    present_counts = counts[present] if present.any() else np.zeros(1, dtype=np.int64)
    requested = graph.problem.requests_by_pair()
    met = {m.pair for m in meetings}
    must, wanted = requested[RequestKind.MUST], requested[RequestKind.WOULD_LIKE]
    total = float(sum(m.value for m in meetings))
    return ScheduleQuality(
        total_score=total,
        objective=graph.penalised_value(placements),
        unfairness=graph.unfairness(placements) if graph.fair() else 0,
        upper_bound=upper_bound,
        share_of_bound=total / upper_bound if upper_bound > 0 else 1.0,
        greedy_total=greedy_total,
        meetings_min=int(present_counts.min()),
        meetings_median=float(np.median(present_counts)),
        meetings_max=int(present_counts.max()),
        spread=int(present_counts.max() - present_counts.min()),
        below_fair_floor=int((counts < graph.floors).sum()),
        idle_rounds_total=int((attended - counts).sum()),
        must_met=len(met & must.keys()),
        must_total=len(must),
        would_like_met=len(met & wanted.keys()),
        would_like_total=len(wanted),
        method=method,
        optimal=optimal,
    )
