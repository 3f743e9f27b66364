"""Partner ranking: latency and index build, and (``--quality``) the evaluation table.

Latency: top-20 for 200 query cities over the seed cities (data/*.csv) and over synthetic
scale-ups to 10,000 and 100,000 candidates (jittered copies of the seed rows, labelled
"synthetic"). The baseline, measured in the same run on the same matrix, is a bare numpy
matrix-vector product over the ranker's combined feature matrix plus ``np.argpartition``.

Quality (``--quality``): the leave-group-out evaluation of ``matcher.scoring.partners.evaluate`` on
the truth files in data/eval/, with the engine's default configuration, on the training
split, the held-out groups and the full sets. ``--tune`` re-fits the default weights and the
proximity scale by coordinate ascent on the training split only (keep.eu groups that started
before 2016, a fixed random half of CORDIS) and prints the constants for PartnerWeights.

    python benchmarks/partners.py [--quick] [--quality] [--tune [--sweeps N]]
"""

from __future__ import annotations

import csv
import json
import sys
import time
import tracemalloc
from collections import defaultdict
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import LatencySummary, argument_parser, ms, print_machine, print_table  # noqa: E402

from matcher.domain import (  # noqa: E402
    DEFAULT_SIZE_BANDS,
    City,
    Collaboration,
    ProfileEntry,
    ProfileKind,
    Theme,
    fold,
)
from matcher.scoring.partners.ranker import PartnerRanker  # noqa: E402
from matcher.scoring.partners.vectorise import ProfileVectoriser, ProfileVectors  # noqa: E402

DATA = Path(__file__).resolve().parent.parent / "data"
TOP = 20


# ---------------------------------------------------------------------- a tiny seed loader


def load_seed(data: Path = DATA) -> tuple[list[City], list[Collaboration], list[Theme]]:
    """Cities (ids = file order from 1), collaborations and themes from the seed files."""
    themes = [
        Theme(t["id"], t["label"], t.get("description", ""), tuple(t.get("synonyms", ())))
        for t in json.loads((data / "themes.json").read_text())["themes"]
    ]
    profiles: dict[str, list[ProfileEntry]] = defaultdict(list)
    if (data / "profiles.csv").exists():
        for row in _rows(data / "profiles.csv"):
            entry = ProfileEntry(ProfileKind(row["kind"]), row["theme_id"], float(row["weight"]),
                                 row["provenance"])  # fmt: skip
            profiles[row["city_slug"]].append(entry)
    cities = []
    for cid, row in enumerate(_rows(data / "cities.csv"), start=1):
        cities.append(City(
            id=cid, slug=row["slug"], name=row["name"], country=row["country"],
            population=int(float(row["population"])) if row["population"] else None,
            lat=float(row["lat"]) if row["lat"] else None,
            lon=float(row["lon"]) if row["lon"] else None,
            nuts=row.get("nuts") or None,
            profile=tuple(profiles.get(row["slug"], ())),
        ))  # fmt: skip
    by_slug = {c.slug: c.id for c in cities}
    members: dict[str, list[int]] = defaultdict(list)
    if (data / "collaboration_members.csv").exists():
        for row in _rows(data / "collaboration_members.csv"):
            if row["city_slug"] in by_slug:
                members[row["collaboration_ref"]].append(by_slug[row["city_slug"]])
    collaborations = []
    if (data / "collaborations.csv").exists():
        for pos, row in enumerate(_rows(data / "collaborations.csv"), start=1):
            collaborations.append(Collaboration(
                id=pos, source=row["source"], source_ref=row["ref"], title=row["title"],
                programme=row["programme"], themes=tuple(filter(None, row["themes"].split("|"))),
                description=row["description"],
                start_year=int(row["start_year"]) if row["start_year"] else None,
                end_year=int(row["end_year"]) if row["end_year"] else None,
                member_city_ids=tuple(dict.fromkeys(members.get(row["ref"], ()))),
                kind=row.get("kind") or "project",
            ))  # fmt: skip
    return cities, collaborations, themes


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def city_index(cities: list[City]) -> dict[tuple[str, str], int]:
    """(folded name, country) -> city id, for matching truth rows."""
    return {(fold(c.name), c.country): c.id for c in cities}


# ---------------------------------------------------------------------- synthetic scale-up


def scale_up(seed: ProfileVectors, n: int, rng: np.random.Generator) -> ProfileVectors:
    """``n`` synthetic cities: copies of the seed rows with jittered place, size and theme
    weights; copy b's partners are copy b's counterparts of the seed partners."""
    m = len(seed)
    rows = np.arange(n) % m

    def jitter(matrix):
        noisy = matrix[rows] * rng.lognormal(0.0, 0.3, (n, matrix.shape[1])).astype(np.float32)
        norms = np.linalg.norm(noisy, axis=1, keepdims=True)
        return np.divide(noisy, norms, out=np.zeros_like(noisy), where=norms > 0)

    blocks = (n + m - 1) // m

    def tiled(matrix: sp.csr_matrix) -> sp.csr_matrix:
        coo = matrix.tocoo()
        offset = m * np.arange(blocks)[:, None]
        prow, pcol = (coo.row[None, :] + offset).ravel(), (coo.col[None, :] + offset).ravel()
        keep = (prow < n) & (pcol < n)
        data = np.tile(coo.data, blocks)[keep]
        return sp.csr_matrix((data, (prow[keep], pcol[keep])), shape=(n, n), dtype=matrix.dtype)

    return ProfileVectors(
        theme_ids=seed.theme_ids,
        city_ids=np.arange(1, n + 1, dtype=np.int64),
        interest=jitter(seed.interest),
        need=jitter(seed.need),
        offer=jitter(seed.offer),
        experience=jitter(seed.experience),
        text=seed.text[rows],
        population=seed.population[rows] * rng.lognormal(0.0, 0.2, n),
        lat_rad=seed.lat_rad[rows] + np.radians(rng.normal(0.0, 0.3, n)),
        lon_rad=seed.lon_rad[rows] + np.radians(rng.normal(0.0, 0.3, n)),
        country=seed.country[rows],
        partner_counts=tiled(seed.partner_counts),
        network_overlap=tiled(seed.network_overlap),
        ties=tiled(seed.ties),
        project_count=seed.project_count[rows],
        region=None if seed.region is None else seed.region[rows],
    )


def synthetic_seed(n: int, themes: list[Theme], rng: np.random.Generator):
    """A labelled stand-in for the seed when data/ is not built yet."""
    countries = ["DE", "FR", "IT", "ES", "PL", "NL", "BE", "SE", "PT", "CZ", "AT", "DK"]
    theme_ids = [t.id for t in themes]
    cities = [
        City(id=i, slug=f"s{i}", name=f"Synthetic {i}", country=str(rng.choice(countries)),
             population=int(rng.lognormal(11, 0.8)), lat=float(rng.uniform(38, 60)),
             lon=float(rng.uniform(-8, 25)),
             profile=tuple(ProfileEntry(ProfileKind.INTEREST, str(t), float(rng.random()),
                                        "synthetic")
                           for t in rng.choice(theme_ids, 3, replace=False)))
        for i in range(1, n + 1)
    ]  # fmt: skip
    words = [w for t in themes for w in " ".join(t.synonyms).split()]
    collaborations = [
        Collaboration(id=j, source="synthetic", source_ref=f"S{j}", title=f"Project {j}",
                      themes=(str(rng.choice(theme_ids)),),
                      description=" ".join(rng.choice(words, 60)),
                      member_city_ids=tuple(int(x) for x in rng.choice(n, 4, replace=False) + 1))
        for j in range(1, n // 2)
    ]  # fmt: skip
    return cities, collaborations


# ---------------------------------------------------------------------- latency


def index_bytes(ranker: PartnerRanker) -> int:
    """Bytes held by the ranker's index arrays (dense and sparse)."""
    total = ranker.features_.nbytes + ranker.log_population_.nbytes
    total += ranker.country_codes_.nbytes + ranker.size_band_codes_.nbytes
    vectors = ranker.vectors_
    for matrix in (ranker.text_by_term_, vectors.text, vectors.partner_counts,
                   vectors.network_overlap, ranker.ties_):  # fmt: skip
        total += matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    return total


def latency(ranker: PartnerRanker, queries: np.ndarray, rng, **options) -> dict[str, float]:
    """Per-query latency of ``rank`` and of the bare matvec + argpartition, interleaved."""
    probe = rng.random(ranker.features_.shape[1]).astype(np.float32)
    engine, bare = [], []
    for query in queries:
        start = time.perf_counter()
        ranker.rank(int(query), TOP, **options)
        engine.append(time.perf_counter() - start)
        start = time.perf_counter()
        scores = ranker.features_ @ probe
        np.argpartition(-scores, TOP)[:TOP]
        bare.append(time.perf_counter() - start)
    e, b = LatencySummary.of(engine), LatencySummary.of(bare)
    return {"median": e.median, "p95": e.p95, "bare": b.median, "ratio": e.median / b.median}


def run_latency(args) -> None:
    rng = np.random.default_rng(args.seed)
    cities, collaborations, themes = load_seed()
    label = "seed"
    if not collaborations:
        cities, collaborations = synthetic_seed(len(cities) or 1500, themes, rng)
        label = "synthetic seed (data/collaborations.csv missing)"
    theme_ids = [t.id for t in themes]

    # Build time without tracing (tracemalloc slows allocation-heavy code several-fold),
    # then the peak memory of a second, traced build.
    builds = []
    for _attempt in range(3):
        start = time.perf_counter()
        vectoriser = ProfileVectoriser().fit(cities, theme_ids, collaborations=collaborations)
        ranker = PartnerRanker().fit(vectoriser)
        builds.append(time.perf_counter() - start)
    build = min(builds)
    tracemalloc.start()
    PartnerRanker().fit(ProfileVectoriser().fit(cities, theme_ids, collaborations=collaborations))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"index build ({label}, {len(cities):,} cities, {len(collaborations):,} "
          f"collaborations, vocabulary {len(vectoriser.idf_):,}): {build:.2f} s (best of 3), "
          f"peak {peak / 2**20:.0f} MiB, index {index_bytes(ranker) / 2**20:.1f} MiB "
          f"(bar: < 2 s)")  # fmt: skip

    sizes = [len(cities), 10_000] if args.quick else [len(cities), 10_000, 100_000]
    n_queries = 50 if args.quick else 200
    modes = {"any": {}, "near+focus": {"geography": "near", "theme_focus": [theme_ids[0]]},
             "filtered": {"geography": "cross-border", "country_sets": ["EU27"],
                          "size_bands": ["s", "m", "l"]}}  # fmt: skip
    rows = []
    for n in sizes:
        if n == len(cities):
            scaled, name = ranker, f"{n:,} ({label})"
        else:
            start = time.perf_counter()
            scaled = PartnerRanker().fit(scale_up(vectoriser.vectors_, n, rng))
            name = f"{n:,} (synthetic, index {time.perf_counter() - start:.2f} s)"
        queries = rng.choice(scaled.city_ids_, min(n_queries, n), replace=False)
        for mode, options in modes.items():
            figures = latency(scaled, queries, rng, **options)
            rows.append([name, mode, ms(figures["median"]), ms(figures["p95"]),
                         ms(figures["bare"]), f"{figures['ratio']:.2f}x"])  # fmt: skip
    print_table(["candidates", "options", "median", "p95", "bare matvec+argpartition",
                 "ratio (bar <= 3x at 100k)"], rows)  # fmt: skip
    queries = rng.choice(ranker.city_ids_, min(n_queries, len(ranker.city_ids_)), replace=False)
    note, ranked = focus_note_cost(ranker, queries, theme_ids[:2])
    print(
        f"focus note (holders and nearest per focus theme, {len(queries)} queries, seed): "
        f"median {ms(note)} against {ms(ranked)} for the focused ranking it comes with, "
        f"ratio {note / ranked:.3f}x"
    )


def focus_note_cost(ranker: PartnerRanker, queries: np.ndarray, focus: list[str]):
    """Median seconds of ``focus_coverage`` and of the focused ``rank`` it accompanies (the
    default size bands, as the service asks), interleaved."""
    bands = list(DEFAULT_SIZE_BANDS)
    note, ranked = [], []
    for query in queries:
        start = time.perf_counter()
        ranker.focus_coverage(int(query), focus, size_bands=bands)
        note.append(time.perf_counter() - start)
        start = time.perf_counter()
        ranker.rank(int(query), TOP, theme_focus=focus, size_bands=bands)
        ranked.append(time.perf_counter() - start)
    return LatencySummary.of(note).median, LatencySummary.of(ranked).median


# ---------------------------------------------------------------------- quality


def load_truth(path: Path, index: dict[tuple[str, str], int]):
    """Truth groups from a data/eval CSV (one row per member), matched by name + country."""
    from matcher.scoring.partners.evaluate import TruthGroup

    members: dict[str, list[int]] = defaultdict(list)
    unmatched: dict[str, int] = defaultdict(int)
    meta: dict[str, tuple[tuple[str, ...], int | None]] = {}
    for row in _rows(path):
        gid = row["group_id"]
        cid = index.get((fold(row["city"]), row["country"]))
        if cid is None:
            unmatched[gid] += 1
        else:
            members[gid].append(cid)
        meta[gid] = (tuple(filter(None, row["theme"].split("|"))),
                     int(row["year"]) if row["year"] else None)  # fmt: skip
    return [
        TruthGroup(gid, tuple(dict.fromkeys(members[gid])), meta[gid][0], meta[gid][1],
                   unmatched[gid])
        for gid in meta
    ]  # fmt: skip


TRUTH_FILES = {
    "keep.eu municipal partnerships": "keep_municipal_partnerships.csv",
    "CORDIS municipal co-participations": "cordis_municipal_coparticipations.csv",
}
#: keep.eu groups starting before this year are in the training split (2014-2015, about 40%
#: of the groups); later ones are held out.
TRAIN_BEFORE_YEAR = 2016
#: CORDIS groups carry no year: a fixed random half (by sorted group id) is the training split.
CORDIS_SPLIT_SEED = 2016
#: Values tried per weight in the coordinate ascent, and the proximity scales tried.
GRID = (0.0, 0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0)
PROXIMITY_SCALES_KM = (25.0, 50.0, 100.0, 200.0, 400.0, 800.0)
#: Parts the evaluation can identify (complementarity reads declared needs and offers, which
#: no city has yet; geography is a user preference, off in the default configuration).
TUNED_PARTS = ("shared_interests", "experience", "track_record", "text", "peer_size",
               "proximity", "history", "networks", "common_partners")  # fmt: skip


def split_groups(truth: str, groups: list) -> tuple[list, list]:
    """(training, held-out) groups of one truth set; see TRAIN_BEFORE_YEAR and
    CORDIS_SPLIT_SEED."""
    if truth.startswith("keep"):
        train = [g for g in groups if (g.year or 0) < TRAIN_BEFORE_YEAR]
    else:
        ids = sorted(g.group_id for g in groups)
        picked = np.random.default_rng(CORDIS_SPLIT_SEED).permutation(len(ids))[: len(ids) // 2]
        chosen = {ids[i] for i in picked}
        train = [g for g in groups if g.group_id in chosen]
    held = [g for g in groups if g not in train]
    return train, held


class _PartStack:
    """Every tuned part of every query of one truth set, computed once (default settings)."""

    def __init__(self, vectoriser, collaborations, groups, seed: int) -> None:
        from matcher.scoring.partners.evaluate import iter_queries
        from matcher.scoring.partners.ranker import PROXIMITY_SCALE_KM

        ranker = PartnerRanker().fit(vectoriser)
        self.queries = list(iter_queries(vectoriser, collaborations, groups))
        rng = np.random.default_rng(seed)
        self.ties = rng.random((len(self.queries), len(ranker.city_ids_)))
        self.parts = np.stack([
            np.stack([parts[p] for p in TUNED_PARTS])
            for parts in (ranker.score_parts(q.city_id, theme_focus=q.theme_focus,
                                             overrides=q.overrides)[0] for q in self.queries)
        ])  # fmt: skip
        self.base_scale = PROXIMITY_SCALE_KM
        self.base_proximity = self.parts[:, TUNED_PARTS.index("proximity")].copy()

    def use_scale(self, scale_km: float) -> None:
        """exp(-km / s) from exp(-km / base): a power of the stored part, no recomputation."""
        self.parts[:, TUNED_PARTS.index("proximity")] = self.base_proximity ** (
            self.base_scale / scale_km
        )

    def ndcg(self, weights: np.ndarray) -> float:
        from matcher.scoring.partners.evaluate import metrics_from_ranks, relevant_ranks

        scores = np.einsum("qpc,p->qc", self.parts, weights.astype(np.float32))
        return float(np.mean([
            metrics_from_ranks(relevant_ranks(scores[i], q.relevant_rows, q.row,
                                              self.ties[i]))["ndcg@10"]
            for i, q in enumerate(self.queries)
        ]))  # fmt: skip


def run_tuning(args) -> None:
    """Coordinate ascent of the part weights (and the proximity scale) on the mean nDCG@10 of
    the two training splits, leave-group-out, default settings (geography "any").

    Deterministic: fixed splits, fixed tie-breaking keys, a fixed grid and sweep order, and
    a change is kept only when it improves the objective by more than 1e-9.
    """
    from matcher.scoring.partners.evaluate import without_collaboration_derived

    cities, collaborations, themes = load_seed()
    index = city_index(cities)
    vectoriser = ProfileVectoriser().fit(
        without_collaboration_derived(cities), [t.id for t in themes], collaborations=collaborations
    )
    stacks = {}
    for truth, filename in TRUTH_FILES.items():
        train, held = split_groups(truth, load_truth(DATA / "eval" / filename, index))
        stacks[truth] = (_PartStack(vectoriser, collaborations, train, args.seed),
                         _PartStack(vectoriser, collaborations, held, args.seed))  # fmt: skip
        print(f"{truth}: {len(stacks[truth][0].queries)} training queries, "
              f"{len(stacks[truth][1].queries)} held-out queries")  # fmt: skip
    best = fit_weights([train for train, _held in stacks.values()], args.sweeps)
    score, scale, weights = best
    for truth, (train, held) in stacks.items():
        train.use_scale(scale)
        held.use_scale(scale)
        print(f"{truth}: nDCG@10 training {train.ndcg(weights):.3f}, "
              f"held out {held.ndcg(weights):.3f}")  # fmt: skip
    print(f"chosen: PROXIMITY_SCALE_KM = {scale:g}, objective {score:.4f}")
    print("PartnerWeights(" + ", ".join(
        f"{p}={w:g}" for p, w in zip(TUNED_PARTS, weights, strict=True)) + ")")  # fmt: skip


def fit_weights(stacks: list[_PartStack], sweeps: int = 3):
    """(objective, proximity scale, weights in TUNED_PARTS order) maximising the mean nDCG@10
    over ``stacks``: coordinate ascent over GRID per proximity scale."""
    from matcher.scoring.partners.evaluate import coordinate_ascent

    best = (-1.0, PROXIMITY_SCALES_KM[0], np.zeros(len(TUNED_PARTS)))
    for scale in PROXIMITY_SCALES_KM:
        for stack in stacks:
            stack.use_scale(scale)

        def objective(w: np.ndarray) -> float:
            return float(np.mean([stack.ndcg(w) for stack in stacks]))

        weights, score = coordinate_ascent(objective, [0.1] * len(TUNED_PARTS), GRID,
                                           sweeps=sweeps)  # fmt: skip
        print(f"  proximity scale {scale:g} km: objective {score:.4f}, "
              f"{dict(zip(TUNED_PARTS, weights.round(2).tolist(), strict=True))}")  # fmt: skip
        if score > best[0] + 1e-9:
            best = (score, scale, weights)
    return best


def run_quality(args) -> None:
    from matcher.scoring.partners.evaluate import evaluate

    cities, collaborations, themes = load_seed()
    index = city_index(cities)
    theme_ids = [t.id for t in themes]
    n_boot = 200 if args.quick else 1000
    for truth, filename in TRUTH_FILES.items():
        groups = load_truth(DATA / "eval" / filename, index)
        train, held = split_groups(truth, groups)
        splits = {"training split": train, "held out": held, "all": groups}
        for split, chosen in splits.items():
            if args.quick:
                chosen = chosen[:150]
            for geography in args.geography:
                start = time.perf_counter()
                report = evaluate(cities, collaborations, chosen, theme_ids=theme_ids,
                                  truth=f"{truth}, {split}", geography=geography,
                                  n_boot=n_boot)  # fmt: skip
                print(f"\n{report['truth']}: {report['groups']} groups, {report['queries']} "
                      f"queries, match rate {report['match_rate']:.1%}, engine geography="
                      f"{geography} ({time.perf_counter() - start:.0f} s)")  # fmt: skip
                print_table(["method", "recall@10", "ndcg@10", "mrr"], [
                    [m["method"], *(_cell(m[key]) for key in ("recall@10", "ndcg@10", "mrr"))]
                    for m in report["methods"]
                ])  # fmt: skip


def _cell(metric: dict) -> str:
    if metric["value"] is None:
        return "-"
    low, high = metric["ci95"]
    return f"{metric['value']:.3f} [{low:.3f}, {high:.3f}]"


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--quality", action="store_true", help="run the evaluation table")
    parser.add_argument("--geography", nargs="+", default=["any"], help="engine modes to report")
    parser.add_argument("--tune", action="store_true", help="re-run the weight fit")
    parser.add_argument("--sweeps", type=int, default=3, help="coordinate-ascent sweeps")
    args = parser.parse_args()
    print_machine()
    if args.tune:
        run_tuning(args)
    elif args.quality:
        run_quality(args)
    else:
        run_latency(args)


if __name__ == "__main__":
    main()
