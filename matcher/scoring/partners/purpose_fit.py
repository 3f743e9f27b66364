"""Fitting and honestly evaluating the purpose models (grouped cross-validation).

Training rows come from the leave-group-out queries of :mod:`matcher.scoring.partners.evaluate`:
for a real collaboration hidden from every feature, a member's query gives one row per
candidate city (its :data:`~matcher.scoring.partners.purposes.FEATURES`), labelled 1 for the
other members. All positives are kept and :data:`NEGATIVES_PER_QUERY` other candidates are
drawn at random (fixed seed): the model learns a ranking, and the shared intercept does not
matter to one.

**Grouped cross-validation.** The groups (collaborations) are dealt into ``folds`` at random
(fixed seed); each fold is scored by a model fitted on the other folds' groups only, so no
group is ever in both the training and the test rows. This is how ``matcher evaluate
--purpose P`` scores a truth set whose groups are among the known collaborations (the shipped
models were fitted on those very groups, so scoring them with a shipped model would be
in-sample). A truth set of collaborations the data does not hold is scored with the shipped
model as is: none of its groups can have been in training.

**Tried, not kept: a ranking objective.** A conditional logit (each real partner against its
own query's candidates, a softmax within the query, 1,000 sampled negatives, evidence
weights kept non-negative, L2 0.1-10) instead of the pooled, class-balanced logistic fit,
scored as served but without hub prices (grouped 5-fold, fold seed 0, 2026-12-07):
transnational 0.033 against 0.037 for the shipped linear form, cross-border 0.236 against
0.238. Taking out what differs between queries does not help: the pooled fit already
ranks as well as these features allow.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from matcher.scoring.partners import hubs
from matcher.scoring.partners.calibration import grouped_folds
from matcher.scoring.partners.features import features_for, region_mask
from matcher.scoring.partners.focus import focus_holders, focus_vector
from matcher.scoring.partners.purposes import (
    FEATURES,
    PurposeModel,
    fit_purpose_model,
    is_plausible,
    load_models,
    pair_features,
    purpose_contributions,
    purpose_counts_of,
    total_score,
)
from matcher.scoring.partners.weights import EARTH_RADIUS_KM

__all__ = [
    "NEGATIVES_PER_QUERY",
    "PLAUSIBLE_FALLBACK",
    "QueryRows",
    "collect",
    "cross_validated",
    "fit_plausible",
    "fit_rows",
]

#: Random non-partner candidates kept per training query (all real partners are kept), each
#: weighing :data:`NEGATIVE_WEIGHT` in a boosting fit. Measured held out (grouped 5-fold, no
#: hub prices, 2026-12-06): with 150, 300, 600 and 1,000 unweighted negatives, research's
#: grouped model scored nDCG@10 0.086, 0.096, 0.114 and 0.115 (finer tables where the
#: candidates are), cross-border 0.174, 0.176, 0.179, transnational 0.030, 0.032, 0.033.
NEGATIVES_PER_QUERY = 3000
#: A sampled non-partner's weight: together a query's negatives weigh what 600 unweighted did,
#: the balance of partners to non-partners the boosting settings were measured at, while five
#: times as many draws fill the activity table where the candidates are few. Research,
#: grouped boosting as in ``BOOSTING_PARAMS`` (L2 3, no early stopping), grouped 5-fold, no
#: hub prices, fold seeds 0-2 (2026-12-07): 600 unweighted 0.108, 0.145, 0.142; 3,000 at a
#: fifth each 0.163, 0.154, 0.151. With ``matcher evaluate``'s hub prices the figure still
#: moves with the draw of negatives (0.127 and 0.109 for two draws in the benchmark's order
#: of the cities, 0.133 in the CLI's). Before, at L2 1: 3,000 unweighted 0.064 and 0.063
#: with hub prices (the partners drowned), 600 at a fifth each 0.074 and 0.075.
NEGATIVE_WEIGHT = 600 / NEGATIVES_PER_QUERY


@dataclass(frozen=True, slots=True, eq=False)
class QueryRows:
    """Everything one evaluation query needs to be scored by any purpose model."""

    group: int
    row: int
    relevant_rows: np.ndarray
    parts: dict[str, np.ndarray]  # every ranker part, every index row
    km: np.ndarray
    abroad: np.ndarray
    located: np.ndarray
    purpose_counts: np.ndarray | None = None
    focus: bool = False
    band: int = 0  # the query's size band code (hub prices are per band)
    themed: np.ndarray | None = None  # cities with projects on the focus (hidden group out)
    focus_vector: np.ndarray | None = None  # the focus over the themes (None: no focus)
    same_region: np.ndarray | None = None  # per index row: in the query's NUTS 2 region

    def features(self) -> dict[str, np.ndarray]:
        """The model features of every index row."""
        return pair_features(self.parts, self.km, self.abroad, self.located,
                             self.purpose_counts, self.same_region)  # fmt: skip

    def matrix(self) -> np.ndarray:
        """The features as a (rows x :data:`FEATURES`) matrix."""
        features = self.features()
        return np.stack([features[name] for name in FEATURES], axis=1)


def collect(ranker, queries, geography: str = "any") -> list[QueryRows]:
    """:class:`QueryRows` of every evaluation query (group hidden, as in the evaluation)."""
    out = []
    for q in queries:
        parts, _active = ranker.score_parts(q.city_id, theme_focus=q.theme_focus,
                                            geography=geography, overrides=q.overrides)  # fmt: skip
        counts = purpose_counts_of(ranker, q.overrides)  # the hidden group's members' own
        focus = focus_vector(ranker.theme_ids_, q.theme_focus)
        themed = focus_holders(ranker.vectors_.experience, focus)
        if q.overrides is not None:  # the hidden group's members, without its projects
            themed[ranker.rows_of(q.overrides.city_ids)] = focus_holders(
                q.overrides.experience, focus
            )
        themed[q.row] = False  # as served: the focus reaches holders a list can show
        xyz = ranker.xyz_[q.row]
        cosine = np.clip(ranker.xyz_ @ xyz, -1.0, 1.0)
        out.append(QueryRows(
            group=q.group, row=q.row, relevant_rows=q.relevant_rows, parts=parts,
            km=np.arccos(cosine) * np.float32(EARTH_RADIUS_KM),
            abroad=ranker.country_codes_ != ranker.country_codes_[q.row],
            located=ranker.has_coords_ & bool(ranker.has_coords_[q.row]),
            purpose_counts=counts, focus=bool(q.theme_focus),
            band=int(ranker.size_band_codes_[q.row]), themed=themed,
            focus_vector=focus if q.theme_focus and focus.any() else None,
            same_region=region_mask(ranker.regions_, str(ranker.regions_[q.row])),
        ))  # fmt: skip
    return out


def fit_rows(rows: Sequence[QueryRows], *,
             seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """Training matrix, labels and row weights: every real partner (weight 1) and a fixed
    random sample of other candidates per query (:data:`NEGATIVE_WEIGHT` each; never the
    query city itself)."""
    rng = np.random.default_rng(seed)
    xs, ys = [], []
    for r in rows:
        n = len(r.km)
        label = np.zeros(n, bool)
        label[r.relevant_rows] = True
        sample = rng.choice(n, size=min(NEGATIVES_PER_QUERY, n), replace=False)
        keep = np.union1d(r.relevant_rows, sample)
        keep = keep[keep != r.row]
        xs.append(r.matrix()[keep])
        ys.append(label[keep])
    if not rows:
        return np.zeros((0, len(FEATURES)), np.float32), np.zeros(0, int), np.zeros(0)
    y = np.concatenate(ys).astype(int)
    return np.vstack(xs), y, np.where(y == 1, 1.0, NEGATIVE_WEIGHT)


def fit(purpose: str, rows: Sequence[QueryRows], form: str, *, seed: int = 0,
        info=None, training: tuple | None = None) -> PurposeModel:  # fmt: skip
    """A purpose model fitted on ``rows``; ``training`` is their :func:`fit_rows` at ``seed``
    when the caller already built it (one build serves several forms)."""
    X, y, weight = fit_rows(rows, seed=seed) if training is None else training
    if y.min() == y.max():  # nothing to learn from (a tiny truth set): every row scores 0
        return PurposeModel(purpose, "linear", 0.0, info={"note": "one class only"})
    names = features_for(purpose)
    X = X[:, [FEATURES.index(name) for name in names]]
    model = fit_purpose_model(purpose, X, y, names, form=form, seed=seed, info=info,
                              sample_weight=weight)  # fmt: skip
    # The linear fit weighs the classes as balanced, the boosting fits see the sampled,
    # weighted negatives; shifting the intercept from the log-odds the fit saw to the real
    # ones (real partners among all candidates) puts the logistic of the score on the scale
    # of the chance that a candidate is a real partner. Rankings and contributions do not
    # change. It is no estimate of that chance where the fit is overconfident (the linear
    # ones on the real truth sets): the served chance is calibrated held out (.calibration).
    partners = sum(len(r.relevant_rows) for r in rows)
    candidates = sum(len(r.km) - 1 for r in rows)
    prior = np.log(partners / max(candidates - partners, 1))
    positive = float(weight[y == 1].sum())
    seen = 0.0 if form == "linear" else float(np.log(positive / (weight.sum() - positive)))
    return replace(model, intercept=model.intercept + float(prior) - seen,
                   info={**model.info, "prior_log_odds": float(prior),
                         "trained_log_odds": seen})  # fmt: skip


#: The simpler form a fit falls back to when its model is not :func:`~.purposes.is_plausible`
#: (a part moving a score by more than ``MAX_PART_LOGITS``): ``benchmarks/purposes.py --fit``
#: never ships such a model, so a held-out fold must not be scored by one either. Held out
#: (research, grouped 5-fold, seeds 0-2, 2026-12-07) one fold model of five was implausible
#: in each split (ranges of 160, 206 and 96 logit units; the others 8-20).
PLAUSIBLE_FALLBACK = {"grouped-boosting": "additive-boosting", "additive-boosting": "linear"}


def fit_plausible(purpose: str, rows: Sequence[QueryRows], form: str, *, seed: int = 0,
                  info=None) -> PurposeModel:  # fmt: skip
    """:func:`fit`, falling back along :data:`PLAUSIBLE_FALLBACK` while the model is not
    plausible (a linear model is kept as it comes: its coefficients are not sparse cells)."""
    training = fit_rows(rows, seed=seed)
    model = fit(purpose, rows, form, seed=seed, info=info, training=training)
    while not is_plausible(model) and form in PLAUSIBLE_FALLBACK:
        form = PLAUSIBLE_FALLBACK[form]
        model = fit(purpose, rows, form, seed=seed, info=info, training=training)
    return model


def scores_with(model: PurposeModel, r: QueryRows, geography: str = "any",
                hub_penalty: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """The engine's score (model plus preferences, less ``hub_penalty``) of every index row
    for one query."""
    contributions = purpose_contributions(model, r.parts, r.km, r.abroad, r.located,
                                          geography=geography, focus=r.focus,
                                          purpose_counts=r.purpose_counts,
                                          hub_penalty=hub_penalty, themed=r.themed,
                                          same_region=r.same_region)  # fmt: skip
    return total_score(model, contributions)


def cross_validated(
    rows: Sequence[QueryRows],
    purpose: str,
    *,
    form: str | None = None,
    folds: int = 5,
    seed: int = 0,
    geography: str = "any",
    hub_inputs: Callable[[frozenset[int]], Sequence[hubs.PriorInputs]] | None = None,
    hub_bands: np.ndarray | None = None,
    hub_countries: np.ndarray | None = None,
) -> list[np.ndarray]:
    """Held-out engine scores per query: each group's queries scored by a model fitted on
    the other folds' groups (``form`` defaults to the shipped model's form; an implausible
    fit falls back to a simpler form, :func:`fit_plausible`, as no such model is shipped). With
    ``hub_inputs`` (the fold's test groups -> :func:`hubs.prior_inputs` of the index with
    those groups hidden) and ``hub_bands`` (its size band codes) each fold's model prices its
    own hubs, as the served engine does, in a world without the fold's groups: a focused
    query pays the prices of its focus, and a ``geography`` mode its own
    (:func:`hubs.prices_for`; ``hub_inputs`` then carry the mode's part)."""
    if form is None:
        shipped = load_models().get(purpose)
        form = shipped.form if shipped else "additive-boosting"
    groups = np.array(sorted({r.group for r in rows}))
    fold_of = grouped_folds(groups, folds, seed)
    out: list[np.ndarray | None] = [None] * len(rows)
    for k in range(min(folds, len(groups))):
        train = [r for r in rows if fold_of[r.group] != k]
        model = fit_plausible(purpose, train, form, seed=seed)
        inputs = None
        if hub_inputs is not None and hub_bands is not None:
            tested = frozenset(int(g) for g in groups if fold_of[int(g)] == k)
            inputs = list(hub_inputs(tested))
        prices: dict[bytes | None, np.ndarray] = {}  # per focus, as the served engine pays
        for i, r in enumerate(rows):
            if fold_of[r.group] != k:
                continue
            penalty = None
            if inputs is not None:
                key = None if r.focus_vector is None else r.focus_vector.tobytes()
                if key not in prices:
                    prices[key] = hubs.world_prices(
                        model, inputs, len(r.km), hub_bands, hub_countries,
                        focus=r.focus_vector, geography=geography,
                    )  # fmt: skip
                penalty = prices[key][r.band]
            out[i] = scores_with(model, r, geography, penalty)
    return [s for s in out if s is not None]
