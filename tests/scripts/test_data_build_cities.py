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


def _lau(code, name, population=40_000):
    from scripts.data_build.lau import Lau

    return Lau(f"NL_{code}", "NL", name, name, (name, "-"), population, "NL225")


def test_a_place_is_not_joined_to_an_lau_by_a_name_of_no_letters():
    """Zaandam's alternates include Japanese and Chinese spellings that fold to nothing, and
    Montferland's Latin name is "-": neither is a name to join them by."""
    from collections import Counter

    from scripts.data_build.cities import _match_places_to_laus

    zaandam = Place(1, "Zaandam", "NL", 52.44, 4.83, 71_708, ("ザーンダム", "赞丹"), "PPL")
    cities = _match_places_to_laus(
        GeoNamesIndex([zaandam]), [_lau("GM1955", "Montferland")], {"NL"}, Counter()
    )
    assert cities == []


def test_a_town_of_no_municipality_names_the_one_it_lies_in():
    from collections import Counter

    from scripts.data_build.cities import _city_from_lau, _name_towns_within

    zaandam = Place(1, "Zaandam", "NL", 52.44, 4.83, 71_708, (), "PPL", admin2="0479")
    city = _city_from_lau(_lau("GM0479", "Zaanstad"), locate=_NoPlaces())
    _name_towns_within([city], GeoNamesIndex([zaandam]), Counter())
    assert city.extra_names == ["Zaandam"]


class _NoPlaces:
    def place_for(self, lau):
        return None


def _commune(code, name):
    from scripts.data_build.lau import Lau

    return Lau(f"FR_{code}", "FR", name, name, (name,), None, "FR104")


def test_a_commune_merged_after_geonames_named_its_town_is_added_at_the_town():
    """Évry-Courcouronnes (2019) has no place of its name and LAU 2019 no population."""
    from collections import Counter

    from scripts.data_build.cities import _add_merged_communes

    evry = Place(3019256, "Évry", "FR", 48.63, 2.44, 51_900, (), "PPLA2", admin4="91228")
    counts: Counter[str] = Counter()
    cities: list = []
    _add_merged_communes(cities, GeoNamesIndex([evry]), [_commune("91228", "Évry-Courcouronnes")],
                         counts)  # fmt: skip
    assert [(c.name, c.population, c.lat) for c in cities] == [
        ("Évry-Courcouronnes", 51_900, 48.63)
    ]
    assert cities[0].population_source == "GeoNames 2025-11 (its town Évry)"


def test_a_place_is_no_merged_commune_whose_name_does_not_carry_its_own():
    """GeoNames files a "Saint-Leu" of 29,278 (Réunion's) under a Burgundy commune's code."""
    from collections import Counter

    from scripts.data_build.cities import _add_merged_communes

    leu = Place(2978771, "Saint-Leu", "FR", 46.73, 4.50, 29_278, (), "PPL", admin4="71436")
    cities: list = []
    _add_merged_communes(cities, GeoNamesIndex([leu]),
                         [_commune("71436", "Saint-Laurent-d'Andenay")], Counter())  # fmt: skip
    assert cities == []
