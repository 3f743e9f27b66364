"""Domain objects -> API response models."""

from __future__ import annotations

from flask import url_for

from matcher.domain import COUNTRY_NAMES, City, Collaboration, ProfileKind, Theme
from matcher.web.api import schemas


def city_summary(city: City) -> schemas.CitySummary:
    """The short form of a city used in lists and search results."""
    return schemas.CitySummary(
        slug=city.slug,
        name=city.name,
        country=city.country,
        country_name=COUNTRY_NAMES.get(city.country, city.country),
        population=city.population,
        size_band=city.size_band,
        url=url_for("api.get_city", slug=city.slug),
        html_url=url_for("views.city", slug=city.slug),
    )


def _profile(city: City) -> schemas.Profile:
    by_kind: dict[str, list[schemas.ProfileWeight]] = {kind.value: [] for kind in ProfileKind}
    for entry in sorted(city.profile, key=lambda e: (-e.weight, e.theme_id)):
        by_kind[entry.kind.value].append(
            schemas.ProfileWeight(
                theme_id=entry.theme_id, weight=entry.weight, provenance=entry.provenance
            )
        )
    return schemas.Profile(**by_kind)


def _collaboration(collaboration: Collaboration) -> schemas.CollaborationOut:
    return schemas.CollaborationOut(
        title=collaboration.title,
        source=collaboration.source,
        source_ref=collaboration.source_ref,
        programme=collaboration.programme,
        themes=list(collaboration.themes),
        start_year=collaboration.start_year,
        end_year=collaboration.end_year,
    )


def city_detail(city: City, collaborations: list[Collaboration]) -> schemas.CityDetail:
    """A city with its reference data, weighted profiles (with provenance) and collaborations."""
    return schemas.CityDetail(
        **city_summary(city).model_dump(),
        official_name=city.official_name,
        alt_names=list(city.alt_names),
        lat=city.lat,
        lon=city.lon,
        nuts=city.nuts,
        mission_city=city.mission_city,
        commitments=list(city.commitments),
        source=city.source,
        profile=_profile(city),
        collaborations=[_collaboration(c) for c in collaborations],
    )


def theme(item: Theme) -> schemas.ThemeOut:
    return schemas.ThemeOut(
        id=item.id, label=item.label, description=item.description, synonyms=list(item.synonyms)
    )
