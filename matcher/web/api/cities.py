"""City endpoints: search, list, detail and the city's declared profile."""

from __future__ import annotations

from flask import g, url_for
from spectree import Response

from matcher.db import get_session
from matcher.services import cities as city_service
from matcher.services import history
from matcher.services import partners as partner_service
from matcher.web.api import schemas, serialise
from matcher.web.api.base import (
    BEARER,
    bp,
    forbidden,
    json_pointer,
    kept_read,
    no_such_city,
    spec,
)
from matcher.web.errors import problem

TAGS = ["cities"]


@bp.get("/cities/search")
@kept_read
@spec.validate(
    resp=Response(HTTP_200=schemas.SearchResults), tags=TAGS, operation_id="searchCities"
)
def search_cities(query: schemas.CitySearchQuery):
    """Search cities by name.

    Typo-tolerant and accent-insensitive; local names and exonyms match too
    ("Jyvaskila", "Bolonia"). Best match first. `status` and `message` say what the name
    resolved to: one city, several (none picked), or none (with close suggestions).
    """
    session = get_session()

    def results() -> schemas.SearchResults:
        hits = city_service.search_cities(session, query.q, country=query.country,
                                          limit=query.limit)  # fmt: skip
        lookup = city_service.lookup_city(session, query.q, country=query.country)
        return schemas.SearchResults(
            query=query.q,
            status=lookup.status,
            message=lookup.message,
            items=[
                schemas.SearchHit(
                    city=serialise.city_summary(hit.city),
                    matched_name=hit.matched_name,
                    score=round(hit.score, 1),
                )
                for hit in hits
                if hit.score >= query.min_score
            ],
        )

    # Names and summaries do not change with a profile edit: kept until the data changes.
    key = ("api.search", query.q, query.country, query.limit, query.min_score)
    return partner_service.answer(session, key, results, city_id=None)


def _page_link(page: int, query: schemas.CityListQuery) -> str:
    return url_for("api.list_cities", page=page, per_page=query.per_page, country=query.country)


@bp.get("/cities")
@spec.validate(resp=Response(HTTP_200=schemas.CityPage), tags=TAGS, operation_id="listCities")
def list_cities(query: schemas.CityListQuery):
    """List cities by name, a page at a time.

    `links` holds the neighbouring pages; `next` is null on the last page.
    """
    cities, total = city_service.list_cities(
        get_session(), country=query.country, page=query.page, per_page=query.per_page
    )
    links = serialise.page_links(
        query.page, query.per_page, total, lambda page: _page_link(page, query)
    )
    return schemas.CityPage(
        items=[serialise.city_summary(city) for city in cities],
        page=query.page,
        per_page=query.per_page,
        total=total,
        links=links,
    )


@bp.get("/cities/<slug>")
@kept_read
@spec.validate(
    resp=Response(HTTP_200=schemas.CityDetail, HTTP_404=schemas.Problem),
    tags=TAGS,
    operation_id="getCity",
    path_parameter_descriptions={"slug": "Country code and folded name, e.g. fi-jyvaskyla."},
)
def get_city(slug: str):
    """One city: reference data, profiles with provenance, past collaborations."""
    session = get_session()
    city = partner_service.city_by_slug(session, slug)
    if city is None:
        return no_such_city(slug)

    def detail() -> schemas.CityDetail:
        return serialise.city_detail(city, partner_service.collaborations_of(session, city.id))

    # From the in-memory index, kept until this city is edited or the data changes.
    return partner_service.answer(session, ("api.city", city.id), detail, city_id=city.id)


@bp.put("/cities/<slug>/profile")
@spec.validate(
    resp=Response(
        HTTP_200=schemas.CityDetail,
        HTTP_401=schemas.Problem,
        HTTP_403=schemas.Problem,
        HTTP_404=schemas.Problem,
        HTTP_415=schemas.Problem,
        HTTP_429=schemas.Problem,
    ),
    tags=TAGS,
    operation_id="putCityProfile",
    security=BEARER,
    validation_error_status=422,
    path_parameter_descriptions={"slug": "Country code and folded name, e.g. fi-jyvaskyla."},
)
def put_city_profile(slug: str, json: schemas.ProfileUpdate):
    """Replace the weights a city declares itself.

    Each kind given (`interest`, `need`, `offer`) replaces that kind's declared weights; kinds
    left out are kept. Declared weights are labelled "declared by the city" and take precedence
    over derived ones. Needs `Authorization: Bearer <token>` of an editor of this city or an
    administrator (403 otherwise). The change is recorded in the history with its editor.
    """
    session = get_session()
    city = city_service.get_city(session, slug)
    if city is None:
        return no_such_city(slug)
    if not g.api_actor.may_edit_city(city.slug):
        return forbidden(f"the declared profile of {city.name} ({city.slug})")
    requested = json.by_kind()
    known = {t.id for t in city_service.themes(session)}
    unknown = [
        {"pointer": json_pointer((kind, theme_id)), "detail": f"unknown theme id '{theme_id}'"}
        for kind, weights in requested.items()
        for theme_id in weights
        if theme_id not in known
    ]
    if unknown:
        return problem(422, "Invalid request", "Unknown theme ids; see 'errors'.", errors=unknown)
    with history.recording_profile(session, g.api_actor, city.slug, list(requested)):
        updated = city_service.update_declared_profile(session, city.id, requested)
    return serialise.city_detail(updated, city_service.city_collaborations(session, city.id))
