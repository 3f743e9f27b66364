"""Funding calls: calls for a city, the call list, one call, eligibility and consortia."""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from spectree import Response

from matcher.db import get_session
from matcher.services import calls as calls_service
from matcher.services import cities as city_service
from matcher.services import partners as partner_service
from matcher.services.clock import today as clock_today
from matcher.web.api import schemas, serialise
from matcher.web.api.base import bp, kept_read, no_such_city, spec
from matcher.web.errors import problem

TAGS = ["calls"]
CALL_ID = {"call_id": "The portal's topic identifier, e.g. HORIZON-CID-2026-01-02."}
SLUG = {"slug": "Country code and folded name, e.g. fi-jyvaskyla."}


def _today() -> date:
    return clock_today(current_app.config.get("TODAY"))


def _no_such_call(call_id: str):
    return problem(404, "Not Found", f"No call with id '{call_id}'.")


def _unprocessable(detail: str, parameter: str | None = None):
    errors = [{"parameter": parameter, "detail": detail}] if parameter else None
    extra = {"errors": errors} if errors else {}
    return problem(422, "Unprocessable query", detail, **extra)


@bp.get("/cities/<slug>/calls")
@kept_read
@spec.validate(
    resp=Response(HTTP_200=schemas.CityCalls, HTTP_404=schemas.Problem, HTTP_422=schemas.Problem),
    tags=TAGS,
    operation_id="callsForCity",
    path_parameter_descriptions=SLUG,
)
def calls_for_city(slug: str, query: schemas.CityCallsQuery):
    """Funding calls for a city, grouped by what it can do about them.

    Groups: `eligible` (every rule passed), `needs_partners` (only consortium rules are
    open), `check_text` (a rule could not be read), `ineligible` (a rule failed; its reason
    says which). Each group is ranked by fit. An unknown programme is a 422 problem.
    `data_as_of` and `data_stale` say how recent the call data is.
    """
    session = get_session()
    city = partner_service.city_by_slug(session, slug)
    if city is None:
        return no_such_city(slug)
    filters = calls_service.CallFilters(
        status=query.status,
        programmes=tuple(query.programme),
        deadline_within_days=query.deadline_within_days,
        min_budget=query.min_budget,
        limit=query.limit,
    )
    today = _today()

    def answer() -> schemas.CityCalls:
        result = calls_service.calls_for_city(session, city, today, filters)
        labels = calls_service.call_service(session).theme_labels
        return serialise.city_calls(result, query.status, labels)

    try:
        # Depends on this city's record, the calls and the day: kept until one changes.
        key = ("api.calls", city.id, filters, today)
        return partner_service.answer(session, key, answer, city_id=city.id)
    except calls_service.CallQueryError as exc:
        return _unprocessable(str(exc))


def _page_link(page: int, query: schemas.CallListQuery) -> str:
    return url_for(
        "api.list_calls",
        page=page,
        per_page=query.per_page,
        status=query.status,
        programme=query.programme or None,
    )


@bp.get("/calls")
@spec.validate(
    resp=Response(HTTP_200=schemas.CallPage, HTTP_422=schemas.Problem),
    tags=TAGS,
    operation_id="listCalls",
)
def list_calls(query: schemas.CallListQuery):
    """List calls by next deadline (soonest first), a page at a time.

    Status is computed on today's date. `links` holds the neighbouring pages; `data_as_of`
    and `data_stale` say how recent the call data is.
    """
    session = get_session()
    today = _today()
    try:
        calls, total = calls_service.list_calls(
            session, today, status=query.status, programmes=tuple(query.programme),
            page=query.page, per_page=query.per_page,
        )  # fmt: skip
    except calls_service.CallQueryError as exc:
        return _unprocessable(str(exc), "programme")
    links = serialise.page_links(
        query.page, query.per_page, total, lambda page: _page_link(page, query)
    )
    as_of, _label, stale = calls_service.data_freshness(session, today)
    return schemas.CallPage(
        data_as_of=as_of,
        data_stale=stale,
        items=[serialise.call_summary(call, today) for call in calls],
        page=query.page,
        per_page=query.per_page,
        total=total,
        links=links,
    )


@bp.get("/calls/<path:call_id>")
@spec.validate(
    resp=Response(HTTP_200=schemas.CallDetailOut, HTTP_404=schemas.Problem),
    tags=TAGS,
    operation_id="getCall",
    path_parameter_descriptions=CALL_ID,
)
def get_call(call_id: str):
    """One call: texts, dates, budget, themes and its eligibility rules as stored.

    A rule with `parsed` false could not be read from the call text: check the text.
    """
    detail = calls_service.call_detail(get_session(), call_id, _today())
    if detail is None:
        return _no_such_call(call_id)
    return serialise.call_detail(detail)


@bp.get("/calls/<path:call_id>/eligibility")
@spec.validate(
    resp=Response(
        HTTP_200=schemas.EligibilityOut, HTTP_404=schemas.Problem, HTTP_422=schemas.Problem
    ),
    tags=TAGS,
    operation_id="callEligibility",
    path_parameter_descriptions=CALL_ID,
)
def call_eligibility(call_id: str, query: schemas.EligibilityQuery):
    """Every rule of a call judged for one city, or for the members of a consortium.

    `passed`, `failed`, or `unknown` (the rule could not be read, or a single city cannot
    meet it alone: check the call text) with the reason and the source sentence.
    """
    session = get_session()
    slugs = list(dict.fromkeys(query.cities))
    cities = [city_service.get_city(session, slug) for slug in slugs]
    missing = [slug for slug, city in zip(slugs, cities, strict=True) if city is None]
    if missing:
        return no_such_city(*missing)
    today = _today()
    detail = calls_service.call_detail(session, call_id, today, cities)
    if detail is None:
        return _no_such_call(call_id)
    return serialise.eligibility(detail, cities, today)


@bp.get("/calls/<path:call_id>/consortium")
@spec.validate(
    resp=Response(
        HTTP_200=schemas.ConsortiumOut, HTTP_404=schemas.Problem, HTTP_422=schemas.Problem
    ),
    tags=TAGS,
    operation_id="buildConsortium",
    path_parameter_descriptions=CALL_ID,
)
def build_consortium(call_id: str, query: schemas.ConsortiumQuery):
    """Propose partners for a lead city that meet the call's rules and fit it best.

    Every partner comes with its reasons and alternatives that keep the set valid. When no
    valid set exists, `valid` is false, `unmet` names the rule and `relaxations` lists the
    changes tried and whether each would fix it.
    """
    session = get_session()
    lead = city_service.get_city(session, query.lead)
    if lead is None:
        return no_such_city(query.lead)
    today = _today()
    try:
        proposal = calls_service.build_consortium(
            session, call_id, lead, today, size=query.size, countries=tuple(query.countries)
        )
    except LookupError:
        return _no_such_call(call_id)
    except calls_service.CallQueryError as exc:
        return _unprocessable(str(exc))
    call = calls_service.get_call(session, call_id)
    return serialise.consortium(proposal, call, lead, today)
