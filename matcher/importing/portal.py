"""Refresh funding calls from the EU Funding & Tenders portal's public search API.

The API (see ``FT-SEARCH-API.md`` in the shared project notes) answers a ``POST`` with a
multipart body of three JSON parts (``query``, ``sort``, ``languages``), 100 results a page at
most and about 10,000 per query, so :func:`fetch_answers` asks per programme and status, page
by page, with a timeout and retries. :func:`records_from_answers` turns the answers (fetched,
or saved to files for offline runs) into call records in the import format, which
:func:`refresh_calls` upserts through the same validated import as ``matcher import calls``.
What changed is reported call by call: new calls, changed deadlines, other updates, and
topics the portal no longer lists (marked ``withdrawn``, never deleted).
"""

from __future__ import annotations

import html
import json
import re
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.importing.calls import import_calls
from matcher.importing.report import ImportReport
from matcher.scoring.vocabulary import Vocabulary

__all__ = [
    "PROGRAMME_IDS",
    "STATUS_CODES",
    "FetchError",
    "RefreshReport",
    "fetch_answers",
    "records_from_answers",
    "refresh_calls",
]

ENDPOINT = "https://api.tech.ec.europa.eu/search-api/prod/rest/search"
PAGE_SIZE = 100  # the API clips larger pages
#: Grant topics and calls (0 would be tenders).
GRANT_TYPES = ("1", "2", "8")
STATUS_CODES = {"forthcoming": "31094501", "open": "31094502", "closed": "31094503"}
_STATUS_NAMES = {code: name for name, code in STATUS_CODES.items()}
#: ``frameworkProgramme`` ids known from the API notes; others must be given by id.
PROGRAMME_IDS = {"Horizon Europe": "43108390", "LIFE": "43252405"}
TOPIC_PAGE = (
    "https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/"
    "topic-details/{}"
)
SOURCE = "EU Funding & Tenders portal search API (European Commission), fetched {}"

#: ``transport(url, body, content_type, timeout)`` -> the answer's JSON text.
Transport = Callable[[str, bytes, str, float], str]


class FetchError(RuntimeError):
    """The portal could not be read (after the retries); the message says why."""


def _urllib_transport(url: str, body: bytes, content_type: str, timeout: float) -> str:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (https URL)
        return response.read().decode("utf-8")


def multipart_body(parts: dict[str, object]) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with one ``application/json`` part per item: the API
    answers a plain JSON body with 415."""
    boundary = f"matcher-{uuid.uuid4().hex}"
    chunks = []
    for name, value in parts.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{name}.json"\r\nContent-Type: application/json\r\n\r\n'
            f"{json.dumps(value)}\r\n"
        )
    chunks.append(f"--{boundary}--\r\n")
    return "".join(chunks).encode("utf-8"), f"multipart/form-data; boundary={boundary}"


def search_query(programme_id: str, status: str) -> dict:
    """The bool query for grant topics of one programme and status."""
    return {
        "bool": {
            "must": [
                {"terms": {"type": list(GRANT_TYPES)}},
                {"terms": {"status": [STATUS_CODES[status]]}},
                {"terms": {"frameworkProgramme": [programme_id]}},
            ]
        }
    }


def fetch_answers(
    programmes: dict[str, str],
    statuses: Sequence[str] = ("open", "forthcoming"),
    *,
    transport: Transport = _urllib_transport,
    timeout: float = 30.0,
    retries: int = 3,
    backoff: float = 2.0,
    max_pages: int = 100,
    sleep: Callable[[float], None] = time.sleep,
) -> list[tuple[str, dict]]:
    """Every answer page for each (programme name -> id) and status: ``(programme, answer)``.

    A page that fails (network error, timeout, HTTP error, invalid JSON) is retried
    ``retries`` times with exponential ``backoff``; then :class:`FetchError` names it.
    """
    pages: list[tuple[str, dict]] = []
    for name, programme_id in programmes.items():
        for status in statuses:
            if status not in STATUS_CODES:
                raise ValueError(f"status must be one of {sorted(STATUS_CODES)}, not {status!r}")
            parts = {
                "query": search_query(programme_id, status),
                "sort": {"order": "DESC", "field": "sortStatus"},
                "languages": ["en"],
            }
            for number in range(1, max_pages + 1):
                url = f"{ENDPOINT}?apiKey=SEDIA&text=***&pageSize={PAGE_SIZE}&pageNumber={number}"
                answer = _with_retries(url, parts, transport, timeout, retries, backoff, sleep)
                pages.append((name, answer))
                results = answer.get("results") or []
                total = int(answer.get("totalResults") or 0)
                if not results or number * PAGE_SIZE >= total:
                    break
    return pages


def _with_retries(url, parts, transport, timeout, retries, backoff, sleep) -> dict:
    body, content_type = multipart_body(parts)
    last = ""
    for attempt in range(retries + 1):
        try:
            answer = json.loads(transport(url, body, content_type, timeout))
            if not isinstance(answer, dict):
                raise ValueError("the answer is not a JSON object")
            return answer
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            last = str(exc) or type(exc).__name__
            if attempt < retries:
                sleep(backoff**attempt)
    raise FetchError(f"the portal did not answer {url} after {retries + 1} tries: {last}")


# --------------------------------------------------------------------------- answers -> records


def _first(metadata: dict, key: str) -> str:
    value = metadata.get(key)
    if isinstance(value, list):
        value = value[0] if value else ""
    return "" if value is None else str(value)


_TAG = re.compile(r"<[^>]+>")


def _plain(text: str) -> str:
    """HTML to plain text; the import's rule parser repairs the rest."""
    text = re.sub(r"(?i)<\s*(?:br|/p|/li|/h\d)\s*/?>", "\n", text)
    return html.unescape(_TAG.sub(" ", text)).strip()


def _budget(metadata: dict) -> tuple[float | None, float | None]:
    raw = _first(metadata, "budgetOverview")
    try:
        overview = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        return None, None
    amounts: list[float] = []
    for actions in (overview.get("budgetTopicActionMap") or {}).values():
        for action in actions or []:
            for key in ("minContribution", "maxContribution"):
                if isinstance(action.get(key), (int, float)):
                    amounts.append(float(action[key]))
    return (min(amounts), max(amounts)) if amounts else (None, None)


def records_from_answers(
    answers: Iterable[tuple[str, dict]], fetched: date
) -> tuple[list[dict], list[str]]:
    """Call records (import format, without rules: the import parses them) from answer pages
    ``(programme name, answer)``; and the problems of results that could not be used."""
    records: dict[str, dict] = {}
    problems: list[str] = []
    for programme, answer in answers:
        for position, result in enumerate(answer.get("results") or [], start=1):
            metadata = result.get("metadata") if isinstance(result, dict) else None
            identifier = _first(metadata or {}, "identifier").strip()
            if not identifier:
                problems.append(f"{programme}: result {position} has no identifier; skipped")
                continue
            deadlines = sorted(
                {d[:10] for d in (metadata.get("deadlineDate") or []) if isinstance(d, str)}
            )
            budget_min, budget_max = _budget(metadata)
            start = _first(metadata, "startDate")[:10]
            keywords = metadata.get("keywords") or []
            records[identifier] = {
                "id": identifier,
                "title": _plain(_first(metadata, "title")) or identifier,
                "programme": programme,
                "call_identifier": _first(metadata, "callIdentifier"),
                "types_of_action": _plain(_first(metadata, "typesOfAction")),
                "description": _plain(_first(metadata, "descriptionByte")),
                "keywords": [str(k) for k in keywords if k],
                "opening_date": start or None,
                "deadlines": deadlines,
                "portal_status": _STATUS_NAMES.get(_first(metadata, "status"), ""),
                "budget_min": budget_min,
                "budget_max": budget_max,
                "url": _first(metadata, "url") or TOPIC_PAGE.format(identifier.lower()),
                "conditions_text": _plain(_first(metadata, "topicConditions")),
                "source": SOURCE.format(fetched.isoformat()),
            }
    return list(records.values()), problems


# --------------------------------------------------------------------------- refresh


@dataclass
class RefreshReport:
    """What a refresh changed, call by call."""

    created: list[str] = field(default_factory=list)
    deadline_changed: list[tuple[str, str, str]] = field(default_factory=list)  # id, old, new
    updated: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[str] = field(default_factory=list)
    dry_run: bool = False
    imported: ImportReport | None = None


def refresh_calls(
    session: Session,
    answers: Iterable[tuple[str, dict]],
    fetched: date,
    *,
    statuses: Sequence[str] = ("open", "forthcoming"),
    dry_run: bool = False,
) -> RefreshReport:
    """Upsert the calls of ``answers`` through the validated call import; mark ``withdrawn``
    the stored calls of the same programmes, listed open or forthcoming before, that the
    portal no longer lists under the statuses asked (their deadline still ahead)."""
    answers = list(answers)
    records, problems = records_from_answers(answers, fetched)
    report = RefreshReport(problems=problems, dry_run=dry_run)
    programmes = {programme for programme, _ in answers}
    existing = {row.id: row for row in repository.all_call_rows(session)}
    seen = {r["id"] for r in records}
    vocabulary = Vocabulary(themes=tuple(repository.list_themes(session)))
    for record in records:
        row = existing.get(record["id"])
        # Themes are ours, not the portal's: kept for a known call, inferred for a new one.
        record["themes"] = (
            list(row.themes or []) if row is not None else _themes(vocabulary, record)
        )
        if row is None:
            report.created.append(record["id"])
        elif list(row.deadlines or []) != record["deadlines"]:
            old = ", ".join(row.deadlines or []) or "none"
            report.deadline_changed.append((record["id"], old, ", ".join(record["deadlines"])))
    for row in existing.values():
        listed = (row.portal_status or "") in statuses or not row.portal_status
        ahead = any(d >= fetched.isoformat() for d in (row.deadlines or []))
        if row.programme in programmes and row.id not in seen and listed and ahead:
            report.withdrawn.append(row.id)
            records.append(_withdrawn_record(row, fetched))
    if records:
        text = json.dumps({"calls": records}, ensure_ascii=False)
        touched = set(report.created) | {c for c, _, _ in report.deadline_changed}
        touched |= set(report.withdrawn)
        report.updated = sorted(
            r["id"]
            for r in records
            if r["id"] in existing and r["id"] not in touched and _differs(existing[r["id"]], r)
        )
        report.imported = import_calls(
            session, "portal-fetch.json", fmt="json", text=text, dry_run=dry_run
        )
        report.unchanged = report.imported.unchanged
    return report


_COMPARED = ("title", "description", "conditions_text", "portal_status", "budget_min",
             "budget_max", "call_identifier", "types_of_action")  # fmt: skip


def _differs(row, record: dict) -> bool:
    opening = row.opening_date.isoformat() if row.opening_date else None
    return opening != record["opening_date"] or any(
        (getattr(row, name) or None) != (record.get(name) or None) for name in _COMPARED
    )


def _themes(vocabulary: Vocabulary, record: dict) -> list[str]:
    """Themes of a new call: named in its title, or at least twice in its description (the
    evidence the seed build asks of a theme without the portal's keyword mapping)."""
    evidence: dict[str, int] = {}
    for theme_id, hits in vocabulary.themes_in_text(record["title"]).items():
        evidence[theme_id] = evidence.get(theme_id, 0) + 2 * hits
    for theme_id, hits in vocabulary.themes_in_text(record["description"]).items():
        evidence[theme_id] = evidence.get(theme_id, 0) + hits
    kept = [t for t, score in evidence.items() if score >= 2]
    return sorted(kept, key=lambda t: (-evidence[t], vocabulary.index(t)))


def _withdrawn_record(row, fetched: date) -> dict:
    """The stored call, as an import record, marked withdrawn by the portal."""
    from matcher.importing.calls import CALL_COLUMNS

    record = {name: getattr(row, name) for name in CALL_COLUMNS if name != "rules"}
    record["opening_date"] = row.opening_date.isoformat() if row.opening_date else None
    record["portal_status"] = "withdrawn"
    record["source"] = f"{row.source or 'imported'}; not listed by the portal on {fetched}"
    record["rules"] = [
        {"kind": r.kind, "params": r.params, "parsed": r.parsed,
         "source_sentence": r.source_sentence}
        for r in row.rules
    ]  # fmt: skip
    return record
