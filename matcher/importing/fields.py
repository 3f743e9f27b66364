"""Typed reading of one record's fields, collecting a :class:`Problem` for each bad value."""

from __future__ import annotations

import math
from datetime import date

from matcher.domain import normalise_country
from matcher.importing.records import Problem, Record, split_list

_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}
#: A cell holding exactly this clears the stored value on purpose (an empty cell keeps it).
CLEAR = "<clear>"
#: Exports put a quote before text cells that a spreadsheet would run as a formula; the
#: import takes it off again, so an export reads back unchanged.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class FieldReader:
    """Reads fields of one record; every failure is appended to ``problems`` and gives None."""

    def __init__(self, file: str, record: Record, problems: list[Problem]):
        self.file = file
        self.record = record
        self.problems = problems

    def _raw(self, field: str):
        value = self.record.fields.get(field)
        if isinstance(value, str):
            value = value.strip()
            if "\x00" in value:
                self.problem(field, "contains a NUL character")
                return None
            if value == CLEAR:
                return None
            if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
                value = value[1:]
        return None if value in ("", None) else value

    def has(self, field: str) -> bool:
        """Whether the record carries a non-empty value for ``field``."""
        value = self.record.fields.get(field)
        if isinstance(value, str):
            value = value.strip()
            return value not in ("", CLEAR)
        return value is not None

    def clears(self, field: str) -> bool:
        """Whether the record asks to clear ``field`` (a cell holding ``<clear>``)."""
        value = self.record.fields.get(field)
        return isinstance(value, str) and value.strip() == CLEAR

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.record.row, field, message))

    def text(self, field: str, *, required: bool = False, max_length: int = 1000) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.problem(field, "is required")
            return None
        if not isinstance(value, str):
            self.problem(field, f"must be text, got {_json_type(value)}")
            return None
        if len(value) > max_length:
            self.problem(field, f"is longer than {max_length} characters")
            return None
        return value

    def integer(self, field: str, *, low: int | None = None, high: int | None = None) -> int | None:
        value = self._raw(field)
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(str(value).replace("_", ""))
            if not number.is_integer():
                raise ValueError
            result = int(number)
        except (TypeError, ValueError, OverflowError):
            self.problem(field, f"must be a whole number, got {_shown(value)}")
            return None
        return self._in_range(field, result, low, high)

    def number(
        self, field: str, *, low: float | None = None, high: float | None = None
    ) -> float | None:
        value = self._raw(field)
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            result = float(value)
            if not math.isfinite(result):
                raise ValueError
        except (TypeError, ValueError, OverflowError):
            self.problem(field, f"must be a number, got {_shown(value)}")
            return None
        return self._in_range(field, result, low, high)

    def _in_range(self, field, value, low, high):
        if (low is not None and value < low) or (high is not None and value > high):
            bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
            self.problem(field, f"must be {bounds}, got {value}")
            return None
        return value

    def boolean(self, field: str) -> bool | None:
        """``true``/``false`` (and yes/no/1/0); empty means unknown (None)."""
        value = self._raw(field)
        if value is None or isinstance(value, bool):
            return value
        lowered = str(value).lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        self.problem(field, f"must be true, false or empty, got {_shown(value)}")
        return None

    def country(self, field: str, *, required: bool = True) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.problem(field, "is required (ISO 3166-1 alpha-2 code such as NL)")
            return None
        try:
            if not isinstance(value, str):
                raise ValueError
            return normalise_country(value)
        except ValueError:
            shown = _shown(value)
            self.problem(field, f"{shown} is not a known country code (use e.g. NL, DE, GR)")
            return None

    def iso_date(self, field: str) -> date | None:
        value = self._raw(field)
        if value is None:
            return None
        try:
            return date.fromisoformat(str(value)[:10])
        except ValueError:
            self.problem(field, f"must be a date YYYY-MM-DD, got {value!r}")
            return None

    def iso_dates(self, field: str) -> list[date]:
        out = []
        for part in split_list(self._raw(field)):
            try:
                out.append(date.fromisoformat(part[:10]))
            except ValueError:
                self.problem(field, f"must hold dates YYYY-MM-DD, got {part!r}")
        return sorted(set(out))

    def strings(self, field: str, *, max_length: int = 1000) -> list[str]:
        raw = self._raw(field)
        if raw is None:
            return []
        if isinstance(raw, list) and not all(isinstance(v, str) for v in raw):
            self.problem(field, "must be a list of texts")
            return []
        if not isinstance(raw, str | list):
            self.problem(field, f"must be text separated by '|' or a list, got {_json_type(raw)}")
            return []
        values = split_list(raw)
        if any(len(v) > max_length for v in values):
            self.problem(field, f"has an item longer than {max_length} characters")
            return []
        return values

    def theme_ids(self, field: str, known: set[str]) -> list[str]:
        values = split_list(self._raw(field))
        unknown = [v for v in values if v not in known]
        if unknown:
            self.problem(field, f"unknown theme id(s): {', '.join(unknown)}")
        return [v for v in values if v in known]

    def theme_weights(self, field: str, known: set[str]) -> dict[str, float] | None:
        """``theme:weight|theme:weight`` (or a JSON object) as a dict; None when absent."""
        raw = self._raw(field)
        if raw is None:
            return None
        listed = isinstance(raw, list) and all(isinstance(item, str) for item in raw)
        if not (isinstance(raw, dict | str) or listed):
            self.problem(field, "must be 'theme:weight|theme:weight', a list of those or an object")
            return None
        pairs = raw.items() if isinstance(raw, dict) else _split_pairs(split_list(raw))
        weights: dict[str, float] = {}
        for theme, weight in pairs:
            if isinstance(weight, bool):
                weight = "not a number"
            if theme not in known:
                self.problem(field, f"unknown theme id {_shown(theme)}")
                continue
            try:
                value = float(weight)
            except (TypeError, ValueError):
                self.problem(field, f"weight of {theme!r} must be a number, got {_shown(weight)}")
                continue
            if not 0.0 <= value <= 1.0:  # NaN fails this too
                self.problem(field, f"weight of {theme!r} must be between 0 and 1, got {value}")
                continue
            weights[theme] = value
        return weights


def _split_pairs(parts: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for part in parts:
        theme, _, weight = part.partition(":")
        pairs.append((theme.strip(), weight.strip() or "1"))
    return pairs


def _json_type(value) -> str:
    names = {bool: "true/false", dict: "an object", list: "a list", int: "a number",
             float: "a number"}  # fmt: skip
    return names.get(type(value), type(value).__name__)


def _shown(value) -> str:
    """A value for a message: short, whatever its size or type."""
    if isinstance(value, dict | list | bool):
        return _json_type(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
