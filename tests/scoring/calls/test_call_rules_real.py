"""Parser against real Funding & Tenders topics whose expected rules were read by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from matcher.domain import EligibilityRule, RuleKind
from matcher.scoring.calls.rules import parse_rules

_CASES = json.loads((Path(__file__).parent / "data" / "call_rule_cases.json").read_text())["cases"]
_COUNTRY_KEYS = ("sets", "countries", "open_ended", "role")


def _comparable(kind: str, params: dict, keys: tuple[str, ...]) -> dict:
    if kind == RuleKind.COUNTRIES:
        return {
            "sets": sorted(params.get("sets", [])),
            "countries": sorted(params.get("countries", [])),
            "open_ended": bool(params.get("open_ended", False)),
            "role": params.get("role"),
        }
    return {key: params.get(key) for key in keys}


def _keys(expected: list[dict]) -> tuple[str, ...]:
    return tuple(sorted({key for params in expected for key in params})) or _COUNTRY_KEYS


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda d: json.dumps(d, sort_keys=True))


def test_fixture_covers_at_least_forty_topics_across_programmes():
    assert len(_CASES) >= 40
    assert len({case["programme"] for case in _CASES}) >= 10


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_parsed_rules_match_hand_read_expectation(case):
    rules = parse_rules(case)
    by_kind: dict[str, list[EligibilityRule]] = {}
    for rule in rules:
        by_kind.setdefault(rule.kind, []).append(rule)

    for kind in RuleKind:
        if kind == RuleKind.DEADLINE:
            continue
        expected = case["expected"].get(str(kind))
        found = by_kind.get(str(kind), [])
        if expected is None:
            assert not found, f"{kind}: expected absent, got {[r.params for r in found]}"
        elif expected == "unknown":
            assert any(not r.parsed for r in found), f"{kind}: expected unknown, got {found}"
        else:
            assert all(r.parsed for r in found), f"{kind}: unexpected unknown in {found}"
            keys = _keys(expected)
            got = _sorted([_comparable(kind, r.params, keys) for r in found])
            want = _sorted([_comparable(kind, params, keys) for params in expected])
            assert got == want


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_every_rule_keeps_its_source_sentence(case):
    for rule in parse_rules(case):
        if rule.kind == RuleKind.COUNTRIES and "programme default" in str(rule.params):
            continue  # defaults cite the programme, not necessarily a sentence
        assert rule.source_sentence, rule


@pytest.mark.parametrize("case", _CASES, ids=[case["id"] for case in _CASES])
def test_deadline_rule_lists_the_published_deadlines(case):
    (deadline,) = [r for r in parse_rules(case) if r.kind == RuleKind.DEADLINE]
    assert deadline.params.get("deadlines", []) == sorted(case["deadlines"])
