"""Near-duplicate cities: two rows that are probably one municipality.

Two cities of one country are a near-duplicate pair when they lie within
:data:`NEAR_KM` of each other and their names are the same once folded, one is the other
plus a word ("Soroca" / "Soroca city"), or they are spellings of one name ("Delfi" /
"Delphi"). The builder merges such pairs; ``tests/data/test_seed_files.py`` fails on any
pair left in ``data/cities.csv``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from matcher.domain import haversine_km
from scripts.data_build.common import name_key

#: Two same-named places closer than this are one municipality written twice.
NEAR_KM = 10.0
#: Folded names this similar (rapidfuzz ratio, 0-100) are spellings of one name.
SPELLING_RATIO = 88
_FILLER = frozenset({"city", "town", "stadt", "grad", "miasto", "oras", "municipality", "de"})


@dataclass(frozen=True, slots=True)
class Entry:
    """What the detector needs of a city."""

    key: str
    country: str
    name: str
    lat: float | None
    lon: float | None
    lau: str = ""  # LAU code: two distinct LAUs are two municipalities even when same-named


def names_alike(a: str, b: str) -> bool:
    """Whether two folded names write one place: equal, a filler word apart, or a spelling."""
    if a == b:
        return True
    wa, wb = set(a.split()) - _FILLER, set(b.split()) - _FILLER
    if wa and wa == wb:
        return True
    if " " in a or " " in b:
        return False  # "East Molesey" / "West Molesey": one word apart is another place
    return len(a) >= 5 and len(b) >= 5 and fuzz.ratio(a, b) >= SPELLING_RATIO


def near_duplicate_pairs(entries: Sequence[Entry]) -> list[tuple[str, str]]:
    """Pairs of keys that are probably one municipality, sorted."""
    by_country: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        by_country[entry.country].append(entry)
    pairs: list[tuple[str, str]] = []
    for country_entries in by_country.values():
        located = [e for e in country_entries if e.lat is not None and e.lon is not None]
        located.sort(key=lambda e: e.lat)
        for i, a in enumerate(located):
            ka = name_key(a.name)
            for b in located[i + 1 :]:
                if b.lat - a.lat > NEAR_KM / 111.0:
                    break
                if haversine_km(a.lat, a.lon, b.lat, b.lon) > NEAR_KM:
                    continue
                if a.lau and b.lau and a.lau != b.lau:
                    continue  # two LAUs are two municipalities ("Ivry-" / "Vitry-sur-Seine")
                if names_alike(ka, name_key(b.name)):
                    pairs.append(tuple(sorted((a.key, b.key))))
        # Without a coordinate, a second row of the same name cannot be told apart.
        by_name: dict[str, list[Entry]] = defaultdict(list)
        for entry in country_entries:
            by_name[name_key(entry.name)].append(entry)
        for same in by_name.values():
            for a in same:
                if a.lat is None:
                    pairs.extend(
                        tuple(sorted((a.key, b.key)))
                        for b in same
                        if b is not a and not (a.lau and b.lau)
                    )
    return sorted(set(pairs))
