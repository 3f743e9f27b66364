"""City import: validate every row, match to existing cities, then upsert in one transaction.

An import changes only what it names. A column the file does not have, and an empty cell,
leave the stored value as it is; a cell holding ``<clear>`` clears it on purpose. Profile
columns (``interests``, ``needs``, ``offers``) replace that kind's weights that came from data
(imported or derived); weights the city declared itself stay unless ``replace_declared``.

The file is read twice and never held whole: the first pass validates and matches every row,
spooling the valid rows to a temporary file; only when no row has a problem does the second
pass write them, chunk by chunk, in one transaction (so the write lock is held only while
writing, never while validating).
"""

from __future__ import annotations

import pickle
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.db.models import CityRow, ProfileWeightRow
from matcher.domain import DECLARED_PROVENANCE, ProfileKind, city_slug, fold
from matcher.importing.fields import FieldReader
from matcher.importing.records import (
    ImportFailed,
    Problem,
    Record,
    RecordSource,
    check_columns,
)
from matcher.importing.report import ImportReport, Progress, import_transaction

#: Rows validated, matched and written per chunk: bounds memory whatever the file size.
CHUNK_ROWS = 2_000
#: At most this many problems are collected; the rest of a broken file is only counted.
MAX_PROBLEMS = 1_000
#: Where :mod:`matcher.services.history` collects what an import touched (see _insert_new).
HISTORY_TOUCHED = "matcher.history.touched"
#: Lower-case letters (any script, as :func:`matcher.domain.city_slug` makes them) and digits,
#: in parts joined by single hyphens: no dots, slashes, spaces or control characters.
SLUG_PATTERN = re.compile(r"[^\W_]+(?:-[^\W_]+)*")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One scalar column of a city: how to read it, and what clearing it stores."""

    name: str
    read: Callable[[FieldReader, str], Any]
    clearable: bool = True
    cleared: Any = None


#: The city's own columns, in file order. A new column is one more spec here (and a column of
#: ``CityRow``); reading, partial updates, clearing and export follow from it.
CITY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", lambda r, f: r.text(f, max_length=200), clearable=False),
    FieldSpec("official_name", lambda r, f: r.text(f, max_length=300), cleared=""),
    FieldSpec("country", lambda r, f: r.country(f, required=False), clearable=False),
    FieldSpec("population", lambda r, f: r.integer(f, low=0, high=50_000_000)),
    FieldSpec("population_year", lambda r, f: r.integer(f, low=1800, high=2100)),
    FieldSpec("lat", lambda r, f: r.number(f, low=-90, high=90)),
    FieldSpec("lon", lambda r, f: r.number(f, low=-180, high=180)),
    FieldSpec("nuts", lambda r, f: r.text(f, max_length=10)),
    FieldSpec("mission_city", lambda r, f: r.boolean(f)),
    FieldSpec("commitments", lambda r, f: r.strings(f, max_length=200), cleared=[]),
    FieldSpec("alt_names", lambda r, f: r.strings(f, max_length=200), cleared=[]),
    FieldSpec("source", lambda r, f: r.text(f, max_length=120), cleared=""),
    FieldSpec("source_ref", lambda r, f: r.text(f, max_length=120), cleared=""),
)
_SPECS = {spec.name: spec for spec in CITY_FIELDS}
_PROFILE_COLUMNS = {"interests": ProfileKind.INTEREST, "needs": ProfileKind.NEED,
                    "offers": ProfileKind.OFFER}  # fmt: skip
CITY_COLUMNS = ["slug", *(spec.name for spec in CITY_FIELDS), *_PROFILE_COLUMNS]


@dataclass
class CityInput:
    """A validated city row: the values it sets, the fields it clears, the profiles it gives
    (an empty dict clears that kind's data weights)."""

    row: int
    slug: str | None
    values: dict
    profiles: dict[ProfileKind, dict[str, float]] = field(default_factory=dict)
    clear: frozenset[str] = frozenset()


def validate_city_record(
    file: str, record: Record, theme_ids: set[str], problems: list[Problem]
) -> CityInput | None:
    """One record as a :class:`CityInput`, or None (its problems appended to ``problems``)."""
    before = len(problems)
    reader = FieldReader(file, record, problems)
    values: dict[str, Any] = {}
    clear: set[str] = set()
    fields = record.fields
    for spec in CITY_FIELDS:
        raw = fields.get(spec.name)
        if raw is None or raw == "":  # absent or empty: keep (the common case, kept cheap)
            continue
        if reader.clears(spec.name):
            if spec.clearable:
                clear.add(spec.name)
            else:
                reader.problem(spec.name, "cannot be cleared")
        elif reader.has(spec.name):
            value = spec.read(reader, spec.name)
            if value is not None and value != []:
                values[spec.name] = value
    if ("lat" in values) != ("lon" in values) and len(problems) == before:
        reader.problem("lon" if "lat" in values else "lat", "give both lat and lon")
    profiles = {}
    for column, kind in _PROFILE_COLUMNS.items():
        if fields.get(column) in (None, ""):
            continue
        if reader.clears(column):
            profiles[kind] = {}
            continue
        weights = reader.theme_weights(column, theme_ids)
        if weights is not None:
            profiles[kind] = weights
    slug = reader.text("slug", max_length=120)
    if slug is not None and (not SLUG_PATTERN.fullmatch(slug) or slug != slug.lower()):
        reader.problem("slug", "use lower-case letters, digits and single hyphens (nl-emmen)")
    if slug is None and len(problems) == before:
        for required in ("name", "country"):
            if required not in values:
                reader.problem(required, "is required for a row without a slug")
    if len(problems) != before:
        return None
    return CityInput(record.row, slug, values, profiles, frozenset(clear))


def validate_city_records(
    file: str, records, theme_ids: set[str]
) -> tuple[list[CityInput], list[Problem]]:
    """Check every record; return the valid inputs and every problem found (the seed's path,
    which needs no matching)."""
    problems: list[Problem] = []
    inputs: list[CityInput] = []
    seen_slugs: dict[str, int] = {}
    for record in records:
        item = validate_city_record(file, record, theme_ids, problems)
        if item is None:
            continue
        if item.slug in seen_slugs:
            problems.append(
                Problem(
                    file,
                    item.row,
                    "slug",
                    f"{item.slug!r} already appears in row {seen_slugs[item.slug]}",
                )
            )
            continue
        if item.slug:
            seen_slugs[item.slug] = item.row
        inputs.append(item)
    return inputs, problems


class _Matcher:
    """Row -> existing city id (None = new), checking the rows against each other: a slug or
    a slug-less (name, country) given twice, two rows that reach the same city."""

    def __init__(self, session: Session, file: str, problems: list[Problem], notes: list[str]):
        self.session = session
        self.file = file
        self.problems = problems
        self.notes = notes
        self.slug_ids = repository.slug_to_id(session)
        self.index = None
        self.rows_of_slug: dict[str, int] = {}
        self.rows_of_name: dict[tuple[str, str], tuple[int, int]] = {}
        self.rows_of_city: dict[int, int] = {}

    def _problem(self, item: CityInput, field_name: str, message: str) -> None:
        self.problems.append(Problem(self.file, item.row, field_name, message))

    def match(self, item: CityInput) -> tuple[bool, int | None]:
        """(keep the row?, existing city id or None)."""
        if item.slug:
            if item.slug in self.rows_of_slug:
                self._problem(
                    item,
                    "slug",
                    f"{item.slug!r} already appears in row {self.rows_of_slug[item.slug]}",
                )
                return False, None
            self.rows_of_slug[item.slug] = item.row
            city_id = self.slug_ids.get(item.slug)
            if city_id is None and not ("name" in item.values and "country" in item.values):
                self._problem(
                    item,
                    "name" if "name" not in item.values else "country",
                    f"is required: no city has the slug {item.slug!r} yet",
                )
                return False, None
        else:
            key = (item.values["country"], fold(item.values["name"]).strip())
            fingerprint = hash(
                repr(
                    (sorted(item.values.items()), sorted(item.profiles.items()), sorted(item.clear))
                )
            )
            if key in self.rows_of_name:
                first_row, first_print = self.rows_of_name[key]
                if first_print == fingerprint:
                    self.notes.append(f"row {item.row} repeats row {first_row}; imported once")
                else:
                    self._problem(
                        item,
                        "name",
                        f"the same city as row {first_row} with other "
                        "values; merge the rows or add a 'slug' column",
                    )
                return False, None
            self.rows_of_name[key] = (item.row, fingerprint)
            city_id = self._resolve(item)
            if city_id is False:
                return False, None
        if city_id is not None:
            if city_id in self.rows_of_city:
                self._problem(
                    item,
                    "slug" if item.slug else "name",
                    f"updates the same city as row {self.rows_of_city[city_id]}",
                )
                return False, None
            self.rows_of_city[city_id] = item.row
        return True, city_id

    def _resolve(self, item: CityInput) -> int | None | bool:
        if self.index is None:
            from matcher.scoring.names import NameIndex

            self.index = NameIndex().fit(repository.city_name_entries(self.session))
        resolution = self.index.resolve(item.values["name"], country=item.values["country"])
        if resolution.status in ("exact", "fuzzy"):
            return resolution.city_id
        if resolution.status == "ambiguous":
            names = ", ".join(c.name for c in resolution.candidates[:5])
            self._problem(
                item,
                "name",
                f"{item.values['name']!r} matches several cities "
                f"({names}); add a 'slug' column to say which",
            )
            return False
        return None


def _set_profile(row: CityRow, kind: str, weights: dict[str, float], provenance: str,
                 replace_declared: bool) -> tuple[bool, list[str]]:  # fmt: skip
    """Make ``weights`` the city's data weights of ``kind``, updating shared themes in place
    (so the unique (city, kind, theme) key is never hit). Returns (changed, kept declared)."""
    current = [w for w in row.profile if w.kind == kind]
    declared = {w.theme_id for w in current if w.provenance == DECLARED_PROVENANCE}
    protected = set() if replace_declared else declared
    kept = sorted(set(weights) & protected)
    changed = False
    existing = {w.theme_id: w for w in current if w.theme_id not in protected}
    for theme, weight_row in existing.items():
        if theme not in weights:
            row.profile.remove(weight_row)
            changed = True
        elif weight_row.weight != weights[theme]:
            weight_row.weight = weights[theme]
            weight_row.provenance = provenance
            changed = True
    for theme, value in sorted(weights.items()):
        if theme not in existing and theme not in protected:
            row.profile.append(
                ProfileWeightRow(kind=kind, theme_id=theme, weight=value, provenance=provenance)
            )
            changed = True
    return changed, kept


def _apply(row: CityRow, item: CityInput, provenance: str, replace_declared: bool,
           notes: list[str]) -> bool:  # fmt: skip
    """Copy what the input names onto ``row``; return whether anything changed."""
    changed = False
    for name, new in item.values.items():
        if getattr(row, name) != new:
            setattr(row, name, new)
            changed = True
    for name in item.clear:
        cleared = _SPECS[name].cleared
        if getattr(row, name) != cleared:
            setattr(row, name, cleared)
            changed = True
    for kind, weights in item.profiles.items():
        kind_changed, kept = _set_profile(row, str(kind), weights, provenance, replace_declared)
        changed |= kind_changed
        if kept:
            notes.append(
                f"row {item.row}: kept the weights {row.name} declared itself for "
                f"{', '.join(kept)} ({kind}); use --replace-declared to overwrite"
            )
    return changed


def _spool(chunks: Iterator[list[tuple[CityInput, int | None]]]):
    """Pickle chunks to a temporary file; return it (rewound) and the number of chunks."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it (with spool:)
    count = 0
    for chunk in chunks:
        pickle.dump(chunk, spool, protocol=pickle.HIGHEST_PROTOCOL)
        count += 1
    spool.seek(0)
    return spool, count


def _validated_chunks(session, source: RecordSource, matcher: _Matcher):
    """Validate and match rows chunk by chunk; yield chunks of (input, existing id)."""
    theme_ids = repository.theme_ids(session)
    problems = matcher.problems
    chunk: list[tuple[CityInput, int | None]] = []
    for record in source:
        if len(problems) >= MAX_PROBLEMS:
            break
        item = validate_city_record(source.file, record, theme_ids, problems)
        if item is None:
            continue
        keep, city_id = matcher.match(item)
        if keep and not problems:  # once a row failed nothing will be written: keep no rows
            chunk.append((item, city_id))
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def import_cities(
    session: Session,
    path: str | Path,
    *,
    fmt: str | None = None,
    text: str | None = None,
    dry_run: bool = False,
    replace_declared: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import cities from CSV or JSON. Every row is validated first; with any problem nothing
    is written and :class:`ImportFailed` lists them. Otherwise the rows are upserted in one
    transaction (committed here unless ``dry_run``); see the module docstring."""
    source = RecordSource(path, "cities", fmt, text=text)
    file = source.file
    problems = check_columns(source, CITY_COLUMNS, required_any=[("slug",), ("name", "country")])
    if problems:
        raise ImportFailed(problems)
    report = ImportReport("cities", file, dry_run=dry_run)
    matcher = _Matcher(session, file, problems, report.notes)
    spool, chunks = _spool(_validated_chunks(session, source, matcher))
    with spool:
        if problems:
            raise ImportFailed(problems)
        provenance = f"imported from {file}"
        # Slugs made for slug-less rows avoid the stored ones and every one the file gives.
        taken = repository.all_slugs(session) | set(matcher.rows_of_slug)
        done = 0
        with import_transaction(session, report), session.no_autoflush:
            for _ in range(chunks):
                chunk = pickle.load(spool)
                existing = repository.city_rows_by_id(session, [i for _, i in chunk if i])
                written, new_rows = [], []
                for item, city_id in chunk:
                    if city_id is None:
                        slug = item.slug or _free_slug(
                            city_slug(item.values["country"], item.values["name"]), taken
                        )
                        taken.add(slug)
                        new_rows.append((slug, item))
                        report.created += 1
                    else:
                        row = existing[city_id]
                        if not item.slug and row.name != item.values["name"]:
                            report.notes.append(
                                f"row {item.row}: '{item.values['name']}' matched existing "
                                f"city '{row.name}' ({row.country})"
                            )
                            item.values["name"] = row.name  # a fuzzy match never renames
                        if _apply(row, item, provenance, replace_declared, report.notes):
                            report.updated += 1
                        else:
                            report.unchanged += 1
                        written.append(row)
                    done += 1
                    if progress:
                        progress(done)
                if not dry_run:
                    _insert_new(session, new_rows, provenance)
                    session.flush()
                for row in written:  # written rows leave the session: memory stays bounded
                    session.expunge(row)
    return report


def _insert_new(session: Session, new_rows: list[tuple[str, CityInput]], provenance: str) -> None:
    """Insert new cities and their weights in bulk (a row object per city would cost more
    than the validation of the whole file)."""
    if not new_rows:
        return
    defaults = {spec.name: spec.cleared for spec in CITY_FIELDS if spec.clearable}
    defaults["source"] = "imported"
    records = [{**defaults, **item.values, "slug": slug} for slug, item in new_rows]
    table = CityRow.__table__
    inserted = session.execute(insert(table).returning(table.c.slug, table.c.id), records)
    ids = {slug: city_id for slug, city_id in inserted}
    # Bulk inserts pass by the session's flush events, so the change history (which collects
    # the cities an import touched under this key) is told about the new cities here.
    touched = session.info.get(HISTORY_TOUCHED)
    if touched is not None:
        touched.setdefault("created", set()).update(ids)
    weights = [
        {"city_id": ids[slug], "kind": str(kind), "theme_id": theme, "weight": value,
         "provenance": provenance}
        for slug, item in new_rows
        for kind, profile in item.profiles.items()
        for theme, value in sorted(profile.items())
    ]  # fmt: skip
    if weights:
        session.execute(insert(ProfileWeightRow.__table__), weights)


def _free_slug(base: str, taken: set[str]) -> str:
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    return slug


def city_export_rows(session: Session) -> list[dict]:
    """Every city as an import-compatible record (profiles as ``theme:weight`` lists)."""
    rows = []
    for row in repository.all_city_rows(session):
        record = {spec.name: getattr(row, spec.name) for spec in CITY_FIELDS}
        record["slug"] = row.slug
        record["mission_city"] = None if row.mission_city is None else str(row.mission_city).lower()
        record["commitments"] = list(row.commitments or ())
        record["alt_names"] = list(row.alt_names or ())
        for column, kind in _PROFILE_COLUMNS.items():
            weights = {w.theme_id: w.weight for w in row.profile if w.kind == kind}
            record[column] = [f"{t}:{round(w, 4)}" for t, w in sorted(weights.items())]
        rows.append({column: record.get(column) for column in CITY_COLUMNS})
    return rows
