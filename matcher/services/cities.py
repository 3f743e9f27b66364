"""City use cases: search, listing, profile pages."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import DECLARED_PROVENANCE, City, Collaboration, ProfileKind, Theme
from matcher.scoring.names import CANDIDATE_MIN_SCORE
from matcher.services.indexes import cached

#: Name matches below this score (0-100) are not worth showing to people.
SUGGESTION_MIN_SCORE = CANDIDATE_MIN_SCORE


def _name_index(session: Session):
    from matcher.scoring.names import NameIndex

    return NameIndex().fit(repository.city_name_entries(session))


def name_index(session: Session):
    """The fuzzy name index of every city name (display, official, alternates)."""
    return cached(session, "names", _name_index, persist=True)


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
    # An exact name needs no fuzzy index (which a fresh process would have to load first).
    named = repository.cities_named(session, name_or_slug, country)
    if len(named) == 1:
        return named[0]
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


def get_city(session: Session, slug_or_id: str | int) -> City | None:
    """A city by slug or id."""
    return repository.get_city(session, slug_or_id)


def themes(session: Session) -> list[Theme]:
    """The theme vocabulary in its fixed order."""
    return repository.list_themes(session)


def data_version(session: Session) -> int:
    """The data version (bumped by every change to scoring inputs)."""
    return repository.data_version(session)


def update_declared_profile(
    session: Session, city_id: int, kind_to_weights: dict[str, dict[str, float]]
) -> City:
    """Replace the city's declared weights of each kind given (``interest`` / ``need`` /
    ``offer``) with ``{theme_id: weight}``; an empty dict withdraws that declaration, kinds
    left out stay as they are. Declared weights are recorded as "declared by the city" and
    replace a derived weight for the same theme. Raises ``LookupError`` for an unknown city
    and ``ValueError`` for a bad kind, theme or weight; nothing is written then."""
    if repository.get_city(session, city_id) is None:
        raise LookupError(f"no city with id {city_id}")
    known = repository.theme_ids(session)
    kinds = {k.value for k in ProfileKind}
    for kind, weights in kind_to_weights.items():
        if kind not in kinds:
            raise ValueError(f"unknown profile kind {kind!r}; use interest, need or offer")
        for theme, weight in weights.items():
            if theme not in known:
                raise ValueError(f"unknown theme {theme!r}")
            if not isinstance(weight, int | float) or not 0.0 <= float(weight) <= 1.0:
                raise ValueError(f"weight of {theme!r} must be a number between 0 and 1")
    try:
        for kind, weights in kind_to_weights.items():
            cleaned = {theme: float(value) for theme, value in weights.items()}
            repository.replace_declared_weights(
                session, city_id, kind, cleaned, DECLARED_PROVENANCE
            )
        repository.bump_data_version(session)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return repository.get_city(session, city_id)
