"""lookup_city says what it did: one city, several candidates, suggestions or nothing."""

from matcher.db import repository
from matcher.services.cities import find_city, lookup_city


def _twin(session, name, country, slug):
    from matcher.db.models import CityRow

    session.add(CityRow(slug=slug, name=name, country=country, population=30_000))
    session.commit()


def test_a_name_only_one_city_has_is_found(session):
    lookup = lookup_city(session, "Jyvaskyla")
    assert lookup.status == "found" and lookup.city.slug == "fi-jyvaskyla"


def test_a_slug_is_found(session):
    assert lookup_city(session, "fi-jyvaskyla").city.name == "Jyväskylä"


def test_a_name_two_cities_have_lists_both_and_picks_none(session):
    _twin(session, "Brno", "DE", "de-brno")
    lookup = lookup_city(session, "Brno")
    assert lookup.status == "ambiguous" and lookup.city is None
    assert {hit.city.slug for hit in lookup.candidates} == {"cz-brno", "de-brno"}
    assert "cz-brno" in lookup.message and "de-brno" in lookup.message
    assert find_city(session, "Brno") is None


def test_a_name_that_begins_two_city_names_is_ambiguous(session):
    _twin(session, "Tartu am Main", "EE", "ee-tartu-am-main")
    _twin(session, "Tartu (Oder)", "EE", "ee-tartu-oder")
    lookup = lookup_city(session, "Tartu am", country="EE")
    assert lookup.status in ("ambiguous", "suggestions")
    assert lookup.city is None


def test_a_close_typo_is_only_suggested(session):
    lookup = lookup_city(session, "Jyvaskylx")
    assert lookup.status == "suggestions" and lookup.city is None
    assert lookup.candidates[0].city.slug == "fi-jyvaskyla"
    assert lookup.message.startswith("No city called “Jyvaskylx”; did you mean Jyväskylä")


def test_an_unknown_name_says_so_without_an_unrelated_city(session):
    lookup = lookup_city(session, "Qwxzvbn")
    assert lookup.status == "not_found" and lookup.candidates == ()
    assert lookup.message == "No city called “Qwxzvbn”."


def test_an_alternate_name_is_found_and_named(session):
    lookup = lookup_city(session, "Juveskiule")
    assert lookup.city == repository.get_city(session, "fi-jyvaskyla")
    assert lookup.message == "Jyväskylä (FI, fi-jyvaskyla), found by its other name “Juveskiule”"
