"""Shared fixtures: a fresh app and database per test (SQLite; PostgreSQL when configured)."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINI_SEED = FIXTURES / "mini_seed"
POSTGRES_URL = os.environ.get("MATCHER_TEST_POSTGRES_URL")


def _reset_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def _backends():
    yield pytest.param("sqlite", id="sqlite")
    yield pytest.param(
        "postgres",
        id="postgres",
        marks=pytest.mark.skipif(not POSTGRES_URL, reason="MATCHER_TEST_POSTGRES_URL not set"),
    )


@pytest.fixture(params=list(_backends()))
def database_url(request, tmp_path) -> str:
    """A fresh, empty database: a SQLite file, or the test PostgreSQL with an emptied schema.

    Tests that use this fixture (directly or through ``app``) run on both backends."""
    if request.param == "postgres":
        _reset_postgres(POSTGRES_URL)
        return POSTGRES_URL
    return f"sqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    """A fresh SQLite database only (for tests that need not run on PostgreSQL)."""
    return f"sqlite:///{tmp_path / 'web.sqlite3'}"


def _make_app(url: str, tmp_path: Path, data_dir: Path = MINI_SEED):
    # Each app gets its own instance folder, so two apps in one test never share files.
    from matcher import create_app
    from matcher.db import get_database, upgrade
    from matcher.services import indexes

    indexes.clear()
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": url,
            "DATA_DIR": str(data_dir),
            "SECRET_KEY": "test",
            "TODAY": "2026-09-01",
            "WTF_CSRF_ENABLED": False,
            "INDEX_CACHE_DIR": "",
        }
    )
    app.instance_path = str(tmp_path / f"instance-{abs(hash(url))}")
    upgrade(get_database(app).engine)
    return app


@pytest.fixture
def app(database_url, tmp_path):
    """A migrated, empty app on every configured backend."""
    application = _make_app(database_url, tmp_path)
    yield application
    from matcher.db import get_database

    get_database(application).dispose()


def _seeded(url: str, tmp_path: Path):
    from matcher.db import get_database
    from matcher.importing.seed import seed_database

    application = _make_app(url, tmp_path)
    session = get_database(application).session()
    seed_database(session, MINI_SEED)
    session.close()
    return application


@pytest.fixture
def seeded_app(database_url, tmp_path):
    """An app whose database holds the small real-data fixture seed (tests/fixtures/mini_seed),
    on every configured backend."""
    from matcher.db import get_database

    application = _seeded(database_url, tmp_path)
    yield application
    get_database(application).dispose()


@pytest.fixture
def web_app(sqlite_url, tmp_path):
    """The seeded app on SQLite only: for view, API and CLI tests, whose SQL the database
    tests already cover on PostgreSQL."""
    from matcher.db import get_database

    application = _seeded(sqlite_url, tmp_path)
    yield application
    get_database(application).dispose()


@pytest.fixture
def session(seeded_app):
    """A session on the seeded database."""
    from matcher.db import get_database

    s = get_database(seeded_app).session()
    yield s
    s.close()


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture
def runner(web_app):
    return web_app.test_cli_runner()


@pytest.fixture(autouse=True)
def _unfreeze_after_each_test():
    """A served index build ends in ``gc.freeze()`` (see ``services.indexes._settle``), which
    in a test process would keep every app and database of the test out of the collector
    for the rest of the run: hand them back after each test."""
    yield
    gc.unfreeze()
