"""Joint tables: the exact, explainable form of a few features that act together.

Some evidence is not additive. Under research, a small town next door and a large city next
door are not the same lead, and the per-purpose records of a candidate mean more together than
one by one. A histogram gradient boosting model fitted with ``interaction_cst`` set to groups
of features (every tree splits within one group) is a sum of one function per group; each
function is constant between the thresholds its trees split on, so it is a table over the
cells of those thresholds, read back exactly from the fitted model (:func:`tabulate`).
Ranking then needs numpy only: one ``searchsorted`` per feature and a lookup.

**Told by part.** Each feature of a group belongs to one of the ranker's parts (``distance``
and ``abroad`` are told as ``proximity``; the per-purpose records as ``track_record``). A
group whose features are all one part adds to that part. A group that spans parts (where it
is and how large it is) is split between them by their Shapley values against a reference
cell (:data:`REFERENCE`: a far foreign town of 2,000 inhabitants with no record, which scores
0 by construction): each part gets the average of what it adds, over the orders in which the
parts could be added. The split is exact (the parts sum to the table's value) and symmetric,
so the explanation's per-part contributions still sum to the score.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from math import factorial

import numpy as np

__all__ = ["REFERENCE", "JointTable", "tabulate", "tree_features"]

#: The reference value of a feature (0 unless named): far away and abroad, so that each
#: part's contribution is what it adds over a candidate that has nothing for it.
REFERENCE: dict[str, float] = {"distance": 1.0, "abroad": 1.0}
#: A table larger than this many cells is refused (the fit would need fewer bins or groups).
MAX_CELLS = 2_000_000


@dataclass(frozen=True, slots=True, eq=False)
class JointTable:
    """A function of ``features`` that is constant on the cells of ``thresholds`` (cell ``i``
    of a feature holds the x with ``searchsorted(thresholds, x, "left") == i``): ``values``
    (C order, one axis per feature) is 0 at the reference cell ``reference``. ``parts[i]``
    is the part feature ``i`` is told as."""

    features: tuple[str, ...]
    parts: tuple[str, ...]
    thresholds: tuple[tuple[float, ...], ...]
    values: np.ndarray
    reference: tuple[int, ...]
    #: Per part, ``max - min`` of its contribution over every cell (set on construction).
    ranges: dict[str, float] = field(init=False)
    #: The thresholds as float64 arrays, and as the largest float32 at or below each: for a
    #: float32 x, ``x <= t`` exactly when ``x <= that``, so float32 features are placed
    #: without a float64 copy (half the cost of a query).
    _edges: tuple[tuple[np.ndarray, np.ndarray], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        edges = []
        for t in self.thresholds:
            wide = np.asarray(t, np.float64)
            narrow = wide.astype(np.float32)
            narrow = np.where(narrow.astype(np.float64) > wide,
                              np.nextafter(narrow, np.float32(-np.inf)), narrow)  # fmt: skip
            edges.append((wide, narrow.astype(np.float32)))
        object.__setattr__(self, "_edges", tuple(edges))
        every_cell = self.contributions(self.grid())
        object.__setattr__(self, "ranges", {part: float(v.max() - v.min())
                                            for part, v in every_cell.items()})  # fmt: skip

    @property
    def players(self) -> tuple[str, ...]:
        """The distinct parts, in the order of the features."""
        return tuple(dict.fromkeys(self.parts))

    def cells(self, features: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """Each feature's cell index per candidate."""
        out = []
        for name, (wide, narrow) in zip(self.features, self._edges, strict=True):
            x = np.asarray(features[name])
            if x.dtype == np.float32:
                out.append(np.searchsorted(narrow, x, side="left"))
            else:
                out.append(np.searchsorted(wide, x.astype(np.float64), side="left"))
        return out

    def contributions(self, features: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Each part's exact contribution per candidate (the parts' Shapley values against
        the reference cell; they sum to the table's value)."""
        cells = self.cells(features)
        players = self.players
        k = len(players)

        def value(subset: frozenset[str]) -> np.ndarray:
            index = tuple(c if self.parts[i] in subset else self.reference[i]
                          for i, c in enumerate(cells))  # fmt: skip
            return np.broadcast_to(self.values[index], cells[0].shape).astype(np.float64)

        if k == 1:
            return {players[0]: value(frozenset(players)).astype(np.float32)}
        values = {frozenset(s): value(frozenset(s))
                  for r in range(k + 1) for s in combinations(players, r)}  # fmt: skip
        out = {}
        for p in players:
            total = np.zeros_like(values[frozenset()])
            others = [q for q in players if q != p]
            for r in range(k):
                weight = factorial(r) * factorial(k - r - 1) / factorial(k)
                for s in combinations(others, r):
                    total += weight * (values[frozenset(s) | {p}] - values[frozenset(s)])
            out[p] = total.astype(np.float32)
        return out

    def grid(self) -> dict[str, np.ndarray]:
        """One point per cell (every combination), by feature: where the table can be seen."""
        points = [_representatives(t) for t in self.thresholds]
        mesh = np.meshgrid(*points, indexing="ij")
        return {f: m.ravel() for f, m in zip(self.features, mesh, strict=True)}

    def to_dict(self) -> dict:
        """A JSON-able form (six significant digits are far below any ranking difference)."""
        return {"features": list(self.features), "parts": list(self.parts),
                "thresholds": [list(t) for t in self.thresholds],
                "reference": list(self.reference),
                "values": [float(f"{v:.6g}") for v in self.values.ravel()]}  # fmt: skip

    @classmethod
    def from_dict(cls, data: Mapping) -> JointTable:
        """The table written by :meth:`to_dict`."""
        thresholds = tuple(tuple(float(x) for x in t) for t in data["thresholds"])
        shape = tuple(len(t) + 1 for t in thresholds)
        return cls(tuple(data["features"]), tuple(data["parts"]), thresholds,
                   np.asarray(data["values"], np.float32).reshape(shape),
                   tuple(int(i) for i in data["reference"]))  # fmt: skip


def _representatives(thresholds: Sequence[float]) -> np.ndarray:
    """One value inside each cell: each threshold (x <= t is the cell of t) and one above."""
    t = np.asarray(thresholds, np.float64)
    if t.size == 0:
        return np.zeros(1)
    return np.concatenate([t, t[-1:] + 1.0])


def tree_features(estimator) -> list[set[int]]:
    """The feature columns each tree of a fitted histogram gradient boosting model splits on."""
    out = []
    for per_class in estimator._predictors:
        for predictor in per_class:
            nodes = predictor.nodes
            out.append({int(f) for f in nodes["feature_idx"][~nodes["is_leaf"].astype(bool)]})
    return out


def _used_thresholds(estimator, columns: Sequence[int]) -> dict[int, np.ndarray]:
    """The thresholds the trees split on, per feature column."""
    used: dict[int, set[float]] = {c: set() for c in columns}
    for per_class in estimator._predictors:
        for predictor in per_class:
            nodes = predictor.nodes
            inner = nodes[~nodes["is_leaf"].astype(bool)]
            for f, t in zip(inner["feature_idx"], inner["num_threshold"], strict=True):
                if int(f) in used:
                    used[int(f)].add(float(t))
    return {c: np.array(sorted(v)) for c, v in used.items()}


def tabulate(estimator, names: Sequence[str], group: Sequence[str], part_of: Mapping[str, str],
             below: np.ndarray) -> tuple[JointTable | None, float]:  # fmt: skip
    """The table of one interaction ``group`` of a fitted boosting model whose trees each
    split within one group, and the constant its reference cell scored (to add to the
    intercept). ``below`` is a point below every threshold of every feature: the model's
    value there is a constant the table is measured from, exactly, because the model is a
    sum of one function per group. Features of the group no tree splits on are left out;
    ``None`` when no tree splits on any. ``part_of`` names each feature's part."""
    columns = [names.index(f) for f in group]
    used = _used_thresholds(estimator, columns)
    kept = [c for c in columns if used[c].size]
    if not kept:
        return None, 0.0
    shape = tuple(used[c].size + 1 for c in kept)
    if int(np.prod(shape)) > MAX_CELLS:
        raise ValueError(f"joint table of {group} would have {int(np.prod(shape))} cells")
    base = float(estimator._raw_predict(below[None, :]).ravel()[0])
    mesh = np.meshgrid(*[_representatives(used[c]) for c in kept], indexing="ij")
    grid = np.repeat(below[None, :], mesh[0].size, axis=0)
    for c, m in zip(kept, mesh, strict=True):
        grid[:, c] = m.ravel()
    values = (estimator._raw_predict(grid).ravel() - base).reshape(shape)
    features = tuple(names[c] for c in kept)
    reference = tuple(int(np.searchsorted(used[c], REFERENCE.get(names[c], 0.0), side="left"))
                      for c in kept)  # fmt: skip
    at_reference = float(values[reference])
    table = JointTable(features, tuple(part_of.get(f, f) for f in features),
                       tuple(tuple(float(x) for x in used[c]) for c in kept),
                       (values - at_reference).astype(np.float32), reference)  # fmt: skip
    return table, at_reference
