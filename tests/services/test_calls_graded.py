"""The calls offered to real seed cities, checked against the hand-graded calls.

Eight towns in eight countries, drawn at random (benchmarks/calls_offered.py, seed 11) among
the seed's towns of 20,000-500,000 inhabitants, leaving out the cities looked at while the
ranking was written. Their top 10 offered calls (eligible now, then eligible once partners
join, as the calls page lists them) are looked up in tests/scoring/calls/data/graded_calls.json.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from matcher.db import Database, repository, upgrade
from matcher.importing.seed import seed_database
from matcher.services import calls as calls_service

ROOT = Path(__file__).resolve().parents[2]
GRADED = ROOT / "tests" / "scoring" / "calls" / "data" / "graded_calls.json"
CITIES = ("hr-zapresic", "ro-popesti-leordeni", "is-hafnarfjar-arkaupsta-ur", "si-kamnik",
          "no-sarpsborg", "sk-michalovce", "pl-siechnice", "ie-tallaght")  # fmt: skip
SNAPSHOT, TODAY = date(2026, 8, 20), date(2026, 12, 1)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('graded') / 'seed.sqlite3'}")
    upgrade(database.engine)
    session = database.session()
    seed_database(session, ROOT / "data")
    yield session
    session.close()
    database.dispose()


@pytest.fixture(scope="module")
def grades():
    return {g["id"]: g for g in json.loads(GRADED.read_text(encoding="utf-8"))["grades"]}


def top_offered(session, slug: str, today: date, status: str) -> list:
    city = repository.get_city(session, slug)
    assert city is not None, slug
    filters = calls_service.CallFilters(status=status, limit=None)
    result = calls_service.calls_for_city(session, city, today, filters)
    return [*result.eligible, *result.needs_partners][:10]


def shares(session, grades, today: date, status: str) -> tuple[float, float, int]:
    graded, ungraded = [], 0
    for slug in CITIES:
        for match in top_offered(session, slug, today, status):
            if match.call_id in grades:
                graded.append(grades[match.call_id])
            else:
                ungraded += 1
    suitable = sum(g["suitable_for_municipality"] for g in graded) / len(graded)
    written = sum(g["written_for_cities"] for g in graded) / len(graded)
    return suitable, written, ungraded


@pytest.mark.parametrize(
    ("today", "status"), [(SNAPSHOT, "open"), (SNAPSHOT, "all"), (TODAY, "open"), (TODAY, "all")]
)
def test_at_least_eight_of_ten_offered_calls_are_ones_a_municipality_would_go_for(
    session, grades, today, status
):
    suitable, _written, ungraded = shares(session, grades, today, status)
    assert suitable >= 0.8
    assert ungraded <= len(CITIES)  # at most one in ten of the offered calls is not graded


@pytest.mark.parametrize(
    ("today", "status", "share"),
    [(SNAPSHOT, "open", 0.55), (SNAPSHOT, "all", 0.55), (TODAY, "all", 0.5)],
)
def test_half_the_offered_calls_are_written_for_cities(session, grades, today, status, share):
    # On 2026-12-01 only Horizon Europe, EDF and Euratom calls are still open in the snapshot:
    # 5 open calls are written for cities and lead, 3 of them graded so (not asserted).
    # The calls written for cities lead the offered groups: at the snapshot, with LIFE and
    # CERV calls open, well above half (measured 0.85-0.93 over seeds 11-16, open).
    _suitable, written, _ungraded = shares(session, grades, today, status)
    assert written >= share


def test_an_offered_call_written_for_cities_says_so_with_its_sentence(session):
    for match in top_offered(session, CITIES[0], SNAPSHOT, "all"):
        if match.suitability.written_for_cities:
            assert match.suitability.reason.startswith("Written for cities")
            assert match.suitability.evidence


def test_without_declared_needs_the_calls_written_for_cities_lead_and_the_rest_follow(session):
    result = offered_calls(session, CITIES[0], SNAPSHOT, "all")
    lead = [*result.eligible, *result.needs_partners]
    assert result.lead == "cities" and lead and result.other_offers
    assert all(m.suitability.written_for_cities for m in lead)
    assert not any(m.suitability.written_for_cities for m in result.other_offers)
    # The others are still calls a municipality could go for, ranked by fit.
    assert all(m.suitability.score >= calls_service.OFFER_MIN_SUITABILITY
               for m in result.other_offers)  # fmt: skip


#: A town drawn by the benchmark with another seed (12), not one of CITIES.
NEED_CITY = "fr-villeneuve-sur-lot"


def offered_calls(session, slug: str, today: date, status: str):
    city = repository.get_city(session, slug)
    filters = calls_service.CallFilters(status=status, limit=None)
    return calls_service.calls_for_city(session, city, today, filters)


@pytest.mark.parametrize(
    "need", ["climate-adaptation", "nature-based-solutions", "circular-economy", "culture-heritage"]
)
def test_a_need_declared_by_import_moves_the_calls_on_it_to_the_top(session, tmp_path, need):
    from matcher.importing import import_file

    before = offered_calls(session, NEED_CITY, SNAPSHOT, "all")
    # Before: no need, or the need of the previous case (an import replaces imported needs).
    offered_before = {m.call_id for m in (*before.eligible, *before.needs_partners,
                                          *before.other_offers)}  # fmt: skip
    top_before = [*before.eligible, *before.needs_partners][:10]
    path = tmp_path / "needs.csv"
    path.write_text(f"slug,needs\n{NEED_CITY},{need}:1.0\n", encoding="utf-8")
    import_file(session, "cities", path)
    after = offered_calls(session, NEED_CITY, SNAPSHOT, "all")
    top = [*after.eligible, *after.needs_partners][:10]

    def on_need(matches):
        return sum(need in m.call.themes for m in matches)

    assert after.needs == (need,)
    assert on_need(top) >= 6 and on_need(top) > on_need(top_before)
    assert all(m.matching_needs == (need,) for m in (*after.eligible, *after.needs_partners))
    # Nothing offered is lost: the calls on no declared need follow, in other_offers.
    assert not any(need in m.call.themes for m in after.other_offers)
    offered_after = {m.call_id for m in (*after.eligible, *after.needs_partners,
                                         *after.other_offers)}  # fmt: skip
    assert offered_after == offered_before
