"""No hubs, by price: a candidate pays for being in too many of the purpose's lists.

Every purpose model rewards activity and likeness, and a few cities are active and alike to
everyone. This module measures that on the engine's own lists and prices it:

* the **prior** of a query is the purpose model's score of every candidate from place,
  activity, size, texts and the collaboration graph, without the query's themes (experience,
  interests) or declared needs and offers, so it reads no profile and a profile edit cannot
  move what follows;
* the **recommendation share** of a candidate is the share of a fixed sample of query cities
  whose top-:data:`HUB_TOP` prior list holds it: up to :data:`HUB_SAMPLE` located cities of
  each size band and country, evenly spread over the index (never chosen by hand), each
  country weighing as one (:func:`country_weights`: a hub is a city recommended across
  countries, and the big countries' many cities would otherwise decide the shares); per
  size band, because hubs are relative to the kind of query (a 500,000-city's lists share
  big active cities that a town's do not);
* **capacity prices** (:func:`capacity_prices`): per size band, each round raises the price
  of every candidate over the :data:`HUB_CAP` share by log(share / cap) logit units, so only
  candidates over the cap pay, and only as much as brings them down to it. A query pays its
  band's prices, told as the part ``exposure``.

**Focused lists pay their own prices** (:func:`prices_for`). Few cities have projects on any
one theme, so without them the same few topped the focused lists of a whole region. The plain
prior says nothing about who tops focused lists, so a focus is priced on a prior of its own:
the same sampled queries, place and activity as the plain prior, plus the candidates'
experience on the focus themes (the experience part of a query without a profile: projects
only, never a profile, so a profile edit still cannot move a price), at a cap of its own
(:data:`HUB_CAP_FOCUSED`, relaxed where a theme's holders are few: :func:`cap_for`). It is
measured on first use per purpose, focus and size band, over that band's sampled queries
only (0.4-0.7 s over the shipped cities on the 2-core machine, then a rank takes 5-9 ms),
and kept, sparse, at most :data:`FOCUS_PRICES_KEPT` of them, beside the plain prices (a
refit drops both).

**A geography mode's lists pay their own prices too** (:func:`prices_for`): "far" and
"different country" take a list out of the query's surroundings, where the plain prior
measured it, so they are priced on a prior of the mode (the plain prior plus the mode's
preference, as served), at a cap of its own and over more rounds (:data:`HUB_CAP_GEOGRAPHY`,
:data:`GEOGRAPHY_ROUNDS`), measured on first use per purpose, mode, focus and size band and
kept with the focused prices.

**Plain prices are measured on the lists the default view shows** (:func:`default_view`:
the 20,000-500,000 cities the pages, the API and the CLI list unless asked for others);
measured over every city, the shown cities' shares were read against competition the lists
do not have. A focused prior still counts every city.

The measurements behind each choice (the caps, the focused cap, the default view), with the
held-out figures and the hub checks before and after, are in ``docs/hub-prices.md``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import chain

import numpy as np
import scipy.sparse as sp

from matcher.domain import DEFAULT_SIZE_BANDS, SIZE_BANDS
from matcher.scoring.partners.features import region_mask
from matcher.scoring.partners.focus import focus_holders
from matcher.scoring.partners.parts import band_mask
from matcher.scoring.partners.purposes import (
    PurposeModel,
    load_models,
    purpose_contributions,
    purpose_counts_of,
    total_score,
)
from matcher.scoring.partners.weights import EARTH_RADIUS_KM

__all__ = [
    "HUB_CAP",
    "HUB_CAP_FOCUSED",
    "HUB_CAP_GEOGRAPHY",
    "GEOGRAPHY_ROUNDS",
    "HUB_CAP_UNFITTED",
    "FOCUS_MAJORITY",
    "HUB_SAMPLE",
    "HUB_KEEP",
    "HUB_TOP",
    "Lists",
    "PriorInputs",
    "band_prices",
    "cap_for",
    "capacity_prices",
    "country_weights",
    "default_view",
    "focus_holders_shown",
    "focus_min_countries",
    "prices_for",
    "prices_of",
    "prior_inputs",
    "prior_scores",
    "rounds_for",
    "sample_rows",
    "world_prices",
    "shares",
]

#: Query cities sampled per size band and country (all located ones when there are fewer).
HUB_SAMPLE = 2
#: The list length the share counts.
HUB_TOP = 10
#: No candidate in more than this (country-weighted) share of a band's sampled
#: top-:data:`HUB_TOP` plain lists; None switches the prices off. 0.175 until 2026-12-08:
#: over 90 random sets of 15 cities, 0.1 leaves a plain hub in 2 / 1 / 1 sets under ``any``
#: / transnational / research (was 5 / 16 / 15), held out at no cost beyond the intervals'
#: noise (``docs/hub-prices.md``).
HUB_CAP: float | None = 0.1
#: The cap for a purpose model not fitted on data (``info["fitted"]`` false: peer exchange).
HUB_CAP_UNFITTED = 0.1
#: The cap of a focused list's prices (:func:`prices_for`): a focus narrows the field to the
#: few cities with projects on its themes, so at the plain cap the same one or two topped the
#: focused lists of a whole region (see ``docs/hub-prices.md`` for the measured choice). 0.1 until
#: a focus's reach counted only the holders a list can show (2026-12-06); since then, over
#: ``benchmarks/purposes.py --draws 30`` (90 sets of 15), the sets meeting every focus and
#: hub bar at 0.075, 0.1, 0.125 and 0.15: ``any`` 39, 50, 48, 44; transnational 12, 19, 30,
#: 28; research 20, 34, 33, 41 (more sets name the theme, more hold a focused hub). At 0.125
#: both fixed sets of ``--focus-only`` meet every bar under ``any`` (at 0.1 neither did),
#: and the second set under every purpose but cross-border; held out (focused) transnational
#: 0.039 [0.025, 0.055], research 0.092 [0.066, 0.121], cross-border 0.233, as at 0.1.
HUB_CAP_FOCUSED = 0.125
#: ... but a focus's prices never ask a list to hold fewer than this many cities with projects
#: on the theme (a majority of a list of :data:`HUB_TOP`): the cap is at least these places'
#: even share among the holders the default view shows (:func:`cap_for`). Where a theme has
#: few holders (circular economy: 10 cities of 20,000-500,000), every one of them is over
#: any cap a list of ten can hold while it names the theme, so the prices rose until cities
#: with no project on the theme took their places (a price of 9-11 logit units for all ten).
#: Measured on 2026-12-07 (``benchmarks/purposes.py --draws 30``: 1,380 cities, 90 sets of
#: 15, the theme rotating over mobility, circular economy and energy), the focused cap alone
#: against this floor: a focus names the theme 6 or more times for 91.3% -> 99.9% of the
#: cities under ``any``, 81.2% -> 99.3% transnational, 77.1% -> 96.4% research, 71.7% ->
#: 99.3% peer exchange; sets meeting every focus and hub bar 8 -> 22, 3 -> 9, 3 -> 11 and
#: 1 -> 20. Sets with a city in more than 4 focused top-5 lists rise (``any`` 58 -> 65): the
#: same few holders are now in the lists, not priced out of them, so a theme this sparse
#: cannot meet both bars. A floor of 5 or 8 places gave 25 / 21 sets under ``any``. Held
#: out, focused on the truth's themes (``matcher evaluate --purpose P``, 1,000 resamples):
#: transnational 0.035 [0.021, 0.050] -> 0.038 [0.024, 0.053], cross-border 0.243 and
#: research 0.091 unchanged. ``--focus-only``, main set: every city's focus names the theme
#: 6 or more times under every purpose but cross-border (was 10, 8, 9 and 8 of 15) and
#: changes 4 or more of the top 10 (peer exchange: 14 of 15), no city in more than 3
#: focused top-5 lists; other set: the same, but Vlorë, Kateríni or Aytos in 6-7 focused
#: top-5 lists under all four (its circular-economy cities are Balkan towns).
FOCUS_MAJORITY = 6
#: Price rounds. Eight do not bring a focused list's strongest holders of a theme down to the
#: cap: with a circular-economy focus under ``any``, Kateríni stays in 24-37% of a band's
#: sampled top-10 lists after a price of 8-10 logit units, and in the served lists its
#: shared interest on the theme (left out of the prior, which reads no profile) lifts it
#: further. Tried on 2026-12-06 (``benchmarks/purposes.py --draws 10``, 460 cities): 30
#: rounds, the prior also reading each candidate's project experience as its shared interest
#: on the focus, and shares counted in the default 20k-500k view: every hub bar met, but a
#: focus then named the theme 6 or more times for 40.7% of the cities under ``any``, 31.3%
#: under transnational (with these prices, over 15 draws: 95.8% and 91.4%); with 8 rounds
#: and the same prior, 79.6% and 43.5%. Where a theme has few holders, a list that names it
#: holds the same few cities for a whole region: the two bars pull apart, and these prices
#: keep the focus.
HUB_ROUNDS = 8
#: A geography mode's lists pay their own prices (:func:`prices_for`), at this cap and over
#: this many rounds. ``far`` and ``different-country`` take the query out of its
#: surroundings: every candidate beyond ``weights.FAR_FULL_KM`` is as far as the next, so
#: the lists of queries across Europe draw on one pool, and on the plain prices (a prior of
#: lists that place makes local) the same few topped them all. Over 4 draws of one city per
#: country (12 sets of 15, the default view; ``benchmarks/purposes.py --draws 4 --geography
#: far``), sets with a city in more than 4 far top-5 lists, ``any`` /
#: transnational / research (peer exchange 0 throughout), measured 2026-12-07: plain prices
#: 12 / 8 / 12 (Granollers in 9 of 15 ``any`` lists, Évora in 9 research ones); own prices
#: at the plain cap 0.175 and 8 rounds 10 / 8 / 5; at 0.125 and 8 rounds 12 / 1 / 6 (a
#: new leader takes every list: 8 rounds do not settle when lists share one pool); 0.175
#: and 30 rounds 7 / 8 / 1; **0.125 and 30 rounds 5 / 2 / 0**; 0.1 and 30 rounds 6 / 4 /
#: 1. ``different-country`` at 0.125 and 30 rounds: 1 / 0 / 0 (plain prices 9 / 1 / 3);
#: ``near``: 0 / 0 / 0 either way. (Measured before a city a settled mode asks for only in
#: part paid for the rest, ``purposes.SETTLED_MODES``; after it, see ``docs/hub-prices.md``.)
HUB_CAP_GEOGRAPHY = 0.125
GEOGRAPHY_ROUNDS = 30
#: Candidates kept per sampled query (:class:`Lists`).
HUB_KEEP = 200
#: Parts that carry the query's themes, needs and offers: left out of the prior.
_THEME_PARTS = ("shared_interests", "complementarity", "experience")
#: Focused and geography-mode prices kept per index (``focus_prices_``; each a sparse row
#: over the index rows: few pay).
FOCUS_PRICES_KEPT = 256


@dataclass(frozen=True, slots=True, eq=False)
class PriorInputs:
    """What one sampled query needs for any purpose model's prior scores."""

    row: int
    parts: dict[str, np.ndarray]
    km: np.ndarray
    abroad: np.ndarray
    located: np.ndarray
    purpose_counts: np.ndarray | None
    #: Every index row's project-theme experience in the same world (one shared matrix).
    experience: np.ndarray | None = None
    same_region: np.ndarray | None = None  # per index row: in the query's NUTS 2 region


def sample_rows(located: np.ndarray, bands: np.ndarray, countries: np.ndarray | None = None,
                size: int | None = None) -> np.ndarray:  # fmt: skip
    """Up to ``size`` located index rows of each (size band, country) pair (of each size band
    when ``countries`` is None), evenly spaced over the index (deterministic)."""
    size = HUB_SAMPLE if size is None else size
    located = np.asarray(located, bool)
    bands = np.asarray(bands)
    countries = np.zeros(len(bands), np.int64) if countries is None else np.asarray(countries)
    out = []
    for band in np.unique(bands):
        for country in np.unique(countries[bands == band]):
            rows = np.flatnonzero(located & (bands == band) & (countries == country))
            if len(rows) > size:
                picks = np.linspace(0, len(rows) - 1, size + 2)[1:-1].round().astype(np.int64)
                rows = np.unique(rows[picks])
            out.append(rows)
    return np.sort(np.concatenate(out)) if out else np.zeros(0, np.int64)


def country_weights(rows: np.ndarray, countries: np.ndarray | None) -> np.ndarray:
    """Per sampled query, 1 / (sampled queries of its country): every country counts once."""
    rows = np.asarray(rows, np.int64)
    if countries is None or len(rows) == 0:
        return np.ones(len(rows), np.float64)
    codes = np.asarray(countries)[rows]
    _, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    return 1.0 / counts[inverse]


def prior_inputs(ranker, rows: Iterable[int] | None = None, overrides=None,
                 geography: str = "any") -> Iterator[PriorInputs]:  # fmt: skip
    """:class:`PriorInputs` of the sampled rows of a fitted ``PartnerRanker`` (one at a time,
    so memory stays that of one query). ``overrides`` (``ProfileVectoriser.leave_out`` of
    hidden collaborations) prices a world without them: an evaluation must, or the hidden
    members' prices are those of cities with one more project than their features say
    (research, 2026-12-06: held-out nDCG@10 0.192 with such prices, 0.087 without them).
    ``geography``: the mode whose ``geography`` part the inputs carry (:func:`prices_for`)."""
    if rows is None:
        rows = sample_rows(ranker.has_coords_, ranker.size_band_codes_, ranker.country_codes_)
    counts = purpose_counts_of(ranker, overrides)
    experience = ranker.vectors_.experience
    if overrides is not None and len(overrides):
        experience = experience.copy()
        experience[ranker.rows_of(overrides.city_ids)] = overrides.experience
    for row in rows:
        row = int(row)
        parts, _active = ranker.score_parts(int(ranker.city_ids_[row]), overrides=overrides,
                                            geography=geography)  # fmt: skip
        zeros = np.zeros(len(ranker.city_ids_), np.float32)
        parts = {**parts, **{name: zeros for name in _THEME_PARTS}}
        cosine = np.clip(ranker.xyz_ @ ranker.xyz_[row], -1.0, 1.0)
        yield PriorInputs(
            row=row, parts=parts, km=np.arccos(cosine) * np.float32(EARTH_RADIUS_KM),
            abroad=ranker.country_codes_ != ranker.country_codes_[row],
            located=ranker.has_coords_ & bool(ranker.has_coords_[row]),
            purpose_counts=counts, experience=experience,
            same_region=region_mask(ranker.regions_, str(ranker.regions_[row])),
        )  # fmt: skip


@dataclass(frozen=True, slots=True, eq=False)
class Lists:
    """Each sampled query's best candidates by prior score: index rows and scores (queries x
    kept), over an index of ``n`` rows. Prices only lower scores, so a candidate kept by no
    query can enter a top-:data:`HUB_TOP` list only if all but ``HUB_TOP - 1`` of the kept
    ones were priced below it; keeping :data:`HUB_KEEP` per query bounds memory at any index
    size (a full matrix of 400 queries over 100,000 cities is 160 MB per purpose)."""

    rows: np.ndarray
    scores: np.ndarray
    n: int

    def __len__(self) -> int:
        return len(self.rows)

    def take(self, mask: np.ndarray) -> Lists:
        """The lists of the queries ``mask`` selects."""
        return Lists(self.rows[mask], self.scores[mask], self.n)

    @classmethod
    def of(cls, scores: np.ndarray | Lists, keep: int | None = None) -> Lists:
        """The best ``keep`` (all when None) of each row of a queries x index score matrix."""
        if isinstance(scores, Lists):
            return scores
        scores = np.asarray(scores, np.float32)
        queries, n = scores.shape
        if keep is None or keep >= n:
            return cls(np.broadcast_to(np.arange(n), (queries, n)), scores, n)
        best = np.argpartition(-scores, keep - 1, axis=1)[:, :keep]
        return cls(best.astype(np.int64), np.take_along_axis(scores, best, axis=1), n)


def default_view(codes: np.ndarray) -> np.ndarray:
    """Per index row (``codes``: its size band code), whether the default view of the pages,
    the API and the CLI (:data:`~matcher.domain.DEFAULT_SIZE_BANDS`, 20,000-500,000) shows it."""
    return band_mask(DEFAULT_SIZE_BANDS)[np.asarray(codes)]


def prior_scores(models: Mapping[str, PurposeModel], inputs: Iterable[PriorInputs], n: int,
                 keep: int | None = None,
                 focus: np.ndarray | None = None,
                 view: np.ndarray | None = None,
                 geography: str = "any",
                 ) -> tuple[np.ndarray, dict[str, Lists]]:  # fmt: skip
    """The sampled query rows and, per purpose, their prior :class:`Lists` (the best ``keep``,
    default :data:`HUB_KEEP`, of each query; a query's own row is -inf). With ``focus`` (a
    vector over the themes) the prior of that focus: the candidates' experience on it
    counts, as in a focused list of a query without a profile. With a ``geography`` mode
    other than ``any`` the prior of that mode: its preference counts as in a served list
    (the ``inputs`` must carry the mode's part, :func:`prior_inputs`). ``view`` (per index
    row: shown, :func:`default_view`) keeps a plain prior's lists to what the pages show; a
    focused prior counts every city (see ``docs/hub-prices.md``)."""
    keep = HUB_KEEP if keep is None else keep
    rows: list[int] = []
    kept: dict[str, list[Lists]] = {purpose: [] for purpose in models}
    focused = focus is not None and bool(np.any(focus))
    world: tuple = (None, None, None)  # (experience matrix, its focus part, focus holders)
    for q in inputs:
        rows.append(q.row)
        parts, themed = q.parts, None
        if focused:
            if world[0] is not q.experience:
                world = (q.experience, *focus_part(q.experience, focus))
            parts, themed = {**q.parts, "experience": world[1]}, world[2].copy()
            themed[q.row] = False  # as served: a list never shows its own query
        for purpose, model in models.items():
            contributions = purpose_contributions(model, parts, q.km, q.abroad, q.located,
                                                  geography=geography,
                                                  focus=focused, themed=themed,
                                                  purpose_counts=q.purpose_counts,
                                                  same_region=q.same_region)  # fmt: skip
            values = total_score(model, contributions)
            values[q.row] = -np.inf
            if view is not None and not focused:
                values[~view] = -np.inf
            kept[purpose].append(Lists.of(values[None, :], keep))
    stacked = {}
    for purpose, lists in kept.items():
        if lists:
            stacked[purpose] = Lists(np.vstack([np.asarray(x.rows) for x in lists]),
                                     np.vstack([x.scores for x in lists]), n)  # fmt: skip
        else:
            stacked[purpose] = Lists(np.zeros((0, 0), np.int64), np.zeros((0, 0), np.float32), n)
    return np.asarray(rows, np.int64), stacked


def focus_part(experience: np.ndarray, focus: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per index row, the ``experience`` part a focused query without a profile reads (the
    row's project themes against the unit focus vector) and whether it holds a focus theme."""
    unit = np.asarray(focus, np.float32) / np.float32(np.linalg.norm(focus))
    part = np.clip(np.asarray(experience, np.float32) @ unit, 0.0, 1.0).astype(np.float32)
    return part, focus_holders(experience, focus)


def shares(scores: np.ndarray | Lists, top: int | None = None,
           weights: np.ndarray | None = None,
           price: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """Per index row, the (``weights``-weighted) share of the queries (rows of ``scores``, a
    queries x index matrix or :class:`Lists`) whose top ``top`` holds it once ``price`` is
    taken off (ties at the boundary broken by position, as the ranker does up to its tie
    rule)."""
    top = HUB_TOP if top is None else top
    lists = Lists.of(scores)
    n = lists.n
    if len(lists) == 0 or n == 0 or lists.scores.shape[1] == 0:
        return np.zeros(n, np.float64)
    values = lists.scores if price is None else lists.scores - price[lists.rows]
    weights = np.ones(len(lists)) if weights is None else np.asarray(weights, np.float64)
    k = min(top, values.shape[1])
    best = np.argpartition(-values, k - 1, axis=1)[:, :k]
    finite = np.isfinite(np.take_along_axis(values, best, axis=1))
    candidates = np.take_along_axis(np.asarray(lists.rows), best, axis=1)
    per_query = np.broadcast_to(weights[:, None], best.shape)
    counts = np.bincount(candidates[finite].ravel(), weights=per_query[finite].ravel(),
                         minlength=n)  # fmt: skip
    return counts / weights.sum()


def band_prices(rows: np.ndarray, scores: np.ndarray, bands: np.ndarray,
                cap: float | None = None,
                countries: np.ndarray | None = None,
                min_countries: float | None = None,
                rounds: int | None = None) -> np.ndarray:  # fmt: skip
    """:func:`capacity_prices` per size band code of the sampled queries (``bands`` holds
    every index row's code, ``countries`` its country code: each country's sampled queries
    then weigh as one): row b of the result is what a query of band b pays; a band without
    sampled queries pays the prices of all of them; ``min_countries`` as in
    :func:`capacity_prices`. Zeros when no cap is set."""
    cap = HUB_CAP if cap is None else cap
    lists = Lists.of(scores)
    if cap is None:
        return np.zeros((len(SIZE_BANDS) + 1, lists.n), np.float32)
    n_codes = len(SIZE_BANDS) + 1
    pooled = capacity_prices(lists, cap=cap, weights=country_weights(rows, countries),
                             min_countries=min_countries, rounds=rounds)  # fmt: skip
    out = np.repeat(pooled[None, :], n_codes, axis=0)
    of_query = bands[rows] if len(rows) else np.zeros(0, np.int64)
    for band in np.unique(of_query):
        mine = of_query == band
        weights = country_weights(rows[mine], countries)
        out[band] = capacity_prices(lists.take(mine), cap=cap, weights=weights,
                                    min_countries=min_countries, rounds=rounds)  # fmt: skip
    return out


def world_prices(model: PurposeModel, inputs: Iterable[PriorInputs], n: int,
                 bands: np.ndarray, countries: np.ndarray | None = None,
                 focus: np.ndarray | None = None,
                 geography: str = "any") -> np.ndarray:  # fmt: skip
    """:func:`band_prices` of one model over the sampled queries ``inputs`` (one world, such
    as an evaluation fold's), of the plain prior or, with ``focus``, of that focus's prior;
    with a ``geography`` mode, of that mode's (``inputs`` carrying its part)."""
    focused = focus is not None and bool(np.any(focus))
    inputs, holders = iter(inputs), 0
    first = next(inputs, None)
    if focused and first is not None and first.experience is not None:
        holders = focus_holders_shown(first.experience, focus, bands)
    inputs = inputs if first is None else chain([first], inputs)
    sampled, prior = prior_scores({model.purpose: model}, inputs, n, focus=focus,
                                  view=default_view(bands), geography=geography)  # fmt: skip
    cap = cap_for(model, focused=focused, holders=holders, geography=geography)
    least = focus_min_countries(model) if focused else None
    return band_prices(sampled, prior[model.purpose], bands, cap=cap, countries=countries,
                       min_countries=least, rounds=rounds_for(geography))  # fmt: skip


def capacity_prices(scores: np.ndarray | Lists, *, cap: float | None = None,
                    top: int | None = None,
                    rounds: int | None = None,
                    weights: np.ndarray | None = None,
                    min_countries: float | None = None) -> np.ndarray:  # fmt: skip
    """Logit units per index row such that, with them taken off, no row is in more than a
    ``cap`` share (weighted by ``weights`` per query) of the sampled top-``top`` lists (as
    nearly as ``rounds`` rounds get): each round raises the price of every row over the cap
    by log(share / cap), so only the rows over it pay, and only as much as brings them down
    to it. No prices where the cap cannot hold (fewer than ``top / cap`` candidates) or
    says nothing (queries weighing less than ``min_countries``, by default ``1 / cap``
    countries: a cap relaxed for a focus's few holders still reads its shares from as many
    countries as the focused cap, :func:`focus_min_countries`)."""
    cap = HUB_CAP if cap is None else cap
    rounds = HUB_ROUNDS if rounds is None else rounds
    top = HUB_TOP if top is None else top
    lists = Lists.of(scores)
    price = np.zeros(lists.n, np.float32)
    weights = np.ones(len(lists)) if weights is None else np.asarray(weights, np.float64)
    # A cap needs enough candidates to hold (top / cap of them fill the lists within it) and
    # enough countries for a share to mean anything (at least 1 / cap): else no prices.
    if cap is not None and min_countries is None:
        min_countries = 1.0 / cap
    if cap is None or lists.n < top / cap or weights.sum() < min_countries - 1e-9:
        return price
    for _ in range(rounds):
        share = shares(lists, top, weights, price)
        over = share > cap
        if not over.any():
            break
        price[over] += np.log(share[over] / cap).astype(np.float32)
    return price


def cap_for(model: PurposeModel, *, focused: bool = False, holders: int = 0,
            geography: str = "any") -> float | None:  # fmt: skip
    """The cap a purpose model's prices hold: :data:`HUB_CAP` for a plain list,
    :data:`HUB_CAP_GEOGRAPHY` in a ``geography`` mode other than ``any`` and
    :data:`HUB_CAP_FOCUSED` for a focus's prices (the stricter of the two for both): each
    kind of list at the cap measured for it, whether or not it is stricter than the plain
    one. :data:`HUB_CAP_UNFITTED` where it is stricter, for a model not fitted on data. A
    focus's cap gives way where its ``holders`` (cities the default view shows with projects
    on it, :func:`focus_holders_shown`) are so few that :data:`FOCUS_MAJORITY` places of
    every list need more: then it is their even share of those places. None when prices
    are off."""
    if HUB_CAP is None:
        return None
    cap = HUB_CAP
    if geography != "any" or focused:  # a list of its own kind, priced at its own cap
        cap = min(HUB_CAP_GEOGRAPHY if geography != "any" else 1.0,
                  HUB_CAP_FOCUSED if focused else 1.0)  # fmt: skip
    if model.info.get("fitted") is False:
        cap = min(cap, HUB_CAP_UNFITTED)
    if focused and holders > 0:
        cap = max(cap, min(1.0, FOCUS_MAJORITY / holders))
    return cap


def focus_holders_shown(experience: np.ndarray, focus: np.ndarray, codes: np.ndarray) -> int:
    """How many cities of the default view (``codes``: size band code per index row) have
    projects on a focus theme (``experience``: cities x themes, ``focus`` over the themes)."""
    return int((focus_holders(experience, focus) & default_view(codes)).sum())


def focus_min_countries(model: PurposeModel) -> float | None:
    """Countries a focus's shares are read from before they set prices: those of the focused
    cap itself (:func:`cap_for` without holders), however far its few holders relax it, so
    that two countries' lists never price a theme's holders out of them."""
    cap = cap_for(model, focused=True)
    return None if cap is None else 1.0 / cap


def prices_of(ranker) -> dict[str, np.ndarray]:
    """Every shipped purpose's :func:`band_prices` (size band codes x index rows) over a
    fitted ``PartnerRanker``, measured on first use and kept on it (``hub_prices_``; ``fit``
    clears it); empty when :data:`HUB_CAP` is None."""
    if HUB_CAP is None:
        return {}
    found = getattr(ranker, "hub_prices_", None)
    if found is None:
        models = getattr(ranker, "purpose_models_", None)
        if models is None:
            models = ranker.purpose_models_ = load_models()
        rows, scores = prior_scores(models, prior_inputs(ranker), len(ranker.city_ids_),
                                    view=default_view(ranker.size_band_codes_))  # fmt: skip
        found = {purpose: band_prices(rows, values, ranker.size_band_codes_,
                                      cap=cap_for(models[purpose]),
                                      countries=ranker.country_codes_)
                 for purpose, values in scores.items()}  # fmt: skip
        ranker.hub_prices_ = found
    return found


def prices_for(ranker, purpose: str, band: int, focus: np.ndarray | None = None,
               geography: str = "any") -> np.ndarray | None:  # fmt: skip
    """What a query of ``purpose`` and size ``band`` (code) pays per index row, or None:
    the plain prices (:func:`prices_of`) for a plain list; a focused list (``focus``, a
    vector over the themes) or a list in a ``geography`` mode other than ``any`` pays the
    prices of its own prior (see the module docstring), measured on first use over the
    band's sampled queries only (a band without any pays those of all, as in
    :func:`band_prices`) and kept, sparse, with the plain ones they share their world with."""
    plain = prices_of(ranker)
    focused = focus is not None and bool(np.any(focus))
    if purpose not in plain or not (focused or geography != "any"):
        prices = plain.get(purpose)
        return None if prices is None else prices[band]
    kept = getattr(ranker, "focus_prices_", None)
    if kept is None or kept[0] is not plain:  # a refit measured new plain prices: start over
        kept = ranker.focus_prices_ = (plain, {})
    focus = np.asarray(focus, np.float32) if focused else None
    key = (purpose, int(band), geography, b"" if focus is None else focus.tobytes())
    found = kept[1].get(key)
    if found is None:
        found = sp.csr_matrix(_own_prices(ranker, purpose, int(band), focus, geography))
        while len(kept[1]) >= FOCUS_PRICES_KEPT:  # the oldest goes
            kept[1].pop(next(iter(kept[1]), None), None)
        kept[1][key] = found
    return found.toarray()[0]


def _own_prices(ranker, purpose: str, band: int, focus: np.ndarray | None,
                geography: str) -> np.ndarray:  # fmt: skip
    """The prices of a focused or geography-mode list's own prior (:func:`prices_for`)."""
    model = ranker.purpose_models_[purpose]
    rows = sample_rows(ranker.has_coords_, ranker.size_band_codes_, ranker.country_codes_)
    mine = rows[ranker.size_band_codes_[rows] == band]
    rows = mine if len(mine) else rows
    inputs = prior_inputs(ranker, rows, geography=geography)
    rows, scores = prior_scores({purpose: model}, inputs, len(ranker.city_ids_), focus=focus,
                                view=default_view(ranker.size_band_codes_),
                                geography=geography)  # fmt: skip
    weights = country_weights(rows, ranker.country_codes_)
    if focus is None:
        return capacity_prices(scores[purpose], cap=cap_for(model, geography=geography),
                               weights=weights, rounds=rounds_for(geography))  # fmt: skip
    holders = focus_holders_shown(ranker.vectors_.experience, focus, ranker.size_band_codes_)
    cap = cap_for(model, focused=True, holders=holders, geography=geography)
    return capacity_prices(scores[purpose], cap=cap, weights=weights,
                           min_countries=focus_min_countries(model),
                           rounds=rounds_for(geography))  # fmt: skip


def rounds_for(geography: str) -> int:
    """Price rounds of a list in a ``geography`` mode: :data:`GEOGRAPHY_ROUNDS` outside
    ``any``, where the lists share one pool and take longer to settle."""
    return HUB_ROUNDS if geography == "any" else GEOGRAPHY_ROUNDS
