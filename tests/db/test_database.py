"""Schema, migrations and repository on every configured backend (SQLite; PostgreSQL in CI)."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from matcher.db import Database, current_revision, repository, upgrade
from matcher.db.models import CityRow, ProfileWeightRow, ThemeRow


def test_migrations_create_every_table(database_url):
    database = Database(database_url)
    upgrade(database.engine)
    tables = set(inspect(database.engine).get_table_names())
    assert {"city", "profile_weight", "collaboration", "collaboration_member", "funding_call",
            "eligibility_rule", "event", "event_round", "event_attendee", "meeting_request",
            "meeting", "theme", "theme_mapping", "data_version"} <= tables  # fmt: skip
    assert current_revision(database.engine) is not None
    database.dispose()


def test_migrations_match_the_models(database_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from matcher.db.models import Base

    database = Database(database_url)
    upgrade(database.engine)
    with database.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []
    database.dispose()


def test_sqlite_connections_enforce_foreign_keys(sqlite_url):
    database = Database(sqlite_url)
    with database.engine.connect() as connection:
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    database.dispose()


def test_city_round_trips_through_the_repository(app):
    from matcher.db import get_database

    session = get_database(app).session()
    session.add(ThemeRow(id="open-data", label="Open data"))
    session.add(
        CityRow(
            slug="ee-tartu", name="Tartu", country="EE", population=97666, lat=58.38, lon=26.72,
            commitments=["com2020"], alt_names=["Dorpat"], mission_city=None,
            profile=[ProfileWeightRow(kind="interest", theme_id="open-data", weight=0.5,
                                      provenance="derived from test")],
        )
    )  # fmt: skip
    session.commit()
    city = repository.get_city(session, "ee-tartu")
    assert (city.name, city.population, city.alt_names) == ("Tartu", 97666, ("Dorpat",))
    assert city.weights("interest") == {"open-data": 0.5}
    assert city.mission_city is None
    session.close()


def test_profile_weight_needs_an_existing_theme(app):
    from matcher.db import get_database

    session = get_database(app).session()
    session.add(CityRow(slug="ee-tartu", name="Tartu", country="EE",
                        profile=[ProfileWeightRow(kind="interest", theme_id="missing",
                                                  weight=0.5, provenance="x")]))  # fmt: skip
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    session.close()


def test_data_version_starts_at_zero_and_counts_bumps(app):
    from matcher.db import get_database

    session = get_database(app).session()
    assert repository.data_version(session) == 0
    repository.bump_data_version(session)
    repository.bump_data_version(session)
    session.commit()
    assert repository.data_version(session) == 2
    session.close()
