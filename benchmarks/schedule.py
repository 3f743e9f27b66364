"""Meeting scheduler benchmark on synthetic events, against baselines measured in the same run.

Instances are SYNTHETIC: random city coordinates and theme mixes become pair scores (shared
themes and nearness, times a skewed popularity so a few attendees are wanted by many); each
attendee keeps its top 24 partners. Events have availability gaps, must-meet / would-like /
do-not-meet requests (some mutual), pairs remembered from an earlier event and a few locks.

For each instance it prints the time of ``schedule`` (auto), the greedy baseline and the LP bound,
the total value, its share of the LP upper bound, the ratio to greedy and the fairness spread.

    python benchmarks/schedule.py            # 120x8x40, 300x6x100, 1000x8x500 (x3 seeds)
    python benchmarks/schedule.py --quick    # small smoke run
"""

from __future__ import annotations

import argparse
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
    lp_upper_bound,
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
    header = (
        f"{'instance':<22}{'ours s':>8}{'cpu s':>7}{'greedy s':>9}{'LP s':>7}"
        f"{'total':>10}{'bound':>10}"
        f"{'share':>8}{'x greedy':>9}{'meet min/med/max':>18}{'<floor':>7}{'must':>9}  method"
    )
    print("SYNTHETIC instances (random coordinates/themes -> pair scores, top-24 candidates)")
    print("times: wall seconds and CPU seconds of schedule(); greedy and LP wall seconds")
    print(header)
    all_ok = True
    for size in sizes:
        for seed in seeds:
            problem = synthetic_event(size, seed)
            result, ours, ours_cpu = timed(schedule, problem)
            greedy, greedy_s, _ = timed(greedy_schedule, problem)
            bound, lp_s, _ = timed(lp_upper_bound, problem)
            q = result.quality
            errors = validate(problem, result)
            ok = not errors and q.total_score >= greedy.quality.total_score
            all_ok &= ok
            spread = f"{q.meetings_min}/{q.meetings_median:g}/{q.meetings_max}"
            print(
                f"{size.label + ' s' + str(seed):<22}{ours:>8.2f}{ours_cpu:>7.2f}"
                f"{greedy_s:>9.2f}{lp_s:>7.2f}"
                f"{q.total_score:>10.1f}{bound:>10.1f}{q.total_score / bound:>8.2%}"
                f"{q.total_score / greedy.quality.total_score:>9.4f}{spread:>18}"
                f"{q.below_fair_floor:>7}{f'{q.must_met}/{q.must_total}':>9}  {q.method}"
                + ("" if ok else f"  FAIL {errors[:3]}")
            )
            gq = greedy.quality
            print(
                f"{'  greedy':<22}{'':>8}{'':>7}{'':>9}{'':>7}{gq.total_score:>10.1f}{'':>10}"
                f"{gq.total_score / bound:>8.2%}{1:>9.4f}"
                f"{f'{gq.meetings_min}/{gq.meetings_median:g}/{gq.meetings_max}':>18}"
                f"{gq.below_fair_floor:>7}{f'{gq.must_met}/{gq.must_total}':>9}"
            )
    return all_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small smoke run")
    args = parser.parse_args(argv)
    if args.quick:
        sizes, seeds = [Size(12, 5, 6), Size(120, 8, 40)], [0]
    else:
        sizes = [
            Size(12, 5, 6),
            Size(120, 8, 40),
            Size(300, 6, 100),
            Size(1000, 8, 500),
            Size(1000, 8, 500, skew=1.5),
        ]
        seeds = [0, 1, 2]
    return 0 if run(sizes, seeds) else 1


if __name__ == "__main__":
    sys.exit(main())
