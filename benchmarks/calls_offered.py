"""What the calls a city is offered are worth: hand grades of the top 10, with and without a
declared need.

For N cities in N different countries (drawn with ``--seed`` among towns of 20,000-500,000
inhabitants, leaving out the cities the ranking was looked at while it was written), on the
snapshot day and on ``--today``, at each ``--status``, the top 10 calls **offered** (eligible
now, then eligible once partners join: what the calls page lists first) are looked up in the
hand-graded file ``tests/scoring/calls/data/graded_calls.json``:

* **suitable**: graded as a call a municipality would realistically go for;
* **written for cities**: graded as written for cities (Cities Mission, NEB, LIFE for local
  authorities, CERV town twinning, ...).

Shares are over the graded calls of the top 10 (ungraded ones are counted apart), with a 95%
interval by bootstrap over the cities (the unit that varies), 4,000 resamples.

With ``--need``, **like a user**, each of ``--cities`` (24) drawn cities declares each need
of :data:`NEEDS` in turn through ``matcher import cities`` of a CSV (``slug,needs`` =
``theme:1.0``; ten imports), and for every city x need pair the top 10 offered are judged:

* **tagged**: the need among the call's (inferred) themes, or named in its title;
* **named**: the title or the portal's keywords name the theme (stricter, and independent of
  the inferred themes the ranking reads);
* **graded**: hand grades of (need, call) pairs in ``graded_needs.json`` (by the author,
  after the ranking was written; not held out).

The bar: at least 6 of the 10. Reported as the share of pairs meeting it, with a 95% interval
resampling the cities; ``reachable`` is that share among the pairs for which at least 6
offered calls are tagged with the need, ``short`` counts the pairs with fewer.

The database is a fresh SQLite file seeded with ``matcher seed`` (the shipped data/).

    python benchmarks/calls_offered.py [--cities 8] [--seed 11] [--status open all] [--need]
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from _common import argument_parser, print_machine, print_table  # noqa: E402

GRADED = ROOT / "tests" / "scoring" / "calls" / "data" / "graded_calls.json"
#: Hand grades of (need, call) pairs: is the call one on that need?
GRADED_NEEDS = ROOT / "tests" / "scoring" / "calls" / "data" / "graded_needs.json"
THEMES = ROOT / "data" / "themes.json"
SNAPSHOT = date(2026, 8, 20)
TODAY = date(2026, 12, 1)
#: Cities looked at while the ranking was written (issue texts, tests): never drawn.
LOOKED_AT = frozenset({
    "it-reggio-emilia", "gb-peterborough", "es-cadiz", "fi-lahti", "nl-emmen", "it-bologna",
    "de-oldenburg",
})  # fmt: skip
#: Needs declared in turn, one per city: themes a town hall asks for help with.
NEEDS = (
    "mobility-transition", "deep-retrofitting", "climate-adaptation", "circular-economy",
    "culture-heritage", "social-inclusion-health", "digital-public-services",
    "nature-based-solutions", "energy-transition", "citizen-participation",
)  # fmt: skip
COUNTRIES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "NO", "IS", "GB",
    "CH",
})  # fmt: skip
TOP = 10


def matcher_command(url: str, *args: str) -> str:
    env = {**os.environ, "MATCHER_DATABASE_URL": url, "MATCHER_SECRET_KEY": "benchmark"}
    exe = Path(sys.executable).with_name("matcher")
    done = subprocess.run([str(exe), *args], check=True, cwd=ROOT, env=env,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout


def pick_cities(session, count: int, seed: int) -> list:
    """``count`` towns of 20,000-500,000 inhabitants, each from another country while
    countries last (then a second town per country, and so on), never a looked-at city."""
    from matcher.db import repository

    by_country: dict[str, list] = {}
    for city in repository.all_cities(session):
        if city.slug in LOOKED_AT or city.country not in COUNTRIES:
            continue
        if city.population and 20_000 <= city.population <= 500_000:
            by_country.setdefault(city.country, []).append(city)
    rng = random.Random(seed)
    countries = rng.sample(sorted(by_country), min(count, len(by_country)))
    pools = {c: sorted(by_country[c], key=lambda x: x.slug) for c in countries}
    chosen = []
    while len(chosen) < count and any(pools.values()):
        for country in countries:
            if pools[country] and len(chosen) < count:
                chosen.append(pools[country].pop(rng.randrange(len(pools[country]))))
    return chosen


def offered(session, city, today: date, status: str) -> list:
    from matcher.services import calls as calls_service

    filters = calls_service.CallFilters(status=status, limit=None)
    result = calls_service.calls_for_city(session, city, today, filters)
    return [*result.eligible, *result.needs_partners]


def bootstrap(values: list[float], seed: int = 0, rounds: int = 4000) -> tuple[float, float]:
    if not values:
        return float("nan"), float("nan")
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(values, k=len(values))) / len(values) for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def about_need(call, theme: dict) -> bool:
    """Tagged with the need's theme (the themes inferred from the call's keywords, title and
    description when the data was built), or naming the theme in its title."""
    return theme["id"] in call.themes or named_need(call, theme, keywords=False)


def named_need(call, theme: dict, *, keywords: bool = True) -> bool:
    """The call's title (or the portal's keywords) names the theme's label or a synonym: a
    stricter judge that does not read the inferred themes the ranking reads."""
    words = [theme["label"], *theme["synonyms"]]
    texts = [call.title, *(call.keywords if keywords else ())]
    return any(w.lower() in t.lower() for w in words for t in texts)


def cluster_bootstrap(
    values: dict[str, list[float]], seed: int = 0, rounds: int = 4000
) -> tuple[float, float, float]:
    """Mean over every value and its 95% interval, resampling the clusters (cities)."""
    clusters = [v for v in values.values() if v]
    if not clusters:
        return float("nan"), float("nan"), float("nan")
    flat = [x for v in clusters for x in v]
    rng = random.Random(seed)
    means = []
    for _ in range(rounds):
        drawn = [x for v in rng.choices(clusters, k=len(clusters)) for x in v]
        means.append(sum(drawn) / len(drawn))
    means.sort()
    return sum(flat) / len(flat), means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def _mark(grade: dict | None) -> str:
    if grade is None:
        return "?"
    suitable = "S" if grade["suitable_for_municipality"] else "-"
    return suitable + ("W" if grade["written_for_cities"] else " ")


def offered_groups(session, city, today: date, status: str) -> tuple[list, list]:
    """Eligible now and once partners join (the whole answer is kept in ``.last``)."""
    from matcher.services import calls as calls_service

    filters = calls_service.CallFilters(status=status, limit=None)
    result = calls_service.calls_for_city(session, city, today, filters)
    offered_groups.last = result
    return result.eligible, result.needs_partners


def grade_lists(session, cities, today, status, grades) -> dict:
    suitable, written, ungraded, lines, listed = [], [], 0, [], 0
    for city in cities:
        top = offered(session, city, today, status)[:TOP]
        listed += len(top)
        graded = [grades[m.call_id] for m in top if m.call_id in grades]
        ungraded += len(top) - len(graded)
        if graded:
            suitable.append(sum(g["suitable_for_municipality"] for g in graded) / len(graded))
            written.append(sum(g["written_for_cities"] for g in graded) / len(graded))
        lines.append((city, top))
    return {"suitable": suitable, "written": written, "ungraded": ungraded, "lines": lines,
            "listed": listed / max(len(cities), 1)}  # fmt: skip


def need_bar(args, url: str, tmp: str, grades: dict, themes: dict) -> None:
    """Every drawn city declares each need of :data:`NEEDS` in turn (one import per round),
    and the top 10 offered are judged against the need."""
    from matcher import create_app
    from matcher.db import get_database, repository

    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"}, with_web=False)
    database = get_database(app)
    session = database.session()
    cities = pick_cities(session, args.cities, args.seed)
    slugs = [c.slug for c in cities]
    session.close()
    database.dispose()
    print(f"{len(cities)} cities in {len({c.country for c in cities})} countries, "
          f"{len(NEEDS)} needs each: {len(cities) * len(NEEDS)} city x need pairs")  # fmt: skip
    relevant = {(g["need"], g["id"]): g["relevant"]
                for g in json.loads(GRADED_NEEDS.read_text())["grades"]}  # fmt: skip
    # (day, status) -> judge -> city -> [1.0 if the bar is met, ...]
    met: dict = {}
    # ((day, status), need) -> [(hand-graded relevant in the top 10, offered on the need)]
    by_need: dict = {}
    counts: dict = {}
    for round_ in range(len(NEEDS)):
        needs = {slug: NEEDS[(i + round_) % len(NEEDS)] for i, slug in enumerate(slugs)}
        csv_path = Path(tmp) / f"needs-{round_}.csv"
        with csv_path.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["slug", "needs"])
            for slug, theme in needs.items():
                writer.writerow([slug, f"{theme}:1.0"])
        matcher_command(url, "import", "cities", str(csv_path))
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"}, with_web=False)
        database = get_database(app)
        session = database.session()
        for slug in slugs:
            city = repository.get_city(session, slug)
            theme = themes[needs[slug]]
            for today in (SNAPSHOT, TODAY):
                for status in args.status:
                    eligible, partners = offered_groups(session, city, today, status)
                    everything = [*eligible, *partners]
                    top = everything[:TOP]
                    # Every call the city could go for, on the need or not: the most the top
                    # 10 could hold on the need.
                    every = [*everything, *getattr(offered_groups.last, "other_offers", [])]
                    available = sum(about_need(m.call, theme) for m in every)
                    key = (today.isoformat(), status)
                    tagged = sum(about_need(m.call, theme) for m in top)
                    named = sum(named_need(m.call, theme) for m in top)
                    judged = [relevant[(theme["id"], m.call_id)] for m in top
                              if (theme["id"], m.call_id) in relevant]  # fmt: skip
                    suitable = [grades[m.call_id]["suitable_for_municipality"] for m in top
                                if m.call_id in grades]  # fmt: skip
                    row = met.setdefault(
                        key, {"tagged": {}, "named": {}, "reachable": {}, "graded": {}}
                    )
                    row["graded"].setdefault(slug, []).append(float(sum(judged) >= 6))
                    by_need.setdefault((key, theme["id"]), []).append((sum(judged), available))
                    row["tagged"].setdefault(slug, []).append(float(tagged >= 6))
                    row["named"].setdefault(slug, []).append(float(named >= 6))
                    if available >= 6:
                        row["reachable"].setdefault(slug, []).append(float(tagged >= 6))
                    c = counts.setdefault(
                        key,
                        {
                            "pairs": 0,
                            "hits": 0,
                            "listed": 0,
                            "suitable": 0,
                            "graded": 0,
                            "short": 0,
                            "relevant": 0,
                            "judged": 0,
                        },
                    )
                    c["pairs"] += 1
                    c["hits"] += tagged
                    c["listed"] += len(top)
                    c["suitable"] += sum(suitable)
                    c["graded"] += len(suitable)
                    c["short"] += available < 6
                    c["relevant"] += sum(judged)
                    c["judged"] += len(judged)
                    if args.show:
                        print(f"\n{key} {city.name} need {theme['id']}")
                        for m in top:
                            mark = ("N" if about_need(m.call, theme) else "-") + (
                                "T" if named_need(m.call, theme) else " "
                            )
                            print(f"  {mark} {m.fit:.2f} {m.call_id} {m.call.title[:70]}")
        session.close()
        database.dispose()
    rows = []
    for key, judged in met.items():
        c = counts[key]
        tagged = cluster_bootstrap(judged["tagged"])
        named = cluster_bootstrap(judged["named"])
        reach = cluster_bootstrap(judged["reachable"])
        hand = cluster_bootstrap(judged["graded"])
        rows.append([*key, str(c["pairs"]),
                     f"{tagged[0]:.2f} [{tagged[1]:.2f}, {tagged[2]:.2f}]",
                     f"{reach[0]:.2f} [{reach[1]:.2f}, {reach[2]:.2f}]",
                     f"{named[0]:.2f} [{named[1]:.2f}, {named[2]:.2f}]",
                     f"{hand[0]:.2f} [{hand[1]:.2f}, {hand[2]:.2f}]",
                     f"{c['relevant'] / max(c['judged'], 1):.2f} of {c['judged']}"
                     f" ({c['listed'] - c['judged']} ungraded)",
                     f"{c['hits'] / c['pairs']:.1f}", f"{c['listed'] / c['pairs']:.1f}",
                     str(c["short"]),
                     f"{c['suitable'] / max(c['graded'], 1):.2f} of {c['graded']}"])  # fmt: skip
    print(
        f"\nA need declared by import: share of city x need pairs whose top {TOP} offered"
        " hold at least 6 calls on the need [95% CI, cities resampled]:"
    )
    print("  tagged: the need among the call's (inferred) themes, or named in its title;")
    print("  named: the title or the portal's keywords name the theme (a stricter judge);")
    print("  reachable: among the pairs with at least 6 offered calls tagged with the need;")
    print("  graded: at least 6 of the top 10 hand-graded relevant to the need (graded_needs.json,")
    print("    graded by the author after the ranking was written); relevant: share of graded")
    print("  short: pairs with fewer than 6 offered calls on the need (the bar cannot be met)")
    print_table(["day", "status", "pairs", "bar met (tagged)", "reachable", "bar met (named)",
                 "bar met (graded)", "relevant (graded)",
                 "mean on need", "mean listed", "short", "suitable (graded)"], rows)  # fmt: skip
    keys = list(met)
    print("\nPer need: share of cities whose top 10 hold 6 hand-graded relevant calls"
          " (mean relevant; offered calls tagged with the need):")  # fmt: skip
    need_rows = []
    for need in NEEDS:
        cells = []
        for key in keys:
            found = by_need.get((key, need), [])
            share = sum(r >= 6 for r, _ in found) / max(len(found), 1)
            mean = sum(r for r, _ in found) / max(len(found), 1)
            tagged = sum(a for _, a in found) / max(len(found), 1)
            cells.append(f"{share:.2f} ({mean:.1f}; {tagged:.0f})")
        need_rows.append([need, *cells])
    print_table(["need", *(" ".join(k) for k in keys)], need_rows)


def main() -> int:
    parser = argument_parser(__doc__)
    parser.add_argument("--cities", type=int, default=None,
                        help="Cities drawn (default 8; 24 with --need).")  # fmt: skip
    parser.set_defaults(seed=11)
    parser.add_argument("--status", nargs="+", default=["open", "all"])
    parser.add_argument("--need", action="store_true",
                        help="Only the declared-need bar, every city x need pair.")  # fmt: skip
    parser.add_argument("--show", action="store_true", help="Print every top 10.")
    args = parser.parse_args()
    if args.cities is None:
        args.cities = 24 if args.need else 8
    if args.quick:
        args.cities = min(args.cities, 4)
    print_machine()
    grades = {g["id"]: g for g in json.loads(GRADED.read_text())["grades"]}
    themes = {t["id"]: t for t in json.loads(THEMES.read_text())["themes"]}

    from matcher import create_app
    from matcher.db import get_database

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'offered.sqlite3'}"
        started = time.perf_counter()
        matcher_command(url, "seed")
        print(f"seeded in {time.perf_counter() - started:.1f}s; graded calls: {len(grades)}")
        if args.need:
            need_bar(args, url, tmp, grades, themes)
            return 0
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "benchmark"}, with_web=False)
        database = get_database(app)
        session = database.session()
        cities = pick_cities(session, args.cities, args.seed)
        print("cities:", ", ".join(f"{c.name} ({c.country})" for c in cities))

        rows = []
        for today in (SNAPSHOT, TODAY):
            for status in args.status:
                graded = grade_lists(session, cities, today, status, grades)
                s_low, s_high = bootstrap(graded["suitable"])
                w_low, w_high = bootstrap(graded["written"])
                mean = lambda v: sum(v) / len(v) if v else float("nan")  # noqa: E731
                rows.append([today.isoformat(), status,
                             f"{mean(graded['suitable']):.2f} [{s_low:.2f}, {s_high:.2f}]",
                             f"{mean(graded['written']):.2f} [{w_low:.2f}, {w_high:.2f}]",
                             str(graded["ungraded"]), f"{graded['listed']:.1f}"])  # fmt: skip
                if args.show:
                    for city, top in graded["lines"]:
                        print(f"\n{today} {status} {city.name} ({city.country})")
                        for m in top:
                            mark = _mark(grades.get(m.call_id))
                            print(f"  {mark:3} {m.fit:.2f} {m.call_id} {m.call.title[:70]}")
        print(f"\nTop {TOP} offered (eligible now, then once partners join), hand-graded:")
        print_table(["day", "status", "suitable [95% CI]", "written for cities [95% CI]",
                     "ungraded", "listed"], rows)  # fmt: skip

        session.close()
        database.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
