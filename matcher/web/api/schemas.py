"""Request and response models of the JSON API (pydantic v2); they also make the OpenAPI document.

Query and body models forbid unknown fields, so a misspelt parameter is reported instead of being
silently ignored.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from matcher.web.api.fields import (
    CallStatus,
    CitySlugs,
    CountryCode,
    CountrySets,
    ExcludeCountries,
    Geography,
    OnlyCountries,
    PartnerCountries,
    Programmes,
    Purpose,
    SizeBands,
    ThemeFocus,
    Weight,
)


class KeptAnswer(BaseModel):
    """A response body that is kept and served again while the data stays the same (see
    ``services.partners.answer``): its JSON is rendered once and reused, instead of being
    serialised again on every request (spectree renders a model with
    ``model_dump_json()``). Kept answers are never modified."""

    _json: str | None = PrivateAttr(default=None)
    _body: bytes | None = PrivateAttr(default=None)

    def model_dump_json(self, **kwargs) -> str:
        """The JSON text; rendered once when asked for with the default options."""
        if kwargs:
            return super().model_dump_json(**kwargs)
        if self._json is None:
            self._json = super().model_dump_json()
        return self._json

    def json_body(self) -> bytes:
        """The JSON text as the UTF-8 bytes of a response body, encoded once."""
        if self._body is None:
            self._body = self.model_dump_json().encode("utf-8")
        return self._body


# --------------------------------------------------------------------------- requests


class QueryParameters(BaseModel):
    """Base of the query-string models: validation errors point at parameters, not the body."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RequestBody(BaseModel):
    """Base of the JSON body models: validation errors point into the body."""

    model_config = ConfigDict(extra="forbid")


class CitySearchQuery(QueryParameters):
    q: str = Field(min_length=1, max_length=100, description="A city name, typos allowed.")
    country: CountryCode = None
    limit: int = Field(default=10, ge=1, le=50)
    min_score: float = Field(
        default=0.0, ge=0.0, le=100.0, description="Drop matches scoring below this (0-100)."
    )


class CityListQuery(QueryParameters):
    country: CountryCode = None
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class PartnerSearchQuery(QueryParameters):
    """Filters of a partner search; every one applies before ranking."""

    theme: ThemeFocus = []
    countries: OnlyCountries = []
    exclude_countries: ExcludeCountries = []
    country_sets: CountrySets = []
    size_bands: SizeBands = []
    max_distance_km: float | None = Field(
        default=None, gt=0, le=20_000, description="Keep only candidates this close (km)."
    )
    geography: Geography = Field(  # type: ignore[valid-type]
        default="any",
        description="Preference: near, far, any, different-country or cross-border.",
    )
    purpose: Purpose = Field(  # type: ignore[valid-type]
        default="any",
        description="What the partnership is for: cross-border (Interreg A), transnational "
        "(URBACT, Interreg B/C), research (Horizon Europe), peer-exchange (twinning) or any; "
        "each has its own fitted model.",
    )
    top: int = Field(default=10, ge=1, le=200, description="How many partners to return.")


class CityCallsQuery(QueryParameters):
    """Filters of the calls for one city; every one applies before ranking."""

    status: CallStatus = Field(  # type: ignore[valid-type]
        default="all", description="open, forthcoming, or all (open and forthcoming: default)."
    )
    programme: Programmes = []
    deadline_within_days: int | None = Field(
        default=None, ge=0, le=3650, description="Next deadline at most this many days away."
    )
    min_budget: float | None = Field(default=None, ge=0, description="Minimum budget (EUR).")
    limit: int = Field(default=20, ge=1, le=1000, description="Calls per group.")


class CallListQuery(QueryParameters):
    status: Literal["open", "forthcoming", "closed", "all"] = Field(
        default="all", description="Status on today's date."
    )
    programme: Programmes = []
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class EligibilityQuery(QueryParameters):
    cities: CitySlugs


class ConsortiumQuery(QueryParameters):
    lead: str = Field(min_length=1, max_length=100, description="Slug of the lead city.")
    size: int | None = Field(
        default=None,
        ge=1,
        le=20,
        description="Members including the lead (default: the smallest the call allows).",
    )
    countries: PartnerCountries = []


class ProfileUpdate(RequestBody):
    """The city's own declaration: each kind given replaces that kind's declared weights.

    Kinds left out are not touched; an empty object for a kind withdraws its declaration.
    """

    interest: dict[str, Weight] | None = Field(default=None, examples=[{"open-data": 0.8}])
    need: dict[str, Weight] | None = None
    offer: dict[str, Weight] | None = None

    @field_validator("interest", "need", "offer", mode="before")
    @classmethod
    def _no_explicit_null(cls, value):
        # Leave a kind out to keep it; null is not a second way of saying so.
        if value is None:
            raise ValueError("must be an object of theme weights (leave the kind out to keep it)")
        return value

    @model_validator(mode="after")
    def _at_least_one_kind(self) -> ProfileUpdate:
        if self.interest is None and self.need is None and self.offer is None:
            raise ValueError("give at least one of 'interest', 'need' or 'offer'")
        return self

    def by_kind(self) -> dict[str, dict[str, float]]:
        """Kind -> theme id -> weight, for the kinds present in the request."""
        given = {"interest": self.interest, "need": self.need, "offer": self.offer}
        return {kind: dict(weights) for kind, weights in given.items() if weights is not None}


# --------------------------------------------------------------------------- responses


class FieldProblem(BaseModel):
    """One invalid input: where it is and what is wrong with it."""

    detail: str
    pointer: str | None = Field(
        default=None, description="JSON Pointer into the request body (RFC 6901)."
    )
    parameter: str | None = Field(default=None, description="Name of the query parameter.")


class Problem(BaseModel):
    """An RFC 9457 problem details body (``application/problem+json``)."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    errors: list[FieldProblem] | None = None
    suggestions: list[str] | None = Field(
        default=None,
        description="For an unknown city slug: the slugs it may have meant (a mistyped or old "
        "address), maybe none; never followed for you.",
    )


class Health(BaseModel):
    status: Literal["ok"]
    data_version: int


class ThemeOut(BaseModel):
    id: str
    label: str
    description: str
    synonyms: list[str]


class ThemeList(BaseModel):
    items: list[ThemeOut]


class CitySummary(BaseModel):
    slug: str
    name: str
    country: str
    country_name: str
    population: int | None
    size_band: str | None
    url: str = Field(description="This city in the API.")
    html_url: str = Field(description="This city's page for people.")


class SearchHit(BaseModel):
    city: CitySummary
    matched_name: str = Field(description="The name (official, local or exonym) that matched.")
    score: float = Field(description="Name similarity, 0-100.")


class SearchResults(KeptAnswer):
    query: str
    status: str = Field(
        description="found (one city has the name), ambiguous (several: none is picked), "
        "suggestions (no city has it; close typos and other names in items) or not_found"
    )
    message: str = Field(description="What the search did, in one sentence.")
    items: list[SearchHit]


class PageLinks(BaseModel):
    self: str
    first: str
    last: str
    next: str | None
    prev: str | None


class CityPage(BaseModel):
    items: list[CitySummary]
    page: int
    per_page: int
    total: int
    links: PageLinks


class ProfileWeight(BaseModel):
    theme_id: str
    weight: float
    provenance: str = Field(description='"declared by the city" or "derived from <source>".')


class Profile(BaseModel):
    interest: list[ProfileWeight]
    need: list[ProfileWeight]
    offer: list[ProfileWeight]


class CollaborationOut(BaseModel):
    title: str
    source: str
    source_ref: str
    programme: str
    themes: list[str]
    start_year: int | None
    end_year: int | None


class CityDetail(CitySummary, KeptAnswer):
    official_name: str
    alt_names: list[str]
    lat: float | None
    lon: float | None
    nuts: str | None
    mission_city: bool | None
    commitments: list[str]
    source: str
    profile: Profile
    collaborations: list[CollaborationOut]


class ThemeRef(BaseModel):
    id: str
    label: str


class PartnerQueryOut(BaseModel):
    """The filters the ranking used (after normalisation)."""

    theme: list[str]
    countries: list[str]
    exclude_countries: list[str]
    country_sets: list[str]
    size_bands: list[str]
    max_distance_km: float | None
    geography: str
    purpose: str = "any"
    top: int


class PartnerItem(BaseModel):
    rank: int = Field(description="1 for the best partner.")
    city: CitySummary
    score: float = Field(
        description="0-1: the logistic of the purpose model's score (the weighted mean of the "
        "parts without a purpose); it orders the list and is not a chance: see ``chance``."
    )
    chance: float | None = Field(
        default=None,
        description="0-1: how often a city with this evidence was a real partner in past "
        "partnerships of the purpose's kind, calibrated on held-out partnerships (for a focused "
        "list: in projects on the focus theme). It leaves out the geography mode and the hub "
        "price, which order the list but are no evidence, so it may not fall with the rank. "
        "null where no real partnerships of the kind were there to calibrate on (peer "
        "exchange, a focused research list).",
    )
    parts: dict[str, float] = Field(description="Each part of the score, 0-1, by name.")
    weights: dict[str, float] = Field(
        description="The weight each part had in this query (parts that could not vary are 0; "
        "``exposure``, the price a city pays for being suggested to many cities already, is "
        "negative)."
    )
    reasons: list[str] = Field(description="Why this city, in words, strongest first.")
    distance_km: float | None
    shared_collaborations: list[CollaborationOut] = Field(
        description="Projects and networks both cities took part in, newest first."
    )


class NearestHolder(BaseModel):
    city: CitySummary
    distance_km: float


class FocusNoteOut(BaseModel):
    """How much of a focus theme the data holds within what the list can show."""

    theme: str
    label: str
    holders: int = Field(
        description="Cities the list's filters admit (never the city searched for) with a past "
        "project on the theme; where they are few, few partners can name it as experience."
    )
    nearest: list[NearestHolder] = Field(description="The nearest holders, nearest first.")
    text: str = Field(description="The note in words, as the page shows it.")


class PartnerResults(KeptAnswer):
    city: CitySummary
    query: PartnerQueryOut
    items: list[PartnerItem]
    focus: list[FocusNoteOut] = Field(
        default_factory=list, description="Per focus theme, how many cities hold it (no focus: [])."
    )


class RuleResultOut(BaseModel):
    """How a city or consortium fares against one rule of a call."""

    kind: str
    status: Literal["passed", "failed", "unknown"] = Field(
        description="unknown: the rule could not be read, or depends on partners; check the text."
    )
    reason: str
    source_sentence: str = Field(description="The sentence of the call text the rule comes from.")


class CallSummary(BaseModel):
    id: str
    title: str
    programme: str
    status: str = Field(description="open, forthcoming or closed on today's date.")
    deadline: date | None = Field(description="The next deadline (the last one once closed).")
    days_left: int | None
    budget_min: float | None
    budget_max: float | None
    url: str = Field(description="This call in the API.")
    html_url: str = Field(description="This call's page for people.")
    portal_url: str = Field(description="The call on the EU Funding & Tenders portal.")


class SuitabilityOut(BaseModel):
    level: str = Field(
        description="written_for_cities, municipal_role, typical_beneficiary, possible,"
        " unlikely or never."
    )
    score: float = Field(description="0-1; the suitability part of the fit.")
    reason: str
    evidence: str = Field(description="The sentence, programme or action type it rests on.")


class CallMatchOut(BaseModel):
    call: CallSummary
    fit: float = Field(description="Rank score: suitability for a municipality and relevance, 0-1.")
    parts: dict[str, float]
    matching_themes: list[ThemeRef]
    rules: list[RuleResultOut]
    suitability: SuitabilityOut | None = Field(
        default=None, description="Would a municipality go for this call, and why."
    )
    matching_needs: list[ThemeRef] = Field(
        default_factory=list, description="The city's declared needs among the call's themes."
    )
    eligibility: Literal["eligible", "needs_partners"] | None = Field(
        default=None,
        description="In other_offers: eligible now, or once partners join (consortium rules).",
    )


class CallGroups(BaseModel):
    eligible: list[CallMatchOut] = Field(
        description="Every rule passed, and the call leads (see lead): on a declared need, or"
        " without declared needs written for cities."
    )
    needs_partners: list[CallMatchOut] = Field(
        description="Eligible once partners join: only consortium rules are open; the call"
        " leads (see lead)."
    )
    other_offers: list[CallMatchOut] = Field(
        default_factory=list,
        description="The other calls the city could go for (eligible now or once partners"
        " join, see eligibility), after the two groups that lead.",
    )
    check_text: list[CallMatchOut] = Field(description="A rule could not be read.")
    unsuited: list[CallMatchOut] = Field(
        default_factory=list,
        description="Not aimed at municipalities: listed for completeness, not offered.",
    )
    ineligible: list[CallMatchOut] = Field(description="A rule failed; see its reason.")


class CallData(BaseModel):
    """How recent the call data is: refresh it with `matcher calls fetch` when stale."""

    data_as_of: date | None = Field(
        description="Date of the newest call data (a portal snapshot month counts from its"
        " first day); null when the calls' sources give none."
    )
    data_stale: bool = Field(
        description="The call data is older than 60 days on today's date: deadlines and"
        " statuses may have changed since."
    )


class CityCalls(KeptAnswer, CallData):
    city: CitySummary
    today: date
    status: str
    considered: int = Field(description="Calls that passed the filters.")
    needs: list[ThemeRef] = Field(
        default_factory=list,
        description="The city's declared needs: the calls on them are offered first.",
    )
    lead: Literal["needs", "cities"] = Field(
        default="cities",
        description="What leads the offered groups: calls on the declared needs, or (without"
        " declared needs) calls written for cities.",
    )
    groups: CallGroups


class CallPage(CallData):
    items: list[CallSummary]
    page: int
    per_page: int
    total: int
    links: PageLinks


class RuleOut(BaseModel):
    """One eligibility rule as stored; ``parsed`` false means "check the call text"."""

    kind: str
    params: dict
    parsed: bool
    source_sentence: str


class CallDetailOut(CallSummary):
    call_identifier: str
    action_type: str
    description: str
    keywords: list[str]
    themes: list[ThemeRef]
    opening_date: date | None
    deadlines: list[date]
    expected_grants: int | None
    conditions_text: str
    rules: list[RuleOut]


class EligibilityOut(BaseModel):
    call: CallSummary
    cities: list[CitySummary]
    today: date
    group: Literal["eligible", "needs_partners", "check_text", "ineligible"] | None = Field(
        description="What the results add up to (null when the call has no rules)."
    )
    results: list[RuleResultOut]


class AlternativeOut(BaseModel):
    city: CitySummary
    score: float = Field(description="Consortium score with this city in the place.")
    reasons: list[str]


class MemberOut(BaseModel):
    city: CitySummary
    role: Literal["lead", "partner"]
    call_fit: float
    reasons: list[str]
    alternatives: list[AlternativeOut]


class UnmetRuleOut(BaseModel):
    kind: str
    reason: str
    source_sentence: str


class RelaxationOut(BaseModel):
    kind: str = Field(description="size, country_filter, open_countries or required_member")
    description: str
    fixes: bool = Field(description="Whether this change gives a valid consortium.")
    score: float | None
    partners: list[CitySummary]


class ConsortiumOut(BaseModel):
    call: CallSummary
    lead: CitySummary
    size: int = Field(description="Members including the lead.")
    valid: bool
    score: float | None
    parts: dict[str, float]
    members: list[MemberOut] = Field(description="Lead first; only the lead when not valid.")
    unmet: list[UnmetRuleOut]
    relaxations: list[RelaxationOut]
    other_members_needed: list[str] = Field(
        description="Required members City Matcher cannot choose among its cities (other "
        "kinds of member, or cities of a kind it holds no list of, such as TEN-T urban nodes): "
        "add them by hand."
    )
    rule_results: list[RuleResultOut]
    candidates_considered: int
