"""How many real partner towns the city table can match, held out: grouped 5-fold estimate.

The seed adds the town of every keep.eu and CORDIS partner it can find (so that the shipped
partnerships are matched), so the shipped partner rows are no fair test of a partnership file
the project has never seen. Here the keep.eu and CORDIS projects are split into five folds (a
project's rows stay together); for each fold the city table is rebuilt from the raw files with
the partner towns of the four other folds only, and the fold's municipal partner rows are
matched the way ``matcher evaluate`` matches a truth file (town and country, exact or clear
fuzzy, an ambiguous name unmatched). 95% intervals come from resampling projects.

Beside the table as built, in the same run: the baselines of a table of 20,000+ municipalities
only (the issue's coverage bar) and of 20,000+ plus the other folds' partner towns.

    python benchmarks/match_rate.py [--folds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import sys
import tempfile
import zlib
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import print_machine  # noqa: E402
from matcher.domain import normalise_country  # noqa: E402
from matcher.scoring.names import NameIndex  # noqa: E402
from matcher.services.evaluation import resolve_place  # noqa: E402
from scripts.data_build import cities as city_build  # noqa: E402
from scripts.data_build.common import name_key  # noqa: E402
from scripts.data_build.municipal import read_municipal_name  # noqa: E402
from scripts.data_build.partners import PartnerRow, read_partners  # noqa: E402

RAW = ROOT / "data" / "raw"
#: label -> (add municipalities from this size, add the other folds' partner towns)
TABLES = {
    "as built (2,000+ and partner towns)": (city_build.MIN_SMALL_MUNICIPALITY, True),
    "baseline: 20,000+ only": (None, False),
    "baseline: 20,000+ and partner towns": (None, True),
}


def _name_index(path: Path) -> NameIndex:
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle)):
            names = [row["name"], row["official_name"], *row["alt_names"].split("|")]
            population = int(row["population"]) if row["population"] else None
            entries += [(number, n, row["country"], population) for n in dict.fromkeys(names) if n]
    return NameIndex().fit(entries)


def _test_rows(partners: list[PartnerRow]) -> list[PartnerRow]:
    """Municipal partner rows, one per project and town (as a truth file lists members)."""
    seen, rows = set(), []
    for partner in partners:
        if not (partner.public_body and partner.country):
            continue
        if read_municipal_name(partner.organisation, partner.town) is None:
            continue
        key = (partner.source, partner.project, name_key(partner.town), partner.country)
        if key not in seen:
            seen.add(key)
            rows.append(partner)
    return rows


def _country(code: str) -> str | None:
    try:
        return normalise_country(code)
    except ValueError:
        return None


def _interval(results: list[tuple[tuple, bool]], seed: int = 0) -> tuple[float, float, float]:
    by_project: dict[tuple, list[bool]] = defaultdict(list)
    for project, matched in results:
        by_project[project].append(matched)
    sizes = np.array([len(v) for v in by_project.values()])
    hits = np.array([sum(v) for v in by_project.values()])
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, len(sizes), size=(2000, len(sizes)))
    rates = hits[draws].sum(axis=1) / sizes[draws].sum(axis=1)
    low, high = np.percentile(rates, [2.5, 97.5])
    return hits.sum() / sizes.sum(), float(low), float(high)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    print_machine()
    partners = read_partners(RAW)

    def fold(p: PartnerRow) -> int:
        return zlib.crc32(repr((p.source, p.project)).encode()) % args.folds

    results: dict[str, list[tuple[tuple, str, bool]]] = {label: [] for label in TABLES}
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.folds):
            held_out = _test_rows([p for p in partners if fold(p) == k])
            training = [p for p in partners if fold(p) != k]
            for label, (small_from, with_partners) in TABLES.items():
                with contextlib.redirect_stdout(io.StringIO()):
                    city_build.build(RAW, Path(tmp), partners=training if with_partners else [],
                                     small_from=small_from)  # fmt: skip
                index = _name_index(Path(tmp) / "cities.csv")
                for p in held_out:
                    matched = resolve_place(index, p.town, _country(p.country)) is not None
                    results[label].append(((p.source, p.project), p.source.split()[0], matched))
            print(f"fold {k + 1}/{args.folds}: {len(held_out)} held-out partner rows", flush=True)
    print(f"\n{'table':40} {'source':8} {'rows':>5} {'rate':>6}  95% interval")
    for label, rows in results.items():
        for source in ("all", "keep.eu", "CORDIS"):
            chosen = [(g, m) for g, s, m in rows if source in ("all", s)]
            rate, low, high = _interval(chosen)
            print(f"{label:40} {source:8} {len(chosen):5} {rate:6.3f}  [{low:.3f}, {high:.3f}]")
    built = _interval([(g, m) for g, _s, m in results[next(iter(TABLES))]])[0]
    base = _interval([(g, m) for g, _s, m in results["baseline: 20,000+ only"]])[0]
    print(f"\nratio as built / 20,000+ only: {built / base:.2f}x")


if __name__ == "__main__":
    main()
