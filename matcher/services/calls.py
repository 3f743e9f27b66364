"""Funding calls: which calls can this city apply to, why not the others, who completes a
valid consortium. The call index is built once per process and rebuilt on a new data version.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.domain import City, FundingCall, ProfileKind, RuleKind, RuleResult, RuleStatus
from matcher.services.indexes import PROFILE_SCOPE, cached, unaffected_by

#: Rule kinds that inform and never decide (co-funding rates); as in the eligibility check.
INFORMATIONAL_KINDS = frozenset({str(RuleKind.COFUNDING)})

#: Rules about the consortium as a whole: for a single city an unmet one means "find
#: partners", not "check the call text".
CONSORTIUM_RULE_KINDS = frozenset(
    {str(RuleKind.MIN_PARTNERS), str(RuleKind.MIN_COUNTRIES), str(RuleKind.REQUIRED_MEMBER)}
)
STATUS_CHOICES = ("open", "forthcoming", "all")
#: Suitability (:mod:`matcher.scoring.calls.suitability`) a call needs to be offered to a
#: city: written for cities, a named municipal role, or a programme municipalities typically
#: win. Calls below it ("stakeholders include public authorities", unlikely, never) are
#: listed apart, after the offers: over the graded seed calls, about one in four of the
#: "possible" ones and almost none below were calls a municipality would go for.
OFFER_MIN_SUITABILITY = 0.5


class CallQueryError(ValueError):
    """A call query with an invalid option; the message says which and why."""


@dataclass(frozen=True)
class CallFilters:
    """Options of a call search; every one is a hard filter applied before ranking."""

    #: Open and forthcoming by default (DESIGN: the calls a city can go for now or prepare):
    #: months after a snapshot few calls are still open, and a city must still see the next
    #: ones; each call says whether it is forthcoming.
    status: str = "all"
    programmes: tuple[str, ...] = ()
    deadline_within_days: int | None = None
    min_budget: float | None = None
    limit: int | None = None


@dataclass
class CallsForCity:
    """Calls grouped by what the city can do about them, each group ranked by fit."""

    city: City
    today: date
    eligible: list = field(default_factory=list)  # every rule passed
    needs_partners: list = field(default_factory=list)  # eligible once partners join
    #: Offered calls (eligible now or once partners join) that do not lead: on none of the
    #: city's declared needs, or, without declared needs, not written for cities. The two
    #: groups above hold the calls that lead; these follow.
    other_offers: list = field(default_factory=list)
    check_text: list = field(default_factory=list)  # a rule could not be read: check the text
    unsuited: list = field(default_factory=list)  # not aimed at municipalities (not offered)
    data_label: str = ""  # how recent the call data is ("Aug 2026", "2026-12-01")
    data_as_of: date | None = None  # that date (a snapshot month counts from its first day)
    data_stale: bool = False  # older than STALE_AFTER_DAYS: refresh with `matcher calls fetch`
    ineligible: list = field(default_factory=list)  # a rule failed, named in the match
    considered: int = 0
    needs: tuple[str, ...] = ()  # the city's declared needs (theme ids), strongest first
    #: What leads the offered groups: "needs" (calls on the declared needs) or "cities"
    #: (calls written for cities, when the city declared no needs).
    lead: str = "cities"


#: The groups of a city's calls, in the order they are shown.
CITY_CALL_GROUPS = (
    "eligible", "needs_partners", "other_offers", "check_text", "unsuited", "ineligible",
)  # fmt: skip
#: The groups whose calls are offered to the city (the top of its list).
OFFERED_GROUPS = ("eligible", "needs_partners")


def declared_needs(city: City) -> tuple[str, ...]:
    """The city's needs with a positive weight, strongest first (then by theme id)."""
    weights = city.weights(ProfileKind.NEED)
    return tuple(sorted((t for t, w in weights.items() if w > 0), key=lambda t: (-weights[t], t)))


def written_for_cities(match) -> bool:
    """Whether a ranked call is written for cities (its suitability says so, with the
    sentence or instrument it rests on)."""
    return match.suitability is not None and match.suitability.written_for_cities


def on_needs(match) -> bool:
    """Whether a ranked call is on one of the city's declared needs: the need is among the
    call's themes (:attr:`~matcher.scoring.calls.matches.CallMatch.matching_needs`)."""
    return bool(match.matching_needs)


def offer_group(match) -> str:
    """The group of a ranked call for a city: a failed rule makes it ``ineligible``; else a
    call not aimed at municipalities is ``unsuited`` (listed, not offered); else its rules
    decide (:func:`rule_group`)."""
    group = rule_group(match.rules)
    suitability = getattr(match, "suitability", None)
    if group != "ineligible" and suitability and suitability.score < OFFER_MIN_SUITABILITY:
        return "unsuited"
    return group


def rule_group(results: tuple[RuleResult, ...] | list[RuleResult]) -> str:
    """``eligible``, ``needs_partners``, ``check_text`` or ``ineligible`` for rule results."""
    # Co-funding is information, never a gate: an unreadable rate decides no group.
    results = [r for r in results if r.kind not in INFORMATIONAL_KINDS]
    if any(r.status == RuleStatus.FAILED for r in results):
        return "ineligible"
    unknown = [r for r in results if r.status == RuleStatus.UNKNOWN]
    if not unknown:
        return "eligible"
    if all(r.kind in CONSORTIUM_RULE_KINDS for r in unknown):
        return "needs_partners"
    return "check_text"


class CallService:
    """The fitted call index and the calls and themes it was built from."""

    def __init__(
        self,
        calls: list[FundingCall],
        theme_ids: list[str],
        labels: dict[str, str],
        theme_texts: dict[str, str] | None = None,
        sources: list[str] | None = None,
    ):
        from matcher.scoring.calls.ranking import CallIndex

        self.calls = {c.id: c for c in calls}
        self.theme_labels = labels
        self.data_date, self.data_label = data_date(sources or [])
        self.index = CallIndex().fit(calls, theme_ids, theme_texts)
        self.programmes = sorted({c.programme for c in calls if c.programme})


#: Call data older than this many days is flagged on the calls pages.
STALE_AFTER_DAYS = 60
_FETCHED = re.compile(r"fetched (\d{4}-\d{2}-\d{2})")
_SNAPSHOT = re.compile(r"snapshot (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\w* (\d{4})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def data_date(sources: list[str]) -> tuple[date | None, str]:
    """The date of the newest call data among the calls' sources ("fetched 2026-12-01", or a
    snapshot month, counted from its first day), and how to say it; (None, "") if unknown."""
    best: tuple[date, str] | None = None
    for source in set(sources):
        for found in _FETCHED.findall(source):
            day = date.fromisoformat(found)
            best = max(best or (day, found), (day, found))
        for month, year in _SNAPSHOT.findall(source):
            day = date(int(year), _MONTHS.index(month) + 1, 1)
            best = max(best or (day, f"{month} {year}"), (day, f"{month} {year}"))
    return best if best else (None, "")


def data_is_stale(service: CallService, today: date) -> bool:
    """Whether the call data is older than :data:`STALE_AFTER_DAYS` on ``today``."""
    return service.data_date is not None and (today - service.data_date).days > STALE_AFTER_DAYS


def data_freshness(session: Session, today: date) -> tuple[date | None, str, bool]:
    """The call data's date, how to say it, and whether it is old on ``today``."""
    return _freshness(call_service(session), today)


def _freshness(service: CallService, today: date) -> tuple[date | None, str, bool]:
    return service.data_date, service.data_label, data_is_stale(service, today)


def _build(session: Session) -> CallService:
    themes = repository.list_themes(session)
    return CallService(
        repository.all_calls(session),
        [t.id for t in themes],
        {t.id: t.label for t in themes},
        {t.id: " ".join([t.label, t.description, *t.synonyms]) for t in themes},
        repository.call_sources(session),
    )


def call_service(session: Session) -> CallService:
    """The per-process call index for this database."""
    # Built from the calls and the theme vocabulary only: a city's profile write keeps it.
    return cached(session, "calls", _build, persist=True, update=unaffected_by(PROFILE_SCOPE))


def city_text(session: Session, city: City) -> str:
    """What the city has worked on, in words: its projects' titles and descriptions."""
    return " ".join(
        f"{c.title}. {c.description}"
        for c in repository.collaborations_of_city(session, city.id)
        if c.kind == "project"
    )


def _validate(service: CallService, filters: CallFilters) -> None:
    if filters.status not in STATUS_CHOICES:
        raise CallQueryError(f"status must be one of: {', '.join(STATUS_CHOICES)}")
    unknown = [p for p in filters.programmes if p not in service.programmes]
    if unknown:
        raise CallQueryError(
            f"unknown programme(s): {', '.join(unknown)}; known: {', '.join(service.programmes)}"
        )
    if filters.deadline_within_days is not None and filters.deadline_within_days < 0:
        raise CallQueryError("the deadline window must be zero or more days")
    if filters.min_budget is not None and filters.min_budget < 0:
        raise CallQueryError("the minimum budget must be zero or more")


def calls_for_city(
    session: Session, city: City, today: date, filters: CallFilters = CallFilters()
) -> CallsForCity:
    """Calls for one city, grouped (eligible / needs partners / check the text / ineligible)
    and ranked by fit inside each group; ineligible calls name the failing rule.

    The offered groups (eligible now, once partners join) hold the calls that lead: those on
    the city's declared needs, or without declared needs those written for cities; the other
    calls the city could go for follow in ``other_offers``."""
    service = call_service(session)
    _validate(service, filters)
    ranking = service.index.rank_for_city(
        city,
        today,
        status=filters.status,
        programmes=filters.programmes or None,
        deadline_within_days=filters.deadline_within_days,
        min_budget=filters.min_budget,
        city_text=city_text(session, city),
    )
    as_of, label, stale = _freshness(service, today)
    grouped = CallsForCity(
        city=city,
        today=today,
        considered=ranking.considered,
        data_label=label,
        data_as_of=as_of,
        data_stale=stale,
    )
    for match in (*ranking.eligible, *ranking.unknown, *ranking.ineligible):
        getattr(grouped, offer_group(match)).append(match)
    # Each group by fit; the calls written for cities first (each with the sentence that says
    # so) when the city declared no needs.
    needs = declared_needs(city)
    for name in CITY_CALL_GROUPS:
        items = sorted(getattr(grouped, name), key=lambda m: (
            bool(needs) or not written_for_cities(m), -m.fit, m.deadline or date.max,
            m.call_id))  # fmt: skip
        setattr(grouped, name, items)
    # The offered groups (eligible now, once partners join) lead with the calls on the city's
    # declared needs, or without needs with the calls written for cities; the other calls it
    # could go for follow in ``other_offers``, eligible now first, each by fit.
    leads = on_needs if needs else written_for_cities
    grouped.needs, grouped.lead = needs, "needs" if needs else "cities"
    for name in OFFERED_GROUPS:
        items = getattr(grouped, name)
        setattr(grouped, name, [m for m in items if leads(m)])
        grouped.other_offers.extend(m for m in items if not leads(m))
    if filters.limit:
        for name in CITY_CALL_GROUPS:
            setattr(grouped, name, getattr(grouped, name)[: filters.limit])
    return grouped


def list_calls(
    session: Session,
    today: date,
    *,
    status: str = "all",
    programmes: tuple[str, ...] = (),
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[FundingCall], int]:
    """One page of calls, upcoming deadlines first (soonest first), then closed ones; and the
    total. ``status`` is ``open``, ``forthcoming``, ``closed`` or ``all`` on ``today``."""
    service = call_service(session)
    unknown = [p for p in programmes if p not in service.programmes]
    if unknown:
        raise CallQueryError(f"unknown programme(s): {', '.join(unknown)}")
    wanted = set(programmes)
    chosen = [
        call
        for call in service.calls.values()
        if (status == "all" or call.status(today) == status)
        and (not wanted or call.programme in wanted)
    ]
    chosen.sort(key=lambda call: _listing_key(call, today))
    start = (max(page, 1) - 1) * per_page
    return chosen[start : start + per_page], len(chosen)


def _listing_key(call: FundingCall, today: date) -> tuple:
    upcoming = call.deadline_after(today)
    return (upcoming is None, upcoming or call.next_deadline or date.max, call.id)


def programmes(session: Session) -> list[str]:
    """The programmes that have calls, alphabetically."""
    return call_service(session).programmes


def get_call(session: Session, call_id: str) -> FundingCall | None:
    """A call from the in-memory index."""
    return call_service(session).calls.get(call_id)


@dataclass(frozen=True)
class CallDetail:
    """One call with its status and, for a city or consortium, every rule's verdict."""

    call: FundingCall
    status: str
    deadline: date | None
    days_left: int | None
    results: tuple[RuleResult, ...]
    group: str | None  # rule_group of the results, when evaluated for someone
    theme_labels: dict[str, str]


def call_detail(
    session: Session, call_id: str, today: date, cities: list[City] | None = None
) -> CallDetail | None:
    """The call, with its rules judged for ``cities`` (one city, or a consortium)."""
    from matcher.scoring.calls.eligibility import evaluate_city, evaluate_consortium

    service = call_service(session)
    call = service.calls.get(call_id)
    if call is None:
        return None
    if not cities:
        results: tuple[RuleResult, ...] = ()
    elif len(cities) == 1:
        results = tuple(evaluate_city(call, cities[0], today))
    else:
        results = tuple(evaluate_consortium(call, cities, today))
    deadline = call.deadline_after(today)
    return CallDetail(
        call=call,
        status=call.status(today),
        deadline=deadline or call.next_deadline,
        days_left=(deadline - today).days if deadline else None,
        results=results,
        group=rule_group(results) if results else None,
        theme_labels=service.theme_labels,
    )


def build_consortium(
    session: Session,
    call_id: str,
    lead: City,
    today: date,
    *,
    size: int | None = None,
    countries: tuple[str, ...] = (),
):
    """Propose partners for ``lead`` that satisfy every consortium rule of the call and fit
    best (call fit plus pairwise partner fit), with alternatives per slot; when no valid set
    exists the proposal names the unmet rule and the relaxations that would fix it."""
    from matcher.scoring.calls.consortium.builder import build_consortium as build
    from matcher.services.partners import partner_index

    service = call_service(session)
    call = service.calls.get(call_id)
    if call is None:
        raise LookupError(f"no call {call_id!r}")
    if size is not None and not 1 <= size <= 20:
        raise CallQueryError("a consortium has between 1 and 20 members")
    partners = partner_index(session)
    # Towns under 20,000 are in the data for the partnerships they ran, not proposed as
    # partners unasked (the default views keep 20,000 and more); large cities are.
    candidates = [c for c in partners.cities.values() if c.id != lead.id and c.size_band != "xs"]
    fits = service.index.call_fit_of_cities(call_id, [lead, *candidates])
    try:
        return build(
            call,
            lead,
            candidates,
            call_fit=fits,
            pair_fit=partners.pair_fit,
            size=size,
            countries=countries or None,
            today=today,
            theme_labels=service.theme_labels,
        )
    except ValueError as exc:
        raise CallQueryError(str(exc)) from None


def rules_report(session: Session) -> list[dict]:
    """Per rule kind: how many stored calls have it parsed, unknown or absent, and how many
    parsed ones come from a programme default rather than the topic's own text."""
    from matcher.scoring.calls.rules import summarise_rules

    calls = repository.all_calls(session)
    return [{**row, "calls": len(calls)} for row in summarise_rules([c.rules for c in calls])]


def programme_names(session: Session) -> list[str]:
    """Every programme a stored call belongs to (what the ``programme`` filters accept),
    read straight from the database: no call index is built."""
    return repository.programme_names(session)
