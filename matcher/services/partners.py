"""Partner search: "who should we team up with, and why?"

The scoring index (vectorised profiles and the ranker) is built once per process from the
database. A profile write is applied to it as a delta (that city's rows recomputed; remembered
answers re-checked against the edit when next asked for); any other change rebuilds it.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field, replace

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import (
    DEFAULT_SIZE_BANDS,
    PURPOSES,
    City,
    Collaboration,
    expand_countries,
    fold,
    haversine_km,
)
from matcher.services.indexes import PROFILE_SCOPE, Change, cached

#: Score rows kept for pair fits (each is one float per indexed city).
PAIR_FIT_CACHE_SIZE = 512
#: Answered queries kept per index: a city's partner page is asked for again and again (the
#: tab, the API, paging through filters), and the answer only changes with the data.
RESULT_CACHE_SIZE = 4096
#: Profile edits remembered by an index, to re-check older answers against.
EDITS_KEPT = 256
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
    #: None ticked: :data:`matcher.domain.DEFAULT_SIZE_BANDS` (20,000-500,000); all six: any size.
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
    #: The chance that it is a real partner of the purpose's kind, held-out calibrated
    #: (:mod:`matcher.scoring.partners.calibration`); None where no real partnerships of the
    #: kind were there to calibrate on (peer exchange, a focused research list).
    chance: float | None = None


@dataclass(slots=True)
class CommonPartners:
    """The partners two cities have in common, named, by how each of the two is linked to
    them: both worked with them (a project or joint plan), both are only in a network with
    them, or one worked with them and the other is only in a network with them."""

    worked: list[str] = field(default_factory=list)
    network: list[str] = field(default_factory=list)
    query_worked: list[str] = field(default_factory=list)  # the candidate: a network only
    candidate_worked: list[str] = field(default_factory=list)  # the query: a network only

    def of(self, query_link: str, candidate_link: str) -> list[str]:
        """The list for a partner the query is linked to by ``query_link`` and the
        candidate by ``candidate_link`` ("worked" or "network")."""
        if query_link == candidate_link:
            return self.worked if query_link == "worked" else self.network
        return self.query_worked if query_link == "worked" else self.candidate_worked

    def mixed(self) -> list[tuple[str, str]]:
        """(name, who worked with it: "query" or "candidate") for the mixed links."""
        return [*((n, "query") for n in self.query_worked),
                *((n, "candidate") for n in self.candidate_worked)]  # fmt: skip


@dataclass(slots=True)
class _Answer:
    """A remembered answer, the data version it is known right for, and what it depends on.

    ``city_id`` None: no profile edit changes it (a name search). ``ranked`` None: only an
    edit of ``city_id`` does (its page, its calls). Otherwise it is a ranking for
    ``city_id``, and ``ranked`` holds the listed cities and the near misses (the only cities
    an edit of their own profile can bring into the list); ``edited`` the cities edited
    since it was ranked, each once (a second edit of the same city could add up to more
    than the near-miss margin).
    """

    value: object
    version: int
    city_id: int | None
    ranked: frozenset[int] | None = None
    edited: frozenset[int] = frozenset()


class PartnerIndex:
    """Everything partner search needs in memory: cities, collaborations, the fitted ranker."""

    def __init__(self, cities, collaborations, themes, version: int = 0):
        from matcher.scoring.partners import hubs
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
        # Hub prices are measured here, once per full fit, so a pickled index carries them
        # and a new worker does not measure them on its first request.
        hubs.prices_of(self.ranker)
        self.row_of = {int(cid): row for row, cid in enumerate(self.ranker.city_ids_)}
        #: The data version this index is at, and the cities each delta changed since
        #: ``edits_from``: what a remembered answer is checked against.
        self.version = self.edits_from = version
        self.edits: tuple[tuple[int, frozenset[int]], ...] = ()
        self._scores: dict[int, object] = {}
        self._results: OrderedDict[tuple, _Answer] = OrderedDict()
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

    def with_cities(self, cities: Collection[City], version: int) -> PartnerIndex:
        """A new index at ``version`` in which these (already indexed) cities carry their new
        records: their feature rows are recomputed by the functions the full fit uses, the
        ranker is refitted on the edited features (no database, no text fit), pair-fit rows
        are dropped and remembered answers are kept, to be re-checked when next asked for.
        This index is left as it was, for the readers still using it."""
        new = copy.copy(self)
        new.cities = {**self.cities, **{c.id: c for c in cities}}
        new.by_slug = {**self.by_slug, **{c.slug: c for c in cities}}
        new.vectoriser = self.vectoriser.refreshed(list(cities))
        if all(replace(self.cities[c.id], profile=c.profile) == c for c in cities):
            rows = self.ranker.rows_of(c.id for c in cities)
            new.ranker = self.ranker.refit_profiles(new.vectoriser, rows)
        else:
            new.ranker = copy.copy(self.ranker).fit(new.vectoriser)
            # Hub prices read no profile (matcher.scoring.partners.hubs): an edit keeps them.
            new.ranker.hub_prices_ = self.ranker.hub_prices_
        new.version = version
        edits = (*self.edits, (version, frozenset(c.id for c in cities)))
        if len(edits) > EDITS_KEPT:
            new.edits_from, edits = edits[-EDITS_KEPT - 1][0], edits[-EDITS_KEPT:]
        new.edits = edits
        new._scores = {}
        # copy.copy goes through __getstate__, which leaves the caches out: share them.
        new._results, new._results_lock = self._results, self._results_lock
        return new

    def remembered(self, key: tuple):
        """An earlier answer to the same query, if still kept and still right for the data
        this index holds."""
        found = self._entry(key)
        return None if found is None else found.value

    def _entry(self, key: tuple) -> _Answer | None:
        with self._results_lock:
            found = self._results.get(key)
            if found is None:
                return None
            self._results.move_to_end(key)
        if found.version < self.version:
            if not self._still_right(found):
                with self._results_lock:
                    if self._results.get(key) is found:
                        del self._results[key]
                return None
            found.version = self.version
        return found

    def remember(self, key: tuple, value, city_id: int, ranked: frozenset[int]) -> None:
        """Keep ``value``, an answer built from the ranking for ``city_id`` whose listed and
        near-miss cities are ``ranked``."""
        self._keep(key, _Answer(value=value, version=self.version, city_id=city_id,
                                ranked=ranked))  # fmt: skip

    def remember_local(self, key: tuple, value, city_id: int | None) -> None:
        """Keep ``value``, an answer that only an edit of ``city_id`` changes (no edit does
        when ``city_id`` is None): a city's page, its calls, a name search."""
        self._keep(key, _Answer(value=value, version=self.version, city_id=city_id))

    def _keep(self, key: tuple, answer: _Answer) -> None:
        with self._results_lock:
            self._results[key] = answer
            while len(self._results) > RESULT_CACHE_SIZE:
                self._results.popitem(last=False)

    def _still_right(self, answer: _Answer) -> bool:
        """Whether an answer remembered at an older version is unchanged by the edits since
        (and if so, record them in it).

        An edit of city x changes a ranking for q only if x is q, x is listed, or x's new
        score reaches the list; a profile is an input of no other pair's parts, and it moves
        x's own score by at most the weight of the profile parts, so x reaches the list only
        from among the near misses the ranker reported. Costs set operations, no scoring.
        """
        if answer.version < self.edits_from:
            return False  # older than the edits still recorded (or than the build)
        edited: set[int] = set()
        for version, city_ids in self.edits:
            if version > answer.version:
                if edited & city_ids:
                    return False  # one city edited twice
                edited |= city_ids
        if not edited or answer.city_id is None:
            return True
        if answer.city_id in edited:
            return False
        if answer.ranked is None:
            return True
        if not edited.isdisjoint(answer.ranked) or not edited.isdisjoint(answer.edited):
            return False
        answer.edited = answer.edited | edited
        return True

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

    def common_partner_names(self, a: int, b: int) -> CommonPartners:
        """Names of the strongest partners ``a`` and ``b`` have in common, by how each of the
        two is linked to them: a project or joint plan ("worked with") or only a network
        (which must not read as "worked with")."""
        found = CommonPartners()
        for z in self.ranker.common_partners(a, b):
            if z not in self.cities:
                continue
            links = [self._link(x, z) for x in (a, b)]
            if None in links:
                continue
            found.of(*links).append(self.cities[z].name)
        return found

    def _link(self, x: int, z: int) -> str | None:
        """How ``x`` is linked to ``z``: "worked" (a shared project or joint plan), else
        "network" (a shared network only), else None."""
        kinds = {c.kind for c in self.shared(x, z)}
        if kinds - {"network"}:
            return "worked"
        return "network" if kinds else None

    def shared(self, a: int, b: int) -> list[Collaboration]:
        """Collaborations both cities took part in, newest first."""
        mine = {c.id for c in self.collaborations_of.get(a, ())}
        return [c for c in self.collaborations_of.get(b, ()) if c.id in mine]


def _build_index(session: Session) -> PartnerIndex:
    return PartnerIndex(
        repository.all_cities(session),
        repository.all_collaborations(session),
        repository.list_themes(session),
        version=repository.data_state(session)[0],
    )


def _apply_changes(session: Session, index: PartnerIndex, changes: list[Change]):
    """The index with the changed cities' rows recomputed (profile writes only); None, so a
    rebuild follows, for anything else (a city the index does not hold, say)."""
    if any(c.scope != PROFILE_SCOPE or c.city_id not in index.cities for c in changes):
        return None
    cities = repository.get_cities(session, sorted({c.city_id for c in changes}))
    if len(cities) != len({c.city_id for c in changes}):
        return None
    return index.with_cities(cities, changes[-1].version)


def partner_index(session: Session) -> PartnerIndex:
    """The per-process partner index for this database, up to date with its data: a profile
    write is applied as a delta, anything else rebuilds it."""
    return cached(session, "partners", _build_index, persist=True, update=_apply_changes)


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


def rendered(session: Session, tag: str, city: City, query: PartnerQuery, render):
    """``render(matches)`` for the partners of ``city`` under ``query``, kept with the index
    under ``tag`` and dropped when that ranking may have changed: a view keeps its rendered
    answer, not just the ranking. Raises :class:`PartnerQueryError` as
    :func:`find_partners` does."""
    index = partner_index(session)
    key = (tag, city.id, query)
    value = index.remembered(key)
    if value is None:
        matches, ranked = _ranking(index, city, query)
        value = render(matches)
        index.remember(key, value, city.id, ranked)
    return value


def answer(session: Session, key: tuple, build, *, city_id: int | None):
    """``build()``'s value for ``key``, kept with the partner index until the data changes
    or (when ``city_id`` is given) that city is edited: for answers that depend on one city's
    record (its page, its calls) or on no profile at all (``city_id=None``: a name search)."""
    index = partner_index(session)
    value = index.remembered(key)
    if value is None:
        value = build()
        index.remember_local(key, value, city_id)
    return value


def collaborations_of(session: Session, city_id: int) -> list[Collaboration]:
    """The city's collaborations, newest first, from the in-memory index."""
    return list(partner_index(session).collaborations_of.get(city_id, ()))


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
    matches, _ranked = _ranking(partner_index(session), city, query)
    return list(matches)


@dataclass(frozen=True)
class FocusNote:
    """How much of a focus theme the data holds within what a list can show: the holders
    (cities the filters admit with a past project on it) and the nearest of them."""

    theme: str
    label: str
    holders: int
    nearest: tuple[tuple[City, float], ...] = ()

    @property
    def text(self) -> str:
        """The note in words, for the page and the command line."""
        from matcher.scoring.partners.explain import lower_label

        label = lower_label(self.label)
        if not self.holders:
            return (
                f"No city this list can show has a past project on {label} in the data: "
                "the focus counts shared interests and declared needs and offers only."
            )
        subject = "1 city" if self.holders == 1 else f"{self.holders:,} cities"
        verb = "has" if self.holders == 1 else "have"
        text = f"{subject} this list can show {verb} a past project on {label}"
        if self.nearest:
            named = ", ".join(f"{c.name} ({km:,.0f} km)" for c, km in self.nearest)
            text += f"; the nearest: {named}" if self.holders > 1 else f": {named}"
        return text + "."


def focus_notes(session: Session, city: City, query: PartnerQuery) -> list[FocusNote]:
    """Per focus theme of ``query``, a :class:`FocusNote` for the list :func:`find_partners`
    gives (the same filters): where few cities hold a theme, the list cannot be full of them,
    and the user should know. Raises :class:`PartnerQueryError` as :func:`find_partners`."""
    if not query.theme_focus:
        return []
    index = partner_index(session)
    validate_query(index, query)
    if city.id not in index.cities:
        raise PartnerQueryError(f"{city.name} is not in the partner index yet")
    found = index.ranker.focus_coverage(city.id, query.theme_focus, **_filters(query))
    return [
        FocusNote(c.theme, index.theme_labels[c.theme], c.holders,
                  tuple((index.cities[i], km) for i, km in zip(c.nearest_ids, c.nearest_km,
                                                               strict=True)))
        for c in found
    ]  # fmt: skip


def _ranking(index: PartnerIndex, city: City, query: PartnerQuery):
    """The matches for the query and the ids they depend on (listed and near misses),
    remembered with the index."""
    key = (city.id, query)
    found = index._entry(key)
    if found is not None:
        return found.value, found.ranked
    validate_query(index, query)
    if city.id not in index.cities:
        raise PartnerQueryError(f"{city.name} is not in the partner index yet")
    matches, ranked = _rank(index, city, query)
    index.remember(key, matches, city.id, ranked)
    return matches, ranked


def _filters(query: PartnerQuery) -> dict:
    """The query's hard filters as the ranker takes them (no size band ticked: the default
    view), for the list and for its focus notes alike."""
    return {
        "countries": query.countries or None,
        "exclude_countries": query.exclude_countries or None,
        "country_sets": query.country_sets or None,
        "size_bands": query.size_bands or DEFAULT_SIZE_BANDS,
        "max_distance_km": query.max_distance_km,
        "exclude_ids": query.exclude_ids,
    }


def _rank(index: PartnerIndex, city: City, query: PartnerQuery):
    result = index.ranker.rank(
        city.id,
        query.top,
        theme_focus=query.theme_focus or None,
        geography=query.geography,
        purpose=query.purpose,
        **_filters(query),
    )
    matches = [
        _match(index, city, int(cid), float(score), result, position, query)
        for position, (cid, score) in enumerate(zip(result.ids, result.scores, strict=True))
    ]
    return matches, frozenset(int(i) for i in (*result.ids, *result.near_ids))


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
        if contributions.get("exposure"):  # a hub price: shown as a part of its own
            parts["exposure"], weights["exposure"] = 1.0, contributions["exposure"]
    shared = index.shared(city.id, candidate_id)
    rows = index.vectoriser.rows_of([city.id, candidate_id])
    common = index.common_partner_names(city.id, candidate_id)
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
        common_partners=common.worked,
        network_partners=common.network,
        mixed_partners=common.mixed(),
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
        chance=None if result.chances is None else float(result.chances[position]),
    )


#: What a partner's chance means, wherever it is shown.
CHANCE_NOTE = ("Chance: how often a city with this evidence was a real partner in past "
               "partnerships of the purpose's kind (checked on partnerships held out); with a "
               "theme focus, in projects on that theme. A geography choice, or the price a city "
               "already in many lists pays, may place a city with a lower chance higher. '-': "
               "no past partnerships of this kind to tell it from (peer exchange; research "
               "with a theme focus, as the research projects carry no themes).")  # fmt: skip


def chance_text(chance: float | None) -> str:
    """A chance as the pages and the CLI show it: ``23%``, ``4.1%``, ``<0.1%`` or ``-``."""
    if chance is None:
        return "-"
    if chance >= 0.095:
        return f"{chance * 100:.0f}%"
    return f"{chance * 100:.1f}%" if chance >= 0.001 else "<0.1%"


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
