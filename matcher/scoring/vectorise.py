"""City profiles as fixed-order vectors: theme profiles, project text, size, place and history.

:class:`ProfileVectoriser` turns :class:`~matcher.domain.City` objects (and, optionally, the
:class:`~matcher.domain.Collaboration` records they took part in) into the arrays the partner
ranker reads. It follows scikit-learn's estimator conventions: hyper-parameters in ``__init__``,
``fit`` learns the theme order, the text vocabulary and idf and returns ``self``, learned
attributes end in ``_``, and ``transform`` turns new or edited cities into the same space.

Collaborations feed three features per city, each kept as raw accumulators so that one
collaboration can be taken out again cheaply (:meth:`ProfileVectoriser.leave_out`, used by the
leave-group-out evaluation):

* theme *experience*: how many collaborations the city had on each theme,
* *text*: the titles and descriptions of its collaborations (plus any free text passed in),
* *partners*: how many collaborations it shared with every other city.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

from matcher.domain import City, Collaboration, ProfileKind

__all__ = ["ProfileVectors", "ProfileVectoriser", "collaboration_text"]


def collaboration_text(collaboration: Collaboration) -> str:
    """The free text a collaboration contributes to each member's text profile."""
    return f"{collaboration.title}. {collaboration.description}".strip()


@dataclass(frozen=True, slots=True, eq=False)
class ProfileVectors:
    """Feature arrays for ``len(city_ids)`` cities, one row per city, in ``city_ids`` order.

    Theme matrices have one column per vocabulary theme (the vectoriser's ``theme_ids_``
    order) and L2-normalised rows, all-zero when the city declares nothing of that kind.
    ``partner_counts`` has one column per *fitted* city: how many collaborations the row city
    shared with it.
    """

    theme_ids: tuple[str, ...]  # column order of the theme matrices
    city_ids: np.ndarray  # int64 (n,)
    interest: np.ndarray  # float32 (n, T)
    need: np.ndarray  # float32 (n, T)
    offer: np.ndarray  # float32 (n, T)
    experience: np.ndarray  # float32 (n, T), from collaboration themes
    text: sp.csr_matrix  # float32 (n, V), TF-IDF rows, L2-normalised
    population: np.ndarray  # float64 (n,), NaN when unknown
    lat_rad: np.ndarray  # float64 (n,), NaN when unknown
    lon_rad: np.ndarray  # float64 (n,), NaN when unknown
    country: np.ndarray  # str (n,), ISO 3166-1 alpha-2
    partner_counts: sp.csr_matrix  # int32 (n, n_fitted)
    collaboration_count: np.ndarray  # int32 (n,)

    def __len__(self) -> int:
        return len(self.city_ids)

    def take(self, rows: np.ndarray | Sequence[int]) -> ProfileVectors:
        """The subset of rows ``rows``, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        return ProfileVectors(
            theme_ids=self.theme_ids,
            city_ids=self.city_ids[rows],
            interest=self.interest[rows],
            need=self.need[rows],
            offer=self.offer[rows],
            experience=self.experience[rows],
            text=self.text[rows],
            population=self.population[rows],
            lat_rad=self.lat_rad[rows],
            lon_rad=self.lon_rad[rows],
            country=self.country[rows],
            partner_counts=self.partner_counts[rows],
            collaboration_count=self.collaboration_count[rows],
        )

    @property
    def log_population(self) -> np.ndarray:
        """Natural log of the population (NaN when unknown)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(np.where(self.population > 0, self.population, np.nan))


class ProfileVectoriser:
    """Fit the theme order and the project-text space; vectorise cities into it.

    Parameters
    ----------
    min_df, max_df:
        Document-frequency cut-offs of the TF-IDF vocabulary, over city documents. Terms used
        by a single city cannot make two cities similar, and near-universal ones ("project",
        "cooperation") only add noise.
    max_features:
        Upper bound on the vocabulary size (most frequent terms kept).
    """

    def __init__(
        self,
        *,
        min_df: int | float = 2,
        max_df: int | float = 0.5,
        max_features: int | None = 50_000,
    ) -> None:
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        cities: Sequence[City],
        theme_ids: Sequence[str],
        *,
        collaborations: Sequence[Collaboration] = (),
        texts: Mapping[int, str | Sequence[str]] | None = None,
    ) -> ProfileVectoriser:
        """Learn the feature space from ``cities`` and vectorise them.

        ``collaborations`` supply theme experience, project text and partner history; member
        ids that are not among ``cities`` are ignored. ``texts`` adds free text per city id
        (a city's own description, for instance).
        """
        if len(set(theme_ids)) != len(theme_ids):
            raise ValueError("theme_ids contains duplicates")
        ordered = sorted(cities, key=lambda c: c.id)
        ids = np.fromiter((c.id for c in ordered), dtype=np.int64, count=len(ordered))
        if len(np.unique(ids)) != len(ids):
            raise ValueError("city ids must be unique")

        self.theme_ids_ = tuple(theme_ids)
        self.theme_index_ = {t: i for i, t in enumerate(self.theme_ids_)}
        self.city_ids_ = ids
        self.collaboration_ids_ = np.array([c.id for c in collaborations], dtype=np.int64)

        # Collaborations x cities incidence, the base of experience, text and partners.
        self.membership_ = self._membership(collaborations, ids)
        self.collaboration_themes_ = self._theme_matrix_of(collaborations)
        self.experience_counts_ = np.asarray(
            (self.membership_.T @ self.collaboration_themes_), dtype=np.float32
        )
        co = (self.membership_.T @ self.membership_).tocsr().astype(np.int32)
        co.setdiag(0)
        co.eliminate_zeros()
        self.partner_counts_ = co
        self.collaboration_count_ = np.asarray(self.membership_.sum(axis=0), np.int32).ravel()

        own_texts = [_join(texts.get(int(i), "")) if texts else "" for i in ids]
        collab_texts = [collaboration_text(c) for c in collaborations]
        city_docs = self._city_documents(own_texts, collab_texts)
        self.tfidf_ = TfidfVectorizer(
            sublinear_tf=True,
            stop_words="english",
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            dtype=np.float32,
        )
        try:
            self.tfidf_.fit(city_docs)
        except ValueError:  # no text at all, or every term pruned: an empty text space
            self.tfidf_ = None
        self.idf_ = self.tfidf_.idf_.astype(np.float32) if self.tfidf_ else np.zeros(0, np.float32)
        self.own_term_counts_ = self._count(own_texts)
        self.collaboration_term_counts_ = self._count(collab_texts)
        self.term_counts_ = (
            self.own_term_counts_ + self.membership_.T @ self.collaboration_term_counts_
        ).tocsr()

        self.interest_ = _profile_matrix(ordered, ProfileKind.INTEREST, self.theme_index_)
        self.need_ = _profile_matrix(ordered, ProfileKind.NEED, self.theme_index_)
        self.offer_ = _profile_matrix(ordered, ProfileKind.OFFER, self.theme_index_)
        self.experience_ = experience_vectors(self.experience_counts_)
        self.text_ = tfidf_rows(self.term_counts_, self.idf_)
        place = _place_arrays(ordered)
        self.population_ = place["population"]
        self.lat_rad_ = place["lat_rad"]
        self.lon_rad_ = place["lon_rad"]
        self.country_ = place["country"]
        self.log_population_ = self.vectors_.log_population
        return self

    @property
    def vectors_(self) -> ProfileVectors:
        """The fitted cities' features as one bundle (shares the fitted arrays)."""
        return ProfileVectors(
            theme_ids=self.theme_ids_,
            city_ids=self.city_ids_,
            interest=self.interest_,
            need=self.need_,
            offer=self.offer_,
            experience=self.experience_,
            text=self.text_,
            population=self.population_,
            lat_rad=self.lat_rad_,
            lon_rad=self.lon_rad_,
            country=self.country_,
            partner_counts=self.partner_counts_,
            collaboration_count=self.collaboration_count_,
        )

    # ------------------------------------------------------------------ new or edited cities

    def transform(
        self,
        cities: Sequence[City],
        *,
        collaborations: Sequence[Collaboration] = (),
        texts: Mapping[int, str | Sequence[str]] | None = None,
    ) -> ProfileVectors:
        """Vectorise new or edited cities in the fitted space, in the order given.

        Only ``collaborations`` passed here count for them (pass the city's own projects);
        partner counts refer to the fitted cities.
        """
        ids = np.array([c.id for c in cities], dtype=np.int64)
        members = [
            np.array([i for i, c in enumerate(cities) if c.id in collab.member_city_ids])
            for collab in collaborations
        ]
        themes = self._theme_matrix_of(collaborations)
        experience = np.zeros((len(cities), len(self.theme_ids_)), np.float32)
        own_texts = [_join(texts.get(c.id, "")) if texts else "" for c in cities]
        docs = [[text] for text in own_texts]
        fitted_rows = {int(cid): row for row, cid in enumerate(self.city_ids_)}
        partners = sp.lil_matrix((len(cities), len(self.city_ids_)), dtype=np.int32)
        counts = np.zeros(len(cities), np.int32)
        for collab, rows, theme_row in zip(collaborations, members, themes, strict=True):
            other = [fitted_rows[m] for m in collab.member_city_ids if m in fitted_rows]
            for r in rows:
                experience[r] += theme_row
                docs[r].append(collaboration_text(collab))
                counts[r] += 1
                for o in other:
                    if self.city_ids_[o] != ids[r]:
                        partners[r, o] += 1
        term_counts = self._count([" ".join(d) for d in docs])
        return ProfileVectors(
            theme_ids=self.theme_ids_,
            city_ids=ids,
            interest=_profile_matrix(cities, ProfileKind.INTEREST, self.theme_index_),
            need=_profile_matrix(cities, ProfileKind.NEED, self.theme_index_),
            offer=_profile_matrix(cities, ProfileKind.OFFER, self.theme_index_),
            experience=experience_vectors(experience),
            text=tfidf_rows(term_counts, self.idf_),
            **_place_arrays(cities),
            partner_counts=partners.tocsr(),
            collaboration_count=counts,
        )

    def rows_of(self, city_ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Row positions of fitted city ids (``KeyError`` for an unknown id)."""
        wanted = np.asarray(city_ids, dtype=np.int64)
        rows = np.searchsorted(self.city_ids_, wanted)
        rows = np.minimum(rows, len(self.city_ids_) - 1)
        if wanted.size and not np.array_equal(self.city_ids_[rows], wanted):
            missing = wanted[self.city_ids_[rows] != wanted]
            raise KeyError(f"unknown city id(s): {missing.tolist()}")
        return rows

    # ------------------------------------------------------------------ leave-group-out

    def leave_out(self, collaboration_positions: Collection[int]) -> ProfileVectors:
        """Features of the member cities as if the given collaborations never happened.

        ``collaboration_positions`` index the ``collaborations`` passed to :meth:`fit`. Only
        member rows change, so the result holds just those rows (``city_ids`` says which);
        their experience, text, partner counts and collaboration counts are rebuilt from the
        accumulators minus the hidden collaborations' contributions. The idf stays the fitted
        one: see :func:`matcher.scoring.evaluation.evaluate` for why that is not leakage.
        Declared theme profiles do not come from collaborations and are kept as they are.
        """
        hidden = np.asarray(sorted(collaboration_positions), dtype=np.int64)
        hide = self.membership_[hidden]
        rows = np.unique(hide.indices)
        removed = hide[:, rows].T.tocsr()  # member rows x hidden collaborations
        experience = self.experience_counts_[rows] - removed @ self.collaboration_themes_[hidden]
        terms = self.term_counts_[rows] - removed @ self.collaboration_term_counts_[hidden]
        terms.eliminate_zeros()
        partners = self.partner_counts_[rows] - (removed @ hide).astype(np.int32)
        partners = partners.tolil()
        for local, row in enumerate(rows):
            partners[local, row] = 0
        partners = partners.tocsr()
        partners.eliminate_zeros()
        return ProfileVectors(
            theme_ids=self.theme_ids_,
            city_ids=self.city_ids_[rows],
            interest=self.interest_[rows],
            need=self.need_[rows],
            offer=self.offer_[rows],
            experience=experience_vectors(np.asarray(experience, np.float32)),
            text=tfidf_rows(sp.csr_matrix(terms), self.idf_),
            population=self.population_[rows],
            lat_rad=self.lat_rad_[rows],
            lon_rad=self.lon_rad_[rows],
            country=self.country_[rows],
            partner_counts=partners,
            collaboration_count=self.collaboration_count_[rows]
            - np.asarray(removed.sum(axis=1), np.int32).ravel(),
        )

    def top_shared_terms(self, row_a: int, row_b: int, k: int = 3) -> list[str]:
        """The ``k`` terms contributing most to the text similarity of two fitted cities."""
        if self.tfidf_ is None:
            return []
        product = self.text_[row_a].multiply(self.text_[row_b]).tocoo()
        order = np.argsort(-product.data, kind="stable")[:k]
        names = self.tfidf_.get_feature_names_out()
        return [str(names[product.col[i]]) for i in order]

    # ------------------------------------------------------------------ internals

    def _membership(self, collaborations: Sequence[Collaboration], ids: np.ndarray):
        index = {int(cid): row for row, cid in enumerate(ids)}
        rows, cols = [], []
        for pos, collab in enumerate(collaborations):
            for member in dict.fromkeys(collab.member_city_ids):
                if member in index:
                    rows.append(pos)
                    cols.append(index[member])
        data = np.ones(len(rows), np.float32)
        shape = (len(collaborations), len(ids))
        return sp.csr_matrix((data, (rows, cols)), shape=shape)

    def _theme_matrix_of(self, collaborations: Sequence[Collaboration]) -> np.ndarray:
        out = np.zeros((len(collaborations), len(self.theme_ids_)), np.float32)
        for pos, collab in enumerate(collaborations):
            for theme in collab.themes:
                col = self.theme_index_.get(theme)
                if col is not None:
                    out[pos, col] = 1.0
        return out

    def _city_documents(self, own_texts: list[str], collab_texts: list[str]) -> list[str]:
        docs = [[t] if t else [] for t in own_texts]
        coo = self.membership_.tocoo()
        for pos, row in zip(coo.row, coo.col, strict=True):
            docs[row].append(collab_texts[pos])
        return [" ".join(d) for d in docs]

    def _count(self, docs: list[str]) -> sp.csr_matrix:
        if self.tfidf_ is None:
            return sp.csr_matrix((len(docs), 0), dtype=np.float32)
        counter = CountVectorizer(
            analyzer=self.tfidf_.build_analyzer(),
            vocabulary=self.tfidf_.vocabulary_,
            dtype=np.float32,
        )
        return counter.transform(docs).tocsr()


def tfidf_rows(term_counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear-tf TF-IDF rows, L2-normalised: what ``TfidfVectorizer`` would produce for
    documents with these raw term counts, computed from the counts so they can be edited."""
    out = sp.csr_matrix(term_counts, dtype=np.float32, copy=True)
    out.eliminate_zeros()
    np.log(out.data, out=out.data)
    out.data += 1.0
    out.data *= idf[out.indices]
    row_of_entry = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
    norms = np.sqrt(np.bincount(row_of_entry, weights=out.data**2, minlength=out.shape[0]))
    out.data /= norms[row_of_entry].astype(np.float32)
    return out


def experience_vectors(counts: np.ndarray) -> np.ndarray:
    """L2-normalised log-damped theme counts: the tenth project on a theme adds less than the
    second, so one very active theme does not hide the others."""
    return _l2_rows(np.log1p(np.asarray(counts, np.float32)))


def _profile_matrix(
    cities: Sequence[City], kind: ProfileKind, theme_index: Mapping[str, int]
) -> np.ndarray:
    out = np.zeros((len(cities), len(theme_index)), np.float32)
    for row, city in enumerate(cities):
        for entry in city.profile:
            col = theme_index.get(entry.theme_id)
            if entry.kind == kind and col is not None and entry.weight > 0:
                out[row, col] += entry.weight
    return _l2_rows(out)


def _place_arrays(cities: Sequence[City]) -> dict[str, np.ndarray]:
    """Population and position arrays (NaN when unknown) and country codes."""

    def known(value: float | None) -> float:
        return np.nan if value is None else float(value)

    return {
        "population": np.array([known(c.population) for c in cities], float),
        "lat_rad": np.radians(np.array([known(c.lat) for c in cities], float)),
        "lon_rad": np.radians(np.array([known(c.lon) for c in cities], float)),
        "country": np.array([c.country for c in cities], dtype="<U2"),
    }


def _l2_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _join(text: str | Sequence[str]) -> str:
    return text if isinstance(text, str) else " ".join(text)
