"""Covenant of Mayors networks of seeded cities, as collaborations.

The JRC MyCovenant signatories file records three kinds of real groupings of signatories:

- **Covenant Supporters** (``supporter_name``): city networks and municipal associations
  (Energy Cities, Climate Alliance, EUROCITIES, national associations) that support their
  members' Covenant work. Kind ``network``, ref ``com-supporter:<folded name slug>``,
  member role ``supporter`` (the link comes from the supporter field).
- **Covenant Territorial Coordinators** (``coordinator_name``): provinces, regions and
  energy agencies that coordinate signatories. Kind ``network``, ref
  ``com-coordinator:<folded name slug>``, member role ``coordinated``.
- **Joint action plans** (``group_organisation_id`` / ``group_name``): signatories that
  submitted one plan together. Kind ``joint-plan``, ref ``com-group:<group id>``, member
  role ``member``.

A grouping becomes a collaboration when at least :data:`MIN_MEMBER_CITIES` seeded cities
belong to it; only seeded cities are members, and no city is added. Names are the file's own,
with whitespace runs collapsed; several spellings that fold to one slug are one grouping, titled
by the most frequent spelling (ties: the alphabetically first).

Themes: every Covenant commitment is about emission cuts and energy action plans, and the
Mayors Adapt commitment about adaptation (:data:`scripts.data_build.profiles.COMMITMENT_THEMES`).
A grouping carries a theme when at least :data:`THEME_MEMBER_SHARE` of its seeded members made a
commitment about that theme, so a network of 2020-only (energy plan) signatories gets
``energy-transition`` alone, and ``climate-adaptation`` appears only where most members
committed to adaptation. ``start_year`` is the earliest adhesion year among the seeded members;
``end_year`` stays empty (the groupings are ongoing).

These rows do not feed the interest profiles: the same commitments already do that directly.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from scripts.data_build.cities import COM_SOURCE
from scripts.data_build.common import collapse_whitespace, name_key
from scripts.data_build.partners import MIN_MEMBER_CITIES
from scripts.data_build.profiles import COMMITMENT_THEMES

COVENANT_SOURCE = COM_SOURCE
NETWORK = "network"
JOINT_PLAN = "joint-plan"
#: A theme is kept when at least this share of the seeded members committed to it.
THEME_MEMBER_SHARE = 0.5
#: Theme order in the ``themes`` cell.
COVENANT_THEME_ORDER: tuple[str, ...] = (
    "climate-neutrality",
    "energy-transition",
    "climate-adaptation",
)
_MISSING = {"", "-"}
_SOURCE_REF_PREFIX = "organisation_id "


@dataclass(frozen=True, slots=True)
class Signatory:
    """A seeded Covenant signatory with the groupings the file records for it."""

    city_slug: str
    organisation: str
    commitments: tuple[str, ...]
    adhesion_year: int | None
    supporters: tuple[str, ...] = ()
    coordinators: tuple[str, ...] = ()
    group_id: str | None = None
    group_name: str = ""


@dataclass(frozen=True, slots=True)
class _Grouping:
    """How one kind of grouping becomes collaboration rows."""

    ref_prefix: str
    kind: str
    programme: str
    role: str
    description: str  # formatted with {name} and {count}


SUPPORTER = _Grouping(
    "com-supporter",
    NETWORK,
    "Covenant of Mayors supporter network",
    # The signatory's "supporter_name" field names the network: the link is a supporter
    # relation (the network supports the city), recorded as role "supporter".
    "supporter",
    "Covenant of Mayors signatories supported by {name} ({count} seeded members)",
)
COORDINATOR = _Grouping(
    "com-coordinator",
    NETWORK,
    "Covenant of Mayors territorial coordinator",
    "coordinated",
    "Covenant of Mayors signatories coordinated by {name} ({count} seeded members)",
)
GROUP = _Grouping(
    "com-group",
    JOINT_PLAN,
    "Covenant of Mayors joint action plan",
    "member",
    "Covenant of Mayors signatories with a joint action plan: {name} ({count} seeded members)",
)


def seeded_signatories(
    rows: Iterable[Mapping[str, Any]], cities: Iterable[Mapping[str, str]]
) -> list[Signatory]:
    """The signatories file's rows of seeded cities (``source_ref`` ``organisation_id N``)."""
    slug_by_id = {
        match.group(1): city
        for city in cities
        if (match := re.search(_SOURCE_REF_PREFIX + r"(\d+)", city["source_ref"]))
    }
    found = []
    for row in rows:
        city = slug_by_id.get(str(row.get("organisation_id")))
        if city is None:
            continue
        group_id = _value(row.get("group_organisation_id"))
        found.append(
            Signatory(
                city_slug=city["slug"],
                organisation=collapse_whitespace(row.get("organisation_name")),
                commitments=tuple(c for c in city.get("commitments", "").split("|") if c),
                adhesion_year=getattr(row.get("date_of_adhesion"), "year", None),
                supporters=_names(row.get("supporter_name")),
                coordinators=_names(row.get("coordinator_name")),
                group_id=group_id or None,
                group_name=_value(row.get("group_name")),
            )
        )
    return found


def network_collaborations(
    signatories: Sequence[Signatory], theme_ids: set[str]
) -> tuple[list[tuple], list[tuple]]:
    """Collaboration rows and member rows for the groupings of the seeded signatories.

    Collaboration rows are ``(ref, source, kind, title, programme, themes, description,
    start_year, end_year)``; member rows ``(collaboration_ref, city_slug, organisation, role)``.
    Both are sorted.
    """
    keyed: list[tuple[_Grouping, str, str, Signatory]] = []  # (grouping, key, name, member)
    for signatory in signatories:
        for name in signatory.supporters:
            keyed.append((SUPPORTER, _slug(name), name, signatory))
        for name in signatory.coordinators:
            keyed.append((COORDINATOR, _slug(name), name, signatory))
        if signatory.group_id is not None:
            name = signatory.group_name or signatory.group_id
            keyed.append((GROUP, signatory.group_id, name, signatory))

    by_ref: dict[str, list[tuple[_Grouping, str, Signatory]]] = defaultdict(list)
    for grouping, key, name, signatory in keyed:
        if key:
            by_ref[f"{grouping.ref_prefix}:{key}"].append((grouping, name, signatory))

    collaborations: list[tuple] = []
    members: set[tuple[str, str, str, str]] = set()
    for ref, entries in by_ref.items():
        grouping = entries[0][0]
        unique = {signatory.city_slug: signatory for _, _, signatory in entries}
        if len(unique) < MIN_MEMBER_CITIES:
            continue
        title = _most_frequent(name for _, name, _ in entries)
        years = [s.adhesion_year for s in unique.values() if s.adhesion_year is not None]
        collaborations.append(
            (
                ref,
                COVENANT_SOURCE,
                grouping.kind,
                title,
                grouping.programme,
                network_themes([s.commitments for s in unique.values()], theme_ids),
                grouping.description.format(name=title, count=len(unique)),
                min(years) if years else None,
                None,
            )
        )
        members.update((ref, s.city_slug, s.organisation, grouping.role) for _, _, s in entries)
    return sorted(collaborations, key=lambda row: row[0]), sorted(members)


def network_themes(commitment_sets: Sequence[Sequence[str]], theme_ids: set[str]) -> list[str]:
    """Covenant themes that at least :data:`THEME_MEMBER_SHARE` of the members committed to."""
    if not commitment_sets:
        return []
    counts: Counter[str] = Counter()
    for commitments in commitment_sets:
        counts.update({t for c in commitments for t in COMMITMENT_THEMES.get(c, ())})
    return [
        theme
        for theme in COVENANT_THEME_ORDER
        if theme in theme_ids and counts[theme] >= THEME_MEMBER_SHARE * len(commitment_sets)
    ]


def _value(raw: Any) -> str:
    """A cell as clean text; the file's ``-`` placeholder and empty cells become ``""``."""
    text = collapse_whitespace(raw)
    return "" if text in _MISSING else text


def _names(raw: Any) -> tuple[str, ...]:
    """The ``;``-separated names of one cell, cleaned, without placeholders or repeats."""
    names = (_value(part) for part in str(raw).split(";")) if raw is not None else ()
    return tuple(dict.fromkeys(name for name in names if name))


def _slug(name: str) -> str:
    return name_key(name).replace(" ", "-")


def _most_frequent(names: Iterable[str]) -> str:
    counts = Counter(names)
    return min(counts, key=lambda name: (-counts[name], name))
