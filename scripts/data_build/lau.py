"""Eurostat Local Administrative Units 2019: municipal populations and LAU codes.

The file lists all 99,140 LAUs of 2019 with their national and Latin names and population,
but no coordinates. An LAU is a municipality in most countries; in Portugal (freguesias),
Greece (local communities), Ireland (electoral divisions) and the UK (wards) it is a part of
one, so those countries' LAUs are never used as cities (:data:`NOT_MUNICIPAL`). France and
Cyprus carry no population in this release.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass, replace
from pathlib import Path

from scripts.data_build.common import collapse_whitespace, is_latin_script, name_key

LAU_FILE = "eurostat_lau_2019.csv.gz"
LAU_SOURCE = "Eurostat LAU 2019"
LAU_YEAR = 2019
#: Eurostat country codes whose LAUs are parts of municipalities, not municipalities.
NOT_MUNICIPAL = frozenset({"PT", "EL", "IE", "UK"})
_ISO = {"EL": "GR", "UK": "GB"}

#: Status words Germany and Austria append after a comma ("Kiel, Landeshauptstadt") or that
#: precede the name elsewhere; the name without them is what people search for.
_TRAILING_STATUS = re.compile(
    r",\s*(?:[A-ZÄÖÜa-zäöüß.\- ]*(?:stadt|gemeinde|markt|flecken|kreisstadt|hansestadt|"
    r"landeshauptstadt|universitätsstadt|wissenschaftsstadt|städte)[A-Za-zäöüß.\- ]*)$",
    re.IGNORECASE,
)
_BRACKET_TAIL = re.compile(r"\s*\((?:[^)]*)\)\s*$")


@dataclass(frozen=True, slots=True)
class Lau:
    """One Eurostat LAU that is a municipality."""

    code: str  # gisco id, e.g. "DE_06412000": unique across countries
    country: str  # ISO alpha-2
    name: str  # display name: national name without status words, in Latin script
    official: str  # the national name as the file writes it
    names: tuple[str, ...]  # every way the file writes it (national, Latin, cleaned)
    population: int | None
    nuts3: str
    area_km2: float = 0.0  # 0 where the file gives none (France, North Macedonia)


def read_laus(path: Path, municipal_only: bool = True) -> list[Lau]:
    """LAUs in file order: by default only those of countries where an LAU is a municipality."""
    found: list[Lau] = []
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if municipal_only and row["country"] in NOT_MUNICIPAL:
                continue
            national = collapse_whitespace(row["lau_name_national"])
            latin = collapse_whitespace(row["lau_name_latin"])
            if latin in ("", "NA", "-"):
                latin = national
            if not national:
                continue
            shown = latin if not is_latin_script(national) else national
            variants = name_variants(shown, row["country"])
            city_name = collapse_whitespace(row["city_name"])
            if city_name not in ("", "NA") and is_latin_script(city_name):  # noqa: SIM102
                # Lithuanian LAU names are genitive ("Vilniaus miesto savivaldybė"); the city
                # name column has the nominative.
                # Elsewhere that column can name a group ("Greater Alkmaar"): not used.
                if row["country"] == "LT":
                    variants = [*name_variants(city_name, row["country"]), *variants]
            seat = seat_name(national, row["country"])
            if seat:
                variants = [*variants, seat]
            name = variants[0]
            names = tuple(dict.fromkeys(n for n in (*variants, national, latin) if n))
            found.append(
                Lau(
                    code=row["gisco_id"] or f"{row['country']}_{row['lau_code']}",
                    country=_ISO.get(row["country"], row["country"]),
                    name=name,
                    official=national,
                    names=names,
                    population=_positive_int(row["population"]),
                    nuts3=row["code_2016"] if row["code_2016"] not in ("", "NA") else "",
                    area_km2=_positive_float(row["total_area_m2"]),
                )
            )
    return _name_rural_gminas(_areas_in_km2(found))


#: A country whose median municipal area is under this many is written in km2, not m2
#: (Germany, Denmark, Finland and Turkey are, although the column says m2: Inari 17,333.65).
_KM2_MEDIAN_BELOW = 100_000.0


def _areas_in_km2(laus: list[Lau]) -> list[Lau]:
    """The LAUs with their areas in km2, by each country's unit (:data:`_KM2_MEDIAN_BELOW`)."""
    by_country: dict[str, list[float]] = {}
    for lau in laus:
        if lau.area_km2:
            by_country.setdefault(lau.country, []).append(lau.area_km2)
    in_m2 = {c for c, areas in by_country.items()
             if sorted(areas)[len(areas) // 2] >= _KM2_MEDIAN_BELOW}  # fmt: skip
    return [replace(lau, area_km2=lau.area_km2 / 1e6) if lau.country in in_m2 else lau
            for lau in laus]  # fmt: skip


def _name_rural_gminas(laus: list[Lau]) -> list[Lau]:
    """Tell a Polish rural gmina from the town of its name.

    A rural gmina often bears the name of the town it surrounds, which is a gmina of its own
    (Suwałki: the town of 69,827 and the rural gmina of 7,682 around it): two municipalities
    of one name in one NUTS 3 region. The larger in area is the rural one; it is shown as
    "Suwałki (rural gmina)", and the bare name stays the town's.
    """
    pairs: dict[tuple[str, str], list[int]] = {}
    for position, lau in enumerate(laus):
        if lau.country == "PL":
            pairs.setdefault((lau.nuts3, name_key(lau.name)), []).append(position)
    for positions in pairs.values():
        if len(positions) != 2:
            continue
        rural = max(positions, key=lambda p: laus[p].area_km2)
        lau = laus[rural]
        name = f"{lau.name} (rural gmina)"
        laus[rural] = replace(lau, name=name, names=(name, *lau.names[1:]))
    return laus


#: Words that say what kind of municipality an LAU is, around its name.
_PREFIXES = re.compile(r"^(?:municipiul|oraș|oraş|orasul|comuna|grad|mesto|město|gmina|miasto)\s+",
                       re.IGNORECASE)  # fmt: skip
_SUFFIXES = re.compile(
    r"\s+(?:linn|miesto savivaldybė|kommune|kommun|kaupunki|stad)$",
    re.IGNORECASE,
)
_INVERTED_ARTICLE = re.compile(
    r"^(.*),\s*(el|la|les|els|l'|los|las|lo|il|o|a|os|as|s')$", re.IGNORECASE
)


def name_variants(text: str, country: str = "") -> list[str]:
    """Names an LAU goes by, the display name first.

    "Koper/Capodistria" and "PULA - POLA" are bilingual (two names); "Municipiul Iaşi",
    "GRAD ZAGREB", "Narva linn" carry a status word; "Palmas de Gran Canaria, Las" has its
    article inverted; "Erkrath, Fundort des Neanderthalers, Stadt" ends in titles.
    """
    found: list[str] = []
    # Only Croatia writes two languages with a dash; elsewhere "Bratislava - Staré Mesto" is
    # a borough of Bratislava, not Bratislava.
    separator = r"\s*/\s*|\s+-\s+" if country == "HR" else r"\s*/\s*"
    for part in re.split(separator, text):
        name = clean_lau_name(part)
        article = _INVERTED_ARTICLE.match(name)
        if article:
            sep = "" if article.group(2).endswith("'") else " "
            name = f"{article.group(2).capitalize()}{sep}{article.group(1)}"
        elif "," in name:
            name = name.split(",", 1)[0].strip()
        name = _SUFFIXES.sub("", _PREFIXES.sub("", name)).strip() or name
        name = re.sub(r"\b(?:mestská časť|městská část|mestna četrt)\s+", "", name)
        if name.isupper() or name.islower():
            name = _title_case(name)
        if name and name not in found:
            found.append(name)
    return found or [text]


#: Lithuanian and Latvian municipalities are named in the genitive after their seat
#: ("Šilalės rajono savivaldybė", "Talsu novads"), but sources and people write the seat
#: ("Šilalė", "Talsi"). Endings to turn back, longest first, and the seats they get wrong.
_GENITIVE_ENDINGS = {
    "LT": (("ių", "iai"), ("ės", "ė"), ("os", "a"), ("ų", "ai"), ("aus", "us"), ("kio", "kis"),
           ("io", "ys"), ("o", "as")),
    "LV": (("as", "a"), ("es", "e"), ("u", "i"), ("a", "s")),
}  # fmt: skip
_IRREGULAR_SEATS = {
    "Kaišiadorių": "Kaišiadorys",
    "Švenčionių": "Švenčionys",
    "Širvintų": "Širvintos",
    "Pakruojo": "Pakruojis",
    "Cēsu": "Cēsis",
}
_MUNICIPALITY_OF = {
    "LT": re.compile(r"^(.+?)\s+(?:rajono\s+|miesto\s+)?savivaldybė$"),
    "LV": re.compile(r"^(.+?)\s+novads$"),
}


def seat_name(national: str, country: str) -> str | None:
    """The nominative name of the seat a Lithuanian or Latvian municipality is named after
    ("Šilalės rajono savivaldybė" -> "Šilalė", "Talsu novads" -> "Talsi", "Kazlų Rūdos
    savivaldybė" -> "Kazlų Rūda"); INFERRED by the regular endings (and the few irregular
    seats listed), None elsewhere or when no ending applies ("Saldus novads")."""
    pattern = _MUNICIPALITY_OF.get(country)
    found = pattern.match(national) if pattern else None
    if found is None:
        return None
    *head, last = found.group(1).split()
    if last in _IRREGULAR_SEATS:
        return " ".join([*head, _IRREGULAR_SEATS[last]])
    for genitive, nominative in _GENITIVE_ENDINGS[country]:
        if last.endswith(genitive) and len(last) > len(genitive) + 2:
            return " ".join([*head, last[: -len(genitive)] + nominative])
    return None


def clean_lau_name(text: str) -> str:
    """The common name of an LAU: "Kiel, Landeshauptstadt" -> "Kiel", "SEYHAN" -> "Seyhan"."""
    name = _TRAILING_STATUS.sub("", text).strip() or text
    if "," in name and name.split(",", 1)[1].strip().lower() in ("stadt", "st.", "gem."):
        name = name.split(",", 1)[0]
    if name.isupper():
        name = _title_case(name)
    return name.strip()


def lau_key(name: str) -> str:
    """Comparison key of an LAU name, without a bracketed tail ("Halle (Saale)" -> "halle")."""
    return name_key(_BRACKET_TAIL.sub("", name) or name)


def _title_case(text: str) -> str:
    # Turkish dotted capitals: "KARAİSALI" must become "Karaisalı", not "Karai̇sali".
    lowered = text.replace("İ", "i").replace("I", "ı") if "İ" in text else text.lower()
    lowered = lowered.lower()
    return re.sub(r"(^|[\s\-'(])(\w)", lambda m: m.group(1) + m.group(2).upper(), lowered)


def _positive_float(value: str) -> float:
    """An area of the file as written (0.0 when missing or not positive)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    return number if number > 0 else 0.0


def _positive_int(value: str) -> int | None:
    """A count of the file, rounded; None when missing or not positive."""
    try:
        number = float(value)
    except ValueError:
        return None
    return int(round(number)) if number > 0 else None
