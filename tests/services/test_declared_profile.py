"""Declaring a city's own interests, needs and offers."""

from __future__ import annotations

import pytest

from matcher.db import repository
from matcher.domain import DECLARED_PROVENANCE
from matcher.services.cities import update_declared_profile


def _bologna(session):
    return repository.get_city(session, "it-bologna")


def test_declared_weights_are_stored_with_their_provenance(session):
    city = update_declared_profile(session, _bologna(session).id, {"need": {"open-data": 0.8}})
    assert city.weights("need") == {"open-data": 0.8}
    assert {e.provenance for e in city.profile if e.kind == "need"} == {DECLARED_PROVENANCE}


def test_a_new_declaration_replaces_the_previous_one_of_that_kind(session):
    city_id = _bologna(session).id
    update_declared_profile(session, city_id, {"offer": {"open-data": 0.5, "smart-lighting": 1}})
    city = update_declared_profile(session, city_id, {"offer": {"circular-economy": 0.7}})
    assert city.weights("offer") == {"circular-economy": 0.7}


def test_a_declared_weight_overrides_a_derived_one_and_keeps_the_rest(session):
    before = _bologna(session)
    derived = before.weights("interest")
    theme = next(iter(derived))
    city = update_declared_profile(session, before.id, {"interest": {theme: 0.1}})
    after = city.weights("interest")
    assert after[theme] == 0.1
    assert {t: w for t, w in after.items() if t != theme} == {
        t: w for t, w in derived.items() if t != theme
    }


def test_kinds_left_out_are_untouched_and_an_empty_dict_withdraws(session):
    city_id = _bologna(session).id
    update_declared_profile(session, city_id, {"need": {"open-data": 0.8}})
    interests = _bologna(session).weights("interest")
    city = update_declared_profile(session, city_id, {"need": {}})
    assert city.weights("need") == {}
    assert city.weights("interest") == interests


def test_saving_bumps_the_data_version(session):
    before = repository.data_version(session)
    update_declared_profile(session, _bologna(session).id, {"need": {"open-data": 0.8}})
    assert repository.data_version(session) == before + 1


@pytest.mark.parametrize(
    "change",
    [{"wish": {"open-data": 0.5}}, {"need": {"no-such-theme": 0.5}}, {"need": {"open-data": 2}}],
)
def test_bad_input_is_refused_and_nothing_changes(session, change):
    city = _bologna(session)
    with pytest.raises(ValueError):
        update_declared_profile(session, city.id, change)
    assert _bologna(session).profile == city.profile


def test_unknown_city_is_a_lookup_error(session):
    with pytest.raises(LookupError):
        update_declared_profile(session, 987654, {"need": {}})
