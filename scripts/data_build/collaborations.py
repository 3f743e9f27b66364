"""Build ``data/collaborations.csv``, ``data/collaboration_members.csv`` and ``data/profiles.csv``.

Every row has a ``kind``. A ``project`` is a real project with at least one seeded city among
its municipal partners (see :mod:`scripts.data_build.municipal` for what counts as municipal).
One with a single seeded city is no partnership between cities, but it is the city's real
experience on the project's themes; the matcher counts partnerships (two or more) apart:

- keep.eu Interreg 2014-2020 projects: title, programme, description (English when given,
  else the first language), start and end years, and themes mapped from the project's
  Thematic1-3 labels through ``themes.json`` ``mappings["keep.eu"]``.
- CORDIS Horizon Europe participations: the file has no project titles or topics, so the
  title is the project acronym and themes, description and years stay empty.

Covenant of Mayors supporter networks and territorial coordinators (kind ``network``) and
joint action plans (kind ``joint-plan``) of the seeded signatories come from
:mod:`scripts.data_build.covenant_networks`.

Run after the themes and cities builders; profiles are derived here from the projects only
(the Covenant groupings would count the cities' commitments a second time).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path

from matcher.scoring.vocabulary import Vocabulary
from scripts.data_build.cities import COM_FILE
from scripts.data_build.common import (
    collapse_whitespace,
    load_text_confirmed,
    load_theme_mappings,
    read_csv_records,
    read_xlsx_records,
    write_csv,
)
from scripts.data_build.covenant_networks import (
    COVENANT_SOURCE,
    network_collaborations,
    seeded_signatories,
)
from scripts.data_build.municipal import CityMatcher, CityRef
from scripts.data_build.partners import (
    CORDIS_FILE,
    CORDIS_SOURCE,
    KEEP_FILE,
    KEEP_SOURCE,
    Member,
    municipal_members,
    read_partners,
)
from scripts.data_build.profiles import derive_profiles

COLLABORATION_HEADER = (
    "ref", "source", "kind", "title", "programme", "themes", "description", "start_year",
    "end_year",
)  # fmt: skip
PROJECT = "project"
MEMBER_HEADER = ("collaboration_ref", "city_slug", "organisation", "role")
PROFILE_HEADER = ("city_slug", "kind", "theme_id", "weight", "provenance")
KEEP_THEME_COLUMNS = ("Thematic1", "Thematic2", "Thematic3")
#: When one organisation is listed twice in a project, the stronger role wins.
_ROLE_RANK = {"lead": 0, "coordinator": 0, "partner": 1, "participant": 1,
              "associated_partner": 2, "third_party": 3}  # fmt: skip


def build(raw_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the collaboration, member and profile files; returns counts."""
    theme_ids, keep_mapping = load_theme_mappings(out_dir)
    cities = read_csv_records(out_dir / "cities.csv")
    matcher = CityMatcher(
        CityRef(
            key=c["slug"],
            country=c["country"],
            name=c["name"],
            other_names=(c["official_name"], *filter(None, c["alt_names"].split("|"))),
            nuts=c["nuts"],
            population=int(c["population"]) if c["population"] else None,
        )
        for c in cities
    )
    projects = municipal_members(read_partners(raw_dir), matcher)
    keep_details = _keep_projects(raw_dir / KEEP_FILE, keep_mapping, *load_text_confirmed(out_dir))
    cordis_acronyms = _cordis_acronyms(raw_dir / CORDIS_FILE)
    keep_refs = _keep_refs(keep_details)

    collaborations: list[tuple] = []
    members: dict[tuple[str, str], tuple[set[str], str]] = {}
    for (source, project), project_members in projects.items():
        if source == KEEP_SOURCE:
            ref = keep_refs[project]
            title, programme, themes, description, start, end = keep_details[project]
        else:
            ref = f"cordis:{project[1]}"
            title, programme, themes, description, start, end = (
                cordis_acronyms.get(project[1], project[1]),
                "Horizon Europe",
                [],
                "",
                None,
                None,
            )
        collaborations.append(
            (ref, source, PROJECT, title, programme, themes, description, start, end)
        )
        _add_members(members, ref, project_members)
    member_rows = [
        (ref, city, "; ".join(sorted(organisations)), role)
        for (ref, city), (organisations, role) in members.items()
    ]

    signatories = seeded_signatories(read_xlsx_records(raw_dir / COM_FILE, "1"), cities)
    networks, network_members = network_collaborations(signatories, theme_ids)
    collaborations = sorted([*collaborations, *networks], key=lambda row: row[0])
    member_rows = sorted([*member_rows, *network_members])
    profiles = derive_profiles(
        *project_profile_inputs(collaborations, member_rows), cities, theme_ids
    )
    counts = {
        "collaborations": write_csv(
            out_dir / "collaborations.csv", COLLABORATION_HEADER, collaborations
        ),
        "collaboration_members": write_csv(
            out_dir / "collaboration_members.csv", MEMBER_HEADER, member_rows
        ),
        "profiles": write_csv(out_dir / "profiles.csv", PROFILE_HEADER, profiles),
    }
    by_source = Counter(row[1] for row in collaborations)
    counts["collaborations_keep_eu"] = by_source[KEEP_SOURCE]
    counts["collaborations_cordis"] = by_source[CORDIS_SOURCE]
    counts["collaborations_covenant"] = by_source[COVENANT_SOURCE]
    for prefix, n in sorted(Counter(row[0].split(":")[0] for row in networks).items()):
        counts[f"collaborations_{prefix}"] = n
    for kind, n in sorted(Counter(row[2] for row in collaborations).items()):
        counts[f"collaborations_kind_{kind}"] = n
    counts["member_cities"] = len({row[1] for row in member_rows})
    counts["cities_with_profile"] = len({row[0] for row in profiles})
    return counts


def project_profile_inputs(
    collaborations: list[tuple], members: list[tuple]
) -> tuple[list[tuple], list[tuple]]:
    """The rows :func:`derive_profiles` reads: projects only, without the ``kind`` cell.

    Covenant networks and joint plans are left out: the commitments they stand for already
    weigh in the profiles directly.
    """
    projects = [(row[0], row[1], *row[3:]) for row in collaborations if row[2] == PROJECT]
    refs = {row[0] for row in projects}
    return projects, sorted(row for row in members if row[0] in refs)


def _add_members(members: dict, ref: str, project_members: list[Member]) -> None:
    """One member row per (project, city): a city that took part through two of its bodies
    (the municipality and a municipal department, say) is one member with both names."""
    for member in project_members:
        key = (ref, member.city_key)
        role = member.partner.role
        organisations, best = members.get(key, (set(), role))
        organisations.add(member.partner.organisation)
        if _ROLE_RANK[role] < _ROLE_RANK[best]:
            best = role
        members[key] = (organisations, best)


def _keep_projects(
    path: Path,
    keep_mapping: dict[str, list[str]],
    if_text: dict[str, list[str]] | None = None,
    vocabulary: Vocabulary | None = None,
) -> dict[tuple[str, str], tuple]:
    """(programme, acronym) -> (title, programme, themes, description, start, end). A theme
    of ``if_text`` (label -> theme ids a broad label covers only in part) is the project's
    only where its title or description names it (a synonym in ``vocabulary``)."""
    details = {}
    for row in read_xlsx_records(path, "Projects (lead partners)"):
        programme = collapse_whitespace(row["Programme"])
        acronym = collapse_whitespace(row["Acronym"])
        title = next(
            (
                collapse_whitespace(row.get(col))
                for col in ("Project Name", "Project Name language 2", "Project Name language 3")
                if collapse_whitespace(row.get(col))
            ),
            acronym,
        )
        description = collapse_whitespace(row.get("Description EN")) or collapse_whitespace(
            row.get("Description 1")
        )
        labels = [collapse_whitespace(row.get(col)) for col in KEEP_THEME_COLUMNS]
        text = f"{title}. {description}"
        themes = project_themes(labels, text, keep_mapping, if_text, vocabulary)
        start, end = _year(row.get("Project start")), _year(row.get("Project end"))
        # The sheet repeats a few projects row for row; the first row stands.
        details.setdefault(
            (programme, acronym), (title, programme, themes, description, start, end)
        )
    return details


def project_themes(
    labels: list[str],
    text: str,
    keep_mapping: dict[str, list[str]],
    if_text: dict[str, list[str]] | None = None,
    vocabulary: Vocabulary | None = None,
) -> list[str]:
    """A keep.eu project's theme ids from its theme ``labels``: each label's mapped themes,
    and those it covers only in part (``if_text``) where the project's ``text`` names them
    (a synonym of the theme in ``vocabulary``): a moor park filed under 'Sustainable
    management of natural resources' is not a circular-economy project."""
    named = set(vocabulary.themes_in_text(text)) if vocabulary and if_text else set()
    themes: list[str] = []
    for label in labels:
        confirmed = [tid for tid in (if_text or {}).get(label, []) if tid in named]
        for theme_id in [*keep_mapping.get(label, []), *confirmed]:
            if theme_id not in themes:
                themes.append(theme_id)
    return themes


def _keep_refs(details: dict[tuple[str, str], tuple]) -> dict[tuple[str, str], str]:
    """``keep:<acronym>``; an acronym used in several programmes gets ``-2``, ``-3``... in
    programme order, decided over the whole file so a ref never depends on the seeded cities."""
    by_acronym: dict[str, list[str]] = defaultdict(list)
    for programme, acronym in details:
        by_acronym[acronym].append(programme)
    refs = {}
    for acronym, programmes in by_acronym.items():
        for index, programme in enumerate(sorted(programmes)):
            suffix = "" if index == 0 else f"-{index + 1}"
            refs[(programme, acronym)] = f"keep:{acronym}{suffix}"
    return refs


def _cordis_acronyms(path: Path) -> dict[str, str]:
    return {
        row["projectID"].strip(): collapse_whitespace(row["projectAcronym"])
        for row in read_csv_records(path)
    }


def _year(value: object) -> int | None:
    match = re.match(r"\s*(\d{4})", str(value or ""))
    return int(match.group(1)) if match else None


def main() -> None:
    """Rebuild the collaboration files from ``data/raw`` and ``data/cities.csv``."""
    root = Path(__file__).resolve().parents[2]
    print(build(root / "data" / "raw", root / "data"))


if __name__ == "__main__":
    main()
