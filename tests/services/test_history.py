"""The history of writes: recorded with the write, never without it."""

from __future__ import annotations

import pytest

from matcher.db import repository
from matcher.domain import Actor
from matcher.services import history
from matcher.services.cities import update_declared_profile

ANN = Actor("Ann", "city", "it-bologna", None)


def _bologna(session):
    return repository.get_city(session, "it-bologna")


def test_a_profile_change_records_who_and_before_and_after(session):
    city = _bologna(session)
    before = city.weights("need").get("open-data")
    with history.recording_profile(session, ANN, city.slug, ["need"]):
        update_declared_profile(session, city.id, {"need": {"open-data": 0.8}})
    [change] = history.city_history(session, city.slug)
    assert change.editor_name == "Ann" and change.action == "profile.update"
    assert change.details["after"]["need"]["open-data"] == 0.8
    assert change.details["before"]["need"].get("open-data") == before
    assert "need open-data" in change.summary and "0.8" in change.summary


def test_a_failed_write_records_nothing(session):
    city = _bologna(session)
    with (
        pytest.raises(ValueError),
        history.recording_profile(session, ANN, city.slug, ["need"]),
    ):
        update_declared_profile(session, city.id, {"need": {"open-data": 7}})
    session.commit()
    assert history.city_history(session, city.slug) == []


def test_a_city_import_is_in_the_history_of_each_city_it_changed(session, tmp_path):
    from matcher.services.data import import_file

    upload = tmp_path / "upload.csv"
    upload.write_text("slug,name,country,population\nit-bologna,Bologna,IT,123456\n")
    with history.recording_import(session, ANN, "cities", upload.name):
        import_file(session, "cities", upload)
    [change] = history.city_history(session, "it-bologna")
    assert change.action == "import.cities" and "upload.csv" in change.summary
    assert [c.action for c in history.all_history(session)] == ["import.cities"] * 2


def test_a_dry_run_import_records_nothing(session, tmp_path):
    from matcher.services.data import import_file

    upload = tmp_path / "upload.csv"
    upload.write_text("slug,name,country,population\nit-bologna,Bologna,IT,123456\n")
    with history.recording_import(session, ANN, "cities", upload.name):
        import_file(session, "cities", upload, dry_run=True)
    assert history.all_history(session) == []
