"""The attendee list of a networking session: one city per row, with its requests.

Columns: ``city`` and ``country`` (ISO code) are required; optional ``unavailable_rounds``
(round numbers separated by ``|``, or by commas in a quoted cell: ``"3,4"``), and
``must_meet``, ``would_like`` and ``do_not_meet`` (city names separated by ``|``; a name may
carry its country in brackets, ``Gent (BE)``, to settle a doubt).

Names are resolved with the fuzzy name index: an exact or clearly fuzzy match is accepted; an
ambiguous or unknown name is never guessed but reported with the closest cities as suggestions.
A requested name that is ambiguous in the whole of Europe but matches exactly one city listed
in the same file is taken to mean that city: the organiser named it, so that is no guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import normalise_country
from matcher.importing.fields import FieldReader
from matcher.importing.records import ImportFailed, Problem, Record, read_records

__all__ = [
    "ATTENDEE_COLUMNS",
    "REQUEST_FIELDS",
    "AttendeeImport",
    "AttendeeImportFailed",
    "AttendeeRow",
    "UnresolvedName",
    "parse_attendee_records",
    "read_attendees",
]

ATTENDEE_COLUMNS = (
    "city",
    "country",
    "unavailable_rounds",
    "must_meet",
    "would_like",
    "do_not_meet",
)
#: Request columns and the request kind each one makes.
REQUEST_FIELDS = {
    "must_meet": "must-meet",
    "would_like": "would-like",
    "do_not_meet": "do-not-meet",
}
#: Suggestions shown for a name that could not be resolved.
SUGGESTIONS = 3

_ROUND_SEPARATORS = re.compile(r"[|,;\s]+")
_NAME_WITH_COUNTRY = re.compile(r"^(?P<name>.+?)\s*\((?P<country>[A-Za-z]{2})\)\s*$")


@dataclass(frozen=True, slots=True)
class UnresolvedName:
    """A name that matched no single city: where it was, why, and the closest cities."""

    row: int
    field: str
    name: str
    country: str | None
    status: str  # ambiguous / not_found
    suggestions: tuple[str, ...] = ()

    def message(self) -> str:
        where = f"{self.name!r}" + (f" in {self.country}" if self.country else "")
        what = "matches several cities" if self.status == "ambiguous" else "matches no city"
        hint = f"; did you mean: {', '.join(self.suggestions)}?" if self.suggestions else ""
        return f"{where} {what}{hint}"


#: The words of the one problem that depends on the event's stored settings, not on the row
#: alone (the API answers it as a conflict with the event, 409, not as an invalid value).
BEYOND_LAST_ROUND = "is beyond the last round"


class AttendeeImportFailed(ImportFailed):
    """An attendee import with problems; ``unresolved`` lists the names that matched no single
    city, with suggestions, for pages that show them next to the input."""

    def __init__(self, problems: list[Problem], unresolved: list[UnresolvedName]):
        super().__init__(problems)
        self.unresolved = unresolved


@dataclass(frozen=True, slots=True)
class AttendeeRow:
    """One resolved row: the city, the rounds it cannot attend and its requests (city ids)."""

    row: int
    city_id: int
    name: str
    country: str
    unavailable_rounds: tuple[int, ...] = ()
    requests: tuple[tuple[str, int], ...] = ()  # (kind, target city id)


@dataclass
class AttendeeImport:
    """The rows that resolved, the names that did not, and every problem (as import problems).

    ``problems`` includes one problem per unresolved name, so an import that must be complete
    fails on them; :meth:`without_unresolved` drops those rows (and requests naming them)
    when the caller explicitly accepts an incomplete list.
    """

    file: str
    rows: list[AttendeeRow] = field(default_factory=list)
    unresolved: list[UnresolvedName] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Names read as a close spelling of a city, in words ("row 3, city: 'Jyvaskila' read as
    #: Jyväskylä (FI)"), so that a corrected typo is always said.
    corrected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def raise_for_problems(self) -> None:
        if self.problems:
            raise AttendeeImportFailed(self.problems, self.unresolved)

    def without_unresolved(self) -> AttendeeImport:
        """Only the problems that are not unresolved names remain; rows whose own city did not
        resolve are dropped (requests naming an unresolved city were never resolved)."""
        unresolved_keys = {(u.row, u.field) for u in self.unresolved}
        problems = [p for p in self.problems if (p.row, p.field) not in unresolved_keys]
        return AttendeeImport(
            self.file, list(self.rows), list(self.unresolved), problems, list(self.corrected)
        )


def read_attendees(
    session: Session,
    path: str | Path,
    names,
    *,
    text: str | None = None,
    fmt: str | None = None,
    rounds: int | None = None,
) -> AttendeeImport:
    """Read and resolve an attendee CSV (or JSON list) file; see the module docstring.

    ``names`` is the fitted :class:`~matcher.scoring.names.NameIndex` of every city;
    ``rounds`` (when known) bounds the ``unavailable_rounds`` values. File-level problems
    (missing file, no header, missing columns) raise :class:`ImportFailed`; row problems are
    collected in the result.
    """
    records = read_records(path, "attendees", fmt, text=text)
    return parse_attendee_records(session, Path(path).name, records, names, rounds=rounds)


def parse_attendee_records(
    session: Session, file: str, records: list[Record], names, *, rounds: int | None = None
) -> AttendeeImport:
    """Validate and resolve attendee records (from a file, or built from a JSON API body)."""
    result = AttendeeImport(file)
    if not records:
        result.problems.append(Problem(file, 0, "", "the list has no attendees"))
        return result
    missing = [c for c in ("city", "country") if c not in records[0].fields]
    if missing:
        raise ImportFailed([Problem(file, 1, "", f"missing column(s): {', '.join(missing)}")])
    resolver = _Resolver(session, names)
    first_row_of: dict[int, int] = {}
    pending: list[tuple[Record, int, tuple[int, ...]]] = []
    for record in records:
        reader = FieldReader(file, record, result.problems)
        name = reader.text("city", required=True, max_length=200)
        country = reader.country("country")
        unavailable = _rounds(reader, rounds)
        if not name or not country:
            continue
        city_id = resolver.resolve(name, country, record.row, "city", result)
        if city_id is None:
            continue
        if city_id in first_row_of:
            reader.problem("city", f"{name} is listed twice (also row {first_row_of[city_id]})")
            continue
        first_row_of[city_id] = record.row
        pending.append((record, city_id, unavailable))
    cities = {c.id: c for c in repository.get_cities(session, list(first_row_of))}
    for record, city_id, unavailable in pending:
        requests = _requests(file, record, city_id, resolver, set(first_row_of), result)
        city = cities[city_id]
        result.rows.append(
            AttendeeRow(record.row, city_id, city.name, city.country, unavailable, tuple(requests))
        )
    return result


def _rounds(reader: FieldReader, rounds: int | None) -> tuple[int, ...]:
    raw = reader.record.fields.get("unavailable_rounds")
    if raw in (None, "", []):
        return ()
    parts = (
        [str(p) for p in raw]
        if isinstance(raw, list | tuple)
        else (_ROUND_SEPARATORS.split(str(raw).strip()))
    )
    numbers: set[int] = set()
    for part in filter(None, (p.strip() for p in parts)):
        if not part.isdigit() or int(part) < 1:
            reader.problem("unavailable_rounds", f"must list round numbers, got {part!r}")
        elif rounds is not None and int(part) > rounds:
            reader.problem("unavailable_rounds", f"round {part} {BEYOND_LAST_ROUND} {rounds}")
        else:
            numbers.add(int(part))
    return tuple(sorted(numbers))


def _requests(file, record, city_id, resolver, listed, result) -> list[tuple[str, int]]:
    requests: list[tuple[str, int]] = []
    seen: set[int] = set()
    for column, kind in REQUEST_FIELDS.items():
        raw = record.fields.get(column)
        items = (
            [str(v) for v in raw] if isinstance(raw, list | tuple) else str(raw or "").split("|")
        )
        for item in filter(None, (i.strip() for i in items)):
            name, country = _name_and_country(item)
            if country is False:
                result.problems.append(
                    Problem(file, record.row, column, f"{item!r}: unknown country code in brackets")
                )
                continue
            target = resolver.resolve(name, country, record.row, column, result, prefer=listed)
            if target is None:
                continue
            if target == city_id:
                result.problems.append(
                    Problem(file, record.row, column, f"{item!r} is the attendee itself")
                )
            elif target in seen:
                result.problems.append(
                    Problem(file, record.row, column, f"{item!r} is named in two requests")
                )
            else:
                seen.add(target)
                requests.append((kind, target))
    return requests


def _name_and_country(item: str) -> tuple[str, str | None | bool]:
    """``Gent (BE)`` -> ("Gent", "BE"); a bad code in brackets gives False."""
    found = _NAME_WITH_COUNTRY.match(item)
    if not found:
        return item, None
    try:
        return found["name"], normalise_country(found["country"])
    except ValueError:
        return found["name"], False


class _Resolver:
    """Name resolution with the index, reporting every unresolved name with suggestions."""

    def __init__(self, session: Session, names) -> None:
        self.session = session
        self.names = names

    def resolve(self, name, country, row, column, result, *, prefer=()) -> int | None:
        resolution = self.names.resolve(name, country)
        if resolution.status == "fuzzy":
            city = repository.get_cities(self.session, [resolution.city_id])[0]
            result.corrected.append(
                f"row {row}, {column.replace('_', ' ')}: {name!r} read as {city.name} "
                f"({city.country})"
            )
        if resolution.status in ("exact", "fuzzy"):
            return resolution.city_id
        if prefer and resolution.status == "ambiguous":
            chosen = [m.city_id for m in resolution.candidates if m.exact and m.city_id in prefer]
            if len(chosen) == 1:
                return chosen[0]
        matches = self.names.search(name, country, limit=SUGGESTIONS)
        found = repository.get_cities(self.session, [m.city_id for m in matches])
        suggestions = tuple(f"{city.name} ({city.country})" for city in found)
        unresolved = UnresolvedName(row, column, name, country, str(resolution.status), suggestions)
        result.unresolved.append(unresolved)
        result.problems.append(Problem(result.file, row, column, unresolved.message()))
        return None
