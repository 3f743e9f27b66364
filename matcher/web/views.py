"""HTML pages."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from matcher.db import get_session
from matcher.domain import COUNTRY_NAMES, ProfileKind, size_band_label
from matcher.services import cities as city_service

bp = Blueprint("views", __name__)


@bp.app_context_processor
def _helpers():
    return {"country_name": lambda code: COUNTRY_NAMES.get(code, code),
            "size_band_label": size_band_label}  # fmt: skip


@bp.get("/")
def home():
    """Search box and the list of cities, a page at a time."""
    session = get_session()
    query = request.args.get("q", "").strip()
    page = request.args.get("page", 1, type=int) or 1
    hits = city_service.search_cities(session, query, limit=20) if query else []
    cities, total = city_service.list_cities(session, page=page, per_page=50)
    return render_template("home.html", query=query, hits=hits, cities=cities, total=total,
                           page=page, pages=max(1, -(-total // 50)))  # fmt: skip


@bp.get("/cities/<slug>")
def city(slug: str):
    """A city's profile and past collaborations."""
    from matcher.db import repository

    session = get_session()
    found = repository.get_city(session, slug)
    if found is None:
        abort(404, description=f"No city '{slug}'.")
    themes = {t.id: t for t in repository.list_themes(session)}
    profile = {kind: sorted(found.weights(kind).items(), key=lambda kv: -kv[1])
               for kind in ProfileKind}  # fmt: skip
    provenance = {(e.kind, e.theme_id): e.provenance for e in found.profile}
    return render_template(
        "city.html",
        city=found,
        themes=themes,
        profile=profile,
        provenance=provenance,
        collaborations=city_service.city_collaborations(session, found.id),
    )
