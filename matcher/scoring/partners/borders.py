"""Which countries share a land border (GeoNames' country file, CC BY 4.0), so that a reason
says "across the border" only where there is one: a city abroad within reach is not always
over a border (Luxembourg and the Netherlands, Cyprus and Turkey, Moldova and Bulgaria).

The table ``land_borders.json`` beside this module is written by
``scripts/data_build/borders.py`` (``make data``); it is data, never edited by hand.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

__all__ = ["BORDERS_FILE", "share_land_border"]

BORDERS_FILE = Path(__file__).with_name("land_borders.json")


@cache
def _pairs() -> frozenset[frozenset[str]]:
    data = json.loads(BORDERS_FILE.read_text(encoding="utf-8"))
    neighbours = data["neighbours"]
    return frozenset(frozenset((a, b)) for a, others in neighbours.items() for b in others)


def share_land_border(country: str, other: str) -> bool:
    """Whether the two countries (ISO 3166-1 alpha-2) share a land border."""
    return frozenset((country, other)) in _pairs()
