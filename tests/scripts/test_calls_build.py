"""Tests for the funding-call builder on a tiny portal file."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from scripts.data_build import calls

THEMES_JSON = Path(__file__).resolve().parents[2] / "data" / "themes.json"

TOPIC = {
    "topicId": "HORIZON-MISS-2099-CIT-01",
    "callIdentifier": "HORIZON-MISS-2099",
    "title": "Cities’ public transport",
    "programme": "Horizon Europe",
    "actionType": "IA",
    "typesOfAction": "HORIZON Innovation Actions",
    "description": "Objective:The cityâ€™s buses.Scope:Cycling and public transport.",
    "keywords": "HORIZON-MISS-2099-CIT-01, Sustainable transport, sustainable transport, Energy",
    "deadline": "2099-10-08",
    "deadlineModel": "single-stage",
    "callStatus": "forthcoming",
    "budgetMin": 1000,
    "budgetMax": 2000,
    "expectedGrants": 2,
    "portalUrl": "https://example.invalid/topic",
    "topicConditions": '">General conditions1. Admissibility',
}


@pytest.fixture
def built(tmp_path) -> dict:
    raw_dir, out_dir = tmp_path / "raw", tmp_path / "out"
    raw_dir.mkdir()
    out_dir.mkdir()
    shutil.copy(THEMES_JSON, out_dir / "themes.json")
    second = {**TOPIC, "topicId": "AAA-2099-01", "keywords": "", "description": "", "title": "X"}
    body = "\ufeff" + json.dumps(TOPIC) + "\n" + json.dumps(second)
    with gzip.open(raw_dir / calls.RAW_FILE, "wb") as stream:
        stream.write(body.encode("utf-8"))
    counts = calls.build(raw_dir, out_dir)
    data = json.loads((out_dir / "calls.json").read_text(encoding="utf-8"))
    return {"counts": counts, "data": data, "out": out_dir / "calls.json", "raw": raw_dir}


def _call(built: dict) -> dict:
    return next(c for c in built["data"]["calls"] if c["id"] == TOPIC["topicId"])


def test_reads_every_concatenated_topic_behind_the_bom(built):
    assert built["counts"]["calls"] == 2


def test_calls_are_sorted_by_id(built):
    assert [c["id"] for c in built["data"]["calls"]] == ["AAA-2099-01", TOPIC["topicId"]]


def test_description_is_repaired_and_split_into_blocks(built):
    assert _call(built)["description"].splitlines()[:2] == ["Objective:", "The city’s buses."]


def test_keywords_are_deduplicated_without_identifiers(built):
    assert _call(built)["keywords"] == ["Sustainable transport", "Energy"]


def test_mapped_keyword_and_title_give_the_theme(built):
    assert _call(built)["themes"][0] == "mobility-transition"


def test_call_without_evidence_gets_no_theme(built):
    assert built["data"]["calls"][0]["themes"] == []


def test_dates_and_budget_are_carried_over(built):
    call = _call(built)
    assert (call["deadlines"], call["opening_date"], call["budget_max"]) == (
        ["2099-10-08"],
        None,
        2000,
    )


def test_conditions_lose_the_leading_artefact(built):
    assert _call(built)["conditions_text"] == "General conditions\n1. Admissibility"


def test_rules_are_serialised_as_plain_dicts(built):
    for rule in _call(built)["rules"]:
        assert set(rule) == {"kind", "params", "parsed", "source_sentence"}


def test_rebuild_gives_identical_bytes(built):
    first = built["out"].read_bytes()
    calls.build(built["raw"], built["out"].parent)
    assert built["out"].read_bytes() == first
