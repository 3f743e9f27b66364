"""Names of municipalities as the Eurostat LAU file writes them, turned into what people write."""

import pytest

from scripts.data_build.lau import Lau, _name_rural_gminas, seat_name


@pytest.mark.parametrize(
    ("national", "country", "seat"),
    [
        ("Šilalės rajono savivaldybė", "LT", "Šilalė"),
        ("Zarasų rajono savivaldybė", "LT", "Zarasai"),
        ("Kėdainių rajono savivaldybė", "LT", "Kėdainiai"),
        ("Rokiškio rajono savivaldybė", "LT", "Rokiškis"),
        ("Panevėžio miesto savivaldybė", "LT", "Panevėžys"),
        ("Birštono savivaldybė", "LT", "Birštonas"),
        ("Kazlų Rūdos savivaldybė", "LT", "Kazlų Rūda"),
        ("Kaišiadorių rajono savivaldybė", "LT", "Kaišiadorys"),
        ("Talsu novads", "LV", "Talsi"),
        ("Alūksnes novads", "LV", "Alūksne"),
        ("Krāslavas novads", "LV", "Krāslava"),
        ("Tukuma novads", "LV", "Tukums"),
        ("Cēsu novads", "LV", "Cēsis"),
    ],
)
def test_a_municipality_named_after_its_seat_also_bears_the_seat_name(national, country, seat):
    assert seat_name(national, country) == seat


@pytest.mark.parametrize(
    ("national", "country"),
    [("Saldus novads", "LV"), ("Ventspils novads", "LV"), ("Talsu novads", "EE"),
     ("Gemeinde Au", "AT"), ("Kaunas", "LT")],
)  # fmt: skip
def test_no_seat_is_made_up_where_no_rule_applies(national, country):
    assert seat_name(national, country) is None


def _gmina(code: str, name: str, nuts3: str = "PL843", area_km2: float = 1.0) -> Lau:
    return Lau(f"PL_{code}", "PL", name, name, (name,), 1000, nuts3, area_km2)


def test_the_rural_gmina_of_a_towns_name_is_told_apart_by_area():
    town = _gmina("1", "Suwałki", area_km2=66.0)
    rural = _gmina("2", "Suwałki", area_km2=300.0)
    named = _name_rural_gminas([rural, town])
    assert [lau.name for lau in named] == ["Suwałki (rural gmina)", "Suwałki"]
    assert named[0].names[0] == "Suwałki (rural gmina)"


def test_same_named_gminas_of_different_regions_keep_their_names():
    first, second = _gmina("1", "Lipno", "PL613", 1.0), _gmina("2", "Lipno", "PL414", 2.0)
    named = _name_rural_gminas([first, second])
    assert [lau.name for lau in named] == ["Lipno", "Lipno"]


def test_areas_are_read_in_km2_whichever_unit_a_country_writes():
    from scripts.data_build.lau import _areas_in_km2

    in_m2 = [Lau(f"BE_{i}", "BE", "x", "x", ("x",), 1000, "BE100", a)
             for i, a in enumerate((32_600_000.0, 17_744_118.0, 1_142_297.0))]  # fmt: skip
    in_km2 = [Lau(f"FI_{i}", "FI", "x", "x", ("x",), 1000, "FI1D7", a)
              for i, a in enumerate((17_333.65, 755.55, 6.0))]  # fmt: skip
    areas = [lau.area_km2 for lau in _areas_in_km2([*in_m2, *in_km2])]
    assert areas == pytest.approx([32.6, 17.744118, 1.142297, 17_333.65, 755.55, 6.0])
