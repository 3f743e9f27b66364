"""Weights and constants of the partner score parts (see :mod:`matcher.scoring.partners.ranker`).

The parts, their names and the fitted default weights live here so that the ranker, the
evaluation and the explanations read one definition.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Literal

import numpy as np

__all__ = [
    "DEFAULT_WEIGHTS",
    "GEOGRAPHY_MODES",
    "PART_NAMES",
    "PRIOR_PARTS",
    "PROFILE_PARTS",
    "PartnerWeights",
]

Geography = Literal["any", "near", "far", "different-country", "cross-border"]
GEOGRAPHY_MODES: tuple[str, ...] = ("any", "near", "far", "different-country", "cross-border")
PART_NAMES: tuple[str, ...] = (
    "shared_interests",
    "complementarity",
    "experience",
    "track_record",
    "text",
    "peer_size",
    "size",
    "proximity",
    "geography",
    "history",
    "networks",
    "common_partners",
)
#: Parts whose value for a candidate reads the candidate's declared profile (interests, needs,
#: offers; ``experience`` reads its projects): a profile edit moves a candidate's score by at
#: most their weight, which is how a remembered top-k knows which edits can change it
#: (``RankResult.near_ids``). A new part that reads the profile belongs here.
PROFILE_PARTS: tuple[str, ...] = ("shared_interests", "complementarity")
#: Parts that depend only on the pair's collaborations and place: the likelihood prior.
PRIOR_PARTS: tuple[str, ...] = (
    "track_record",
    "proximity",
    "history",
    "networks",
    "common_partners",
)

EARTH_RADIUS_KM = 6371.0088
#: ``proximity`` is exp(-distance / scale). Fitted with the weights (``benchmarks/partners.py
#: --tune`` tries 25, 50, 100, 200, 400 and 800 km on the training split): 25 km won, the
#: scale of cross-border neighbours (0.67 at 10 km, 0.14 at 50 km). The objective was flat
#: within 0.01 nDCG across scales, so the choice matters little.
PROXIMITY_SCALE_KM = 25.0
#: ``common_partners`` is ra / (ra + half): 0.5 at this resource-allocation score, the median
#: of the non-zero scores over all city pairs of the seed data (two cities in the same
#: 3-member project as a shared partner with two collaborations score 0.125).
COMMON_PARTNERS_HALF = 0.1
#: ``near``: the part is exp(-distance / scale): 0.61 at 100 km, 0.22 at 300 km.
NEAR_SCALE_KM = 200.0
#: ``far``: distance / this, capped at 1: every city beyond it is equally "far", so the
#: purpose's fit orders them rather than distance alone (the farthest islands for everyone).
FAR_FULL_KM = 1000.0
#: ``cross-border``: full score abroad within the first distance, falling linearly to 0 at
#: the second; Interreg cross-border areas reach roughly 150 km either side of a border.
CROSS_BORDER_FULL_KM = 150.0
CROSS_BORDER_MAX_KM = 300.0
#: ``peer_size`` is 0.5 when one city is this many times as populous as the other.
PEER_SIZE_HALF_RATIO = 3.0
#: ``peer_size`` when either population is unknown: no evidence either way.
PEER_SIZE_UNKNOWN = 0.5
#: ``size`` (the candidate's own population, log scale) is 0 at the first and 1 at the second:
#: the smallest municipality in the data and a city of a million.
SIZE_SMALLEST = 2_000
SIZE_FULL = 1_000_000
#: ``size`` of a city whose population is unknown: that of the median municipality of the
#: seed (5,933 inhabitants), no evidence either way. At 0 (as small as it gets) the models
#: learned unknownness itself: the only research partners without a population are six
#: Portuguese municipalities of one project, and the research model gave "size 0" +3.5 logit.
SIZE_UNKNOWN_POPULATION = 6_000
#: ``track_record`` reaches 1 at this many past projects (log scale below it).
TRACK_RECORD_FULL = 30


@dataclass(frozen=True, slots=True)
class PartnerWeights:
    """Weights of the score parts, plus how strongly a theme focus pulls the query profile.

    Where the defaults (:data:`DEFAULT_WEIGHTS`) come from: ``benchmarks/partners.py --tune``,
    a coordinate ascent on mean nDCG@10 (grid 0-2, three sweeps, deterministic ties) of the
    leave-group-out evaluation on a *training split*: the keep.eu municipal partnerships
    that started before 2016 and a fixed random half of the CORDIS co-participations (seed
    2016), each truth set counting half of the objective. They were then reported unchanged
    on the held-out groups (keep.eu from 2016 on, the other CORDIS half) and on the full sets
    (``--quality``). Tuned: every part but ``complementarity`` and ``geography`` (below);
    the search also chose :data:`PROXIMITY_SCALE_KM`.

    Fitted values (``--tune``, training objective 0.123): proximity 2.0, track_record 0.5,
    networks 0.2, text 0.1, common_partners 0.1, history 0.05, and 0 for peer_size,
    experience and shared_interests. The fit says where partners come from: neighbours
    (Interreg) and active cities (Horizon); theme overlap did not predict who teamed up.

    Parts the evaluation cannot identify keep a documented rule instead of a fit:
    ``shared_interests``, ``experience`` and ``complementarity`` carry the query's themes and
    declared needs and offers, and a theme focus acts through them; the evaluation withholds
    profiles derived from projects (they could leak the hidden one) and nobody declares
    needs or offers yet. They get the smallest non-zero grid step, 0.05, so declared
    profiles and a theme focus break ties without overriding the evidence. ``geography`` is
    the user's explicit preference, not evidence; it gets the sum of the fitted weights
    (2.95), so a chosen mode counts as much as all the evidence together. Re-fit when
    declared profiles exist.
    """

    shared_interests: float = 0.05
    complementarity: float = 0.05
    experience: float = 0.05
    track_record: float = 0.5
    text: float = 0.1
    peer_size: float = 0.0
    size: float = 0.0  # read by the purpose models only (the tuned sum predates it)
    proximity: float = 2.0
    geography: float = 2.95
    history: float = 0.05
    networks: float = 0.2
    common_partners: float = 0.1
    #: Added to the query's unit profile as a unit vector over the focus themes: 1.0 makes
    #: the focus as strong as everything else the city declared; 3.0 makes the focus what
    #: the focused parts mostly measure (the user asked for that theme), so the partners a
    #: focus brings up are ones whose reasons name it (``benchmarks/purposes.py`` measures
    #: both: 1.0 left 3-6 of 15 focused lists with 6 partners naming the theme, 3.0 6-15).
    theme_focus_boost: float = 3.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise ValueError(f"weight {f.name} must be a finite non-negative number")

    def part_weights(self) -> dict[str, float]:
        """Weight per part name (without the focus boost)."""
        return {name: getattr(self, name) for name in PART_NAMES}

    def replace(self, **changes: float) -> PartnerWeights:
        """A copy with some weights changed."""
        return PartnerWeights(**{**asdict(self), **changes})


DEFAULT_WEIGHTS = PartnerWeights()
