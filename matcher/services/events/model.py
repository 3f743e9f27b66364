"""What the event use cases hand out: plain frozen dataclasses built from the stored rows."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from matcher.db.models import EventRow

#: Request kinds as stored and shown; the scheduler calls must-meet "must".
REQUEST_KINDS = ("must-meet", "would-like", "do-not-meet")


class EventError(ValueError):
    """Invalid event input or a state that forbids the operation; the message says which."""


class EventNotFound(EventError, LookupError):
    """No event with that id."""


class EventConflict(EventError):
    """A valid request the event's current state does not allow yet (no attendees to
    schedule): the API answers 409, not 422."""


@dataclass(frozen=True, slots=True)
class EventCity:
    """An attendee city as events show it."""

    id: int
    slug: str
    name: str
    country: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.country})"


@dataclass(frozen=True, slots=True)
class Round:
    """One round: its number, local start time (HH:MM), length and ``day``, the days after
    the event's date on which it starts (rounds may run past midnight: see
    :func:`rounds_in_order`)."""

    number: int
    start: str
    minutes: int
    day: int = 0

    def date_on(self, event_date: date) -> date:
        """The date the round starts on, for an event on ``event_date``."""
        return event_date + timedelta(days=self.day)

    @property
    def end(self) -> str:
        hours, minutes = map(int, self.start.split(":"))
        total = hours * 60 + minutes + self.minutes
        return f"{total // 60 % 24:02d}:{total % 60:02d}"

    def starts_at(self, event_date: date, timezone: str) -> datetime:
        """Timezone-aware start of the round of an event on ``event_date``."""
        hours, minutes = map(int, self.start.split(":"))
        day = self.date_on(event_date)
        return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=ZoneInfo(timezone))

    def ends_at(self, event_date: date, timezone: str) -> datetime:
        # Wall-clock arithmetic: a 20-minute round lasts 20 minutes on the clock of the room.
        return self.starts_at(event_date, timezone) + timedelta(minutes=self.minutes)


def rounds_in_order(rows) -> tuple[Round, ...]:
    """Rounds from ``(number, start HH:MM, minutes)`` in number order, each on its day: a
    round that starts no later on the clock than the round before it starts the next day
    (rounds follow each other with at most a few hours between them, never a whole day)."""
    rounds, day, previous = [], 0, -1
    for number, start, minutes in sorted(rows):
        hours, mins = map(int, start.split(":"))
        clock = hours * 60 + mins
        if clock <= previous:
            day += 1
        previous = clock
        rounds.append(Round(number, start, minutes, day))
    return tuple(rounds)


@dataclass(frozen=True, slots=True)
class Attendee:
    city: EventCity
    unavailable_rounds: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Request:
    id: int
    requester: EventCity
    target: EventCity
    kind: str  # must-meet / would-like / do-not-meet
    mutual: bool


@dataclass(frozen=True, slots=True)
class ScheduledMeeting:
    """A stored meeting; ``reason`` says why they should meet.

    ``score`` is the partner engine's fit of the pair relative to the best pair of the event
    (1 = the best pair; the report's ``score_scale`` is that pair's raw engine score).
    """

    id: int
    round: int
    table: int
    a: EventCity
    b: EventCity
    score: float
    kind: str
    locked: bool
    reason: str

    def partner_of(self, city_id: int) -> EventCity:
        return self.b if self.a.id == city_id else self.a


@dataclass(frozen=True)
class Event:
    """An event with everything stored about it."""

    id: int
    name: str
    date: date
    timezone: str
    tables: int
    no_repeat: bool
    rounds: tuple[Round, ...]
    attendees: tuple[Attendee, ...]
    requests: tuple[Request, ...] = ()
    meetings: tuple[ScheduledMeeting, ...] = ()
    report: dict | None = None

    def round(self, number: int) -> Round:
        return next(r for r in self.rounds if r.number == number)

    def attendee(self, city_id: int) -> Attendee | None:
        return next((a for a in self.attendees if a.city.id == city_id), None)


@dataclass(frozen=True, slots=True)
class EventSummary:
    """A line of the event list."""

    id: int
    name: str
    date: date
    timezone: str
    rounds: int
    tables: int
    attendees: int
    meetings: int
    no_repeat: bool


@dataclass(frozen=True)
class ScheduleReport:
    """How good the stored schedule is.

    ``share_of_bound`` compares the total value (pair scores plus would-like bonuses) with the
    LP upper bound of the problem; ``stale`` says that attendees, requests or rounds changed
    after the schedule was generated.
    """

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
    unmet_must: tuple[dict, ...] = ()
    stale: bool = False
    #: Raw engine score of the event's best pair; meeting scores are relative to it.
    score_scale: float = 1.0
    #: Most minus fewest meetings among attendees present in at least one round.
    spread: int = 0
    #: Meetings below the attendees' fair floors plus above their ceilings (0 = fair).
    unfairness: int = 0
    #: LP bound of the schedules that keep everyone within one meeting of the even share.
    fair_bound: float = 0.0
    #: Attendees outside their fair range: city, meetings, floor, ceiling, reason.
    fairness_gaps: tuple[dict, ...] = ()
    #: Attendees with idle rounds: city and the rounds it attends without a meeting.
    idle: tuple[dict, ...] = ()
    #: Candidate partners per attendee the schedule was made from (widened for fairness).
    candidates: int = 0

    def as_dict(self) -> dict:
        from dataclasses import asdict

        data = asdict(self)
        for key in ("unmet_must", "fairness_gaps", "idle"):
            data[key] = [dict(item) for item in getattr(self, key)]
        return data


@dataclass(frozen=True)
class EventSchedule:
    """The schedule of an event: the grid (round -> table -> meeting) and its quality report.

    ``grid`` has one entry per round, each with one slot per table (None when the table is free).
    """

    event: Event
    grid: tuple[tuple[Round, tuple[ScheduledMeeting | None, ...]], ...]
    report: ScheduleReport | None
    attendee_meetings: dict[int, int] = field(default_factory=dict)

    @property
    def meetings(self) -> tuple[ScheduledMeeting, ...]:
        return self.event.meetings

    def agenda(self, city_id: int) -> list[ScheduledMeeting]:
        """The meetings of one attendee in round order."""
        return [m for m in self.event.meetings if city_id in (m.a.id, m.b.id)]

    def meetings_per_attendee(self) -> tuple[int, float, int]:
        """(min, median, max) meetings over the attendees, from the stored meetings."""
        counts = list(self.attendee_meetings.values()) or [0]
        return min(counts), float(statistics.median(counts)), max(counts)


# --------------------------------------------------------------------------- from rows


def event_from_row(row: EventRow, cities: dict[int, EventCity]) -> Event:
    """The event of a fully loaded row; ``cities`` names every city it mentions."""
    meetings = sorted(row.meetings, key=lambda m: (m.round_number, m.table_number))
    requests = sorted(row.requests, key=lambda r: r.id)
    return Event(
        id=row.id,
        name=row.name,
        date=row.event_date,
        timezone=row.timezone,
        tables=row.tables,
        no_repeat=bool(row.no_repeat_memory),
        rounds=rounds_in_order((r.number, r.start_time, r.minutes) for r in row.rounds),
        attendees=tuple(
            sorted(
                (
                    Attendee(cities[a.city_id], tuple(sorted(a.unavailable_rounds or ())))
                    for a in row.attendees
                ),
                key=lambda a: (a.city.name, a.city.country, a.city.id),
            )
        ),
        requests=tuple(
            Request(r.id, cities[r.from_city_id], cities[r.to_city_id], r.kind, bool(r.mutual))
            for r in requests
        ),
        meetings=tuple(
            ScheduledMeeting(
                id=m.id,
                round=m.round_number,
                table=m.table_number,
                a=cities[m.city_a_id],
                b=cities[m.city_b_id],
                score=float(m.score),
                kind=m.kind,
                locked=bool(m.locked),
                reason=m.reason or "",
            )
            for m in meetings
        ),
        report=dict(row.schedule_report) if row.schedule_report else None,
    )


def report_from_dict(data: dict | None) -> ScheduleReport | None:
    if not data:
        return None
    known = ScheduleReport.__dataclass_fields__
    values = {k: v for k, v in data.items() if k in known}
    for key in ("unmet_must", "fairness_gaps", "idle"):
        values[key] = tuple(values.get(key) or ())
    return ScheduleReport(**values)
