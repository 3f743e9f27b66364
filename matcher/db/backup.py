"""Backup and restore of the whole database as one gzip-compressed JSON-lines file.

Every table of the models is written (cities, profiles with their provenance, collaborations,
calls and rules, events with rounds, attendees, requests, meetings and locks, the data
version), so a table added later is covered without touching this module. Rows are streamed
in both directions: memory stays flat whatever the size. The file records the schema revision;
a restore refuses a file of another revision (migrate first), and runs in one transaction:
on any problem the database is left as it was.

Format: the first line is a header object; then, per table, a ``{"table", "columns"}`` line
followed by one JSON array per row.
"""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Date, DateTime, Engine, Table, delete, func, insert, select, text

from matcher.db import current_revision
from matcher.db.models import Base, DataVersionRow

FORMAT = "city-matcher-backup"
FORMAT_VERSION = 1
INSERT_CHUNK = 1_000


class BackupError(Exception):
    """A backup file that cannot be restored; nothing was changed."""


def _tables() -> list[Table]:
    return list(Base.metadata.sorted_tables)


def _encode(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _decoder(table: Table, columns: list[str]):
    converters = []
    for name in columns:
        kind = table.columns[name].type
        if isinstance(kind, DateTime):
            converters.append(lambda v: None if v is None else datetime.fromisoformat(v))
        elif isinstance(kind, Date):
            converters.append(lambda v: None if v is None else date.fromisoformat(v))
        else:
            converters.append(None)

    def decode(values: list) -> dict:
        return {
            name: (convert(value) if convert else value)
            for name, value, convert in zip(columns, values, converters, strict=True)
        }

    return decode


def write_backup(engine: Engine, path: str | Path) -> dict[str, int]:
    """Write every table to ``path`` in one read transaction; return rows per table."""
    counts: dict[str, int] = {}
    path = Path(path)
    partial = path.with_name(path.name + ".partial")
    with engine.connect() as connection, gzip.open(partial, "wt", encoding="utf-8") as out:
        header = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "revision": current_revision(engine), "backend": engine.dialect.name,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }  # fmt: skip
        out.write(json.dumps(header) + "\n")
        for table in _tables():
            columns = [c.name for c in table.columns]
            out.write(json.dumps({"table": table.name, "columns": columns}) + "\n")
            order = [table.c[c.name] for c in table.primary_key.columns]
            result = connection.execution_options(yield_per=INSERT_CHUNK).execute(
                select(table).order_by(*order)
            )
            count = 0
            for row in result:
                out.write(json.dumps([_encode(v) for v in row], ensure_ascii=False) + "\n")
                count += 1
            counts[table.name] = count
    partial.replace(path)  # a backup file is complete or absent, never half-written
    return counts


def _lines(path: Path) -> Iterator[object]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    raise BackupError(f"{path.name}, line {number}: not valid JSON") from None
    except FileNotFoundError:
        raise BackupError(f"{path.name}: file not found") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BackupError(f"{path.name}: not a backup file ({exc})") from None


def read_header(path: str | Path) -> dict:
    """The header of a backup file (format, revision, backend, created)."""
    path = Path(path)
    header = next(_lines(path), None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"{path.name}: not a City Matcher backup")
    return header


def restore_backup(engine: Engine, path: str | Path) -> dict[str, int]:
    """Replace everything in the database with the backup at ``path``; return rows per table.

    One transaction: the file is checked as it is read, and any problem rolls back."""
    path = Path(path)
    header = read_header(path)
    revision = current_revision(engine)
    if header.get("revision") != revision:
        raise BackupError(
            f"{path.name} is at schema revision {header.get('revision')}, the database at "
            f"{revision}; restore into a database at the same revision"
        )
    tables = {table.name: table for table in _tables()}
    counts: dict[str, int] = {}
    lines = _lines(path)
    next(lines)
    with engine.begin() as connection:
        previous = connection.scalar(select(func.max(DataVersionRow.version))) or 0
        for table in reversed(_tables()):
            connection.execute(delete(table))
        table, decode, batch = None, None, []
        for item in lines:
            if isinstance(item, dict):
                _flush(connection, table, batch)
                batch = []
                name = item.get("table")
                if name not in tables:
                    raise BackupError(f"{path.name}: unknown table {name!r}")
                table = tables[name]
                columns = item.get("columns") or []
                unknown = [c for c in columns if c not in table.columns]
                if unknown:
                    raise BackupError(f"{path.name}: table {name} has no column(s) {unknown}")
                decode = _decoder(table, columns)
                counts[name] = 0
            elif isinstance(item, list) and decode is not None:
                batch.append(decode(item))
                counts[table.name] += 1
                if len(batch) >= INSERT_CHUNK:
                    _flush(connection, table, batch)
                    batch = []
            else:
                raise BackupError(f"{path.name}: unexpected line {str(item)[:60]}")
        _flush(connection, table, batch)
        _after_restore(connection, previous)
    return counts


def _flush(connection, table: Table | None, batch: list[dict]) -> None:
    if table is not None and batch:
        connection.execute(insert(table), batch)


def _after_restore(connection, previous_version: int) -> None:
    """Move the data version past anything seen before (so no cached index of the data that
    was replaced is taken for the restored data) and, on PostgreSQL, move each id sequence
    past the restored ids."""
    version_table = DataVersionRow.__table__
    connection.execute(delete(version_table))
    connection.execute(
        insert(version_table),
        [{"id": 1, "version": previous_version + 1, "generation": uuid.uuid4().hex}],
    )
    if connection.dialect.name != "postgresql":
        return
    for table in _tables():
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                column.autoincrement == "auto" and column.type.python_type is int
            ):
                connection.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence(:t, :c), "
                        f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"
                    ),
                    {"t": table.name, "c": column.name},
                )
