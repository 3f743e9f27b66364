"""Build ``data/themes.json`` from the curated vocabulary in ``data/raw/themes_vocabulary.json``.

The vocabulary is hand-written content; this builder only validates it (ids, synonym form,
mapping targets, coverage of the keep.eu theme labels when the keep.eu export is present) and
writes it in a stable, sorted form so that a rebuild gives the same bytes.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from matcher.scoring.vocabulary import Vocabulary, normalise

VOCABULARY_FILE = "themes_vocabulary.json"
KEEP_EU_FILE = "keepeu_interreg_2014-2020_projects_partners_calls.xlsx"
KEEP_EU_SHEET = "Projects (lead partners)"
KEEP_EU_THEME_COLUMNS = ("Thematic1", "Thematic2", "Thematic3")
OUTPUT_FILE = "themes.json"

_THEME_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
#: Fewer synonyms leave a theme unreachable from free text; many more usually means the theme
#: is really two themes.
MIN_SYNONYMS, MAX_SYNONYMS = 5, 20
REQUIRED_MAPPING_SOURCES = ("keep.eu", "ft_keywords")


class VocabularyError(ValueError):
    """The curated vocabulary breaks one of the rules the matcher relies on."""


def build(raw_dir: Path, out_dir: Path) -> dict:
    """Validate the curated vocabulary and write ``themes.json``; return counts."""
    vocabulary_data = json.loads((raw_dir / VOCABULARY_FILE).read_text(encoding="utf-8"))
    problems = validate(vocabulary_data)
    keep_eu_path = raw_dir / KEEP_EU_FILE
    if keep_eu_path.exists():
        problems += missing_labels(
            vocabulary_data["mappings"]["keep.eu"], keep_eu_labels(keep_eu_path)
        )
    if problems:
        raise VocabularyError("invalid theme vocabulary:\n  " + "\n  ".join(problems))

    output = canonical_form(vocabulary_data)
    out_dir.mkdir(parents=True, exist_ok=True)
    text = json.dumps(output, ensure_ascii=False, indent=1) + "\n"
    (out_dir / OUTPUT_FILE).write_text(text, encoding="utf-8")
    return {
        "themes": len(output["themes"]),
        "synonyms": sum(len(theme["synonyms"]) for theme in output["themes"]),
        **{f"mapped_{source}": len(table) for source, table in output["mappings"].items()},
    }


def validate(data: dict) -> list[str]:
    """Return every rule the vocabulary breaks (empty when it is valid)."""
    problems: list[str] = []
    themes = data.get("themes") or []
    if not themes:
        return ["no themes"]
    seen_ids: set[str] = set()
    for theme in themes:
        theme_id = theme.get("id", "")
        if not _THEME_ID.match(theme_id):
            problems.append(f"theme id {theme_id!r} is not kebab-case")
        if theme_id in seen_ids:
            problems.append(f"duplicate theme id {theme_id!r}")
        seen_ids.add(theme_id)
        for key in ("label", "description"):
            if not str(theme.get(key, "")).strip():
                problems.append(f"{theme_id}: empty {key}")
        if not theme.get("sources"):
            problems.append(f"{theme_id}: no sources")
        synonyms = theme.get("synonyms") or []
        if not MIN_SYNONYMS <= len(synonyms) <= MAX_SYNONYMS:
            problems.append(
                f"{theme_id}: {len(synonyms)} synonyms, want {MIN_SYNONYMS}-{MAX_SYNONYMS}"
            )
        for synonym in synonyms:
            if synonym != synonym.strip().lower() or not normalise(synonym):
                problems.append(f"{theme_id}: synonym {synonym!r} is not a lower-case phrase")
    for source in REQUIRED_MAPPING_SOURCES:
        if source not in (data.get("mappings") or {}):
            problems.append(f"mapping {source!r} missing")
    try:
        Vocabulary.from_dict(data)
    except ValueError as error:
        problems.append(str(error))
    return problems


def keep_eu_labels(xlsx_path: Path) -> set[str]:
    """The distinct keep.eu theme labels used in the Thematic1-3 columns of the export."""
    from openpyxl import load_workbook  # data-build dependency, not needed at runtime

    workbook = load_workbook(xlsx_path, read_only=True)
    try:
        rows = workbook[KEEP_EU_SHEET].iter_rows(values_only=True)
        header = next(rows)
        columns = [header.index(name) for name in KEEP_EU_THEME_COLUMNS]
        return {str(row[c]).strip() for row in rows for c in columns if row[c]}
    finally:
        workbook.close()


def missing_labels(mapping: dict[str, list[str]], labels: set[str]) -> list[str]:
    """Problems for every data label the mapping does not cover."""
    known = {normalise(label) for label in mapping}
    return [
        f"keep.eu label {label!r} not mapped"
        for label in sorted(labels)
        if normalise(label) not in known
    ]


def canonical_form(data: dict) -> dict:
    """The published shape: themes in curated order, synonyms de-duplicated, mappings sorted."""
    themes = [
        {
            "id": theme["id"],
            "label": theme["label"],
            "description": theme["description"],
            "synonyms": list(dict.fromkeys(theme["synonyms"])),
            "sources": list(theme["sources"]),
        }
        for theme in data["themes"]
    ]
    mappings = {
        source: {
            label: list(ids)
            for label, ids in sorted(table.items(), key=lambda kv: kv[0].casefold())
        }
        for source, table in sorted(data["mappings"].items())
    }
    return {"themes": themes, "mappings": mappings}
