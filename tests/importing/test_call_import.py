"""Call import and export."""

from __future__ import annotations

import csv
import json

import pytest

from matcher.db import repository
from matcher.importing import ImportFailed, export, import_file


def _call(**overrides):
    call = {
        "id": "TEST-2026-CITY-01", "title": "Synthetic test call", "programme": "Horizon Europe",
        "deadlines": ["2026-12-01"], "themes": ["circular-economy"], "budget_min": 1000000,
        "budget_max": 2000000, "url": "https://example.org/call",
        "rules": [{"kind": "min_partners", "params": {"min": 3}, "parsed": True,
                   "source_sentence": "At least three legal entities."}],
    }  # fmt: skip
    call.update(overrides)
    return call


def test_json_calls_are_created_with_rules(session, tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps({"calls": [_call()]}))
    report = import_file(session, "calls", path)
    assert report.created == 1
    stored = repository.get_call(session, "TEST-2026-CITY-01")
    assert stored.rules[0].kind == "min_partners" and stored.rules[0].params == {"min": 3}


def test_bad_deadline_and_unknown_theme_are_reported_with_rows(session, tmp_path):
    path = tmp_path / "calls.json"
    calls = [_call(), _call(id="B", deadlines=["31/12/2026"]), _call(id="C", themes=["nope"])]
    path.write_text(json.dumps(calls))
    before = repository.count_calls(session)
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "calls", path)
    assert [(p.row, p.field) for p in failure.value.problems] == [(2, "deadlines"), (3, "themes")]
    assert repository.count_calls(session) == before


def test_unknown_rule_kind_is_rejected(session, tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([_call(rules=[{"kind": "vibes", "params": {}}])]))
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "calls", path)
    assert failure.value.problems[0].field == "rules"


def test_budget_min_above_max_is_a_problem(session, tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([_call(budget_min=5, budget_max=1)]))
    with pytest.raises(ImportFailed):
        import_file(session, "calls", path)


def test_csv_export_round_trips_unchanged(session, tmp_path):
    path = tmp_path / "calls.csv"
    path.write_text(export(session, "calls", "csv"), encoding="utf-8")
    with path.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == repository.count_calls(session)
    report = import_file(session, "calls", path)
    assert report.unchanged == repository.count_calls(session)
    assert report.created == report.updated == 0


def test_changed_title_counts_as_updated(session, tmp_path):
    call_id = repository.all_calls(session)[0].id
    path = tmp_path / "one.json"
    path.write_text(json.dumps([_call(id=call_id, title="A new title", themes=[], rules=[])]))
    report = import_file(session, "calls", path)
    assert report.updated == 1
    assert repository.get_call(session, call_id).title == "A new title"


@pytest.mark.parametrize(
    "rule",
    [
        {"kind": "min_partners", "params": {"min": "abc"}},
        {"kind": "eligible_countries", "params": {"countries": 5}},
        {"kind": "cofunding_rate", "params": {"rate": 7}},
        {"kind": "min_countries", "params": {"mni": 3}},
        {"kind": "required_member", "params": {"min": 1}},
    ],
)
def test_a_rule_with_wrong_parameters_is_refused(session, tmp_path, rule):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([_call(rules=[rule])]))
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "calls", path)
    problem = failure.value.problems[0]
    assert (problem.row, problem.field) == (1, "rules") and rule["kind"] in problem.message
    assert repository.get_call(session, "TEST-2026-CITY-01") is None


def test_a_call_id_with_dot_segments_is_refused(session, tmp_path):
    path = tmp_path / "calls.json"
    path.write_text(json.dumps([_call(id="../x")]))
    with pytest.raises(ImportFailed) as failure:
        import_file(session, "calls", path)
    assert failure.value.problems[0].field == "id"
