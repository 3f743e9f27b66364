"""Covenant of Mayors signatories as evidence about cities: names, commitments, coordinates.

The JRC MyCovenant file (2024 release, sheet "1") is not a list of municipalities: it mixes
individual municipalities with groups, provinces, regions and districts, and its population
"at adhesion" is sometimes a group's or a region's ("Rioja" 308,968). So the file never adds
a city on its own here: an individual signatory enriches the city it names (commitments,
organisation id, a coordinate to cross-check), and a group or region signatory is left to
the network builder (:mod:`scripts.data_build.covenant_networks`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from scripts.data_build.common import (
    EUROPEAN_COUNTRIES,
    clean_display_name,
    collapse_whitespace,
    country_code,
    is_latin_script,
    name_key,
)
from scripts.data_build.geonames import GeoNamesIndex
from scripts.data_build.municipal import NON_MUNICIPAL_MARKERS, NON_MUNICIPAL_WORDS

COM_FILE = "jrc_gcom_mycovenant_df1_signatories_2024.xlsx"
COM_SOURCE = "JRC GCoM MyCovenant 2024"
#: A coordinate shared by this many rows of one country is a placeholder, not a location.
SHARED_COORDINATE_ROWS = 3
#: With no place of the stated country this close, the coordinate points elsewhere.
COUNTRY_CHECK_KM = 25.0
COMMITMENT_COLUMNS = (
    ("commitment_CoM2020_flag", "com2020"),
    ("commitment_CoM2030_flag", "com2030"),
    ("commitment_CoM2050_flag", "com2050"),
    ("commitment_mayoradapt_flag", "adaptation"),
)

#: Signatory names that denote groupings, districts or other tiers rather than a city.
NOT_A_CITY = re.compile(
    r"\b(" + "|".join(re.escape(m) for m in NON_MUNICIPAL_MARKERS) + r"|kerulet|akciocsoport"
    r"|osservatorio|aggregazione|vojvodina)"
    r"|\b("
    + "|".join(re.escape(m) for m in NON_MUNICIPAL_WORDS)
    + r"|area|terre|pays|isla|grand|plaine|kommunes|plus|maritime|shire)\b"
    r"|shire$"
)


@dataclass(frozen=True, slots=True)
class Signatory:
    """One individual European signatory, as the file writes it."""

    organisation_id: int
    official_name: str
    name: str
    other_names: tuple[str, ...]
    country: str
    population: int | None
    year: int | None
    lat: float | None
    lon: float | None
    commitments: tuple[str, ...]


def read_signatories(
    rows: list[dict[str, Any]], geonames: GeoNamesIndex, counts: Counter[str]
) -> list[Signatory]:
    """Individual signatories of European countries, groups and other tiers counted out."""
    placeholders = _placeholder_coordinates(rows)
    found = []
    for row in rows:
        country = country_code(str(row.get("country_code") or ""))
        official = collapse_whitespace(row.get("organisation_name"))
        if country not in EUROPEAN_COUNTRIES or not official:
            continue
        if row.get("group_profile") is True:
            counts["covenant_dropped_group_signatory"] += 1
            continue
        if NOT_A_CITY.search(name_key(official)):
            counts["covenant_dropped_not_a_city"] += 1
            continue
        name, others = name_from_source(official, country)
        lat, lon = _coordinate(row, country, placeholders, geonames)
        population = row.get("population_adhesion")
        found.append(
            Signatory(
                organisation_id=int(row["organisation_id"]),
                official_name=official,
                name=name,
                other_names=others,
                country=country,
                population=population if isinstance(population, int) else None,
                year=getattr(row.get("date_of_adhesion"), "year", None),
                lat=lat,
                lon=lon,
                commitments=tuple(tag for col, tag in COMMITMENT_COLUMNS if row.get(col) is True),
            )
        )
    return sorted(found, key=lambda s: s.organisation_id)


def name_from_source(official: str, country: str) -> tuple[str, tuple[str, ...]]:
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
