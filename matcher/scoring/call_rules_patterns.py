"""Sentence patterns for the eligibility rules of EU Funding & Tenders topics.

Each ``find_*`` function reads cleaned sentences and returns the rules it is sure of, plus
``parsed=False`` rules where a sentence clearly addresses the rule kind but does not state it in a
form we can read. The texts are formulaic (the Commission copies the same clauses from topic to
topic), so every pattern below names the real clause it was written for; the tests in
``tests/scoring/test_call_rules.py`` pin each one to that sentence.

Only binding wording counts ("must", "requires", "limited to", "eligible"): topic descriptions
also say what proposals *should* do, which is advice to evaluators, not an eligibility rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from matcher.domain import EligibilityRule, RuleKind
from matcher.scoring.call_rules_text import trim_sentence

_NUMBER_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
# "three", "3" or "three (3)".
NUM = r"(?:\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)(?:\s*\(\d{1,2}\))?"

_BINDING = re.compile(
    r"\b(?:must|shall|requires?|required|limited to|eligib\w*|only|mono-beneficiary)\b", re.I
)


def to_int(token: str) -> int:
    """``"three"``, ``"3"`` or ``"three (3)"`` -> 3."""
    word = token.split("(")[0].strip().lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS[word]


def rule(kind: RuleKind, params: dict, sentence: str, *, parsed: bool = True) -> EligibilityRule:
    """An :class:`EligibilityRule` whose source sentence is trimmed for display."""
    return EligibilityRule(
        kind=str(kind), params=params, parsed=parsed, source_sentence=trim_sentence(sentence)
    )


def is_binding(sentence: str) -> bool:
    """True when the sentence states an obligation rather than an expectation."""
    return bool(_BINDING.search(sentence))


# --------------------------------------------------------------------------- country scopes

#: "Member States and Associated Countries" and its variants, as a set scope.
_SCOPE_HORIZON = r"(?:EU )?Member States?,? (?:and|or|and/or) (?:an? )?Associated Countr(?:y|ies)"
_SCOPE_EU = r"(?:EU )?Member States?"


def scope_set(phrase: str) -> str | None:
    """Named country set for "Member States (or Associated Countries)"; None for "countries"."""
    if re.match(r"(?:EU )?Member States?,? (?:and|or)", phrase, re.I):
        return "HORIZON"
    if re.match(r"(?:EU )?Member States?\b", phrase, re.I):
        return "EU27"
    return None  # "eligible countries", "African Union member states", ...


# --------------------------------------------------------------------------- minimum partners

# "Applications must be submitted by a consortium including participation, as beneficiaries, of
# at least three independent legal entities" / "Proposals must be submitted by at least 3
# applicants (beneficiaries; not affiliated entities) from 3 different eligible countries".
_AT_LEAST_ENTITIES = re.compile(
    rf"\bat least (?P<n>{NUM}) (?:independent )?(?:legal entities|applicants|partners"
    r"|beneficiaries|entities)\b",
    re.I,
)
# "Consortia must include, as beneficiaries: - A minimum of three (3) to a maximum of seven (7)
# partners".
_MINIMUM_OF = re.compile(
    rf"\b(?:a )?minimum (?:of )?(?P<n>{NUM})(?: to a maximum of (?P<max>{NUM}))?"
    r" (?:independent )?(?:legal entities|applicants|partners|beneficiaries)\b",
    re.I,
)
# "Applications may only be submitted by one legal entity (mono-beneficiary)" / "Framework
# Partnerships are always mono-beneficiary".
_MONO = re.compile(
    r"\balways mono-beneficiary\b|\bsubmitted by one legal entity\b"
    r"|\bsingle legal entity[^.]{0,80}mono-beneficiary",
    re.I,
)
# "Proposals may be submitted by a single applicant or by applicants from a single eligible
# country".
# "... support collaborative or individual research and innovation from consortia or from single
# legal entities established in a Member State or an Associated Country".
_SINGLE_ALLOWED = re.compile(
    r"\bmay be submitted by a single applicant\b|\bconsortia or from single legal entities\b", re.I
)
# Sentences that offer alternative consortium shapes ("... or - A consortium of minimum three")
# cannot be reduced to one minimum without knowing which alternative applies.
_ALTERNATIVES = re.compile(r"\bor\s*-\s*an?\s|\beither\b", re.I)
# "Consortia of two entities must ..." / "Consortia of three or more entities must include ...":
# the clause binds only consortia of that size, so it sets no overall minimum.
_SIZE_CONDITIONAL = re.compile(r"\bConsortia of \w+(?: or more)? entities\b", re.I)
# "The consortium may exceptionally be composed of a single legal entity (mono-beneficiary
# grant) which is an SME": single applicants only of one kind; others follow rules not stated.
_EXCEPTIONAL_MONO = re.compile(r"\bmay exceptionally\b", re.I)
# "at least three independent legal entities established in three different low or lower/upper-
# middle-income countries": entities of a particular origin are required members, not a count of
# all partners.
_THIRD_COUNTRY_ORIGIN = re.compile(
    r"^[^.]{0,40}?(?:established in|from)(?: at least)?[^.]{0,50}?(?:African|income|world regions"
    r"|third countr|sub-Saharan)",
    re.I,
)
_CONSORTIUM_CONTEXT = re.compile(
    r"\b(?:consorti\w+|submitted by|applications?|proposals?|beneficiar\w+)\b", re.I
)


def find_min_partners(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Minimum (and, for mono-beneficiary actions, maximum) number of beneficiaries."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        if _MONO.search(sentence):
            if _EXCEPTIONAL_MONO.search(sentence):
                rules.append(rule(RuleKind.MIN_PARTNERS, {}, sentence, parsed=False))
            elif _ALTERNATIVES.search(sentence):
                rules.append(rule(RuleKind.MIN_PARTNERS, {"min": 1}, sentence))
            else:
                rules.append(rule(RuleKind.MIN_PARTNERS, {"min": 1, "max": 1}, sentence))
            continue
        if _SINGLE_ALLOWED.search(sentence):
            rules.append(rule(RuleKind.MIN_PARTNERS, {"min": 1}, sentence))
            continue
        match = _AT_LEAST_ENTITIES.search(sentence) or _MINIMUM_OF.search(sentence)
        if not match or not is_binding(sentence) or not _CONSORTIUM_CONTEXT.search(sentence):
            continue
        if _THIRD_COUNTRY_ORIGIN.search(sentence[match.end() :]):
            continue  # handled as a required member
        if _SIZE_CONDITIONAL.search(sentence):
            continue  # binds only consortia of a given size, not everyone
        if _ALTERNATIVES.search(sentence):
            rules.append(rule(RuleKind.MIN_PARTNERS, {}, sentence, parsed=False))
            continue
        params = {"min": to_int(match.group("n"))}
        if match.groupdict().get("max"):
            params["max"] = to_int(match.group("max"))
        rules.append(rule(RuleKind.MIN_PARTNERS, params, sentence))
    return rules


# --------------------------------------------------------------------------- minimum countries

# "... of at least 3 Police Authorities ... from at least 3 different EU Member States or
# Associated Countries" / "at least 2 SMEs from 2 different Member States".
_FROM_DIFFERENT = re.compile(
    rf"\b(?:from|established in) (?:at least )?(?P<n>{NUM}) different (?P<scope>{_SCOPE_HORIZON}"
    rf"|{_SCOPE_EU}|(?:[\w/-]+ ){{0,4}}?(?:countries|member states))",
    re.I,
)
# "These beneficiaries must be from at least 3 different EU Member States or Associated
# Countries" is covered above; "at least three independent legal entities: Each established in
# a different Member State or Associated Country" needs the entity count of the same sentence.
_EACH_DIFFERENT = re.compile(
    r"\b(?:each (?:established )?(?:in|from) a different|from different)"
    rf" (?P<scope>{_SCOPE_HORIZON}|{_SCOPE_EU}|country)",
    re.I,
)
# "at least one legal entity established in a Member State" / "at least one of them established
# in a Member State" / "two of which are established in a Member State".
_SOME_IN_EU = re.compile(
    rf"\b(?:at least (?P<n>{NUM}) (?:independent )?(?:legal entity|of them)|(?P<k>{NUM}) of which"
    r" are) established in (?:a|an EU) Member State\b(?! or)",
    re.I,
)


# "the demonstration activities ... must take place in the territory of at least 3 different
# regional or local authorities, each established in a different Member State": where the work
# happens, not who the partners are.
_PLACE_OF_WORK = re.compile(r"\b(?:take place|demonstration activities|pilot sites?)\b", re.I)


# The count that an "each from a different country" clause distributes: "At least three cities,
# ..., each from a different Member State" / "at least three independent legal entities: Each
# established in a different Member State".
_AT_LEAST_ANY = re.compile(rf"\b(?:at least|minimum(?: of)?) (?P<n>{NUM})\b", re.I)


def find_min_countries(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Minimum number of distinct countries, optionally counted within a set (EU27, HORIZON)."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        if not is_binding(sentence) or _PLACE_OF_WORK.search(sentence):
            continue
        if _ALTERNATIVES.search(sentence) or _SIZE_CONDITIONAL.search(sentence):
            if _FROM_DIFFERENT.search(sentence) or _EACH_DIFFERENT.search(sentence):
                rules.append(rule(RuleKind.MIN_COUNTRIES, {}, sentence, parsed=False))
            continue
        found: list[dict] = []
        for match in _FROM_DIFFERENT.finditer(sentence):
            found.append({"min": to_int(match.group("n")), "from_set": scope_set(match["scope"])})
        each = _EACH_DIFFERENT.search(sentence)
        count = _AT_LEAST_ANY.search(sentence[: each.start()]) if each else None
        if each and count:
            found.append({"min": to_int(count.group("n")), "from_set": scope_set(each["scope"])})
        for match in _SOME_IN_EU.finditer(sentence):
            # "N of which are established in a Member State" only counts countries when each
            # entity sits in a different country, which the same clause must say.
            if match.group("k") and not each:
                continue
            found.append({"min": to_int(match.group("n") or match.group("k")), "from_set": "EU27"})
        for params in _dedupe(found):
            rules.append(rule(RuleKind.MIN_COUNTRIES, params, sentence))
    return rules


def _dedupe(items: list[dict]) -> list[dict]:
    seen: list[dict] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


# --------------------------------------------------------------------------- required members

# "At least three cities, represented by a local authority ..., must participate as
# beneficiaries" / "This topic requires the active involvement, as beneficiaries, of at least 3
# Police Authorities and at least 2 Civil Society Organisations". Places of work ("testing in at
# least two demonstrator cities", "at least two pilot sites") are not members.
_AT_LEAST_MEMBER = re.compile(
    rf"(?<!\bin )\b(?:at least|and) (?P<n>{NUM}) (?!different\b|of\b|other\b)"
    r"(?P<noun>(?:(?!in\b|sites?\b|replicat|demonstrat)[\w'-]+ ){0,5}?"
    r"['\"]?"
    r"(?:cit(?:y|ies)|authorit(?:y|ies)|organi[sz]ations?|practitioners?|procurers?|SMEs?"
    r"|centres?|living labs|operators?|bod(?:y|ies)|NGOs?|ESFRI Landmarks))\b",
    re.I,
)
# "At least one of the three cities must be one of the 112 cities selected for the EU Mission on
# Climate-Neutral and Smart Cities".
# "At least one entity in each project must be from one of the 112 cities selected for the EU
# Mission on Climate-neutral and Smart Cities".
_MISSION_CITY = re.compile(
    rf"\bat least (?P<n>{NUM})\b[^.]{{0,60}}?\b(?:must|shall)\b[^.]{{0,30}}?\b(?:112|100) cities"
    r" selected for the EU Mission on Climate-Neutral and Smart Cities",
    re.I,
)
# "... and at least one must be a signatory to the Adaptation Mission Charter".
_ADAPTATION_CHARTER = re.compile(
    r"\bat least one must be (?:from )?a signatory to the Adaptation Mission", re.I
)
_MEMBER_CONTEXT = re.compile(
    r"\b(?:requires?|must (?:participate|include|involve)|consortia must include|beneficiaries)\b",
    re.I,
)
_MEMBER_FLAGS = (
    (re.compile(r"police", re.I), "police_authority"),
    (re.compile(r"border|coast guard|customs", re.I), "border_or_customs_authority"),
    (re.compile(r"civil society|NGO", re.I), "civil_society_organisation"),
    (re.compile(r"local or regional|regional or local", re.I), "local_or_regional_authority"),
    (re.compile(r"disaster|crisis", re.I), "disaster_risk_authority"),
    (re.compile(r"public procurer", re.I), "public_procurer"),
    (re.compile(r"practitioner", re.I), "practitioner"),
    (re.compile(r"end-user", re.I), "end_user_organisation"),
    (re.compile(r"\bSMEs?\b"), "sme"),
    (re.compile(r"training centre", re.I), "training_centre"),
    (re.compile(r"ESFRI", re.I), "research_infrastructure"),
    (re.compile(r"public bod", re.I), "public_body"),
    (re.compile(r"\bcit(?:y|ies) or regions?\b", re.I), "city_or_region"),
    (re.compile(r"\bfollower cit", re.I), "follower_city"),
    (re.compile(r"\bcit(?:y|ies)\b", re.I), "city"),
    (
        re.compile(r"African|income|world regions|third countr|sub-Saharan", re.I),
        "third_country_entity",
    ),
)


def member_flag(noun: str, qualifier: str = "") -> str:
    """Stable flag for the kind of member a clause requires ("3 Police Authorities" -> police).

    ``qualifier`` is the text right after the noun ("in charge of disaster risk"); it may name
    the kind, but only the noun itself becomes the fallback flag.
    """
    for text in (noun + qualifier[:12], qualifier):
        for pattern, flag in _MEMBER_FLAGS:
            if pattern.search(text):
                return flag
    return re.sub(r"\W+", "_", noun.strip().lower()).strip("_")


def find_required_members(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Members a consortium must contain: Mission cities, cities, police authorities, ..."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        if not is_binding(sentence) and not re.search(r"\brequires\b", sentence, re.I):
            continue
        mission = _MISSION_CITY.search(sentence)
        if mission:
            params = {"flag": "mission_city", "min": to_int(mission.group("n"))}
            rules.append(rule(RuleKind.REQUIRED_MEMBER, params, sentence))
            if _ADAPTATION_CHARTER.search(sentence):
                params = {"flag": "adaptation_mission_signatory", "min": 1}
                rules.append(rule(RuleKind.REQUIRED_MEMBER, params, sentence))
            continue
        if not _MEMBER_CONTEXT.search(sentence):
            continue
        for match in _AT_LEAST_MEMBER.finditer(sentence):
            # The words after the noun qualify it: "authorities in charge of disaster risk".
            qualifier = sentence[match.end() : match.end() + 40]
            flag = member_flag(match.group("noun"), qualifier)
            params = {"flag": flag, "min": to_int(match.group("n"))}
            rules.append(rule(RuleKind.REQUIRED_MEMBER, params, sentence))
        for match in _AT_LEAST_ENTITIES.finditer(sentence):
            if _THIRD_COUNTRY_ORIGIN.search(sentence[match.end() :]):
                params = {"flag": "third_country_entity", "min": to_int(match.group("n"))}
                rules.append(rule(RuleKind.REQUIRED_MEMBER, params, sentence))
        if _ADAPTATION_CHARTER.search(sentence):
            params = {"flag": "adaptation_mission_signatory", "min": 1}
            rules.append(rule(RuleKind.REQUIRED_MEMBER, params, sentence))
    return rules


# --------------------------------------------------------------------------- co-funding

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
_NAMED_COORDINATOR = re.compile(
    r"\bmust be submitted by the coordinator of the consortium funded under\b", re.I
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


# --------------------------------------------------------------------------- countries

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

#: Horizon Europe Widening countries: EU members with low R&I performance plus associated
#: countries with the same status (Horizon Europe Regulation 2021/695, art. 2(25); list of the
#: 2026-2027 General Annexes). Outermost regions also qualify but are below country level.
WIDENING = frozenset(
    [
        "BG",
        "HR",
        "CY",
        "CZ",
        "EE",
        "GR",
        "HU",
        "LV",
        "LT",
        "MT",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "AL",
        "AM",
        "BA",
        "FO",
        "GE",
        "XK",
        "MD",
        "ME",
        "MK",
        "RS",
        "TN",
        "TR",
        "UA",
    ]
)
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
