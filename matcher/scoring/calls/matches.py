"""What a call ranking answers: the relevance weights, one call's match and the split by
eligibility (:class:`CallFitWeights`, :class:`CallMatch`, :class:`CallRanking`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from matcher.domain import FundingCall, RuleResult, RuleStatus
from matcher.scoring.calls.eligibility import INFORMATIONAL_KINDS, failing
from matcher.scoring.calls.suitability import Suitability

__all__ = ["DEFAULT_CALL_WEIGHTS", "CallFitWeights", "CallMatch", "CallRanking"]


@dataclass(frozen=True, slots=True)
class CallFitWeights:
    """Weights of the relevance parts, and how much more a need counts than an interest.

    ``themes`` outweighs ``text`` because call themes are curated vocabulary matches, while
    bag-of-words similarity between a city's project texts and a call's long, formulaic
    description is noisy. ``need_boost`` is 2: a city asks of a call above all whether it pays
    for what the city wants help with, so a declared need counts twice an interest.

    ``text_full`` is the TF-IDF cosine that counts as a full text match. A city's project texts
    are short and a call description long and formulaic, so raw cosines are small: over the
    1,056 seeded cities with collaboration texts, the best-matching call scores a median 0.12
    and a 90th percentile 0.22 (measured Aug 2026, unigram index). Without the scaling the text
    part could hardly move a ranking; with it, a match as close as the data gets counts fully.
    """

    themes: float = 0.25
    text: float = 0.15
    need_boost: float = 2.0
    text_full: float = 0.25
    #: Share of the score that is suitability for a municipality; relevance has the rest.
    #: Close to half: over the graded seed calls, theme and text matches said little about
    #: whether a town hall could take part (defence and industrial calls matched broad city
    #: themes as well as the Cities Mission did); the call's own account of who takes part did.
    suitability: float = 0.45
    #: The same share for a city that declared needs: what it asked for moves up, among the
    #: calls suitable enough to be offered (the offer threshold still applies).
    suitability_with_needs: float = 0.3
    #: Weight of the declared-needs part within relevance: it dominates when a city declared
    #: needs, because a city asks of a call above all whether it pays for what it needs.
    needs: float = 0.75

    def __post_init__(self) -> None:
        if self.text_full <= 0:
            raise ValueError("text_full must be positive")
        if min(self.themes, self.text, self.need_boost, self.needs) < 0:
            raise ValueError("call fit weights must be non-negative")
        if self.themes + self.text + self.needs <= 0:
            raise ValueError("at least one call fit part needs a positive weight")
        if not (0 <= self.suitability < 1 and 0 <= self.suitability_with_needs < 1):
            raise ValueError("the suitability weight must be in [0, 1)")


DEFAULT_CALL_WEIGHTS = CallFitWeights()


@dataclass(frozen=True, slots=True)
class CallMatch:
    """One call for one city (or consortium): fit, deadline and the rule-by-rule verdict.

    ``eligible`` is True when every rule passed, None when none failed but some could not be
    decided ("eligible unless an unknown rule fails": check the call text), False when a rule
    failed.
    """

    call_id: str
    fit: float
    parts: Mapping[str, float]
    matching_themes: tuple[str, ...]  # call themes the city needs, then those it works on
    matching_needs: tuple[str, ...]  # the subset the city declared as needs
    deadline: date | None  # next deadline on or after today
    days_left: int | None
    status: str  # "open" or "forthcoming"
    rules: tuple[RuleResult, ...]
    eligible: bool | None
    call: FundingCall = field(repr=False, compare=False)
    #: The weighted mean of the needs, themes and text parts, before suitability.
    relevance: float = 0.0
    #: Would a municipality go for this call, and the sentence that says so.
    suitability: Suitability | None = field(default=None, compare=False)

    @property
    def failed_rules(self) -> tuple[RuleResult, ...]:
        """The rules that exclude the call, with their reasons."""
        return tuple(failing(self.rules))

    @property
    def unknown_rules(self) -> tuple[RuleResult, ...]:
        """The binding rules to check in the call text: the data could not decide them."""
        return tuple(
            r
            for r in self.rules
            if r.status == RuleStatus.UNKNOWN and r.kind not in INFORMATIONAL_KINDS
        )


@dataclass(frozen=True, slots=True)
class CallRanking:
    """Calls that passed the filters, split by eligibility, each list in ranking order."""

    eligible: tuple[CallMatch, ...]
    unknown: tuple[CallMatch, ...]
    ineligible: tuple[CallMatch, ...]
    #: How many calls passed the filters (the three lists may be truncated by ``limit``).
    considered: int
