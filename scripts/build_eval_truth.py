"""Build the partner-evaluation truth files from the seed collaborations.

Writes one row per member city of every collaboration with at least two distinct seeded
member cities:

* ``data/eval/keep_municipal_partnerships.csv``: keep.eu Interreg 2014-2020 projects,
* ``data/eval/cordis_municipal_coparticipations.csv``: CORDIS Horizon Europe projects (the
  ``research`` purpose),

and one file per partnership purpose of the keep.eu projects (the purpose comes from the
programme, :func:`matcher.domain.collaboration_purpose`):

* ``data/eval/keep_cross_border.csv``: Interreg V-A and IPA CBC projects (``cross-border``),
* ``data/eval/keep_transnational.csv``: Interreg V-B, ESPON and URBACT III projects
  (``transnational``),

with the columns ``group_id,city,country,theme,year``: ``group_id`` is the collaboration's
``ref`` (so the evaluation can hide exactly that collaboration), ``city`` the display name,
``theme`` the collaboration's vocabulary theme ids joined by ``|`` (empty when the source gave
none) and ``year`` its start year. Re-run after rebuilding data/:

    python scripts/build_eval_truth.py [--data data]
"""

from __future__ import annotations

import argparse
import csv
from collections import defaultdict
from pathlib import Path

from matcher.domain import collaboration_purpose

OUTPUTS = {
    "keep.eu": "keep_municipal_partnerships.csv",
    "CORDIS": "cordis_municipal_coparticipations.csv",
}
#: keep.eu projects split by purpose: purpose -> file.
PURPOSE_OUTPUTS = {
    "cross-border": "keep_cross_border.csv",
    "transnational": "keep_transnational.csv",
}
COLUMNS = ["group_id", "city", "country", "theme", "year"]


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def build(data: Path) -> dict[str, int]:
    """Write the truth files; return the number of groups per file."""
    cities = {row["slug"]: row for row in read(data / "cities.csv")}
    members: dict[str, list[str]] = defaultdict(list)
    for row in read(data / "collaboration_members.csv"):
        if row["city_slug"] in cities and row["city_slug"] not in members[row["collaboration_ref"]]:
            members[row["collaboration_ref"]].append(row["city_slug"])
    files = [*OUTPUTS.values(), *PURPOSE_OUTPUTS.values()]
    rows: dict[str, list[list[str]]] = {name: [] for name in files}
    groups = dict.fromkeys(files, 0)
    for collab in read(data / "collaborations.csv"):
        slugs = members.get(collab["ref"], [])
        if len(slugs) < 2:
            continue
        outputs = [f for key, f in OUTPUTS.items() if collab["source"].startswith(key)]
        if collab["source"].startswith("keep.eu"):
            purpose = collaboration_purpose(collab["source"], collab["programme"], collab["kind"])
            outputs += [PURPOSE_OUTPUTS[purpose]] if purpose in PURPOSE_OUTPUTS else []
        for output in outputs:
            groups[output] += 1
            for slug in slugs:
                city = cities[slug]
                rows[output].append([collab["ref"], city["name"], city["country"],
                                     collab["themes"], collab["start_year"]])  # fmt: skip
    (data / "eval").mkdir(exist_ok=True)
    for output, lines in rows.items():
        with (data / "eval" / output).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(COLUMNS)
            writer.writerows(lines)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parent.parent / "data"
    )
    args = parser.parse_args()
    for output, count in build(args.data).items():
        print(f"{output}: {count} groups")


if __name__ == "__main__":
    main()
