"""Funding calls ranked for a city or a consortium: filters, then eligibility, then relevance.

:class:`CallIndex` is fitted once on the seeded calls (scikit-learn estimator conventions:
``fit`` returns ``self``, learned attributes end in ``_``) and answers one query in three steps:

1. **Filters** on arrays: status on ``today`` (the same rule as
   :meth:`~matcher.domain.FundingCall.status`), programme, deadline window, minimum budget.
2. **Eligibility** of the calls that survive, by :mod:`matcher.scoring.calls.eligibility` (or an
   injected evaluator), with its :func:`~matcher.scoring.calls.eligibility.is_eligible` verdict: a
   failed rule puts the call in ``ineligible`` with that rule and its reason; a rule that could
   not be decided does not fail the call but puts it in ``unknown``, to be checked against the
   call text. Co-funding rates are information only and never decide the split.
3. **Score**, from named parts in [0, 1] (:mod:`matcher.scoring.calls.relevance`):
   ``suitability`` for a municipality (:mod:`matcher.scoring.calls.suitability`, a call no
   municipality can take part in scores 0), the declared ``needs`` it pays for, ``themes``
   (cosine of IDF-weighted theme vectors, needs weighing :attr:`CallFitWeights.need_boost`
   times an interest) and ``text`` (TF-IDF cosine of the city's words with the call's,
   scaled so that :attr:`CallFitWeights.text_full` counts fully). ``relevance`` is the mean
   of the last three in play; ``fit``, the rank score, blends it with suitability.

Ordering is deterministic: fit descending, next deadline ascending (none last), call id.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

import numpy as np
import scipy.sparse as sp

from matcher.domain import (
    City,
    EligibilityRule,
    FundingCall,
    ProfileKind,
    RuleKind,
    RuleResult,
)
from matcher.scoring.calls.eligibility import (
    evaluate_city,
    evaluate_consortium,
    is_eligible,
)
from matcher.scoring.calls.matches import (
    DEFAULT_CALL_WEIGHTS,
    CallFitWeights,
    CallMatch,
    CallRanking,
)
from matcher.scoring.calls.relevance import (
    blend,
    needs_part,
    normalise,
    normalise_rows,
    theme_idf,
    theme_prominence,
)
from matcher.scoring.calls.suitability import SuitabilityIndex

__all__ = [
    "DEFAULT_CALL_WEIGHTS",
    "STATUS_FILTERS",
    "CallFitWeights",
    "CallIndex",
    "CallMatch",
    "CallRanking",
]

StatusFilter = Literal["open", "forthcoming", "all"]
#: ``all`` means every call that is not closed on ``today``.
STATUS_FILTERS: tuple[str, ...] = ("open", "forthcoming", "all")

CityEvaluator = Callable[[FundingCall, City, date], Sequence[RuleResult]]
ConsortiumEvaluator = Callable[[FundingCall, Sequence[City], date], Sequence[RuleResult]]

#: Fit values are rounded to this many decimals before sorting, so that float32 noise between
#: equal scores does not decide the order; the deadline and id do.
_SORT_DECIMALS = 6
#: Days (per evaluator) whose deadline results the index keeps; a service asks about today.
_DEADLINE_CACHE_DAYS = 4
#: Ordinal used for "no deadline" so that such calls sort after every dated one.
_NO_DATE = np.iinfo(np.int64).max


@dataclass(frozen=True, slots=True)
class _Query:
    """A city or consortium reduced to what relevance needs."""

    themes: np.ndarray  # float32 (T,), L2-normalised, zero when no profile
    interests: frozenset[str]
    needs: frozenset[str]
    text: str
    need_weights: np.ndarray  # float32 (T,): declared need weight x theme specificity
    need_text: str  # the words of the declared needs' themes


class CallIndex:
    """Funding calls as arrays: theme matrix, TF-IDF matrix, deadlines, budgets, programmes.

    Parameters are scikit-learn style hyper-parameters; ``fit(calls, theme_ids)`` learns the
    arrays. Call themes outside ``theme_ids`` are ignored (and listed in ``unknown_themes_``):
    calls imported before a vocabulary change must not break the index.

    Eligibility is the costly step of a query (one evaluator call per call, several rules
    each), and calls repeat each other's rules: the 629 seeded calls have 134 distinct rule
    sets besides their deadlines. With ``share_rule_results`` (the default) each distinct rule
    set is evaluated once per query, and each call's deadline once per day (whoever asks).
    This relies on the evaluator judging a rule by the rule, the applicants and the day alone,
    and the deadline by the call's dates and the day alone, as
    :mod:`matcher.scoring.calls.eligibility` does; an evaluator that reads anything else of the call
    needs ``share_rule_results=False``.
    """

    def __init__(
        self,
        weights: CallFitWeights = DEFAULT_CALL_WEIGHTS,
        *,
        min_df: int | float = 2,
        max_df: float = 0.5,
        ngram_range: tuple[int, int] = (1, 1),
        share_rule_results: bool = True,
    ) -> None:
        self.weights = weights
        self.min_df = min_df
        self.max_df = max_df
        # Unigrams by default: bigrams fit three times slower on the seeded calls (40,000
        # terms instead of 7,000) and curated phrases already reach the theme part.
        self.ngram_range = ngram_range
        self.share_rule_results = share_rule_results

    # ------------------------------------------------------------------ fitting

    def fit(
        self,
        calls: Sequence[FundingCall],
        theme_ids: Sequence[str],
        theme_texts: Mapping[str, str] | None = None,
    ) -> CallIndex:
        """Learn the call arrays; ``theme_ids`` fixes the column order (the vocabulary's).
        ``theme_texts`` (theme id -> label, description and synonyms) gives a city's themes
        words for the text and needs parts."""
        self.calls_ = tuple(calls)
        self.theme_ids_ = tuple(theme_ids)
        self.theme_texts_ = dict(theme_texts or {})
        self.suitability_ = SuitabilityIndex().fit(self.calls_)
        self.call_ids_ = np.array([c.id for c in self.calls_], dtype=object)
        self._row_of = {c.id: row for row, c in enumerate(self.calls_)}
        if len(self._row_of) != len(self.calls_):
            raise ValueError("duplicate call ids")
        self._column_of = {theme: col for col, theme in enumerate(self.theme_ids_)}
        self.theme_matrix_, self.unknown_themes_ = self._theme_matrix()
        self.text_matrix_ = self._fit_text()
        self.opening_ = _ordinals([c.opening_date for c in self.calls_], missing=-1)
        # Without a published opening date, the portal's listing when the data was taken says
        # whether the call is forthcoming (the same rule as FundingCall.status).
        self.listed_forthcoming_ = np.array(
            [c.opening_date is None and c.portal_status == "forthcoming" for c in self.calls_],
            dtype=bool,
        )
        self.deadlines_ = _deadline_matrix(self.calls_)
        # A topic the portal no longer lists is closed whatever its dates (FundingCall.status).
        self.withdrawn_ = np.array([c.portal_status == "withdrawn" for c in self.calls_], bool)
        self.budget_ = np.array(
            [np.nan if _budget(c) is None else _budget(c) for c in self.calls_], dtype=np.float64
        )
        self.programme_ = np.array([c.programme.casefold() for c in self.calls_], dtype=object)
        self._group_rules()
        return self

    def _group_rules(self) -> None:
        """Calls that share their rules: a representative per rule set, and per call a copy
        that carries only its deadline (see ``share_rule_results``)."""
        groups: dict[tuple, int] = {}
        self._rule_group: list[int] = []
        self._rule_set_calls: list[FundingCall] = []
        self._deadline_calls: list[FundingCall] = []
        for call in self.calls_:
            rules = tuple(r for r in call.rules if r.kind != RuleKind.DEADLINE)
            key = tuple(_rule_key(r) for r in rules)
            if key not in groups:
                groups[key] = len(groups)
                self._rule_set_calls.append(
                    replace(call, rules=rules, deadlines=(), opening_date=None)
                )
            self._rule_group.append(groups[key])
            deadline_rules = tuple(r for r in call.rules if r.kind == RuleKind.DEADLINE)
            self._deadline_calls.append(replace(call, rules=deadline_rules))
        self._deadline_results: dict[tuple, list[tuple[RuleResult, ...] | None]] = {}

    def _theme_matrix(self) -> tuple[np.ndarray, frozenset[str]]:
        matrix = np.zeros((len(self.calls_), len(self.theme_ids_)), dtype=np.float32)
        unknown: set[str] = set()
        for row, call in enumerate(self.calls_):
            for theme in call.themes:
                column = self._column_of.get(theme)
                if column is None:
                    unknown.add(theme)
                else:
                    matrix[row, column] = 1.0
        # Per call, its known themes in vocabulary order: what explanations list.
        self._call_themes = tuple(
            tuple(self.theme_ids_[c] for c in np.flatnonzero(matrix[row]))
            for row in range(len(self.calls_))
        )
        self.theme_prominence_ = theme_prominence([c.themes for c in self.calls_], self._column_of)
        # A theme on half the calls says little about any one of them: weigh by specificity.
        self.theme_idf_ = theme_idf(matrix)
        return normalise_rows(matrix * self.theme_idf_), frozenset(unknown)

    def _fit_text(self) -> sp.csr_matrix:
        documents = [_call_text(c) for c in self.calls_]
        # Small corpora (tests, a filtered import) may leave no term within the document-
        # frequency limits, or no term at all: relax the limits, then do without a text part.
        self._vectoriser = None  # a fitted TfidfVectorizer once there is text
        matrix = sp.csr_matrix((len(documents), 0), dtype=np.float32)
        for min_df, max_df in ((self.min_df, self.max_df), (1, 1.0)):
            vectoriser = self._make_vectoriser(min_df, max_df)
            try:
                matrix = vectoriser.fit_transform(documents)
            except ValueError:
                continue
            self._vectoriser = vectoriser
            break
        # Column-major copy: a query touches only its own terms' columns.
        self._text_by_term = sp.csc_matrix(matrix, dtype=np.float32)
        return sp.csr_matrix(matrix, dtype=np.float32)

    def _make_vectoriser(self, min_df: int | float, max_df: float):
        # Imported here: scikit-learn takes about a second to import, which every process
        # that merely imports this module (the web app, the CLI) would otherwise pay.
        from sklearn.feature_extraction.text import TfidfVectorizer

        return TfidfVectorizer(
            stop_words="english",
            sublinear_tf=True,
            ngram_range=self.ngram_range,
            min_df=min_df,
            max_df=max_df,
            dtype=np.float32,
        )

    # ------------------------------------------------------------------ queries

    def rank_for_city(
        self,
        city: City,
        today: date,
        *,
        status: StatusFilter = "all",
        programmes: Collection[str] | None = None,
        deadline_within_days: int | None = None,
        min_budget: float | None = None,
        city_text: str = "",
        evaluate: CityEvaluator = evaluate_city,
        limit: int | None = None,
    ) -> CallRanking:
        """Calls for ``city``, filtered, split by eligibility and ranked by fit.

        ``city_text`` is the city's free text (collaboration titles and descriptions) for the
        text part. ``evaluate(call, city, today)`` returns the rule results (default
        :func:`~matcher.scoring.calls.eligibility.evaluate_city`). Calls without a published
        budget are kept by ``min_budget`` (the filter drops only calls known to be smaller);
        calls without a deadline are dropped by ``deadline_within_days``. ``limit`` caps each
        list.
        """
        query = self._query([city], city_text)
        return self._rank(
            query,
            today,
            evaluate,
            city,
            status=status,
            programmes=programmes,
            deadline_within_days=deadline_within_days,
            min_budget=min_budget,
            limit=limit,
        )

    def rank_for_consortium(
        self,
        cities: Sequence[City],
        today: date,
        *,
        status: StatusFilter = "all",
        programmes: Collection[str] | None = None,
        deadline_within_days: int | None = None,
        min_budget: float | None = None,
        consortium_text: str = "",
        evaluate: ConsortiumEvaluator = evaluate_consortium,
        limit: int | None = None,
    ) -> CallRanking:
        """Calls for a group of cities applying together.

        The group's theme profile is the mean of its members' normalised profiles, so each
        member counts equally whatever the length of its profile; matching themes are those
        any member works on or needs. Eligibility comes from ``evaluate(call, cities, today)``
        (default :func:`~matcher.scoring.calls.eligibility.evaluate_consortium`). Other parameters
        as in :meth:`rank_for_city`.
        """
        if not cities:
            raise ValueError("a consortium needs at least one city")
        members = tuple(cities)
        query = self._query(members, consortium_text)
        return self._rank(
            query,
            today,
            evaluate,
            members,
            status=status,
            programmes=programmes,
            deadline_within_days=deadline_within_days,
            min_budget=min_budget,
            limit=limit,
        )

    def call_fit_of_cities(
        self, call_id: str, cities: Sequence[City], texts: Sequence[str] | None = None
    ) -> np.ndarray:
        """Fit of one call to each of ``cities`` (float64, aligned), e.g. for the consortium
        builder. ``texts`` are the cities' free texts, aligned; omitted, fit is themes only."""
        row = self._row_of[call_id]
        if not cities:
            return np.zeros(0)
        profiles = np.stack([self._theme_vector([c]) for c in cities])
        themes = profiles @ self.theme_matrix_[row]
        if not texts or not any(texts) or self._vectoriser is None:
            return np.clip(themes.astype(np.float64), 0.0, 1.0)
        text = self._text_part(self._vectoriser.transform(list(texts)) @ self.text_matrix_[row].T)
        w = self.weights
        return np.clip((w.themes * themes + w.text * text) / (w.themes + w.text), 0.0, 1.0)

    # ------------------------------------------------------------------ internals

    def _query(self, cities: Sequence[City], text: str) -> _Query:
        interests = frozenset().union(*(c.weights(ProfileKind.INTEREST) for c in cities))
        needs = frozenset().union(*(c.weights(ProfileKind.NEED) for c in cities))
        need_weights = np.zeros(len(self.theme_ids_), dtype=np.float32)
        for city in cities:
            for theme, weight in city.weights(ProfileKind.NEED).items():
                column = self._column_of.get(theme)
                if column is not None:
                    need_weights[column] = max(need_weights[column], max(weight, 0.0))
        need_weights *= self.theme_idf_
        # The city's words: its own texts, then what its themes are about.
        own = " ".join(
            self.theme_texts_.get(t, "")
            for c in cities
            for kind in ProfileKind
            for t in c.weights(kind)
        )
        need_text = " ".join(self.theme_texts_.get(t, "") for t in sorted(needs))
        full_text = f"{text.strip()} {own}".strip()
        return _Query(
            self._theme_vector(cities), interests, needs, full_text, need_weights, need_text
        )

    def _theme_vector(self, cities: Sequence[City]) -> np.ndarray:
        """Mean of the cities' normalised need-boosted theme profiles, L2-normalised."""
        total = np.zeros(len(self.theme_ids_), dtype=np.float32)
        for city in cities:
            vector = np.zeros(len(self.theme_ids_), dtype=np.float32)
            for kind, scale in (
                (ProfileKind.INTEREST, 1.0),
                (ProfileKind.NEED, self.weights.need_boost),
            ):
                for theme, weight in city.weights(kind).items():
                    column = self._column_of.get(theme)
                    if column is not None:
                        vector[column] += scale * max(weight, 0.0)
            total += normalise(vector * self.theme_idf_)
        return normalise(total)

    def _rule_results(
        self, evaluate, applicants, today: date
    ) -> Callable[[int], tuple[tuple[RuleResult, ...], bool | None]]:
        """A function giving, for call ``row``, the evaluator's results (the deadline first,
        then the other rules in call order, exactly as evaluating the call itself gives them)
        and their :func:`~matcher.scoring.calls.eligibility.is_eligible` verdict."""
        if not self.share_rule_results:

            def each_call(row: int) -> tuple[tuple[RuleResult, ...], bool | None]:
                results = tuple(evaluate(self.calls_[row], applicants, today))
                return results, is_eligible(results)

            return each_call
        # Deadline results depend on the call and the day only: kept across queries.
        key = (evaluate, today)
        if key not in self._deadline_results:
            if len(self._deadline_results) >= _DEADLINE_CACHE_DAYS:
                self._deadline_results.clear()
            self._deadline_results[key] = [None] * len(self.calls_)
        deadlines = self._deadline_results[key]
        by_rule_set: dict[int, tuple[tuple[RuleResult, ...], bool | None]] = {}

        def shared(row: int) -> tuple[tuple[RuleResult, ...], bool | None]:
            group = self._rule_group[row]
            if group not in by_rule_set:
                found = evaluate(self._rule_set_calls[group], applicants, today)
                rules = tuple(r for r in found if r.kind != RuleKind.DEADLINE)
                by_rule_set[group] = rules, is_eligible(rules)
            if deadlines[row] is None:
                dated = tuple(evaluate(self._deadline_calls[row], applicants, today))
                deadlines[row] = dated, is_eligible(dated)
            (dated, dated_flag), (rules, rules_flag) = deadlines[row], by_rule_set[group]
            return dated + rules, _worst(dated_flag, rules_flag)

        return shared

    def _text_part(self, cosines: np.ndarray | sp.spmatrix) -> np.ndarray:
        """TF-IDF cosines (dense or a sparse column) -> text part in [0, 1]."""
        raw = cosines.toarray() if sp.issparse(cosines) else np.asarray(cosines)
        return np.minimum(raw.astype(np.float32).ravel() / self.weights.text_full, 1.0)

    def _filter_mask(
        self,
        today: date,
        status: StatusFilter,
        programmes: Collection[str] | None,
        deadline_within_days: int | None,
        min_budget: float | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows passing every filter, each row's status code and next deadline ordinal."""
        if status not in STATUS_FILTERS:
            raise ValueError(f"status must be one of {STATUS_FILTERS}, not {status!r}")
        day = today.toordinal()
        upcoming = np.where(self.deadlines_ >= day, self.deadlines_, _NO_DATE)
        next_deadline = upcoming.min(axis=1)
        has_deadline = (self.deadlines_ != _NO_DATE).any(axis=1)
        closed = (has_deadline & (next_deadline == _NO_DATE)) | self.withdrawn_
        forthcoming = ((self.opening_ > day) | self.listed_forthcoming_) & ~closed
        if status == "open":
            mask = ~forthcoming & ~closed
        elif status == "forthcoming":
            mask = forthcoming.copy()
        else:
            mask = ~closed
        if programmes is not None:
            wanted = {p.casefold() for p in programmes}
            mask &= np.fromiter((p in wanted for p in self.programme_), bool, len(mask))
        if deadline_within_days is not None:
            mask &= (next_deadline != _NO_DATE) & (next_deadline - day <= deadline_within_days)
        if min_budget is not None:
            mask &= np.isnan(self.budget_) | (self.budget_ >= min_budget)
        return mask, forthcoming, next_deadline

    def _text_cosines(self, text: str) -> np.ndarray | None:
        """The scaled TF-IDF match of ``text`` with every call, None without text."""
        if not text or self._vectoriser is None:
            return None
        terms = self._vectoriser.transform([text])
        return self._text_part(self._text_by_term[:, terms.indices] @ terms.data)

    def _relevance(self, query: _Query) -> dict[str, np.ndarray]:
        """Every part for every call: suitability, needs, themes, text, relevance, score."""
        n = len(self.calls_)
        themes = (self.theme_matrix_ @ query.themes).astype(np.float32)
        text = self._text_cosines(query.text)
        needs = None
        if float(query.need_weights.sum()) > 0:
            needs = needs_part(
                self.theme_prominence_, self.theme_matrix_, query.need_weights,
                self._text_cosines(query.need_text),
            )  # fmt: skip
        score, relevance = blend(
            self.suitability_.scores_, self.suitability_.never_, needs, themes, text,
            self.weights,
        )  # fmt: skip
        zeros = np.zeros(n, dtype=np.float32)
        return {
            "suitability": self.suitability_.scores_,
            "needs": zeros if needs is None else needs,
            "themes": themes,
            "text": zeros if text is None else text,
            "relevance": relevance,
            "score": score,
        }

    def _rank(
        self,
        query: _Query,
        today: date,
        evaluate: Callable[[FundingCall, object, date], Sequence[RuleResult]],
        applicants: City | Sequence[City],
        *,
        status: StatusFilter,
        programmes: Collection[str] | None,
        deadline_within_days: int | None,
        min_budget: float | None,
        limit: int | None,
    ) -> CallRanking:
        mask, forthcoming, next_deadline = self._filter_mask(
            today, status, programmes, deadline_within_days, min_budget
        )
        rows = np.flatnonzero(mask)
        parts = self._relevance(query)
        fit = parts["score"]
        # lexsort sorts by the last key first: fit desc, then deadline asc, then id asc.
        order = np.lexsort(
            (
                self.call_ids_[rows].astype(str),
                next_deadline[rows],
                -np.round(fit[rows], _SORT_DECIMALS),
            )
        )
        ranked = rows[order]
        rule_results = self._rule_results(evaluate, applicants, today)
        day = today.toordinal()
        lists: dict[bool | None, list[CallMatch]] = {True: [], None: [], False: []}
        # Plain Python values for the per-call loop: numpy scalar access costs more than the
        # work done with each value.
        names = ("suitability", "needs", "themes", "text")
        columns = [parts[name][ranked].tolist() for name in names]
        for row, fit_value, relevance, deadline, is_forthcoming, *values in zip(
            ranked.tolist(),
            fit[ranked].tolist(),
            parts["relevance"][ranked].tolist(),
            next_deadline[ranked].tolist(),
            forthcoming[ranked].tolist(),
            *columns,
            strict=True,
        ):
            call = self.calls_[row]
            results, flag = rule_results(row)
            bucket = lists[flag]
            if limit is not None and len(bucket) >= limit:
                continue
            dated = deadline != _NO_DATE
            needs = tuple(t for t in self._call_themes[row] if t in query.needs)
            matching = needs + tuple(
                t for t in self._call_themes[row] if t in query.interests and t not in needs
            )
            bucket.append(
                CallMatch(
                    call_id=call.id,
                    fit=fit_value,
                    parts=dict(zip(names, values, strict=True)),
                    matching_themes=matching,
                    matching_needs=needs,
                    deadline=date.fromordinal(deadline) if dated else None,
                    days_left=deadline - day if dated else None,
                    status="forthcoming" if is_forthcoming else "open",
                    rules=results,
                    eligible=flag,
                    call=call,
                    relevance=relevance,
                    suitability=self.suitability_.assessments_[row],
                )
            )
        return CallRanking(
            eligible=tuple(lists[True]),
            unknown=tuple(lists[None]),
            ineligible=tuple(lists[False]),
            considered=len(rows),
        )


# --------------------------------------------------------------------------- helpers


def _worst(a: bool | None, b: bool | None) -> bool | None:
    """The verdict on two sets of results from the verdicts on each: a failure anywhere fails,
    else an unknown anywhere leaves it unknown (how ``is_eligible`` reads a list)."""
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def _rule_key(rule: EligibilityRule) -> tuple:
    """A hashable identity of a rule (its params are a dict)."""
    params = json.dumps(rule.params, sort_keys=True, default=str)
    return (rule.kind, params, rule.parsed, rule.source_sentence)


def _call_text(call: FundingCall) -> str:
    return " ".join([call.title, " ".join(call.keywords), call.description])


def _budget(call: FundingCall) -> float | None:
    """The largest published budget figure: the filter asks whether a call can be this big."""
    return call.budget_max if call.budget_max is not None else call.budget_min


def _ordinals(dates: Sequence[date | None], *, missing: int) -> np.ndarray:
    return np.array([missing if d is None else d.toordinal() for d in dates], dtype=np.int64)


def _deadline_matrix(calls: Sequence[FundingCall]) -> np.ndarray:
    """(n, max deadlines) ordinals, padded with the no-date sentinel."""
    width = max((len(c.deadlines) for c in calls), default=0)
    matrix = np.full((len(calls), max(width, 1)), _NO_DATE, dtype=np.int64)
    for row, call in enumerate(calls):
        for column, deadline in enumerate(call.deadlines):
            matrix[row, column] = deadline.toordinal()
    return matrix
