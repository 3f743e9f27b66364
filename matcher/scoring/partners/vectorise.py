"""City profiles as fixed-order vectors: theme profiles, project text, size, place and ties.

:class:`ProfileVectoriser` turns :class:`~matcher.domain.City` objects (and, optionally, the
:class:`~matcher.domain.Collaboration` records they took part in) into the arrays the partner
ranker reads. It follows scikit-learn's estimator conventions: hyper-parameters in ``__init__``,
``fit`` learns the theme order, the text vocabulary and idf and returns ``self``, learned
attributes end in ``_``, and ``transform`` turns new or edited cities into the same space.

Collaborations come in three kinds (:attr:`Collaboration.kind`) and feed different features:

========================  =============  ==========  =======================
feature                   project        joint-plan  network
========================  =============  ==========  =======================
theme *experience*        yes            no          no
project *text*            yes            no          no
*project_count*,          partnerships   no          no
*purpose_counts*          only (and every
                          research project)
*partner_counts* (worked  yes            yes         no
together)
*network_overlap*         no             no          yes, 1 / log2(size)
*ties* (the city graph)   1/(size-1)     1/(size-1)  1/(size-1)
========================  =============  ==========  =======================

A *partnership* is a project with at least two indexed member cities. A project the city ran
with no other municipality (with universities or agencies) is its real experience on the
project's themes and text, but no record of partnering with cities: ``project_count`` (the
track record, and the popularity baseline's degree) and ``purpose_counts`` count partnerships
only, but for their last column (:data:`RECORD_COLUMNS`): every research project, since any
Horizon participation shows a municipality's capacity for research.

Network membership (a Covenant of Mayors supporter network or territorial coordinator) is not a
project: it adds no experience, text or track record, only a size-discounted tie.
``network_overlap`` is the Adamic-Adar index on the city-network graph (a shared network
counts 1/log2 of its size: 1 for two members, 0.2 for EUROCITIES' 32). ``ties`` is the
resource-allocation projection of every collaboration onto city pairs: each member spreads
one unit over its co-members, so a 9-member project ties each pair with 1/8 and an 80-member
network with 1/79; a city's ties sum to the number of collaborations it shares with someone.

All of these are sums over collaborations, so one collaboration can be taken out again exactly
(:meth:`ProfileVectoriser.leave_out`, used by the leave-group-out evaluation).
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from matcher.domain import City, Collaboration, ProfileKind, collaboration_purpose
from matcher.scoring.partners.sparse_rows import shared_row_entries, tfidf_rows

__all__ = [
    "COLLABORATION_KINDS",
    "ProfileVectors",
    "ProfileVectoriser",
    "collaboration_text",
    "collaboration_weights",
    "replace_rows",
]

#: The kinds of :class:`~matcher.domain.Collaboration` the vectoriser understands; any other
#: value is treated as a project.
COLLABORATION_KINDS: tuple[str, ...] = ("project", "joint-plan", "network")
#: The purposes whose partnerships are counted per city (the first ``purpose_counts`` columns).
PROJECT_PURPOSES: tuple[str, ...] = ("cross-border", "transnational", "research")
#: The ``purpose_counts`` columns: partnerships per purpose, then every research project, with
#: another municipality or without (see ``research_projects`` in
#: :data:`~matcher.scoring.partners.features.LEFT_OUT` for why only research reads it).
RECORD_COLUMNS: tuple[str, ...] = (*PROJECT_PURPOSES, "research, every project")


def collaboration_text(collaboration: Collaboration) -> str:
    """The free text a collaboration contributes to each member's text profile."""
    return f"{collaboration.title}. {collaboration.description}".strip()


def collaboration_weights(kinds: Sequence[str], sizes: np.ndarray) -> dict[str, np.ndarray]:
    """Per-collaboration contribution to each accumulated feature (see the module table).

    ``sizes`` are the numbers of indexed members; a collaboration with fewer than two ties
    nobody.
    """
    kinds = np.asarray(kinds, dtype=object)
    sizes = np.asarray(sizes, np.float64)
    network = kinds == "network"
    project = ~network & (kinds != "joint-plan")
    paired = sizes >= 2
    return {
        "project": project.astype(np.float32),
        "partnership": (project & paired).astype(np.float32),
        "work": (~network).astype(np.float32),
        "network": np.where(network & paired, 1.0 / np.log2(np.maximum(sizes, 2)), 0.0),
        "tie": np.where(paired, 1.0 / np.maximum(sizes - 1, 1), 0.0),
    }


@dataclass(frozen=True, slots=True, eq=False)
class ProfileVectors:
    """Feature arrays for ``len(city_ids)`` cities, one row per city, in ``city_ids`` order.

    Theme matrices have one column per vocabulary theme (the vectoriser's ``theme_ids_``
    order) and L2-normalised rows, all-zero when the city declares nothing of that kind.
    The pair matrices (``partner_counts``, ``network_overlap``, ``ties``) have one column per
    *fitted* city; see the module docstring for what each one sums.
    """

    theme_ids: tuple[str, ...]  # column order of the theme matrices
    city_ids: np.ndarray  # int64 (n,)
    interest: np.ndarray  # float32 (n, T)
    need: np.ndarray  # float32 (n, T)
    offer: np.ndarray  # float32 (n, T)
    experience: np.ndarray  # float32 (n, T), from project themes
    text: sp.csr_matrix  # float32 (n, V), TF-IDF rows, L2-normalised
    population: np.ndarray  # float64 (n,), NaN when unknown
    lat_rad: np.ndarray  # float64 (n,), NaN when unknown
    lon_rad: np.ndarray  # float64 (n,), NaN when unknown
    country: np.ndarray  # str (n,), ISO 3166-1 alpha-2
    partner_counts: sp.csr_matrix  # int32 (n, n_fitted), shared projects and joint plans
    network_overlap: sp.csr_matrix  # float32 (n, n_fitted), Adamic-Adar over shared networks
    ties: sp.csr_matrix  # float32 (n, n_fitted), resource-allocation ties, all kinds
    project_count: np.ndarray  # int32 (n,), partnerships only (projects of 2+ cities)
    #: int32 (n, len(RECORD_COLUMNS)): partnerships per purpose, then every research project
    #: (None: not built)
    purpose_counts: np.ndarray | None = None
    region: np.ndarray | None = None  # str (n,), NUTS 2 code, '' unknown (None: not built)
    #: int32 (n,): every project, with another municipality or not (None: not built); read
    #: by the evaluation's stronger popularity baseline only
    every_project: np.ndarray | None = None

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
            network_overlap=self.network_overlap[rows],
            ties=self.ties[rows],
            project_count=self.project_count[rows],
            purpose_counts=None if self.purpose_counts is None else self.purpose_counts[rows],
            region=None if self.region is None else self.region[rows],
            every_project=None if self.every_project is None else self.every_project[rows],
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

        ``collaborations`` supply theme experience, project text, partner history, network
        overlap and ties; member ids that are not among ``cities`` are ignored. ``texts`` adds
        free text per city id (a city's own description, for instance).
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
        self.collaboration_kinds_ = np.array([c.kind for c in collaborations], dtype=object)

        # Collaborations x cities incidence, the base of every collaboration feature.
        self.membership_ = self._membership(collaborations, ids)
        sizes = np.asarray(self.membership_.sum(axis=1)).ravel()
        self.collaboration_weights_ = collaboration_weights(self.collaboration_kinds_, sizes)
        self.collaboration_themes_ = self._theme_matrix_of(collaborations)
        self.collaboration_themes_ *= self.collaboration_weights_["project"][:, None]
        self.collaboration_purposes_ = _record_matrix(collaborations, self.collaboration_weights_)

        own_texts = [_join(texts.get(int(i), "")) if texts else "" for i in ids]
        project = self.collaboration_weights_["project"] > 0
        collab_texts = [collaboration_text(c) if keep else ""
                        for c, keep in zip(collaborations, project, strict=True)]  # fmt: skip
        city_docs = self._city_documents(own_texts, collab_texts)
        # Imported here: scikit-learn costs about a second to import, and an index loaded
        # from the on-disk cache ranks without it.
        from sklearn.feature_extraction.text import TfidfVectorizer

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
        self.terms_ = (
            self.tfidf_.get_feature_names_out() if self.tfidf_ else np.zeros(0, dtype=object)
        )
        self.vocabulary_ = dict(self.tfidf_.vocabulary_) if self.tfidf_ else {}
        self.own_term_counts_ = self._count(own_texts)
        self.collaboration_term_counts_ = self._count(collab_texts)

        for name, values in self._city_arrays(ordered).items():
            setattr(self, f"{name}_", values)
        self._set_vectors(self._accumulate(self.membership_, np.arange(len(ids))))
        return self

    def refreshed(self, cities: Sequence[City]) -> ProfileVectoriser:
        """A copy with the rows of these already fitted cities recomputed from their new
        data (profiles, population, place), in the fitted space and by the same functions
        :meth:`fit` uses, so the result equals a fit on the edited cities as long as the
        vocabulary, the city set and the collaborations are unchanged (a profile edit).
        The original is left untouched: readers of it may still be ranking."""
        rows = self.rows_of([c.id for c in cities])
        new = copy.copy(self)
        changed = set()
        for name, values in self._city_arrays(cities).items():
            old = getattr(self, f"{name}_")
            if np.array_equal(old[rows], values, equal_nan=old.dtype.kind == "f"):
                continue  # shared: nobody writes into a fitted array
            column = old.copy()
            column[rows] = values
            setattr(new, f"{name}_", column)
            changed.add(name)
        if changed <= {"interest", "need", "offer"}:
            # What _accumulate derives (projects, texts, pairs, place) reads no profile.
            vectors = replace(self.vectors_, **{n: getattr(new, f"{n}_") for n in changed})
            new._set_vectors(vectors)
        else:
            accumulated = new._accumulate(new.membership_, rows)
            new._set_vectors(replace_rows(self.vectors_, rows, accumulated))
        return new

    def _city_arrays(self, cities: Sequence[City]) -> dict[str, np.ndarray]:
        """Per-city arrays that come from each city's own record (one row per city, in the
        order given), by attribute name without the trailing underscore: the one place
        :meth:`fit` and :meth:`refreshed` both compute them."""
        return {
            "interest": _profile_matrix(cities, ProfileKind.INTEREST, self.theme_index_),
            "need": _profile_matrix(cities, ProfileKind.NEED, self.theme_index_),
            "offer": _profile_matrix(cities, ProfileKind.OFFER, self.theme_index_),
            **_place_arrays(cities),
        }

    def _set_vectors(self, vectors: ProfileVectors) -> None:
        """Keep ``vectors_`` and the learned attributes that mirror its fields together."""
        self.vectors_ = vectors
        self.experience_ = vectors.experience
        self.text_ = vectors.text
        self.partner_counts_ = vectors.partner_counts
        self.project_count_ = vectors.project_count
        self.log_population_ = vectors.log_population

    # ------------------------------------------------------------------ new or edited cities

    def transform(
        self,
        cities: Sequence[City],
        *,
        collaborations: Sequence[Collaboration] = (),
        texts: Mapping[int, str | Sequence[str]] | None = None,
    ) -> ProfileVectors:
        """Vectorise new or edited cities in the fitted space, in the order given.

        Only ``collaborations`` passed here count for them (pass the city's own collaborations);
        pair features refer to the fitted cities, and a collaboration's size counts its
        members among the fitted and the given cities.
        """
        ids = np.array([c.id for c in cities], dtype=np.int64)
        fitted_rows = {int(cid): row for row, cid in enumerate(self.city_ids_)}
        known = set(fitted_rows) | set(ids.tolist())
        sizes = np.array(
            [len({m for m in c.member_city_ids if m in known}) for c in collaborations], float
        )
        weights = collaboration_weights([c.kind for c in collaborations], sizes)
        themes = self._theme_matrix_of(collaborations) * weights["project"][:, None]
        experience = np.zeros((len(cities), len(self.theme_ids_)), np.float32)
        own_texts = [_join(texts.get(c.id, "")) if texts else "" for c in cities]
        docs = [[text] for text in own_texts]
        pairs = {name: sp.lil_matrix((len(cities), len(self.city_ids_)), dtype=np.float64)
                 for name in ("work", "network", "tie")}  # fmt: skip
        counts = np.zeros(len(cities), np.int32)
        every = np.zeros(len(cities), np.int32)
        records = _record_matrix(collaborations, weights)
        purpose_counts = np.zeros((len(cities), len(RECORD_COLUMNS)), np.int32)
        for pos, collab in enumerate(collaborations):
            other = [fitted_rows[m] for m in dict.fromkeys(collab.member_city_ids)
                     if m in fitted_rows]  # fmt: skip
            for r, cid in enumerate(ids):
                if cid not in collab.member_city_ids:
                    continue
                experience[r] += themes[pos]
                if weights["project"][pos]:
                    docs[r].append(collaboration_text(collab))
                purpose_counts[r] += records[pos].astype(np.int32)
                counts[r] += int(weights["partnership"][pos])
                every[r] += int(weights["project"][pos])
                for o in other:
                    if self.city_ids_[o] != cid:
                        for name, matrix in pairs.items():
                            matrix[r, o] += weights[name][pos]
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
            partner_counts=_clean(pairs["work"].tocsr(), np.int32),
            network_overlap=_clean(pairs["network"].tocsr(), np.float32),
            ties=_clean(pairs["tie"].tocsr(), np.float32),
            project_count=counts,
            purpose_counts=purpose_counts,
            every_project=every,
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
        member rows change, so the result holds just those rows (``city_ids`` says which):
        their experience, text, partner counts, network overlap, ties and project counts are
        rebuilt from the membership without the hidden collaborations (the other members'
        rows are untouched: a collaboration only ties its own members). The idf stays the
        fitted one: see :func:`matcher.scoring.partners.evaluate.evaluate` for why that is not
        leakage. Declared theme profiles do not come from collaborations and are kept.
        """
        hidden = np.asarray(sorted(collaboration_positions), dtype=np.int64)
        rows = np.unique(self.membership_[hidden].indices)
        keep = np.ones(self.membership_.shape[0], np.float32)
        keep[hidden] = 0.0
        return self._accumulate(sp.diags(keep) @ self.membership_, rows)

    def top_shared_terms(self, row_a: int, row_b: int, k: int = 3) -> list[str]:
        """The ``k`` terms contributing most to the text similarity of two fitted cities."""
        if not len(self.terms_):
            return []
        columns, product = shared_row_entries(self.text_, row_a, row_b)
        order = np.argsort(-product, kind="stable")[:k]
        return [str(self.terms_[columns[i]]) for i in order]

    # ------------------------------------------------------------------ internals

    def _accumulate(self, membership: sp.csr_matrix, rows: np.ndarray) -> ProfileVectors:
        """Features of the fitted ``rows`` from a (possibly reduced) membership matrix."""
        w = self.collaboration_weights_
        of_rows = membership.T.tocsr()[rows]  # rows x collaborations
        experience = np.asarray(of_rows @ self.collaboration_themes_, np.float32)
        terms = self.own_term_counts_[rows] + of_rows @ self.collaboration_term_counts_

        def pairs(weight: np.ndarray, dtype) -> sp.csr_matrix:
            matrix = (of_rows @ sp.diags(weight) @ membership).tocsr().astype(np.float64)
            return _clean(_drop_self(matrix, rows), dtype)

        # Every row in order (the fit): share the per-city arrays instead of copying them
        # (at 100,000 cities the copies of the theme profiles alone were ~30 MB per worker).
        every = len(rows) == len(self.city_ids_) and np.array_equal(rows, np.arange(len(rows)))

        def own(values: np.ndarray) -> np.ndarray:
            return values if every else values[rows]

        return ProfileVectors(
            theme_ids=self.theme_ids_,
            city_ids=own(self.city_ids_),
            interest=own(self.interest_),
            need=own(self.need_),
            offer=own(self.offer_),
            experience=experience_vectors(experience),
            text=tfidf_rows(sp.csr_matrix(terms), self.idf_),
            population=own(self.population_),
            lat_rad=own(self.lat_rad_),
            lon_rad=own(self.lon_rad_),
            country=own(self.country_),
            partner_counts=pairs(w["work"], np.int32),
            network_overlap=pairs(w["network"], np.float32),
            ties=pairs(w["tie"], np.float32),
            project_count=np.rint(of_rows @ w["partnership"]).astype(np.int32),
            purpose_counts=np.rint(of_rows @ self.collaboration_purposes_).astype(np.int32),
            region=own(self.region_),
            every_project=np.rint(of_rows @ w["project"]).astype(np.int32),
        )

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
        if not self.vocabulary_:
            return sp.csr_matrix((len(docs), 0), dtype=np.float32)
        from sklearn.feature_extraction.text import CountVectorizer

        if self.tfidf_ is None:  # unpickled: the analyzer depends on the settings only
            from sklearn.feature_extraction.text import TfidfVectorizer

            self.tfidf_ = TfidfVectorizer(stop_words="english", vocabulary=self.vocabulary_)
        counter = CountVectorizer(
            analyzer=self.tfidf_.build_analyzer(),
            vocabulary=self.vocabulary_,
            dtype=np.float32,
        )
        return counter.transform(docs).tocsr()

    def __getstate__(self) -> dict:
        """Pickle without the scikit-learn object (``vocabulary_``, ``idf_`` and ``terms_``
        carry what ranking needs), so loading a cached index does not import scikit-learn."""
        state = dict(self.__dict__)
        state["tfidf_"] = None
        return state


def replace_rows(vectors: ProfileVectors, rows: np.ndarray, new: ProfileVectors) -> ProfileVectors:
    """``vectors`` with its rows ``rows`` replaced by the rows of ``new`` (in that order),
    field by field, so a field added to :class:`ProfileVectors` is carried over too."""
    rows = np.asarray(rows, dtype=np.int64)
    changed = {}
    for name in ProfileVectors.__dataclass_fields__:
        old, replacement = getattr(vectors, name), getattr(new, name)
        if sp.issparse(old):
            # Stack the new rows under the old ones, then pick every row from the right place.
            stacked = sp.vstack([old, replacement], format="csr")
            order = np.arange(old.shape[0])
            order[rows] = old.shape[0] + np.arange(len(rows))
            changed[name] = stacked[order].astype(old.dtype)
        elif isinstance(old, np.ndarray):
            column = old.copy()
            column[rows] = replacement
            changed[name] = column
        else:  # theme_ids: the same fitted space on both sides
            changed[name] = old
    return ProfileVectors(**changed)


def experience_vectors(counts: np.ndarray) -> np.ndarray:
    """L2-normalised log-damped theme counts: the tenth project on a theme adds less than the
    second, so one very active theme does not hide the others."""
    return _l2_rows(np.log1p(np.asarray(counts, np.float32)))


def _record_matrix(collaborations: Sequence[Collaboration],
                   weights: Mapping[str, np.ndarray]) -> np.ndarray:  # fmt: skip
    """Collaborations x :data:`RECORD_COLUMNS`: 1 where a partnership is of that purpose, and
    in the last column where any project is research (``weights``:
    :func:`collaboration_weights` of the same collaborations)."""
    out = np.zeros((len(collaborations), len(RECORD_COLUMNS)), np.float32)
    for pos, collab in enumerate(collaborations):
        purpose = collaboration_purpose(collab.source, collab.programme, collab.kind)
        if purpose in PROJECT_PURPOSES:
            out[pos, PROJECT_PURPOSES.index(purpose)] = weights["partnership"][pos]
        if purpose == "research":
            out[pos, -1] = weights["project"][pos]
    return out


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
    """Population and position arrays (NaN when unknown), country codes and NUTS 2 regions."""

    def known(value: float | None) -> float:
        return np.nan if value is None else float(value)

    return {
        "population": np.array([known(c.population) for c in cities], float),
        "lat_rad": np.radians(np.array([known(c.lat) for c in cities], float)),
        "lon_rad": np.radians(np.array([known(c.lon) for c in cities], float)),
        "country": np.array([c.country for c in cities], dtype="<U2"),
        "region": np.array([c.nuts2 for c in cities], dtype="<U4"),
    }


def _l2_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return np.divide(matrix, norms, out=np.zeros_like(matrix), where=norms > 0)


def _join(text: str | Sequence[str]) -> str:
    return text if isinstance(text, str) else " ".join(text)


def _drop_self(matrix: sp.csr_matrix, rows: np.ndarray) -> sp.csr_matrix:
    """Zero entry (i, rows[i]) of every row: a city is not its own partner."""
    coo = matrix.tocoo()
    keep = coo.col != rows[coo.row]
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=matrix.shape)


def _clean(matrix: sp.csr_matrix, dtype) -> sp.csr_matrix:
    """``matrix`` in ``dtype`` without explicit zeros (counts are rounded, not truncated)."""
    out = sp.csr_matrix(matrix, dtype=np.float64, copy=True)
    if np.dtype(dtype).kind == "i":
        out.data = np.rint(out.data)
    out.data[np.abs(out.data) < 1e-9] = 0.0
    out.eliminate_zeros()
    out.sort_indices()
    return out.astype(dtype)
