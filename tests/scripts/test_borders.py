"""The land borders table is GeoNames' country file as the build writes it, never edited."""

from __future__ import annotations

import json

from matcher.scoring.partners.borders import BORDERS_FILE, share_land_border
from scripts.data_build import borders


def test_the_shipped_table_is_what_the_build_writes(tmp_path):
    written = tmp_path / "land_borders.json"
    borders.build(None, None, path=written)
    assert written.read_text(encoding="utf-8") == BORDERS_FILE.read_text(encoding="utf-8")


def test_every_border_is_listed_on_both_sides():
    table = json.loads(BORDERS_FILE.read_text(encoding="utf-8"))["neighbours"]
    for country, others in table.items():
        for other in others:
            assert country in table[other], (country, other)


def test_near_countries_that_do_not_touch_share_no_border():
    assert share_land_border("NL", "DE") and share_land_border("DE", "NL")
    assert share_land_border("GB", "IE")
    assert not share_land_border("LU", "NL")  # Belgium between
    assert not share_land_border("CY", "TR")  # the sea
    assert not share_land_border("MD", "BG")  # Romania between
    assert not share_land_border("NL", "NL")
