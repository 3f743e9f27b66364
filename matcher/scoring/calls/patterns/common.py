"""What every rule pattern shares: number words, binding wording and country scopes."""

from __future__ import annotations

import re

from matcher.domain import EligibilityRule, RuleKind
from matcher.scoring.calls.text import trim_sentence

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# "three", "3" or "three (3)".
NUM = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)(?:\s*\(\d{1,2}\))?"

_BINDING = re.compile(
    r"\b(?:must|shall|requires?|(?:is|are|be) required|required to|limited to|only"
    r"|mono-beneficiary)\b",
    re.I,
)
#: An expectation, not an obligation: "should", "may", "are encouraged", "expected".
_SOFT = re.compile(
    r"\b(?:should|may|might|could|(?:is|are) (?:encouraged|expected|invited)|expected to"
    r"|recommended|ideally|preferably)\b",
    re.I,
)
_ELIGIBILITY_WORD = re.compile(r"\beligib\w*", re.I)


def to_int(token: str) -> int:
    """``"three"``, ``"3"`` or ``"three (3)"`` -> 3."""
    word = token.split("(")[0].strip().lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def rule(kind: RuleKind, params: dict, sentence: str, *, parsed: bool = True) -> EligibilityRule:
    """An :class:`EligibilityRule` whose source sentence is trimmed for display."""
    return EligibilityRule(
        kind=str(kind), params=params, parsed=parsed, source_sentence=trim_sentence(sentence)
    )


def is_binding(sentence: str) -> bool:
    """True when the sentence states an obligation rather than an expectation: a "must",
    "shall" or "is required" binds; "should" and "may" never do, and an eligibility sentence
    binds only without them ("the required adjustments" is no requirement)."""
    if _BINDING.search(sentence):
        return True
    return not _SOFT.search(sentence) and bool(_ELIGIBILITY_WORD.search(sentence))


# --------------------------------------------------------------------------- country scopes

#: "Member States and Associated Countries" and its variants, as a set scope.
_SCOPE_HORIZON = r"(?:EU )?Member States?,? (?:and|or|and/or) (?:an? )?Associated Countr(?:y|ies)"
_SCOPE_EU = r"(?:EU )?Member States?"


def scope_set(phrase: str) -> str | None:
    """Named country set for "Member States (or Associated Countries)"; None for "countries"."""
    if re.match(r"(?:EU )?Member States?,? (?:and|or)", phrase, re.I):
        return "HORIZON"
    if re.match(r"(?:EU )?Member States?\b", phrase, re.I):
        return "EU27"
    if re.match(r"(?:Horizon Europe )?Widening countries", phrase, re.I):
        return "WIDENING"
    return None  # "eligible countries", "African Union member states", ...
