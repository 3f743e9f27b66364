"""The portal refresher, offline: paging, retries, upsert through the import, withdrawals."""

from __future__ import annotations

import json
import sys
import urllib.error
from datetime import date
from pathlib import Path

import pytest

from matcher.importing.portal import (
    PAGE_SIZE,
    FetchError,
    fetch_answers,
    records_from_answers,
    refresh_calls,
)

sys.path.insert(0, str(Path(__file__).parent))
from portal_answers import answer, metadata, shipped_records  # noqa: E402

SAVED = Path(__file__).resolve().parents[1] / "fixtures" / "portal" / "life_open_page1.json"
TODAY = date(2026, 9, 1)


class FakePortal:
    """Answers pages of ``total`` results; records every request."""

    def __init__(self, total: int, failures: int = 0):
        self.total, self.failures, self.requests = total, failures, []

    def __call__(self, url, body, content_type, timeout):
        self.requests.append((url, body, content_type, timeout))
        if self.failures:
            self.failures -= 1
            raise urllib.error.URLError("connection reset")
        number = int(url.rsplit("pageNumber=", 1)[1])
        first = (number - 1) * PAGE_SIZE
        count = max(0, min(PAGE_SIZE, self.total - first))
        results = [{"metadata": {"identifier": [f"T-{first + i}"]}} for i in range(count)]
        return json.dumps(answer(results, self.total))


def test_pages_until_every_result_is_read():
    portal = FakePortal(total=250)
    pages = fetch_answers({"LIFE": "43252405"}, ["open"], transport=portal, sleep=lambda s: None)
    assert len(pages) == 3 and sum(len(a["results"]) for _, a in pages) == 250
    assert [u.rsplit("=", 1)[1] for u, *_ in portal.requests] == ["1", "2", "3"]


def test_asks_per_programme_and_status_with_a_multipart_body():
    portal = FakePortal(total=1)
    fetch_answers({"LIFE": "43252405", "Horizon Europe": "43108390"},
                  ["open", "forthcoming"], transport=portal, timeout=7)  # fmt: skip
    assert len(portal.requests) == 4
    url, body, content_type, timeout = portal.requests[0]
    assert "apiKey=SEDIA" in url and "pageSize=100" in url and timeout == 7
    assert content_type.startswith("multipart/form-data; boundary=")
    text = body.decode()
    for part in ("query", "sort", "languages"):
        assert f'name="{part}"' in text
    assert text.count("Content-Type: application/json") == 3
    assert '"43252405"' in text and '"31094502"' in text


def test_retries_a_failing_page_then_succeeds():
    waits = []
    portal = FakePortal(total=1, failures=2)
    pages = fetch_answers({"LIFE": "1"}, ["open"], transport=portal, retries=3, sleep=waits.append)
    assert len(pages) == 1 and waits == [1.0, 2.0]


def test_gives_up_with_a_clear_error_after_the_retries():
    portal = FakePortal(total=1, failures=99)
    with pytest.raises(FetchError, match="after 3 tries: .*connection reset"):
        fetch_answers({"LIFE": "1"}, ["open"], transport=portal, retries=2, sleep=lambda s: None)


def test_answers_become_import_records_with_plain_text_and_dates():
    record = shipped_records("LIFE")[0]
    records, problems = records_from_answers([("LIFE", answer([metadata(record)]))], TODAY)
    (made,) = records
    assert problems == []
    assert made["id"] == record["id"] and made["programme"] == "LIFE"
    assert made["deadlines"] == record["deadlines"]
    assert "<p>" not in made["description"] and made["portal_status"] == "open"
    assert made["source"].endswith("fetched 2026-09-01")


def test_a_result_without_identifier_is_reported_not_imported():
    records, problems = records_from_answers([("LIFE", answer([{"metadata": {}}]))], TODAY)
    assert records == [] and "no identifier" in problems[0]


def _stored(session, call_id):
    from matcher.db import repository

    return next(r for r in repository.all_call_rows(session) if r.id == call_id)


def test_refresh_updates_a_changed_deadline_and_marks_withdrawn_topics(session):
    life = shipped_records("LIFE")
    moved = metadata(life[0], deadlines=["2026-10-30"])
    pages = [("LIFE", answer([moved, *(metadata(r) for r in life[1:-1])]))]
    report = refresh_calls(session, pages, TODAY)
    assert report.deadline_changed == [(life[0]["id"], "2026-09-16", "2026-10-30")]
    assert report.withdrawn == [life[-1]["id"]]
    session.expire_all()
    assert _stored(session, life[0]["id"]).deadlines == ["2026-10-30"]
    gone = _stored(session, life[-1]["id"])
    assert gone.portal_status == "withdrawn"
    # Other programmes were not asked about: nothing of theirs is withdrawn.
    assert all(call_id.startswith("LIFE-") for call_id in report.withdrawn)


def test_a_new_topic_is_created_with_rules_parsed_from_its_text(session):
    base = shipped_records("Horizon Europe")[0]
    new = metadata(base, id="HORIZON-TEST-2027-01", deadlines=["2027-03-01"])
    report = refresh_calls(session, [("Horizon Europe", answer([new]))], TODAY)
    assert report.created == ["HORIZON-TEST-2027-01"]
    session.expire_all()
    row = _stored(session, "HORIZON-TEST-2027-01")
    assert {r.kind for r in row.rules} >= {"eligible_countries", "deadline"}


def test_a_refresh_with_nothing_new_changes_nothing(session):
    life = shipped_records("LIFE")
    pages = [("LIFE", answer([metadata(r) for r in life]))]
    refresh_calls(session, pages, TODAY)
    again = refresh_calls(session, pages, TODAY)
    assert again.created == again.withdrawn == again.updated == []
    assert again.deadline_changed == []


def test_cli_fetch_from_saved_answers_prints_what_changed(runner):
    result = runner.invoke(args=["calls", "fetch", "--from-file", str(SAVED)])
    assert result.exit_code == 0, result.output
    assert "withdrawn (no longer listed): 2" in result.output
    assert "- LIFE-2026-CET-ENERPOV" in result.output


def test_cli_fetch_dry_run_writes_nothing(runner):
    result = runner.invoke(args=["calls", "fetch", "--from-file", str(SAVED), "--dry-run",
                                 "--json"])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["withdrawn"]) == 2
    again = json.loads(runner.invoke(args=["calls", "fetch", "--from-file", str(SAVED),
                                           "--json"]).stdout)  # fmt: skip
    assert len(again["withdrawn"]) == 2  # the dry run had not marked them


def test_cli_lists_the_refresher(runner):
    assert "fetch" in runner.invoke(args=["calls", "--help"]).output


def test_cli_fetch_rejects_an_unknown_programme(runner):
    result = runner.invoke(args=["calls", "fetch", "--programme", "Nope", "--from-file",
                                 str(SAVED)])  # fmt: skip
    assert result.exit_code == 2 and "NAME=ID" in result.output
