"""Coordinates for municipalities the name joins left unlocated, and misplaced ones taken back."""

from collections import Counter

import pytest

from scripts.data_build.cities import City, _merge_near_duplicates
from scripts.data_build.geonames import GEONAMES_SOURCE, GeoNamesIndex, Place
from scripts.data_build.lau import Lau
from scripts.data_build.locate import (
    SMALL_PLACES_SOURCE,
    drop_misplaced,
    geonames_spellings,
    locate_unplaced,
)


@pytest.mark.parametrize(
    ("name", "country", "expected"),
    [
        ("St. Ingbert", "DE", "Sankt Ingbert"),
        ("Limburg a.d. Lahn", "DE", "Limburg an der Lahn"),
        ("Pfaffenhofen a.d.Ilm", "DE", "Pfaffenhofen an der Ilm"),
        ("Neufahrn b.Freising", "DE", "Neufahrn bei Freising"),
        ("Weiden i.d.OPf.", "DE", "Weiden"),
        ("Esslingen am Neckar", "DE", "Esslingen"),
        ("Lindau (Bodensee)", "DE", "Lindau"),
        ("Aglantzia or Aglangia", "CY", "Aglangia"),
        ("Lakatameia", "CY", "Kato Lakatameia"),
        ("Maó-Mahón", "ES", "Mahón"),
    ],
)
def test_geonames_spellings_write_the_name_as_geonames_may(name, country, expected):
    assert expected in geonames_spellings(name, country)


def test_geonames_spellings_put_a_borough_before_its_city():
    assert geonames_spellings("Bratislava - Karlova Ves", "SK")[0] == "Karlova Ves"


def test_geonames_spellings_leave_out_the_name_itself_and_german_rules_elsewhere():
    assert "Weilheim" not in geonames_spellings("Weilheim", "DE")
    assert geonames_spellings("St. Albans", "UK") == []


def _place(geonameid, name, lat, lon, population=20_000, feature="PPL", admin2=""):
    return Place(geonameid, name, "DE", lat, lon, population, (), feature, admin2)


def _city(name, nuts, lat=None, lon=None, population=25_000, source="", place=None):
    lau = Lau(f"DE_{name}", "DE", name, name, (name,), population, nuts)
    return City(key=f"lau:{lau.code}", name=name, official_name=name, country="DE",
                population=population, population_source="LAU", population_year=2019,
                lat=lat, lon=lon, coordinate_source=source, lau=lau, place=place,
                nuts=nuts)  # fmt: skip


def _region(nuts, lat, lon):
    """Three located municipalities around (lat, lon) in the NUTS 3 region ``nuts``."""
    return [_city(f"{nuts}-{i}", nuts, lat + d, lon + d, source=GEONAMES_SOURCE)
            for i, d in enumerate((0.0, 0.1, -0.1))]  # fmt: skip


def test_an_abbreviated_name_is_located_at_its_place_in_its_region():
    city = _city("St. Ingbert", "DEC05")
    places = GeoNamesIndex([_place(1, "Sankt Ingbert", 49.28, 7.11)])
    locate_unplaced([city, *_region("DEC05", 49.3, 7.0)], places, GeoNamesIndex([]), Counter())
    assert (city.lat, city.lon) == (49.28, 7.11)
    assert city.coordinate_source == f"{GEONAMES_SOURCE} (place Sankt Ingbert)"


def test_a_namesake_far_from_the_region_is_refused():
    city = _city("St. Wendel", "DEC06")
    places = GeoNamesIndex([_place(1, "Sankt Wendel", 52.0, 13.0)])  # 400 km away
    locate_unplaced([city, *_region("DEC06", 49.47, 7.17)], places, GeoNamesIndex([]), Counter())
    assert city.lat is None


def test_a_municipality_with_no_located_region_is_not_guessed():
    city = _city("St. Wendel", "DEC06")
    places = GeoNamesIndex([_place(1, "Sankt Wendel", 49.47, 7.17)])
    locate_unplaced([city], places, GeoNamesIndex([]), Counter())
    assert city.lat is None


def test_a_place_standing_for_another_city_is_refused():
    town = _place(1, "Lindau", 47.55, 9.68)
    other = _city("Lindau", "DE27A", 47.55, 9.68, source=GEONAMES_SOURCE, place=town)
    city = _city("Lindau (Bodensee)", "DE27A")
    cities = [city, other, *_region("DE27A", 47.6, 9.7)]
    locate_unplaced(cities, GeoNamesIndex([town]), GeoNamesIndex([]), Counter())
    assert city.lat is None


def test_a_much_larger_place_is_a_namesake_unless_it_is_a_capital():
    village = _city("Weilheim", "DE13A", population=3_000)
    capital = _city("Bruxelles", "BE100", population=180_000)
    places = GeoNamesIndex([_place(1, "Weilheim", 47.7, 8.3, population=23_000),
                            _place(2, "Bruxelles", 50.85, 4.35, 1_000_000, "PPLC")])  # fmt: skip
    cities = [village, capital, *_region("DE13A", 47.7, 8.3), *_region("BE100", 50.85, 4.4)]
    locate_unplaced(cities, places, GeoNamesIndex([]), Counter())
    assert village.lat is None
    assert capital.lat == 50.85


def test_a_merged_municipality_is_located_at_its_largest_town():
    small, large = _place(1, "Drachten", 53.1, 6.1), _place(2, "Sneek", 53.03, 5.66, 33_000)
    city = _city("Súdwest-Fryslân", "NL125")
    city.town_places = {1, 2}
    locate_unplaced([city], GeoNamesIndex([small, large]), GeoNamesIndex([]), Counter())
    assert (city.lat, city.lon) == (53.03, 5.66)
    assert city.coordinate_source.endswith("(its town Sneek)")


def test_a_village_at_a_larger_namesakes_place_loses_it():
    weilheim = _place(1, "Weilheim", 47.84, 11.15, population=23_378)
    village = _city("Weilheim", "DE13A", 47.84, 11.15, population=3_146,
                    source=SMALL_PLACES_SOURCE, place=weilheim)  # fmt: skip
    counts = Counter()
    assert drop_misplaced([village], GeoNamesIndex([weilheim]), {SMALL_PLACES_SOURCE}, counts)
    assert village.lat is None and village.place is None
    assert counts["misplaced_larger_namesake"] == 1


def test_a_municipality_far_out_of_its_region_loses_its_place():
    stray = _city("Valverde", "ES703", 40.5, -3.68, 5_000, SMALL_PLACES_SOURCE)
    island = [_city(f"c{i}", "ES703", 27.75 + d, -18.0 + d, source=SMALL_PLACES_SOURCE)
              for i, d in enumerate((0.0, 0.05, -0.05))]  # fmt: skip
    drop_misplaced([stray, *island], GeoNamesIndex([]), {SMALL_PLACES_SOURCE}, Counter())
    assert stray.lat is None
    assert all(c.lat is not None for c in island)


def test_a_remote_municipality_of_a_wide_region_keeps_its_place():
    # Vilhelmina lies 250 km inland of Umeå, in a region as wide.
    region = [_city(f"c{i}", "SE331", 63.8 + i * 0.2, 20.2 - i * 0.8, source=SMALL_PLACES_SOURCE)
              for i in range(5)]  # fmt: skip
    remote = _city("Vilhelmina", "SE331", 64.62, 16.66, 6_700, SMALL_PLACES_SOURCE)
    drop_misplaced([remote, *region], GeoNamesIndex([]), {SMALL_PLACES_SOURCE}, Counter())
    assert remote.lat == 64.62


def test_a_commune_whose_population_came_from_a_misplaced_place_is_left_out():
    evry = _city("Evry", "FRC14", 48.63, 2.44, None, SMALL_PLACES_SOURCE)
    evry.population, evry.population_source = 51_900, SMALL_PLACES_SOURCE
    yonne = [_city(f"c{i}", "FRC14", 47.8 + d, 3.5 + d, source=SMALL_PLACES_SOURCE)
             for i, d in enumerate((0.0, 0.1, -0.1))]  # fmt: skip
    counts = Counter()
    kept = drop_misplaced([evry, *yonne], GeoNamesIndex([]), {SMALL_PLACES_SOURCE}, counts)
    assert kept == yonne
    assert counts["misplaced_commune_left_out"] == 1


def test_a_region_whose_towns_cluster_on_one_side_reaches_as_far_as_its_area():
    # Norrbotten's towns lie on the coast; Pajala lies 250 km inland, in the same region.
    coast = [_city(f"c{i}", "SE332", 65.6 + d, 22.1 + d, source=SMALL_PLACES_SOURCE)
             for i, d in enumerate((0.0, 0.05, -0.05))]  # fmt: skip
    area = [Lau("SE_2521", "SE", "Pajala", "Pajala", ("Pajala",), 6_000, "SE332", 98_000.0)]

    def pajala():
        return _city("Pajala", "SE332", 67.21, 23.36, 6_000, SMALL_PLACES_SOURCE)

    kept = drop_misplaced([pajala(), *coast], GeoNamesIndex([]), {SMALL_PLACES_SOURCE},
                          Counter(), laus=area)  # fmt: skip
    assert kept[0].lat == 67.21
    unknown_area = drop_misplaced([pajala(), *coast], GeoNamesIndex([]), {SMALL_PLACES_SOURCE},
                                  Counter())  # fmt: skip
    assert unknown_area[0].lat is None


def _capital_place(name, lat, lon, population, alternates):
    place = Place(1, name, "DE", lat, lon, population, alternates, "PPLC", "")
    return City(key="gn:1", name=name, official_name=name, country="DE", population=population,
                population_source=GEONAMES_SOURCE, population_year=None, lat=lat, lon=lon,
                coordinate_source=GEONAMES_SOURCE, place=place)  # fmt: skip


def test_a_capitals_agglomeration_place_merges_into_its_unlocated_municipality():
    # GeoNames' "Brussels" counts the Capital Region; the LAU "Bruxelles" had no coordinates
    # yet, and the two stayed apart: a region of a million as a second city.
    municipality = _city("Bruxelles", "BE100", population=181_726)
    capital = _capital_place("Brussels", 50.85, 4.35, 1_019_022, ("Bruxelles", "Brussel"))
    cities = [municipality, capital, *_region("BE100", 50.85, 4.4)]
    counts = Counter()
    kept = _merge_near_duplicates(cities, counts)
    assert capital not in kept and municipality in kept
    assert municipality.place is capital.place and municipality.population == 181_726
    assert "Brussels" in municipality.extra_names
    assert counts["merged_capital_into_lau"] == 1
    locate_unplaced(kept, GeoNamesIndex([capital.place]), GeoNamesIndex([]), Counter())
    assert (municipality.lat, municipality.lon) == (50.85, 4.35)


def test_a_namesake_capital_outside_the_unlocated_municipalitys_region_stays_apart():
    municipality = _city("Bruxelles", "BE100", population=181_726)
    capital = _capital_place("Brussels", 48.0, 11.0, 1_019_022, ("Bruxelles",))  # 700 km off
    kept = _merge_near_duplicates([municipality, capital, *_region("BE100", 50.85, 4.4)],
                                  Counter())  # fmt: skip
    assert capital in kept and municipality.place is None
