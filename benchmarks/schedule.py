"""Meeting scheduler benchmark on synthetic events, against baselines measured in the same run.

Instances are SYNTHETIC: random city coordinates and theme mixes become pair scores (shared
themes and nearness, times a skewed popularity so a few attendees are wanted by many); each
attendee keeps its top 24 partners. Events have availability gaps, must-meet / would-like /
do-not-meet requests (some mutual), pairs remembered from an earlier event and a few locks.

For each instance it prints, side by side, the fair schedule (the default: every attendee within
one meeting of its even share first, then value), the same event scheduled for value only
(``fairness_weight=0``) and the greedy baseline, all measured in the same run: total value,
the plain LP bound and the LP bound with the fairness constraints, meetings per attendee, spread,
unfairness and must-meets, then the price of fairness (fair total vs value-only total).

    python benchmarks/schedule.py            # 60 to 1,000 attendees
    python benchmarks/schedule.py --quick    # small smoke run
    python benchmarks/schedule.py --exact    # exact model time by size
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import time
from dataclasses import dataclass

import numpy as np

from matcher.scoring.schedule.solve import (
    LockedMeeting,
    MeetingRequest,
    RequestKind,
    ScheduleProblem,
    greedy_schedule,
    schedule,
    validate,
)

TOP_PARTNERS = 24
THEMES = 20


@dataclass(frozen=True)
class Size:
    attendees: int
    rounds: int
    tables: int
    #: sigma of the lognormal popularity: 0.5 = a few popular attendees, 1.5 = heavy skew where
    #: most candidate lists point at the same few attendees
    skew: float = 0.5

    @property
    def label(self) -> str:
        heavy = " skew" if self.skew > 1 else ""
        return f"{self.attendees}x{self.rounds}x{self.tables}{heavy}"


def synthetic_event(size: Size, seed: int) -> ScheduleProblem:
    """A synthetic event of ``size``; see the module docstring for what it contains."""
    rng = np.random.default_rng(seed)
    n, rounds = size.attendees, size.rounds
    ids = np.arange(1000, 1000 + n)
    lat, lon = rng.uniform(36, 60, n), rng.uniform(-9, 28, n)
    themes = rng.dirichlet(np.full(THEMES, 0.3), n)
    themes /= np.linalg.norm(themes, axis=1, keepdims=True)
    popularity = rng.lognormal(0.0, size.skew, n)
    popularity /= popularity.max()
    similarity = themes @ themes.T
    distance = np.hypot(lat[:, None] - lat[None, :], (lon[:, None] - lon[None, :]) * 0.7) * 111
    score = (0.7 * similarity + 0.3 * np.exp(-distance / 800)) * np.sqrt(popularity[None, :] + 0.2)
    score = np.round(score / score.max(), 4)
    np.fill_diagonal(score, -1)

    top = np.argsort(-score, axis=1)[:, : min(TOP_PARTNERS, n - 1)]
    pairs = {(min(i, j), max(i, j)) for i in range(n) for j in top[i]}
    pair_scores = {(int(ids[i]), int(ids[j])): float(max(score[i, j], 0)) for i, j in pairs}

    availability = {}
    for i in rng.choice(n, size=n // 6, replace=False):
        missing = rng.choice(np.arange(1, rounds + 1), size=rng.integers(1, 4), replace=False)
        availability[int(ids[i])] = frozenset(set(range(1, rounds + 1)) - set(missing.tolist()))

    pair_list = sorted(pair_scores)
    requests = []

    def random_pair(from_candidates: bool) -> tuple[int, int]:
        if from_candidates:
            return pair_list[rng.integers(len(pair_list))]
        a, b = rng.choice(ids, size=2, replace=False)
        return int(a), int(b)

    for kind, share in ((RequestKind.MUST, 0.03), (RequestKind.WOULD_LIKE, 0.10),
                        (RequestKind.DO_NOT_MEET, 0.02)):  # fmt: skip
        for _ in range(math.ceil(share * n)):
            a, b = random_pair(from_candidates=rng.random() < 0.7)
            requests.append(MeetingRequest(a, b, kind, mutual=bool(rng.random() < 0.3)))

    vetoed = {r.pair for r in requests if r.kind == RequestKind.DO_NOT_MEET}
    past = {pair_list[i] for i in rng.choice(len(pair_list), size=len(pair_list) // 20)} - vetoed
    locks = _some_locks(rng, pair_list, availability, rounds, vetoed | past, count=max(2, n // 100))
    return ScheduleProblem(
        attendees=tuple(int(a) for a in ids),
        rounds=rounds,
        tables=size.tables,
        pair_scores=pair_scores,
        availability=availability,
        requests=tuple(requests),
        past_pairs=frozenset(past),
        locked=tuple(locks),
    )


def _some_locks(rng, pair_list, availability, rounds, excluded, count):
    locks, seated = [], set()
    for i in rng.permutation(len(pair_list)):
        a, b = pair_list[i]
        r = int(rng.integers(1, rounds + 1))
        both_attend = all(r in availability.get(x, range(1, rounds + 1)) for x in (a, b))
        if (a, b) in excluded or not both_attend or (a, r) in seated or (b, r) in seated:
            continue
        locks.append(LockedMeeting(r, a, b, table=len(locks) + 1 if len(locks) % 2 else None))
        seated |= {(a, r), (b, r)}
        if len(locks) == count:
            break
    return locks


def timed(fn, *args, **kwargs):
    """Result, wall seconds and CPU seconds (CPU is the fair figure on a shared machine)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - wall, time.process_time() - cpu


def run(sizes: list[Size], seeds: list[int]) -> bool:
    """Fair (default) schedules against the same event without fairness and the greedy baseline.

    Price of fairness = 1 - fair total / unconstrained total (both from ``schedule``);
    ``of fair LP`` = fair total / the LP bound with the fairness constraints, ``of LP`` = the
    unconstrained total / the plain LP bound.
    """
    header = (
        f"{'instance':<24}{'run':<8}{'wall s':>7}{'cpu s':>7}{'total':>9}{'LP':>9}{'fair LP':>9}"
        f"{'of bound':>9}{'meet min/med/max':>17}{'spread':>7}{'unfair':>7}{'must':>8}  method"
    )
    print("SYNTHETIC instances (random coordinates/themes -> pair scores, top-24 candidates)")
    print(
        "fair = the default (fair spread first); value-only = fairness_weight 0; greedy = baseline"
    )
    print("'of bound': fair run vs the fair LP bound, the others vs the plain LP bound")
    print(header)
    all_ok = True
    prices = []
    for size in sizes:
        for seed in seeds:
            problem = synthetic_event(size, seed)
            fair, wall, cpu = timed(schedule, problem)
            free, free_wall, free_cpu = timed(
                schedule, dataclasses.replace(problem, fairness_weight=0.0)
            )
            greedy, greedy_wall, greedy_cpu = timed(greedy_schedule, problem)
            q, fq, gq = fair.quality, free.quality, greedy.quality
            errors = validate(problem, fair)
            # The fair schedule is never less fair than greedy, nor honours fewer must-meets.
            ok = not errors and q.unfairness <= gq.unfairness and q.must_met >= gq.must_met
            all_ok &= ok
            price = 1 - q.total_score / fq.total_score
            prices.append(price)
            label = size.label + " s" + str(seed)
            for name, result, w, c, bound in (
                ("fair", fair, wall, cpu, q.fair_bound),
                ("value", free, free_wall, free_cpu, q.upper_bound),
                ("greedy", greedy, greedy_wall, greedy_cpu, q.upper_bound),
            ):
                r = result.quality
                spread = f"{r.meetings_min}/{r.meetings_median:g}/{r.meetings_max}"
                unfair = compile_unfairness(problem, result)
                print(
                    f"{label:<24}{name:<8}{w:>7.2f}{c:>7.2f}{r.total_score:>9.1f}"
                    f"{q.upper_bound:>9.1f}{q.fair_bound:>9.1f}{r.total_score / bound:>9.2%}"
                    f"{spread:>17}{r.spread:>7}{unfair:>7}{f'{r.must_met}/{r.must_total}':>8}"
                    f"  {r.method}" + ("" if ok or name != "fair" else f"  FAIL {errors[:3]}")
                )
                label = ""
            print(
                f"{'':<24}price of fairness {price:.2%} of the value-only total; "
                f"fair / value-only = {q.total_score / fq.total_score:.4f}; "
                f"fair / greedy = {q.total_score / gq.total_score:.4f}"
            )
    print(f"price of fairness: median {np.median(prices):.2%}, max {max(prices):.2%}")
    return all_ok


def compile_unfairness(problem: ScheduleProblem, result) -> int:
    """Unfairness of any schedule under the default fairness rule (also for value-only runs)."""
    from matcher.scoring.schedule.graph import compile_problem

    fair_problem = dataclasses.replace(problem, fairness_weight=1.0)
    graph = compile_problem(fair_problem)
    position = {int(a): i for i, a in enumerate(graph.ids)}
    placements = []
    for m in result.meetings:
        u, v = sorted((position[m.a], position[m.b]))
        placements.append((m.round - 1, graph.edge_of[(u, v)]))
    return graph.unfairness(placements)


def exact_sizes() -> None:
    """How long the exact model takes by size (the measurement behind EXACT_REFUSE_VARIABLES)."""
    from matcher.scoring.schedule import solve
    from matcher.scoring.schedule.graph import compile_problem

    print("exact model: variables, wall seconds (30 s limit), proved optimal; matching as baseline")
    limit = solve.EXACT_REFUSE_VARIABLES
    solve.EXACT_REFUSE_VARIABLES = 10**9
    try:
        for n in (16, 24, 30, 40, 60):
            problem = synthetic_event(Size(n, 6, n // 3), 0)
            size = solve.exact_model_size(compile_problem(problem))
            exact, wall, _ = timed(schedule, problem, method="exact", time_limit=30)
            fast, fast_wall, _ = timed(schedule, problem, method="matching")
            print(
                f"{n:>4} attendees x 6 rounds: {size:>6} variables, exact {wall:6.2f} s "
                f"(optimal: {exact.quality.optimal}), matching {fast_wall:.2f} s, "
                f"matching / exact value {fast.quality.total_score / exact.quality.total_score:.4f}"
            )
    finally:
        solve.EXACT_REFUSE_VARIABLES = limit
    print(f"exact refuses above {limit:,} variables")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    parser.add_argument("--exact", action="store_true", help="time the exact model by size")
    args = parser.parse_args(argv)
    if args.exact:
        exact_sizes()
        return 0
    if args.quick:
        sizes, seeds = [Size(60, 6, 25), Size(120, 8, 40)], [0]
    else:
        sizes = [
            Size(60, 6, 25),
            Size(120, 8, 40),
            Size(300, 6, 100),
            Size(1000, 8, 400),
            Size(1000, 8, 400, skew=1.5),
        ]
        # One seed each keeps the run within 3 minutes on 2 shared cores.
        seeds = [0]
    return 0 if run(sizes, seeds) else 1


if __name__ == "__main__":
    sys.exit(main())
