"""Funding calls: eligibility rules parsed from call text, rule evaluation, ranking by fit for a
city, and the consortium builder.

A library user imports from here; the modules are ``text`` (cleaning and sentences),
``patterns`` (the rule patterns), ``rules`` (parse text into rules), ``eligibility`` (evaluate
rules for a city or a consortium), ``matches`` and ``ranking`` (the call index) and the
``consortium`` package (rules that concern members, the search, the builder).
"""

from matcher.scoring.calls.consortium import ConsortiumProposal, build_consortium
from matcher.scoring.calls.eligibility import evaluate_city, evaluate_consortium, is_eligible
from matcher.scoring.calls.matches import CallFitWeights, CallMatch, CallRanking
from matcher.scoring.calls.ranking import CallIndex
from matcher.scoring.calls.rules import parse_rules, rules_report, summarise_rules

__all__ = [
    "CallFitWeights",
    "CallIndex",
    "CallMatch",
    "CallRanking",
    "ConsortiumProposal",
    "build_consortium",
    "evaluate_city",
    "evaluate_consortium",
    "is_eligible",
    "parse_rules",
    "rules_report",
    "summarise_rules",
]
