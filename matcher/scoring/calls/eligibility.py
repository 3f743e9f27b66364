"""Check a city, or a consortium of cities, against a funding call's eligibility rules.

Every rule yields a :class:`~matcher.domain.RuleResult` with a one-line reason a city officer can
act on and the sentence the rule was read from. Three decisions shape the outcome:

* **Unknown never passes.** A rule the parser could not read, a city whose population or Mission
  status is not on record, or a country the call may but need not admit, all give ``unknown``.
* **A single city is not a consortium.** ``evaluate_city`` reports consortium rules (minimum
  partners, distinct countries, required members, who may coordinate) as ``unknown`` with a
  "needs partners" reason unless the city alone already satisfies them; it never fails a city
  for lacking partners it has not been given. ``evaluate_consortium`` judges them for real.
* **Co-funding is information, not a condition.** Its result is ``passed`` (or ``unknown`` when
  the rate is unreadable) and :func:`is_eligible` and :func:`failing` ignore it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

from matcher.domain import (
    COUNTRY_NAMES,
    EU27,
    HORIZON_ASSOCIATED,
    PROGRAMME_SET_NAMES,
    WIDENING,
    City,
    EligibilityRule,
    FundingCall,
    RuleKind,
    RuleResult,
    RuleStatus,
    expand_countries,
    normalise_country,
    participation,
)
from matcher.scoring.calls.patterns import MUNICIPALITY_TYPES

#: Kinds reported for information only; they never make a call ineligible.
INFORMATIONAL_KINDS = frozenset({str(RuleKind.COFUNDING)})
#: Required-member flags a city itself counts towards (a municipality is a local authority).
_CITY_FLAGS = frozenset(
    {"city", "city_or_region", "local_or_regional_authority", "local_authority", "public_body",
     "public_authority"}
)  # fmt: skip
#: Required-member flag -> (singular, plural) label.
_FLAG_LABELS = {
    "mission_city": ("Mission city", "Mission cities"),
    "adaptation_mission_signatory": (
        "signatory of the Adaptation Mission Charter",
        "signatories of the Adaptation Mission Charter",
    ),
    "city": ("city", "cities"),
    "city_or_region": ("city or region", "cities or regions"),
    "follower_city": ("follower city", "follower cities"),
    "local_or_regional_authority": ("local or regional authority", "local or regional authorities"),
    "third_country_entity": ("partner from the named non-EU countries",) * 2,
    "sme": ("SME", "SMEs"),
    "research_organisation": (
        "university or research organisation",
        "universities or research organisations",
    ),
    "research_infrastructure": ("research infrastructure", "research infrastructures"),
    "widening_country_entity": (
        "partner established in a Widening country",
        "partners established in a Widening country",
    ),
    "tent_urban_node": (
        "city that is an urban node of the TEN-T network",
        "cities that are urban nodes of the TEN-T network",
    ),
    "philanthropy_organisation": ("philanthropy organisation", "philanthropy organisations"),
}
_TYPE_LABELS = {
    "principal_investigator": "ERC principal investigators",
    "postdoctoral_researcher": "postdoctoral researchers (with a host organisation)",
    "sme": "SMEs",
    "small_mid_cap": "small mid-caps",
    "national_authority": "competent national authorities",
    "article_36_organisation": "organisations on EFSA's Article 36 list",
    "existing_consortium_coordinator": "the coordinator of an existing consortium",
}
_WITH_ARTICLE = frozenset({"NL", "GB", "FO"})
#: (singular, plural) of the countries a minimum counts.
_SCOPE_NOUNS = {
    "EU27": ("EU member state", "EU member states"),
    "HORIZON": ("member state or associated country", "member states or associated countries"),
    "WIDENING": ("Widening country", "Widening countries"),
    None: ("country", "countries"),
}


def _scope_noun(scope: str | None, count: int) -> str:
    singular, plural = _SCOPE_NOUNS.get(scope, _SCOPE_NOUNS[None])
    return singular if count == 1 else plural


# --------------------------------------------------------------------------- verdicts


def is_eligible(results: Sequence[RuleResult]) -> bool | None:
    """False if any rule failed; None if none failed but some are unknown; True otherwise."""
    binding = [r for r in results if r.kind not in INFORMATIONAL_KINDS]
    if any(r.status == RuleStatus.FAILED for r in binding):
        return False
    if any(r.status == RuleStatus.UNKNOWN for r in binding):
        return None
    return True


def failing(results: Sequence[RuleResult]) -> list[RuleResult]:
    """The failed rules, in call order: the reasons a call is out of reach."""
    return [
        r for r in results if r.status == RuleStatus.FAILED and r.kind not in INFORMATIONAL_KINDS
    ]


# --------------------------------------------------------------------------- entry points


def evaluate_city(call: FundingCall, city: City, today: date) -> list[RuleResult]:
    """Results of every rule of ``call`` for ``city`` applying on its own (see module notes)."""
    results = [_deadline(call, today)]
    for rule in _non_deadline_rules(call):
        if not rule.parsed:
            results.append(_unreadable(rule))
        elif rule.kind in _CONSORTIUM_CHECKS or rule.params.get("role") == "coordinator":
            results.append(_needs_partners(rule, city))
        elif rule.kind in _SINGLE_APPLICANT_CHECKS:
            results.append(_SINGLE_APPLICANT_CHECKS[rule.kind](rule, city))
    return results


def evaluate_consortium(call: FundingCall, cities: Sequence[City], today: date) -> list[RuleResult]:
    """Results of every rule of ``call`` for ``cities`` applying together."""
    if not cities:
        raise ValueError("a consortium needs at least one city")
    results = [_deadline(call, today)]
    for rule in _non_deadline_rules(call):
        if not rule.parsed:
            results.append(_unreadable(rule))
        elif rule.params.get("role") == "coordinator":
            results.append(_coordinator(rule, cities))
        elif rule.kind in _CONSORTIUM_CHECKS:
            results.append(_CONSORTIUM_CHECKS[rule.kind](rule, cities))
        elif rule.kind in _SINGLE_APPLICANT_CHECKS:
            per_city = [_SINGLE_APPLICANT_CHECKS[rule.kind](rule, c) for c in cities]
            results.append(_combine(rule, per_city))
    return results


def _non_deadline_rules(call: FundingCall) -> list[EligibilityRule]:
    return [r for r in call.rules if r.kind != RuleKind.DEADLINE]


# --------------------------------------------------------------------------- shared helpers


def _result(rule: EligibilityRule, status: RuleStatus, reason: str) -> RuleResult:
    return RuleResult(
        kind=rule.kind, status=status, reason=reason, source_sentence=rule.source_sentence
    )


def _unreadable(rule: EligibilityRule) -> RuleResult:
    what = str(rule.kind).replace("_", " ")
    return _result(
        rule, RuleStatus.UNKNOWN, f"The call states a {what} rule we could not read; check the text"
    )


def _country_name(code: str) -> str:
    name = COUNTRY_NAMES.get(code, code)
    return f"the {name}" if code in _WITH_ARTICLE else name


def _city_country(city: City) -> str | None:
    try:
        return normalise_country(city.country)
    except ValueError:
        return None


def _allowed_countries(rule: EligibilityRule) -> frozenset[str]:
    return expand_countries([*rule.params.get("sets", []), *rule.params.get("countries", [])])


def _country_standing(code: str, rule: EligibilityRule) -> str:
    """How a country belongs to the call's scope, in words ("an EU member state")."""
    if code in EU27:
        return "an EU member state"
    if code in HORIZON_ASSOCIATED and "HORIZON" in rule.params.get("sets", []):
        return "a country associated to Horizon Europe"
    if rule.params.get("label"):
        return f"one of the {rule.params['label']}"
    return "a country this call admits"


def _combine(rule: EligibilityRule, per_city: list[RuleResult]) -> RuleResult:
    """One consortium result from per-city results: worst status wins, its reasons are kept."""
    for status in (RuleStatus.FAILED, RuleStatus.UNKNOWN):
        reasons = list(dict.fromkeys(r.reason for r in per_city if r.status == status))
        if reasons:
            return _result(rule, status, "; ".join(reasons))
    return _result(rule, RuleStatus.PASSED, "All members: " + "; ".join(r.reason for r in per_city))


# --------------------------------------------------------------------------- deadline


def _deadline(call: FundingCall, today: date) -> RuleResult:
    rule = next((r for r in call.rules if r.kind == RuleKind.DEADLINE), None)
    rule = rule or EligibilityRule(
        kind=str(RuleKind.DEADLINE), params={}, parsed=bool(call.deadlines)
    )
    deadlines = call.deadlines or tuple(
        date.fromisoformat(d) for d in rule.params.get("deadlines", [])
    )
    if not deadlines:
        return _result(rule, RuleStatus.UNKNOWN, "No deadline is published for this call")
    upcoming = sorted(d for d in deadlines if d >= today)
    if not upcoming:
        return _result(rule, RuleStatus.FAILED, f"Deadline {max(deadlines).isoformat()} has passed")
    days = (upcoming[0] - today).days
    when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
    opening = ""
    if call.opening_date and today < call.opening_date:
        opening = f"; opens {call.opening_date.isoformat()}"
    return _result(rule, RuleStatus.PASSED, f"Deadline {upcoming[0].isoformat()} ({when}){opening}")


# --------------------------------------------------------------------------- single applicant


def _countries(rule: EligibilityRule, city: City) -> RuleResult:
    code = _city_country(city)
    if code is None:
        return _result(
            rule, RuleStatus.UNKNOWN, f"{city.name}'s country {city.country!r} is unknown"
        )
    where = f"{city.name} is in {_country_name(code)}"
    named = _named_country(rule, code, where)
    if named is not None:
        return named
    recorded = _programme_participation(rule, code, where)
    if recorded is not None:
        return recorded
    if code in _allowed_countries(rule):
        return _result(
            rule, RuleStatus.PASSED, f"{where}, {_country_standing(code, rule)}: eligible"
        )
    if rule.params.get("open_ended"):
        return _result(
            rule,
            RuleStatus.UNKNOWN,
            f"{where}, which this call may admit but does not list; check the call document",
        )
    programmes = [
        PROGRAMME_SET_NAMES[s] for s in rule.params.get("sets", ()) if s in PROGRAMME_SET_NAMES
    ]
    if programmes and code not in EU27:
        return _result(
            rule,
            RuleStatus.FAILED,
            f"{where}, which is not associated to {programmes[0]} (no association in force on"
            " record): not eligible",
        )
    return _result(rule, RuleStatus.FAILED, f"{where}, which is not eligible for this call")


def _named_country(rule: EligibilityRule, code: str, where: str) -> RuleResult | None:
    """The verdict for a third country the call itself names as eligible for funding (outright,
    or under a condition that only the applicant can confirm), quoting the naming sentence."""
    sentences = rule.params.get("named_sentences") or [rule.source_sentence]
    if code in rule.params.get("named_countries", ()):
        status, reason = (
            RuleStatus.PASSED,
            f"{where}, which this call names as eligible for EU funding: eligible",
        )
    elif code in rule.params.get("conditional_countries", ()):
        condition = rule.params.get("condition", "meet the condition the call sets")
        status = RuleStatus.UNKNOWN
        reason = (
            f"{where}, which this call names as eligible for EU funding only for entities"
            f" which {condition}; check"
        )
    else:
        return None
    sentence = next(
        (s for s in sentences if COUNTRY_NAMES.get(code, code) in s or code in s), sentences[-1]
    )
    return RuleResult(kind=rule.kind, status=status, reason=reason, source_sentence=sentence)


def _programme_participation(rule: EligibilityRule, code: str, where: str) -> RuleResult | None:
    """The verdict a recorded programme participation gives (an opt-out fails, a pending
    association or a partial one is to be checked), or None when nothing is on record."""
    for name in rule.params.get("sets", ()):
        entry = participation(name, code)
        if entry is None:
            continue
        programme = PROGRAMME_SET_NAMES.get(name, name)
        since = f" since {entry.since}" if entry.since else ""
        if entry.status == "not_participating":
            return _result(
                rule, RuleStatus.FAILED, f"{where}: {entry.scope}; not eligible ({entry.source})"
            )
        if entry.status == "negotiating":
            return _result(
                rule,
                RuleStatus.UNKNOWN,
                f"{where}, whose association to {programme} is not in force ({entry.scope});"
                " check the call document",
            )
        if entry.status == "partial":
            return _result(
                rule,
                RuleStatus.UNKNOWN,
                f"{where}, associated to {programme}{since} for {entry.scope}; check that this"
                " call is in that part",
            )
        scope = (
            ""
            if entry.scope.startswith("all") and " except " not in entry.scope
            else (f" ({entry.scope})")
        )
        return _result(
            rule,
            RuleStatus.PASSED,
            f"{where}, associated to {programme}{since}{scope}: eligible",
        )
    return None


def _applicant_type(rule: EligibilityRule, city: City) -> RuleResult:
    types = rule.params.get("types", [])
    if MUNICIPALITY_TYPES.intersection(types):
        return _result(
            rule, RuleStatus.PASSED, f"{city.name} is a municipality, a public body: may apply"
        )
    allowed = " and ".join(_TYPE_LABELS.get(t, t.replace("_", " ")) for t in types)
    return _result(rule, RuleStatus.FAILED, f"Only {allowed} may apply; a municipality cannot")


def _population(rule: EligibilityRule, city: City) -> RuleResult:
    low, high = rule.params.get("min"), rule.params.get("max")
    if city.population is None:
        return _result(rule, RuleStatus.UNKNOWN, f"{city.name}'s population is not on record")
    bounds = " and ".join(
        part
        for part in (f"at least {low:,}" if low else "", f"at most {high:,}" if high else "")
        if part
    )
    inside = (low is None or city.population >= low) and (high is None or city.population <= high)
    status = RuleStatus.PASSED if inside else RuleStatus.FAILED
    verdict = "eligible" if inside else "not eligible"
    return _result(
        rule,
        status,
        f"Needs {bounds} inhabitants; {city.name} has {city.population:,}: {verdict}",
    )


def _cofunding(rule: EligibilityRule, city: City | None = None) -> RuleResult:
    rate = rule.params["rate"]
    share = f"{'up to ' if rule.params.get('up_to') else ''}{rate:.0%}"
    reason = f"The EU pays {share} of eligible costs; partners co-fund the rest"
    if "non_profit_rate" in rule.params:
        non_profit = rule.params["non_profit_rate"]
        reason += f" (non-profit bodies such as municipalities: up to {non_profit:.0%})"
    return _result(rule, RuleStatus.PASSED, reason)


_SINGLE_APPLICANT_CHECKS: dict[str, Callable[[EligibilityRule, City], RuleResult]] = {
    str(RuleKind.COUNTRIES): _countries,
    str(RuleKind.APPLICANT_TYPE): _applicant_type,
    str(RuleKind.POPULATION): _population,
    str(RuleKind.COFUNDING): _cofunding,
}


# --------------------------------------------------------------------------- consortium


def _needs_partners(rule: EligibilityRule, city: City) -> RuleResult:
    """A consortium rule seen from one city: passed if the city alone meets it, else unknown."""
    if rule.params.get("role") == "coordinator":
        return _coordinator(rule, [city], single=True)
    alone = _CONSORTIUM_CHECKS[rule.kind](rule, [city])
    if alone.status == RuleStatus.PASSED:
        return alone
    return _result(rule, RuleStatus.UNKNOWN, f"Needs partners: {_requirement(rule)}")


def _requirement(rule: EligibilityRule) -> str:
    params = rule.params
    if rule.kind == RuleKind.MIN_PARTNERS:
        return f"at least {params['min']} partners"
    if rule.kind == RuleKind.MIN_COUNTRIES:
        scope = _scope_noun(params.get("from_set"), params["min"])
        return f"partners from at least {params['min']} {scope}"
    return f"at least {params['min']} {member_label(params['flag'], params['min'])}"


def member_label(flag: str, count: int = 1) -> str:
    """A required-member flag in words, singular for a ``count`` of 1, else plural ("city
    that is an urban node of the TEN-T network"; an unknown flag as its words)."""
    generic = flag.replace("_", " ")
    naive_plural = generic[:-1] + "ies" if generic.endswith("y") else generic + "s"
    singular, plural = _FLAG_LABELS.get(flag, (generic, naive_plural))
    return singular if count == 1 else plural


def _min_partners(rule: EligibilityRule, cities: Sequence[City]) -> RuleResult:
    low, high = rule.params.get("min", 1), rule.params.get("max")
    count = len(cities)
    need = f"Needs at least {low} partner{'s' if low != 1 else ''}"
    if high is not None:
        need = "Single applicant only" if high == 1 == low else f"{need} and at most {high}"
    ok = count >= low and (high is None or count <= high)
    status = RuleStatus.PASSED if ok else RuleStatus.FAILED
    return _result(rule, status, f"{need}; this consortium has {count}")


def _min_countries(rule: EligibilityRule, cities: Sequence[City]) -> RuleResult:
    wanted = rule.params["min"]
    scope = rule.params.get("from_set")
    allowed = expand_countries([scope]) if scope else None
    codes = sorted(
        {c for c in map(_city_country, cities) if c and (allowed is None or c in allowed)}
    )
    need = f"Needs partners from at least {wanted} {_scope_noun(scope, wanted)}"
    listed = f" ({', '.join(codes)})" if codes else ""
    status = RuleStatus.PASSED if len(codes) >= wanted else RuleStatus.FAILED
    return _result(rule, status, f"{need}; this consortium has {len(codes)}{listed}")


def _required_member(rule: EligibilityRule, cities: Sequence[City]) -> RuleResult:
    flag, wanted = rule.params["flag"], rule.params["min"]
    need = f"Needs {_requirement(rule)}"
    if flag in _CITY_FLAGS:
        counted, unsure = len(cities), 0
    elif flag == "mission_city":
        counted = sum(c.mission_city is True for c in cities)
        unsure = sum(c.mission_city is None for c in cities)
    elif flag == "widening_country_entity":
        counted = sum(_city_country(c) in WIDENING for c in cities)
        if counted < wanted:
            return _result(
                rule,
                RuleStatus.UNKNOWN,
                f"{need}; {counted} member cit{'y is' if counted == 1 else 'ies are'} in one;"
                " a partner organisation there would also count",
            )
        unsure = 0
    elif flag == "adaptation_mission_signatory":
        counted = sum(any("adaptation" in m.lower() for m in c.commitments) for c in cities)
        unsure = len(cities) - counted  # commitments may simply be unrecorded
    else:
        return _result(
            rule, RuleStatus.UNKNOWN, f"{need}; City Matcher only knows about the member cities"
        )
    if counted >= wanted:
        return _result(rule, RuleStatus.PASSED, f"{need}; this consortium has {counted}")
    if counted + unsure >= wanted:
        return _result(
            rule, RuleStatus.UNKNOWN, f"{need}; {counted} confirmed, {unsure} not on record"
        )
    return _result(rule, RuleStatus.FAILED, f"{need}; this consortium has {counted}")


def _coordinator(
    rule: EligibilityRule, cities: Sequence[City], *, single: bool = False
) -> RuleResult:
    """Rules that bind only the coordinator: someone in the consortium must qualify."""
    if rule.kind != RuleKind.COUNTRIES:
        return _result(
            rule,
            RuleStatus.UNKNOWN,
            "Only a named organisation may coordinate; cities can join only if it invites them",
        )
    allowed = _allowed_countries(rule)
    label = rule.params.get("label", "the listed countries")
    leaders = [c for c in cities if _city_country(c) in allowed]
    if leaders:
        names = ", ".join(c.name for c in leaders)
        return _result(
            rule, RuleStatus.PASSED, f"The coordinator must be in {label}; {names} can lead"
        )
    if single:
        return _result(
            rule,
            RuleStatus.UNKNOWN,
            f"Needs partners: the coordinator must be in {label}; {cities[0].name} can only join",
        )
    return _result(rule, RuleStatus.FAILED, f"The coordinator must be in {label}; no member is")


_CONSORTIUM_CHECKS: dict[str, Callable[[EligibilityRule, Sequence[City]], RuleResult]] = {
    str(RuleKind.MIN_PARTNERS): _min_partners,
    str(RuleKind.MIN_COUNTRIES): _min_countries,
    str(RuleKind.REQUIRED_MEMBER): _required_member,
}
