"""Seeding the database from the seed files."""

from __future__ import annotations

import shutil

import pytest

from matcher.db import get_database, repository
from matcher.importing import ImportFailed
from matcher.importing.seed import seed_database
from tests.conftest import MINI_SEED


def test_seed_loads_every_kind_of_record(session):
    assert repository.count_cities(session) > 10
    assert repository.count_collaborations(session) > 0
    assert repository.count_calls(session) > 0
    assert repository.list_themes(session)[0].id == "circular-economy"


def test_every_profile_weight_records_its_provenance(session):
    entries = [e for c in repository.all_cities(session) for e in c.profile]
    assert entries and all(e.provenance.startswith("derived from ") for e in entries)


def test_collaborations_keep_their_source_and_members(session):
    for collaboration in repository.all_collaborations(session):
        assert collaboration.source in {
            "keep.eu Interreg 2014-2020",
            "CORDIS Horizon Europe",
            "JRC GCoM MyCovenant 2024",
        }
        assert len(collaboration.member_city_ids) >= 2


def test_seeding_twice_is_refused_without_replace(session):
    with pytest.raises(ImportFailed):
        seed_database(session, MINI_SEED)


def test_replace_reloads_the_same_counts(session):
    before = (repository.count_cities(session), repository.count_calls(session))
    seed_database(session, MINI_SEED, replace=True)
    assert (repository.count_cities(session), repository.count_calls(session)) == before


def test_a_bad_seed_row_writes_nothing(app, tmp_path):
    data_dir = tmp_path / "seed"
    shutil.copytree(MINI_SEED, data_dir)
    profiles = data_dir / "profiles.csv"
    lines = profiles.read_text(encoding="utf-8").splitlines()
    lines.append("nl-no-such-city,interest,circular-economy,0.5,derived from test")
    profiles.write_text("\n".join(lines) + "\n", encoding="utf-8")
    session = get_database(app).session()
    with pytest.raises(ImportFailed) as failure:
        seed_database(session, data_dir)
    assert failure.value.problems[0].file == "profiles.csv"
    assert repository.count_cities(session) == 0
    assert repository.list_themes(session) == []
    session.close()


def test_the_data_version_keeps_growing_across_a_reload(session):
    before = repository.data_version(session)
    seed_database(session, MINI_SEED, replace=True)
    assert repository.data_version(session) > before
