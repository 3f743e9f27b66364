"""Benchmark at real full scale: the ~99,000 Eurostat LAUs of ``make data-europe``.

Every figure is printed next to a bare baseline measured in the same run:

* import: ``matcher init-db`` + ``matcher import cities`` (validation, matching by slug, one
  transaction) against a bare ``sqlite3`` ``executemany`` of the same rows into one table;
* name search: :class:`matcher.scoring.names.NameIndex` on every LAU name, queried with
  SYNTHETIC one-edit typos of real names (p50 / p95 latency, recall of the right LAU at 1 and
  10), against brute-force ``rapidfuzz.process.extract`` over all names (on the first queries);
* partner top-10: :class:`PartnerRanker` over all LAUs (real coordinates and populations, no
  profiles: the LAU file has none) against a bare matrix-vector product + ``argpartition``;
* index memory per worker: pickled name index + partner index (what each gunicorn worker
  loads) against the pickled bare names and coordinates.

Run ``make data-europe`` first, then ``python benchmarks/europe.py`` (all rows) or
``--quick`` (a seeded sample of 5,000 rows); ``--no-import`` leaves the import out.
"""

from __future__ import annotations

import csv
import os
import pickle
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from benchmarks._common import (  # noqa: E402
    LatencySummary,
    argument_parser,
    ms,
    pct,
    print_machine,
    print_table,
)
from matcher.domain import City  # noqa: E402
from matcher.scoring.names import NameIndex, name_key  # noqa: E402
from matcher.scoring.partners.ranker import PartnerRanker  # noqa: E402
from matcher.scoring.partners.vectorise import ProfileVectoriser  # noqa: E402

EUROPE = ROOT / "build" / "europe" / "cities.csv"
QUICK_ROWS = 5_000
TOP = 10


def load_rows(path: Path, quick: bool, seed: int) -> list[dict[str, str]]:
    """The LAU rows, or a seeded sample of them with ``--quick``."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if quick:
        rows = random.Random(seed).sample(rows, QUICK_ROWS)
    return rows


def bench_import(rows: list[dict[str, str]], header: list[str]) -> list[list[str]]:
    """Seconds for the real import (CLI, fresh SQLite) and for a bare executemany."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "cities.csv"
        with source.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        env = {**os.environ, "MATCHER_DATABASE_URL": f"sqlite:///{tmp}/matcher.sqlite3"}
        matcher = str(Path(sys.executable).parent / "matcher")
        subprocess.run([matcher, "init-db"], env=env, check=True, capture_output=True)
        start = time.perf_counter()
        subprocess.run([matcher, "import", "cities", str(source)], env=env, check=True,
                       capture_output=True)  # fmt: skip
        engine = time.perf_counter() - start

        start = time.perf_counter()
        connection = sqlite3.connect(Path(tmp) / "bare.sqlite3")
        columns = ", ".join(f'"{c}" TEXT' for c in header)
        connection.execute(f"CREATE TABLE city ({columns})")
        marks = ", ".join("?" for _ in header)
        connection.executemany(
            f"INSERT INTO city VALUES ({marks})", ([r[c] for c in header] for r in rows)
        )
        connection.commit()
        connection.close()
        bare = time.perf_counter() - start
    return [["import", f"{len(rows):,} rows", f"{engine:.1f} s", f"{bare:.2f} s",
             f"{engine / bare:.0f}x"]]  # fmt: skip


def _typo(key: str, rng: random.Random) -> str:
    position = rng.randrange(len(key))
    kind = rng.choice(("deletion", "insertion", "substitution", "transposition"))
    letter = rng.choice("abcdefghijklmnopqrstuvwxyz")
    if kind == "deletion":
        return key[:position] + key[position + 1 :]
    if kind == "insertion":
        return key[:position] + letter + key[position:]
    if kind == "substitution":
        return key[:position] + letter + key[position + 1 :]
    position = min(position, len(key) - 2)
    return key[:position] + key[position + 1] + key[position] + key[position + 2 :]


def bench_names(rows: list[dict[str, str]], n_queries: int, n_bare: int, seed: int):
    """Latency and typo recall of NameIndex against brute-force rapidfuzz; the index."""
    entries = []
    for i, row in enumerate(rows):
        population = int(row["population"]) if row["population"] else None
        for name in (row["name"], row["official_name"], *filter(None, row["alt_names"].split("|"))):
            entries.append((i, name, row["country"], population))
    start = time.perf_counter()
    index = NameIndex().fit(entries)
    fit = time.perf_counter() - start
    rng = random.Random(seed)
    chosen = [i for i in rng.sample(range(len(rows)), min(len(rows), n_queries * 3))
              if len(name_key(rows[i]["name"])) >= 5][:n_queries]  # fmt: skip
    queries = [(i, _typo(name_key(rows[i]["name"]), rng)) for i in chosen]

    latencies, hits1, hits10 = [], 0, 0
    for truth, query in queries:
        start = time.perf_counter()
        found = [m.city_id for m in index.search(query, limit=TOP)]
        latencies.append(time.perf_counter() - start)
        hits1 += bool(found) and found[0] == truth
        hits10 += truth in found
    ours = LatencySummary.of(latencies)

    keys = [name_key(e[1]) for e in entries]
    owners = [e[0] for e in entries]
    bare_latencies, bare1, bare10 = [], 0, 0
    for truth, query in queries[:n_bare]:
        start = time.perf_counter()
        best = process.extract(query, keys, scorer=fuzz.ratio, limit=TOP * 3)
        bare_latencies.append(time.perf_counter() - start)
        ids = list(dict.fromkeys(owners[position] for _key, _score, position in best))[:TOP]
        bare1 += bool(ids) and ids[0] == truth
        bare10 += truth in ids
    bare = LatencySummary.of(bare_latencies)
    sub = len(queries[:n_bare])
    table = [
        ["name search p50", f"{len(entries):,} names (fit {fit:.1f} s)", ms(ours.median),
         ms(bare.median), f"{ours.median / bare.median:.3f}x"],
        ["name search p95", f"{len(queries)} typo queries", ms(ours.p95), ms(bare.p95),
         f"{ours.p95 / bare.p95:.3f}x"],
        ["typo recall@1", f"baseline on {sub}", pct(hits1 / len(queries)), pct(bare1 / sub), ""],
        ["typo recall@10", "", pct(hits10 / len(queries)), pct(bare10 / sub), ""],
    ]  # fmt: skip
    return table, index, keys


def bench_partners(rows: list[dict[str, str]], n_queries: int, seed: int):
    """Partner top-10 latency over every LAU against a bare matvec + argpartition."""
    cities = [
        City(id=i + 1, slug=r["slug"], name=r["name"], country=r["country"],
             population=int(r["population"]) if r["population"] else None,
             lat=float(r["lat"]) if r["lat"] else None, lon=float(r["lon"]) if r["lon"] else None)
        for i, r in enumerate(rows)
    ]  # fmt: skip
    start = time.perf_counter()
    ranker = PartnerRanker().fit(ProfileVectoriser().fit(cities, ["energy-transition"]))
    fit = time.perf_counter() - start
    rng = np.random.default_rng(seed)
    located = [c.id for c in cities if c.lat is not None]
    queries = rng.choice(located, min(n_queries, len(located)), replace=False)
    probe = rng.random(ranker.features_.shape[1]).astype(np.float32)
    engine, bare = [], []
    for query in queries:
        start = time.perf_counter()
        ranker.rank(int(query), TOP)
        engine.append(time.perf_counter() - start)
        start = time.perf_counter()
        np.argpartition(-(ranker.features_ @ probe), TOP)[:TOP]
        bare.append(time.perf_counter() - start)
    ours, base = LatencySummary.of(engine), LatencySummary.of(bare)
    row = ["partner top-10 p50", f"{len(cities):,} cities (fit {fit:.1f} s)", ms(ours.median),
           ms(base.median), f"{ours.median / base.median:.1f}x"]  # fmt: skip
    return [row], ranker


def bench_memory(rows, name_index, keys, ranker) -> list[list[str]]:
    """Bytes a worker loads: pickled indexes against pickled bare names and coordinates."""
    ours = len(pickle.dumps(name_index, protocol=5)) + len(pickle.dumps(ranker, protocol=5))
    coordinates = np.array(
        [[float(r["lat"] or "nan"), float(r["lon"] or "nan")] for r in rows], dtype=np.float32
    )
    bare = len(pickle.dumps(keys, protocol=5)) + len(pickle.dumps(coordinates, protocol=5))
    label = "pickled name + partner index"
    mib = f"{ours / 2**20:.1f} MiB", f"{bare / 2**20:.1f} MiB"
    return [["index memory per worker", label, *mib, f"{ours / bare:.1f}x"]]


def main() -> int:
    """Run every part and print one table."""
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument(
        "--no-import", action="store_true", help="skip the import (the slowest part) at full size"
    )
    args = parser.parse_args()
    if not EUROPE.exists():
        print(f"{EUROPE} is missing: run `make data-europe` first.", file=sys.stderr)
        return 2
    print_machine()
    rows = load_rows(EUROPE, args.quick, args.seed)
    with EUROPE.open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    table = [] if args.no_import else bench_import(rows, header)
    names, name_index, keys = bench_names(rows, 100 if args.quick else 300,
                                          10 if args.quick else 20, args.seed)  # fmt: skip
    partners, ranker = bench_partners(rows, 30 if args.quick else 100, args.seed)
    table += names + partners + bench_memory(rows, name_index, keys, ranker)
    print_table(["measure", "size", "City Matcher", "bare baseline", "ratio"], table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
