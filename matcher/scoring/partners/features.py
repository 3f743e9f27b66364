"""The pair features the purpose models read (:mod:`matcher.scoring.partners.purposes`).

Each feature is a function of the query's and the candidate's own data, in [0, 1]: the
ranker's evidence parts, plus views of where the candidate is and of its record per purpose.
:data:`PART_OF_FEATURE` says as which of the ranker's parts each extra feature is told in an
explanation, so that every contribution lands on a reason the data backs.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "ACROSS_BORDER_KM",
    "FAR_KM",
    "FEATURES",
    "PART_OF_FEATURE",
    "LEFT_OUT",
    "PURPOSE_TRACK_FULL",
    "features_for",
    "pair_features",
]

#: The pair features, all in [0, 1]: the ranker's evidence parts plus
#:
#: * ``abroad``: the candidate is in another country;
#: * ``distance``: log1p(km) over log1p(:data:`FAR_KM`), capped at 1, a smooth, scale-free
#:   view of distance;
#: * ``across_border``: abroad *and* near, ``exp(-km / ACROSS_BORDER_KM)`` for a located
#:   candidate in another country, 0 otherwise (see :data:`ACROSS_BORDER_KM`);
#: * ``track_<purpose>``: the candidate's projects of that purpose (log scale).
FEATURES: tuple[str, ...] = (
    "proximity",
    "distance",
    "abroad",
    "across_border",
    "track_record",
    "history",
    "networks",
    "common_partners",
    "text",
    "peer_size",
    "size",
    "experience",
    "track_cross_border",
    "track_transnational",
    "track_research",
)
#: ``track_<purpose>``: the candidate's projects of that purpose (log scale, 1 from this many).
PURPOSE_TRACK_FULL = 10
#: ``distance`` reaches 1 at this many kilometres.
FAR_KM = 4000.0
#: ``across_border`` falls by e per this many kilometres. Interreg A partners are neighbours
#: *across a border*: at one distance a town over the border is a likelier partner than one
#: at home, and an additive model over ``proximity`` and ``abroad`` cannot say so (it
#: learned ``abroad`` as a penalty, since most foreign cities are far). Measured held out
#: (cross-border, grouped 5-fold, logistic regression, no hub prices, 2026-12-06): nDCG@10
#: 0.179 without the feature; with it at 50, 75, 100 and 150 km 0.217, 0.217, 0.218 and
#: 0.219 (a flat optimum, so 100 is no knife-edge choice); at 25 km, the scale of
#: ``proximity``, 0.203.
ACROSS_BORDER_KM = 100.0
#: Features a purpose's model does not read. Horizon partners are not chosen across a border:
#: held out (``benchmarks/purposes.py --quick``, 2026-12-06) research scored nDCG@10 0.085
#: [0.061, 0.112] with ``across_border`` and 0.087 [0.063, 0.117] without it (popularity's
#: interval ends at 0.060), the feature's steps only fitting noise.
LEFT_OUT: dict[str, frozenset[str]] = {"research": frozenset({"across_border"})}
#: Model features told as one of the ranker's parts in the explanation: the place features
#: as ``proximity`` (the reason names the distance, and the border where one is crossed),
#: the per-purpose records as ``track_record``.
PART_OF_FEATURE = {"distance": "proximity", "abroad": "proximity", "across_border": "proximity",
                   "track_cross_border": "track_record", "track_transnational": "track_record",
                   "track_research": "track_record"}  # fmt: skip


def pair_features(parts: Mapping[str, np.ndarray], km: np.ndarray, abroad: np.ndarray,
                  located: np.ndarray, purpose_counts: np.ndarray | None = None,
                  ) -> dict[str, np.ndarray]:  # fmt: skip
    """The model features for a block of candidates from the ranker's parts, distances (km)
    and whether each candidate is abroad; ``located`` is False where a distance is unknown
    (its ``distance`` is then 1, as far as it gets, ``across_border`` 0, and ``proximity``
    already 0); ``purpose_counts`` are the candidates' projects per purpose (cross-border,
    transnational, research), as :class:`ProfileVectors` holds them."""
    km = np.maximum(np.asarray(km, np.float64), 0.0)
    located = np.asarray(located, bool)
    distance = np.minimum(np.log1p(km) / np.log1p(FAR_KM), 1.0)
    features = {name: np.asarray(parts[name], np.float32) for name in FEATURES
                if name in parts}  # fmt: skip
    features["distance"] = np.where(located, distance, 1.0).astype(np.float32)
    features["abroad"] = np.asarray(abroad, np.float32)
    near = np.where(located, np.exp(-km / ACROSS_BORDER_KM), 0.0)
    features["across_border"] = (features["abroad"] * near).astype(np.float32)
    counts = np.zeros((len(km), 3)) if purpose_counts is None else purpose_counts
    track = np.minimum(np.log1p(np.asarray(counts, np.float32)) / np.log1p(PURPOSE_TRACK_FULL),
                       1.0)  # fmt: skip
    for j, name in enumerate(("track_cross_border", "track_transnational", "track_research")):
        features[name] = track[:, j].astype(np.float32)
    return features


def features_for(purpose: str) -> tuple[str, ...]:
    """The features a purpose's model is fitted on: :data:`FEATURES` but :data:`LEFT_OUT`."""
    left_out = LEFT_OUT.get(purpose, frozenset())
    return tuple(name for name in FEATURES if name not in left_out)
