"""What a partner's score says as a chance: a held-out calibration of each purpose model.

The logistic of a purpose model's score read as "the chance that this city is a real
partner" overclaimed where the model is linear: fitted on balanced classes, a few steep
coefficients push every neighbour to 0.99. Measured held out (``benchmarks/calibration.py``:
grouped 5-fold over the truth sets of ``data/eval/``, 2026-12-07), the first ten of a
cross-border list claimed 0.83 each where 0.079 were real partners, and a query's candidates
together claimed 39.7 partners where it had 2.7 (transnational: 0.24 against 0.019 plain,
0.83 against 0.013 focused). The boosted research model, fitted on the sampled negatives it
weighs, was already close (0.059 against 0.072).

A :class:`Calibration` maps the model's evidence to a chance by isotonic regression of "was
a real partner" on the held-out logit, over every candidate of every held-out query of the
purpose's truth sets (``benchmarks/calibration.py`` fits it, and checks it on groups it
never saw). The evidence is the model's score with the user's focus as served, but without
the geography mode and the hub price (:data:`NOT_EVIDENCE`): those order the list, they do
not make a partnership likelier. A focused list has its own calibration, fitted on queries
focused on the real partnership's themes, so its chance reads "for a project on your focus
theme". Without real partnerships to fit on (peer exchange; focused research lists, since
no CORDIS project carries themes) there is no chance to give. A refitted model ships
without a calibration: ``benchmarks/calibration.py --write`` after the refit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "MIN_POOL",
    "NOT_EVIDENCE",
    "Calibration",
    "cross_fitted",
    "evidence_logits",
    "fit_calibration",
    "grouped_folds",
    "list_chances",
]

#: Contributions that order a list but are no evidence of a partnership: the chosen
#: geography mode (the user's say) and the hub price (fairness between lists).
NOT_EVIDENCE = frozenset({"geography", "exposure"})


#: Each step of the map pools at least this many held-out candidates, so the few very high
#: scores at its top (a handful of candidates, one of them a real partner) do not claim a
#: chance of a third on the luck of one partnership.
MIN_POOL = 500


@dataclass(frozen=True, slots=True)
class Calibration:
    """A non-decreasing step map from a model's logit to a chance: ``chances[i]`` from
    ``logits[i]`` on (the first step also below it); what it was fitted on in ``info``."""

    logits: tuple[float, ...]
    chances: tuple[float, ...]
    info: Mapping = field(default_factory=dict)

    def chance(self, logits: np.ndarray) -> np.ndarray:
        """The chance per logit (a city the list cannot show, at minus infinity, gives 0)."""
        z = np.asarray(logits, np.float64)
        step = np.clip(np.searchsorted(self.logits, z, side="right") - 1, 0, None)
        return np.where(np.isneginf(z) | np.isnan(z), 0.0, np.asarray(self.chances)[step])

    def to_dict(self) -> dict:
        """A JSON-able form (kept in ``purpose_models.json`` with the model)."""
        return {"logits": [round(x, 4) for x in self.logits],
                "chances": [float(f"{c:.4g}") for c in self.chances],
                "info": dict(self.info)}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping) -> Calibration:
        """The calibration written by :meth:`to_dict`."""
        logits = tuple(float(x) for x in data["logits"])
        return cls(logits, tuple(float(c) for c in data["chances"]), dict(data.get("info", {})))


def _stacked(logits: Sequence[np.ndarray], relevant: Sequence[np.ndarray],
             rows: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Every finite candidate logit of the queries, and whether it was a real partner (the
    query's own row left out)."""
    xs, ys = [], []
    for scores, partners, own in zip(logits, relevant, rows, strict=True):
        scores = np.asarray(scores, np.float64)
        label = np.zeros(len(scores), bool)
        label[np.asarray(partners, int)] = True
        keep = np.isfinite(scores)
        keep[own] = False
        xs.append(scores[keep])
        ys.append(label[keep])
    return np.concatenate(xs), np.concatenate(ys)


def _pooled(sizes: list[int], rates: list[float], at_least: int) -> list[tuple[int, float]]:
    """Adjacent steps of a non-decreasing map merged, from the top down, until each pools
    ``at_least`` candidates (a merged rate lies between its parts': the map stays monotone)."""
    out: list[tuple[int, float]] = []
    for size, rate in zip(reversed(sizes), reversed(rates), strict=True):
        if out and out[-1][0] < at_least:
            n, r = out.pop()
            size, rate = n + size, (n * r + size * rate) / (n + size)
        out.append((size, rate))
    if len(out) > 1 and out[-1][0] < at_least:  # the bottom step, too small: into the next
        (n, r), (size, rate) = out.pop(), out.pop()
        out.append((n + size, (n * r + size * rate) / (n + size)))
    return out[::-1]


def fit_calibration(logits: Sequence[np.ndarray], relevant: Sequence[np.ndarray],
                    rows: Sequence[int], info: Mapping | None = None,
                    min_pool: int = MIN_POOL) -> Calibration:  # fmt: skip
    """Isotonic regression of "was a real partner" on the held-out logit over every
    candidate of the queries (``logits`` per query, one per candidate row; its real partners'
    ``relevant`` rows; its own row in ``rows``, left out), its steps pooled to ``min_pool``
    candidates each; a step's chance is the share of real partners among its candidates.
    Non-parametric: a logistic (Platt) fit over every candidate followed the many low scores
    and missed the few high ones (transnational: the first ten claimed 0.23 where 0.019 were
    real)."""
    from sklearn.isotonic import IsotonicRegression

    x, y = _stacked(logits, relevant, rows)
    if y.all() or not y.any():
        raise ValueError("a calibration needs real partners and other candidates")
    order = np.argsort(x, kind="stable")
    x, y = x[order], y[order].astype(np.float64)
    fitted = IsotonicRegression(out_of_bounds="clip").fit_transform(x, y)
    # the steps of equal fitted value, and how many candidates each holds
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    sizes = np.diff(np.r_[starts, len(x)]).tolist()
    pooled = _pooled(sizes, fitted[starts].tolist(), min_pool)
    edges = np.cumsum([0] + [n for n, _ in pooled[:-1]])
    return Calibration(tuple(float(x[i]) for i in edges), tuple(r for _, r in pooled),
                       dict(info or {}))  # fmt: skip


def grouped_folds(groups: Sequence[int], folds: int, seed: int) -> dict[int, int]:
    """Each group's fold, the groups shuffled by ``seed`` and dealt in turn: every group's
    queries on one side of a split (what the purpose fits and their calibration share)."""
    order = np.random.default_rng(seed).permutation(np.array(sorted({int(g) for g in groups})))
    return {int(g): i % folds for i, g in enumerate(order)}


def cross_fitted(logits: Sequence[np.ndarray], relevant: Sequence[np.ndarray],
                 rows: Sequence[int], groups: Sequence[int], *, folds: int = 5,
                 seed: int = 0) -> list[np.ndarray]:  # fmt: skip
    """Each query's chances from a calibration fitted on the other folds' groups only (no
    group on both sides), to check a calibration on partnerships it never saw."""
    fold_of = grouped_folds(groups, folds, seed)
    out: list[np.ndarray | None] = [None] * len(logits)
    for k in range(min(folds, len(fold_of))):
        train = [i for i, g in enumerate(groups) if fold_of[int(g)] != k]
        calibration = fit_calibration([logits[i] for i in train],
                                      [relevant[i] for i in train],
                                      [rows[i] for i in train])  # fmt: skip
        for i, g in enumerate(groups):
            if fold_of[int(g)] == k:
                out[i] = calibration.chance(logits[i])
    return out  # type: ignore[return-value]


def evidence_logits(intercept: float, contributions: Mapping[str, np.ndarray]) -> np.ndarray:
    """A purpose model's score without what is no evidence (:data:`NOT_EVIDENCE`)."""
    total = None
    for name, values in contributions.items():
        if name not in NOT_EVIDENCE:
            values = np.asarray(values, np.float64)
            total = values.copy() if total is None else total + values
    return np.float64(intercept) + (0.0 if total is None else total)


def list_chances(model, contributions: Mapping[str, np.ndarray], *,
                 focused: bool) -> np.ndarray | None:  # fmt: skip
    """Per listed candidate, the chance that it is a real partner of the purpose (a
    ``PurposeModel`` and the candidates' contributions); None without a calibration."""
    calibration = model.calibration.get("focused" if focused else "plain")
    if calibration is None:
        return None
    return calibration.chance(evidence_logits(model.intercept, contributions))
