"""Eligibility rules of a funding call, read from its Funding & Tenders texts.

``parse_rules`` turns a call record (conditions text, description, programme, deadlines) into
:class:`~matcher.domain.EligibilityRule` objects. A rule read from the text keeps the sentence it
came from; a rule kind the text addresses without stating it readably is emitted with
``parsed=False`` so that it evaluates to *unknown*; a kind the text does not address is left out,
except eligible countries, which every call has: the programme's default applies when the topic
says nothing more specific, and the rule says so in ``params["basis"]``.

Country params use named sets from :data:`matcher.domain.COUNTRY_SETS` plus explicit ISO codes,
so ``expand_countries(params["sets"] + params["countries"])`` gives the eligible countries. Two
optional keys refine them: ``open_ended`` (the listed countries are certainly eligible, others
may be, per a document we cannot read) and ``role`` ("coordinator": the limit binds only the
coordinator).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date

from matcher.domain import EligibilityRule, RuleKind, expand_countries
from matcher.scoring.calls.patterns import (
    find_applicant_types,
    find_cofunding,
    find_country_restrictions,
    find_min_countries,
    find_min_partners,
    find_named_countries,
    find_population,
    find_required_members,
    rule,
)
from matcher.scoring.calls.text import clean_text, split_sentences, trim_sentence

__all__ = ["PROGRAMME_COUNTRY_DEFAULTS", "parse_rules", "rules_report", "summarise_rules"]

_HORIZON_DEFAULT = {"sets": ["HORIZON"], "countries": []}

#: Eligible countries when a topic defers to its programme's general rules. Keys are the
#: portal's programme names. ``open_ended`` marks programmes where member-state entities are
#: always eligible but the call document may open the call to further countries.
PROGRAMME_COUNTRY_DEFAULTS: dict[str, dict] = {
    "Horizon Europe": {
        **_HORIZON_DEFAULT,
        "basis": "programme default (Horizon Europe General Annexes, Annex B)",
    },
    "Euratom": {
        "sets": ["EU27"],
        "countries": ["CH", "UA"],
        "basis": "programme default (Euratom: member states, Ukraine and Switzerland)",
    },
    "LIFE": {"sets": ["LIFE"], "countries": [], "basis": "programme default (LIFE Regulation)"},
    "Digital Europe": {
        "sets": ["EU27"],
        "countries": [],
        "open_ended": True,
        "basis": "programme default (Digital Europe: EU member states; EEA and associated"
        " countries only where the topic allows)",
    },
    "European Defence Fund": {
        "sets": ["EU27"],
        "countries": ["NO"],
        "basis": "programme default (EDF Regulation: member states and Norway)",
    },
    "Erasmus+": {
        "sets": ["EU27"],
        "countries": ["IS", "LI", "MK", "NO", "RS", "TR"],
        "open_ended": True,
        "basis": "programme default (Erasmus+: member states and associated third countries)",
    },
}
#: Programmes whose participating countries are recorded (matcher.domain.PARTICIPATION):
#: the member states that take part (Denmark is outside Justice and the ISF), plus, where the
#: call document says so, associated countries.
for _name, _set in (("CERV", "CERV"), ("Justice", "JUSTICE"), ("ISF", "ISF")):
    PROGRAMME_COUNTRY_DEFAULTS[_name] = {
        "sets": [_set],
        "countries": [],
        "open_ended": True,
        "basis": f"programme default ({_name}: participating member states, per"
        " matcher.domain.PARTICIPATION; other countries per call document)",
    }
#: EU spending programmes in which member-state entities are always eligible; whether other
#: countries are is set per call in a document the portal does not carry.
_MEMBER_STATES_AT_LEAST = (
    "Connecting Europe Facility",
    "Interregional Innovation",
    "Creative Europe",
    "Single Market Programme",
    "EMFAF",
    "RFCS",
)
for _name in _MEMBER_STATES_AT_LEAST:
    PROGRAMME_COUNTRY_DEFAULTS[_name] = {
        "sets": ["EU27"],
        "countries": [],
        "open_ended": True,
        "basis": f"programme default ({_name}: member states; other countries per call document)",
    }

#: Horizon Europe actions that, unless the topic says otherwise, need the General Annexes'
#: standard consortium (Annex B): at least three independent legal entities, each in a
#: different Member State or Associated Country, at least one of them in a Member State.
_HORIZON_STANDARD_CONSORTIUM = re.compile(
    r"\b(?:Research and Innovation Actions|Innovation Actions|Pre-commercial Procurement"
    r"|Public Procurement of Innovative Solutions)\b"
)
#: Programme co-fund actions need three partners from three countries, with no member-state
#: condition beyond the countries rule.
_HORIZON_COFUND = re.compile(r"\bProgramme Cofund Actions\b")
_ANNEX_B_SENTENCE = (
    "Horizon Europe General Annexes, Annex B (applies unless the topic says otherwise): "
    "a consortium of at least three independent legal entities, each established in a "
    "different Member State or Associated Country, at least one of them in a Member State."
)
_COFUND_SENTENCE = (
    "Horizon Europe General Annexes, Annex B (applies unless the topic says otherwise): "
    "programme co-fund actions need at least three independent legal entities established in "
    "three different Member States or Associated Countries."
)
_ANNEX_B_BASIS = "programme default (Horizon Europe General Annexes, Annex B)"

_ELIGIBLE_COUNTRIES_SECTION = re.compile(
    r"\b2\.\s*Eligible countries:?\s*(?P<body>.*?)(?=\d\.\s*Other eligib|$)", re.I | re.S
)
_GENERAL_ANNEX_B = re.compile(r"Annex B of the (?:Horizon Europe )?Work Programme General Annexes")
_OWN_DOCUMENT = re.compile(
    r"\b(?:call document|Rules of Contest|Programme Guide|Appendix \d|EIC Work Programme"
    r"|MSCA part|ERC Work Programme)\b",
    re.I,
)
# ESF+ lists its countries outright: "EU Member States (and their overseas countries and
# territories); EEA countries, in accordance with the EEA Agreement; EU acceding countries,
# candidate countries ...". Member states and the EEA are always in; the rest varies per call.
_EEA_LISTED = re.compile(r"EU Member States.{0,80}EEA countries, in accordance", re.S)
# ERC: "The ERC actions are open to researchers of any nationality who intend to conduct their
# research activity in any Member State or Associated Country".
_ANY_MS_OR_AC = re.compile(r"\bin any Member State or Associated Country\b")


def parse_rules(call: dict) -> list[EligibilityRule]:
    """Eligibility rules of one call record.

    ``call`` holds ``programme``, ``conditions_text`` (or the portal's raw ``topicConditions``),
    ``description`` and ``deadlines`` (ISO strings or dates; a single ``deadline`` is accepted
    too). Text may still contain HTML and cp1252 mojibake.
    """
    conditions = clean_text(call.get("conditions_text") or call.get("topicConditions") or "")
    description = clean_text(call.get("description") or "")
    sentences = split_sentences(conditions) + split_sentences(description)

    rules = _country_rules(call.get("programme") or "", conditions, sentences)
    rules += find_applicant_types(sentences)
    rules += find_population(sentences)
    rules += find_min_partners(sentences)
    rules += find_min_countries(sentences)
    rules += find_required_members(sentences)
    rules += find_cofunding(sentences)
    rules += _programme_applicant_defaults(call, rules)
    rules += _programme_consortium_defaults(call, rules)
    rules.append(_deadline_rule(call))
    return _unique(rules)


#: A partner or country rule read from the text that adds to the standard consortium rather
#: than replacing it ("In addition, at least two of the partners must be ...").
_ADDITIONAL = re.compile(r"\b(?:in addition|additional(?:ly)?|also|of which|among them|among"
                         r" these|amongst them)\b", re.I)  # fmt: skip
_EDF_BASIS = (
    "programme default (EDF Regulation (EU) 2021/697, Art. 10(4): at least three eligible"
    " entities established in at least three different member states or associated countries)"
)
_EURATOM_BASIS = (
    "programme default (Euratom Work Programme, General Annexes, Annex B: at least three"
    " independent entities from three different member states or associated countries)"
)
_MSCA_BASIS = (
    "programme default (MSCA Work Programme: doctoral networks and staff exchanges need at"
    " least three independent partners from three different countries)"
)
_CALL_DOCUMENT = (
    "The portal text defers the consortium rules to the call document, which City Matcher does"
    " not hold: check the call document for the number of partners and countries."
)
#: Programmes whose topic texts leave the consortium to the call document and whose default
#: is not known here: a rule that is "unknown" until someone reads the document.
_DEFERS_TO_CALL_DOCUMENT = frozenset(
    {"CERV", "Justice", "ISF", "Digital Europe", "Interregional Innovation", "Creative Europe",
     "ESF+", "Connecting Europe Facility", "Single Market Programme", "EMFAF", "RFCS",
     "Pilot Projects & Preparatory Actions", "Erasmus+", "Pericles IV", "Renewable Energy FM"}
)  # fmt: skip


def _replaces_default(found: EligibilityRule) -> bool:
    """Whether a partner or country rule read from the topic text replaces the programme's
    standard consortium: yes, unless it is an additional clause about some of the members."""
    if found.kind not in (RuleKind.MIN_PARTNERS, RuleKind.MIN_COUNTRIES):
        return False
    return not _ADDITIONAL.search(found.source_sentence or "")


def _programme_consortium_defaults(
    call: dict, found: list[EligibilityRule]
) -> list[EligibilityRule]:
    """The programme's standard consortium, for collaborative actions whose topic text does
    not set its own partner or country minimum (an "additional" clause adds to it); and, where
    the portal defers to a call document whose rule is not known here, an unreadable rule
    that says so (so that a lone applicant is never taken to be eligible on its own)."""
    if any(_replaces_default(r) for r in found):
        return []
    programme = call.get("programme") or ""
    action = f"{call.get('types_of_action') or ''} {call.get('action_type') or ''}"
    call_id = call.get("id") or ""
    title = call.get("title") or ""
    if programme == "Horizon Europe" and not call_id.startswith("HORIZON-EURATOM"):
        return _horizon_defaults(action, title, call_id)
    if programme == "European Defence Fund" and not call_id.startswith("EDF-EDIP"):
        return _three_from_three(_EDF_BASIS, _EDF_BASIS, None)
    if programme == "Euratom" or call_id.startswith("HORIZON-EURATOM"):
        if re.search(r"\b(?:RIA|IA|CoFund|Research and Innovation|Innovation Actions|Cofund)\b",
                     action):  # fmt: skip
            return _three_from_three(_EURATOM_BASIS, _EURATOM_BASIS, None)
        return []
    if programme in _DEFERS_TO_CALL_DOCUMENT or call_id.startswith("EDF-EDIP"):
        if re.search(r"\bPrize", action):
            return []
        return [rule(RuleKind.MIN_PARTNERS, {"basis": "call document"}, _CALL_DOCUMENT,
                     parsed=False)]  # fmt: skip
    return []


#: Instruments that fund a person, not an organisation: who applies, when the topic text does
#: not say it. (types of action pattern, applicant types, the programme's rule in words)
_PERSONAL_GRANTS = (
    (re.compile(r"\bERC (?:Grants|Proof of Concept)"), ["principal_investigator"],
     "programme default (ERC Work Programme: the applicant is a principal investigator, hosted"
     " by an institution in a Member State or Associated Country)"),
    (re.compile(r"\bMSCA Postdoctoral Fellowships\b"), ["postdoctoral_researcher"],
     "programme default (MSCA Work Programme: a postdoctoral researcher applies together with a"
     " host organisation)"),
)  # fmt: skip


def _programme_applicant_defaults(
    call: dict, found: list[EligibilityRule]
) -> list[EligibilityRule]:
    """Who applies for an individual grant (ERC, MSCA postdoctoral fellowships), from the
    programme's rules, when the topic text names no applicant type itself."""
    if any(r.kind == RuleKind.APPLICANT_TYPE for r in found):
        return []
    action = call.get("types_of_action") or ""
    for pattern, types, basis in _PERSONAL_GRANTS:
        if pattern.search(action):
            params = {"types": list(types), "basis": basis}
            return [rule(RuleKind.APPLICANT_TYPE, params, f"{basis[19:-1]}.")]
    return []


def _three_from_three(
    sentence: str, basis: str, from_set: str | None, *, member_state: bool = False
) -> list[EligibilityRule]:
    countries = {"min": 3, "basis": basis}
    if from_set:
        countries["from_set"] = from_set
    rules = [
        rule(RuleKind.MIN_PARTNERS, {"min": 3, "basis": basis}, sentence),
        rule(RuleKind.MIN_COUNTRIES, countries, sentence),
    ]
    if member_state:
        rules.append(
            rule(RuleKind.MIN_COUNTRIES, {"min": 1, "from_set": "EU27", "basis": basis}, sentence)
        )
    return rules


def _horizon_defaults(action: str, title: str, call_id: str) -> list[EligibilityRule]:
    if _HORIZON_STANDARD_CONSORTIUM.search(action) or re.search(r"^(?:RIA|IA)\b", action.strip()):
        return _three_from_three(_ANNEX_B_SENTENCE, _ANNEX_B_BASIS, "HORIZON", member_state=True)
    if _HORIZON_COFUND.search(action) or action.strip() == "CoFund":
        return _three_from_three(_COFUND_SENTENCE, _ANNEX_B_BASIS, "HORIZON")
    if re.search(r"Doctoral Network|Staff Exchange", f"{action} {title}", re.I) or (
        "MSCA-SE" in action
    ):
        return _three_from_three(_MSCA_BASIS, _MSCA_BASIS, "HORIZON")
    return []


def _country_rules(programme: str, conditions: str, sentences: list[str]) -> list[EligibilityRule]:
    restrictions = find_country_restrictions(sentences)
    binds_everyone = [r for r in restrictions if r.parsed and "role" not in r.params]
    if binds_everyone:
        return restrictions
    baseline = _with_named_countries(_country_baseline(programme, conditions), sentences)
    return [baseline, *restrictions]


def _with_named_countries(baseline: EligibilityRule, sentences: list[str]) -> EligibilityRule:
    """The baseline widened by third countries the topic names as eligible for funding (the US
    on health topics): unconditional ones join ``countries`` and are listed in
    ``named_countries``; ones named under a condition ("which provide access to their research
    infrastructures") go to ``conditional_countries`` with the ``condition``, to be checked."""
    if not baseline.parsed:
        return baseline
    allowed = expand_countries([*baseline.params.get("sets", []),
                                *baseline.params.get("countries", [])])  # fmt: skip
    params = dict(baseline.params)
    for codes, condition, sentence in find_named_countries(sentences):
        new = [c for c in codes if c not in allowed]
        if not new:
            continue
        key = "conditional_countries" if condition else "named_countries"
        params[key] = sorted({*params.get(key, []), *new})
        params.setdefault("named_sentences", []).append(trim_sentence(sentence))
        if condition:
            params["condition"] = condition
        else:
            params["countries"] = sorted({*params.get("countries", []), *new})
    if params == baseline.params:
        return baseline
    return EligibilityRule(kind=baseline.kind, params=params, parsed=True,
                           source_sentence=baseline.source_sentence)  # fmt: skip


def _country_baseline(programme: str, conditions: str) -> EligibilityRule:
    """The country rule the Eligible countries section (or, failing that, the programme) sets."""
    section = _ELIGIBLE_COUNTRIES_SECTION.search(conditions)
    body = section.group("body").strip() if section else ""
    sentence = f"Eligible countries: {body}" if body else ""
    if _GENERAL_ANNEX_B.search(body) or _ANY_MS_OR_AC.search(body):
        params = {**_HORIZON_DEFAULT, "basis": "Horizon Europe General Annexes, Annex B"}
        return rule(RuleKind.COUNTRIES, params, sentence)
    if _EEA_LISTED.search(body):
        params = {"sets": ["EEA"], "countries": [], "open_ended": True, "basis": "topic text"}
        return rule(RuleKind.COUNTRIES, params, sentence)
    default = PROGRAMME_COUNTRY_DEFAULTS.get(programme)
    # Prizes are governed by their own Rules of Contest, which may depart from the programme.
    if default and not re.search(r"Rules of Contest", body, re.I):
        return rule(RuleKind.COUNTRIES, dict(default), sentence or f"Programme: {programme}")
    if body and _OWN_DOCUMENT.search(body):
        return rule(RuleKind.COUNTRIES, {}, sentence, parsed=False)
    stated = sentence or "The topic text names no eligible countries."
    return rule(RuleKind.COUNTRIES, {"basis": "not stated"}, stated, parsed=False)


def _deadline_rule(call: dict) -> EligibilityRule:
    raw = call.get("deadlines") or ([call["deadline"]] if call.get("deadline") else [])
    deadlines = sorted({_iso_date(d) for d in raw if d})
    if not deadlines:
        return rule(RuleKind.DEADLINE, {}, "No deadline is published for this topic.", parsed=False)
    listed = ", ".join(deadlines)
    return rule(RuleKind.DEADLINE, {"deadlines": deadlines}, f"Deadline(s): {listed}")


def _iso_date(value: str | date) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)[:10]


def _unique(rules: Iterable[EligibilityRule]) -> list[EligibilityRule]:
    """Drop repeats: topic texts often state the same clause in conditions and description."""
    seen: set[tuple] = set()
    out: list[EligibilityRule] = []
    for item in rules:
        key = (item.kind, repr(sorted(item.params.items())), item.parsed)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def rules_report(calls: Sequence[dict]) -> list[dict]:
    """Per rule kind, how many calls have it parsed, unknown (unreadable) or absent, parsing
    each call record first (see :func:`summarise_rules`)."""
    return summarise_rules([parse_rules(call) for call in calls])


def summarise_rules(per_call: Sequence[Sequence[EligibilityRule]]) -> list[dict]:
    """Per rule kind, over the rule lists of several calls: ``parsed``, ``unknown``,
    ``absent`` and ``from_default`` counts.

    A call counts as *unknown* for a kind when any of its rules of that kind is unparsed, as
    *parsed* when it has only parsed ones; ``from_default`` counts the parsed rules that come
    from a programme default rather than the topic's own text.
    """
    report = []
    for kind in RuleKind:
        parsed = unknown = absent = from_default = 0
        for rules in per_call:
            of_kind = [r for r in rules if r.kind == kind]
            if not of_kind:
                absent += 1
            elif any(not r.parsed for r in of_kind):
                unknown += 1
            else:
                parsed += 1
                basis = str(of_kind[0].params.get("basis", ""))
                from_default += basis.startswith("programme default")
        report.append(
            {
                "kind": str(kind),
                "parsed": parsed,
                "unknown": unknown,
                "absent": absent,
                "from_default": from_default,
            }
        )
    return report
