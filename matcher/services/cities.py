"""City use cases: search, listing, profile pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import City, Collaboration
from matcher.services.indexes import cached


def _name_index(session: Session):
    from matcher.scoring.names import NameIndex

    return NameIndex().fit(repository.city_name_entries(session))


def name_index(session: Session):
    """The fuzzy name index of every city name (display, official, alternates)."""
    return cached(session, "names", _name_index)


@dataclass(frozen=True)
class CityHit:
    """A search result: the city, the name that matched and how well."""

    city: City
    matched_name: str
    score: float


def search_cities(
    session: Session, query: str, *, country: str | None = None, limit: int = 10
) -> list[CityHit]:
    """Typo-tolerant search by name; best first."""
    query = (query or "").strip()
    if not query:
        return []
    matches = name_index(session).search(query, country=country, limit=limit)
    cities = {c.id: c for c in repository.get_cities(session, [m.city_id for m in matches])}
    return [CityHit(cities[m.city_id], m.name, m.score) for m in matches if m.city_id in cities]


def find_city(session: Session, name_or_slug: str, *, country: str | None = None) -> City | None:
    """A city by slug, or by the best name match when it is clear; None otherwise."""
    city = repository.get_city(session, name_or_slug.strip().lower())
    if city:
        return city
    resolution = name_index(session).resolve(name_or_slug, country=country)
    if resolution.status in ("exact", "fuzzy"):
        return repository.get_city(session, resolution.city_id)
    return None


def list_cities(
    session: Session, *, country: str | None = None, page: int = 1, per_page: int = 50
) -> tuple[list[City], int]:
    """One page of cities by name and the total."""
    page = max(page, 1)
    return repository.page_cities(
        session, country=country, offset=(page - 1) * per_page, limit=per_page
    )


def city_collaborations(session: Session, city_id: int) -> list[Collaboration]:
    return repository.collaborations_of_city(session, city_id)


def stats(session: Session) -> dict[str, int]:
    """Counts of what the database holds."""
    return {
        "cities": repository.count_cities(session),
        "collaborations": repository.count_collaborations(session),
        "calls": repository.count_calls(session),
        "themes": len(repository.theme_ids(session)),
        "data_version": repository.data_version(session),
    }
