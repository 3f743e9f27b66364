"""How much of a focus theme a list can show: holders and the nearest of them."""

from __future__ import annotations

import numpy as np

from matcher.scoring.partners.focus import coverage, focus_vector

THEMES = ("energy", "water", "waste")
#: Six cities: past projects per theme (rows) and their distance from the query (km).
EXPERIENCE = np.array([[1, 0, 0], [0, 2, 0], [3, 0, 0], [0, 0, 0], [1, 1, 0], [2, 0, 0]],
                      np.float32)  # fmt: skip
KM = np.array([50.0, 10.0, 20.0, 5.0, np.nan, 400.0])
IDS = np.array([11, 12, 13, 14, 15, 16])
EVERYONE = np.ones(6, bool)


def test_holders_are_counted_among_the_cities_the_list_can_show():
    (energy,) = coverage(EXPERIENCE, THEMES, ["energy"], EVERYONE, KM, IDS)
    assert energy.theme == "energy" and energy.holders == 4  # 11, 13, 15, 16
    shown = EVERYONE.copy()
    shown[[2, 5]] = False  # a filter hides 13 and 16
    (energy,) = coverage(EXPERIENCE, THEMES, ["energy"], shown, KM, IDS)
    assert energy.holders == 2 and energy.nearest_ids == (11,)


def test_the_nearest_located_holders_come_nearest_first():
    (energy,) = coverage(EXPERIENCE, THEMES, ["energy"], EVERYONE, KM, IDS, nearest=2)
    assert energy.nearest_ids == (13, 11)  # 15 holds it but its place is unknown
    assert energy.nearest_km == (20.0, 50.0)


def test_without_the_query_s_place_holders_are_counted_and_none_is_nearest():
    (water,) = coverage(EXPERIENCE, THEMES, ["water"], EVERYONE, None, IDS)
    assert water.holders == 2 and water.nearest_ids == () and water.nearest_km == ()


def test_a_theme_nobody_holds_has_no_holders_and_themes_come_in_vocabulary_order():
    found = coverage(EXPERIENCE, THEMES, ["waste", "energy"], EVERYONE, KM, IDS)
    assert [c.theme for c in found] == ["energy", "waste"]
    assert found[1].holders == 0 and found[1].nearest_ids == ()


def test_the_focus_vector_marks_the_focus_themes_and_ignores_unknown_ones():
    assert focus_vector(THEMES, ["waste", "unknown"]).tolist() == [0.0, 0.0, 1.0]
    assert not focus_vector(THEMES, None).any()
