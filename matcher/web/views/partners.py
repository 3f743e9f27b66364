"""A city's partners: filters, score parts and reasons."""

from __future__ import annotations

from flask import current_app, render_template, request

from matcher.db import get_session
from matcher.services import cities as city_service
from matcher.services import partners as partner_service
from matcher.web import forms
from matcher.web.sources import OSM_ATTRIBUTION
from matcher.web.views.common import (
    MAP_PARTNERS,
    bp,
    city_or_404,
)


@bp.get("/cities/<slug>/partners")
def city_partners(slug: str):
    """Ranked partner cities with the parts of each score and the reasons, under a filter form
    (a GET form: the search is a link). Invalid input: the form again with messages, 400."""
    found = city_or_404(slug)
    session = get_session()
    themes = city_service.themes(session)
    form = forms.PartnerFilterForm(request.args or None, themes=themes)
    matches: list[partner_service.PartnerMatch] = []
    notes: list[partner_service.FocusNote] = []
    status = 200
    if request.args and not form.validate():
        status = 400
    else:
        try:
            query = form.partner_query()
            matches = partner_service.find_partners(session, found, query)
            notes = partner_service.focus_notes(session, found, query)
        except partner_service.PartnerQueryError as exc:
            form.form_errors.append(str(exc))
            status = 400
    tiles_url = current_app.config.get("MAP_TILES_URL") or ""
    page = render_template(
        "city_partners.html",
        city=found,
        form=form,
        matches=matches,
        focus_notes=notes,
        searched=status == 200,
        tiles_url=tiles_url,
        osm_attribution=OSM_ATTRIBUTION,
        map_partners=MAP_PARTNERS,
        chance_note=partner_service.CHANCE_NOTE,
        active_tab="views.city_partners",
    )
    return page, status


@bp.app_template_global("active_parts")
def _active_parts(match: partner_service.PartnerMatch) -> list[tuple[str, float, float]]:
    """(name, value, weight) of the parts that counted in a score, biggest share first."""
    parts = [(n, v, match.weights.get(n, 0.0)) for n, v in match.parts.items()]
    parts = [part for part in parts if part[2] > 0]
    return sorted(parts, key=lambda part: (-part[1] * part[2], part[0]))


# A partner's chance in per cent, as the CLI shows it too.
bp.add_app_template_global(partner_service.chance_text, "chance_text")
