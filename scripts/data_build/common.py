"""Helpers shared by the seed-data builders: slugs, text keys, CSV/xlsx I/O, country labels.

Every writer here is deterministic: rows are sorted by the caller's key and written with
``\\n`` line endings, so that rebuilding from the same raw files gives the same bytes.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from matcher.domain import COUNTRY_NAMES, EEA, fold, normalise_country
from matcher.scoring.vocabulary import Vocabulary

#: Countries whose municipalities the seed covers: the EEA, Switzerland, the UK, the European
#: micro-states, the Western Balkans, the Eastern Partnership and Türkiye (Council of Europe
#: members). Signatories in North Africa, the Middle East and Central Asia are left out.
_OTHER_EUROPEAN = "CH GB AD MC SM VA AL BA ME MK RS XK MD UA BY TR GE AM AZ"
EUROPEAN_COUNTRIES: frozenset[str] = EEA | frozenset(_OTHER_EUROPEAN.split())

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def name_key(text: str) -> str:
    """Folded comparison key: lower case, no diacritics, non-alphanumeric runs as one space."""
    return _NON_ALNUM.sub(" ", fold(text)).strip()


def slug_base(name: str, country: str) -> str:
    """``<country lower>-<folded name with non-alnum runs as '-'>``, e.g. ``fi-jyvaskyla``."""
    return f"{country.lower()}-{name_key(name).replace(' ', '-')}"


def assign_unique_slugs(items: Sequence[tuple[str, str]]) -> list[str]:
    """Slugs for ``(name, country)`` pairs in the given order; collisions get ``-2``, ``-3``...

    The caller fixes the order (e.g. by population, then source id) so the suffixes are
    deterministic.
    """
    taken: set[str] = set()
    slugs: list[str] = []
    for name, country in items:
        base = slug_base(name, country)
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        slugs.append(slug)
    return slugs


def strip_diacritics(text: str) -> str:
    """``text`` without accents, keeping its case ("Jyväskylä" -> "Jyvaskyla")."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(
        str.maketrans(
            {
                "ß": "ss",
                "ø": "o",
                "Ø": "O",
                "ł": "l",
                "Ł": "L",
                "đ": "d",
                "Đ": "D",
                "æ": "ae",
                "Æ": "AE",
                "œ": "oe",
                "Œ": "OE",
                "ı": "i",
                "þ": "th",
                "Þ": "Th",
                "ð": "d",
                "Ð": "D",
            }
        )  # fmt: skip
    )


def is_latin_script(text: str) -> bool:
    """True when every letter of ``text`` is Latin (accents allowed)."""
    return all(
        not ch.isalpha() or "LATIN" in unicodedata.name(ch, "")
        for ch in unicodedata.normalize("NFC", text)
    )


def collapse_whitespace(text: Any) -> str:
    """``str(text)`` with runs of whitespace as one space; ``None`` becomes ``""``."""
    return " ".join(str(text).split()) if text is not None else ""


# --------------------------------------------------------------------------- countries

_COUNTRY_BY_NAME: dict[str, str] = {name_key(name): code for code, name in COUNTRY_NAMES.items()}
_COUNTRY_BY_NAME.update(
    {
        "czech republic": "CZ",
        "turkey": "TR",
        "the netherlands": "NL",
        "former yugoslav republic of macedonia": "MK",
        "macedonia": "MK",
        "republic of moldova": "MD",
        "russian federation": "RU",
        "greenland": "GL",
        "slovak republic": "SK",
    }
)


def country_code(label: str) -> str | None:
    """ISO alpha-2 code for a code (``EL``, ``uk``) or an English country name, else ``None``."""
    text = collapse_whitespace(label)
    if not text:
        return None
    if len(text) == 2:
        try:
            return normalise_country(text)
        except ValueError:
            return None
    return _COUNTRY_BY_NAME.get(name_key(text))


# --------------------------------------------------------------------------- display names


def _fallback_clean_display_name(official: str, country: str | None = None) -> str:
    """Minimal display-name cleaner used until ``matcher.scoring.names`` exists."""
    text = collapse_whitespace(official)
    text = re.sub(r"\s+20[3-5]0$", "", text)  # "Beveren 2030": a campaign label, not the name
    for prefix in (
        "Comune di ", "Città di ", "Citta di ", "Gemeente ", "Stadt ", "Landeshauptstadt ",
        "Ville de ", "Ville d'", "Ayuntamiento de ", "Concello de ", "Ajuntament de ",
        "Municipality of ", "City of ", "Grad ", "Dimos ", "Municipio de ", "Câmara Municipal de ",
    ):  # fmt: skip
        if text.lower().startswith(prefix.lower()) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    text = re.sub(
        r"\s+(Megyei Jogú Város|Városi Önkormányzat|Város Önkormányzata|Municipality|City Council"
        r"|Kommune|kommun|kaupunki)$",
        "",
        text,
        flags=re.IGNORECASE,
    )
    if text.isupper() or text.islower():
        text = re.sub(
            r"[^\W\d_]+('[^\W\d_]+)?",
            lambda m: m.group(0)[0].upper() + m.group(0)[1:].lower(),
            text,
        )
    return text


def clean_display_name(official: str, country: str | None = None) -> str:
    """Display name for an official name; delegates to ``matcher.scoring.names`` when present."""
    try:
        from matcher.scoring.names import clean_display_name as shared_cleaner
    except ImportError:
        return _fallback_clean_display_name(official, country)
    return shared_cleaner(official, country)


def display_name_cleaner_origin() -> str:
    """Which cleaner :func:`clean_display_name` uses, for the build report."""
    try:
        from matcher.scoring.names import clean_display_name  # noqa: F401
    except ImportError:
        return "local fallback (scripts.data_build.common)"
    return "matcher.scoring.names.clean_display_name"


# --------------------------------------------------------------------------- file I/O


def read_xlsx_records(path: Path, sheet: str) -> list[dict[str, Any]]:
    """Rows of one xlsx sheet as dicts keyed by the header row."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook[sheet].iter_rows(values_only=True)
        header = [str(h) if h is not None else "" for h in next(rows)]
        return [
            dict(zip(header, row, strict=False)) for row in rows if any(v is not None for v in row)
        ]
    finally:
        workbook.close()


def read_csv_records(path: Path) -> list[dict[str, str]]:
    """Rows of a UTF-8 CSV file as dicts."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write rows (already in their final order) as UTF-8 CSV; returns the row count.

    ``None`` is written as an empty cell, booleans as ``true``/``false``, lists joined by ``|``;
    callers round floats first so that the text is stable.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
    return count


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return str(value)


def _themes_data(out_dir: Path) -> dict:
    """``out_dir/themes.json``; ``FileNotFoundError`` with a hint when the themes builder has
    not run yet."""
    path = out_dir / "themes.json"
    if not path.exists():
        raise FileNotFoundError(f"{path} is missing: run the themes builder first")
    return json.loads(path.read_text(encoding="utf-8"))


def load_theme_mappings(out_dir: Path) -> tuple[set[str], dict[str, list[str]]]:
    """Theme ids and the keep.eu label -> theme ids mapping from ``out_dir/themes.json``.

    Raises ``FileNotFoundError`` with a hint when the themes builder has not run yet.
    """
    data = _themes_data(out_dir)
    theme_ids = {theme["id"] for theme in data["themes"]}
    keep_mapping = {
        label: [tid for tid in ids if tid in theme_ids]
        for label, ids in data.get("mappings", {}).get("keep.eu", {}).items()
    }
    return theme_ids, keep_mapping


#: The mapping source of the themes a broad keep.eu label covers only in part
#: (``data/raw/themes_vocabulary.json``): a project gets one where its own text names it.
KEEP_IF_TEXT = "keep.eu if the text says so"


def load_text_confirmed(out_dir: Path) -> tuple[dict[str, list[str]], Vocabulary]:
    """The keep.eu label -> theme ids a project's text must confirm (:data:`KEEP_IF_TEXT`),
    and the vocabulary whose synonyms confirm them, from ``out_dir/themes.json``."""
    data = _themes_data(out_dir)
    table = data.get("mappings", {}).get(KEEP_IF_TEXT, {})
    table = {label: list(ids) for label, ids in table.items()}
    return table, Vocabulary.from_dict(data)
