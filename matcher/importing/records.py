"""Reading CSV/JSON files into records, and the problem type every validator reports."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one field of one row of one file."""

    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        if self.field:
            where += f", field '{self.field}'"
        return f"{where}: {self.message}"

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}


class ImportFailed(Exception):
    """Raised when a file has problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        first = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"{len(problems)} problem(s), nothing was imported: {first}{more}")


@dataclass(frozen=True, slots=True)
class Record:
    """A row as read from a file: its number as a person would see it, and its fields."""

    row: int
    fields: dict


def detect_format(path: str | Path, explicit: str | None = None) -> str:
    """``csv`` or ``json`` from ``explicit`` or the file extension."""
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in {"csv", "json"}:
        raise ImportFailed(
            [Problem(Path(path).name, 0, "", "unknown format: use a .csv or .json file")]
        )
    return fmt


def read_records(
    path: str | Path, collection_key: str, fmt: str | None = None, *, text: str | None = None
) -> list[Record]:
    """Read a CSV (header row, row numbers as a spreadsheet shows them: first data row is 2) or
    JSON (a list, or an object with ``collection_key`` holding the list; row = 1-based item).

    ``text`` reads from a string instead of the file (uploads); ``path`` then only names it.
    """
    name = Path(path).name
    fmt = detect_format(path, fmt)
    try:
        if text is None:
            text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFailed([Problem(name, 0, "", "file not found")]) from None
    except UnicodeDecodeError as exc:
        raise ImportFailed([Problem(name, 0, "", f"not UTF-8 text ({exc.reason})")]) from None
    text = text.lstrip("\ufeff")
    if fmt == "csv":
        reader = csv.DictReader(io.StringIO(text))
        if not reader.fieldnames:
            raise ImportFailed([Problem(name, 0, "", "the file is empty: no header row")])
        records = []
        for offset, raw in enumerate(reader):
            if None in raw:
                raise ImportFailed(
                    [Problem(name, offset + 2, "", "more cells than the header has columns")]
                )
            fields = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in raw.items()}
            records.append(Record(offset + 2, fields))
        return records
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFailed(
            [Problem(name, exc.lineno, "", f"invalid JSON: {exc.msg} (line {exc.lineno})")]
        ) from None
    if isinstance(data, dict):
        data = data.get(collection_key)
    if not isinstance(data, list):
        raise ImportFailed(
            [
                Problem(
                    name, 0, "", f"expected a JSON list or an object with a '{collection_key}' list"
                )
            ]
        )
    records = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ImportFailed([Problem(name, index, "", "each item must be a JSON object")])
        records.append(Record(index, item))
    return records


def split_list(value) -> list[str]:
    """A ``|``-separated cell or a JSON list as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [part.strip() for part in str(value).split("|") if part.strip()]


def write_csv(rows: list[dict], columns: list[str]) -> str:
    """Rows as CSV text with a header; lists become ``|``-separated cells."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                k: "|".join(map(str, v))
                if isinstance(v, list | tuple)
                else ("" if v is None else v)
                for k, v in row.items()
            }
        )
    return buffer.getvalue()


def _cell(value) -> str:
    if isinstance(value, list | tuple):
        return "|".join(map(str, value))
    return "" if value is None else value
