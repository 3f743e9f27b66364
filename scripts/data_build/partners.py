"""Read project partners from keep.eu and CORDIS into one shape, and link them to cities.

Both the cities builder (which adds every in-band city that really collaborated) and the
collaborations builder (which records the projects) use :func:`read_partners` and
:func:`municipal_members`, so the two always agree on who took part.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from scripts.data_build.common import (
    collapse_whitespace,
    country_code,
    read_csv_records,
    read_xlsx_records,
)
from scripts.data_build.municipal import CityMatcher

KEEP_FILE = "keepeu_interreg_2014-2020_projects_partners_calls.xlsx"
CORDIS_FILE = "cordis_he_organization_PUB_or_municipal_2024-05.csv"
KEEP_SOURCE = "keep.eu Interreg 2014-2020"
CORDIS_SOURCE = "CORDIS Horizon Europe"
#: CORDIS role -> our role. Associated partners and third parties are not beneficiaries.
CORDIS_ROLES = {
    "coordinator": "coordinator",
    "participant": "participant",
    "associatedPartner": "associated_partner",
    "thirdParty": "third_party",
}
#: A Covenant grouping (network, joint plan) needs at least this many distinct seeded cities.
MIN_MEMBER_CITIES = 2


@dataclass(frozen=True, slots=True)
class PartnerRow:
    """One organisation's participation in one project, as the source lists it."""

    source: str
    project: tuple[str, str]  # keep.eu: (programme, acronym); CORDIS: ("", projectID)
    organisation: str
    town: str
    country: str | None
    role: str  # keep.eu: lead / partner; CORDIS: one of CORDIS_ROLES' values
    public_body: bool
    nuts: str


def read_partners(raw_dir: Path) -> list[PartnerRow]:
    """All partner rows of the keep.eu and CORDIS files, in file order."""
    return [
        *_read_keep_partners(raw_dir / KEEP_FILE),
        *_read_cordis_partners(raw_dir / CORDIS_FILE),
    ]


def _read_keep_partners(path: Path) -> Iterable[PartnerRow]:
    for row in read_xlsx_records(path, "Partners"):
        code_label = collapse_whitespace(row.get("Country code"))
        country = country_code(code_label[:2]) or country_code(
            collapse_whitespace(row.get("Country"))
        )
        nuts3 = collapse_whitespace(row.get("NUTS3 (or equivalent)")).split(" / ")[0].strip()
        yield PartnerRow(
            source=KEEP_SOURCE,
            project=(collapse_whitespace(row["Programme"]), collapse_whitespace(row["Acronym"])),
            organisation=collapse_whitespace(row.get("Project Partner")),
            town=collapse_whitespace(row.get("Town")),
            country=country,
            role="lead" if collapse_whitespace(row.get("Lead Partner")) == "Yes" else "partner",
            # "n/a" is kept: some municipalities lack the field, and the name test still applies.
            public_body=collapse_whitespace(row.get("Legal Status")).lower() != "private",
            nuts=nuts3,
        )


def _read_cordis_partners(path: Path) -> Iterable[PartnerRow]:
    for row in read_csv_records(path):
        yield PartnerRow(
            source=CORDIS_SOURCE,
            project=("", row["projectID"].strip()),
            organisation=collapse_whitespace(row["name"]),
            town=collapse_whitespace(row["city"]),
            country=country_code(row["country"]),
            role=CORDIS_ROLES.get(row["role"], "participant"),
            public_body=row["activityType"] not in ("PRC", "HES", "REC"),
            nuts=row["nutsCode"].strip(),
        )


@dataclass(frozen=True, slots=True)
class Member:
    """A partner row linked to a city key."""

    city_key: str
    partner: PartnerRow


def municipal_members(
    partners: Iterable[PartnerRow], matcher: CityMatcher
) -> dict[tuple[str, tuple[str, str]], list[Member]]:
    """Projects with at least one matched municipal partner. A project a city ran with
    universities and agencies but no other municipality is no partnership between cities, but
    it is real experience on its themes (the matcher counts partnerships apart:
    :attr:`matcher.domain.Collaboration.is_partnership`).

    Returns ``(source, project) -> members`` in partner-file order.
    """
    by_project: dict[tuple[str, tuple[str, str]], list[Member]] = defaultdict(list)
    for partner in partners:
        if not partner.public_body or partner.country is None:
            continue
        city_key = matcher.match_partner(partner.country, partner.town, partner.organisation,
                                         partner.nuts)  # fmt: skip
        if city_key is not None:
            by_project[(partner.source, partner.project)].append(Member(city_key, partner))
    return dict(by_project)
