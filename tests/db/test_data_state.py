"""The data state a process reads: a write of its own is seen by its next read at once, a
write by another process within the configured max age (on every configured backend)."""

from __future__ import annotations

import pytest

import matcher.db.data_state as data_state
from matcher.db import Database, repository, resolve_data_state_max_age, upgrade


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(data_state, "clock", fake)
    return fake


@pytest.fixture
def databases(database_url):
    """``make(max_age_ms)``: a Database on the test database (each stands in for one worker
    process: its own engine, its own probe connections and remembered state)."""
    made: list[Database] = []

    def make(max_age_ms: int) -> Database:
        database = Database(database_url, data_state_max_age_ms=max_age_ms)
        if not made:
            upgrade(database.engine)
            _write(database)
        made.append(database)
        return database

    yield make
    for database in made:
        database.dispose()


def _write(database: Database) -> None:
    """A committed write of scoring inputs (the version goes up by one)."""
    session = database.session()
    repository.bump_data_version(session)
    session.commit()
    session.close()


def _read(database: Database) -> int:
    """The version a read request of this process sees (a fresh session, no transaction)."""
    session = database.session()
    try:
        return repository.data_state(session)[0]
    finally:
        session.close()


def test_the_max_age_defaults_to_the_backend_and_can_be_configured():
    assert resolve_data_state_max_age("postgresql+psycopg://u@h/db") == 100
    assert resolve_data_state_max_age("sqlite:///x.sqlite3") == 0
    assert resolve_data_state_max_age("sqlite:///x.sqlite3", "250") == 250
    assert resolve_data_state_max_age("postgresql+psycopg://u@h/db", 0) == 0


def test_a_write_is_seen_by_the_next_read_of_the_same_process(databases, clock):
    worker = databases(60_000)  # reuse for a minute: only the commit makes it read again
    before = _read(worker)
    _write(worker)
    assert _read(worker) == before + 1


def test_another_process_write_is_seen_within_the_max_age(databases, clock):
    reader, writer = databases(100), databases(100)
    start = clock.now
    before = _read(reader)
    _write(writer)
    clock.now = start + 0.05
    assert _read(reader) == before  # within the bound the state read 50 ms ago serves
    clock.now = start + 0.1
    assert _read(reader) == before + 1  # at the bound it is read again
    assert _read(writer) == before + 1  # the writer's own next read, at once


def test_without_a_max_age_every_read_reads_the_database(databases, clock):
    reader, writer = databases(0), databases(0)
    before = _read(reader)
    _write(writer)
    assert _read(reader) == before + 1


def test_a_read_overtaken_by_a_commit_is_not_kept(databases, clock, monkeypatch):
    """A read that began before this process committed a write may return the old state,
    but must not be kept for the next reads."""
    worker = databases(60_000)
    before = _read(worker)
    real_probe = data_state._probe_state

    def probe_then_commit(engine):
        state = real_probe(engine)  # the old state
        _write(worker)  # another thread of this process commits meanwhile
        return state

    monkeypatch.setattr(data_state, "_probe_state", probe_then_commit)
    _write(worker)  # forget the remembered state, so the next read probes
    assert _read(worker) == before + 1
    monkeypatch.setattr(data_state, "_probe_state", real_probe)
    assert _read(worker) == before + 2


def test_the_engine_read_agrees_with_the_session_read(databases, clock):
    worker = databases(0)
    _write(worker)
    session = worker.session()
    assert repository.engine_data_state(worker.engine) == repository.data_state(session)
    session.close()


def test_the_health_read_reuses_a_state_for_its_own_short_bound(databases, clock):
    reader, writer = databases(0), databases(0)  # reads themselves reuse nothing
    start = clock.now
    before = repository.engine_data_state(reader.engine)[0]
    assert repository.engine_data_state(writer.engine)[0] == before
    _write(writer)
    assert repository.engine_data_state(writer.engine)[0] == before + 1  # its own write
    clock.now = start + data_state.HEALTH_MAX_AGE / 2
    assert _read(reader) == before + 1  # a read request sees it at once
    assert repository.engine_data_state(reader.engine)[0] == before  # health: within bound
    clock.now = start + data_state.HEALTH_MAX_AGE
    assert repository.engine_data_state(reader.engine)[0] == before + 1
