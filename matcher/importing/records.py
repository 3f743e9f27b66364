"""Reading CSV/JSON files into records, and the problem type every validator reports."""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterator, Sequence
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


#: The largest cell the reader accepts at all (each field has its own, smaller limit); the
#: csv module's default (128 KiB) would end a file with a bare ``_csv.Error`` instead.
MAX_CELL_CHARS = 1_000_000
#: JSON deeper than this is refused before parsing (the parser would recurse until it fails).
MAX_JSON_DEPTH = 50
csv.field_size_limit(MAX_CELL_CHARS)


def detect_format(path: str | Path, explicit: str | None = None) -> str:
    """``csv`` or ``json`` from ``explicit`` or the file extension."""
    fmt = (explicit or Path(path).suffix.lstrip(".")).lower()
    if fmt not in {"csv", "json"}:
        raise ImportFailed(
            [Problem(Path(path).name, 0, "", "unknown format: use a .csv or .json file")]
        )
    return fmt


def _fail(file: str, row: int, message: str, field: str = "") -> ImportFailed:
    return ImportFailed([Problem(file, row, field, message)])


def check_encoding(path: Path, file: str) -> None:
    """Refuse a file that is not UTF-8, naming what it looks like and the first bad row.

    The file is read line by line (bytes), so this costs one pass and no memory to speak of.
    A spreadsheet saved as "Unicode text" is UTF-16; one saved as plain "CSV" on Windows is
    usually Windows-1252 (Latin-1): both are named, with the row, rather than "not UTF-8".
    """
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise _fail(file, 0, "file not found") from None
    except OSError as exc:
        raise _fail(file, 0, f"cannot be read ({exc.strerror})") from None
    with handle:
        head = handle.read(4)
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise _fail(file, 0, 'the file is UTF-16 text; save it as UTF-8 ("CSV UTF-8")')
        handle.seek(0)
        for number, line in enumerate(handle, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise _fail(file, number, _encoding_guess(line, exc)) from None


def _encoding_guess(line: bytes, exc: UnicodeDecodeError) -> str:
    bad = line[exc.start : exc.start + 1]
    if line.count(b"\x00") * 3 >= len(line) and len(line) > 2:
        return 'is UTF-16 text, not UTF-8; save the file as UTF-8 ("CSV UTF-8")'
    shown = bad.decode("cp1252", errors="replace")
    return (
        f"is not UTF-8: byte 0x{bad.hex().upper()} ({shown!r} in Latin-1/Windows-1252) at "
        f"character {exc.start + 1}; the file looks like Latin-1 (ISO-8859-1 / Windows-1252): "
        "save it as UTF-8"
    )


def _json_depth_ok(text: str) -> bool:
    """Whether no JSON container nests deeper than :data:`MAX_JSON_DEPTH` (strings skipped)."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return False
        elif char in "]}":
            depth -= 1
    return True


class RecordSource:
    """The records of one CSV or JSON file, read again on each iteration (CSV is streamed,
    so a large file never sits in memory as a whole).

    ``columns`` are the CSV header (or, for JSON, every key used, in order of first use);
    file-level problems (missing file, encoding, empty, bad JSON) raise :class:`ImportFailed`
    when the source is made. CSV rows are numbered as a spreadsheet shows them (the first data
    row is 2), JSON items from 1. ``text`` reads from a string (uploads); ``path`` names it.
    """

    def __init__(
        self, path: str | Path, collection_key: str, fmt: str | None = None, *, text=None
    ) -> None:
        self.path = Path(path)
        self.file = self.path.name
        self.fmt = detect_format(path, fmt)
        self.collection_key = collection_key
        self.text = text.lstrip("\ufeff") if text is not None else None
        self._items: list | None = None
        if self.text is None:
            check_encoding(self.path, self.file)
        if self.fmt == "csv":
            self.columns = self._csv_header()
        else:
            self._items = self._json_items()
            self.columns = list(dict.fromkeys(k for item in self._items for k in item))

    # CSV ------------------------------------------------------------------------------

    def _open_text(self):
        if self.text is not None:
            return io.StringIO(self.text)
        return self.path.open(encoding="utf-8-sig", newline="")

    def _csv_header(self) -> list[str]:
        with self._open_text() as handle:
            try:
                header = next(csv.reader(handle), None)
            except csv.Error as exc:
                raise _fail(self.file, 1, f"the header row cannot be read ({exc})") from None
        if not header or not any(h.strip() for h in header):
            raise _fail(self.file, 0, "the file is empty: no header row")
        columns = [h.strip() for h in header]
        for name in columns:
            if "\x00" in name or len(name) > 200:
                raise _fail(self.file, 1, "the header has a NUL character or an overlong name")
        return columns

    def _csv_records(self) -> Iterator[Record]:
        with self._open_text() as handle:
            reader = csv.reader(handle)
            row = 1
            try:
                next(reader, None)
                for row, cells in enumerate(reader, start=2):
                    if len(cells) > len(self.columns):
                        raise _fail(self.file, row, "more cells than the header has columns")
                    if not any(c.strip() for c in cells):
                        continue  # a blank line (spreadsheets often end with some)
                    cells += [""] * (len(self.columns) - len(cells))
                    yield Record(
                        row, {k: v.strip() for k, v in zip(self.columns, cells, strict=True)}
                    )
            except csv.Error as exc:
                message = str(exc)
                if "field larger than field limit" in message:
                    message = f"a cell is longer than {MAX_CELL_CHARS:,} characters"
                else:
                    message = f"cannot be read as CSV ({message})"
                raise _fail(self.file, row + 1, message) from None

    # JSON -----------------------------------------------------------------------------

    def _json_items(self) -> list[dict]:
        text = self.text
        if text is None:
            text = self.path.read_text(encoding="utf-8-sig")
        if not _json_depth_ok(text):
            raise _fail(self.file, 0, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _fail(
                self.file, exc.lineno, f"invalid JSON: {exc.msg} (line {exc.lineno})"
            ) from None
        except RecursionError:
            raise _fail(self.file, 0, "JSON nested too deeply") from None
        if isinstance(data, dict):
            data = data.get(self.collection_key)
        if not isinstance(data, list):
            wanted = f"expected a JSON list or an object with a '{self.collection_key}' list"
            raise _fail(self.file, 0, wanted)
        for index, item in enumerate(data, start=1):
            if not isinstance(item, dict):
                raise _fail(self.file, index, "each item must be a JSON object")
        return data

    def __iter__(self) -> Iterator[Record]:
        if self._items is not None:
            return (Record(n, item) for n, item in enumerate(self._items, start=1))
        return self._csv_records()

    def count(self) -> int:
        """How many records there are (one streaming pass for CSV)."""
        if self._items is not None:
            return len(self._items)
        return sum(1 for _ in self)

    def first_row_with(self, column: str) -> int:
        """The row where ``column`` is first used: the header (1) for CSV."""
        if self._items is None:
            return 1
        return next((n for n, item in enumerate(self._items, 1) if column in item), 0)


def read_records(
    path: str | Path, collection_key: str, fmt: str | None = None, *, text: str | None = None
) -> list[Record]:
    """Every record of a CSV or JSON file as a list (see :class:`RecordSource`)."""
    return list(RecordSource(path, collection_key, fmt, text=text))


def check_columns(
    source: RecordSource, known: Sequence[str], *, required_any: Sequence[Sequence[str]] = ()
) -> list[Problem]:
    """A problem for each unknown column (naming the close known one) and, once, for missing
    required columns: ``required_any`` lists alternatives (each a set of columns that
    together suffice, e.g. ``[("slug",), ("name", "country")]``)."""
    problems = []
    seen = set(source.columns)
    for column in source.columns:
        if column in known or not column:
            continue
        close = difflib.get_close_matches(column.lower(), known, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else f"; known columns: {', '.join(known)}"
        problems.append(
            Problem(source.file, source.first_row_with(column), column, f"unknown column{hint}")
        )
    if required_any and not any(all(c in seen for c in option) for option in required_any):
        wanted = " or ".join(", ".join(option) for option in required_any)
        problems.append(Problem(source.file, 1, "", f"missing column(s): needs {wanted}"))
    return problems


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
