"""A call's eligibility rules read as constraints on a consortium of cities.

:func:`consortium_rules` turns the :class:`~matcher.domain.EligibilityRule` objects of a call into
a :class:`ConsortiumRules`: what every member must be (country, population, applicant type),
who may coordinate (some member must), how many members the consortium may have, and the
quotas it must meet (distinct countries, members carrying a flag such as "Mission city").

Required members of kinds that are not cities (police authorities, SMEs, ...), or cities of a
kind no data says which are (TEN-T urban nodes), cannot be filled from the city candidates;
they are kept apart as :attr:`ConsortiumRules.other_members` so the
builder can say they must be added, without calling the city part invalid. Rules that could not
be parsed constrain nothing here; the eligibility evaluator reports them as unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matcher.domain import COUNTRY_NAMES, COUNTRY_SETS, City, FundingCall, RuleKind
from matcher.scoring.calls.eligibility import member_label
from matcher.scoring.calls.patterns import MUNICIPALITY_TYPES

__all__ = [
    "CITY_FLAGS",
    "DEFAULT_CONSORTIUM_SIZE",
    "ConsortiumRules",
    "CountryQuota",
    "MemberQuota",
    "consortium_rules",
]

#: Members in a call's ``required_member`` rules that a city can be, by flag; the same reading
#: as :mod:`matcher.scoring.calls.eligibility`. A municipality is a city, a local authority and a
#: public body by definition; being a Mission city or an Adaptation Mission signatory (read from
#: its Covenant of Mayors commitments) is data.
CITY_FLAGS: dict[str, Callable[[City], bool]] = {
    "mission_city": lambda city: city.mission_city is True,
    "adaptation_mission_signatory": lambda city: any(
        "adaptation" in commitment.lower() for commitment in city.commitments
    ),
    **dict.fromkeys(
        (
            "city",
            "city_or_region",
            "local_authority",
            "local_or_regional_authority",
            "public_authority",
            "public_body",
        ),
        lambda city: True,
    ),
}
#: Flags every city carries: they add to the count of members but never distinguish a city.
UNIVERSAL_FLAGS = frozenset(CITY_FLAGS) - {"mission_city", "adaptation_mission_signatory"}

#: Consortium size (lead included) when neither the call nor the user sets one: three members
#: from three countries is the Horizon Europe standard for collaborative actions.
DEFAULT_CONSORTIUM_SIZE = 3

_SET_LABELS = {
    "EU27": "EU member states",
    "EEA": "EEA countries",
    "HORIZON": "Horizon Europe member or associated countries",
    "HORIZON_ASSOCIATED": "Horizon Europe associated countries",
    "LIFE": "LIFE member or associated countries",
}


@dataclass(frozen=True, slots=True)
class CountryQuota:
    """At least ``min`` distinct countries among the members, counting only those in
    ``within`` (every country when None)."""

    min: int
    within: frozenset[str] | None = None
    within_name: str = ""
    source_sentence: str = ""
    #: "coordinator": the quota is that some member may coordinate (is established in
    #: ``within``); the eligibility evaluator reads coordinator rules the same way.
    role: str = ""

    def counts(self, country: str) -> bool:
        return self.within is None or country in self.within

    def describe(self) -> str:
        if self.role == "coordinator":
            return f"a coordinator established in {_country_list(self.within or frozenset())}"
        if self.within is None:
            return f"members from at least {self.min} countries"
        where = _SET_LABELS.get(self.within_name, self.within_name or "the listed countries")
        if self.min == 1:
            return f"at least one member from the {where}"
        return f"members from at least {self.min} {where}"


@dataclass(frozen=True, slots=True)
class MemberQuota:
    """At least ``min`` members carrying ``flag`` (see :data:`CITY_FLAGS`)."""

    flag: str
    min: int
    source_sentence: str = ""

    @property
    def label(self) -> str:
        """What one such member is, in words ("Mission city")."""
        return member_label(self.flag)

    def describe(self) -> str:
        return f"at least {self.min} {member_label(self.flag, self.min)}"


@dataclass(frozen=True, slots=True)
class ConsortiumRules:
    """What a consortium of cities must satisfy for one call."""

    min_members: int = 1
    max_members: int | None = None
    #: Countries every member must be established in (None: no restriction known).
    member_countries: frozenset[str] | None = None
    #: The call document may admit further countries: ``member_countries`` are only the sure ones.
    countries_open_ended: bool = False
    population_min: int | None = None
    population_max: int | None = None
    country_quotas: tuple[CountryQuota, ...] = ()
    member_quotas: tuple[MemberQuota, ...] = ()
    #: Required members no city can be (police authorities, SMEs, ...): to be added by hand.
    other_members: tuple[MemberQuota, ...] = ()
    #: Why no city can take part at all (applicant types limited to SMEs, ...).
    closed_to_cities: tuple[str, ...] = ()

    def default_size(self) -> int:
        """The smallest size the rules allow, but at least :data:`DEFAULT_CONSORTIUM_SIZE`."""
        needed = max(
            [self.min_members, DEFAULT_CONSORTIUM_SIZE]
            + [q.min for q in self.country_quotas]
            + [q.min for q in self.member_quotas]
        )
        return needed if self.max_members is None else min(needed, self.max_members)

    def member_problem(self, city: City) -> str | None:
        """Why ``city`` cannot be a member, or None. An unknown population does not count as
        a problem here; candidates are held to :meth:`surely_member` instead."""
        if self.member_countries is not None and city.country not in self.member_countries:
            return f"{_country(city.country)} is not an eligible country for this call"
        population = city.population
        if population is not None and self.population_min and population < self.population_min:
            return f"population {population:,} is below the call's minimum {self.population_min:,}"
        if population is not None and self.population_max and population > self.population_max:
            return f"population {population:,} is above the call's maximum {self.population_max:,}"
        return None

    def surely_member(self, city: City) -> bool:
        """Whether ``city`` certainly meets every member rule (population known if limited)."""
        limited = self.population_min is not None or self.population_max is not None
        return self.member_problem(city) is None and not (limited and city.population is None)

    def lead_problems(self, lead: City) -> list[tuple[str, str]]:
        """(rule kind, reason) for each rule that rules out ``lead`` as a member."""
        problems = [(str(RuleKind.APPLICANT_TYPE), reason) for reason in self.closed_to_cities]
        member = self.member_problem(lead)
        if member:
            problems.append((str(RuleKind.COUNTRIES), f"{lead.name}: {member}"))
        if self.max_members is not None and self.max_members < 2:
            problems.append((str(RuleKind.MIN_PARTNERS), "the call funds single applicants only"))
        return problems


def consortium_rules(call: FundingCall) -> ConsortiumRules:
    """The consortium constraints stated by ``call``'s parsed rules."""
    fields: dict = {
        "member_countries": None,
        "country_quotas": [],
        "member_quotas": [],
        "other_members": [],
        "closed_to_cities": [],
    }
    for rule in call.rules:
        if not rule.parsed:
            continue
        params = rule.params
        if rule.kind == RuleKind.COUNTRIES:
            _add_country_rule(fields, params, rule.source_sentence)
        elif rule.kind == RuleKind.MIN_PARTNERS:
            fields["min_members"] = max(fields.get("min_members", 1), int(params.get("min", 1)))
            if params.get("max") is not None:
                current = fields.get("max_members")
                maximum = int(params["max"])
                fields["max_members"] = maximum if current is None else min(current, maximum)
        elif rule.kind == RuleKind.MIN_COUNTRIES:
            set_name = params.get("from_set") or ""
            fields["country_quotas"].append(
                CountryQuota(
                    min=int(params.get("min", 1)),
                    within=COUNTRY_SETS.get(set_name) if set_name else None,
                    within_name=set_name,
                    source_sentence=rule.source_sentence,
                )
            )
        elif rule.kind == RuleKind.REQUIRED_MEMBER:
            flag = str(params.get("flag", ""))
            quota = MemberQuota(flag, int(params.get("min", 1)), rule.source_sentence)
            target = "member_quotas" if quota.flag in CITY_FLAGS else "other_members"
            fields[target].append(quota)
        elif rule.kind == RuleKind.APPLICANT_TYPE:
            types = set(params.get("types") or ())
            if types and not types & MUNICIPALITY_TYPES:
                listed = ", ".join(sorted(t.replace("_", " ") for t in types))
                fields["closed_to_cities"].append(f"the call is open only to: {listed}")
        elif rule.kind == RuleKind.POPULATION:
            fields["population_min"] = params.get("min")
            fields["population_max"] = params.get("max")
    for key in ("country_quotas", "member_quotas", "other_members", "closed_to_cities"):
        fields[key] = tuple(fields[key])
    return ConsortiumRules(**fields)


def _add_country_rule(fields: dict, params: dict, sentence: str) -> None:
    countries = set(params.get("countries") or ())
    for name in params.get("sets") or ():
        countries |= COUNTRY_SETS.get(name, frozenset())
    if not countries:
        return  # a rule naming no country restricts nothing we can check
    allowed = frozenset(countries)
    if params.get("role") == "coordinator":
        fields["country_quotas"].append(
            CountryQuota(1, allowed, source_sentence=sentence, role="coordinator")
        )
        return
    current = fields["member_countries"]
    fields["member_countries"] = allowed if current is None else current & allowed
    fields["countries_open_ended"] = fields.get("countries_open_ended", False) or bool(
        params.get("open_ended")
    )


def _country(code: str) -> str:
    return f"{COUNTRY_NAMES.get(code, code)} ({code})"


def _country_list(codes: frozenset[str]) -> str:
    for name, members in COUNTRY_SETS.items():
        if members == codes:
            return f"the {_SET_LABELS.get(name, name)}"
    return ", ".join(sorted(codes))
