"""Partner search: "who should we team up with, and why?"

The scoring index (vectorised profiles and the ranker) is built once per process from the
database and rebuilt when the data version changes (an import bumps it).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import PURPOSES, City, Collaboration, expand_countries, fold, haversine_km
from matcher.services.indexes import cached

#: Score rows kept for pair fits (each is one float per indexed city).
PAIR_FIT_CACHE_SIZE = 512
#: Answered queries kept per index: a city's partner page is asked for again and again (the
#: tab, the API, paging through filters), and the answer only changes with the data, which
#: replaces the whole index.
RESULT_CACHE_SIZE = 2048
GEOGRAPHY_CHOICES = ("any", "near", "far", "different-country", "cross-border")


class PartnerQueryError(ValueError):
    """A partner query with an invalid option; the message says which and why."""


@dataclass(frozen=True)
class PartnerQuery:
    """What the city officer asks for; every filter is hard and applies before ranking."""

    top: int = 10
    theme_focus: tuple[str, ...] = ()
    geography: str = "any"
    countries: tuple[str, ...] = ()
    exclude_countries: tuple[str, ...] = ()
    country_sets: tuple[str, ...] = ()
    size_bands: tuple[str, ...] = ()
    max_distance_km: float | None = None
    exclude_ids: tuple[int, ...] = ()
    #: The partnership's purpose (:data:`matcher.domain.PURPOSES`); None: the weighted sum.
    purpose: str | None = "any"


@dataclass(frozen=True)
class PartnerMatch:
    """One ranked partner with its score parts and the reasons in words."""

    city: City
    score: float
    parts: dict[str, float]
    weights: dict[str, float]
    reasons: list[str]
    distance_km: float | None
    shared_collaborations: list[Collaboration] = field(default_factory=list)


class PartnerIndex:
    """Everything partner search needs in memory: cities, collaborations, the fitted ranker."""

    def __init__(self, cities, collaborations, themes):
        from matcher.scoring.partners.ranker import PartnerRanker
        from matcher.scoring.partners.vectorise import ProfileVectoriser

        self.cities = {c.id: c for c in cities}
        self.by_slug = {c.slug: c for c in cities}
        self.collaborations = {c.id: c for c in collaborations}
        self.theme_labels = {t.id: t.label for t in themes}
        self.theme_ids = [t.id for t in themes]
        self.collaborations_of: dict[int, list[Collaboration]] = defaultdict(list)
        for collaboration in sorted(collaborations, key=lambda c: -(c.start_year or 0)):
            for city_id in collaboration.member_city_ids:
                self.collaborations_of[city_id].append(collaboration)
        self.vectoriser = ProfileVectoriser().fit(
            cities, self.theme_ids, collaborations=collaborations
        )
        self.ranker = PartnerRanker().fit(self.vectoriser)
        self.row_of = {int(cid): row for row, cid in enumerate(self.ranker.city_ids_)}
        self._scores: dict[int, object] = {}
        self._results: OrderedDict[tuple, object] = OrderedDict()
        self._results_lock = threading.Lock()

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_scores"] = {}  # per-process caches, not part of the index
        state["_results"] = OrderedDict()
        del state["_results_lock"]
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._results_lock = threading.Lock()

    def remembered(self, key: tuple):
        """An earlier answer to the same query, if still kept."""
        with self._results_lock:
            found = self._results.get(key)
            if found is not None:
                self._results.move_to_end(key)
            return found

    def remember(self, key: tuple, value) -> None:
        with self._results_lock:
            self._results[key] = value
            while len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)

    def pair_fit(self, a: City, b: City) -> float:
        """How well ``b`` fits as a partner of ``a`` (the engine's score with default
        settings), for the consortium builder; one scoring pass per ``a``, cached."""
        scores = self._scores.get(a.id)
        if scores is None:
            from matcher.scoring.partners.ranker import combine

            parts, active = self.ranker.score_parts(a.id)
            scores = combine(parts, self.ranker.effective_weights(active))
            if len(self._scores) >= PAIR_FIT_CACHE_SIZE:
                self._scores.clear()  # bounded memory: a consortium search needs ~100 rows
            self._scores[a.id] = scores
        return float(scores[self.row_of[b.id]])

    def experience(self, city_id: int) -> tuple[Counter, int]:
        """Theme counts over the city's past projects, and how many projects it ran."""
        projects = [c for c in self.collaborations_of.get(city_id, ()) if c.kind == "project"]
        return Counter(t for c in projects for t in c.themes), len(projects)

    def common_partner_names(self, a: int, b: int) -> tuple[list[str], list[str]]:
        """Names of the strongest partners ``a`` and ``b`` have in common: those both worked
        with in a project or joint plan, and those linked to one of them only by a network
        (who must not read as "worked with")."""
        worked, networked = [], []
        for z in self.ranker.common_partners(a, b):
            if z not in self.cities:
                continue
            together = all(any(c.kind != "network" for c in self.shared(x, z)) for x in (a, b))
            (worked if together else networked).append(self.cities[z].name)
        return worked, networked

    def shared(self, a: int, b: int) -> list[Collaboration]:
        """Collaborations both cities took part in, newest first."""
        mine = {c.id for c in self.collaborations_of.get(a, ())}
        return [c for c in self.collaborations_of.get(b, ()) if c.id in mine]


def _build_index(session: Session) -> PartnerIndex:
    return PartnerIndex(
        repository.all_cities(session),
        repository.all_collaborations(session),
        repository.list_themes(session),
    )


def partner_index(session: Session) -> PartnerIndex:
    """The per-process partner index for this database (rebuilt on a new data version)."""
    return cached(session, "partners", _build_index, persist=True)


def validate_query(index: PartnerIndex, query: PartnerQuery) -> None:
    """Raise :class:`PartnerQueryError` for options the ranker cannot honour."""
    from matcher.domain import SIZE_BANDS

    if not 1 <= query.top <= 200:
        raise PartnerQueryError("top must be between 1 and 200")
    if query.geography not in GEOGRAPHY_CHOICES:
        raise PartnerQueryError(f"geography must be one of: {', '.join(GEOGRAPHY_CHOICES)}")
    unknown = [t for t in query.theme_focus if t not in index.theme_labels]
    if unknown:
        raise PartnerQueryError(f"unknown theme(s): {', '.join(unknown)}")
    bands = {b[0] for b in SIZE_BANDS}
    if any(b not in bands for b in query.size_bands):
        raise PartnerQueryError(f"size band must be among: {', '.join(sorted(bands))}")
    try:
        expand_countries([*query.countries, *query.exclude_countries, *query.country_sets])
    except ValueError as exc:
        raise PartnerQueryError(str(exc)) from None
    if query.purpose is not None and query.purpose not in PURPOSES:
        raise PartnerQueryError(f"purpose must be one of: {', '.join(PURPOSES)}")
    if query.max_distance_km is not None and query.max_distance_km <= 0:
        raise PartnerQueryError("max distance must be a positive number of kilometres")


def memoised(session: Session, key: tuple, build):
    """``build()``'s value for ``key``, kept with the partner index (so dropped when the data
    changes): lets a view keep the rendered answer to a partner query, not just the ranking."""
    index = partner_index(session)
    value = index.remembered(key)
    if value is None:
        value = build()
        index.remember(key, value)
    return value


def city_named(session: Session, name: str, country: str | None = None) -> City | None:
    """The one indexed city whose display name is ``name`` (ignoring case and accents), if
    exactly one is; answers from memory, so a fresh process need not query the city."""
    wanted = fold(name)
    found = [
        c for c in partner_index(session).cities.values()
        if fold(c.name) == wanted and (country is None or c.country == country)
    ]  # fmt: skip
    return found[0] if len(found) == 1 else None


def city_by_slug(session: Session, slug: str) -> City | None:
    """A city from the in-memory index (no database round trip), None if unknown."""
    return partner_index(session).by_slug.get(slug)


def find_partners(session: Session, city: City, query: PartnerQuery) -> list[PartnerMatch]:
    """Ranked partners for ``city`` with the parts of every score and reasons in words."""
    index = partner_index(session)
    key = (city.id, query)
    cached_matches = index.remembered(key)
    if cached_matches is not None:
        return list(cached_matches)
    validate_query(index, query)
    if city.id not in index.cities:
        raise PartnerQueryError(f"{city.name} is not in the partner index yet")
    matches = _rank(index, city, query)
    index.remember(key, matches)
    return list(matches)


def _rank(index: PartnerIndex, city: City, query: PartnerQuery) -> list[PartnerMatch]:
    result = index.ranker.rank(
        city.id,
        query.top,
        theme_focus=query.theme_focus or None,
        geography=query.geography,
        countries=query.countries or None,
        exclude_countries=query.exclude_countries or None,
        country_sets=query.country_sets or None,
        size_bands=query.size_bands or None,
        max_distance_km=query.max_distance_km,
        exclude_ids=query.exclude_ids,
        purpose=query.purpose,
    )
    return [
        _match(index, city, int(cid), float(score), result, position, query)
        for position, (cid, score) in enumerate(zip(result.ids, result.scores, strict=True))
    ]


def _match(index, city, candidate_id, score, result, position, query) -> PartnerMatch:
    from matcher.scoring.partners.explain import explain_match

    candidate = index.cities[candidate_id]
    parts = {name: float(values[position]) for name, values in result.parts.items()}
    weights = result.weights
    contributions = None
    if result.contributions is not None:
        contributions = {k: float(v[position]) for k, v in result.contributions.items()}
        # Per candidate, weight x value = the part's exact contribution (logit units; the
        # bars show the parts that raised the score).
        weights = {k: (contributions.get(k, 0.0) / v if v > 0 else 0.0)
                   for k, v in parts.items()}  # fmt: skip
    shared = index.shared(city.id, candidate_id)
    rows = index.vectoriser.rows_of([city.id, candidate_id])
    worked_with, network_partners = index.common_partner_names(city.id, candidate_id)
    reasons = explain_match(
        city,
        candidate,
        parts,
        weights=weights,
        theme_labels=index.theme_labels,
        geography=query.geography,
        theme_focus=query.theme_focus,
        shared_collaborations=shared,
        candidate_collaborations=index.collaborations_of.get(candidate_id, []),
        shared_terms=index.vectoriser.top_shared_terms(int(rows[0]), int(rows[1])),
        common_partners=worked_with,
        network_partners=network_partners,
        contributions=contributions,
    )
    return PartnerMatch(
        city=candidate,
        score=score,
        parts=parts,
        weights=weights,
        reasons=[r.text for r in reasons],
        distance_km=_distance(city, candidate),
        shared_collaborations=shared,
    )


def _distance(a: City, b: City) -> float | None:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return None
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


def parse_list(value: str | Collection[str] | None) -> tuple[str, ...]:
    """Comma-separated text or a list as a tuple of non-empty, stripped items."""
    if not value:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    return tuple(item.strip() for item in items if item and item.strip())
