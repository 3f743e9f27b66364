"""The consortium builder: ``rules`` (what a call asks of its members), ``search`` (greedy,
repair and swap search over a shortlist), ``proposal`` (what it answers) and ``builder``."""

from matcher.scoring.calls.consortium.builder import brute_force_consortium, build_consortium
from matcher.scoring.calls.consortium.proposal import (
    DEFAULT_CONSORTIUM_WEIGHTS,
    Alternative,
    ConsortiumProposal,
    ConsortiumWeights,
    ProposedMember,
    Relaxation,
    UnmetRule,
)

__all__ = [
    "DEFAULT_CONSORTIUM_WEIGHTS",
    "Alternative",
    "ConsortiumProposal",
    "ConsortiumWeights",
    "ProposedMember",
    "Relaxation",
    "UnmetRule",
    "brute_force_consortium",
    "build_consortium",
]
