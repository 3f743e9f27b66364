"""City import: validate every row, match to existing cities, then upsert in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.db.models import CityRow, ProfileWeightRow
from matcher.domain import ProfileKind, city_slug
from matcher.importing.fields import FieldReader
from matcher.importing.records import ImportFailed, Problem, Record, read_records
from matcher.importing.report import ImportReport, Progress, import_transaction

CITY_COLUMNS = [
    "slug", "name", "official_name", "country", "population", "population_year", "lat", "lon",
    "nuts", "mission_city", "commitments", "alt_names", "source", "source_ref",
    "interests", "needs", "offers",
]  # fmt: skip

_PROFILE_COLUMNS = {"interests": ProfileKind.INTEREST, "needs": ProfileKind.NEED,
                    "offers": ProfileKind.OFFER}  # fmt: skip
_SCALAR_FIELDS = ("name", "official_name", "country", "population", "population_year", "lat",
                  "lon", "nuts", "mission_city", "source", "source_ref")  # fmt: skip

_KEEP_WHEN_EMPTY = ("official_name", "source", "source_ref", "commitments", "alt_names")


@dataclass
class CityInput:
    """A validated city row."""

    row: int
    slug: str | None
    values: dict
    profiles: dict[ProfileKind, dict[str, float]] = field(default_factory=dict)


def validate_city_records(
    file: str, records: list[Record], theme_ids: set[str]
) -> tuple[list[CityInput], list[Problem]]:
    """Check every record; return the valid inputs and every problem found."""
    problems: list[Problem] = []
    inputs: list[CityInput] = []
    seen_slugs: dict[str, int] = {}
    for record in records:
        before = len(problems)
        reader = FieldReader(file, record, problems)
        values = {
            "name": reader.text("name", required=True, max_length=200),
            "official_name": reader.text("official_name", max_length=300) or "",
            "country": reader.country("country"),
            "population": reader.integer("population", low=0, high=50_000_000),
            "population_year": reader.integer("population_year", low=1800, high=2100),
            "lat": reader.number("lat", low=-90, high=90),
            "lon": reader.number("lon", low=-180, high=180),
            "nuts": reader.text("nuts", max_length=10),
            "mission_city": reader.boolean("mission_city"),
            "commitments": reader.strings("commitments"),
            "alt_names": reader.strings("alt_names"),
            "source": reader.text("source", max_length=120) or "imported",
            "source_ref": reader.text("source_ref", max_length=120) or "",
        }
        if (values["lat"] is None) != (values["lon"] is None) and len(problems) == before:
            reader.problem("lat" if values["lat"] is None else "lon", "give both lat and lon")
        profiles = {}
        for column, kind in _PROFILE_COLUMNS.items():
            weights = reader.theme_weights(column, theme_ids)
            if weights is not None:
                profiles[kind] = weights
        slug = reader.text("slug", max_length=120)
        if slug:
            if slug in seen_slugs:
                reader.problem("slug", f"{slug!r} already appears in row {seen_slugs[slug]}")
            seen_slugs[slug] = record.row
        if len(problems) == before:
            inputs.append(CityInput(record.row, slug, values, profiles))
    return inputs, problems


def _match_existing(
    session: Session, file: str, inputs: list[CityInput], problems: list[Problem]
) -> dict[int, int | None]:
    """Row -> existing city id (None = new). Rows with a slug match by slug; others by fuzzy
    name within the country. Ambiguous names become problems rather than guesses."""
    slug_ids = repository.slug_to_id(session)
    matches: dict[int, int | None] = {}
    index = None
    for item in inputs:
        if item.slug:
            matches[item.row] = slug_ids.get(item.slug)
            continue
        if index is None:
            from matcher.scoring.names import NameIndex

            index = NameIndex().fit(repository.city_name_entries(session))
        resolution = index.resolve(item.values["name"], country=item.values["country"])
        if resolution.status in ("exact", "fuzzy"):
            matches[item.row] = resolution.city_id
        elif resolution.status == "ambiguous":
            names = ", ".join(c.name for c in resolution.candidates[:5])
            problems.append(
                Problem(
                    file,
                    item.row,
                    "name",
                    f"{item.values['name']!r} matches several cities ({names}); "
                    "add a 'slug' column to say which",
                )  # fmt: skip
            )
        else:
            matches[item.row] = None
    return matches


def _apply(row: CityRow, item: CityInput, provenance: str) -> bool:
    """Copy the input onto ``row``; return whether anything changed."""
    changed = False
    for name in (*_SCALAR_FIELDS, "commitments", "alt_names"):
        new = item.values[name]
        if (
            name in ("official_name", "source", "source_ref", "commitments", "alt_names")
            and not new
        ):
            continue  # an empty optional cell keeps what we have
        if name == "source" and new == "imported" and row.source:
            continue
        if getattr(row, name) != new:
            setattr(row, name, new)
            changed = True
    for kind, weights in item.profiles.items():
        current = {w.theme_id: w.weight for w in row.profile if w.kind == kind}
        if current == weights:
            continue
        row.profile = [w for w in row.profile if w.kind != kind] + [
            ProfileWeightRow(kind=str(kind), theme_id=t, weight=v, provenance=provenance)
            for t, v in sorted(weights.items())
        ]
        changed = True
    return changed


def import_cities(
    session: Session,
    path: str | Path,
    *,
    fmt: str | None = None,
    text: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import cities from CSV or JSON. Every row is validated first; with any problem nothing
    is written and :class:`ImportFailed` lists them all. Otherwise rows are upserted in one
    transaction (the caller's session is committed here unless ``dry_run``)."""
    file = Path(path).name
    records = read_records(path, "cities", fmt, text=text)
    inputs, problems = validate_city_records(file, records, repository.theme_ids(session))
    matches = _match_existing(session, file, inputs, problems) if not problems else {}
    if problems:
        raise ImportFailed(problems)
    report = ImportReport("cities", file, dry_run=dry_run)
    provenance = f"imported from {file}"
    existing = repository.city_rows_by_id(session, [i for i in matches.values() if i])
    taken = repository.all_slugs(session)
    with import_transaction(session, report):
        for done, item in enumerate(inputs, start=1):
            city_id = matches.get(item.row)
            if city_id is None:
                slug = item.slug or _free_slug(
                    city_slug(item.values["country"], item.values["name"]), taken
                )
                taken.add(slug)
                row = CityRow(slug=slug, profile=[])
                _apply(row, item, provenance)
                session.add(row)
                report.created += 1
            else:
                row = existing[city_id]
                if not item.slug and row.name != item.values["name"]:
                    report.notes.append(
                        f"row {item.row}: '{item.values['name']}' matched existing city "
                        f"'{row.name}' ({row.country})"
                    )
                    item.values["name"] = row.name  # a fuzzy match never renames the city
                if _apply(row, item, provenance):
                    report.updated += 1
                else:
                    report.unchanged += 1
            if progress:
                progress(done)
    return report


def _free_slug(base: str, taken: set[str]) -> str:
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def city_export_rows(session: Session) -> list[dict]:
    """Every city as an import-compatible record (profiles as ``theme:weight`` lists)."""
    rows = []
    for row in repository.all_city_rows(session):
        record = {name: getattr(row, name) for name in ("slug", *_SCALAR_FIELDS)}
        record["mission_city"] = None if row.mission_city is None else str(row.mission_city).lower()
        record["commitments"] = list(row.commitments or ())
        record["alt_names"] = list(row.alt_names or ())
        for column, kind in _PROFILE_COLUMNS.items():
            weights = {w.theme_id: w.weight for w in row.profile if w.kind == kind}
            record[column] = [f"{t}:{round(w, 4)}" for t, w in sorted(weights.items())]
        rows.append({column: record.get(column) for column in CITY_COLUMNS})
    return rows
