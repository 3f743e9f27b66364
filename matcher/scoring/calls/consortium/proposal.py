"""What the consortium builder answers: its weights, the proposed members with their
alternatives, and the unmet rules and relaxations when no valid set exists."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from matcher.domain import City, RuleResult

__all__ = [
    "DEFAULT_CONSORTIUM_WEIGHTS",
    "Alternative",
    "ConsortiumProposal",
    "ConsortiumWeights",
    "ProposedMember",
    "Relaxation",
    "UnmetRule",
]


@dataclass(frozen=True, slots=True)
class ConsortiumWeights:
    """Weights of mean call fit and mean pair fit in the consortium score.

    Equal by default: call fit is what gets a proposal funded, pair fit (shared interests,
    complementary needs and offers, past work together) is what carries the project through;
    neither can be traded away for the other.
    """

    call_fit: float = 0.5
    pair_fit: float = 0.5

    def __post_init__(self) -> None:
        if min(self.call_fit, self.pair_fit) < 0 or self.call_fit + self.pair_fit <= 0:
            raise ValueError("consortium weights must be non-negative and not both zero")


DEFAULT_CONSORTIUM_WEIGHTS = ConsortiumWeights()


@dataclass(frozen=True, slots=True)
class Alternative:
    """Another city for a member's place that keeps every rule met."""

    city: City
    score: float  # consortium score with this city in the place
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ProposedMember:
    """A member of the proposed consortium, why it was chosen and who could replace it."""

    city: City
    role: str  # "lead" or "partner"
    call_fit: float
    reasons: tuple[str, ...]
    alternatives: tuple[Alternative, ...] = ()


@dataclass(frozen=True, slots=True)
class UnmetRule:
    """A rule no consortium of the candidates meets, in words."""

    kind: str
    reason: str
    source_sentence: str = ""


@dataclass(frozen=True, slots=True)
class Relaxation:
    """A change of the request that was tried when no valid set existed, and what it gave."""

    kind: str  # "size", "country_filter", "open_countries", "required_member"
    description: str
    fixes: bool
    score: float | None = None
    partners: tuple[City, ...] = ()


@dataclass(frozen=True, slots=True)
class ConsortiumProposal:
    """The builder's answer: a valid consortium with reasons, or why there is none."""

    call_id: str
    size: int  # members including the lead
    valid: bool
    members: tuple[ProposedMember, ...]  # lead first; only the lead when not valid
    score: float | None
    parts: Mapping[str, float]  # {"call_fit": mean, "pair_fit": mean}
    unmet: tuple[UnmetRule, ...] = ()
    relaxations: tuple[Relaxation, ...] = ()
    #: Required members that are not cities (police authorities, SMEs, ...): add them by hand.
    other_members_needed: tuple[str, ...] = ()
    #: The eligibility evaluator's verdict on the proposed set (when ``today`` was given).
    rule_results: tuple[RuleResult, ...] = ()
    candidates_considered: int = 0


# --------------------------------------------------------------------------- inputs
