"""The seeded calls and the hand-graded file, for tests that need real data."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

from matcher.domain import EligibilityRule, FundingCall

ROOT = Path(__file__).resolve().parents[3]
GRADED = ROOT / "tests" / "scoring" / "calls" / "data" / "graded_calls.json"


@cache
def seeded_calls() -> tuple[FundingCall, ...]:
    records = json.loads((ROOT / "data" / "calls.json").read_text(encoding="utf-8"))["calls"]
    return tuple(
        FundingCall(
            id=r["id"],
            title=r["title"],
            programme=r["programme"],
            call_identifier=r["call_identifier"],
            action_type=r["action_type"] or "",
            description=r["description"] or "",
            keywords=tuple(r["keywords"]),
            themes=tuple(r["themes"]),
            opening_date=date.fromisoformat(r["opening_date"]) if r["opening_date"] else None,
            deadlines=tuple(date.fromisoformat(d) for d in r["deadlines"]),
            conditions_text=r["conditions_text"] or "",
            portal_status=r.get("portal_status") or "",
            rules=tuple(
                EligibilityRule(x["kind"], x["params"], x["parsed"], x["source_sentence"])
                for x in r["rules"]
            ),
        )
        for r in records
    )


@cache
def theme_ids() -> tuple[str, ...]:
    themes = json.loads((ROOT / "data" / "themes.json").read_text(encoding="utf-8"))["themes"]
    return tuple(t["id"] for t in themes)


@cache
def grades() -> dict[str, dict]:
    """Call id -> hand grade (suitable_for_municipality, written_for_cities, why)."""
    rows = json.loads(GRADED.read_text(encoding="utf-8"))["grades"]
    return {row["id"]: row for row in rows}
