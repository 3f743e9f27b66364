"""Patterns of country restrictions: eligible countries, named countries and programme scopes."""

from __future__ import annotations

import re
from collections.abc import Sequence

from matcher.domain import WIDENING as DOMAIN_WIDENING
from matcher.domain import EligibilityRule, RuleKind
from matcher.scoring.calls.patterns.common import (
    rule,
)

_COUNTRY_ALIASES = {
    "canada": "CA", "israel": "IL", "republic of korea": "KR", "south korea": "KR",
    "korea": "KR", "new zealand": "NZ", "new-zealand": "NZ", "switzerland": "CH",
    "united kingdom": "GB", "norway": "NO", "iceland": "IS", "liechtenstein": "LI",
    "ukraine": "UA", "japan": "JP", "moldova": "MD", "albania": "AL", "serbia": "RS",
    "montenegro": "ME", "north macedonia": "MK", "turkey": "TR", "türkiye": "TR",
    "tunisia": "TN", "morocco": "MA", "armenia": "AM", "georgia": "GE", "kosovo": "XK",
    "faroe islands": "FO", "bosnia and herzegovina": "BA",
}  # fmt: skip
_COUNTRY_NAME = "|".join(sorted(map(re.escape, _COUNTRY_ALIASES), key=len, reverse=True))

#: Horizon Europe Widening countries (kept in :mod:`matcher.domain` as a country set).
WIDENING = DOMAIN_WIDENING
#: Euratom's associated countries in 2026, as the topic texts themselves state.
EURATOM_ASSOCIATED = frozenset({"UA", "CH"})

#: EU candidate countries in 2026 (Council decisions on candidate status).
EU_CANDIDATES = frozenset({"AL", "BA", "GE", "MD", "ME", "MK", "RS", "TR", "UA"})

# "participation is limited to legal entities established in Member States, Norway and Iceland"
# and its longer variants.
_LIMITED_TO = re.compile(
    r"\b(?:participation(?: in this topic)?|participation as coordinators(?: to the call)?)"
    r" is limited to (?:legal entities|SMEs[^.]*?) established in (?P<scope>[^.]*)",
    re.I,
)
# "Beneficiaries must be a small and medium enterprise (SME) established in a Horizon Europe
# Widening country" / "Contestant must be private entities, public bodies, ... located in a Member
# State, an Associated Country, or a candidate country for the accession to the EU".
_MUST_BE_LOCATED = re.compile(
    r"\b(?:Beneficiaries|Contestants?|Applicants) must be [^.]*?(?:established|located) in"
    r" (?P<scope>an? (?:Member State|Horizon Europe Widening|Widening)[^.]*)",
    re.I,
)


_BEYOND_LISTS = re.compile(
    r"oecd|mercosur|african union|strategic partnership|participating states", re.I
)
# "In addition, entities established in third countries which may become associated to Horizon
# Europe during 2026 and 2027 may be eligible to participate in this topic ...".
_MAY_BECOME_ASSOCIATED = re.compile(r"\bmay become associated\b", re.I)


def _scope_to_params(scope: str) -> dict | None:
    """Country params for the scope after "established in"; None when it cannot be read.

    Groupings we cannot enumerate (OECD, MERCOSUR, ...) leave the readable part as a certain
    subset and mark the rule ``open_ended``.
    """
    scope_l = scope.lower()
    if "widening" in scope_l:
        return {"sets": [], "countries": sorted(WIDENING), "label": "Widening countries"}
    if re.search(r"associated to (?:the )?euratom", scope_l):
        return {"sets": ["EU27"], "countries": sorted(EURATOM_ASSOCIATED)}
    if re.search(r"following (?:additional )?associated countries\s*:?\s*$", scope_l):
        return None  # the list sits in a separate sentence we cannot attach reliably
    countries = {_COUNTRY_ALIASES[m.lower()] for m in re.findall(_COUNTRY_NAME, scope, re.I)}
    sets: list[str] = []
    if re.search(r"associated countr|countries associated to horizon", scope_l) and not re.search(
        r"following (?:additional )?associated", scope_l
    ):
        sets.append("HORIZON")
    elif re.search(r"member states|the union\b", scope_l):
        sets.append("EU27")
    if re.search(r"eea member associated to horizon", scope_l):
        countries |= {"IS", "NO"}
    if "candidate countr" in scope_l:
        countries |= EU_CANDIDATES
    if not sets and not countries:
        return None
    params: dict = {"sets": sets, "countries": sorted(countries)}
    if _BEYOND_LISTS.search(scope_l):
        params["open_ended"] = True
    return params


def find_country_restrictions(sentences: Sequence[str]) -> list[EligibilityRule]:
    """Topic-specific country limits (Horizon Europe art. 22(5) restrictions, Widening, ...)."""
    rules: list[EligibilityRule] = []
    for index, sentence in enumerate(sentences):
        match = _LIMITED_TO.search(sentence) or _MUST_BE_LOCATED.search(sentence)
        if not match:
            continue
        params = _scope_to_params(match.group("scope"))
        if params is None:
            rules.append(rule(RuleKind.COUNTRIES, {}, sentence, parsed=False))
            continue
        following = sentences[index + 1] if index + 1 < len(sentences) else ""
        if _MAY_BECOME_ASSOCIATED.search(following):
            params["open_ended"] = True
        if "coordinator" in match.group(0).lower():
            params["role"] = "coordinator"
        params["basis"] = "topic restriction"
        rules.append(rule(RuleKind.COUNTRIES, params, sentence))
    return rules


# "In recognition of the opening of the US National Institutes of Health's programmes to
# European researchers, any legal entity established in the United States of America is eligible
# to receive Union funding" / "legal entities established in Australia, Brazil, ..., and USA,
# which provide, under the grant, access to their state-of-the-art research infrastructures ...,
# are exceptionally eligible for funding from the Union under this topic".
_NAMED_FOR_FUNDING = re.compile(
    r"\blegal entit(?:y|ies) established in (?P<scope>[^.]*?)(?:,? which (?P<condition>[^.]*?))?"
    r",? (?:is|are) (?:exceptionally )?eligible (?:to receive|for) (?:\w+ )?funding",
    re.I,
)
_THIRD_COUNTRY_NAMES = {
    "united states of america": "US", "united states": "US", "usa": "US", "australia": "AU",
    "brazil": "BR", "canada": "CA", "chile": "CL", "india": "IN", "japan": "JP", "mexico": "MX",
    "new zealand": "NZ", "republic of korea": "KR", "south korea": "KR", "singapore": "SG",
}  # fmt: skip
_THIRD_COUNTRY = re.compile(
    r"\b(?:"
    + "|".join(sorted(map(re.escape, _THIRD_COUNTRY_NAMES), key=len, reverse=True))
    + r")\b",
    re.I,
)


def find_named_countries(sentences: Sequence[str]) -> list[tuple[list[str], str, str]]:
    """Third countries a call names as eligible for EU funding, beyond its programme's set:
    ``(codes, condition, sentence)``, ``condition`` being "" when the text sets none ("any legal
    entity established in the United States of America is eligible to receive Union funding").
    Soft wording ("may be eligible") names no country."""
    found: list[tuple[list[str], str, str]] = []
    for sentence in sentences:
        match = _NAMED_FOR_FUNDING.search(sentence)
        if not match or re.search(r"\bmay\b", match.group(0), re.I):
            continue
        scope = match.group("scope")
        codes = sorted({_THIRD_COUNTRY_NAMES[m.lower()] for m in _THIRD_COUNTRY.findall(scope)})
        if codes:
            found.append((codes, (match.group("condition") or "").strip(), sentence))
    return found
