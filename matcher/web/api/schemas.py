"""Request and response models of the JSON API (pydantic v2); they also make the OpenAPI document.

Query and body models forbid unknown fields, so a misspelt parameter is reported instead of being
silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from matcher.domain import normalise_country


def _country_or_none(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    return normalise_country(value)


Weight = Annotated[float, Field(ge=0.0, le=1.0, description="0 (not at all) to 1 (central)")]
CountryCode = Annotated[
    str | None,
    AfterValidator(_country_or_none),
    Field(
        description="ISO 3166-1 alpha-2 code; the EU's EL (Greece) and UK are accepted too.",
        examples=["FI"],
    ),
]


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


class ProfileUpdate(RequestBody):
    """The city's own declaration: each kind given replaces that kind's declared weights.

    Kinds left out are not touched; an empty object for a kind withdraws its declaration.
    """

    interest: dict[str, Weight] | None = Field(default=None, examples=[{"open-data": 0.8}])
    need: dict[str, Weight] | None = None
    offer: dict[str, Weight] | None = None

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


class SearchResults(BaseModel):
    query: str
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


class CityDetail(CitySummary):
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
