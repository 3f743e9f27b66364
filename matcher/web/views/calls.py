"""A city's funding calls, a call with its rules, and consortium proposals."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField
from wtforms.validators import InputRequired

from matcher.db import get_session
from matcher.domain import City, RuleStatus
from matcher.services import calls as calls_service
from matcher.services import cities as city_service
from matcher.services import events as event_service
from matcher.services import history
from matcher.web import auth, forms, signin
from matcher.web.views.common import (
    CALL_GROUPS,
    bp,
    city_or_404,
    excerpt,
    page_today,
)


@bp.get("/cities/<slug>/calls")
def city_calls(slug: str):
    """The funding calls for the city in four groups (eligible now, once partners join, check
    the call text, not eligible), ranked by fit, under a filter form."""
    found = city_or_404(slug)
    session = get_session()
    programmes = calls_service.programmes(session)
    form = forms.CallFilterForm(request.args or None, programmes=programmes)
    result = None
    status = 200
    if request.args and not form.validate():
        status = 400
    else:
        filters = calls_service.CallFilters(
            status=form.status.data or "all",
            programmes=(form.programme.data,) if form.programme.data else (),
            deadline_within_days=form.deadline_within_days.data,
            min_budget=form.min_budget.data,
            limit=form.limit.data or 10,
        )
        try:
            result = calls_service.calls_for_city(session, found, page_today(), filters)
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


@bp.app_template_global("lead_suffix")
def _lead_suffix(group: str, result) -> str:
    """What the calls of an offered group have in common: on the declared needs, or written
    for cities (empty for the other groups)."""
    if group not in calls_service.OFFERED_GROUPS:
        return ""
    return ", on your declared needs" if result.lead == "needs" else ", written for cities"


@bp.app_template_global("notable_rules")
def _notable_rules(match, group: str):
    """The rule results worth showing next to a call in ``group``: the failed ones for the
    ineligible, the unknown ones for the groups that need partners or a reading of the text."""
    wanted = {
        "ineligible": RuleStatus.FAILED,
        "needs_partners": RuleStatus.UNKNOWN,
        "other_offers": RuleStatus.UNKNOWN,
        "check_text": RuleStatus.UNKNOWN,
        "unsuited": RuleStatus.UNKNOWN,
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
    # Ambiguous names list every candidate; unknown ones say so (suggestions only when close).
    return None, city_service.lookup_city(session, text).message


@bp.get("/calls/<path:call_id>")
def call(call_id: str):
    """A funding call: facts, description, every rule (judged for ``?city=`` when given, with
    the reason and the sentence it comes from), and the form to build a consortium."""
    session = get_session()
    today = page_today()
    city_text = request.args.get("city", "").strip()[:100]
    city, city_error = _resolve_city(session, city_text) if city_text else (None, None)
    detail = _call_or_404(session, call_id, today, [city] if city else None)
    consortium_form = forms.ConsortiumForm(data={"lead": city.slug if city else ""})
    lead, rest = excerpt(detail.call.description)
    _as_of, data_label, data_stale = calls_service.data_freshness(session, today)
    page = render_template(
        "call.html",
        data_label=data_label,
        data_stale=data_stale,
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
    today = page_today()
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
        meet=meet_form(lead, form.size.data, form.countries.codes) if proposal else None,
    )
    return page, 200 if proposal is not None else 400


class MeetForm(FlaskForm):
    """ "Meet them": turn the proposal on the page into a networking session."""

    lead = HiddenField(validators=[InputRequired()])
    size = HiddenField()
    countries = HiddenField()
    day = DateField("Date of the session", validators=[InputRequired(message="Enter a date.")])


def meet_form(lead: City, size, countries) -> MeetForm:
    """The "Meet them" form for the proposal shown (lead, size and countries as hidden fields)."""
    return MeetForm(
        formdata=None,
        data={
            "lead": lead.slug,
            "size": "" if size is None else str(size),
            "countries": ",".join(countries or ()),
            "day": page_today(),
        },
    )


@bp.post("/calls/<path:call_id>/consortium/meet")
def meet_consortium(call_id: str):
    """Create an event with the lead, the proposed partners and their alternatives, each
    pair's reason carried into the agendas; then show the event. A failed form goes back to
    the proposal with the messages (its query kept)."""
    session = get_session()
    today = page_today()
    _call_or_404(session, call_id, today)
    actor = auth.current_actor()
    if actor is None or not actor.is_admin:
        return signin.refusal("the list of events (creating one)")
    form = MeetForm()
    back = url_for(
        "views.call_consortium",
        call_id=call_id,
        lead=form.lead.data or None,
        size=form.size.data or None,
        countries=form.countries.data or None,
    )
    problems = [] if form.validate() else [m for f in form for m in f.errors]
    lead = None
    if not problems:
        lead, problem = _resolve_city(session, form.lead.data)
        if problem:
            problems.append(problem)
    if problems:
        for problem in problems:
            flash(f"Meet them: {problem}", "error")
        return redirect(back, code=303)
    countries = tuple(c for c in (form.countries.data or "").split(",") if c)
    size = int(form.size.data) if (form.size.data or "").isdigit() else None
    try:
        event = event_service.meet_consortium(
            session, call_id, lead, today, day=form.day.data, size=size, countries=countries
        )
    except event_service.EventError as exc:
        flash(f"Meet them: {exc}", "error")
        return redirect(back, code=303)
    history.record(session, actor, "event.create", event_id=event.id,
                   summary=f"event created from a consortium proposal: {event.name}")  # fmt: skip
    flash(f"Event created for the consortium: {len(event.attendees)} cities.", "success")
    return redirect(url_for("events.detail", event_id=event.id), code=303)
