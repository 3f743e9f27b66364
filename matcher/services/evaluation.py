"""Evaluation of partner ranking against a truth file of real collaborations.

The truth file has one row per member: ``group_id,city,country,theme,year``. Cities are matched
by fuzzy name within the country; ``theme`` is a vocabulary id, several ids joined by ``|``, or
free text ("Governance / Abandoned Spaces / Culture & Heritage") mapped by synonyms.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import normalise_country
from matcher.importing.records import ImportFailed, Problem
from matcher.services.cities import name_index

TRUTH_COLUMNS = ("group_id", "city", "country", "theme", "year")


@dataclass
class TruthMatch:
    """How the truth file's rows were matched to cities and themes."""

    rows: int = 0
    matched_rows: int = 0
    unmatched: list[str] = field(default_factory=list)
    unmapped_themes: set[str] = field(default_factory=set)

    @property
    def match_rate(self) -> float:
        return self.matched_rows / self.rows if self.rows else 0.0


def vocabulary(session: Session):
    """The theme vocabulary with the curated source mappings, from the database."""
    from matcher.scoring.vocabulary import Vocabulary

    themes = repository.list_themes(session)
    data = {
        "themes": [{"id": t.id, "label": t.label, "description": t.description,
                    "synonyms": list(t.synonyms)} for t in themes],
        "mappings": repository.theme_mappings(session),
    }  # fmt: skip
    return Vocabulary.from_dict(data)


def _themes(value: str, vocab, match: TruthMatch) -> list[str]:
    found: list[str] = []
    for part in (p.strip() for p in (value or "").split("|")):
        if not part:
            continue
        ids = [part] if part in vocab else vocab.map_label("truth", part)
        if not ids:
            match.unmapped_themes.add(part)
        found += [i for i in ids if i not in found]
    return found


#: Words sources add to a town's name ("Saldus city", "Salacgrīva County", "Mihail
#: Kogalniceanu commune", "City of Cork", "Kreuzlingen 2", "Lyon Cedex 01"): tried without them
#: only when the name as given names no city.
_PLACE_WORDS = re.compile(
    r"^(?:city|town|municipality|comune|ville|gemeente|stadt|gmina|miasto) (?:of |di |de |)"
    r"|\b(?:city|town|municipality|commune|county|district|region|village|parish|novads|"
    r"pagasts|rajons|apskritis|gmina|powiat|miasto|obec|mesto|grad|opcina|općina|opština|"
    r"cedex)\b"
    r"|\b\d+\b",
    re.IGNORECASE,
)
#: A postal district letter after the town ("Aarhus C", "NYKOBING F").
_POSTAL_DISTRICT = re.compile(r"\s+[A-ZÆØÅ]{1,2}$")


def _place_variants(text: str) -> list[str]:
    """The town as the source wrote it, then each part a comma, slash, parenthesis or dash
    sets apart ("Niš, Crveni Krst"; "Birzai, Panevezys county"), each also without the
    words of :data:`_PLACE_WORDS`; in that order, without repeats."""
    variants = [text.strip()]
    for part in re.split(r"[,/()]| - ", text):
        part = part.strip()
        variants += [part, " ".join(_PLACE_WORDS.sub(" ", part).split())]
    # Without a postal district letter, tried last.
    variants += [_POSTAL_DISTRICT.sub("", v) for v in variants]
    return [v for v in dict.fromkeys(variants) if v]


def resolve_place(index, text: str, country: str | None) -> int | None:
    """The city a truth row's town names, trying :func:`_place_variants` in order: the
    first that names one city wins, and a name several cities bear exactly ("Frankfurt")
    stays unmatched rather than being guessed from a part of it."""
    for variant in _place_variants(text):
        resolution = index.resolve(variant, country=country)
        if resolution.status in ("exact", "fuzzy"):
            return resolution.city_id
        if resolution.status == "ambiguous" and all(c.exact for c in resolution.candidates):
            return None
    return None


def load_truth(session: Session, path: str | Path):
    """Read a truth file into :class:`~matcher.scoring.partners.evaluate.TruthGroup` objects."""
    from matcher.scoring.partners.evaluate import TruthGroup

    path = Path(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except FileNotFoundError:
        raise ImportFailed([Problem(path.name, 0, "", "file not found")]) from None
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in TRUTH_COLUMNS[:3] if c not in (reader.fieldnames or [])]
        if missing:
            raise ImportFailed([Problem(path.name, 1, c, "missing column") for c in missing])
        rows = list(enumerate(reader, start=2))
    index, vocab, match = name_index(session), vocabulary(session), TruthMatch()
    members: dict[str, list[int]] = defaultdict(list)
    themes: dict[str, list[str]] = defaultdict(list)
    years: dict[str, int | None] = {}
    unmatched: dict[str, int] = defaultdict(int)
    problems = []
    for line, row in rows:
        group = (row.get("group_id") or "").strip()
        if not group:
            problems.append(Problem(path.name, line, "group_id", "is required"))
            continue
        match.rows += 1
        try:
            country = normalise_country(row.get("country") or "")
        except ValueError:
            country = None
        city_id = resolve_place(index, row.get("city") or "", country)
        if city_id is not None:
            match.matched_rows += 1  # two members in one town are one member city
            if city_id not in members[group]:
                members[group].append(city_id)
        else:
            unmatched[group] += 1
            match.unmatched.append(f"{row.get('city')} ({row.get('country')})")
        for theme in _themes(row.get("theme", ""), vocab, match):
            if theme not in themes[group]:
                themes[group].append(theme)
        year = (row.get("year") or "").strip()
        years.setdefault(group, int(year) if year.isdigit() else None)
    if problems:
        raise ImportFailed(problems)
    groups = [
        TruthGroup(
            group_id=g,
            city_ids=tuple(ids),
            themes=tuple(themes[g]),
            year=years.get(g),
            unmatched=unmatched[g],
        )  # fmt: skip
        for g, ids in members.items()
    ]
    groups += [TruthGroup(g, (), (), years.get(g), n) for g, n in unmatched.items()
               if g not in members]  # fmt: skip
    return groups, match


def evaluate_truth_file(
    session: Session, path: str | Path, *, geography: str = "any", n_boot: int = 1000,
    seed: int = 0, purpose: str | None = None,
) -> dict:  # fmt: skip
    """Leave-group-out evaluation of the engine and the baselines on one truth file."""
    from matcher.scoring.partners.evaluate import evaluate

    groups, match = load_truth(session, path)
    report = evaluate(
        repository.all_cities(session),
        repository.all_collaborations(session),
        [g for g in groups if len(g.city_ids) >= 2],
        theme_ids=[t.id for t in repository.list_themes(session)],
        truth=Path(path).name,
        geography=geography,
        n_boot=n_boot,
        seed=seed,
        purpose=purpose,
    )
    report["match_rate"] = match.match_rate
    report["rows"] = match.rows
    report["unmatched_examples"] = match.unmatched[:10]
    report["unmapped_themes"] = sorted(match.unmapped_themes)[:20]
    return report
