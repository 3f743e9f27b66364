"""In-memory and on-disk index caching keyed by the data state."""

from __future__ import annotations

import pytest

from matcher.db import repository
from matcher.services import indexes


@pytest.fixture
def disk_cache(tmp_path):
    indexes.clear()
    indexes.configure(tmp_path / "cache")
    yield tmp_path / "cache"
    indexes.configure(None)
    indexes.clear()


def _counting_builder():
    calls = []

    def build(session):
        calls.append(1)
        return {"cities": repository.count_cities(session), "build": len(calls)}

    return build, calls


def test_the_index_is_built_once_per_data_state(session):
    indexes.clear()
    build, calls = _counting_builder()
    indexes.cached(session, "test", build)
    indexes.cached(session, "test", build)
    assert len(calls) == 1
    repository.bump_data_version(session)
    session.commit()
    indexes.cached(session, "test", build)
    assert len(calls) == 2


def test_a_new_process_loads_a_persisted_index_from_disk(session, disk_cache):
    build, calls = _counting_builder()
    first = indexes.cached(session, "test", build, persist=True)
    indexes.clear()  # what a new process starts with
    again = indexes.cached(session, "test", build, persist=True)
    assert again == first and len(calls) == 1
    assert len(list(disk_cache.glob("test-*.pickle"))) == 1


def test_a_new_data_state_replaces_the_file_on_disk(session, disk_cache):
    build, calls = _counting_builder()
    indexes.cached(session, "test", build, persist=True)
    repository.bump_data_version(session)
    session.commit()
    indexes.cached(session, "test", build, persist=True)
    assert len(calls) == 2
    assert len(list(disk_cache.glob("test-*.pickle"))) == 1


def test_an_unreadable_cache_file_is_rebuilt(session, disk_cache):
    build, calls = _counting_builder()
    indexes.cached(session, "test", build, persist=True)
    [path] = disk_cache.glob("test-*.pickle")
    path.write_bytes(b"not a pickle")
    indexes.clear()
    value = indexes.cached(session, "test", build, persist=True)
    assert value["build"] == 2


def test_the_partner_index_survives_a_round_trip_through_the_disk(session, disk_cache):
    from matcher.services.partners import PartnerQuery, find_partners

    city = repository.get_city(session, "it-bologna")
    before = [m.city.id for m in find_partners(session, city, PartnerQuery(top=5))]
    indexes.clear()
    after = [m.city.id for m in find_partners(session, city, PartnerQuery(top=5))]
    assert after == before


def test_a_repeated_partner_query_is_answered_from_the_index(session):
    from matcher.services.partners import PartnerQuery, find_partners, partner_index

    indexes.clear()
    city = repository.get_city(session, "it-bologna")
    first = find_partners(session, city, PartnerQuery(top=5))
    assert partner_index(session).remembered((city.id, PartnerQuery(top=5))) == first
    assert find_partners(session, city, PartnerQuery(top=5)) == first
    repository.bump_data_version(session)
    session.commit()
    assert partner_index(session).remembered((city.id, PartnerQuery(top=5))) is None


def test_index_files_of_other_code_are_not_loaded(session, disk_cache, monkeypatch):
    build, calls = _counting_builder()
    indexes.cached(session, "test", build, persist=True)
    indexes.clear()
    monkeypatch.setattr(indexes, "_code_fingerprint", lambda: "another version of the code")
    indexes.cached(session, "test", build, persist=True)
    assert len(calls) == 2


def test_a_city_is_found_by_its_exact_name_without_accents(session):
    from matcher.services.partners import city_named

    assert city_named(session, "jyvaskyla").slug == "fi-jyvaskyla"
    assert city_named(session, "Jyväskylä", "FI").slug == "fi-jyvaskyla"
    assert city_named(session, "Jyväskylä", "SE") is None
    assert city_named(session, "Jyvaskila") is None  # typos go to the fuzzy index


@pytest.mark.parametrize("name", ["partners", "names", "calls"])
def test_a_replaced_index_is_freed_although_it_was_frozen(session, name):
    """Built indexes are moved out of the cyclic collector's reach (gc.freeze): that is only
    right while an index holds no reference cycle, so that the index a rebuild replaces is
    freed by reference counting alone."""
    import gc
    import weakref

    from matcher.services.calls import call_service
    from matcher.services.cities import name_index
    from matcher.services.partners import partner_index

    get = {"partners": partner_index, "names": name_index, "calls": call_service}[name]
    indexes.clear()
    frozen_before = gc.get_freeze_count()
    old = weakref.ref(get(session))
    assert gc.get_freeze_count() > frozen_before
    repository.bump_data_version(session)  # an import: every index is rebuilt
    session.commit()
    assert get(session) is not old()
    gc.disable()
    try:
        assert old() is None
    finally:
        gc.enable()


def test_a_refit_model_file_alone_changes_the_code_fingerprint(tmp_path):
    (tmp_path / "scoring").mkdir()
    (tmp_path / "scoring" / "ranker.py").write_text("WEIGHT = 1\n")
    models = tmp_path / "scoring" / "purpose_models.json"
    models.write_text('{"models": []}\n')
    before = indexes._code_fingerprint.__wrapped__(tmp_path)
    models.write_text('{"models": [{"purpose": "research"}]}\n')
    assert indexes._code_fingerprint.__wrapped__(tmp_path) != before
