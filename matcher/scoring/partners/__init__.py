"""Partner matching: vectorise city profiles, rank candidates, explain and evaluate the ranking.

A library user imports from here; the modules are ``vectorise`` (profiles to vectors),
``weights`` (score parts and their fitted weights), ``parts`` (the parts as array functions),
``ranker`` (the index and top-k search), ``explain`` (reasons in words) and ``evaluate``
(leave-group-out evaluation against baselines).
"""

from matcher.scoring.partners.evaluate import TruthGroup, evaluate
from matcher.scoring.partners.explain import explain_match
from matcher.scoring.partners.parts import combine, top_k
from matcher.scoring.partners.ranker import PartnerRanker
from matcher.scoring.partners.result import RankResult
from matcher.scoring.partners.vectorise import ProfileVectoriser, ProfileVectors
from matcher.scoring.partners.weights import (
    DEFAULT_WEIGHTS,
    GEOGRAPHY_MODES,
    PART_NAMES,
    PartnerWeights,
)

__all__ = [
    "DEFAULT_WEIGHTS",
    "GEOGRAPHY_MODES",
    "PART_NAMES",
    "PartnerRanker",
    "PartnerWeights",
    "ProfileVectoriser",
    "ProfileVectors",
    "RankResult",
    "TruthGroup",
    "combine",
    "evaluate",
    "explain_match",
    "top_k",
]
