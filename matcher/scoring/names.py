"""City names: a fuzzy, typo-tolerant name index.

:class:`NameIndex` finds a city from a typed or imported name, tolerant of typos, missing
diacritics and letter case. Display-name cleaning lives in :mod:`matcher.scoring.display_names`
(re-exported here as :func:`clean_display_name`).
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from rapidfuzz import fuzz, process

from matcher.domain import fold, normalise_country
from matcher.scoring.display_names import clean_display_name as clean_display_name


class NotFittedError(ValueError, AttributeError):
    """Raised when the index is used before ``fit``: the same contract as scikit-learn's
    exception, defined here so that name search never pays for importing scikit-learn
    (about a second at the start of every CLI command)."""


# --------------------------------------------------------------------------- name index

#: A name entry for :meth:`NameIndex.fit`: (city id, name, country code, population).
NameEntry = tuple[int, str, str, int | None]

#: Score (0-100) from which a single clear winner is accepted as a fuzzy resolution. One typo
#: in a seven-letter name scores 85.7, one in a six-letter name 83.3.
FUZZY_MIN_SCORE = 85.0
#: How far the winner must lead the next city to be called clear: a bit more than one edit in
#: an eight-letter name (6.25 points), so "Valenc" between Valence and Valencia stays ambiguous.
FUZZY_MARGIN = 8.0
#: Shorter queries never resolve fuzzily: one typo in a four- or five-letter name lands as close
#: to other real names (Viseu/Visé, Pinto/Pito) as to the intended one.
FUZZY_MIN_LENGTH = 6
#: Candidates scoring below this are not worth showing to a person.
CANDIDATE_MIN_SCORE = 70.0
#: Type-ahead: a query that starts a name scores at least _PREFIX_SCORE ("bolo" -> Bologna),
#: one that is the name's first word(s) _WORD_PREFIX_SCORE ("Frankfurt" -> Frankfurt am Main).
#: Both are flat so that, among names the query starts, the larger city comes first; both stay
#: below an exact name's 100 and high enough that a short near-miss ("Boo") does not outrank them.
_PREFIX_SCORE = 90.0
_WORD_PREFIX_SCORE = 92.0
_MIN_PREFIX_LENGTH = 3

_NON_WORD = re.compile(r"[\W_]+")


def name_key(text: str) -> str:
    """Comparison key of a name: folded (no case, no diacritics) with punctuation as spaces.

    "'s-Hertogenbosch" and "S Hertogenbosch", "Cluj-Napoca" and "cluj napoca" share a key.
    """
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())


def _trigrams(key: str) -> set[str]:
    padded = f" {key} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class ResolutionStatus(StrEnum):
    """How a name resolved against the index."""

    EXACT = "exact"
    FUZZY = "fuzzy"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, slots=True)
class NameMatch:
    """One city found for a query: the best of its names and that name's score (0-100).

    ``exact`` is True when the name equals the query up to case, diacritics and punctuation.
    """

    city_id: int
    name: str
    score: float
    exact: bool


@dataclass(frozen=True, slots=True)
class Resolution:
    """Outcome of resolving an imported name to one city.

    ``match`` is set for ``exact`` and ``fuzzy``; ``candidates`` lists the closest cities
    (best first) so that a person can decide when the status is ``ambiguous``.
    """

    status: ResolutionStatus
    match: NameMatch | None = None
    candidates: tuple[NameMatch, ...] = ()

    @property
    def city_id(self) -> int | None:
        return self.match.city_id if self.match else None


class NameIndex:
    """Typo-tolerant, diacritic-insensitive index of city names.

    Follows scikit-learn's conventions: constructor arguments are settings, :meth:`fit`
    learns from the data and returns ``self``, learned attributes end in ``_``.

    Candidates come from a character-trigram inverted index (ranked by Dice overlap) plus the
    names starting with the query; only those ``candidate_limit`` names are scored with
    rapidfuzz, which keeps a query over 100,000 names to a few milliseconds.

    Parameters
    ----------
    candidate_limit:
        Names taken from the trigram index for exact scoring. Larger is slower and finds
        more heavily misspelt names.
    """

    def __init__(self, candidate_limit: int = 1000) -> None:
        self.candidate_limit = candidate_limit

    # ----------------------------------------------------------------- fitting

    def fit(self, entries: Iterable[NameEntry]) -> NameIndex:
        """Index ``(city_id, name, country, population)`` entries; a city may have many names.

        Names with the same key for the same city are kept once (the first one seen, so list
        display names before official and alternate names). Countries accept EU codes (EL, UK).
        """
        if self.candidate_limit < 1:
            raise ValueError("candidate_limit must be at least 1")
        seen: set[tuple[int, str]] = set()
        city_ids: list[int] = []
        names: list[str] = []
        keys: list[str] = []
        countries: list[str] = []
        populations: list[int] = []
        for city_id, name, country, population in entries:
            key = name_key(name)
            if not key or (city_id, key) in seen:
                continue
            seen.add((city_id, key))
            city_ids.append(int(city_id))
            names.append(name)
            keys.append(key)
            countries.append(normalise_country(country))
            populations.append(-1 if population is None else int(population))

        self.names_ = names
        self.keys_ = keys
        self.city_ids_ = np.asarray(city_ids, dtype=np.int64)
        self.populations_ = np.asarray(populations, dtype=np.int64)
        self.country_codes_ = sorted(set(countries))
        code_number = {code: number for number, code in enumerate(self.country_codes_)}
        self.countries_ = np.asarray([code_number[c] for c in countries], dtype=np.int16)
        self._fit_trigrams()
        self._fit_prefixes()
        return self

    def _fit_trigrams(self) -> None:
        postings: dict[str, list[int]] = defaultdict(list)
        gram_counts = np.empty(len(self.keys_), dtype=np.float32)
        for row, key in enumerate(self.keys_):
            grams = _trigrams(key)
            gram_counts[row] = len(grams)
            for gram in grams:
                postings[gram].append(row)
        self.trigram_columns_ = {gram: column for column, gram in enumerate(postings)}
        lengths = np.fromiter((len(rows) for rows in postings.values()), dtype=np.int64)
        # Compressed (CSR-like) postings: rows of trigram c are rows[offsets[c]:offsets[c+1]].
        self.trigram_offsets_ = np.concatenate(([0], np.cumsum(lengths)))
        self.trigram_rows_ = np.fromiter(
            (row for rows in postings.values() for row in rows),
            dtype=np.int32,
            count=int(self.trigram_offsets_[-1]),
        )
        self.trigram_counts_ = gram_counts

    def _fit_prefixes(self) -> None:
        order = sorted(range(len(self.keys_)), key=self.keys_.__getitem__)
        self.sorted_keys_ = [self.keys_[row] for row in order]
        self.sorted_rows_ = np.asarray(order, dtype=np.int64)

    def _check_fitted(self) -> None:
        if not hasattr(self, "keys_"):
            raise NotFittedError("NameIndex is not fitted yet; call fit() first")

    # ----------------------------------------------------------------- querying

    def search(self, query: str, country: str | None = None, limit: int = 10) -> list[NameMatch]:
        """The ``limit`` cities whose names best match ``query``, one result per city.

        Ordered by score (highest first), then population (largest first), then city id, so
        equal scores give the same order every time. ``country`` restricts the search to one
        country before ranking; an unknown country code raises ``ValueError``.
        """
        self._check_fitted()
        key = name_key(query)
        if not key or limit < 1:
            return []
        country_number = self._country_number(country)
        if country_number is None and country is not None:
            return []
        rows = self._candidates(key, country_number)
        if rows.size == 0:
            return []
        scores = self._score(key, rows)
        return self._best_per_city(key, rows, scores, limit)

    def resolve(self, name: str, country: str | None = None) -> Resolution:
        """Resolve an imported name to one city, or say why it cannot be done safely.

        ``exact``: one city has the name (up to case, diacritics, punctuation). ``fuzzy``: no
        exact name, but one city scores at least :data:`FUZZY_MIN_SCORE` and leads the next
        by :data:`FUZZY_MARGIN`, for a name of :data:`FUZZY_MIN_LENGTH` characters or more.
        ``ambiguous``: several cities are plausible, listed in ``candidates``.
        ``not_found``: nothing scores :data:`CANDIDATE_MIN_SCORE`.
        """
        matches = [m for m in self.search(name, country, limit=6) if m.score >= CANDIDATE_MIN_SCORE]
        if not matches:
            return Resolution(ResolutionStatus.NOT_FOUND)
        candidates = tuple(matches[:5])
        exact = [m for m in matches if m.exact]
        if len(exact) == 1:
            return Resolution(ResolutionStatus.EXACT, exact[0], candidates)
        if exact:
            return Resolution(ResolutionStatus.AMBIGUOUS, None, tuple(exact))
        best = matches[0]
        runner_up = matches[1].score if len(matches) > 1 else 0.0
        clear_winner = best.score >= FUZZY_MIN_SCORE and best.score - runner_up >= FUZZY_MARGIN
        if clear_winner and len(name_key(name)) >= FUZZY_MIN_LENGTH:
            return Resolution(ResolutionStatus.FUZZY, best, candidates)
        return Resolution(ResolutionStatus.AMBIGUOUS, None, candidates)

    def _country_number(self, country: str | None) -> int | None:
        if country is None:
            return None
        code = normalise_country(country)
        position = bisect.bisect_left(self.country_codes_, code)
        if position < len(self.country_codes_) and self.country_codes_[position] == code:
            return position
        return None

    def _candidates(self, key: str, country_number: int | None) -> np.ndarray:
        """Rows worth scoring: best trigram overlaps plus names that start with the query."""
        query_grams = _trigrams(key)
        columns = [self.trigram_columns_[g] for g in query_grams if g in self.trigram_columns_]
        if columns:
            offsets = self.trigram_offsets_
            hits = np.concatenate(
                [self.trigram_rows_[offsets[c] : offsets[c + 1]] for c in columns]
            )
            rows, shared = np.unique(hits, return_counts=True)
            if country_number is not None:
                in_country = self.countries_[rows] == country_number
                rows, shared = rows[in_country], shared[in_country]
            if rows.size > self.candidate_limit:
                # Dice coefficient of the trigram sets: overlap relative to both lengths.
                dice = shared / (len(query_grams) + self.trigram_counts_[rows])
                best = np.argpartition(-dice, self.candidate_limit - 1)[: self.candidate_limit]
                rows = rows[best]
        else:
            rows = np.empty(0, dtype=np.int32)
        prefixed = self._prefixed_rows(key, country_number)
        return np.union1d(rows, prefixed) if prefixed.size else rows

    def _prefixed_rows(self, key: str, country_number: int | None) -> np.ndarray:
        """Rows whose key starts with ``key``, the most populous first, at most the limit."""
        start = bisect.bisect_left(self.sorted_keys_, key)
        stop = bisect.bisect_left(self.sorted_keys_, key + "\U0010ffff", lo=start)
        rows = self.sorted_rows_[start:stop]
        if country_number is not None:
            rows = rows[self.countries_[rows] == country_number]
        if rows.size > self.candidate_limit:
            largest = np.argpartition(-self.populations_[rows], self.candidate_limit - 1)
            rows = rows[largest[: self.candidate_limit]]
        return rows

    def _score(self, key: str, rows: np.ndarray) -> np.ndarray:
        """Scores 0-100 of ``key`` against the names at ``rows``."""
        candidate_keys = [self.keys_[row] for row in rows.tolist()]
        scores = process.cdist([key], candidate_keys, scorer=fuzz.ratio, dtype=np.float32)[0]
        if len(key) >= _MIN_PREFIX_LENGTH:
            word_prefix = key + " "
            for position, candidate in enumerate(candidate_keys):
                if candidate.startswith(key) and candidate != key:
                    floor = (
                        _WORD_PREFIX_SCORE if candidate.startswith(word_prefix) else _PREFIX_SCORE
                    )
                    scores[position] = max(scores[position], floor)
        # Rounding makes equal-looking scores equal, so that population decides the order.
        return np.round(scores.astype(np.float64), 2)

    def _best_per_city(
        self, key: str, rows: np.ndarray, scores: np.ndarray, limit: int
    ) -> list[NameMatch]:
        city_ids = self.city_ids_[rows]
        populations = self.populations_[rows]
        # lexsort: last key is primary. Ties on score -> larger population -> smaller id ->
        # earlier row (the name listed first for the city).
        order = np.lexsort((rows, city_ids, -populations, -scores))
        matches: list[NameMatch] = []
        seen: set[int] = set()
        for position in order.tolist():
            city_id = int(city_ids[position])
            if city_id in seen:
                continue
            seen.add(city_id)
            row = int(rows[position])
            matches.append(
                NameMatch(
                    city_id=city_id,
                    name=self.names_[row],
                    score=float(scores[position]),
                    exact=self.keys_[row] == key,
                )
            )
            if len(matches) == limit:
                break
        return matches
