"""Patterns of who may apply and on what terms: co-funding rates, population limits and
applicant types."""

from __future__ import annotations

import re
from collections.abc import Iterable

from matcher.domain import EligibilityRule, RuleKind
from matcher.scoring.calls.patterns.common import (
    rule,
)

# "The funding rate is 60% of the eligible costs, except for non-profit legal entities where the
# funding rate is up to 100% of the total eligible costs" / "Maximum funding rate: 90%" / "the
# EU-funding rate for eligible costs ... will be up to 50% of the eligible costs".
_FUNDING_RATE = re.compile(
    r"\bfunding rate\b(?:(?! except)[^.%]){0,80}?(?P<upto>up to )?(?P<rate>\d{1,3}) ?%", re.I
)
_NON_PROFIT_RATE = re.compile(
    r"except for non-profit legal entities where the funding rate is (?:up to )?(?P<rate>\d{1,3})"
    r" ?%",
    re.I,
)
_RATE_HEADING = re.compile(r"^(?:maximum )?funding rate$", re.I)


def find_cofunding(sentences: Iterable[str]) -> list[EligibilityRule]:
    """The share of eligible costs the EU pays (the applicant co-funds the rest)."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        match = _FUNDING_RATE.search(sentence)
        if match:
            params: dict = {"rate": int(match.group("rate")) / 100}
            if match.group("upto") or re.search(r"\bmaximum funding rate\b", sentence, re.I):
                params["up_to"] = True
            non_profit = _NON_PROFIT_RATE.search(sentence)
            if non_profit:
                params["non_profit_rate"] = int(non_profit.group("rate")) / 100
            rules.append(rule(RuleKind.COFUNDING, params, sentence))
        elif _RATE_HEADING.match(sentence.strip()):
            # A table heading whose figures were lost when the portal flattened the table.
            rules.append(rule(RuleKind.COFUNDING, {}, sentence, parsed=False))
    return rules


# --------------------------------------------------------------------------- population

# No topic of the August 2026 extract limits population; the one sentence that mentions a
# threshold ("including those with fewer than 45,000 inhabitants") is an expectation. The pattern
# therefore insists on binding wording around the threshold.
_POPULATION = re.compile(
    r"\b(?:municipalit\w+|cities|towns|local authorities)\b[^.]{0,60}?\b(?:with|of)"
    r" (?P<cmp>fewer than|less than|up to|more than|at least|over|below) (?P<value>[\d][\d,. ]*\d)"
    r" inhabitants",
    re.I,
)


def find_population(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Population bounds on the applicant municipality, when a sentence imposes one."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        match = _POPULATION.search(sentence)
        if not match or not re.search(r"\b(?:must|only|eligible|limited to)\b", sentence, re.I):
            continue
        value = int(re.sub(r"\D", "", match.group("value")))
        cmp = match.group("cmp").lower()
        if cmp in ("fewer than", "less than", "below"):
            params = {"min": None, "max": value - 1}
        elif cmp == "up to":
            params = {"min": None, "max": value}
        elif cmp in ("more than", "over"):
            params = {"min": value + 1, "max": None}
        else:
            params = {"min": value, "max": None}
        rules.append(rule(RuleKind.POPULATION, params, sentence))
    return rules


# --------------------------------------------------------------------------- applicant types

#: Applicant types a municipality can act as, used by the evaluator.
MUNICIPALITY_TYPES = frozenset(
    {"municipality", "local_authority", "local_or_regional_authority", "public_authority",
     "public_body", "any_legal_entity"}
)  # fmt: skip

_APPLICANT_PATTERNS: tuple[tuple[re.Pattern[str], list[str]], ...] = (
    # "The ERC Proof of Concept Grant 2026 call is open to Principal Investigators whose ERC main
    # frontier research grant is ongoing".
    (re.compile(r"\b(?:call|actions?) (?:is|are) open to (?:researchers|Principal Investigators)",
                re.I), ["principal_investigator"]),
    # "participation is limited to SMEs, including start-ups, and small mid-caps".
    (re.compile(r"\bparticipation is limited to SMEs\b", re.I), ["sme", "small_mid_cap"]),
    # "Beneficiaries must be a small and medium enterprise (SME) established in a Horizon Europe
    # Widening country".
    (re.compile(r"\bBeneficiaries must be an? small and medium(?:-sized)? enterprise", re.I),
     ["sme"]),
    # "Entities eligible for funding shall be the competent national authorities".
    (re.compile(r"\beligible for funding shall be the competent national authorities", re.I),
     ["national_authority"]),
    # "applicants must be on the list of competent organisations designated by the Member States
    # in accordance with Article 36 of Regulation (EC) 178/2002".
    (re.compile(r"\bapplicants must be on the list of competent organisations", re.I),
     ["article_36_organisation"]),
    # "Contestant must be private entities, public bodies, non-profit or for-profit
    # organisations, including research organisations and higher education establishments".
    (re.compile(r"\bContestants? must be private entities, public bodies", re.I),
     ["public_body", "private_entity"]),
)  # fmt: skip


# "The proposal must be submitted by the coordinator of the consortium funded under topic
# HORIZON-HLTH-2023-DISEASE-07-01": one named organisation leads; others may only join it.
# "The proposal must be submitted by the coordinator of the 'eligible already funded action'"
# (the Hop On facility: a Widening-country entity joins a running Horizon project).
_NAMED_COORDINATOR = re.compile(
    r"\bmust be submitted by the coordinator of (?:the consortium funded under\b"
    r"|the ['\"]?eligible already funded action)",
    re.I,
)


def find_applicant_types(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Restrictions on who may be a beneficiary (SMEs only, PIs only, national authorities)."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        if _NAMED_COORDINATOR.search(sentence):
            params = {"types": ["existing_consortium_coordinator"], "role": "coordinator"}
            rules.append(rule(RuleKind.APPLICANT_TYPE, params, sentence))
            continue
        for pattern, types in _APPLICANT_PATTERNS:
            if pattern.search(sentence):
                rules.append(rule(RuleKind.APPLICANT_TYPE, {"types": list(types)}, sentence))
                break
    return rules
