"""Networking-session endpoints: events, their attendees and their meeting schedules.

Reads are public; creating an event, adding attendees and generating the schedule need a bearer
token (checked by the blueprint before anything else). Names that match no single city are
answered 422 with the closest cities as suggestions, never guessed.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Literal

from flask import g, url_for
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    StrictBool,
)
from spectree import Response

from matcher.db import get_session
from matcher.domain import normalise_country
from matcher.importing.attendees import BEYOND_LAST_ROUND, AttendeeImportFailed
from matcher.importing.records import ImportFailed, Record
from matcher.services import events as event_service
from matcher.services import history
from matcher.web.api.base import BEARER, bp, forbidden, json_pointer, spec
from matcher.web.api.fields import COUNTRY_CODE_VALUES, whole_number
from matcher.web.api.schemas import Problem, QueryParameters
from matcher.web.errors import problem

TAGS = ["events"]
EVENT_ID = {"event_id": "Id of the event."}
#: Attendee request fields of the body, as the attendee CSV names them.
REQUEST_FIELDS = ("must_meet", "would_like", "do_not_meet")


# --------------------------------------------------------------------------- models


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


HHMM = Annotated[str, Field(pattern=r"^([01]?\d|2[0-3]):[0-5]\d$", examples=["09:00"])]
Country = Annotated[
    str,
    AfterValidator(normalise_country),
    Field(
        description="ISO 3166-1 alpha-2 code (EL and UK accepted).",
        examples=["BE"],
        json_schema_extra={"enum": COUNTRY_CODE_VALUES},
    ),
]
CityNames = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=200)]],
    Field(default_factory=list, max_length=200, description='City names, e.g. "Gent (BE)".'),
]


def _date_text(value):
    """A date is written YYYY-MM-DD (pydantic would read a number as seconds since 1970)."""
    if not isinstance(value, str | Date):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


DateText = Annotated[Date, BeforeValidator(_date_text)]


class EventCreate(_Body):
    """A new event: rounds of ``minutes`` from ``start`` (local time) with breaks between."""

    name: str = Field(min_length=1, max_length=300, examples=["Small Giants matchmaking"])
    date: DateText
    timezone: str = Field(default="Europe/Brussels", max_length=64, examples=["Europe/Rome"])
    rounds: whole_number(ge=1, le=48)
    start: HHMM = "09:00"
    minutes: whole_number(ge=1, le=240) = 20
    break_minutes: whole_number(ge=0, le=240) = 0
    tables: whole_number(ge=1, le=1000)
    no_repeat: StrictBool = Field(default=False, description="Exclude pairs met at earlier events.")


class AttendeeIn(_Body):
    """An attending city and its requests (names are resolved like the attendee CSV)."""

    city: str = Field(min_length=1, max_length=200, examples=["Gent"])
    country: Country
    unavailable_rounds: list[whole_number(ge=1, le=48)] = Field(default_factory=list)
    must_meet: CityNames
    would_like: CityNames
    do_not_meet: CityNames


class AttendeeList(RootModel[list[AttendeeIn]]):
    """The attendees to add: a JSON list."""

    root: list[AttendeeIn] = Field(min_length=1, max_length=2000)


class AttendeeQuery(QueryParameters):
    skip_unresolved: bool = Field(
        default=False, description="Leave out attendees whose city matches no single city."
    )
    replace: bool = Field(default=False, description="The list replaces the current attendees.")


class ScheduleRequest(_Body):
    method: Literal["auto", "exact", "matching", "greedy"] = "auto"


class EventCityOut(BaseModel):
    id: int
    slug: str
    name: str
    country: str


class RoundOut(BaseModel):
    number: int
    date: Date = Field(description="Local date the round starts on (rounds may run past midnight).")
    start: str
    end: str
    minutes: int


class AttendeeOut(BaseModel):
    city: EventCityOut
    unavailable_rounds: list[int]
    meetings: int


class RequestOut(BaseModel):
    id: int
    requester: EventCityOut
    target: EventCityOut
    kind: str
    mutual: bool


class MeetingOut(BaseModel):
    id: int
    round: int
    table: int
    date: Date = Field(description="Local date of the meeting's round.")
    start: str
    end: str
    a: EventCityOut
    b: EventCityOut
    score: float = Field(description="Pair fit relative to the best pair of the event (0-1).")
    kind: str
    locked: bool
    reason: str


class UnmetOut(BaseModel):
    a: str
    b: str
    reason: str


class FairnessGapOut(BaseModel):
    city: str
    meetings: int
    floor: int
    ceiling: int
    reason: str


class IdleOut(BaseModel):
    city: str
    rounds: list[int]


class QualityOut(BaseModel):
    total_score: float
    upper_bound: float
    share_of_bound: float
    greedy_total: float
    meetings: int
    meetings_min: int
    meetings_median: float
    meetings_max: int
    below_fair_floor: int
    idle_rounds: int
    must_met: int
    must_total: int
    would_like_met: int
    would_like_total: int
    method: str
    optimal: bool
    seconds: float
    generated_at: str
    unmet_must: list[UnmetOut]
    stale: bool
    spread: int = Field(0, description="Most minus fewest meetings per attending city.")
    unfairness: int = Field(
        0, description="Meetings below the fair floors plus above the fair ceilings (0 = fair)."
    )
    fair_bound: float = Field(
        0.0, description="LP bound of schedules within one meeting of the even share."
    )
    fairness_gaps: list[FairnessGapOut] = []
    idle: list[IdleOut] = []


class EventLinks(BaseModel):
    self: str
    html: str
    csv: str
    ics: str


class EventSummaryOut(BaseModel):
    id: int
    name: str
    date: Date
    timezone: str
    rounds: int
    tables: int
    attendees: int
    meetings: int
    no_repeat: bool
    url: str


class EventListOut(BaseModel):
    items: list[EventSummaryOut]


class EventOut(BaseModel):
    id: int
    name: str
    date: Date
    timezone: str
    tables: int
    no_repeat: bool
    rounds: list[RoundOut]
    attendees: list[AttendeeOut]
    requests: list[RequestOut]
    meetings: list[MeetingOut]
    quality: QualityOut | None
    links: EventLinks


# --------------------------------------------------------------------------- helpers


def _city(city: event_service.EventCity) -> EventCityOut:
    return EventCityOut(id=city.id, slug=city.slug, name=city.name, country=city.country)


def _event_out(schedule: event_service.EventSchedule) -> EventOut:
    event = schedule.event
    rounds = {r.number: r for r in event.rounds}
    report = schedule.report
    return EventOut(
        id=event.id,
        name=event.name,
        date=event.date,
        timezone=event.timezone,
        tables=event.tables,
        no_repeat=event.no_repeat,
        rounds=[
            RoundOut(
                number=r.number,
                date=r.date_on(event.date),
                start=r.start,
                end=r.end,
                minutes=r.minutes,
            )  # fmt: skip
            for r in event.rounds
        ],
        attendees=[
            AttendeeOut(
                city=_city(a.city),
                unavailable_rounds=list(a.unavailable_rounds),
                meetings=schedule.attendee_meetings.get(a.city.id, 0),
            )
            for a in event.attendees
        ],
        requests=[
            RequestOut(
                id=r.id,
                requester=_city(r.requester),
                target=_city(r.target),
                kind=r.kind,
                mutual=r.mutual,
            )
            for r in event.requests
        ],
        meetings=[
            MeetingOut(
                id=m.id,
                round=m.round,
                table=m.table,
                date=rounds[m.round].date_on(event.date),
                start=rounds[m.round].start,
                end=rounds[m.round].end,
                a=_city(m.a),
                b=_city(m.b),
                score=round(m.score, 4),
                kind=m.kind,
                locked=m.locked,
                reason=m.reason,
            )
            for m in event.meetings
        ],
        quality=QualityOut(
            **{k: v for k, v in report.as_dict().items() if k in QualityOut.model_fields}
        )
        if report
        else None,
        links=EventLinks(
            self=url_for("api.get_event", event_id=event.id),
            html=url_for("events.detail", event_id=event.id),
            csv=url_for("events.schedule_csv", event_id=event.id),
            ics=url_for("events.schedule_ics", event_id=event.id),
        ),
    )


def _not_found(event_id: int):
    return problem(404, "Not Found", f"No event with id {event_id}.")


def _invalid(message: str):
    return problem(422, "Invalid request", message)


# --------------------------------------------------------------------------- endpoints


@bp.get("/events")
@spec.validate(resp=Response(HTTP_200=EventListOut), tags=TAGS, operation_id="listEvents")
def list_events():
    """Every networking session, the latest first."""
    return EventListOut(
        items=[
            EventSummaryOut(
                id=s.id,
                name=s.name,
                date=s.date,
                timezone=s.timezone,
                rounds=s.rounds,
                tables=s.tables,
                attendees=s.attendees,
                meetings=s.meetings,
                no_repeat=s.no_repeat,
                url=url_for("api.get_event", event_id=s.id),
            )
            for s in event_service.list_events(get_session())
        ]
    )


@bp.get("/events/<int:event_id>")
@spec.validate(
    resp=Response(HTTP_200=EventOut, HTTP_404=Problem),
    tags=TAGS,
    operation_id="getEvent",
    path_parameter_descriptions=EVENT_ID,
)
def get_event(event_id: int):
    """One event: rounds, attendees, requests, the schedule and its quality report."""
    try:
        return _event_out(event_service.get_schedule(get_session(), event_id))
    except event_service.EventNotFound:
        return _not_found(event_id)


@bp.post("/events")
@spec.validate(
    resp=Response(
        HTTP_201=EventOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_415=Problem,
        HTTP_422=Problem,
        HTTP_429=Problem,
    ),
    tags=TAGS,
    operation_id="createEvent",
    security=BEARER,
    validation_error_status=422,
)
def create_event(json: EventCreate):
    """Create an event. Needs `Authorization: Bearer <token>` of an administrator."""
    if not g.api_actor.is_admin:
        return forbidden("the list of events (creating one)")
    session = get_session()
    try:
        event = event_service.create_event(
            session,
            json.name,
            json.date,
            json.timezone,
            json.rounds,
            json.start,
            json.minutes,
            tables=json.tables,
            break_minutes=json.break_minutes,
            no_repeat=json.no_repeat,
        )
    except event_service.EventError as exc:
        return _invalid(str(exc))
    history.record(session, g.api_actor, "event.create", event_id=event.id,
                   summary=f"event created: {event.name}")  # fmt: skip
    return _event_out(event_service.get_schedule(session, event.id)), 201


@bp.post("/events/<int:event_id>/attendees")
@spec.validate(
    resp=Response(
        HTTP_200=EventOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_415=Problem,
        HTTP_422=Problem,
        HTTP_429=Problem,
    ),
    tags=TAGS,
    operation_id="addEventAttendees",
    security=BEARER,
    validation_error_status=422,
    path_parameter_descriptions=EVENT_ID,
)
def add_attendees(event_id: int, json: AttendeeList, query: AttendeeQuery):
    """Add attending cities (a JSON list) with their unavailable rounds and requests.

    Names are matched like the attendee CSV: typos and missing accents are fine. A
    well-formed list that names a city the data does not hold, or holds several of
    ("Frankfurt"), is answered 404 ("City not found") with the names and their suggestions
    in `errors`, and nothing is added (unless `skip_unresolved=true`). Unavailable rounds
    beyond the event's last round are a conflict with the event (409); other invalid values
    are 422. Needs `Authorization: Bearer <token>` of an editor of
    this event or an administrator.
    """
    if not g.api_actor.may_edit_event(event_id):
        return forbidden(f"event {event_id}")
    records = [
        Record(position, {**item.model_dump(), "unavailable_rounds": item.unavailable_rounds})
        for position, item in enumerate(json.root, start=1)
    ]
    session = get_session()
    summary = f"{len(records)} attendees sent" + (", replacing the list" if query.replace else "")
    try:
        names = {"names": [item.city for item in json.root]}
        with history.recording(session, g.api_actor, "event.attendees", event_id=event_id,
                               summary=summary, details=names):  # fmt: skip
            event_service.import_attendee_records(
                session,
                event_id,
                records,
                skip_unresolved=query.skip_unresolved,
                replace=query.replace,
            )
    except event_service.EventNotFound:
        return _not_found(event_id)
    except ImportFailed as exc:
        return _import_problem(exc)
    except event_service.EventError as exc:
        return _invalid(str(exc))
    return _event_out(event_service.get_schedule(session, event_id))


def _import_problem(exc: ImportFailed):
    """422 for invalid values. A well-formed list can still not fit the stored data: 404 when
    the only problems are names that resolve to no single city (any text is a valid name,
    but what it names is not in the data, as with an unknown slug in a path); 409 when
    the problems are such names and rounds beyond the event's last round (a conflict with
    the event as it is set up, like scheduling an event without attendees)."""
    suggestions = {}
    if isinstance(exc, AttendeeImportFailed):
        suggestions = {(u.row, u.field): list(u.suggestions) for u in exc.unresolved}
    errors = []
    for item in exc.problems:
        entry = {
            "pointer": json_pointer((item.row - 1, item.field) if item.field else (item.row - 1,))
            if item.row
            else "#",
            "detail": item.message,
        }
        if (item.row, item.field) in suggestions:
            entry["suggestions"] = suggestions[(item.row, item.field)]
        errors.append(entry)
    names = [(item.row, item.field) in suggestions for item in exc.problems]
    rounds = [item.field == "unavailable_rounds" and BEYOND_LAST_ROUND in item.message
              for item in exc.problems]  # fmt: skip
    if names and all(names):
        return problem(
            404,
            "City not found",
            "Some names match no single city, so no attendee was added; see 'errors' for "
            "each name and its suggestions.",
            errors=errors,
        )
    if any(rounds) and all(n or r for n, r in zip(names, rounds, strict=True)):
        return problem(
            409,
            "Conflict with the event",
            "Some attendees do not fit the event as it is set up (its rounds) or name no "
            "single city, so none were added; see 'errors'.",
            errors=errors,
        )
    return problem(
        422,
        "Invalid request",
        "Some attendees could not be added, so none were; see 'errors'.",
        errors=errors,
    )


@bp.post("/events/<int:event_id>/schedule")
@spec.validate(
    resp=Response(
        HTTP_200=EventOut,
        HTTP_401=Problem,
        HTTP_403=Problem,
        HTTP_404=Problem,
        HTTP_409=Problem,
        HTTP_415=Problem,
        HTTP_422=Problem,
        HTTP_429=Problem,
    ),
    tags=TAGS,
    operation_id="scheduleEvent",
    security=BEARER,
    validation_error_status=422,
    path_parameter_descriptions=EVENT_ID,
)
def schedule_event(event_id: int, json: ScheduleRequest):
    """Generate the event's schedule (locked meetings stay) and return it with its quality.

    Send `{}` for the default method. Needs `Authorization: Bearer <token>` of an editor of
    this event or an administrator.
    """
    if not g.api_actor.may_edit_event(event_id):
        return forbidden(f"event {event_id}")
    session = get_session()
    try:
        with history.recording(session, g.api_actor, "event.schedule", event_id=event_id,
                               summary=f"schedule generated ({json.method})"):  # fmt: skip
            result = event_service.generate_schedule(session, event_id, method=json.method)
    except event_service.EventNotFound:
        return _not_found(event_id)
    except event_service.EventConflict as exc:
        return problem(409, "Conflict", str(exc))
    except event_service.EventError as exc:
        return _invalid(str(exc))
    return _event_out(result)
