"""Funding-call import and export (CSV or JSON), validated whole before one transaction."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.db.models import EligibilityRuleRow, FundingCallRow
from matcher.domain import RuleKind
from matcher.importing.fields import FieldReader
from matcher.importing.records import ImportFailed, Problem, Record, RecordSource, check_columns
from matcher.importing.report import ImportReport, Progress, import_transaction
from matcher.importing.rule_schema import rule_problems

CALL_COLUMNS = [
    "id", "title", "programme", "call_identifier", "action_type", "types_of_action",
    "description", "keywords", "themes", "opening_date", "deadlines", "deadline_model",
    "portal_status", "budget_min", "budget_max", "expected_grants", "url", "conditions_text",
    "source", "rules",
]  # fmt: skip
_RULE_KINDS = {kind.value for kind in RuleKind}
#: Call ids appear in page and API paths (``/calls/<id>``): segments of letters, digits,
#: ``.``, ``_`` and ``-`` separated by ``/`` (EuropeAid/186002/DD/ACT/MA), none starting with
#: a dot, so no ``..`` and no spaces or control characters.
CALL_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


@dataclass
class CallInput:
    row: int
    values: dict
    rules: list[dict] | None  # None: derive from the conditions text


def _read_rules(reader: FieldReader) -> list[dict] | None:
    raw = reader.record.fields.get("rules")
    if raw in (None, ""):
        return None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            reader.problem("rules", f"must be a JSON list of rules ({exc.msg})")
            return None
        except RecursionError:
            reader.problem("rules", "is nested too deeply")
            return None
    if not isinstance(raw, list):
        reader.problem("rules", "must be a list of rules")
        return None
    rules = []
    for position, rule in enumerate(raw, start=1):
        if not isinstance(rule, dict) or rule.get("kind") not in _RULE_KINDS:
            kinds = ", ".join(sorted(_RULE_KINDS))
            reader.problem("rules", f"rule {position} needs a 'kind' among: {kinds}")
            continue
        params = rule.get("params") or {}
        parsed = rule.get("parsed", True)
        sentence = rule.get("source_sentence") or ""
        if not isinstance(params, dict):
            reader.problem("rules", f"rule {position}: 'params' must be an object")
            continue
        if not isinstance(parsed, bool):
            reader.problem("rules", f"rule {position}: 'parsed' must be true or false")
            continue
        if not isinstance(sentence, str) or len(sentence) > 20_000 or "\x00" in sentence:
            reader.problem("rules", f"rule {position}: 'source_sentence' must be a text")
            continue
        wrong = rule_problems(rule["kind"], params, parsed)
        for message in wrong:
            reader.problem("rules", f"rule {position} ({rule['kind']}): {message}")
        if wrong:
            continue
        rules.append(
            {"kind": rule["kind"], "params": params, "parsed": parsed, "source_sentence": sentence}
        )
    return rules


def validate_call_records(
    file: str, records: Iterable[Record], theme_ids: set[str]
) -> tuple[list[CallInput], list[Problem]]:
    """Check every record; return the valid inputs and every problem found."""
    problems: list[Problem] = []
    inputs: list[CallInput] = []
    seen: dict[str, int] = {}
    for record in records:
        before = len(problems)
        reader = FieldReader(file, record, problems)
        call_id = reader.text("id", required=True, max_length=120)
        if call_id and not CALL_ID_PATTERN.match(call_id):
            reader.problem("id", "use letters, digits, '.', '_', '-' and '/' between parts")
            call_id = None
        if call_id in seen:
            reader.problem("id", f"{call_id!r} already appears in row {seen[call_id]}")
        if call_id:
            seen[call_id] = record.row
        url = reader.text("url", max_length=500) or ""
        if url and not url.startswith(("https://", "http://")):
            reader.problem("url", "must start with https:// or http://")
        values = {
            "id": call_id,
            "title": reader.text("title", required=True, max_length=1000),
            "programme": reader.text("programme", max_length=200) or "",
            "call_identifier": reader.text("call_identifier", max_length=200) or "",
            "action_type": reader.text("action_type", max_length=200) or "",
            "types_of_action": reader.text("types_of_action", max_length=500) or "",
            "description": reader.text("description", max_length=200_000) or "",
            "keywords": reader.strings("keywords"),
            "themes": reader.theme_ids("themes", theme_ids),
            "opening_date": reader.iso_date("opening_date"),
            "deadlines": [d.isoformat() for d in reader.iso_dates("deadlines")],
            "deadline_model": reader.text("deadline_model", max_length=80) or "",
            "portal_status": reader.text("portal_status", max_length=40) or "",
            "budget_min": reader.number("budget_min", low=0),
            "budget_max": reader.number("budget_max", low=0),
            "expected_grants": reader.integer("expected_grants", low=0, high=1_000_000),
            "url": url,
            "conditions_text": reader.text("conditions_text", max_length=200_000) or "",
            "source": reader.text("source", max_length=200) or "imported",
        }
        if (
            values["budget_min"] is not None
            and values["budget_max"] is not None
            and values["budget_min"] > values["budget_max"]
        ):
            reader.problem("budget_min", "is larger than budget_max")
        rules = _read_rules(reader)
        if len(problems) == before:
            inputs.append(CallInput(record.row, values, rules))
    return inputs, problems


def _derive_rules(values: dict) -> list[dict]:
    """Rules parsed from the call's own text, for rows that do not carry them."""
    try:
        from matcher.scoring.calls.rules import parse_rules
    except ImportError:  # parser not available: every rule stays unknown by absence
        return []
    return [
        {
            "kind": r.kind,
            "params": dict(r.params),
            "parsed": r.parsed,
            "source_sentence": r.source_sentence,
        }  # fmt: skip
        for r in parse_rules(values)
    ]


def _apply(row: FundingCallRow, item: CallInput) -> bool:
    changed = False
    for name, new in item.values.items():
        if name == "id":
            continue
        if getattr(row, name) != new:
            setattr(row, name, new)
            changed = True
    rules = item.rules if item.rules is not None else _derive_rules(item.values)
    current = [
        {
            "kind": r.kind,
            "params": dict(r.params or {}),
            "parsed": r.parsed,
            "source_sentence": r.source_sentence,
        }  # fmt: skip
        for r in row.rules
    ]
    if current != rules:
        row.rules = [EligibilityRuleRow(**rule) for rule in rules]
        changed = True
    return changed


def import_calls(
    session: Session,
    path: str | Path,
    *,
    fmt: str | None = None,
    text: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import calls; all rows are validated first and nothing is written if any is bad."""
    source = RecordSource(path, "calls", fmt, text=text)
    file = source.file
    problems = check_columns(source, CALL_COLUMNS, required_any=[("id", "title")])
    if problems:
        raise ImportFailed(problems)
    inputs, problems = validate_call_records(file, source, repository.theme_ids(session))
    if problems:
        raise ImportFailed(problems)
    report = ImportReport("calls", file, dry_run=dry_run)
    existing = repository.call_rows_by_id(session, [i.values["id"] for i in inputs])
    with import_transaction(session, report):
        for done, item in enumerate(inputs, start=1):
            row = existing.get(item.values["id"])
            if row is None:
                row = FundingCallRow(id=item.values["id"], rules=[])
                _apply(row, item)
                session.add(row)
                report.created += 1
            elif _apply(row, item):
                report.updated += 1
            else:
                report.unchanged += 1
            if progress:
                progress(done)
    return report


def call_export_rows(session: Session) -> list[dict]:
    """Every call as an import-compatible record; rules as a list (JSON text in CSV)."""
    rows = []
    for row in repository.all_call_rows(session):
        record = {name: getattr(row, name) for name in CALL_COLUMNS if name != "rules"}
        record["opening_date"] = row.opening_date.isoformat() if row.opening_date else None
        record["rules"] = [
            {
                "kind": r.kind,
                "params": r.params,
                "parsed": r.parsed,
                "source_sentence": r.source_sentence,
            }  # fmt: skip
            for r in row.rules
        ]
        rows.append(record)
    return rows
