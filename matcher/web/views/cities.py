"""City search, a city's profile and its editing, and about the data."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for

from matcher.db import get_session
from matcher.domain import ProfileKind
from matcher.services import cities as city_service
from matcher.services import history
from matcher.web import auth, forms, signin
from matcher.web.sources import DATA_SOURCES, OSM_ATTRIBUTION
from matcher.web.views.common import (
    CITIES_PER_PAGE,
    SUGGESTION_MIN_SCORE,
    bp,
    city_or_404,
)


@bp.get("/")
def home():
    """Search box (with suggestions as you type) and the list of cities, a page at a time."""
    session = get_session()
    query = request.args.get("q", "").strip()[:100]
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    hits = city_service.search_cities(session, query, limit=20) if query else []
    hits = [hit for hit in hits if hit.score >= SUGGESTION_MIN_SCORE]
    # One sentence on what the name resolved to; the list below stays for browsing.
    lookup = city_service.lookup_city(session, query) if query else None
    cities, total = city_service.list_cities(session, page=page, per_page=CITIES_PER_PAGE)
    return render_template(
        "home.html",
        query=query,
        lookup=lookup,
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
    found = city_or_404(slug)
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
        profile_changes=history.profile_history(session, found.slug),
        active_tab="views.city",
    )


@bp.route("/cities/<slug>/profile/edit", methods=["GET", "POST"])
def edit_profile(slug: str):
    """Let the city declare its own interests, needs and offers (weights 0 to 1 per theme).

    Saving needs a signed-in editor of this city or an administrator; on any error the page
    comes back with the person's input kept and each problem next to its field. The change is
    recorded in the history, with its editor and the weights before and after.
    """
    found = city_or_404(slug)
    actor = auth.current_actor()
    if actor is None or not actor.may_edit_city(found.slug):
        return signin.refusal(f"the declared profile of {found.name}")
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
    if not valid:
        page = render_template("profile_edit.html", city=found, form=form, themes=themes)
        return page, 422

    weights = form.weights()
    with history.recording_profile(session, actor, found.slug, list(weights)):
        city_service.update_declared_profile(session, found.id, weights)
    current_app.logger.info("declared profile of %s updated by %s", found.slug, actor.name)
    flash("Your declared profile was saved.", "success")
    return redirect(url_for("views.city", slug=found.slug), code=303)


@bp.get("/about/data")
def about_data():
    """Every data source with its date, licence and the credit the licence requires, and how
    many cities each country has from each source."""
    return render_template(
        "about_data.html",
        sources=DATA_SOURCES,
        counts=city_service.city_counts(get_session()),
        map_tiles=bool(current_app.config.get("MAP_TILES_URL")),
        osm_attribution=OSM_ATTRIBUTION,
    )
