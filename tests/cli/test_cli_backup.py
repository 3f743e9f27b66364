"""`matcher backup` / `matcher restore` and the guarded `seed --replace`."""

from __future__ import annotations

import json

import pytest

from matcher.db import get_database, repository
from matcher.services.cities import update_declared_profile
from tests.cli.test_cli_events import ATTENDEES
from tests.conftest import MINI_SEED


@pytest.fixture
def runner(seeded_app):
    return seeded_app.test_cli_runner()


def _declare(app):
    session = get_database(app).session()
    city = repository.get_city(session, "be-brugge")
    update_declared_profile(session, city.id, {"need": {"circular-economy": 0.8}})
    session.close()


def _declared(app):
    session = get_database(app).session()
    try:
        return [e for e in repository.get_city(session, "be-brugge").profile
                if e.provenance == "declared by the city"]  # fmt: skip
    finally:
        session.close()


def _event(runner, tmp_path):
    args = ["--name", "Test", "--date", "2026-10-01", "--rounds", "4", "--tables", "3", "--json"]
    created = runner.invoke(args=["event", "create", *args])
    assert created.exit_code == 0, created.output
    event_id = str(json.loads(created.output)["id"])
    source = tmp_path / "attendees.csv"
    source.write_text(ATTENDEES, encoding="utf-8")
    for args in (["import-attendees", event_id, str(source)], ["schedule", event_id]):
        result = runner.invoke(args=["event", *args])
        assert result.exit_code == 0, result.output


def test_seed_replace_refuses_when_user_data_exists(seeded_app, runner):
    _declare(seeded_app)
    result = runner.invoke(args=["seed", "--replace", "--data-dir", str(MINI_SEED)])
    assert result.exit_code == 1 and "declared weights" in result.output
    assert _declared(seeded_app)


def test_seed_replace_with_yes_takes_a_backup_first(seeded_app, runner, tmp_path):
    _declare(seeded_app)
    result = runner.invoke(args=["seed", "--replace", "--yes", "--data-dir", str(MINI_SEED)])
    assert result.exit_code == 0, result.output
    assert not _declared(seeded_app)
    backups = list((tmp_path / "x").parent.glob("**/backups/before-seed-replace-*.jsonl.gz"))
    assert backups
    restored = runner.invoke(args=["restore", "--yes", str(backups[0])])
    assert restored.exit_code == 0, restored.output
    assert _declared(seeded_app)


def test_backup_and_restore_round_trip_everything(seeded_app, runner, tmp_path):
    _declare(seeded_app)
    _event(runner, tmp_path)
    path = tmp_path / "all.jsonl.gz"
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    session = get_database(seeded_app).session()
    before = _contents(session)
    session.close()
    assert before["event_attendee"] and before["meeting"] and before["meeting_request"]
    runner.invoke(args=["seed", "--replace", "--yes", "--data-dir", str(MINI_SEED)])
    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 0, result.output
    session = get_database(seeded_app).session()
    assert _contents(session) == before
    session.close()
    assert _declared(seeded_app)


def test_restore_refuses_a_file_that_is_not_a_backup(runner, tmp_path):
    path = tmp_path / "not.gz"
    path.write_text("hello")
    result = runner.invoke(args=["restore", "--yes", str(path)])
    assert result.exit_code == 1 and "Nothing was changed" in result.output


def _contents(session):
    """Every row of every table but the data version (which a restore moves on)."""
    from sqlalchemy import select

    from matcher.db.models import Base

    return {
        t.name: sorted(map(tuple, session.execute(select(t))), key=repr)
        for t in Base.metadata.sorted_tables
        if t.name != "data_version"
    }


def test_import_reads_standard_input_and_keeps_what_it_does_not_name(seeded_app, runner):
    session = get_database(seeded_app).session()
    before = repository.get_city(session, "be-brugge")
    session.close()
    result = runner.invoke(args=["import", "cities", "-", "--json"],
                           input="slug,name,country\nbe-brugge,Brugge,BE\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    session = get_database(seeded_app).session()
    after = repository.get_city(session, "be-brugge")
    session.close()
    assert (after.population, after.lat, after.nuts) == (before.population, before.lat, before.nuts)
