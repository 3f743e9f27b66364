"""Load the shipped seed data (``data/``) into an empty database in one transaction."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from matcher.db import models, repository
from matcher.domain import DECLARED_PROVENANCE, ProfileKind
from matcher.importing.calls import validate_call_records
from matcher.importing.cities import validate_city_records
from matcher.importing.records import ImportFailed, Problem, Record, read_records

SEED_FILES = (
    "themes.json", "cities.csv", "profiles.csv", "collaborations.csv",
    "collaboration_members.csv", "calls.json",
)  # fmt: skip

COLLABORATION_KINDS = ("project", "network", "joint-plan")

Step = Callable[[str, int], None]


def _csv_records(path: Path) -> list[Record]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [Record(n, row) for n, row in enumerate(csv.DictReader(handle), start=2)]


def _load_themes(session: Session, path: Path) -> set[str]:
    data = json.loads(path.read_text(encoding="utf-8"))
    for position, theme in enumerate(data["themes"]):
        session.add(
            models.ThemeRow(
                id=theme["id"], label=theme["label"], description=theme.get("description", ""),
                synonyms=theme.get("synonyms", []), sources=theme.get("sources", []),
                position=position,
            )
        )  # fmt: skip
    for source, mapping in sorted(data.get("mappings", {}).items()):
        for label, theme_ids in sorted(mapping.items()):
            session.add(models.ThemeMappingRow(source=source, label=label, theme_ids=theme_ids))
    session.flush()
    return {t["id"] for t in data["themes"]}


def _load_cities(session: Session, path: Path, theme_ids: set[str]) -> dict[str, models.CityRow]:
    inputs, problems = validate_city_records(path.name, _csv_records(path), theme_ids)
    missing = [i.row for i in inputs if not i.slug]
    problems += [Problem(path.name, row, "slug", "seed rows need a slug") for row in missing]
    if problems:
        raise ImportFailed(problems)
    rows = {}
    for item in inputs:
        row = models.CityRow(slug=item.slug, **item.values)
        rows[item.slug] = row
    session.add_all(rows.values())
    session.flush()
    return rows


def _load_profiles(
    session: Session, path: Path, cities: dict[str, models.CityRow], theme_ids: set[str]
) -> int:
    problems: list[Problem] = []
    weights = []
    kinds = {k.value for k in ProfileKind}
    for record in _csv_records(path):
        f = record.fields
        city = cities.get(f["city_slug"])
        if city is None:
            problems.append(Problem(path.name, record.row, "city_slug", "unknown city"))
        elif f["kind"] not in kinds or f["theme_id"] not in theme_ids:
            problems.append(Problem(path.name, record.row, "kind", "unknown kind or theme"))
        elif not 0.0 <= float(f["weight"]) <= 1.0:
            problems.append(Problem(path.name, record.row, "weight", "must be within [0, 1]"))
        else:
            weights.append(
                models.ProfileWeightRow(
                    city_id=city.id, kind=f["kind"], theme_id=f["theme_id"],
                    weight=float(f["weight"]), provenance=f["provenance"],
                )
            )  # fmt: skip
    if problems:
        raise ImportFailed(problems)
    session.add_all(weights)
    return len(weights)


def _year(value: str) -> int | None:
    return int(value) if value else None


def _load_collaborations(
    session: Session, data_dir: Path, cities: dict[str, models.CityRow], theme_ids: set[str]
) -> int:
    path = data_dir / "collaborations.csv"
    collaborations = {}
    problems: list[Problem] = []
    for record in _csv_records(path):
        f = record.fields
        themes = [t for t in f["themes"].split("|") if t]
        if any(t not in theme_ids for t in themes):
            problems.append(Problem(path.name, record.row, "themes", "unknown theme id"))
            continue
        if (f.get("kind") or "project") not in COLLABORATION_KINDS:
            problems.append(Problem(path.name, record.row, "kind", "unknown collaboration kind"))
            continue
        collaborations[f["ref"]] = models.CollaborationRow(
            ref=f["ref"], source=f["source"], kind=f.get("kind") or "project", title=f["title"],
            programme=f["programme"],
            themes=themes, description=f["description"], start_year=_year(f["start_year"]),
            end_year=_year(f["end_year"]), members=[],
        )  # fmt: skip
    members_path = data_dir / "collaboration_members.csv"
    seen: dict[tuple[str, str], int] = {}
    for record in _csv_records(members_path):
        f = record.fields
        collaboration = collaborations.get(f["collaboration_ref"])
        city = cities.get(f["city_slug"])
        if collaboration is None or city is None:
            field = "collaboration_ref" if collaboration is None else "city_slug"
            problems.append(Problem(members_path.name, record.row, field, "unknown reference"))
            continue
        key = (f["collaboration_ref"], f["city_slug"])
        if key in seen:
            problems.append(Problem(members_path.name, record.row, "city_slug",
                                    f"city already listed in row {seen[key]}"))  # fmt: skip
            continue
        seen[key] = record.row
        collaboration.members.append(
            models.CollaborationMemberRow(
                city_id=city.id, organisation=f["organisation"], role=f["role"]
            )
        )
    if problems:
        raise ImportFailed(problems)
    session.add_all(collaborations.values())
    return len(collaborations)


def _load_calls(session: Session, path: Path, theme_ids: set[str]) -> int:
    records = read_records(path, "calls")
    # The file names its source once ("... snapshot Aug 2026"): each call keeps it, so that
    # the calls pages can say how old the data is.
    source = json.loads(path.read_text(encoding="utf-8-sig")).get("source")
    for record in records:
        if source and not record.fields.get("source"):
            record.fields["source"] = source
    inputs, problems = validate_call_records(path.name, records, theme_ids)
    if problems:
        raise ImportFailed(problems)
    for item in inputs:
        rules = [models.EligibilityRuleRow(**rule) for rule in item.rules or []]
        session.add(models.FundingCallRow(**item.values, rules=rules))
    return len(inputs)


def user_data(session: Session, data_dir: str | Path) -> dict[str, int]:
    """What a full reload of the seed in ``data_dir`` would destroy and not bring back:
    events (with their attendees, requests and schedules), declared and imported weights, and
    cities and calls the seed files do not hold. Only the non-zero counts."""
    data_dir = Path(data_dir)
    weights = models.ProfileWeightRow
    seed_slugs = {r.fields.get("slug") for r in _csv_records(data_dir / "cities.csv")}
    seed_calls = {r.fields.get("id") for r in read_records(data_dir / "calls.json", "calls")}
    counts = {
        "events": session.scalar(select(func.count(models.EventRow.id))),
        "declared weights": session.scalar(
            select(func.count(weights.id)).where(weights.provenance == DECLARED_PROVENANCE)
        ),
        "imported weights": session.scalar(
            select(func.count(weights.id)).where(weights.provenance.like("imported from %"))
        ),
        "cities not in the seed": sum(
            slug not in seed_slugs for slug in session.scalars(select(models.CityRow.slug))
        ),
        "calls not in the seed": sum(
            call_id not in seed_calls
            for call_id in session.scalars(select(models.FundingCallRow.id))
        ),
    }
    return {name: count for name, count in counts.items() if count}


def seed_database(
    session: Session, data_dir: str | Path, *, replace: bool = False, step: Step | None = None
) -> dict[str, int]:
    """Load every seed file; refuse a non-empty database unless ``replace``. One transaction:
    on any problem nothing is written."""
    data_dir = Path(data_dir)
    missing = [name for name in SEED_FILES if not (data_dir / name).exists()]
    if missing:
        raise ImportFailed([Problem(name, 0, "", "seed file not found") for name in missing])
    if repository.count_cities(session) and not replace:
        raise ImportFailed(
            [Problem("database", 0, "", "already holds cities; use replace to reload the seed")]
        )
    report = step or (lambda _name, _count: None)
    try:
        # The data version only ever grows, even across a full reload, so no in-memory or
        # on-disk index built from the old data can be mistaken for the new one.
        version = repository.data_version(session)
        if replace:
            for table in reversed(models.Base.metadata.sorted_tables):
                if table.name != "alembic_version":
                    session.execute(delete(table))
            session.add(models.DataVersionRow(id=1, version=version, generation=uuid.uuid4().hex))
            session.flush()
        theme_ids = _load_themes(session, data_dir / "themes.json")
        report("themes", len(theme_ids))
        cities = _load_cities(session, data_dir / "cities.csv", theme_ids)
        report("cities", len(cities))
        counts = {"themes": len(theme_ids), "cities": len(cities)}
        counts["profile_weights"] = _load_profiles(
            session, data_dir / "profiles.csv", cities, theme_ids
        )
        report("profile weights", counts["profile_weights"])
        counts["collaborations"] = _load_collaborations(session, data_dir, cities, theme_ids)
        report("collaborations", counts["collaborations"])
        counts["calls"] = _load_calls(session, data_dir / "calls.json", theme_ids)
        report("calls", counts["calls"])
        repository.bump_data_version(session)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return counts
