"""The shipped seed (data/) loads whole and meets the product's minimums."""

from __future__ import annotations

from pathlib import Path

import pytest

from matcher.db import Database, repository, upgrade
from matcher.domain import DEFAULT_SIZE_BANDS
from matcher.importing.seed import seed_database
from tests.conftest import POSTGRES_URL, _reset_postgres

DATA = Path(__file__).resolve().parents[2] / "data"


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('seed') / 'seed.sqlite3'}")
    upgrade(database.engine)
    session = database.session()
    counts = seed_database(session, DATA)
    yield session, counts
    session.close()
    database.dispose()


def test_counts_meet_the_minimums(shipped):
    _, counts = shipped
    assert counts["cities"] >= 1200
    assert counts["calls"] >= 600
    assert counts["collaborations"] >= 300


def test_cities_named_by_the_community_are_present(shipped):
    session, _ = shipped
    for slug, country in (("gb-peterborough", "GB"), ("nl-emmen", "NL"), ("it-bologna", "IT")):
        assert repository.get_city(session, slug).country == country


def test_every_city_and_collaboration_records_its_source(shipped):
    session, _ = shipped
    assert all(c.source for c in repository.all_cities(session))
    assert all(c.source for c in repository.all_collaborations(session))


def test_no_country_dominates_the_default_view(shipped):
    session, _ = shipped
    cities = [c for c in repository.all_cities(session) if c.size_band in DEFAULT_SIZE_BANDS]
    per_country: dict[str, int] = {}
    for city in cities:
        per_country[city.country] = per_country.get(city.country, 0) + 1
    assert max(per_country.values()) < 0.15 * len(cities)


def test_every_call_has_a_countries_and_a_deadline_rule(shipped):
    session, _ = shipped
    for call in repository.all_calls(session):
        kinds = {r.kind for r in call.rules}
        assert {"eligible_countries", "deadline"} <= kinds, call.id


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES_URL, reason="MATCHER_TEST_POSTGRES_URL not set")
def test_the_shipped_seed_loads_whole_into_postgresql():
    """PostgreSQL enforces every column length that SQLite ignores."""
    _reset_postgres(POSTGRES_URL)
    database = Database(POSTGRES_URL)
    upgrade(database.engine)
    session = database.session()
    try:
        counts = seed_database(session, DATA)
        assert counts["cities"] == repository.count_cities(session)
    finally:
        session.close()
        database.dispose()
