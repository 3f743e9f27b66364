"""Partner ranking: a weighted sum of named, explainable parts, each in [0, 1].

For a query city q and every candidate c the ranker computes

``shared_interests``
    cosine of the interest profiles (q's profile pulled towards the focus themes, if any);
``complementarity``
    q's needs against c's offers and, for reciprocity, q's offers against c's needs; only
    *declared* needs and offers count, so the part is 0 when q declares none;
``experience``
    c's track record: the themes of its past collaborations against what q looks for (its
    needs, or else its interests and focus themes). This is not "c offers X": it says c has
    done projects on X, which is what the seed data can honestly support;
``track_record``
    how many past collaborations c took part in, on a log scale (1 from
    :data:`TRACK_RECORD_FULL` projects on): experienced partners carry projects through;
``text``
    TF-IDF cosine of the two cities' project texts;
``peer_size``
    similarity of populations on a log scale (0.5 when either is unknown);
``geography``
    by mode: ``near`` decays with distance, ``far`` grows with it, ``different-country`` is 1
    abroad, ``cross-border`` is high for a city in another country within a few hundred
    kilometres, ``any`` expresses no preference (the part is off);
``history``
    having worked together before: 0.5 for one shared collaboration, 0.75 for two, ...

The score is the weighted mean of the parts that can vary for this query (a query without a
population has no size part, ``any`` has no geography part), so it stays in [0, 1].

The theme, place and experience parts come from one pass over a combined float32 matrix
(``features_`` times a small block-structured probe, a memory-bound GEMM that costs about one
matrix-vector product); text is a sparse product over the query's terms only; history touches
the query's partners only. Hard filters mask candidates *before* the top-k selection.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Literal

import numpy as np
import scipy.sparse as sp

from matcher.domain import SIZE_BANDS, expand_countries
from matcher.scoring.vectorise import ProfileVectoriser, ProfileVectors

__all__ = [
    "DEFAULT_WEIGHTS",
    "GEOGRAPHY_MODES",
    "PART_NAMES",
    "PartnerRanker",
    "PartnerWeights",
    "RankResult",
]

Geography = Literal["any", "near", "far", "different-country", "cross-border"]
GEOGRAPHY_MODES: tuple[str, ...] = ("any", "near", "far", "different-country", "cross-border")
PART_NAMES: tuple[str, ...] = (
    "shared_interests",
    "complementarity",
    "experience",
    "track_record",
    "text",
    "peer_size",
    "geography",
    "history",
)

EARTH_RADIUS_KM = 6371.0088
#: ``near``: the part is exp(-distance / scale): 0.61 at 100 km, 0.22 at 300 km.
NEAR_SCALE_KM = 200.0
#: ``far``: 1 - exp(-distance / scale): 0.39 at 500 km, 0.86 at 2,000 km.
FAR_SCALE_KM = 1000.0
#: ``cross-border``: full score abroad within the first distance, falling linearly to 0 at
#: the second; Interreg cross-border areas reach roughly 150 km either side of a border.
CROSS_BORDER_FULL_KM = 150.0
CROSS_BORDER_MAX_KM = 300.0
#: ``peer_size`` is 0.5 when one city is this many times as populous as the other.
PEER_SIZE_HALF_RATIO = 3.0
#: ``peer_size`` when either population is unknown: no evidence either way.
PEER_SIZE_UNKNOWN = 0.5
#: ``track_record`` reaches 1 at this many past collaborations (log scale below it).
TRACK_RECORD_FULL = 30


@dataclass(frozen=True, slots=True)
class PartnerWeights:
    """Weights of the score parts, plus how strongly a theme focus pulls the query profile.

    The defaults (:data:`DEFAULT_WEIGHTS`) come from a coordinate search on nDCG@10
    (``benchmarks/partners.py --tune``) over the keep.eu municipal partnerships that started
    before 2016 (leave-group-out, 169 queries), where ``geography="near"`` with these
    weights won; they were then checked, unchanged, on the keep.eu partnerships from 2016 on
    and on the CORDIS co-participations (``--quality``). The search set ``shared_interests``
    and ``text`` to 0 on that data (interests derived from projects are withheld in the
    evaluation and most members have no other project text once the group is hidden); they,
    and ``complementarity`` (no city declares needs or offers yet), keep a small floor so
    declared profiles still count. Re-fit when declared profiles exist.
    """

    shared_interests: float = 0.05
    complementarity: float = 0.05
    experience: float = 0.05
    track_record: float = 0.2
    text: float = 0.05
    peer_size: float = 0.1
    geography: float = 1.0
    history: float = 0.05
    #: Added to the query's unit profile as a unit vector over the focus themes: 1.0 makes
    #: the focus as strong as everything else the city declared.
    theme_focus_boost: float = 1.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weight {f.name} must be a finite non-negative number")

    def part_weights(self) -> dict[str, float]:
        """Weight per part name (without the focus boost)."""
        return {name: getattr(self, name) for name in PART_NAMES}

    def replace(self, **changes: float) -> PartnerWeights:
        """A copy with some weights changed."""
        return PartnerWeights(**{**asdict(self), **changes})


DEFAULT_WEIGHTS = PartnerWeights()


@dataclass(frozen=True, slots=True, eq=False)
class RankResult:
    """Top-k candidates, best first: city ids, scores and every part's value per candidate."""

    ids: np.ndarray
    scores: np.ndarray
    parts: dict[str, np.ndarray]
    #: The weights the scores were combined with (normalised over the active parts).
    weights: dict[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)


@dataclass(frozen=True, slots=True)
class _Query:
    """What the ranker needs to know about the query city."""

    row: int | None  # position in the index, None for a city outside it
    interest: np.ndarray
    need: np.ndarray
    offer: np.ndarray
    text: sp.csr_matrix  # 1 x V
    log_population: float
    xyz: np.ndarray  # unit vector, zeros when unknown
    country: str
    partner_rows: np.ndarray
    partner_counts: np.ndarray


class PartnerRanker:
    """Rank partner cities for a query city; see the module docstring for the parts.

    ``fit`` takes a fitted :class:`ProfileVectoriser` (or its :class:`ProfileVectors`) and
    builds the search index; it returns ``self``.
    """

    def __init__(self, weights: PartnerWeights = DEFAULT_WEIGHTS) -> None:
        self.weights = weights

    # ------------------------------------------------------------------ index

    def fit(self, vectors: ProfileVectoriser | ProfileVectors) -> PartnerRanker:
        """Build the index over the vectorised cities."""
        if isinstance(vectors, ProfileVectoriser):
            vectors = vectors.vectors_
        ids = vectors.city_ids
        if len(ids) and not np.all(np.diff(ids) > 0):
            raise ValueError("the index needs cities sorted by unique id (as fit produces)")
        self.vectors_ = vectors
        self.city_ids_ = ids
        self.theme_ids_ = vectors.theme_ids
        self.n_themes_ = vectors.interest.shape[1]
        self.has_coords_ = ~(np.isnan(vectors.lat_rad) | np.isnan(vectors.lon_rad))
        self.features_ = _feature_block(vectors)
        self.log_population_ = vectors.log_population.astype(np.float32)
        self.countries_, codes = np.unique(vectors.country, return_inverse=True)
        self.country_codes_ = codes.astype(np.int16)
        self.size_band_codes_ = _size_band_codes(vectors.population)
        self.track_record_ = _track_record(vectors.collaboration_count)
        # Terms x cities, so a query only touches the postings of its own terms.
        self.text_by_term_ = vectors.text.T.tocsr()
        return self

    def rows_of(self, city_ids: Iterable[int]) -> np.ndarray:
        """Index rows of city ids (``KeyError`` for an id that is not indexed)."""
        wanted = np.fromiter(city_ids, dtype=np.int64)
        rows = np.minimum(np.searchsorted(self.city_ids_, wanted), len(self.city_ids_) - 1)
        bad = self.city_ids_[rows] != wanted
        if bad.any():
            raise KeyError(f"unknown city id(s): {wanted[bad].tolist()}")
        return rows

    # ------------------------------------------------------------------ ranking

    def rank(
        self,
        query_id: int,
        n: int = 10,
        *,
        theme_focus: Collection[str] | None = None,
        geography: Geography = "any",
        countries: Collection[str] | None = None,
        exclude_countries: Collection[str] | None = None,
        country_sets: Collection[str] | None = None,
        size_bands: Collection[str] | None = None,
        max_distance_km: float | None = None,
        exclude_ids: Collection[int] = (),
    ) -> RankResult:
        """Top ``n`` partners for an indexed city, best first (ties: lower id first).

        Filters are hard and applied before ranking: ``countries`` and ``country_sets``
        (ISO codes or set names such as ``EU27``) must both admit a candidate when both are
        given; ``size_bands`` are :data:`matcher.domain.SIZE_BANDS` ids; candidates with an
        unknown population or position fail a size or distance filter.
        """
        row = int(self.rows_of([query_id])[0])
        return self.rank_vectors(
            self.vectors_.take([row]),
            n,
            theme_focus=theme_focus,
            geography=geography,
            countries=countries,
            exclude_countries=exclude_countries,
            country_sets=country_sets,
            size_bands=size_bands,
            max_distance_km=max_distance_km,
            exclude_ids=exclude_ids,
        )

    def rank_vectors(
        self,
        query: ProfileVectors,
        n: int = 10,
        *,
        theme_focus: Collection[str] | None = None,
        geography: Geography = "any",
        countries: Collection[str] | None = None,
        exclude_countries: Collection[str] | None = None,
        country_sets: Collection[str] | None = None,
        size_bands: Collection[str] | None = None,
        max_distance_km: float | None = None,
        exclude_ids: Collection[int] = (),
    ) -> RankResult:
        """Like :meth:`rank` for a new or edited city vectorised with ``transform`` (1 row)."""
        q = self._query(query)
        parts, active = self._score(q, theme_focus, geography, None)
        weights = self.effective_weights(active)
        scores = combine(parts, weights)
        exclude = list(exclude_ids)
        if q.row is not None:
            exclude.append(int(self.city_ids_[q.row]))
        mask = self._filter_mask(
            q, countries, exclude_countries, country_sets, size_bands, max_distance_km, exclude
        )
        scores[~mask] = -np.inf
        top = top_k(scores, n)
        return RankResult(
            ids=self.city_ids_[top],
            scores=scores[top],
            parts={name: values[top] for name, values in parts.items()},
            weights=weights,
        )

    # ------------------------------------------------------------------ scoring

    def score_parts(
        self,
        query_id: int,
        *,
        theme_focus: Collection[str] | None = None,
        geography: Geography = "any",
        overrides: ProfileVectors | None = None,
    ) -> tuple[dict[str, np.ndarray], frozenset[str]]:
        """Every part for every indexed city, and the names of the parts active for the query.

        ``overrides`` replaces the indexed features of some cities, the query's included (its
        ``city_ids`` say which), without rebuilding the index: the evaluation uses it to
        score with one collaboration hidden from its members' profiles. The query itself is
        not masked out.
        """
        source = self.vectors_.take(self.rows_of([query_id]))
        if overrides is not None:
            hit = np.flatnonzero(overrides.city_ids == query_id)
            if hit.size:
                source = overrides.take(hit[:1])
        return self._score(self._query(source), theme_focus, geography, overrides)

    def effective_weights(self, active: Collection[str]) -> dict[str, float]:
        """Part weights normalised over the ``active`` parts (those that can vary for this
        query), so scores stay in [0, 1] and a part with nothing to say does not dilute the
        rest. Rankings do not depend on this normalisation."""
        raw = {name: w for name, w in self.weights.part_weights().items() if name in active}
        total = sum(raw.values())
        return {name: (raw.get(name, 0.0) / total if total else 0.0) for name in PART_NAMES}

    def _score(self, q, theme_focus, geography, overrides):
        if geography not in GEOGRAPHY_MODES:
            raise ValueError(f"geography must be one of {GEOGRAPHY_MODES}, not {geography!r}")
        if q.text.shape[1] != self.text_by_term_.shape[0]:
            raise ValueError("the query was vectorised with a different text vocabulary")
        probe = self._probe(q, theme_focus)
        parts = self._parts(
            q,
            probe,
            features=self.features_,
            text=self._text_all(q),
            log_population=self.log_population_,
            track_record=self.track_record_,
            country_codes=self.country_codes_,
            rows=None,
            geography=geography,
        )
        if overrides is not None and len(overrides):
            rows = self.rows_of(overrides.city_ids)
            local = self._parts(
                q,
                probe,
                features=_feature_block(overrides),
                text=np.asarray((overrides.text @ q.text.T).todense(), np.float32).ravel(),
                log_population=overrides.log_population.astype(np.float32),
                track_record=_track_record(overrides.collaboration_count),
                country_codes=self.country_codes_[rows],
                rows=rows,
                geography=geography,
            )
            for name, values in local.items():
                parts[name][rows] = values
        located = q.xyz.any() or geography == "different-country"
        active = {
            "shared_interests": bool(probe[:, 0].any()),
            "complementarity": bool(probe[:, 1].any()),
            "experience": bool(probe[:, 2].any()),
            "track_record": True,
            "text": q.text.nnz > 0,
            "peer_size": not np.isnan(q.log_population),
            "geography": geography != "any" and located,
            "history": q.partner_rows.size > 0,
        }
        return parts, frozenset(name for name, on in active.items() if on)

    # ------------------------------------------------------------------ internals

    def _query(self, vectors: ProfileVectors) -> _Query:
        if len(vectors) != 1:
            raise ValueError("a query is exactly one city")
        cid = int(vectors.city_ids[0])
        pos = int(np.searchsorted(self.city_ids_, cid))
        row = pos if pos < len(self.city_ids_) and self.city_ids_[pos] == cid else None
        partners = vectors.partner_counts.tocsr()
        return _Query(
            row=row,
            interest=vectors.interest[0],
            need=vectors.need[0],
            offer=vectors.offer[0],
            text=vectors.text[0].tocsr(),
            log_population=float(vectors.log_population[0]),
            xyz=_unit_xyz(vectors.lat_rad, vectors.lon_rad)[0],
            country=str(vectors.country[0]),
            partner_rows=partners.indices.astype(np.int64),
            partner_counts=partners.data.astype(np.float32),
        )

    def _probe(self, q: _Query, theme_focus: Collection[str] | None) -> np.ndarray:
        """Block-structured probe: ``features @ probe`` yields shared interests,
        complementarity, experience and the cosine of the angular distance in one pass."""
        t = self.n_themes_
        focus = self._focus_vector(theme_focus)
        boost = self.weights.theme_focus_boost
        interest = _pull(q.interest, focus, boost)
        has_need, has_offer = bool(q.need.any()), bool(q.offer.any())
        need = _pull(q.need, focus, boost) if has_need else q.need
        forward, reverse = (0.5, 0.5) if has_need and has_offer else (1.0, 1.0)
        probe = np.zeros((4 * t + 3, 4), np.float32)
        probe[0:t, 0] = interest
        probe[2 * t : 3 * t, 1] = forward * need  # the query's needs against candidates' offers
        probe[t : 2 * t, 1] = reverse * q.offer  # the query's offers against candidates' needs
        probe[3 * t : 4 * t, 2] = need if has_need else interest
        probe[4 * t :, 3] = q.xyz
        return probe

    def _focus_vector(self, theme_focus: Collection[str] | None) -> np.ndarray:
        focus = np.zeros(self.n_themes_, np.float32)
        if theme_focus:
            index = {t: i for i, t in enumerate(self.theme_ids_)}
            for theme in theme_focus:
                if theme in index:
                    focus[index[theme]] = 1.0
        return focus

    def _text_all(self, q: _Query) -> np.ndarray:
        if q.text.nnz == 0:
            return np.zeros(len(self.city_ids_), np.float32)
        return np.asarray((q.text @ self.text_by_term_).todense(), np.float32).ravel()

    def _parts(
        self,
        q: _Query,
        probe: np.ndarray,
        *,
        features: np.ndarray,
        text: np.ndarray,
        log_population: np.ndarray,
        track_record: np.ndarray,
        country_codes: np.ndarray,
        rows: np.ndarray | None,
        geography: str,
    ) -> dict[str, np.ndarray]:
        linear = features @ probe
        parts = {
            "shared_interests": linear[:, 0],
            "complementarity": linear[:, 1],
            "experience": linear[:, 2],
            "track_record": track_record,
            "text": np.minimum(text, 1.0),
        }
        if np.isnan(q.log_population):
            parts["peer_size"] = np.zeros(len(features), np.float32)
        else:
            gap = np.abs(log_population - np.float32(q.log_population))
            peer = np.exp(gap * np.float32(-np.log(2.0) / np.log(PEER_SIZE_HALF_RATIO)))
            parts["peer_size"] = np.where(np.isnan(peer), np.float32(PEER_SIZE_UNKNOWN), peer)
        parts["geography"] = self._geography(q, linear[:, 3], country_codes, rows, geography)
        parts["history"] = self._history(q, len(features), rows)
        return parts

    def _geography(self, q, cosine, country_codes, rows, mode) -> np.ndarray:
        n = len(cosine)
        if mode == "any":
            return np.zeros(n, np.float32)
        abroad = country_codes != self._country_code(q.country)
        if mode == "different-country":
            return abroad.astype(np.float32)
        if not q.xyz.any():
            return np.zeros(n, np.float32)
        km = np.arccos(np.clip(cosine, -1.0, 1.0)) * np.float32(EARTH_RADIUS_KM)
        known = self.has_coords_ if rows is None else self.has_coords_[rows]
        if mode == "near":
            value = np.exp(km * np.float32(-1.0 / NEAR_SCALE_KM))
        elif mode == "far":
            value = 1.0 - np.exp(km * np.float32(-1.0 / FAR_SCALE_KM))
        else:  # cross-border
            span = CROSS_BORDER_MAX_KM - CROSS_BORDER_FULL_KM
            value = np.clip((CROSS_BORDER_MAX_KM - km) / np.float32(span), 0.0, 1.0) * abroad
        return np.where(known, value, 0.0).astype(np.float32)

    def _history(self, q: _Query, n: int, rows: np.ndarray | None) -> np.ndarray:
        together = 1.0 - np.power(np.float32(0.5), q.partner_counts)
        out = np.zeros(n if rows is None else len(rows), np.float32)
        if rows is None:
            out[q.partner_rows] = together
        elif q.partner_rows.size:
            pos = np.searchsorted(q.partner_rows, rows)
            pos = np.minimum(pos, q.partner_rows.size - 1)
            hit = q.partner_rows[pos] == rows
            out[hit] = together[pos[hit]]
        return out

    def _country_code(self, country: str) -> int:
        pos = int(np.searchsorted(self.countries_, country))
        if pos < len(self.countries_) and self.countries_[pos] == country:
            return pos
        return -1

    def _filter_mask(
        self, q, countries, exclude_countries, country_sets, size_bands, max_distance_km, exclude
    ) -> np.ndarray:
        mask = np.ones(len(self.city_ids_), bool)
        allowed = np.ones(len(self.countries_), bool)
        if countries:
            allowed &= np.isin(self.countries_, sorted(expand_countries(list(countries))))
        if country_sets:
            allowed &= np.isin(self.countries_, sorted(expand_countries(list(country_sets))))
        if exclude_countries:
            allowed &= ~np.isin(self.countries_, sorted(expand_countries(list(exclude_countries))))
        if not allowed.all():
            mask &= allowed[self.country_codes_]
        if size_bands:
            band_ids = [band for band, *_ in SIZE_BANDS]
            unknown = [b for b in size_bands if b not in band_ids]
            if unknown:
                raise ValueError(f"unknown size band(s): {unknown}")
            wanted = np.zeros(len(band_ids) + 1, bool)  # last slot: unknown population
            wanted[[band_ids.index(b) for b in size_bands]] = True
            mask &= wanted[self.size_band_codes_]
        if max_distance_km is not None:
            if not q.xyz.any():
                raise ValueError("a distance filter needs the query city's coordinates")
            min_cosine = np.cos(min(max_distance_km / EARTH_RADIUS_KM, np.pi))
            within = self.features_[:, 4 * self.n_themes_ :] @ q.xyz >= min_cosine
            mask &= within & self.has_coords_
        if exclude:
            wanted = np.asarray(exclude, np.int64)
            rows = np.searchsorted(self.city_ids_, wanted)
            indexed = rows < len(self.city_ids_)
            rows, wanted = rows[indexed], wanted[indexed]
            mask[rows[self.city_ids_[rows] == wanted]] = False
        return mask


def combine(parts: Mapping[str, np.ndarray], weights: Mapping[str, float]) -> np.ndarray:
    """Weighted sum of the parts (a new float32 array)."""
    total = None
    for name, weight in weights.items():
        if weight:
            term = parts[name] * np.float32(weight)
            total = term if total is None else total + term
    if total is None:
        return np.zeros(len(next(iter(parts.values()))), np.float32)
    return total.astype(np.float32, copy=False)


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` best finite scores: score descending, then position ascending
    (the index is sorted by city id, so ties go to the lower id)."""
    n = len(scores)
    k = min(k, n)
    if k <= 0:
        return np.zeros(0, np.int64)
    if k < n:
        candidates = np.argpartition(-scores, k - 1)[:k]
        kth = scores[candidates].min()
        above = np.flatnonzero(scores > kth)
        tied = np.flatnonzero(scores == kth)[: k - len(above)]
        candidates = np.concatenate([above, tied])
    else:
        candidates = np.arange(n)
    candidates = candidates[np.isfinite(scores[candidates])]
    order = np.lexsort((candidates, -scores[candidates]))
    return candidates[order]


def _feature_block(vectors: ProfileVectors) -> np.ndarray:
    """[interest | need | offer | experience | unit xyz]: one C-contiguous float32 matrix, so
    the probe product reads each city's features once."""
    return np.ascontiguousarray(
        np.hstack(
            [
                vectors.interest,
                vectors.need,
                vectors.offer,
                vectors.experience,
                _unit_xyz(vectors.lat_rad, vectors.lon_rad),
            ]
        ),
        dtype=np.float32,
    )


def _unit_xyz(lat_rad: np.ndarray, lon_rad: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (zeros when unknown): the dot product of two is the cosine
    of their central angle, so distances to every city come out of the same GEMM."""
    cos_lat = np.cos(lat_rad)
    xyz = np.stack([cos_lat * np.cos(lon_rad), cos_lat * np.sin(lon_rad), np.sin(lat_rad)], 1)
    return np.nan_to_num(xyz, nan=0.0).astype(np.float32)


def _pull(profile: np.ndarray, focus: np.ndarray, boost: float) -> np.ndarray:
    """Unit profile pulled towards the focus themes (unchanged without a focus)."""
    if not focus.any() or boost == 0:
        return profile
    pulled = profile + np.float32(boost) * focus / np.float32(np.linalg.norm(focus))
    return (pulled / np.linalg.norm(pulled)).astype(np.float32)


def _track_record(collaboration_count: np.ndarray) -> np.ndarray:
    scaled = np.log1p(collaboration_count.astype(np.float32)) / np.log1p(TRACK_RECORD_FULL)
    return np.minimum(scaled, 1.0).astype(np.float32)


def _size_band_codes(population: np.ndarray) -> np.ndarray:
    """Index into SIZE_BANDS per city; len(SIZE_BANDS) for an unknown population."""
    lower = np.array([low for _band, _label, low, _high in SIZE_BANDS], float)
    codes = np.searchsorted(lower, np.nan_to_num(population, nan=-1.0), side="right") - 1
    codes[np.isnan(population) | (codes < 0)] = len(SIZE_BANDS)
    return codes.astype(np.int8)
