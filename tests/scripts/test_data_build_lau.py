"""Names of municipalities as the Eurostat LAU file writes them, turned into what people write."""

import pytest

from scripts.data_build.lau import seat_name


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
