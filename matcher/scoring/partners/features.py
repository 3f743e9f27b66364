"""The pair features the purpose models read (:mod:`matcher.scoring.partners.purposes`).

Each feature is a function of the query's and the candidate's own data, in [0, 1]: the
ranker's evidence parts, plus views of where the candidate is and of its record per purpose.
:data:`PART_OF_FEATURE` says as which of the ranker's parts each extra feature is told in an
explanation, so that every contribution lands on a reason the data backs.

**Tried, not kept: a shared Interreg B area.** Three in four transnational truth groups are
Interreg V-B projects, whose partners all lie in the programme's area, so "both in the area
of one Interreg B programme" looked like evidence distance misses. The areas were read off
the keep.eu partners' NUTS codes (each programme's regions with a partner, the query's own
hidden project left out of the count, so no query sees it). Held out (transnational,
grouped 5-fold, fold seed 0, linear, no hub prices, 2026-12-07) nDCG@10 was 0.038 without
it, and 0.038, 0.035 and 0.036 with it at NUTS 2, NUTS 1 and country level. At country
level 48% of the real partners shared an area with the query, and 47% of all candidates
did. The shipped file's 412 V-B projects draw the areas only in part, and what they draw,
distance already tells.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = [
    "ACROSS_BORDER_KM",
    "FAR_KM",
    "NEAR_AND_SIZE",
    "FEATURES",
    "PART_OF_FEATURE",
    "LEFT_OUT",
    "PURPOSE_TRACK_FULL",
    "beyond_the_border",
    "features_for",
    "pair_features",
    "region_mask",
]

#: The pair features, all in [0, 1]: the ranker's evidence parts plus
#:
#: * ``abroad``: the candidate is in another country;
#: * ``distance``: log1p(km) over log1p(:data:`FAR_KM`), capped at 1, a smooth, scale-free
#:   view of distance;
#: * ``across_border``: abroad *and* near, ``exp(-km / ACROSS_BORDER_KM)`` for a located
#:   candidate in another country, 0 otherwise (see :data:`ACROSS_BORDER_KM`);
#: * ``border_neighbour``: abroad *and* near the border, the same fall for a located
#:   candidate in another country but counted from the query's nearest located foreign city
#:   (:func:`beyond_the_border`), 0 otherwise;
#: * ``same_region``: the candidate is in the query's NUTS 2 region (0 where either region is
#:   unknown; a NUTS code starts with its country's, so never abroad): of two towns at home
#:   as near, an Interreg A partner is likelier the one of the query's own region;
#: * ``track_<purpose>``: the candidate's partnerships of that purpose (log scale);
#: * ``research_projects``: the candidate's research projects, with another municipality or
#:   without (log scale): any Horizon participation shows a capacity for research;
#: * ``near_size`` and ``near_peer``: the candidate's nearness times its ``size`` and times
#:   its ``peer_size`` (:data:`NEAR_AND_SIZE`).
FEATURES: tuple[str, ...] = (
    "proximity",
    "distance",
    "abroad",
    "across_border",
    "border_neighbour",
    "same_region",
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
    "research_projects",
    "near_size",
    "near_peer",
)
#: ``near_size`` and ``near_peer``: nearness (``proximity`` at home, the larger of it and
#: ``border_neighbour`` abroad: counted from the border) times the candidate's ``size`` and
#: its ``peer_size``. Interreg A partners are the neighbours across a border, but of two
#: neighbours as near, the town rather than the hamlet, and the town of the query's own size:
#: a linear model over nearness and size cannot say "large counts only when near" (it weighed
#: ``peer_size`` 0.6 and ``size`` 0.2 against proximity's 24, since among the far candidates
#: size tells nothing). Measured held out (cross-border, grouped 5-fold, linear, no hub
#: prices, the harness of ``benchmarks/purposes.py --fit``, seeds 0 and 1, 2026-12-07):
#: nDCG@10 0.225 and 0.228 without; with ``near_size`` alone 0.235 and 0.236; with both 0.241
#: and 0.242; with nearness as ``proximity`` alone (not counted from the border) 0.234 and
#: 0.235. ``matcher evaluate --purpose cross-border``: 0.234 [0.196, 0.271] -> 0.250 [0.213,
#: 0.286] (seeds 1 and 2: 0.255, 0.244), nearest distance 0.164 [0.129, 0.197].
NEAR_AND_SIZE = {"near_size": "size", "near_peer": "peer_size"}
#: The features of the ``purpose_counts`` columns
#: (:data:`~matcher.scoring.partners.vectorise.RECORD_COLUMNS`), in order.
RECORD_FEATURES = ("track_cross_border", "track_transnational", "track_research",
                   "research_projects")  # fmt: skip
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
#: Features a purpose's model does not read, each left out where held out it only fitted
#: noise (``benchmarks/purposes.py``, grouped 5-fold, 2026-12-06):
#:
#: * ``across_border`` under research (Horizon partners are not chosen across a border):
#:   nDCG@10 0.085 [0.061, 0.112] with it, 0.087 [0.063, 0.117] without (popularity's
#:   interval ends at 0.060);
#: * ``across_border`` or ``border_neighbour``: each purpose reads the one it scores better
#:   with (:func:`beyond_the_border`), research neither;
#: * ``same_region`` everywhere but cross-border: fitted with it, any fell from 0.068 to
#:   0.064 and transnational from 0.034 to 0.032 (no hub prices), while cross-border rose
#:   from 0.218 to 0.224.
#: * ``near_size`` and ``near_peer`` but under cross-border (:data:`NEAR_AND_SIZE`). Held
#:   out (seeds 0 and 1) transnational was level with them (0.036 and 0.034 without, 0.038
#:   and 0.034 with); ``any`` rose from 0.080 and 0.081 to 0.088 and 0.091, its pooled truth
#:   being 43% cross-border queries, but its plain lists turned local again: the median
#:   distance of the top 10 of ``benchmarks/purposes.py --focus-only`` fell from 215 km to
#:   37 km, the nearest towns the issue began from. Not kept for ``any``;
#: * ``research_projects`` but under research. Held out (grouped 5-fold, the harness of
#:   ``benchmarks/purposes.py --fit``, 2026-12-07), research read it and rose from 0.110 to
#:   0.125 (``matcher evaluate``: 0.091 to 0.122; 0.102 [0.078, 0.127] once partners were
#:   matched within their NUTS region, 0.098 and 0.107 at seeds 1 and 2); counting every
#:   project instead of partnerships in every record, transnational fell from 0.037 to 0.034
#:   and ``any`` from 0.084 to 0.082, and a record of every project added for transnational,
#:   to 0.032.
LEFT_OUT: dict[str, frozenset[str]] = {
    "cross-border": frozenset({"across_border", "research_projects"}),
    "research": frozenset({"across_border", "border_neighbour", "same_region", *NEAR_AND_SIZE}),
    "transnational": frozenset(
        {"border_neighbour", "same_region", "research_projects", *NEAR_AND_SIZE}
    ),
    "any": frozenset({"border_neighbour", "same_region", "research_projects", *NEAR_AND_SIZE}),
}
#: Model features told as one of the ranker's parts in the explanation: the place features
#: as ``proximity`` (the reason names the distance, and the border where one is crossed;
#: ``near_size`` and ``near_peer`` too, as they are 0 but near), the per-purpose records as
#: ``track_record``.
PART_OF_FEATURE = {
    **dict.fromkeys(("distance", "abroad", "across_border", "border_neighbour", "same_region",
                     *NEAR_AND_SIZE), "proximity"),
    **dict.fromkeys(RECORD_FEATURES, "track_record"),
}  # fmt: skip


def pair_features(parts: Mapping[str, np.ndarray], km: np.ndarray, abroad: np.ndarray,
                  located: np.ndarray, purpose_counts: np.ndarray | None = None,
                  same_region: np.ndarray | None = None) -> dict[str, np.ndarray]:  # fmt: skip
    """The model features of every indexed city as a candidate, from the ranker's parts,
    distances (km) and whether each candidate is abroad (all over the whole index: the
    nearest foreign city among them is the query's, :func:`beyond_the_border`); ``located``
    is False where a distance is unknown (its ``distance`` is then 1, as far as it gets,
    ``across_border`` and ``border_neighbour`` 0, and ``proximity`` already 0);
    ``purpose_counts`` are the candidates' projects per purpose (cross-border, transnational,
    research), as :class:`ProfileVectors` holds them; ``same_region`` whether each candidate
    is in the query's NUTS 2 region (None: nobody's region is known)."""
    km = np.maximum(np.asarray(km, np.float64), 0.0)
    located = np.asarray(located, bool)
    distance = np.minimum(np.log1p(km) / np.log1p(FAR_KM), 1.0)
    features = {name: np.asarray(parts[name], np.float32) for name in FEATURES
                if name in parts}  # fmt: skip
    features["distance"] = np.where(located, distance, 1.0).astype(np.float32)
    features["abroad"] = np.asarray(abroad, np.float32)
    near = np.where(located, np.exp(-km / ACROSS_BORDER_KM), 0.0)
    features["across_border"] = (features["abroad"] * near).astype(np.float32)
    beyond = beyond_the_border(km, features["abroad"] > 0, located)
    near = np.where(located, np.exp(-beyond / ACROSS_BORDER_KM), 0.0)
    features["border_neighbour"] = (features["abroad"] * near).astype(np.float32)
    features["same_region"] = (np.zeros(len(km), np.float32) if same_region is None
                               else np.asarray(same_region, np.float32))  # fmt: skip
    counts = np.zeros((len(km), len(RECORD_FEATURES))) if purpose_counts is None else purpose_counts
    track = np.minimum(np.log1p(np.asarray(counts, np.float32)) / np.log1p(PURPOSE_TRACK_FULL),
                       1.0)  # fmt: skip
    for j, name in enumerate(RECORD_FEATURES):
        features[name] = track[:, j].astype(np.float32)
    home = np.asarray(parts.get("proximity", np.zeros(len(km))), np.float32)
    nearness = np.maximum(home, features["border_neighbour"])
    for name, part in NEAR_AND_SIZE.items():
        values = parts.get(part)
        features[name] = (np.zeros(len(km), np.float32) if values is None
                          else nearness * np.asarray(values, np.float32))  # fmt: skip
    return features


def beyond_the_border(km: np.ndarray, abroad: np.ndarray, located: np.ndarray) -> np.ndarray:
    """Per candidate, how many kilometres farther it is than the nearest located candidate
    abroad (``km`` itself where there is none). The callers pass every indexed city, so that
    is the query's nearest foreign city: a town across the border counts from the border,
    however far inland the query lies (``border_neighbour``).

    Counted from the query (``across_border``), a town 120 km inland found each of its
    nearest partners across the border weighing less than a town at home 30 km away.
    Measured held out (grouped 5-fold, linear, no hub prices, 2026-12-06), cross-border
    nDCG@10 is 0.225 with ``across_border``, 0.233 with ``border_neighbour`` instead and
    0.229 with both; counted from the third-nearest foreign city 0.232; at scales of 50, 75,
    100 and 150 km 0.227, 0.234, 0.233 and 0.222. ``any`` goes the other way (0.066 and
    0.061: its research and network queries have no partner at the border) and
    transnational is level (0.034 and 0.035), so those keep ``across_border``
    (:data:`LEFT_OUT`)."""
    foreign = km[abroad & located]
    nearest = float(foreign.min()) if foreign.size else 0.0
    return np.maximum(km - nearest, 0.0)


def features_for(purpose: str) -> tuple[str, ...]:
    """The features a purpose's model is fitted on: :data:`FEATURES` but :data:`LEFT_OUT`."""
    left_out = LEFT_OUT.get(purpose, frozenset())
    return tuple(name for name in FEATURES if name not in left_out)


def region_mask(regions: np.ndarray, region: str) -> np.ndarray:
    """Per city of ``regions`` (NUTS 2 codes, '' unknown), whether it is in the NUTS 2
    ``region`` (never where either is unknown)."""
    return regions == region if region else np.zeros(len(regions), bool)
