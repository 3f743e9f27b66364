"""Flag the EU Mission cities (100 climate-neutral and smart cities by 2030, plus 12 from
associated countries) from ``mission_cities_112.csv``.

The list is the Mission's complete selection, so a city not on it is not a Mission city:
``mission_city`` is true for the listed ones and false for the others. The source URLs of
each row stay in the raw file.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Protocol

from scripts.data_build.common import country_code, name_key, read_csv_records

MISSION_FILE = "mission_cities_112.csv"
#: A spelling this close (rapidfuzz ratio) to a city's name in the same country is that city.
CLOSE_SCORE = 85.0
MISSION_SOURCE = "EU Cities Mission selection (mission_cities_112.csv)"
#: The file writes a few cities by an English or older name.
_ALIASES = {"Cluj-Napoca": ("Cluj",)}
#: "Bordeaux Métropole", "Grenoble-Alpes Métropole": the group of the core city, which is the
#: city flagged (the Mission selected the group; its core municipality is the applicant city).
_GROUP_TAIL = re.compile(r"(?:[\s-]+(?:Loire|Alpes))?\s+M[ée]tropole$")


def _close(cities: list, country: str, names: tuple[str, ...]) -> dict:
    """Cities the list writes another way: a longer LAU name ("Klagenfurt am Wörthersee") or
    an English spelling ("Seville", "Gothenburg"); the best-scoring one only."""
    from rapidfuzz import fuzz

    best: tuple[float, int, str] | None = None
    chosen = None
    for city in cities:
        if city.country != country:
            continue
        for name in names:
            key = name_key(name)
            for other in _keys(city):
                score = 90.0 if other.startswith(key + " ") else fuzz.ratio(key, other)
                rank = (score, city.population or 0, city.key)
                if score >= CLOSE_SCORE and (best is None or rank > best):
                    best, chosen = rank, city
    return {chosen.key: chosen} if chosen is not None else {}


def _keys(city) -> set[str]:
    return {name_key(n) for n in (city.name, city.official_name, *city.alt_names)}


class _CityLike(Protocol):
    key: str
    name: str
    country: str
    population: int | None
    mission: bool


def flag(cities: list, raw_dir: Path, counts: Counter[str]) -> None:
    """Set ``mission`` on the cities of the list; count the listed cities not found."""
    index: dict[tuple[str, str], list] = {}
    for city in cities:
        for name in (city.name, city.official_name, *city.alt_names):
            index.setdefault((city.country, name_key(name)), []).append(city)
    for row in read_csv_records(raw_dir / MISSION_FILE):
        country = country_code(row["country_iso2"])
        base = _GROUP_TAIL.sub("", row["city"])
        names = (*re.split(r"\s*&\s*", base), *_ALIASES.get(row["city"], ()))
        found = {c.key: c for n in names for c in index.get((country or "", name_key(n)), [])}
        if not found:
            for city in _close(cities, country or "", names).values():
                city.mission = True
                counts["mission_cities_by_close_name"] += 1
                found = {city.key: city}
            if found:
                continue
        if not found:
            counts["mission_cities_not_found"] += 1
            print(f"cities: Mission city not found: {row['city']} ({row['country_iso2']})")
            continue
        for name in names:
            best = max(
                (c for c in found.values() if name_key(name) in _keys(c)),
                key=lambda c: (c.population or 0, c.key),
                default=None,
            )
            if best is not None:
                best.mission = True
