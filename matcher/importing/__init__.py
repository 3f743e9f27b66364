"""Bulk import and export of cities and calls (CSV or JSON) through one validated code path."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session

from matcher.importing.calls import CALL_COLUMNS, call_export_rows, import_calls
from matcher.importing.cities import CITY_COLUMNS, city_export_rows, import_cities
from matcher.importing.records import ImportFailed, Problem, write_csv
from matcher.importing.report import ImportReport

__all__ = ["ImportFailed", "ImportReport", "Problem", "export", "export_rows", "import_file",
           "KINDS"]  # fmt: skip

KINDS = ("cities", "calls")


def import_file(session: Session, kind: str, path, **options) -> ImportReport:
    """Import ``path`` as ``kind`` (``cities`` or ``calls``)."""
    if kind == "cities":
        return import_cities(session, path, **options)
    if kind == "calls":
        return import_calls(session, path, **options)
    raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")


def export_rows(session: Session, kind: str) -> tuple[list[dict], list[str]]:
    """All records of ``kind`` as import-compatible rows (calls' rules as JSON text, for a
    CSV cell), and the columns in file order."""
    if kind == "cities":
        return city_export_rows(session), CITY_COLUMNS
    if kind == "calls":
        rows = [{**r, "rules": json.dumps(r["rules"], ensure_ascii=False)}
                for r in call_export_rows(session)]  # fmt: skip
        return rows, CALL_COLUMNS
    raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")


def export(session: Session, kind: str, fmt: str) -> str:
    """All records of ``kind`` as CSV or JSON text that :func:`import_file` reads back (the
    CSV of :func:`matcher.services.data.export` also quotes formula-like cells)."""
    if kind == "cities":
        rows, columns = city_export_rows(session), CITY_COLUMNS
    elif kind == "calls":
        rows, columns = call_export_rows(session), CALL_COLUMNS
    else:
        raise ValueError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    if fmt == "json":
        return json.dumps({kind: rows}, ensure_ascii=False, indent=1, default=str) + "\n"
    if fmt == "csv":
        if kind == "calls":
            rows = [{**r, "rules": json.dumps(r["rules"], ensure_ascii=False)} for r in rows]
        return write_csv(rows, columns)
    raise ValueError(f"unknown format {fmt!r}; use csv or json")
