"""Partner ranking: a weighted sum of named, explainable parts, each in [0, 1].

For a query city q and every candidate c the ranker computes

``shared_interests``
    cosine of the interest profiles (q's profile pulled towards the focus themes, if any);
``complementarity``
    q's needs against c's offers and, for reciprocity, q's offers against c's needs; only
    *declared* needs and offers count, so the part is 0 when q declares none;
``experience``
    c's project record: the themes of its past projects against what q looks for (its needs,
    or else its interests and focus themes). This is not "c offers X": it says c has done
    projects on X, which is what the seed data can honestly support;
``track_record``
    how many past *projects* c took part in, on a log scale (1 from
    :data:`TRACK_RECORD_FULL` on); network membership is not a project and does not count;
``text``
    TF-IDF cosine of the two cities' project texts;
``peer_size``
    similarity of populations on a log scale (0.5 when either is unknown);
``size``
    c's own population on a log scale (0 at 2,000, 1 at a million): purpose models only;
``proximity``
    the learned *likelihood* prior of distance: exp(-km / :data:`PROXIMITY_SCALE_KM`). Real
    partnerships are mostly between neighbours (Interreg) or at least within a region, so
    this part is on for every located query, whatever geography the user chose;
``geography``
    the user's explicit preference, by mode: ``near`` decays with distance, ``far`` grows
    with it, ``different-country`` is 1 abroad, ``cross-border`` is high for a city in
    another country within a few hundred kilometres, ``any`` expresses no preference (off);
``history``
    worked together before (shared projects and joint action plans): 0.5 for one, 0.75 two;
``networks``
    shared networks (Covenant of Mayors supporter networks, territorial coordinators):
    the Adamic-Adar sum of 1/log2(network size), capped at 1, so sharing a 2-member network
    counts 1 and sharing EUROCITIES (32 members) 0.2;
``common_partners``
    resource allocation over the city graph of every *other* collaboration: the sum, over
    q's partners z, of tie(q, z) tie(z, c) / strength(z) (see
    :mod:`matcher.scoring.partners.vectorise` for ties), mapped to [0, 1) by ra / (ra +
    :data:`COMMON_PARTNERS_HALF`).

The score is the weighted mean of the parts that can vary for this query (a query without a
population has no size part, ``any`` has no geography part), so it stays in [0, 1].

**Default configuration** (no purpose): geography ``any``, the likelihood prior on.

**Purposes.** With a ``purpose`` the score is that purpose's fitted additive model over the
parts instead (:mod:`matcher.scoring.partners.purposes`); every part is computed for every row.

**Cost.** Without a purpose: theme parts and distance one product each, pair parts sparse
updates, every part then for the top-k rows alone. Hard filters mask *before* the top-k.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matcher.domain import SIZE_BANDS, expand_countries
from matcher.scoring.partners import hubs
from matcher.scoring.partners import parts as P
from matcher.scoring.partners.calibration import list_chances
from matcher.scoring.partners.focus import FocusCoverage, coverage, focus_holders, focus_vector
from matcher.scoring.partners.parts import combine, top_k
from matcher.scoring.partners.purposes import index_scores, profile_margin
from matcher.scoring.partners.result import RankResult
from matcher.scoring.partners.sparse_rows import shared_row_entries
from matcher.scoring.partners.vectorise import ProfileVectoriser, ProfileVectors
from matcher.scoring.partners.weights import (
    COMMON_PARTNERS_HALF,
    CROSS_BORDER_FULL_KM,
    CROSS_BORDER_MAX_KM,
    DEFAULT_WEIGHTS,
    EARTH_RADIUS_KM,
    FAR_FULL_KM,
    GEOGRAPHY_MODES,
    NEAR_SCALE_KM,
    PART_NAMES,
    PROFILE_PARTS,
    PROXIMITY_SCALE_KM,
    Geography,
    PartnerWeights,
)

__all__ = ["DEFAULT_WEIGHTS", "GEOGRAPHY_MODES", "PART_NAMES", "PartnerRanker", "PartnerWeights",
           "RankResult", "combine", "top_k"]  # fmt: skip


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
    region: str  # NUTS 2, '' when unknown
    partner_rows: np.ndarray  # sorted index rows with shared projects or joint plans
    partner_counts: np.ndarray
    network_rows: np.ndarray  # sorted index rows sharing a network
    network_overlap: np.ndarray
    tie_rows: np.ndarray  # sorted index rows tied to the query by any collaboration
    ties: np.ndarray


@dataclass(frozen=True, slots=True, eq=False)
class _Block:
    """Per-candidate inputs of the dense parts, for all index rows or a subset."""

    rows: np.ndarray | None  # index rows, None for all
    features: np.ndarray
    xyz: np.ndarray
    has_coords: np.ndarray
    log_population: np.ndarray
    track_record: np.ndarray
    country_codes: np.ndarray


class PartnerRanker:
    """Rank partner cities for a query city (parts: the module docstring). ``fit`` takes a
    fitted :class:`ProfileVectoriser` (or its vectors), builds the index, returns ``self``."""

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
        self.unlocated_rows_ = np.flatnonzero(~self.has_coords_)
        self.features_ = P.feature_block(vectors)
        self.xyz_ = np.ascontiguousarray(self.features_[:, 4 * self.n_themes_ :])
        self.log_population_ = vectors.log_population.astype(np.float32)
        self.countries_, codes = np.unique(vectors.country, return_inverse=True)
        self.country_codes_ = codes.astype(np.int16)
        self.regions_ = np.full(len(ids), "", "<U4") if vectors.region is None else vectors.region
        self.size_band_codes_ = P.size_band_codes(vectors.population)
        # One code per (country, size band): country and size filters are one table lookup.
        self.place_codes_ = (self.country_codes_.astype(np.int32) * (len(SIZE_BANDS) + 1)
                             + self.size_band_codes_)  # fmt: skip
        self.track_record_ = P.track_record(vectors.project_count)
        # Terms x cities, so a query only touches the postings of its own terms.
        self.text_by_term_ = vectors.text.T.tocsr()
        self.ties_ = sp.csr_matrix(vectors.ties, dtype=np.float32)
        self.tie_strength_ = np.asarray(self.ties_.sum(axis=1), np.float32).ravel()
        self.hub_prices_ = None  # measured on first use (hubs.prices_of)
        return self

    def refit_profiles(self, vectors: ProfileVectoriser, rows: np.ndarray) -> PartnerRanker:
        """A copy over ``vectors``, which differ from the fitted ones only in the profiles of
        ``rows`` (a profile edit): those feature rows are recomputed and every other array is
        shared, read-only. Equal to ``fit(vectors)``; at 100,000 cities it saves rebuilding
        the whole feature block and the sparse indexes (~0.2 s) on every edit."""
        new = copy.copy(self)
        new.vectors_ = vectors = vectors.vectors_
        new.features_ = self.features_.copy()
        new.features_[rows] = P.feature_block(vectors.take(rows))
        return new

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
        purpose: str | None = None,
    ) -> RankResult:
        """Top ``n`` partners for an indexed city, best first (ties: lower id first);
        ``purpose`` (:data:`matcher.domain.PURPOSES`) scores with that purpose's model.

        Filters are hard and applied before ranking: ``countries`` and ``country_sets``
        (ISO codes or set names such as ``EU27``) must both admit a candidate when both are
        given; ``size_bands`` are :data:`matcher.domain.SIZE_BANDS` ids; candidates with an
        unknown population or position fail a size or distance filter.
        """
        row = int(self.rows_of([query_id])[0])
        return self.rank_vectors(
            self.vectors_.take([row]), n, theme_focus=theme_focus, geography=geography,
            countries=countries, exclude_countries=exclude_countries, country_sets=country_sets,
            size_bands=size_bands, max_distance_km=max_distance_km, exclude_ids=exclude_ids,
            purpose=purpose,
        )  # fmt: skip

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
        purpose: str | None = None,
    ) -> RankResult:
        """Like :meth:`rank` for a new or edited city vectorised with ``transform`` (1 row)."""
        P.check_geography(geography)
        q = self._query(query)
        probe = self._probe(q, theme_focus)
        active = self._active(q, probe, geography)
        weights = self.effective_weights(active)
        raw = {name: (w if name in active else 0.0)
               for name, w in self.weights.part_weights().items()}  # fmt: skip
        total = sum(raw.values()) or 1.0
        sparse = self._sparse_parts(q, None)
        shown = self._shown(q, countries, exclude_countries, country_sets, size_bands,
                            max_distance_km, exclude_ids)  # fmt: skip
        contributions = None
        if purpose is not None:
            every = self._parts(q, probe, self._block(None), geography, sparse=sparse)
            focus = focus_vector(self.theme_ids_, theme_focus) if theme_focus else None
            band = P.size_band_codes(query.population)[0]
            penalty = hubs.prices_for(self, purpose, band, focus, geography)  # its own prior
            # the focus reaches the nearest holders of its theme that the list can show
            themed = (
                None if focus is None else focus_holders(self.vectors_.experience, focus) & shown
            )
            contributions, scores = index_scores(self, q.xyz, q.country, every, purpose, geography,
                                                 bool(theme_focus), penalty, themed,
                                                 region=q.region)  # fmt: skip
        else:
            scores = self._combined_scores(q, probe, raw, geography, sparse)
        scores[~shown] = -np.inf
        top = top_k(scores, n)
        parts = self._parts(q, probe, self._block(top), geography, sparse=sparse)
        if contributions is not None:  # the logistic of the logit, and the chance it says
            model = self.purpose_models_[purpose]
            listed = {k: v[top] for k, v in contributions.items()}
            near = P.near_misses(scores, top, n, profile_margin(model, focus=bool(theme_focus)))
            return RankResult(self.city_ids_[top], 1.0 / (1.0 + np.exp(-scores[top])), parts, {},
                              listed, self.city_ids_[near],
                              list_chances(model, listed, focused=bool(theme_focus)))  # fmt: skip
        near = self.city_ids_[P.near_misses(scores, top, n, sum(raw[p] for p in PROFILE_PARTS))]
        return RankResult(ids=self.city_ids_[top], scores=scores[top] / np.float32(total),
                          parts=parts, weights=weights, near_ids=near)  # fmt: skip

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
        score with one collaboration hidden from its members' profiles. Overridden cities
        also count with their overridden ties when they are the query's partners' partners.
        The query itself is not masked out.
        """
        P.check_geography(geography)
        source = self.vectors_.take(self.rows_of([query_id]))
        if overrides is not None:
            hit = np.flatnonzero(overrides.city_ids == query_id)
            if hit.size:
                source = overrides.take(hit[:1])
        q = self._query(source)
        probe = self._probe(q, theme_focus)
        parts = self._parts(q, probe, self._block(None), geography, overrides)
        if overrides is not None and len(overrides):
            rows = self.rows_of(overrides.city_ids)
            local = self._parts(q, probe, self._override_block(overrides, rows), geography,
                                overrides, text_rows=overrides.text)  # fmt: skip
            for name, values in local.items():
                parts[name] = parts[name].copy()  # some are views of the index's arrays
                parts[name][rows] = values
        return parts, self._active(q, probe, geography)

    def effective_weights(self, active: Collection[str]) -> dict[str, float]:
        """Part weights normalised over the ``active`` parts (those that can vary for this
        query), so scores stay in [0, 1] and a part with nothing to say does not dilute the
        rest. Rankings do not depend on this normalisation."""
        raw = {name: w for name, w in self.weights.part_weights().items() if name in active}
        total = sum(raw.values())
        return {name: (raw.get(name, 0.0) / total if total else 0.0) for name in PART_NAMES}

    def common_partners(self, query_id: int, candidate_id: int, k: int = 3) -> list[int]:
        """Ids of the shared partners that contribute most to ``common_partners`` for the
        pair, strongest first (for the explanation)."""
        q, c = self.rows_of([query_id, candidate_id])
        columns, product = shared_row_entries(self.ties_, int(q), int(c))
        strength = product / self.tie_strength_[columns]
        order = np.lexsort((columns, -strength))[:k]
        return [int(i) for i in self.city_ids_[columns[order]]]

    # ------------------------------------------------------------------ internals

    def _active(self, q: _Query, probe: np.ndarray, geography: str) -> frozenset[str]:
        located = bool(q.xyz.any())
        active = {
            "shared_interests": bool(probe[:, 0].any()),
            "complementarity": bool(probe[:, 1].any()),
            "experience": bool(probe[:, 2].any()),
            "track_record": True,
            "text": q.text.nnz > 0,
            "peer_size": not np.isnan(q.log_population),
            "size": True,
            "proximity": located,
            "geography": geography != "any" and (located or geography == "different-country"),
            "history": q.partner_rows.size > 0,
            "networks": q.network_rows.size > 0,
            "common_partners": q.tie_rows.size > 0,
        }
        return frozenset(name for name, on in active.items() if on)

    def _combined_scores(self, q: _Query, probe, weights, geography, sparse) -> np.ndarray:
        """The weighted sum of every part for every index row, without building the parts:
        one fused matrix-vector product, a few in-place vector updates, sparse scatters.
        ``weights`` may be unnormalised (the ranking does not depend on their total)."""
        w = {name: np.float32(value) for name, value in weights.items()}
        fused = probe[:, :3] @ np.array(
            [w["shared_interests"], w["complementarity"], w["experience"]], np.float32
        )
        scores = self.features_ @ fused.astype(np.float32)
        if w["track_record"]:
            scores += w["track_record"] * self.track_record_
        if w["peer_size"]:
            scores += w["peer_size"] * P.peer_size(self.log_population_, q.log_population)
        if w["size"]:
            scores += w["size"] * P.size(self.log_population_)
        if w["proximity"] or w["geography"]:
            cosine = self.xyz_ @ q.xyz
            if w["geography"]:
                block = self._block(None)
                scores += w["geography"] * self._geography(q, cosine, block, geography)
            if w["proximity"]:
                # w * exp(-km / scale), in place: clip, arccos, scale, shift by log w, exp.
                np.clip(cosine, -1.0, 1.0, out=cosine)
                np.arccos(cosine, out=cosine)
                cosine *= np.float32(-EARTH_RADIUS_KM / PROXIMITY_SCALE_KM)
                cosine += np.log(w["proximity"])
                np.exp(cosine, out=cosine)
                cosine[self.unlocated_rows_] = 0.0
                scores += cosine
        for name, (rows, values) in sparse.items():
            if w[name] and rows.size:
                scores[rows] += w[name] * values
        return scores

    def _sparse_parts(self, q: _Query, overrides: ProfileVectors | None):
        """Text, history, networks and common partners as (sorted rows, values) pairs."""
        if q.text.nnz:
            text = (q.text @ self.text_by_term_).tocsr()
            text.sort_indices()
            text_part = (text.indices.astype(np.int64), np.minimum(text.data, 1.0))
        else:
            text_part = (np.zeros(0, np.int64), np.zeros(0, np.float32))
        history = 1.0 - np.power(np.float32(0.5), q.partner_counts)
        return {
            "text": text_part,
            "history": (q.partner_rows, history.astype(np.float32)),
            "networks": (q.network_rows, np.minimum(q.network_overlap, 1.0)),
            "common_partners": self._common_partners(q, overrides),
        }

    def _common_partners(self, q: _Query, overrides: ProfileVectors | None):
        """Resource allocation through the query's partners: sum over partners z of
        tie(q, z) * tie(z, c) / strength(z), touching the partners' rows only."""
        if q.tie_rows.size == 0:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        via = self.ties_[q.tie_rows]
        strength = self.tie_strength_[q.tie_rows]
        if overrides is not None and len(overrides):
            rows = self.rows_of(overrides.city_ids)
            local = np.searchsorted(rows, q.tie_rows)
            local = np.minimum(local, len(rows) - 1)
            hit = rows[local] == q.tie_rows
            if hit.any():
                via = via.tolil()
                strength = strength.copy()
                for pos in np.flatnonzero(hit):
                    replaced = overrides.ties[local[pos]]
                    via[pos] = replaced
                    strength[pos] = replaced.sum()
                via = via.tocsr()
        coef = np.divide(q.ties, strength, out=np.zeros_like(q.ties), where=strength > 0)
        spread = (sp.diags(coef.astype(np.float32)) @ via).tocoo()
        columns, inverse = np.unique(spread.col, return_inverse=True)
        totals = np.bincount(inverse, weights=spread.data, minlength=columns.size)
        values = (totals / (totals + COMMON_PARTNERS_HALF)).astype(np.float32)
        return columns.astype(np.int64), values

    def _block(self, rows: np.ndarray | None) -> _Block:
        if rows is None:
            rows = slice(None)
        return _Block(
            rows=None if isinstance(rows, slice) else rows,
            features=self.features_[rows],
            xyz=self.xyz_[rows],
            has_coords=self.has_coords_[rows],
            log_population=self.log_population_[rows],
            track_record=self.track_record_[rows],
            country_codes=self.country_codes_[rows],
        )

    def _override_block(self, overrides: ProfileVectors, rows: np.ndarray) -> _Block:
        features = P.feature_block(overrides)
        return _Block(
            rows=rows,
            features=features,
            xyz=features[:, 4 * self.n_themes_ :],
            has_coords=~(np.isnan(overrides.lat_rad) | np.isnan(overrides.lon_rad)),
            log_population=overrides.log_population.astype(np.float32),
            track_record=P.track_record(overrides.project_count),
            country_codes=self.country_codes_[rows],
        )

    def _parts(self, q, probe, block: _Block, geography, overrides=None, *, text_rows=None,
               sparse=None):  # fmt: skip
        """Every part for the block's rows (all rows when ``block.rows`` is None);
        ``sparse`` are the query's :meth:`_sparse_parts` when already computed."""
        linear = block.features @ probe[:, :3]
        cosine = block.xyz @ q.xyz
        parts = {
            "shared_interests": linear[:, 0],
            "complementarity": linear[:, 1],
            "experience": linear[:, 2],
            "track_record": block.track_record,
            "peer_size": P.peer_size(block.log_population, q.log_population),
            "size": P.size(block.log_population),
            "proximity": P.proximity(cosine, block.has_coords),
            "geography": self._geography(q, cosine, block, geography),
        }
        if not q.xyz.any():
            parts["proximity"] = np.zeros(len(cosine), np.float32)
        n = len(linear)
        if sparse is None:
            sparse = self._sparse_parts(q, overrides)
        for name, (rows, values) in sparse.items():
            parts[name] = P.spread(rows, values, block.rows, n)
        if text_rows is not None:
            text = np.asarray((text_rows @ q.text.T).todense(), np.float32).ravel()
            parts["text"] = np.minimum(text, 1.0)
        return parts

    def _query(self, vectors: ProfileVectors) -> _Query:
        if len(vectors) != 1:
            raise ValueError("a query is exactly one city")
        if vectors.text.shape[1] != self.text_by_term_.shape[0]:
            raise ValueError("the query was vectorised with a different text vocabulary")
        cid = int(vectors.city_ids[0])
        pos = int(np.searchsorted(self.city_ids_, cid))
        row = pos if pos < len(self.city_ids_) and self.city_ids_[pos] == cid else None

        def sparse_row(matrix) -> tuple[np.ndarray, np.ndarray]:
            matrix = sp.csr_matrix(matrix)
            matrix.sort_indices()
            return matrix.indices.astype(np.int64), matrix.data.astype(np.float32)

        partner_rows, partner_counts = sparse_row(vectors.partner_counts)
        network_rows, network_overlap = sparse_row(vectors.network_overlap)
        tie_rows, ties = sparse_row(vectors.ties)
        return _Query(
            row=row,
            interest=vectors.interest[0],
            need=vectors.need[0],
            offer=vectors.offer[0],
            text=vectors.text[0].tocsr(),
            log_population=float(vectors.log_population[0]),
            xyz=P.unit_xyz(vectors.lat_rad, vectors.lon_rad)[0],
            country=str(vectors.country[0]),
            region=str(vectors.region[0]) if vectors.region is not None else "",
            partner_rows=partner_rows,
            partner_counts=partner_counts,
            network_rows=network_rows,
            network_overlap=network_overlap,
            tie_rows=tie_rows,
            ties=ties,
        )

    def _probe(self, q: _Query, theme_focus: Collection[str] | None) -> np.ndarray:
        """Block-structured probe: ``features @ probe`` yields shared interests,
        complementarity, experience and the cosine of the angular distance in one pass."""
        t = self.n_themes_
        focus = focus_vector(self.theme_ids_, theme_focus)
        boost = self.weights.theme_focus_boost
        interest = P.pull(q.interest, focus, boost)
        has_need, has_offer = bool(q.need.any()), bool(q.offer.any())
        need = P.pull(q.need, focus, boost) if has_need else q.need
        forward, reverse = (0.5, 0.5) if has_need and has_offer else (1.0, 1.0)
        probe = np.zeros((4 * t + 3, 4), np.float32)
        probe[0:t, 0] = interest
        probe[2 * t : 3 * t, 1] = forward * need  # the query's needs against candidates' offers
        probe[t : 2 * t, 1] = reverse * q.offer  # the query's offers against candidates' needs
        probe[3 * t : 4 * t, 2] = need if has_need else interest
        probe[4 * t :, 3] = q.xyz
        return probe

    def _geography(self, q, cosine, block: _Block, mode) -> np.ndarray:
        n = len(cosine)
        if mode == "any":
            return np.zeros(n, np.float32)
        abroad = block.country_codes != self.country_code(q.country)
        if mode == "different-country":
            return abroad.astype(np.float32)
        if not q.xyz.any():
            return np.zeros(n, np.float32)
        km = P.km(cosine)
        if mode == "near":
            value = np.exp(km * np.float32(-1.0 / NEAR_SCALE_KM))
        elif mode == "far":
            value = np.minimum(km / np.float32(FAR_FULL_KM), 1.0)
        else:  # cross-border
            span = CROSS_BORDER_MAX_KM - CROSS_BORDER_FULL_KM
            value = np.clip((CROSS_BORDER_MAX_KM - km) / np.float32(span), 0.0, 1.0) * abroad
        return np.where(block.has_coords, value, 0.0).astype(np.float32)

    def country_code(self, country: str) -> int:
        """Position of ``country`` among the indexed countries (-1 when none is there)."""
        pos = int(np.searchsorted(self.countries_, country))
        return pos if pos < len(self.countries_) and self.countries_[pos] == country else -1

    def _indexed_rows(self, city_ids: Collection[int]) -> np.ndarray:
        wanted = np.asarray(list(city_ids), np.int64)
        rows = np.searchsorted(self.city_ids_, wanted)
        indexed = rows < len(self.city_ids_)
        rows, wanted = rows[indexed], wanted[indexed]
        return rows[self.city_ids_[rows] == wanted]

    def focus_coverage(self, query_id: int, theme_focus: Collection[str], *, countries=None,
                       exclude_countries=None, country_sets=None, size_bands=None,
                       max_distance_km=None,
                       exclude_ids=()) -> tuple[FocusCoverage, ...]:  # fmt: skip
        """Per focus theme, how many cities the list :meth:`rank` gives with these filters can
        show hold it, and the nearest (:func:`~matcher.scoring.partners.focus.coverage`)."""
        q = self._query(self.vectors_.take(self.rows_of([query_id])))
        shown = self._shown(q, countries, exclude_countries, country_sets, size_bands,
                            max_distance_km, exclude_ids)  # fmt: skip
        km = np.where(self.has_coords_, P.km(self.xyz_ @ q.xyz), np.nan) if q.xyz.any() else None
        return coverage(self.vectors_.experience, self.theme_ids_, theme_focus, shown, km,
                        self.city_ids_)  # fmt: skip

    def _shown(self, q: _Query, countries, exclude_countries, country_sets, size_bands,
               max_distance_km, exclude_ids) -> np.ndarray:  # fmt: skip
        """Per index row, whether the hard filters (countries, sizes, distance, exclusions)
        let the list show it; never the query itself."""
        allowed = np.ones(len(self.countries_), bool)
        for wanted in (countries, country_sets):
            if wanted:
                allowed &= np.isin(self.countries_, sorted(expand_countries(list(wanted))))
        if exclude_countries:
            allowed &= ~np.isin(self.countries_, sorted(expand_countries(list(exclude_countries))))
        bands = P.band_mask(size_bands) if size_bands else np.ones(len(SIZE_BANDS) + 1, bool)
        shown = (allowed[:, None] & bands[None, :]).ravel()[self.place_codes_]
        if max_distance_km is not None:
            shown &= self._within(q, max_distance_km)
        exclude = [*exclude_ids, *([] if q.row is None else [int(self.city_ids_[q.row])])]
        shown[self._indexed_rows(exclude)] = False
        return shown

    def _within(self, q: _Query, max_distance_km: float) -> np.ndarray:
        """Candidates with known coordinates within ``max_distance_km`` of the query."""
        if not q.xyz.any():
            raise ValueError("a distance filter needs the query city's coordinates")
        min_cosine = np.cos(min(max_distance_km / EARTH_RADIUS_KM, np.pi))
        return (self.xyz_ @ q.xyz >= min_cosine) & self.has_coords_
