"""Best valid consortium over a small candidate pool, on arrays: heuristic and exact search.

A :class:`Pool` holds the candidates (the lead excluded) as arrays; the lead is always a member
and counts towards every quota. A set of partners is *valid* when every quota is met:

* country quotas: at least ``country_min[q]`` distinct countries among the members whose
  country counts for quota ``q`` (e.g. "three countries", "one from a member state");
* member quotas: at least ``flag_min[f]`` members carrying flag ``f`` (e.g. a Mission city).

The score of a consortium of ``n`` members is the weighted mean of its mean call fit (over the
``n`` members) and its mean pair fit (over the ``n(n-1)/2`` pairs), so it lies in [0, 1].

:func:`search` builds a set greedily, each step taking the best marginal gain among the
candidates that keep every quota reachable in the slots left, repairs the set if quotas are
still unmet, then improves it by one-for-one swaps that keep it valid, from several starting
partners; :func:`exhaustive` enumerates every set (small pools only) and is the yardstick.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb

import numpy as np

__all__ = ["Pool", "alternatives_for", "exhaustive", "is_valid", "score", "search"]

#: Improvements smaller than this are float noise, not a better consortium.
_EPS = 1e-12
#: Local search stops after this many swaps even if it could go on (it converges in a handful).
_MAX_SWAPS = 200
#: Exhaustive search refuses pools with more combinations than this.
MAX_EXHAUSTIVE_SETS = 2_000_000


@dataclass(frozen=True, slots=True, eq=False)
class Pool:
    """Candidate partners as arrays; ``lead_*`` describe the lead, who is always a member."""

    fit: np.ndarray  # float64 (m,): each candidate's fit to the call
    pair: np.ndarray  # float64 (m, m): symmetric pair fit, zero diagonal
    lead_fit: float
    lead_pair: np.ndarray  # float64 (m,): pair fit of each candidate with the lead
    country: np.ndarray  # int64 (m,): country codes 0..n_countries-1
    lead_country: int
    counts_for: np.ndarray  # bool (m, Qc): the candidate's country counts for quota q
    lead_counts_for: np.ndarray  # bool (Qc,)
    country_min: np.ndarray  # int64 (Qc,)
    flags: np.ndarray  # int64 (m, Qf): 1 when the candidate carries flag f
    lead_flags: np.ndarray  # int64 (Qf,)
    flag_min: np.ndarray  # int64 (Qf,)
    n_countries: int

    def __len__(self) -> int:
        return len(self.fit)


@dataclass(frozen=True, slots=True)
class _Objective:
    """Score = constant + per_member * sum of fits + per_pair * sum of pair fits."""

    constant: float
    per_member: float
    per_pair: float


def _objective(pool: Pool, partners: int, call_weight: float, pair_weight: float) -> _Objective:
    members = partners + 1
    pairs = members * (members - 1) / 2
    total = call_weight + (pair_weight if pairs else 0.0)
    per_member = call_weight / members / total
    per_pair = pair_weight / pairs / total if pairs else 0.0
    return _Objective(per_member * pool.lead_fit, per_member, per_pair)


def score(pool: Pool, members: Sequence[int], call_weight: float, pair_weight: float) -> float:
    """Score of the consortium lead + ``members`` (candidate indices), in [0, 1]."""
    chosen = np.asarray(members, dtype=np.int64)
    objective = _objective(pool, len(chosen), call_weight, pair_weight)
    pair_sum = pool.lead_pair[chosen].sum() + pool.pair[np.ix_(chosen, chosen)].sum() / 2
    return float(
        objective.constant
        + objective.per_member * pool.fit[chosen].sum()
        + objective.per_pair * pair_sum
    )


# --------------------------------------------------------------------------- quotas


def _present(pool: Pool, members: Sequence[int]) -> np.ndarray:
    """bool (Qc, n_countries): countries already counted for each quota."""
    present = np.zeros((len(pool.country_min), pool.n_countries), dtype=bool)
    present[:, pool.lead_country] = pool.lead_counts_for
    for member in members:
        present[:, pool.country[member]] |= pool.counts_for[member]
    return present


def _deficits_after_adding(pool: Pool, members: Sequence[int]) -> np.ndarray:
    """int (m, Q): for each candidate, how far each quota stays from its minimum if that
    candidate joins ``members``. Country quotas first, then member quotas."""
    present = _present(pool, members)
    distinct = present.sum(axis=1)
    adds_country = pool.counts_for & ~present[:, pool.country].T
    country_deficit = np.maximum(pool.country_min - (distinct + adds_country), 0)
    flag_count = pool.lead_flags + pool.flags[list(members)].sum(axis=0)
    flag_deficit = np.maximum(pool.flag_min - (flag_count + pool.flags), 0)
    return np.concatenate([country_deficit, flag_deficit], axis=1)


def deficits(pool: Pool, members: Sequence[int]) -> np.ndarray:
    """int (Q,): how far each quota is from its minimum with ``members`` (0 when met)."""
    present = _present(pool, members)
    country_deficit = np.maximum(pool.country_min - present.sum(axis=1), 0)
    flag_count = pool.lead_flags + pool.flags[list(members)].sum(axis=0)
    return np.concatenate([country_deficit, np.maximum(pool.flag_min - flag_count, 0)])


def is_valid(pool: Pool, members: Sequence[int]) -> bool:
    """Whether lead + ``members`` meets every quota."""
    return not deficits(pool, members).any()


# --------------------------------------------------------------------------- heuristic


def search(
    pool: Pool, partners: int, call_weight: float, pair_weight: float, *, starts: int = 8
) -> list[int] | None:
    """A good valid set of ``partners`` candidate indices, or None if none was found.

    Runs greedy construction, repair and swap local search from the plain greedy start and
    from each of the ``starts - 1`` candidates with the best gain as forced first partner;
    returns the best valid result (ties: the lexicographically smallest index set).
    """
    if partners > len(pool):
        return None
    if partners == 0:
        return [] if is_valid(pool, []) else None
    objective = _objective(pool, partners, call_weight, pair_weight)
    solo_gain = objective.per_member * pool.fit + objective.per_pair * pool.lead_pair
    first_picks = np.argsort(-solo_gain, kind="stable")[: max(starts - 1, 0)]
    best: tuple[float, list[int]] | None = None
    for first in [None, *first_picks.tolist()]:
        members = _greedy(pool, partners, objective, [] if first is None else [first])
        members = _repair(pool, members, objective)
        if members is None:
            continue
        members = _improve(pool, members, objective)
        candidate = (score(pool, members, call_weight, pair_weight), sorted(members))
        if best is None or _better(candidate, best):
            best = candidate
    return None if best is None else best[1]


def _better(a: tuple[float, list[int]], b: tuple[float, list[int]]) -> bool:
    if abs(a[0] - b[0]) > _EPS:
        return a[0] > b[0]
    return a[1] < b[1]


def _gain(pool: Pool, members: Sequence[int], objective: _Objective) -> np.ndarray:
    """Marginal score of adding each candidate to lead + ``members``."""
    link = pool.lead_pair + pool.pair[:, list(members)].sum(axis=1)
    return objective.per_member * pool.fit + objective.per_pair * link


def _greedy(pool: Pool, partners: int, objective: _Objective, start: list[int]) -> list[int]:
    members = list(start)
    while len(members) < partners:
        gain = _gain(pool, members, objective)
        unmet_after = _deficits_after_adding(pool, members).sum(axis=1)
        # Sum of deficits bounds the partners still needed from above (each unit of deficit
        # can be filled by a partner of its own), so staying within the slots left keeps the
        # set completable without looking further ahead.
        reachable = unmet_after <= partners - len(members) - 1
        reachable[members] = False
        if reachable.any():
            pick = int(np.argmax(np.where(reachable, gain, -np.inf)))
        else:
            # No candidate keeps the quotas reachable: close as much of the gap as possible.
            order = np.lexsort((-gain, unmet_after))
            pick = next(int(j) for j in order if j not in members)
        members.append(pick)
    return members


def _repair(pool: Pool, members: list[int], objective: _Objective) -> list[int] | None:
    """Swap partners until every quota is met; None when no swap narrows the gap."""
    members = list(members)
    while deficits(pool, members).any():
        best: tuple[int, float, int, int] | None = None
        unmet_now = int(deficits(pool, members).sum())
        for position, leaving in enumerate(members):
            rest = members[:position] + members[position + 1 :]
            unmet = _deficits_after_adding(pool, rest).sum(axis=1)
            gain = _gain(pool, rest, objective)
            delta = gain - gain[leaving]
            unmet[members] = np.iinfo(np.int64).max
            entering = int(np.lexsort((-delta, unmet))[0])
            option = (int(unmet[entering]), -float(delta[entering]), position, entering)
            if best is None or option < best:
                best = option
        if best is None or best[0] >= unmet_now:
            return None
        members[best[2]] = best[3]
    return members


def _improve(pool: Pool, members: list[int], objective: _Objective) -> list[int]:
    """Best-improvement one-for-one swaps that keep the set valid, until none improves."""
    members = list(members)
    for _ in range(_MAX_SWAPS):
        best_delta, best_swap = _EPS, None
        for position, leaving in enumerate(members):
            rest = members[:position] + members[position + 1 :]
            gain = _gain(pool, rest, objective)
            delta = gain - gain[leaving]
            valid = ~_deficits_after_adding(pool, rest).any(axis=1)
            valid[members] = False
            delta = np.where(valid, delta, -np.inf)
            entering = int(np.argmax(delta))
            if delta[entering] > best_delta:
                best_delta, best_swap = float(delta[entering]), (position, entering)
        if best_swap is None:
            break
        members[best_swap[0]] = best_swap[1]
    return members


def alternatives_for(
    pool: Pool,
    members: Sequence[int],
    position: int,
    call_weight: float,
    pair_weight: float,
    count: int,
) -> list[tuple[int, float]]:
    """The ``count`` best replacements for ``members[position]`` that keep the set valid, as
    (candidate index, score of the changed set), best first (ties: lower index)."""
    objective = _objective(pool, len(members), call_weight, pair_weight)
    leaving = members[position]
    rest = list(members[:position]) + list(members[position + 1 :])
    gain = _gain(pool, rest, objective)
    valid = ~_deficits_after_adding(pool, rest).any(axis=1)
    valid[list(members)] = False
    current = score(pool, members, call_weight, pair_weight)
    options = np.flatnonzero(valid)
    new_scores = current + gain[options] - gain[leaving]
    order = np.lexsort((options, -new_scores))[:count]
    return [(int(options[i]), float(new_scores[i])) for i in order]


# --------------------------------------------------------------------------- exact


def exhaustive(
    pool: Pool, partners: int, call_weight: float, pair_weight: float
) -> list[int] | None:
    """The best valid set by enumerating every combination (ties: smallest index set).

    Raises ``ValueError`` above :data:`MAX_EXHAUSTIVE_SETS` combinations.
    """
    if partners > len(pool):
        return None
    if partners == 0:
        return [] if is_valid(pool, []) else None
    total = comb(len(pool), partners)
    if total > MAX_EXHAUSTIVE_SETS:
        raise ValueError(f"{total} combinations: too many for exhaustive search")
    sets = np.array(list(combinations(range(len(pool)), partners)), dtype=np.int64)
    valid = _valid_sets(pool, sets)
    if not valid.any():
        return None
    objective = _objective(pool, partners, call_weight, pair_weight)
    pair_sum = pool.lead_pair[sets].sum(axis=1)
    for a, b in combinations(range(partners), 2):
        pair_sum += pool.pair[sets[:, a], sets[:, b]]
    scores = objective.per_member * pool.fit[sets].sum(axis=1) + objective.per_pair * pair_sum
    scores = np.where(valid, scores, -np.inf)
    # combinations() yields sets in lexicographic order, so argmax takes the smallest on ties.
    return sets[int(np.argmax(scores))].tolist()


def _valid_sets(pool: Pool, sets: np.ndarray) -> np.ndarray:
    valid = np.ones(len(sets), dtype=bool)
    countries = pool.country[sets]
    for quota, minimum in enumerate(pool.country_min.tolist()):
        counted = np.zeros((len(sets), pool.n_countries), dtype=bool)
        rows = np.repeat(np.arange(len(sets)), sets.shape[1])
        mask = pool.counts_for[sets, quota].ravel()
        counted[rows[mask], countries.ravel()[mask]] = True
        if pool.lead_counts_for[quota]:
            counted[:, pool.lead_country] = True
        valid &= counted.sum(axis=1) >= minimum
    flag_counts = pool.lead_flags + pool.flags[sets].sum(axis=1)
    valid &= (flag_counts >= pool.flag_min).all(axis=1)
    return valid
