"""Recognise municipalities among project partners and match them to seeded cities.

A partner counts as a municipality only when its organisation name says so ("Stadt Singen",
"Municipality of Velenje", "Urząd Miasta Żary", "Peterborough City Council") or is just the
town's name, and nothing in it marks another kind of body (a university, agency, region,
association of municipalities, company...). The place named in the organisation, or the
partner's town when the organisation names none, must then match a seeded city of the same
country: exactly by folded name or alternate name, or loosely when the spelling or grammatical
case differs ("Kajaanin kaupunki" in Kajaani, "Dimos Patreon" in Patras) and the partner's
town matches the same city exactly.
"""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz

from scripts.data_build.common import name_key

#: Folded words and phrases that name a municipality or its administration.
MUNICIPAL_MARKERS: tuple[str, ...] = (
    # English
    "municipality", "municipal council", "municipal administration", "municipal government",
    "city", "town", "council", "city hall", "town hall", "borough", "city and county",
    "metropolitan borough", "local government", "city government", "town government",
    # German, Dutch, Nordic
    "stadt", "gemeinde", "stadtverwaltung", "magistrat", "landeshauptstadt", "hansestadt",
    "marktgemeinde", "stadtgemeinde", "gemeente", "stad", "kommune", "kommun", "kaupunki",
    "kaupungin", "kunta",
    # Romance
    "ville", "commune", "mairie", "hotel de ville", "comune", "citta", "municipio",
    "ayuntamiento", "ajuntament", "concello", "camara municipal", "municipiul", "primaria",
    "orasul", "comuna", "consiliul local",
    # Central and Eastern Europe
    "miasto", "miasta", "gmina", "gminy", "urzad miasta", "urzad miejski", "urzad gminy",
    "gmina miejska", "miejska", "miejski", "mesto", "mesta", "statutarni mesto",
    "magistrat mesta", "mestsky urad", "obec", "obce", "onkormanyzat", "onkormanyzata",
    "onkormanyzatanak", "varos", "varosi", "megyei jogu varos", "megyei jogu",
    "polgarmesteri hivatal", "kozseg", "grad", "grada", "opcina", "opstina", "opshtina", "obcina",
    "mestna obcina", "obshtina", "obstina", "savivaldybe", "savivaldybes", "pasvaldiba",
    "pasvaldibas", "dome", "linnavalitsus", "linn",
    # South-East Europe and beyond
    "dimos", "dimou", "belediyesi", "belediye", "buyuksehir belediyesi", "bashkia",
    "kunsill lokali",
)  # fmt: skip

#: Folded fragments that mark a body other than the municipality itself. Checked with word
#: boundaries on the left only, so stems such as "universit" or "agenc" catch their forms.
NON_MUNICIPAL_MARKERS: tuple[str, ...] = (
    # education, research, culture, health
    "universit", "hochschule", "college", "school", "schule", "skola", "szkola", "escola",
    "escuela", "scuola", "kindergarten", "gymnas", "lyce", "liceo", "academ", "akadem",
    "institut", "istituto", "research", "forschung", "science", "technolog", "laborator",
    "museum", "muzeum", "museo", "musee", "librar", "bibliot", "theat", "teatr", "gallery",
    "hospital", "klinik", "clinic", "spital", "ospedale", "zoo", "archiv",
    # economy, utilities, companies
    "chamber", "kammer", "camera di commercio", "camara de comercio", "chambre", "izba",
    "compan", "gmbh", "ltd", "limited", "srl", "s r l", "s p a", "d o o", "kft", "zrt",
    "nonprofit", "sp z o o", "enterprise", "stadtwerke", "utilit", "wasser",
    "vodovod", "energ", "port authority", "port of", "autoridad portuaria", "autorita portuale",
    "harbour", "hafen", "cluster", "business", "innovation", "tourism", "tourist", "turism",
    "turist", "development", "razvoj", "rozwoj", "rozvoj", "entwicklung", "sviluppo",
    "desarrollo", "desenvolvimento", "kehittamis", "utveckling", "housing",
    # associations and groupings of municipalities
    "agenc", "agentur", "agenzi", "agence", "agentura", "associa", "asociac", "verein",
    "verband", "zdruzen", "sdruzen", "stowarzysz", "egyesulet", "foundation", "stiftung",
    "fundac", "fondaz", "fondation", "consor", "konsorc", "cooperativ", "union", "unione",
    "uniao", "intercommun", "intermunic", "inter municip", "communaute", "agglomeration",
    "metropol", "euroregion", "egtc", "evtz", "gect", "aect", "eurodistri", "eurocity",
    "leader", "local action group", "partnership", "network", "samtgemeinde",
    "verbandsgemeinde", "mancomunidad", "comarca", "comunita", "comunidade",
    # other tiers of government and public services
    "region", "provinc", "provinz", "county", "bezirk", "district", "powiat",
    "starostwo", "wojewod", "voivod", "judet", "megyei onkormanyzat", "varmegye",
    "oblast", "rajono", "novad", "periphery", "perifer", "diputac", "cabildo", "consell",
    "generalitat", "junta", "departement", "departmental", "landesamt", "ministr", "minist",
    "national", "federal", "government of", "police", "polizei", "feuerwehr", "rescue",
    "church", "kirche", "diocese", "caritas", "parish", "sport",
)  # fmt: skip

#: Short exclusions that must be whole words: as stems they would swallow place names
#: ("fire" in Firenze, "vald" in Valdemoro, "water" in Waterford).
NON_MUNICIPAL_WORDS: tuple[str, ...] = (
    "water", "kreis", "landkreis", "rayon", "raion", "vald", "nomos", "state", "staat", "fire",
    "centre", "center", "centro", "centrum", "zentrum", "kozpont", "park", "parc", "parco",
    "parque", "zoo", "kraj", "port", "megyei", "rural", "care", "home", "social",
)  # fmt: skip

_MARKER_PATTERN = re.compile(
    r"\b("
    + "|".join(re.escape(m) for m in sorted(MUNICIPAL_MARKERS, key=len, reverse=True))
    + r")\b"
)
_EXCLUSION_PATTERN = re.compile(
    r"\b(" + "|".join(re.escape(m) for m in NON_MUNICIPAL_MARKERS) + r")"
    r"|\b(" + "|".join(re.escape(m) for m in NON_MUNICIPAL_WORDS) + r")\b"
)
#: Parts of an organisation name: "Stadt Zittau, Amt für Stadtentwicklung" -> two segments.
_SEGMENT_SPLIT = re.compile(r"\s*(?:[,;()\[\]/]|\s[-–—]\s)\s*")
#: Words that remain around a place name once the municipal marker is removed.
_FILLER_WORDS = frozenset(
    [
        "of",
        "the",
        "de",
        "di",
        "du",
        "des",
        "der",
        "den",
        "do",
        "da",
        "das",
        "del",
        "della",
        "dello",
        "la",
        "le",
        "les",
        "el",
        "il",
        "lo",
        "y",
        "and",
        "und",
        "et",
        "e",
        "i",
        "d",
        "l",
        "administration",
        "office",
        "offices",
        "municipal",
        "mayor",
        "hall",
        "government",
        "local",
        "excmo",
        "excma",
        "ilustre",
        "lmo",
        "illmo",
        "administrative",
        "authority",
    ]
)
#: Fuzzy score (0-100) from which a spelled-differently name is accepted.
FUZZY_THRESHOLD = 90
#: Share of a city name an inflected form must begin with ("patr" of "patras").
STEM_SHARE = 0.6


@dataclass(frozen=True, slots=True)
class MunicipalName:
    """What an organisation name says about the municipality it belongs to.

    ``place`` is the folded place name left once the administrative words are removed; it is
    empty for names like "Town Council" that name no place.
    """

    place: str


def read_municipal_name(organisation: str, town: str = "") -> MunicipalName | None:
    """The municipality an organisation name stands for, or ``None`` if it is not one."""
    segments = [name_key(s) for s in _SEGMENT_SPLIT.split(organisation or "")]
    segments = [s for s in segments if s]
    if not segments:
        return None
    if not _MARKER_PATTERN.search(" ".join(segments)):
        # A partner listed under the bare town name ("Igualada" in Igualada) is the town itself.
        if segments[0] == name_key(town) and len(segments) == 1:
            return MunicipalName(place=segments[0])
        return None
    for index, segment in enumerate(segments):
        remainder = _MARKER_PATTERN.sub(" ", segment)
        # Markers are removed first: "Sefton Metropolitan Borough Council" is a municipality,
        # "Città Metropolitana di Bologna" is not.
        if _EXCLUSION_PATTERN.search(remainder):
            return None
        if remainder != segment:
            place = _strip_fillers(remainder.split())
            if (
                not place
                and index + 1 < len(segments)
                and not _MARKER_PATTERN.search(segments[index + 1])
            ):
                # "Municipality - Serres": the place follows in the next segment.
                place = segments[index + 1]
                if _EXCLUSION_PATTERN.search(place):
                    return None
            return MunicipalName(place=place)
    return None


def _strip_fillers(words: list[str]) -> str:
    """Drop connector words at both ends only: "Bassano del Grappa" keeps its "del"."""
    start, end = 0, len(words)
    while start < end and words[start] in _FILLER_WORDS:
        start += 1
    while end > start and words[end - 1] in _FILLER_WORDS:
        end -= 1
    return " ".join(words[start:end])


#: A city of this many inhabitants matches a partner of its name whose NUTS code puts it in
#: another region (:meth:`CityMatcher.exact`): the code is likelier wrong than the name.
LARGE_ENOUGH_ELSEWHERE = 20_000


@dataclass(frozen=True, slots=True)
class CityRef:
    """A seeded (or candidate) city as the matcher needs it."""

    key: str
    country: str
    name: str
    other_names: tuple[str, ...] = ()
    nuts: str = ""  # NUTS 3 (2016), '' unknown
    population: int | None = None


class CityMatcher:
    """Finds the seeded city a municipal partner belongs to, within its country."""

    def __init__(self, cities: Iterable[CityRef]) -> None:
        primary: dict[tuple[str, str], set[str]] = defaultdict(set)
        secondary: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._region_of: dict[str, str] = {}
        self._large: set[str] = set()
        for city in cities:
            self._region_of[city.key] = city.nuts[:4]
            if (city.population or 0) >= LARGE_ENOUGH_ELSEWHERE:
                self._large.add(city.key)
            main = name_key(city.name)
            primary[(city.country, main)].add(city.key)
            for other in city.other_names:
                for part in _SEGMENT_SPLIT.split(other):
                    other_key = name_key(part)
                    if other_key and other_key != main:
                        secondary[(city.country, other_key)].add(city.key)
        self._primary = dict(primary)
        self._secondary = dict(secondary)
        names_by_country: dict[str, set[str]] = defaultdict(set)
        for country, key in [*primary, *secondary]:
            names_by_country[country].add(key)
        self._names_by_country = {c: sorted(keys) for c, keys in names_by_country.items()}
        names_by_key: dict[str, set[str]] = defaultdict(set)
        for table in (primary, secondary):
            for (_country, name), keys in table.items():
                for key in keys:
                    names_by_key[key].add(name)
        self._names_by_key = {key: sorted(names) for key, names in names_by_key.items()}
        self._regions = set(self._region_of.values()) - {""}

    def exact(self, country: str, name: str, region: str = "") -> str | None:
        """The city whose name or alternate name is exactly ``name`` (folded), if unique.

        ``region`` is the partner's NUTS code where the source gives one: a city of the name
        in another NUTS 2 region is another place ("Stadt Weiden" of the Upper Palatinate is
        not the village Weiden in the Rhineland), unless the code is of a NUTS version the
        cities do not use (keep.eu writes France's 2013 codes), which says nothing. A source's
        code can be wrong too (CORDIS files the council of Las Palmas de Gran Canaria under
        Murcia): where no city of the name lies in the region, the one city of the name
        elsewhere still stands if it has :data:`LARGE_ENOUGH_ELSEWHERE` inhabitants."""
        key = name_key(name)
        elsewhere = None
        for table in (self._primary, self._secondary):
            named = table.get((country, key), ())
            found = [k for k in named if self._in_region(k, region)]
            if found:
                return found[0] if len(found) == 1 else None
            if elsewhere is None and len(named) == 1:
                elsewhere = next(iter(named))
        return elsewhere if elsewhere in self._large else None

    def _in_region(self, key: str, region: str) -> bool:
        """Whether the city ``key`` may lie in the NUTS region ``region`` (see :meth:`exact`)."""
        if region[:4] not in self._regions:
            return True
        return self._region_of.get(key, "") in ("", region[:4])

    def names_of(self, key: str) -> list[str]:
        """Every folded name a city is known by."""
        return self._names_by_key.get(key, [])

    def match_partner(self, country: str, town: str, organisation: str,
                      region: str = "") -> str | None:  # fmt: skip
        """The city key of a municipal partner, or ``None`` when it is not one we seed.

        The place the organisation names must match a city exactly, or be a variant
        ("Kajaanin kaupunki", "Karlstads kommun") of the partner's town, which must then
        match exactly. Fuzzy readings never stand alone: "Stadt Kalkar" is not Kalk.
        """
        municipal = read_municipal_name(organisation, town)
        if municipal is None:
            return None
        town_city = self.exact(country, _SEGMENT_SPLIT.split(town or "")[0], region)
        if not municipal.place:
            return town_city
        named = self.exact(country, municipal.place, region)
        if named:
            return named
        if town_city and any(is_variant(municipal.place, n) for n in self.names_of(town_city)):
            return town_city
        return None


def is_variant(place: str, name: str) -> bool:
    """Whether ``place`` (folded) plausibly writes the city ``name`` (folded) another way.

    Covers spelling variants ("Świnoujśćie"), inflected forms ("Kajaanin", "Karlstads",
    Greek genitives such as "Patreon" for Patras) and department names that contain the city
    ("Environment Department of Tallinn"). Only used once the partner's town has matched the
    city exactly, so a merely similar name of another place cannot slip through.
    """
    if len(name) < 4:
        return place == name
    if fuzz.ratio(place, name) >= FUZZY_THRESHOLD:
        return True
    if f" {name} " in f" {place} ":
        return True
    if " " in place or " " in name:
        return False
    stem = len(os.path.commonprefix([place, name]))
    return stem >= max(4, math.ceil(STEM_SHARE * len(name)))
