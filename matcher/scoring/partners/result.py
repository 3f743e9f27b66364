"""What a partner ranking answers: :class:`RankResult`."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

__all__ = ["RankResult"]


@dataclass(frozen=True, slots=True, eq=False)
class RankResult:
    """Top-k candidates, best first: city ids, scores and every part's value per candidate."""

    ids: np.ndarray
    scores: np.ndarray
    parts: dict[str, np.ndarray]
    #: The weights the scores were combined with (normalised over the active parts).
    weights: dict[str, float] = field(default_factory=dict)
    #: With a purpose: each part's exact contribution (logit units) per candidate; the score
    #: is the logistic of the model's intercept plus their sum.
    contributions: dict[str, np.ndarray] | None = None
    #: Candidates left out of the list whose score is within what
    #: :data:`~matcher.scoring.partners.weights.PROFILE_PARTS` can add (their weights, or
    #: their range under a purpose's model) of the last one listed: the only cities an edit of
    #: their own profile can bring into the list (empty when the list holds every admissible
    #: city).
    near_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: With a purpose whose model is calibrated: per candidate, the chance that it is a real
    #: partner of that kind (:mod:`~matcher.scoring.partners.calibration`), else None.
    chances: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)
