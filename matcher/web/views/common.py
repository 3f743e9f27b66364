"""What every page shares: the ``views`` blueprint (templates and static files live beside
the web package), the labels of score parts, rules and call groups, and template helpers."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app
from werkzeug.exceptions import NotFound

from matcher.db import get_session
from matcher.domain import COUNTRY_NAMES, City, RuleStatus, size_band_label
from matcher.services import calls as calls_service
from matcher.services import cities as city_service
from matcher.services.clock import today as clock_today
from matcher.web.labels import KIND_LABELS, commitment_label

# Templates and static files live next to this module, not in the app package root.
bp = Blueprint(
    "views",
    __name__,
    template_folder="../templates",
    static_folder="../static",
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
#: Words for the parts of a partner score (see :mod:`matcher.scoring.partners.ranker`); a part the
#: engine adds later is shown by its name until it gets words here.
PART_LABELS: dict[str, str] = {
    "shared_interests": "Shared interests",
    "complementarity": "Your needs, their offers",
    "experience": "Projects on your themes",
    "track_record": "Track record in EU partnerships",
    "text": "Similar project work",
    "peer_size": "Similar size",
    "size": "Size",
    "proximity": "Close by",
    "geography": "Your place preference",
    "history": "Worked together before",
    "networks": "Shared networks",
    "common_partners": "Partners in common",
    "exposure": "Suggested to many cities already",
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
        "other_offers",
        "More calls you could go for",
        "Calls the city can apply to now or once partners join that are not on its declared"
        " needs (without declared needs: not written for cities); the groups above lead.",
    ),
    (
        "check_text",
        "Check the call text",
        "A rule of the call could not be read reliably; read the call text before applying.",
    ),
    (
        "unsuited",
        "Not aimed at municipalities",
        "Listed for completeness: the call's text, programme or type of action says a"
        " municipality would hardly take part.",
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


def page_today() -> date:
    """Today, or the configured MATCHER_TODAY."""
    return clock_today(current_app.config.get("TODAY"))


def city_or_404(slug: str) -> City:
    """The city with this slug, or a 404 page that suggests the search and the cities the
    slug may have meant."""
    session = get_session()
    found = city_service.get_city(session, slug)
    if found is None:
        error = NotFound(f"We have no city '{slug}'. Try the search instead.")
        # The error page links the cities a mistyped or old address may have meant.
        error.suggestions = city_service.cities_like_slug(session, slug)
        raise error
    return found
