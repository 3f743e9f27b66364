"""The parameters each kind of eligibility rule takes, checked at import.

Eligibility, ranking and consortium building read these parameters as they are stored, so a
rule that passed the import with ``{"min": "abc"}`` or ``countries: 5`` would fail later, in
every page and API answer about that call. Each kind lists its parameters with a type; a rule
the parser read (``parsed`` true) must carry the required ones. Unknown parameters are refused
too: a misspelled ``mni`` would otherwise be silently ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from matcher.domain import COUNTRY_NAMES, COUNTRY_SETS, RuleKind, normalise_country

Check = Callable[[object], str | None]  # None when the value is fine, else what is wrong

MAX_COUNT = 10_000
MAX_POPULATION = 100_000_000


def _count(high: int) -> Check:
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            return "must be a whole number"
        if not 0 <= value <= high:
            return f"must be between 0 and {high}"
        return None

    return check


def _optional(check: Check) -> Check:
    return lambda value: None if value is None else check(value)


def _text(value) -> str | None:
    if not isinstance(value, str) or len(value) > 1000:
        return "must be a text of at most 1000 characters"
    return None


def _flag(value) -> str | None:
    return _text(value) or (None if value.strip() else "must not be empty")


def _boolean(value) -> str | None:
    return None if isinstance(value, bool) else "must be true or false"


def _rate(value) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "must be a number between 0 and 1"
    return None if 0 <= value <= 1 else "must be between 0 and 1"


def _texts(value) -> str | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        return "must be a list of texts"
    return None if len(value) <= 100 else "must list at most 100 items"


def _countries(value) -> str | None:
    problem = _texts(value) if value != [] else None
    if problem:
        return "must be a list of ISO country codes"
    unknown = []
    for code in value:
        try:
            normalise_country(code)
        except ValueError:
            unknown.append(code)
    return f"unknown country code(s): {', '.join(unknown[:5])}" if unknown else None


def _set_name(value) -> str | None:
    if not isinstance(value, str) or value not in COUNTRY_SETS:
        return f"must be one of {', '.join(COUNTRY_SETS)}"
    return None


def _sets(value) -> str | None:
    if not isinstance(value, list) or any(_set_name(v) for v in value):
        return f"must be a list of country sets among {', '.join(COUNTRY_SETS)}"
    return None


def _role(value) -> str | None:
    return None if value in ("coordinator",) else "must be 'coordinator' when given"


def _dates(value) -> str | None:
    if not isinstance(value, list):
        return "must be a list of dates YYYY-MM-DD"
    for item in value:
        try:
            date.fromisoformat(item)
        except (TypeError, ValueError):
            return "must be a list of dates YYYY-MM-DD"
    return None


#: kind -> parameter -> check; the required parameters of a parsed rule in REQUIRED.
PARAMETERS: dict[str, dict[str, Check]] = {
    RuleKind.COUNTRIES: {
        "countries": _countries,
        "sets": _sets,
        "label": _text,
        "basis": _text,
        "open_ended": _boolean,
        "role": _role,
        # Third countries the call names as eligible for funding, outright or on a condition.
        "named_countries": _countries,
        "conditional_countries": _countries,
        "condition": _text,
        "named_sentences": _texts,
    },  # fmt: skip
    RuleKind.APPLICANT_TYPE: {"types": _texts, "role": _role, "basis": _text},
    RuleKind.POPULATION: {
        "min": _optional(_count(MAX_POPULATION)),
        "max": _optional(_count(MAX_POPULATION)),
    },  # fmt: skip
    RuleKind.MIN_PARTNERS: {"min": _count(MAX_COUNT), "max": _count(MAX_COUNT), "basis": _text},
    RuleKind.MIN_COUNTRIES: {
        "min": _count(len(COUNTRY_NAMES)),
        "from_set": _optional(_set_name),
        "basis": _text,
    },  # fmt: skip
    RuleKind.REQUIRED_MEMBER: {"flag": _flag, "min": _count(MAX_COUNT)},
    RuleKind.COFUNDING: {"rate": _rate, "non_profit_rate": _rate, "up_to": _boolean},
    RuleKind.DEADLINE: {"deadlines": _dates},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    RuleKind.MIN_PARTNERS: ("min",),
    RuleKind.MIN_COUNTRIES: ("min",),
    RuleKind.REQUIRED_MEMBER: ("flag", "min"),
    RuleKind.COFUNDING: ("rate",),
}


def rule_problems(kind: str, params: dict, parsed: bool) -> list[str]:
    """What is wrong with the parameters of one rule (empty when they are fine)."""
    known = PARAMETERS.get(kind)
    if known is None:
        return [f"unknown kind {kind!r}"]
    problems = []
    for name, value in params.items():
        check = known.get(name)
        if check is None:
            allowed = ", ".join(known) or "none"
            problems.append(f"unknown parameter {name!r} for {kind} (allowed: {allowed})")
            continue
        wrong = check(value)
        if wrong:
            problems.append(f"'{name}' {wrong}")
    if parsed:
        problems += [
            f"'{name}' is required for {kind}"
            for name in REQUIRED.get(kind, ())
            if name not in params
        ]
    low, high = params.get("min"), params.get("max")
    if not problems and isinstance(low, int) and isinstance(high, int) and low > high:
        problems.append("'min' is larger than 'max'")
    return problems
