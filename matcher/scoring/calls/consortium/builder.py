"""Consortium builder: partners for a lead city that meet a call's rules and fit it best.

``build_consortium(call, lead, candidates, ...)`` proposes ``size - 1`` partners (``size`` is
the number of members, lead included) such that the consortium meets every rule of the call
that concerns cities (see :mod:`matcher.scoring.calls.consortium.rules`) and maximises

    score = (w_call * mean call fit over the members + w_pair * mean pair fit over all pairs)
            / (w_call + w_pair)

with the weights of :class:`ConsortiumWeights`. Call fits come from the call ranking (e.g.
:meth:`matcher.scoring.calls.ranking.CallIndex.call_fit_of_cities`), pair fits from the partner
engine; both are inputs, given as arrays aligned with ``(lead, *candidates)`` or as callables.

Steps: candidates that surely meet the member rules (country, population) are kept; a shortlist
of the best by call fit and by pair fit with the lead, plus the best candidates for each quota
(one per country that counts, a few per required flag), bounds the pairwise work; the search
(:mod:`matcher.scoring.calls.consortium.search`) runs greedy construction, repair and swap local
search. Every member comes with reasons ("adds a third country (DE)", "Mission city", "strong
fit on circular economy") and up to ``alternatives`` replacements that keep the set valid.

When no valid set exists the proposal names the rule that cannot be met and reports the
relaxations it tried (a larger consortium, no country filter, the countries an open-ended call
may admit, no required member), each with the set it found, if any.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

import matcher.scoring.calls.consortium.search as search_core
from matcher.domain import City, FundingCall, ProfileKind, RuleKind, RuleResult, expand_countries
from matcher.scoring.calls.consortium.proposal import (
    DEFAULT_CONSORTIUM_WEIGHTS,
    Alternative,
    ConsortiumProposal,
    ConsortiumWeights,
    ProposedMember,
    Relaxation,
    UnmetRule,
)
from matcher.scoring.calls.consortium.rules import (
    CITY_FLAGS,
    UNIVERSAL_FLAGS,
    ConsortiumRules,
    consortium_rules,
)
from matcher.scoring.calls.eligibility import evaluate_consortium

__all__ = [
    "DEFAULT_CONSORTIUM_WEIGHTS",
    "Alternative",
    "ConsortiumProposal",
    "ConsortiumWeights",
    "ProposedMember",
    "Relaxation",
    "UnmetRule",
    "brute_force_consortium",
    "build_consortium",
]

CallFit = Callable[[City], float] | Sequence[float] | np.ndarray
PairFit = Callable[[City, City], float] | np.ndarray
ConsortiumEvaluator = Callable[[FundingCall, Sequence[City], date], Sequence[RuleResult]]

#: Candidates kept for the search by call fit; as many again by pair fit with the lead, on top
#: of the best candidates for each quota. Keeps the pairwise work near 100 x 100 whatever the
#: number of candidates; the benchmark checks it loses nothing against a larger shortlist.
DEFAULT_SHORTLIST = 40
#: A call fit from which a member's shared themes read as a "strong fit".
STRONG_CALL_FIT = 0.5
#: A mean pair fit with the other members from which the reasons mention it.
STRONG_PAIR_FIT = 0.5
#: How many sizes above the requested one the "larger consortium" relaxation tries.
MAX_EXTRA_MEMBERS = 3
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


@dataclass(frozen=True, slots=True, eq=False)
class _Inputs:
    """Lead and candidates with their call fits, and pair fits on demand."""

    lead: City
    cities: tuple[City, ...]  # candidates, lead and repeats removed
    positions: np.ndarray  # each candidate's position in (lead, *candidates) as given
    fit: np.ndarray
    lead_fit: float
    pair_fit: PairFit | None
    pool: tuple[City, ...]  # (lead, *candidates) as given, for position lookups
    #: Pair fits already asked of a callable, by city ids: relaxations search again.
    asked: dict[tuple[int, int], float] = field(default_factory=dict)

    def _ask(self, a: City, b: City) -> float:
        key = (a.id, b.id)
        if key not in self.asked:
            self.asked[key] = float(self.pair_fit(a, b))
        return self.asked[key]

    def pair_block(self, positions: Sequence[int]) -> np.ndarray:
        """Pair fits among the given (lead, *candidates) positions, zero diagonal."""
        size = len(positions)
        if self.pair_fit is None:
            return np.zeros((size, size))
        if isinstance(self.pair_fit, np.ndarray):
            block = np.array(self.pair_fit[np.ix_(positions, positions)], dtype=np.float64)
            block = (block + block.T) / 2
        else:
            block = np.zeros((size, size))
            cities = [self.pool[p] for p in positions]
            for a in range(size):
                for b in range(a + 1, size):
                    block[a, b] = block[b, a] = self._ask(cities[a], cities[b])
        np.fill_diagonal(block, 0.0)
        return np.clip(block, 0.0, 1.0)

    def lead_pairs(self, indices: Sequence[int]) -> np.ndarray:
        """Pair fit of the lead with each of the candidates ``indices``."""
        if self.pair_fit is None:
            return np.zeros(len(indices))
        if isinstance(self.pair_fit, np.ndarray):
            columns = self.positions[list(indices)]
            both_ways = (self.pair_fit[0, columns] + self.pair_fit[columns, 0]) / 2
            return np.clip(both_ways, 0.0, 1.0)
        return np.clip([self._ask(self.lead, self.cities[i]) for i in indices], 0.0, 1.0)


def _inputs(lead: City, candidates: Sequence[City], call_fit: CallFit, pair_fit) -> _Inputs:
    pool = (lead, *candidates)
    if callable(call_fit):
        fits = np.array([call_fit(city) for city in pool], dtype=np.float64)
    else:
        fits = np.asarray(call_fit, dtype=np.float64)
    if isinstance(pair_fit, np.ndarray) and pair_fit.shape != (len(pool), len(pool)):
        raise ValueError("pair_fit matrix must be aligned with (lead, *candidates)")
    if fits.shape != (len(pool),):
        raise ValueError("call_fit must give one value per city of (lead, *candidates)")
    seen = {lead.id}
    kept: list[int] = []
    for position, city in enumerate(candidates, start=1):
        if city.id not in seen:
            seen.add(city.id)
            kept.append(position)
    positions = np.array(kept, dtype=np.int64)
    return _Inputs(
        lead=lead,
        cities=tuple(pool[p] for p in kept),
        positions=positions,
        fit=np.clip(fits[positions], 0.0, 1.0),
        lead_fit=float(np.clip(fits[0], 0.0, 1.0)),
        pair_fit=pair_fit,
        pool=pool,
    )


# --------------------------------------------------------------------------- search


@dataclass(frozen=True, slots=True, eq=False)
class _Solution:
    pool: search_core.Pool
    shortlist: list[int]  # candidate indices, in pool order
    partners: list[int] | None  # pool indices
    eligible: int  # candidates meeting the member rules and the filter


def _eligible(rules: ConsortiumRules, inputs: _Inputs, countries: frozenset[str] | None):
    return [
        i
        for i, city in enumerate(inputs.cities)
        if rules.surely_member(city) and (countries is None or city.country in countries)
    ]


def _shortlist(
    rules: ConsortiumRules, inputs: _Inputs, eligible: list[int], shortlist: int, slots: int
) -> list[int]:
    by_fit = sorted(eligible, key=lambda i: (-inputs.fit[i], inputs.cities[i].id))
    chosen = set(by_fit[:shortlist])
    if inputs.pair_fit is not None and eligible:
        lead_pair = inputs.lead_pairs(eligible)
        order = np.lexsort(([inputs.cities[i].id for i in eligible], -lead_pair))
        chosen.update(eligible[j] for j in order[:shortlist])
    for quota in rules.country_quotas:
        best_per_country: dict[str, int] = {}
        for i in by_fit:
            country = inputs.cities[i].country
            if quota.counts(country):
                best_per_country.setdefault(country, i)
        chosen.update(best_per_country.values())
    for quota in rules.member_quotas:
        flagged = [i for i in by_fit if CITY_FLAGS[quota.flag](inputs.cities[i])]
        chosen.update(flagged[: quota.min + slots])
    return [i for i in by_fit if i in chosen]


def _pool(rules: ConsortiumRules, inputs: _Inputs, members: list[int]) -> search_core.Pool:
    cities = [inputs.cities[i] for i in members]
    codes = {
        c: n for n, c in enumerate(sorted({inputs.lead.country, *(c.country for c in cities)}))
    }
    block = inputs.pair_block([0, *inputs.positions[members].tolist()])

    def flags(city: City) -> list[int]:
        return [int(CITY_FLAGS[q.flag](city)) for q in rules.member_quotas]

    def counted(city: City) -> list[bool]:
        return [q.counts(city.country) for q in rules.country_quotas]

    quotas_c, quotas_f = len(rules.country_quotas), len(rules.member_quotas)
    return search_core.Pool(
        fit=inputs.fit[members].astype(np.float64),
        pair=block[1:, 1:],
        lead_fit=inputs.lead_fit,
        lead_pair=block[0, 1:],
        country=np.array([codes[c.country] for c in cities], dtype=np.int64),
        lead_country=codes[inputs.lead.country],
        counts_for=_table([counted(c) for c in cities], quotas_c, bool),
        lead_counts_for=np.array(counted(inputs.lead), dtype=bool),
        country_min=np.array([q.min for q in rules.country_quotas], dtype=np.int64),
        flags=_table([flags(c) for c in cities], quotas_f, np.int64),
        lead_flags=np.array(flags(inputs.lead), dtype=np.int64),
        flag_min=np.array([q.min for q in rules.member_quotas], dtype=np.int64),
        n_countries=len(codes),
    )


def _table(rows: list[list], width: int, dtype) -> np.ndarray:
    """A (len(rows), width) array, also when there are no rows or no columns."""
    table = np.zeros((len(rows), width), dtype=dtype)
    if rows and width:
        table[:] = rows
    return table


def _solve(
    rules: ConsortiumRules,
    inputs: _Inputs,
    size: int,
    countries: frozenset[str] | None,
    weights: ConsortiumWeights,
    shortlist: int | None,
) -> _Solution:
    """Search (``shortlist`` None: exhaustively over every eligible candidate)."""
    eligible = _eligible(rules, inputs, countries)
    if shortlist is None:
        members = eligible
    else:
        members = _shortlist(rules, inputs, eligible, shortlist, size - 1)
    pool = _pool(rules, inputs, members)
    if shortlist is None:
        partners = search_core.exhaustive(pool, size - 1, weights.call_fit, weights.pair_fit)
    else:
        partners = search_core.search(pool, size - 1, weights.call_fit, weights.pair_fit)
    return _Solution(pool, members, partners, len(eligible))


# --------------------------------------------------------------------------- public API


def build_consortium(
    call: FundingCall,
    lead: City,
    candidates: Sequence[City],
    *,
    call_fit: CallFit,
    pair_fit: PairFit | None = None,
    size: int | None = None,
    countries: Collection[str] | None = None,
    today: date | None = None,
    evaluate: ConsortiumEvaluator = evaluate_consortium,
    weights: ConsortiumWeights = DEFAULT_CONSORTIUM_WEIGHTS,
    alternatives: int = 2,
    shortlist: int = DEFAULT_SHORTLIST,
    theme_labels: Mapping[str, str] | None = None,
) -> ConsortiumProposal:
    """Propose ``size - 1`` partners for ``lead`` that meet ``call``'s rules and fit best.

    ``call_fit`` gives each city's fit to the call and ``pair_fit`` the fit of two cities, in
    [0, 1]: callables, or an array / square matrix aligned with ``(lead, *candidates)``;
    without ``pair_fit`` only call fit counts. Pair fit is taken as symmetric: a matrix is
    averaged with its transpose, a callable is asked once per pair. ``size`` counts the lead;
    by default the smallest the call allows, at least three. ``countries`` restricts the
    candidates (ISO codes or set names such as ``"EU27"``). With ``today``, the proposed set
    is checked by ``evaluate(call, members, today)`` (default
    :func:`~matcher.scoring.calls.eligibility.evaluate_consortium`) and the results are attached.
    ``theme_labels`` (theme id -> label) make the reasons readable.
    """
    rules = consortium_rules(call)
    size = rules.default_size() if size is None else size
    if size < 1:
        raise ValueError("a consortium has at least one member (the lead)")
    wanted = expand_countries(list(countries)) if countries is not None else None
    inputs = _inputs(lead, candidates, call_fit, pair_fit)
    others = tuple(q.describe() for q in rules.other_members)
    lead_problems = rules.lead_problems(lead)
    if rules.max_members is not None and size > rules.max_members:
        lead_problems.append(
            (str(RuleKind.MIN_PARTNERS), f"the call allows at most {rules.max_members} members")
        )
    if today is not None and call.deadlines and all(d < today for d in call.deadlines):
        # A closed call has no valid consortium, however well the members would fit.
        last = max(call.deadlines).isoformat()
        closed = UnmetRule(
            str(RuleKind.DEADLINE), f"Deadline {last} has passed: the call is closed"
        )
        lead_problems.insert(0, (closed.kind, closed.reason))
    if lead_problems:
        return _invalid(call, inputs, size, [UnmetRule(k, r) for k, r in lead_problems], (), others)
    solution = _solve(rules, inputs, size, wanted, weights, shortlist)
    if solution.partners is None:
        unmet = _diagnose(rules, inputs, size, wanted, solution.eligible)
        tried = _relaxations(rules, inputs, size, wanted, weights, shortlist)
        return _invalid(call, inputs, size, unmet, tried, others, solution.eligible)
    members = _members(call, rules, inputs, solution, weights, alternatives, theme_labels or {})
    cities = [m.city for m in members]
    results: tuple[RuleResult, ...] = ()
    if today is not None:
        results = tuple(evaluate(call, cities, today))
    return ConsortiumProposal(
        call_id=call.id,
        size=size,
        valid=True,
        members=tuple(members),
        score=search_core.score(
            solution.pool, solution.partners, weights.call_fit, weights.pair_fit
        ),
        parts=_parts(solution.pool, solution.partners),
        other_members_needed=others,
        rule_results=results,
        candidates_considered=solution.eligible,
    )


def brute_force_consortium(
    call: FundingCall,
    lead: City,
    candidates: Sequence[City],
    *,
    call_fit: CallFit,
    pair_fit: PairFit | None = None,
    size: int | None = None,
    countries: Collection[str] | None = None,
    weights: ConsortiumWeights = DEFAULT_CONSORTIUM_WEIGHTS,
) -> tuple[tuple[City, ...], float] | None:
    """The optimal partners and their score by exhaustive search, or None when no valid set
    exists. Same inputs and score as :func:`build_consortium`; for small instances (it
    enumerates every set of ``size - 1`` eligible candidates)."""
    rules = consortium_rules(call)
    size = rules.default_size() if size is None else size
    wanted = expand_countries(list(countries)) if countries is not None else None
    inputs = _inputs(lead, candidates, call_fit, pair_fit)
    if rules.lead_problems(lead):
        return None
    solution = _solve(rules, inputs, size, wanted, weights, shortlist=None)
    if solution.partners is None:
        return None
    partners = tuple(inputs.cities[solution.shortlist[p]] for p in solution.partners)
    value = search_core.score(solution.pool, solution.partners, weights.call_fit, weights.pair_fit)
    return partners, value


# --------------------------------------------------------------------------- explanation


def _parts(pool: search_core.Pool, partners: Sequence[int]) -> dict[str, float]:
    members = len(partners) + 1
    call_mean = (pool.lead_fit + pool.fit[list(partners)].sum()) / members
    pairs = members * (members - 1) / 2
    chosen = np.asarray(partners, dtype=np.int64)
    pair_sum = pool.lead_pair[chosen].sum() + pool.pair[np.ix_(chosen, chosen)].sum() / 2
    return {"call_fit": float(call_mean), "pair_fit": float(pair_sum / pairs) if pairs else 0.0}


def _members(
    call: FundingCall,
    rules: ConsortiumRules,
    inputs: _Inputs,
    solution: _Solution,
    weights: ConsortiumWeights,
    alternatives: int,
    labels: Mapping[str, str],
) -> list[ProposedMember]:
    pool, partners = solution.pool, list(solution.partners or [])
    # Partners by call fit, so that reasons such as "adds a third country" read in that order.
    partners.sort(key=lambda p: (-pool.fit[p], inputs.cities[solution.shortlist[p]].id))

    def city_of(p: int) -> City:
        return inputs.cities[solution.shortlist[p]]

    def reasons_for(team: list[int], position: int) -> tuple[str, ...]:
        cities = [inputs.lead, *(city_of(p) for p in team)]
        fits = [pool.lead_fit, *(float(pool.fit[p]) for p in team)]
        pair_means = _pair_means(pool, team)
        return _reasons(call, rules, cities, fits, pair_means, position, labels, inputs)

    members = [
        ProposedMember(inputs.lead, "lead", inputs.lead_fit, reasons_for(partners, 0)),
    ]
    for position, partner in enumerate(partners):
        options = search_core.alternatives_for(
            pool, partners, position, weights.call_fit, weights.pair_fit, alternatives
        )
        swaps = []
        for candidate, value in options:
            team = partners[:position] + [candidate] + partners[position + 1 :]
            swaps.append(Alternative(city_of(candidate), value, reasons_for(team, position + 1)))
        members.append(
            ProposedMember(
                city_of(partner),
                "partner",
                float(pool.fit[partner]),
                reasons_for(partners, position + 1),
                tuple(swaps),
            )
        )
    return members


def _pair_means(pool: search_core.Pool, team: list[int]) -> list[float]:
    """Mean pair fit of each member (lead first) with the other members."""
    rows = np.zeros((len(team) + 1, len(team) + 1))
    rows[0, 1:] = rows[1:, 0] = pool.lead_pair[team]
    rows[1:, 1:] = pool.pair[np.ix_(team, team)]
    others = max(len(team), 1)
    return (rows.sum(axis=1) / others).tolist()


def _reasons(
    call: FundingCall,
    rules: ConsortiumRules,
    cities: list[City],
    fits: list[float],
    pair_means: list[float],
    position: int,
    labels: Mapping[str, str],
    inputs: _Inputs,
) -> tuple[str, ...]:
    """Why ``cities[position]`` is in the consortium (the lead is ``cities[0]``)."""
    city, reasons = cities[position], []
    if position == 0:
        reasons.append("lead")
    elif any(q.counts(city.country) for q in rules.country_quotas if not q.role):
        earlier = {c.country for c in cities[:position]}
        if city.country not in earlier:
            rank = len(earlier) + 1
            ordinal = _ORDINALS[rank - 1] if rank <= len(_ORDINALS) else f"{rank}th"
            reasons.append(f"adds a {ordinal} country ({city.country})")
    for quota in rules.country_quotas:
        lead_country = cities[0].country
        if (
            quota.role
            and position
            and quota.counts(city.country)
            and not quota.counts(lead_country)
        ):
            reasons.append("can coordinate (the lead's country cannot)")
    for quota in rules.member_quotas:
        if quota.flag not in UNIVERSAL_FLAGS and CITY_FLAGS[quota.flag](city):
            reasons.append(quota.label)
    shared = _shared_themes(call, city)
    if shared:
        named = ", ".join(labels.get(t, t) for t in shared)
        strength = "strong fit on" if fits[position] >= STRONG_CALL_FIT else "works on"
        reasons.append(f"{strength} {named}")
    if inputs.pair_fit is not None and pair_means[position] >= STRONG_PAIR_FIT:
        reasons.append(f"strong partner fit with the others ({pair_means[position]:.2f})")
    if len(reasons) == (1 if position == 0 else 0):
        reasons.append(f"call fit {fits[position]:.2f}")
    return tuple(reasons)


def _shared_themes(call: FundingCall, city: City) -> list[str]:
    declared = city.weights(ProfileKind.NEED) | city.weights(ProfileKind.INTEREST)
    return [theme for theme in call.themes if theme in declared]


# --------------------------------------------------------------------------- no valid set


def _invalid(
    call: FundingCall,
    inputs: _Inputs,
    size: int,
    unmet: Sequence[UnmetRule],
    relaxations: Sequence[Relaxation],
    others: tuple[str, ...],
    considered: int = 0,
) -> ConsortiumProposal:
    lead = ProposedMember(inputs.lead, "lead", inputs.lead_fit, ("lead",))
    return ConsortiumProposal(
        call_id=call.id,
        size=size,
        valid=False,
        members=(lead,),
        score=None,
        parts={},
        unmet=tuple(unmet),
        relaxations=tuple(relaxations),
        other_members_needed=others,
        candidates_considered=considered,
    )


def _diagnose(
    rules: ConsortiumRules,
    inputs: _Inputs,
    size: int,
    countries: frozenset[str] | None,
    eligible_count: int,
) -> list[UnmetRule]:
    """The rules that block every consortium of ``size`` from the candidates."""
    eligible = [inputs.cities[i] for i in _eligible(rules, inputs, countries)]
    unmet: list[UnmetRule] = []
    if eligible_count < size - 1:
        filtered = " and your country filter" if countries is not None else ""
        unmet.append(
            UnmetRule(
                "size",
                f"only {eligible_count} candidate cities meet the call's member rules{filtered};"
                f" {size - 1} partners are needed",
            )
        )
    members = [inputs.lead, *eligible]
    for quota in rules.country_quotas:
        reachable = sorted({c.country for c in members if quota.counts(c.country)})
        if len(reachable) < quota.min:
            listed = ", ".join(reachable) or "none"
            reason = f"needs {quota.describe()}; the lead and the candidates cover {listed}"
        elif quota.min > size:
            reason = f"needs {quota.describe()}; {size} members cannot"
        else:
            continue
        unmet.append(UnmetRule(str(RuleKind.MIN_COUNTRIES), reason, quota.source_sentence))
    for quota in rules.member_quotas:
        available = sum(CITY_FLAGS[quota.flag](c) for c in members)
        if available < quota.min:
            reason = f"needs {quota.describe()}; the lead and the candidates include {available}"
        elif quota.min > size:
            reason = f"needs {quota.describe()}; {size} members cannot"
        else:
            continue
        unmet.append(UnmetRule(str(RuleKind.REQUIRED_MEMBER), reason, quota.source_sentence))
    if not unmet:
        together = "; ".join(
            [q.describe() for q in rules.country_quotas]
            + [q.describe() for q in rules.member_quotas]
        )
        unmet.append(
            UnmetRule("combination", f"no {size}-member consortium meets all at once: {together}")
        )
    return unmet


def _relaxations(
    rules: ConsortiumRules,
    inputs: _Inputs,
    size: int,
    countries: frozenset[str] | None,
    weights: ConsortiumWeights,
    shortlist: int,
) -> list[Relaxation]:
    """Try each relaxation in turn and report whether it yields a valid consortium."""

    def attempt(kind, description, relaxed_rules, relaxed_size, relaxed_countries) -> Relaxation:
        solution = _solve(
            relaxed_rules, inputs, relaxed_size, relaxed_countries, weights, shortlist
        )
        if solution.partners is None:
            return Relaxation(kind, description, fixes=False)
        value = search_core.score(
            solution.pool, solution.partners, weights.call_fit, weights.pair_fit
        )
        partners = tuple(inputs.cities[solution.shortlist[p]] for p in solution.partners)
        return Relaxation(kind, description, True, value, partners)

    tried: list[Relaxation] = []
    largest = size + MAX_EXTRA_MEMBERS
    if rules.max_members is not None:
        largest = min(largest, rules.max_members)
    # Only the smallest size that works is advice; if none does, the largest tried says so.
    for bigger in range(size + 1, largest + 1):
        outcome = attempt("size", f"a consortium of {bigger} members", rules, bigger, countries)
        if outcome.fixes or bigger == largest:
            tried.append(outcome)
            break
    if countries is not None:
        tried.append(attempt("country_filter", "candidates from any country", rules, size, None))
    if rules.countries_open_ended and rules.member_countries is not None:
        wider = replace(rules, member_countries=None)
        description = "also cities from countries the call document may admit (check it)"
        tried.append(attempt("open_countries", description, wider, size, countries))
    for quota in rules.member_quotas:
        fewer = replace(rules, member_quotas=tuple(q for q in rules.member_quotas if q != quota))
        description = f"without the required {quota.label}"
        tried.append(attempt("required_member", description, fewer, size, countries))
    return tried
