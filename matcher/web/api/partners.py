"""Partner search: ranked partner cities for a city, with every score part and the reasons."""

from __future__ import annotations

from spectree import Response

from matcher.db import get_session
from matcher.services import partners as partner_service
from matcher.web.api import schemas, serialise
from matcher.web.api.base import bp, kept_read, no_such_city, spec
from matcher.web.errors import problem

SLUG = {"slug": "Country code and folded name, e.g. fi-jyvaskyla."}


def partner_query(query: schemas.PartnerSearchQuery) -> partner_service.PartnerQuery:
    """The service query for validated API parameters."""
    return partner_service.PartnerQuery(
        top=query.top,
        theme_focus=tuple(query.theme),
        geography=query.geography,
        countries=tuple(query.countries),
        exclude_countries=tuple(query.exclude_countries),
        country_sets=tuple(query.country_sets),
        size_bands=tuple(query.size_bands),
        max_distance_km=query.max_distance_km,
        purpose=query.purpose,
    )


@bp.get("/cities/<slug>/partners")
@kept_read
@spec.validate(
    resp=Response(
        HTTP_200=schemas.PartnerResults, HTTP_404=schemas.Problem, HTTP_422=schemas.Problem
    ),
    tags=["partners"],
    operation_id="findPartners",
    path_parameter_descriptions=SLUG,
)
def find_partners(slug: str, query: schemas.PartnerSearchQuery):
    """Ranked partner cities for a city, and why.

    Every filter is hard and applies before ranking. Each partner comes with its score
    (0-1), the parts of the score and their weights in this query, the distance, shared
    past collaborations and the reasons in words. With a theme focus, ``focus`` says per
    theme how many cities the list can show hold it (few holders: few partners can name it).
    An unknown theme id is a 422 problem.
    """
    session = get_session()
    city = partner_service.city_by_slug(session, slug)
    if city is None:
        return no_such_city(slug)
    wanted = partner_query(query)

    def results(matches) -> schemas.PartnerResults:
        return schemas.PartnerResults(
            city=serialise.city_summary(city),
            query=schemas.PartnerQueryOut(**query.model_dump()),
            items=[serialise.partner_item(rank, m) for rank, m in enumerate(matches, start=1)],
            focus=[
                serialise.focus_note(n) for n in partner_service.focus_notes(session, city, wanted)
            ],  # fmt: skip
        )

    try:
        # The rendered answer is kept with the index: same data, same query, same body.
        return partner_service.rendered(session, "api", city, wanted, results)
    except partner_service.PartnerQueryError as exc:
        return problem(422, "Unprocessable query", str(exc))
