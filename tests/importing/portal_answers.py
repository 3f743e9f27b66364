"""Funding & Tenders search-API answers built from shipped call records (the API's answer
format: every metadata value a one-element list), for offline tests of the refresher."""

from __future__ import annotations

import json
from pathlib import Path

STATUS = {"forthcoming": "31094501", "open": "31094502", "closed": "31094503"}
MINI_CALLS = Path(__file__).resolve().parents[1] / "fixtures" / "mini_seed" / "calls.json"


def shipped_records(programme: str) -> list[dict]:
    calls = json.loads(MINI_CALLS.read_text(encoding="utf-8"))["calls"]
    return [c for c in calls if c["programme"] == programme]


def metadata(record: dict, **changes) -> dict:
    """One API result for a shipped record; ``changes`` override record fields first."""
    record = {**record, **changes}
    return {
        "metadata": {
            "identifier": [record["id"]],
            "title": [record["title"]],
            "status": [STATUS.get(record.get("portal_status") or "open", STATUS["open"])],
            "deadlineDate": [f"{d}T17:00:00.000+0000" for d in record["deadlines"]],
            "startDate": [record["opening_date"]] if record.get("opening_date") else [],
            "callIdentifier": [record["call_identifier"]],
            "typesOfAction": [record.get("types_of_action") or ""],
            "keywords": list(record["keywords"]),
            "descriptionByte": [f"<p>{record['description']}</p>"],
            "topicConditions": [f"<p>{record['conditions_text']}</p>"],
            "url": [record["url"]],
        }
    }


def answer(results: list[dict], total: int | None = None) -> dict:
    return {"totalResults": len(results) if total is None else total, "results": results}
