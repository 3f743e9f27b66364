"""HTML pages: city search, a city's profile (and its editing), partners and funding calls,
a call with its rules, consortium proposals, and about the data."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for

from matcher.db import get_session
from matcher.domain import COUNTRY_NAMES, City, ProfileKind, RuleStatus, size_band_label
from matcher.services import calls as calls_service
from matcher.services import cities as city_service
from matcher.services import partners as partner_service
from matcher.services.clock import today as clock_today
from matcher.web import auth, forms
from matcher.web.labels import KIND_LABELS, commitment_label
from matcher.web.sources import DATA_SOURCES, OSM_ATTRIBUTION

# Templates and static files live next to this module, not in the app package root.
bp = Blueprint(
    "views",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/assets",
)

CITIES_PER_PAGE = 50
SUGGESTION_MIN_SCORE = city_service.SUGGESTION_MIN_SCORE
#: The tabs of a city's pages: (endpoint, label).
CITY_TABS = (
    ("views.city", "Profile"),
    ("views.city_partners", "Partners"),
    ("views.city_calls", "Funding calls"),
)
#: Words for the parts of a partner score (see :mod:`matcher.scoring.partners`); a part the
#: engine adds later is shown by its name until it gets words here.
PART_LABELS: dict[str, str] = {
    "shared_interests": "Shared interests",
    "complementarity": "Your needs, their offers",
    "experience": "Projects on your themes",
    "track_record": "Track record in EU projects",
    "text": "Similar project work",
    "peer_size": "Similar size",
    "proximity": "Close by",
    "geography": "Your place preference",
    "history": "Worked together before",
    "networks": "Shared networks",
    "common_partners": "Partners in common",
    "call_fit": "Fit to the call",
    "pair_fit": "Fit between the members",
    "themes": "Themes",
}
#: The call groups of a city's calls page: (attribute of CallsForCity, heading, explanation).
CALL_GROUPS: tuple[tuple[str, str, str], ...] = (
    ("eligible", "Eligible now", "Every rule of the call is met."),
    (
        "needs_partners",
        "Eligible once partners join",
        "The city meets the call's rules on its own; the consortium rules need partners.",
    ),
    (
        "check_text",
        "Check the call text",
        "A rule of the call could not be read reliably; read the call text before applying.",
    ),
    ("ineligible", "Not eligible", "A rule of the call rules the city out; the reason is given."),
)
RULE_KIND_LABELS: dict[str, str] = {
    "eligible_countries": "Eligible countries",
    "applicant_type": "Who may apply",
    "population": "Population",
    "min_partners": "Number of partners",
    "min_countries": "Number of countries",
    "required_member": "Required member",
    "cofunding_rate": "Co-funding rate",
    "deadline": "Deadline",
}
RULE_STATUS_LABELS: dict[str, str] = {
    RuleStatus.PASSED: "Passed",
    RuleStatus.FAILED: "Failed",
    RuleStatus.UNKNOWN: "Check the call text",
}
#: Characters of a call description shown before "Read the full description".
EXCERPT_CHARS = 600
#: Partners drawn on the map (the list below the map has them all).
MAP_PARTNERS = 10


def width_class(value: float | None) -> str:
    """The CSS class drawing a bar of ``value`` (0-1) in 5% steps: ``w-0`` ... ``w-100``.

    Bars are classes, not inline styles: the Content Security Policy forbids inline styles.

    >>> width_class(0.42), width_class(1.7), width_class(None)
    ('w-40', 'w-100', 'w-0')
    """
    share = min(max(float(value or 0.0), 0.0), 1.0)
    return f"w-{round(share * 20) * 5}"


def rule_status_label(status: str, kind: str = "", alone: bool = False) -> str:
    """Words for a rule's status; an open consortium rule of a single city "needs partners"."""
    if alone and status == RuleStatus.UNKNOWN and kind in calls_service.CONSORTIUM_RULE_KINDS:
        return "Needs partners"
    return RULE_STATUS_LABELS.get(status, str(status))


def part_label(name: str) -> str:
    return PART_LABELS.get(name, name.replace("_", " ").capitalize())


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> tuple[str, str]:
    """``text`` split into a lead of about ``limit`` characters (at a sentence or word end)
    and the rest; the rest is empty when the text is short."""
    text = (text or "").strip()
    if len(text) <= limit * 1.25:
        return text, ""
    cut = max(text.rfind(". ", 0, limit), text.rfind("\n", 0, limit))
    if cut < limit // 2:
        cut = text.rfind(" ", 0, limit)
    cut = cut + 1 if cut > 0 else limit
    return text[:cut].rstrip(), text[cut:].lstrip()


def _days_left(days: int | None) -> str:
    if days is None:
        return "no upcoming deadline"
    if days == 0:
        return "closes today"
    return f"{days} day{'s' if days != 1 else ''} left"


def _money(amount: float | None) -> str:
    return "not published" if amount is None else f"EUR {amount:,.0f}"


@bp.app_context_processor
def _helpers():
    return {
        "country_name": lambda code: COUNTRY_NAMES.get(code, code),
        "size_band_label": size_band_label,
        "commitment_label": commitment_label,
        "kind_labels": KIND_LABELS,
        "city_tabs": CITY_TABS,
        "width_class": width_class,
        "part_label": part_label,
        "rule_kind_label": lambda kind: RULE_KIND_LABELS.get(str(kind), str(kind)),
        "rule_status_label": rule_status_label,
        "days_left_label": _days_left,
        "money": _money,
    }


def _today() -> date:
    return clock_today(current_app.config.get("TODAY"))


def _city_or_404(slug: str) -> City:
    found = city_service.get_city(get_session(), slug)
    if found is None:
        abort(404, description=f"We have no city '{slug}'. Try the search instead.")
    return found


@bp.get("/")
def home():
    """Search box (with suggestions as you type) and the list of cities, a page at a time."""
    session = get_session()
    query = request.args.get("q", "").strip()[:100]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    hits = city_service.search_cities(session, query, limit=20) if query else []
    hits = [hit for hit in hits if hit.score >= SUGGESTION_MIN_SCORE]
    cities, total = city_service.list_cities(session, page=page, per_page=CITIES_PER_PAGE)
    return render_template(
        "home.html",
        query=query,
        hits=hits,
        cities=cities,
        total=total,
        page=page,
        pages=max(1, -(-total // CITIES_PER_PAGE)),
        suggestion_min_score=SUGGESTION_MIN_SCORE,
    )


@bp.get("/cities/<slug>")
def city(slug: str):
    """A city's profile (with where each weight comes from) and its past collaborations."""
    found = _city_or_404(slug)
    session = get_session()
    themes = {theme.id: theme for theme in city_service.themes(session)}
    profile = {
        kind: sorted(
            (e for e in found.profile if e.kind == kind and e.weight > 0),
            key=lambda e: (-e.weight, e.theme_id),
        )
        for kind in ProfileKind
    }
    return render_template(
        "city.html",
        city=found,
        themes=themes,
        profile=profile,
        collaborations=city_service.city_collaborations(session, found.id),
        active_tab="views.city",
    )


@bp.get("/cities/<slug>/partners")
def city_partners(slug: str):
    """Ranked partner cities with the parts of each score and the reasons, under a filter form
    (a GET form: the search is a link). Invalid input: the form again with messages, 400."""
    found = _city_or_404(slug)
    session = get_session()
    themes = city_service.themes(session)
    form = forms.PartnerFilterForm(request.args or None, themes=themes)
    matches: list[partner_service.PartnerMatch] = []
    status = 200
    if request.args and not form.validate():
        status = 400
    else:
        try:
            matches = partner_service.find_partners(session, found, form.partner_query())
        except partner_service.PartnerQueryError as exc:
            form.form_errors.append(str(exc))
            status = 400
    tiles_url = current_app.config.get("MAP_TILES_URL") or ""
    page = render_template(
        "city_partners.html",
        city=found,
        form=form,
        matches=matches,
        searched=status == 200,
        tiles_url=tiles_url,
        osm_attribution=OSM_ATTRIBUTION,
        map_partners=MAP_PARTNERS,
        active_tab="views.city_partners",
    )
    return page, status


@bp.app_template_global("active_parts")
def _active_parts(match: partner_service.PartnerMatch) -> list[tuple[str, float, float]]:
    """(name, value, weight) of the parts that counted in a score, biggest share first."""
    parts = [(n, v, match.weights.get(n, 0.0)) for n, v in match.parts.items()]
    parts = [part for part in parts if part[2] > 0]
    return sorted(parts, key=lambda part: (-part[1] * part[2], part[0]))


@bp.get("/cities/<slug>/calls")
def city_calls(slug: str):
    """The funding calls for the city in four groups (eligible now, once partners join, check
    the call text, not eligible), ranked by fit, under a filter form."""
    found = _city_or_404(slug)
    session = get_session()
    programmes = calls_service.programmes(session)
    form = forms.CallFilterForm(request.args or None, programmes=programmes)
    result = None
    status = 200
    if request.args and not form.validate():
        status = 400
    else:
        filters = calls_service.CallFilters(
            status=form.status.data or "open",
            programmes=(form.programme.data,) if form.programme.data else (),
            deadline_within_days=form.deadline_within_days.data,
            min_budget=form.min_budget.data,
            limit=form.limit.data or 10,
        )
        try:
            result = calls_service.calls_for_city(session, found, _today(), filters)
        except calls_service.CallQueryError as exc:
            form.form_errors.append(str(exc))
            status = 400
    page = render_template(
        "city_calls.html",
        city=found,
        form=form,
        result=result,
        groups=CALL_GROUPS,
        theme_labels={theme.id: theme.label for theme in city_service.themes(session)},
        active_tab="views.city_calls",
    )
    return page, status


@bp.app_template_global("notable_rules")
def _notable_rules(match, group: str):
    """The rule results worth showing next to a call in ``group``: the failed ones for the
    ineligible, the unknown ones for the groups that need partners or a reading of the text."""
    wanted = {
        "ineligible": RuleStatus.FAILED,
        "needs_partners": RuleStatus.UNKNOWN,
        "check_text": RuleStatus.UNKNOWN,
    }.get(group)
    return [r for r in match.rules if r.status == wanted] if wanted else []


def _call_or_404(session, call_id: str, today: date, cities: list[City] | None = None):
    detail = calls_service.call_detail(session, call_id, today, cities)
    if detail is None:
        abort(404, description=f"We have no funding call '{call_id}'.")
    return detail


def _resolve_city(session, text: str) -> tuple[City | None, str | None]:
    """The city a person typed (a slug or a clear name), or None and a message saying why."""
    text = text.strip()
    found = city_service.find_city(session, text)
    if found is not None:
        return found, None
    hits = city_service.search_cities(session, text, limit=3)
    hint = "; did you mean " + " or ".join(f"{h.city.name} ({h.city.slug})" for h in hits)
    return None, f"no single city matches “{text}”{hint if hits else ''}"


@bp.get("/calls/<path:call_id>")
def call(call_id: str):
    """A funding call: facts, description, every rule (judged for ``?city=`` when given, with
    the reason and the sentence it comes from), and the form to build a consortium."""
    session = get_session()
    today = _today()
    city_text = request.args.get("city", "").strip()[:100]
    city, city_error = _resolve_city(session, city_text) if city_text else (None, None)
    detail = _call_or_404(session, call_id, today, [city] if city else None)
    consortium_form = forms.ConsortiumForm(data={"lead": city.slug if city else ""})
    lead, rest = excerpt(detail.call.description)
    page = render_template(
        "call.html",
        detail=detail,
        call=detail.call,
        city=city,
        city_text=city_text,
        city_error=city_error,
        description_lead=lead,
        description_rest=rest,
        form=consortium_form,
    )
    return page, 400 if city_error else 200


@bp.get("/calls/<path:call_id>/consortium")
def call_consortium(call_id: str):
    """A proposed consortium for the call and a lead city: the members with their reasons and
    alternatives, and the rules; or, when no valid set exists, the unmet rule and the
    relaxations tried. Invalid input: the form again with messages, 400."""
    session = get_session()
    today = _today()
    detail = _call_or_404(session, call_id, today)
    form = forms.ConsortiumForm(request.args or None)
    proposal, lead = None, None
    if not request.args:
        return render_template(
            "consortium.html", detail=detail, call=detail.call, form=form, proposal=None, lead=None
        )
    if form.validate():
        lead, problem = _resolve_city(session, form.lead.data)
        if problem:
            form.lead.errors.append(problem)
        else:
            try:
                proposal = calls_service.build_consortium(
                    session,
                    call_id,
                    lead,
                    today,
                    size=form.size.data,
                    countries=form.countries.codes,
                )
            except calls_service.CallQueryError as exc:
                form.form_errors.append(str(exc))
    page = render_template(
        "consortium.html",
        detail=detail,
        call=detail.call,
        form=form,
        proposal=proposal,
        lead=lead,
    )
    return page, 200 if proposal is not None else 400


@bp.route("/cities/<slug>/profile/edit", methods=["GET", "POST"])
def edit_profile(slug: str):
    """Let the city declare its own interests, needs and offers (weights 0 to 1 per theme).

    Saving needs an editor token (an API token); on any error the page comes back with the
    person's input kept and each problem next to its field.
    """
    found = _city_or_404(slug)
    session = get_session()
    themes = city_service.themes(session)
    form_class = forms.profile_form(themes)
    if request.method == "GET":
        form = form_class(data=forms.declared_weights(found))
        return render_template("profile_edit.html", city=found, form=form, themes=themes)

    form = form_class()
    valid = form.validate()
    if forms.unknown_theme_fields(request.form, form.theme_ids):
        valid = False
        form.form_errors.append(
            "The form named themes we do not know; reload the page and try again."
        )
    token_rejected = bool(form.token.data) and not auth.token_is_valid(form.token.data)
    if token_rejected:
        form.token.errors = [*form.token.errors, "This editor token is not valid."]
    if token_rejected or not valid:
        page = render_template("profile_edit.html", city=found, form=form, themes=themes)
        return page, 403 if token_rejected else 422

    city_service.update_declared_profile(session, found.id, form.weights())
    current_app.logger.info("declared profile of %s updated", found.slug)
    flash("Your declared profile was saved.", "success")
    return redirect(url_for("views.city", slug=found.slug), code=303)


@bp.get("/about/data")
def about_data():
    """Every data source with its date, licence and the credit the licence requires."""
    return render_template(
        "about_data.html",
        sources=DATA_SOURCES,
        map_tiles=bool(current_app.config.get("MAP_TILES_URL")),
        osm_attribution=OSM_ATTRIBUTION,
    )
