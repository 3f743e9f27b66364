"""Consortium builder: quality against exhaustive search, and latency at full seed size.

Quality: random small instances (12-16 candidates, 2-4 partners; and harder ones, 18-22
candidates, 4-6 partners), random countries, Mission flags, rules (distinct countries, one
member-state member, Mission cities, EU-only) and fits. The exact optimum, by exhaustive
search in the same run, is the baseline: the table gives the builder's score as a share of it.

Full size: every seed city (data/cities.csv, about 1,550) a candidate, 7 members (6 partners),
for real calls from data/calls.json and random leads. Call fit comes from the call index; pair
fit from the partner engine (``PartnerRanker``, one scoring pass per pool city, as a service
would), and from a precomputed dense matrix for comparison. The baseline measured in the same
run is the floor of any builder: ranking the candidates by call fit (``argsort``). A larger
shortlist (150 instead of the default) checks what the shortlist costs in score.

    python benchmarks/consortium.py [--quick]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    LatencySummary,
    argument_parser,
    ms,
    pct,
    print_machine,
    print_table,
)
from calls import TODAY, load_calls, load_cities, load_theme_ids  # noqa: E402

from matcher.domain import City, EligibilityRule, FundingCall, RuleKind  # noqa: E402
from matcher.scoring.calls.consortium.builder import brute_force_consortium, build_consortium  # noqa: E402
from matcher.scoring.calls.ranking import CallIndex  # noqa: E402
from matcher.scoring.partners.ranker import PartnerRanker, combine  # noqa: E402
from matcher.scoring.partners.vectorise import ProfileVectoriser  # noqa: E402

BAR_SECONDS = 2.0
FULL_SIZE = 7  # members, lead included: 6 partners
COUNTRIES = ["NL", "DE", "FR", "IT", "ES", "PL", "SE", "NO", "CH"]


# ---------------------------------------------------------------------- quality


def random_instance(
    rng: np.random.Generator, candidates: tuple[int, int], partners: tuple[int, int]
):
    n = int(rng.integers(*candidates, endpoint=True))
    k = int(rng.integers(*partners, endpoint=True))

    def city(cid: int, countries: list[str]) -> City:
        return City(
            id=cid,
            slug=f"c{cid}",
            name=f"City {cid}",
            country=str(rng.choice(countries)),
            population=int(rng.integers(20_000, 250_000)),
            mission_city=bool(rng.random() < 0.2),
        )

    rules = []
    if rng.random() < 0.8:
        rules.append(_rule(RuleKind.MIN_COUNTRIES, min=int(rng.integers(2, k + 2)), from_set=None))
    if rng.random() < 0.5:
        rules.append(_rule(RuleKind.MIN_COUNTRIES, min=1, from_set="EU27"))
    if rng.random() < 0.4:
        rules.append(
            _rule(RuleKind.REQUIRED_MEMBER, flag="mission_city", min=int(rng.integers(1, 3)))
        )
    if rng.random() < 0.3:
        rules.append(_rule(RuleKind.COUNTRIES, sets=["EU27"], countries=[]))
    pair = rng.random((n + 1, n + 1))
    call = FundingCall(id="random", title="random", rules=tuple(rules))
    return {
        "call": call,
        "lead": city(0, COUNTRIES[:4]),
        "candidates": [city(i, COUNTRIES) for i in range(1, n + 1)],
        "call_fit": rng.random(n + 1),
        "pair_fit": (pair + pair.T) / 2,
        "size": k + 1,
    }


def _rule(kind: RuleKind, **params) -> EligibilityRule:
    return EligibilityRule(str(kind), params, True, "")


def run_quality(rng: np.random.Generator, count: int) -> None:
    print(f"\nQuality against exhaustive search ({count} random instances per row)")
    rows = []
    for label, candidates, partners in (
        ("12-16 candidates, 2-4 partners", (12, 16), (2, 4)),
        ("18-22 candidates, 4-6 partners", (18, 22), (4, 6)),
    ):
        ratios, builder_seconds, exact_seconds, no_valid_set = [], [], [], 0
        for _ in range(count):
            instance = random_instance(rng, candidates, partners)
            start = time.perf_counter()
            exact = brute_force_consortium(**instance)
            exact_seconds.append(time.perf_counter() - start)
            start = time.perf_counter()
            proposal = build_consortium(**instance)
            builder_seconds.append(time.perf_counter() - start)
            if exact is None:
                no_valid_set += 1
                assert not proposal.valid, "builder found a set exhaustive search says is absent"
                continue
            ratios.append(proposal.score / exact[1] if proposal.valid else 0.0)
        optimal = sum(r >= 1 - 1e-9 for r in ratios) / len(ratios)
        rows.append(
            (
                label,
                len(ratios),
                no_valid_set,
                pct(min(ratios)),
                pct(float(np.mean(ratios))),
                pct(optimal),
                ms(float(np.median(builder_seconds))),
                ms(float(np.median(exact_seconds))),
            )
        )
    print_table(
        [
            "instances",
            "with a valid set",
            "none",
            "worst / optimum",
            "mean / optimum",
            "optimal",
            "builder median",
            "exhaustive median",
        ],
        rows,
    )
    print("bar: at least 95% of the optimum on small instances")


# ---------------------------------------------------------------------- full size


class RankerPairFit:
    """Pair fit from the partner engine: one scoring pass per city asked about, cached."""

    def __init__(self, ranker: PartnerRanker) -> None:
        self.ranker = ranker
        self.rows = {int(cid): row for row, cid in enumerate(ranker.city_ids_)}
        self.scores: dict[int, np.ndarray] = {}

    def __call__(self, a: City, b: City) -> float:
        if a.id not in self.scores:
            parts, active = self.ranker.score_parts(a.id)
            self.scores[a.id] = combine(parts, self.ranker.effective_weights(active))
        return float(self.scores[a.id][self.rows[b.id]])


def interest_cosine_matrix(vectoriser: ProfileVectoriser, pool: list[City]) -> np.ndarray:
    rows = {int(cid): row for row, cid in enumerate(vectoriser.vectors_.city_ids)}
    interest = vectoriser.vectors_.interest[[rows[c.id] for c in pool]]
    return np.clip(interest @ interest.T, 0.0, 1.0)


def pick_calls(calls: list[FundingCall], count: int) -> list[FundingCall]:
    """Calls whose rules shape a consortium first (countries, required members), then others."""
    shaping = {RuleKind.MIN_COUNTRIES, RuleKind.REQUIRED_MEMBER, RuleKind.MIN_PARTNERS}
    shaped = [c for c in calls if any(r.kind in shaping and r.parsed for r in c.rules)]
    plain = [c for c in calls if c not in shaped]
    return (shaped[: count // 2] + plain)[:count]


def run_full_size(rng: np.random.Generator, count: int) -> None:
    cities, calls, theme_ids = load_cities(), load_calls(), load_theme_ids()
    index = CallIndex().fit(calls, theme_ids)
    vectoriser = ProfileVectoriser().fit(cities, theme_ids)
    ranker = PartnerRanker().fit(vectoriser)
    chosen_calls = pick_calls(calls, count)
    leads = [cities[i] for i in rng.choice(len(cities), size=len(chosen_calls), replace=False)]
    print(
        f"\nFull size: {len(cities) - 1:,} candidates, {FULL_SIZE} members, "
        f"{len(chosen_calls)} calls x random leads"
    )

    timings: dict[str, list[float]] = {
        "build, partner-engine pair fit": [],
        "build, dense pair matrix": [],
        "build, shortlist 150 (matrix)": [],
        "baseline: argsort by call fit": [],
    }
    valid, shortlist_ratio = 0, []
    for call, lead in zip(chosen_calls, leads, strict=True):
        candidates = [c for c in cities if c.id != lead.id]
        pool = [lead, *candidates]
        call_fit = index.call_fit_of_cities(call.id, pool)
        matrix = interest_cosine_matrix(vectoriser, pool)

        start = time.perf_counter()
        proposal = build_consortium(
            call, lead, candidates, call_fit=call_fit, pair_fit=RankerPairFit(ranker),
            size=FULL_SIZE, today=TODAY,
        )  # fmt: skip
        timings["build, partner-engine pair fit"].append(time.perf_counter() - start)
        valid += proposal.valid

        start = time.perf_counter()
        default = build_consortium(
            call, lead, candidates, call_fit=call_fit, pair_fit=matrix, size=FULL_SIZE
        )
        timings["build, dense pair matrix"].append(time.perf_counter() - start)

        start = time.perf_counter()
        wide = build_consortium(
            call, lead, candidates, call_fit=call_fit, pair_fit=matrix, size=FULL_SIZE,
            shortlist=150,
        )  # fmt: skip
        timings["build, shortlist 150 (matrix)"].append(time.perf_counter() - start)
        if default.valid and wide.valid:
            shortlist_ratio.append(default.score / wide.score)

        start = time.perf_counter()
        np.argsort(-call_fit[1:], kind="stable")[: FULL_SIZE - 1]
        timings["baseline: argsort by call fit"].append(time.perf_counter() - start)

    baseline = LatencySummary.of(timings["baseline: argsort by call fit"]).median
    rows = []
    for name, seconds in timings.items():
        summary = LatencySummary.of(seconds)
        rows.append(
            (name, ms(summary.median), ms(summary.p95), ms(max(seconds)),
             f"{summary.median / baseline:,.0f}x")
        )  # fmt: skip
    print_table(["method", "median", "p95", "max", "/ baseline"], rows)
    worst = max(timings["build, partner-engine pair fit"])
    print(f"bar: under {BAR_SECONDS:.0f} s at full size -> worst {worst:.2f} s: "
          f"{'met' if worst < BAR_SECONDS else 'MISSED'}")  # fmt: skip
    print(f"valid consortia: {valid} of {len(chosen_calls)} calls")
    if shortlist_ratio:
        print(
            f"default shortlist vs 150: worst {pct(min(shortlist_ratio))}, "
            f"mean {pct(float(np.mean(shortlist_ratio)))} of the wider search's score"
        )


def main() -> None:
    args = argument_parser(__doc__.splitlines()[0]).parse_args()
    print_machine()
    rng = np.random.default_rng(args.seed)
    run_quality(rng, 20 if args.quick else 100)
    run_full_size(rng, 4 if args.quick else 20)


if __name__ == "__main__":
    main()
