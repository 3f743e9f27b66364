"""City use cases: search, listing, profile pages."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import (
    DECLARED_PROVENANCE,
    City,
    Collaboration,
    ProfileKind,
    Theme,
    normalise_country,
)
from matcher.scoring.names import CANDIDATE_MIN_SCORE
from matcher.services.indexes import PROFILE_SCOPE, cached, unaffected_by

#: Name matches below this score (0-100) are not worth showing to people.
SUGGESTION_MIN_SCORE = CANDIDATE_MIN_SCORE


def _name_index(session: Session):
    from matcher.scoring.names import NameIndex

    return NameIndex().fit(repository.city_name_entries(session))


def name_index(session: Session):
    """The fuzzy name index of every city name (display, official, alternates)."""
    # Names do not change with a declared profile: such a write keeps this index.
    return cached(session, "names", _name_index, persist=True, update=unaffected_by(PROFILE_SCOPE))


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
    # The cities come from the in-memory index (no query, no ORM objects per hit).
    from matcher.services.partners import partner_index

    cities = partner_index(session).cities
    return [CityHit(cities[m.city_id], m.name, m.score) for m in matches if m.city_id in cities]


#: A misspelt name is suggested from this score (0-100) up: a close typo ("Szeget" -> Szeged),
#: never an unrelated city ("Linz" -> Liège scores 75).
CLOSE_TYPO_SCORE = 80.0


@dataclass(frozen=True)
class CityLookup:
    """What a typed name or slug resolved to, and in words what was done.

    ``status``: ``found`` (one city has that name, slug or other name), ``ambiguous`` (several
    cities have it: ``candidates`` lists them, none is picked), ``suggestions`` (no city has it;
    ``candidates`` are real other names or close typos) or ``not_found``.
    """

    query: str
    status: str
    city: City | None = None
    matched_name: str = ""
    candidates: tuple[CityHit, ...] = ()

    @property
    def message(self) -> str:
        """One sentence saying what the lookup did."""
        if self.status == "found" and self.city is not None:
            label = _label(self.city)
            if self.matched_name and _key(self.matched_name) not in (
                _key(self.city.name),
                _key(self.city.slug),
            ):
                return f"{label}, found by its other name “{self.matched_name}”"
            return label
        listed = [_label(hit.city) for hit in self.candidates]
        if self.status == "ambiguous":
            return (
                f"“{self.query}” names {len(listed)} cities: {'; '.join(listed)}. "
                "Say which one (its slug, or a country)."
            )
        if self.status == "suggestions":
            return f"No city called “{self.query}”; did you mean {' or '.join(listed)}?"
        return f"No city called “{self.query}”."


def _key(text: str) -> str:
    from matcher.scoring.names import name_key

    return name_key(text)


def _label(city: City) -> str:
    return f"{city.name} ({city.country}, {city.slug})"


def lookup_city(session: Session, text: str, *, country: str | None = None) -> CityLookup:
    """Resolve what a person typed to one city, or say why not; never a silent guess.

    A slug or a name only one city has (display, official or other name, ignoring case and
    accents) is ``found``. A name several cities have, or that begins several cities' names
    ("Frankfurt": am Main, (Oder)), is ``ambiguous``. Otherwise the closest names scoring
    :data:`CLOSE_TYPO_SCORE` or more are offered as ``suggestions``.
    """
    query = (text or "").strip()
    if not query:
        return CityLookup(query, "not_found")
    city = repository.get_city(session, query.lower())
    if city is not None and (country is None or city.country == country):
        return CityLookup(query, "found", city, city.slug)
    hits = search_cities(session, query, country=country, limit=10)
    key = _key(query)
    exact = [hit for hit in hits if _key(hit.matched_name) == key]
    if exact:
        # A display or official name outranks another city's alternate name.
        primary = [h for h in exact if key in (_key(h.city.name), _key(h.city.official_name))]
        chosen = primary or exact
        if len(chosen) == 1:
            return CityLookup(query, "found", chosen[0].city, chosen[0].matched_name)
        return CityLookup(query, "ambiguous", candidates=tuple(chosen))
    starting = [hit for hit in hits if _key(hit.matched_name).startswith(key + " ")]
    if len(starting) > 1:
        return CityLookup(query, "ambiguous", candidates=tuple(starting))
    close = [hit for hit in hits if hit.score >= CLOSE_TYPO_SCORE or hit in starting]
    if close:
        return CityLookup(query, "suggestions", candidates=tuple(close[:5]))
    return CityLookup(query, "not_found")


def find_city(session: Session, name_or_slug: str, *, country: str | None = None) -> City | None:
    """A city by slug or by a name only it has; None otherwise (see :func:`lookup_city`)."""
    city = repository.get_city(session, name_or_slug.strip().lower())
    if city:
        return city
    # An exact name needs no fuzzy index (which a fresh process would have to load first).
    named = repository.cities_named(session, name_or_slug, country)
    if len(named) == 1:
        return named[0]
    return lookup_city(session, name_or_slug, country=country).city


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


@dataclass(frozen=True)
class CountryCount:
    """How many cities a country has, how many in the default 20k-500k band, and from where."""

    country: str
    cities: int
    in_band: int
    by_population_source: dict[str, int]


def city_counts(session: Session) -> list[CountryCount]:
    """Cities per country (most first) and per population source, for the About page."""
    per_country: dict[str, dict[str, int]] = {}
    totals: dict[str, list[int]] = {}
    for country, source, n, in_band in repository.city_count_rows(session):
        # "population Eurostat LAU 2019; coordinates ..." -> "Eurostat LAU 2019"
        origin = (source or "unknown").split(";")[0].removeprefix("population ").strip()
        sources = per_country.setdefault(country, {})
        sources[origin] = sources.get(origin, 0) + n
        total = totals.setdefault(country, [0, 0])
        total[0] += n
        total[1] += in_band
    return sorted(
        (CountryCount(c, totals[c][0], totals[c][1], dict(sorted(s.items())))
         for c, s in per_country.items()),
        key=lambda count: (-count.cities, count.country),
    )  # fmt: skip


def get_city(session: Session, slug_or_id: str | int) -> City | None:
    """A city by slug or id."""
    return repository.get_city(session, slug_or_id)


#: Cities offered for an unknown slug, at most.
SLUG_SUGGESTIONS = 5


def cities_like_slug(session: Session, slug: str) -> list[City]:
    """Cities an unknown slug may have meant (a mistyped or old address: a slug follows the
    display name, which a data rebuild may clean), read as ``<country>-<name>`` and looked up
    as that name in that country (:func:`lookup_city`); none when nothing is close. Offered,
    never followed: an address must not silently lead to another city."""
    country, sep, words = (slug or "").strip().lower().partition("-")
    words = re.sub(r"-\d+$", "", words).strip("-")  # "-2": the second city of one name
    if not sep or not words:
        return []
    try:
        country = normalise_country(country)
    except ValueError:  # not a country code: no guess
        return []
    lookup = lookup_city(session, words.replace("-", " "), country=country)
    if lookup.city is not None:
        return [lookup.city]
    return [hit.city for hit in lookup.candidates[:SLUG_SUGGESTIONS]]


def themes(session: Session) -> list[Theme]:
    """The theme vocabulary in its fixed order."""
    return repository.list_themes(session)


def data_version(session: Session) -> int:
    """The data version (bumped by every change to scoring inputs), as the indexes read it
    (once per transaction; reused within the database's max age, see ``data_state``)."""
    return repository.data_state(session)[0]


def current_data_version(engine) -> int:
    """The data version as :func:`data_version` reads it, without a session: what a health
    check reports (it needs nothing else from the database)."""
    return repository.engine_data_state(engine)[0]


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
        repository.bump_data_version(session, scope=PROFILE_SCOPE, city_id=city_id)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return repository.get_city(session, city_id)
