"""Patterns of the consortium rules: minimum partners, minimum countries, required members."""

from __future__ import annotations

import re
from collections.abc import Iterable

from matcher.domain import EligibilityRule, RuleKind
from matcher.scoring.calls.patterns.common import (
    _SCOPE_EU,
    _SCOPE_HORIZON,
    NUM,
    is_binding,
    rule,
    scope_set,
    to_int,
)

# "Applications must be submitted by a consortium including participation, as beneficiaries, of
# at least three independent legal entities" / "Proposals must be submitted by at least 3
# applicants (beneficiaries; not affiliated entities) from 3 different eligible countries".
_AT_LEAST_ENTITIES = re.compile(
    rf"\bat least (?P<n>{NUM}) (?:independent )?(?:legal entities|applicants|partners"
    r"|participants|beneficiaries|entities)\b",
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


# "The proposal must include only: One legal entity, as a beneficiary, established in a
# Widening country" (the Hop On facility): the first item of a list of members that the portal
# flattened into separate sentences; the count cannot be read from one of them.
_LISTED_MEMBERS = re.compile(r"\bmust include only:", re.I)


def find_min_partners(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Minimum (and, for mono-beneficiary actions, maximum) number of beneficiaries."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        if _LISTED_MEMBERS.search(sentence):
            rules.append(rule(RuleKind.MIN_PARTNERS, {}, sentence, parsed=False))
            continue
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
    (re.compile(r"ESFRI|research infrastructures?", re.I), "research_infrastructure"),
    (
        re.compile(r"universit|higher education|research organi[sz]ation|RTOs?\b", re.I),
        "research_organisation",
    ),
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


# Member groups a clause names beside (or instead of) a counted noun:
# "at least three (3) legal entities from at least three (3) different Member States or
# Associated Countries that are universities, research and higher education institutions or
# research technology organisations (RTOs)" (the count belongs to the group);
# "at least three (3) participants ..., including higher education institution(s) or RTOs and
# philanthropy organisation(s)" (one of each); "In addition, at least one (1) legal entity shall
# be established in a "widening country""; "at least two different research infrastructures as
# beneficiaries"; "one of them as urban node on the TEN-T network"; "Each Widening country R&I
# ecosystem must comprise ... c) public authorities or authorised agencies operating at regional
# or local level".
_RESEARCH_GROUP = (
    r"(?:universit\w*|(?:research and )?higher education\w*"
    r"|research (?:and technology )?organi[sz]ations?|RTOs)"
)
#: (pattern, flag); the "including ..." forms count only in a sentence about the consortium.
_GROUPS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\bat least (?P<n>{NUM}) (?:legal entities|participants|partners)\b[^.]{{0,120}}?"
                rf"\bthat are {_RESEARCH_GROUP}", re.I), "research_organisation"),
    (re.compile(rf"\bincluding {_RESEARCH_GROUP}", re.I), "research_organisation"),
    (re.compile(r"\b(?:including|and) philanthropy organi[sz]ation", re.I),
     "philanthropy_organisation"),
    (re.compile(rf"\bat least (?P<n>{NUM}) legal entit(?:y|ies) (?:shall|must) be established in"
                r" an? ['\"]?widening countr|\bmust include only:? one legal entity, as a"
                r" beneficiary, established in a widening country", re.I),
     "widening_country_entity"),
    (re.compile(rf"\bat least (?P<n>{NUM}) different research infrastructures\b", re.I),
     "research_infrastructure"),
    (re.compile(r"\bone of them (?:as|is|being) (?:an? )?urban node (?:on|of) the TEN-T", re.I),
     "tent_urban_node"),
    (re.compile(r"\bmust comprise\b.{0,300}?\bpublic authorities\b[^.]{0,40}\bregional or"
                r" local level", re.I), "local_or_regional_authority"),
)  # fmt: skip


def _member_groups(sentence: str) -> list[EligibilityRule]:
    rules: list[EligibilityRule] = []
    for pattern, flag in _GROUPS:
        match = pattern.search(sentence)
        if not match or any(r.params["flag"] == flag for r in rules):
            continue
        if match.group(0).lower().startswith(("including", "and")) and not (
            _MEMBER_CONTEXT.search(sentence)
        ):
            continue
        count = match.groupdict().get("n")
        params = {"flag": flag, "min": to_int(count) if count else 1}
        rules.append(rule(RuleKind.REQUIRED_MEMBER, params, sentence))
    return rules


def find_required_members(sentences: Iterable[str]) -> list[EligibilityRule]:
    """Members a consortium must contain: Mission cities, cities, police authorities, ..."""
    rules: list[EligibilityRule] = []
    for sentence in sentences:
        if not is_binding(sentence) and not re.search(r"\brequires\b", sentence, re.I):
            continue
        grouped = _member_groups(sentence)
        rules += grouped
        taken = {r.params["flag"] for r in grouped}
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
            if flag in taken:
                continue
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
