"""Covenant name handling and GeoNames look-ups used by the cities builder."""

import pytest

from scripts.data_build.covenant_cities import name_from_source as _name_from_source
from scripts.data_build.geonames import GeoNamesIndex, Place, latin_alternate_names


@pytest.mark.parametrize(
    ("official", "country", "name", "others"),
    [
        ("Beveren 2030", "BE", "Beveren", ()),
        ("Tournai, BE", "BE", "Tournai", ()),
        ("Eboli (Comune)", "IT", "Eboli", ()),
        ("Frankfurt (Oder)", "DE", "Frankfurt (Oder)", ()),
        ("Bolzano/Bozen", "IT", "Bolzano", ("Bozen",)),
        ("Cernusco S/N", "IT", "Cernusco S/N", ()),
        ("ΣΕΡΡΩΝ - Serres", "GR", "Serres", ("ΣΕΡΡΩΝ",)),
        ("Vendrell, el", "ES", "El Vendrell", ()),
        ("Saint - Gilles", "BE", "Saint-Gilles", ()),
    ],
)
def test_covenant_name_quirks(official, country, name, others):
    assert _name_from_source(official, country) == (name, others)


def _place(geonameid, name, population, lat=45.0, lon=10.0, alternates=()):
    return Place(geonameid, name, "IT", lat, lon, population, tuple(alternates))


def test_best_match_needs_a_dominant_place():
    index = GeoNamesIndex([_place(1, "Sanvito", 30_000), _place(2, "Sanvito", 20_000, lat=40.0)])
    assert index.best_match("IT", "Sanvito") is None


def test_best_match_takes_a_clearly_larger_place():
    index = GeoNamesIndex([_place(1, "Sanvito", 90_000), _place(2, "Sanvito", 2_000, lat=40.0)])
    assert index.best_match("IT", "Sanvito").geonameid == 1


def test_match_near_ignores_far_homonyms():
    index = GeoNamesIndex([_place(1, "Sanvito", 90_000, lat=40.0)])
    assert index.match_near("IT", "Sanvito", 45.0, 10.0, max_km=30) is None


def test_alternate_names_drop_codes_and_transliterations():
    place = _place(
        1, "Bologna", 390_000, alternates=("BLQ", "bo luo ni ya", "Bononia", "Bononiae", "Болонья")
    )
    assert latin_alternate_names(place, "Bologna") == ["Bononia"]


def test_an_alternate_written_once_is_not_an_exonym():
    # GeoNames lists districts among a city's alternates; an exonym has several spellings.
    place = _place(1, "Kraków", 770_000, alternates=("Nowa Huta", "Cracow", "Cracovia", "Cracau"))
    names = latin_alternate_names(place, "Kraków")
    assert "Nowa Huta" not in names and "Cracow" in names and names[0] == "Krakow"


def test_alternate_names_lead_with_the_name_without_diacritics():
    place = _place(1, "Jyväskylä", 140_000, alternates=("Jyvaeskylae",))
    assert latin_alternate_names(place, "Jyväskylä")[0] == "Jyvaskyla"
