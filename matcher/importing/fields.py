"""Typed reading of one record's fields, collecting a :class:`Problem` for each bad value."""

from __future__ import annotations

import math
from datetime import date

from matcher.domain import normalise_country
from matcher.importing.records import Problem, Record, split_list

_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}


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
        return None if value in ("", None) else value

    def has(self, field: str) -> bool:
        """Whether the record carries a non-empty value for ``field``."""
        return self._raw(field) is not None

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Problem(self.file, self.record.row, field, message))

    def text(self, field: str, *, required: bool = False, max_length: int = 1000) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.problem(field, "is required")
            return None
        value = str(value)
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
        except ValueError:
            self.problem(field, f"must be a whole number, got {value!r}")
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
        except ValueError:
            self.problem(field, f"must be a number, got {value!r}")
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
        self.problem(field, f"must be true, false or empty, got {value!r}")
        return None

    def country(self, field: str, *, required: bool = True) -> str | None:
        value = self._raw(field)
        if value is None:
            if required:
                self.problem(field, "is required (ISO 3166-1 alpha-2 code such as NL)")
            return None
        try:
            return normalise_country(str(value))
        except ValueError:
            self.problem(field, f"{value!r} is not a known country code (use e.g. NL, DE, GR)")
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

    def strings(self, field: str) -> list[str]:
        return split_list(self._raw(field))

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
        pairs = raw.items() if isinstance(raw, dict) else _split_pairs(split_list(raw))
        weights: dict[str, float] = {}
        for theme, weight in pairs:
            if theme not in known:
                self.problem(field, f"unknown theme id {theme!r}")
                continue
            try:
                value = float(weight)
            except (TypeError, ValueError):
                self.problem(field, f"weight of {theme!r} must be a number, got {weight!r}")
                continue
            if not 0.0 <= value <= 1.0:
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
