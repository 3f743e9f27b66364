"""Generating an event's meeting schedule with the pure scheduler, and reading it back.

The pair scores come from the partner engine: for each attendee, the engine's default score of
every other attendee (the same score partner search ranks by, in [0, 1]); each attendee keeps its
``candidates`` best partners, plus every pair named in a request or a locked meeting. A pair
scored from both sides keeps the higher score: either side's interest is a reason to meet.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlalchemy.orm import Session

from matcher.db import repository
from matcher.db.models import EventRow, MeetingRow
from matcher.importing.attendees import AttendeeRow
from matcher.importing.records import ImportFailed
from matcher.scoring.schedule.model import pair_key
from matcher.scoring.schedule.solve import (
    LockedMeeting,
    MeetingRequest,
    RequestKind,
    Schedule,
    ScheduleProblem,
    schedule,
    validate,
)
from matcher.services.events import attendees as attendee_steps
from matcher.services.events import manage
from matcher.services.events.model import (
    EventCity,
    EventConflict,
    EventError,
    EventSchedule,
    ScheduledMeeting,
    report_from_dict,
)

#: Partners kept per attendee from the engine's ranking (requested pairs come on top).
CANDIDATES_PER_ATTENDEE = 24
#: When a schedule leaves someone outside its fair range, the candidate lists are widened this
#: many times once, up to this many (attendee, candidate) entries: on 200 seed cities x 6
#: rounds x 60 tables, top-24 lists left 31 cities below the floor (the fairness-constrained LP
#: agreed: no schedule of those pairs is fair); top-96 lists gave all of them 3-4 meetings in
#: 12 s instead of 3 s on 2 shared cores.
WIDEN_FACTOR = 4
WIDEN_MAX_PAIRS = 24_000
METHODS = ("auto", "exact", "matching", "greedy")
_KINDS = {
    "must-meet": RequestKind.MUST,
    "would-like": RequestKind.WOULD_LIKE,
    "do-not-meet": RequestKind.DO_NOT_MEET,
}
#: Meeting kinds as stored (the scheduler says "must" for a must-meet).
_STORED_KIND = {"must": "must-meet"}
#: Explanation parts that speak about one city, not about the pair.
SOLO_PARTS = frozenset({"track_record"})
NO_REASON = "No strong common ground in the profiles: a chance to discover each other."


@dataclass(frozen=True, slots=True)
class PairFit:
    """The engine's score of ``candidate`` as a partner for ``query`` and the parts behind it."""

    score: float
    query: int
    candidate: int
    parts: dict[str, float]
    weights: dict[str, float]


# --------------------------------------------------------------------------- public


def generate_schedule(
    session: Session,
    event_id: int,
    *,
    method: str = "auto",
    candidates: int = CANDIDATES_PER_ATTENDEE,
    seed: int = 0,
) -> EventSchedule:
    """(Re)generate the event's schedule and store it with its quality report.

    Locked meetings are kept exactly; every other meeting is replaced. Raises
    :class:`EventError` when the event cannot be scheduled (fewer than two attendees, a locked
    meeting that conflicts with availability, a do-not-meet request or no-repeat memory).
    """
    row = manage.event_row(session, event_id)
    try:
        _generate(session, row, method=method, candidates=candidates, seed=seed)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return get_schedule(session, event_id)


def get_schedule(session: Session, event_id: int) -> EventSchedule:
    """The stored schedule as a grid of rounds x tables, with its quality report."""
    return _view(session, manage.event_row(session, event_id))


def schedule_once(
    session: Session,
    rows: list[AttendeeRow],
    *,
    rounds: int,
    tables: int,
    date,
    start: str = "09:00",
    minutes: int = 20,
    break_minutes: int = 0,
    timezone: str = "Europe/Brussels",
    name: str = "Networking session",
    method: str = "auto",
) -> EventSchedule:
    """Schedule an attendee list without storing anything (the one-shot command).

    The event lives in a transaction that is rolled back; ``no_repeat`` memory does not apply.
    Raises :class:`EventError` for bad settings and :class:`ImportFailed` for rows that do not
    fit the event (a round beyond the last one, a request naming a city not in the list).
    """
    try:
        row = manage.stage_event(
            session,
            name,
            date,
            timezone,
            rounds,
            start,
            minutes,
            tables=tables,
            break_minutes=break_minutes,
        )
        targets = {target for item in rows for _kind, target in item.requests}
        problems = attendee_steps.attendee_problems(
            row, rows, "attendees", names=manage.event_cities(session, targets)
        )
        if problems:
            raise ImportFailed(problems)
        attendee_steps.stage_attendees(session, row, rows)
        _generate(session, row, method=method, candidates=CANDIDATES_PER_ATTENDEE, seed=0)
        return _view(session, row)
    finally:
        session.rollback()


def pair_fits(
    index, attendees: list[int], extra_pairs: Iterable[tuple[int, int]] = (), k: int = 24
) -> dict[tuple[int, int], PairFit]:
    """Sparse pair scores among ``attendees`` from the partner index (see the module docstring).

    Raises :class:`EventError` for an attendee the index does not know.
    """
    from matcher.scoring.partners.ranker import combine, top_k

    ranker = index.ranker
    try:
        rows = ranker.rows_of(attendees)
    except KeyError as exc:
        raise EventError(f"not in the partner index yet: {exc.args[0]}") from None
    position = {city: i for i, city in enumerate(attendees)}
    wanted: dict[int, set[int]] = defaultdict(set)
    for a, b in extra_pairs:
        wanted[a].add(position[b])
        wanted[b].add(position[a])
    best: dict[tuple[int, int], PairFit] = {}
    for i, query in enumerate(attendees):
        parts, active = ranker.score_parts(query)
        weights = ranker.effective_weights(active)
        scores = combine(parts, weights)[rows].astype(np.float64)
        scores[i] = -np.inf
        chosen = set(top_k(scores, k).tolist()) | wanted.get(query, set())
        chosen.discard(i)
        for j in sorted(chosen):
            candidate = attendees[j]
            value = float(np.clip(scores[j], 0.0, 1.0))
            key = pair_key(query, candidate)
            if key in best and best[key].score >= value:
                continue
            fit_parts = {name: float(values[rows[j]]) for name, values in parts.items()}
            best[key] = PairFit(value, query, candidate, fit_parts, dict(weights))
    return best


# --------------------------------------------------------------------------- generation


def _generate(session: Session, row: EventRow, *, method: str, candidates: int, seed: int):
    from matcher.services.partners import partner_index

    if method not in METHODS:
        raise EventError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if not 1 <= candidates <= 200:
        raise EventError("candidates per attendee must be between 1 and 200")
    attendees = sorted(a.city_id for a in row.attendees)
    if len(attendees) < 2:
        raise EventConflict("add at least two attendees before generating the schedule")
    cities = manage.event_cities(session, attendees)
    rounds = len(row.rounds)
    every_round = frozenset(range(1, rounds + 1))
    availability = {
        a.city_id: every_round - set(a.unavailable_rounds or ())
        for a in row.attendees
        if a.unavailable_rounds
    }
    requests = tuple(
        MeetingRequest(r.from_city_id, r.to_city_id, _KINDS[r.kind], bool(r.mutual))
        for r in sorted(row.requests, key=lambda r: r.id)
    )
    locked_rows = sorted((m for m in row.meetings if m.locked), key=lambda m: m.id)
    locks = tuple(
        LockedMeeting(m.round_number, m.city_a_id, m.city_b_id, m.table_number) for m in locked_rows
    )
    past = (
        frozenset(repository.earlier_event_pairs(session, row.id, row.event_date, attendees))
        if row.no_repeat_memory
        else frozenset()
    )
    _check_locks(locks, availability, requests, past, cities, set(attendees))
    index = partner_index(session)
    extra = [r.pair for r in requests if r.kind != RequestKind.DO_NOT_MEET]
    extra += [lock.pair for lock in locks]
    problem_kwargs = dict(
        availability=availability,
        requests=requests,
        past_pairs=past,
        no_repeat=bool(row.no_repeat_memory),
        locked=locks,
    )

    def solve(k: int):
        fits = pair_fits(index, attendees, extra, k)
        # Scaled so that the event's best pair scores 1: the would-like bonus then weighs the
        # same against pair fit whatever the spread of the engine's raw scores.
        scale = max((fit.score for fit in fits.values()), default=0.0) or 1.0
        try:
            problem = ScheduleProblem(
                tuple(attendees),
                rounds,
                row.tables,
                {pair: fit.score / scale for pair, fit in fits.items()},
                **problem_kwargs,
            )
        except ValueError as exc:
            raise EventError(str(exc)) from None
        started = time.perf_counter()
        result = schedule(problem, method=method, seed=seed)
        return fits, scale, problem, result, time.perf_counter() - started

    fits, scale, problem, result, seconds = solve(candidates)
    wider = min(len(attendees) - 1, WIDEN_FACTOR * candidates)
    if (
        result.quality.unfairness > 0
        and wider > candidates
        and len(attendees) * wider <= WIDEN_MAX_PAIRS
    ):
        # Top-k lists concentrate on popular cities; where that leaves someone below its fair
        # floor, wider lists give the scheduler partners who still have free rounds.
        retry = solve(wider)
        q, rq = result.quality, retry[3].quality
        if (rq.must_met, -rq.unfairness) > (q.must_met, -q.unfairness):
            fits, scale, problem, result, more = retry
            seconds += more
            candidates = wider
        else:
            seconds += retry[4]
    errors = validate(problem, result)
    if errors:  # a scheduler bug, never the organiser's fault: refuse to store it
        raise RuntimeError("the scheduler produced an invalid schedule: " + "; ".join(errors[:5]))
    notes = {pair_key(r.from_city_id, r.to_city_id): r.reason for r in row.requests if r.reason}
    _store(row, result, fits, index, cities, requests, locked_rows, notes)
    report = _report(result, seconds, cities, rounds, availability)
    row.schedule_report = {**report, "score_scale": round(scale, 6), "candidates": candidates}
    session.flush()


def _check_locks(locks, availability, requests, past, cities, attendees) -> None:
    """Locked meetings made invalid by later changes, named in words."""
    vetoed = {r.pair for r in requests if r.kind == RequestKind.DO_NOT_MEET}
    errors = []
    for lock in locks:
        label = (
            f"the locked meeting {cities[lock.a].label} - {cities[lock.b].label}"
            if (lock.a in cities and lock.b in cities)
            else "a locked meeting"
        )
        if lock.a not in attendees or lock.b not in attendees:
            errors.append(f"{label} involves a city that no longer attends")
            continue
        for city in (lock.a, lock.b):
            if city in availability and lock.round not in availability[city]:
                errors.append(f"{label}: {cities[city].label} does not attend round {lock.round}")
        if lock.pair in vetoed:
            errors.append(f"{label} contradicts a do-not-meet request")
        if lock.pair in past:
            errors.append(f"{label}: the pair met at an earlier event (no-repeat is on)")
    if errors:
        raise EventError("unlock or move these meetings first: " + "; ".join(errors))


def _store(row, result: Schedule, fits, index, cities, requests, locked_rows, notes) -> None:
    locked_by_key = {(m.round_number, pair_key(m.city_a_id, m.city_b_id)): m for m in locked_rows}
    asked = defaultdict(set)
    for request in requests:
        asked[request.pair] |= request.sides
    keep = []
    for meeting in result.meetings:
        # A reason given with the request (why a consortium proposed the pair) comes first.
        note = notes.get(meeting.pair)
        reason = note or _reason(meeting, fits, index, cities, asked)
        stored = locked_by_key.get((meeting.round, meeting.pair))
        if stored is None:
            stored = MeetingRow(
                round_number=meeting.round,
                city_a_id=meeting.pair[0],
                city_b_id=meeting.pair[1],
                locked=False,
            )
        stored.table_number = meeting.table
        stored.score = round(float(meeting.score), 6)
        stored.kind = _STORED_KIND.get(str(meeting.kind), str(meeting.kind))
        if not (stored.locked and stored.reason):
            stored.reason = reason
        keep.append(stored)
    row.meetings = keep


def _reason(meeting, fits, index, cities, asked) -> str:
    from matcher.scoring.partners.explain import explain_match

    fit = fits.get(meeting.pair)
    text = ""
    if fit is not None:
        query, candidate = index.cities[fit.query], index.cities[fit.candidate]
        rows = index.vectoriser.rows_of([fit.query, fit.candidate])
        reasons = explain_match(
            query,
            candidate,
            fit.parts,
            weights=fit.weights,
            theme_labels=index.theme_labels,
            shared_collaborations=index.shared(fit.query, fit.candidate),
            candidate_collaborations=index.collaborations_of.get(fit.candidate, []),
            shared_terms=index.vectoriser.top_shared_terms(int(rows[0]), int(rows[1])),
        )
        # A reason about the pair beats one about the candidate alone (its track record).
        about_pair = [r for r in reasons if r.part not in SOLO_PARTS]
        text = (about_pair or reasons)[0].text if reasons else ""
    sides = asked.get(meeting.pair, set())
    if str(meeting.kind) in ("must", "would-like") and sides:
        who = (
            "Both asked to meet"
            if len(sides) == 2
            else f"Requested by {cities[next(iter(sides))].name}"
        )
        text = f"{who}. {text}".strip()
    return text or NO_REASON


def _report(result: Schedule, seconds: float, cities, rounds: int, availability) -> dict:
    q = result.quality
    return {
        "total_score": round(q.total_score, 4),
        "upper_bound": round(q.upper_bound, 4),
        "share_of_bound": round(q.share_of_bound, 4),
        "greedy_total": round(q.greedy_total, 4),
        "meetings": len(result.meetings),
        "meetings_min": q.meetings_min,
        "meetings_median": q.meetings_median,
        "meetings_max": q.meetings_max,
        "below_fair_floor": q.below_fair_floor,
        "idle_rounds": q.idle_rounds_total,
        "must_met": q.must_met,
        "must_total": q.must_total,
        "would_like_met": q.would_like_met,
        "would_like_total": q.would_like_total,
        "method": q.method,
        "optimal": q.optimal,
        "seconds": round(seconds, 3),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "unmet_must": [
            {"a": cities[u.a].label, "b": cities[u.b].label, "reason": _name_ids(u.reason, cities)}
            for u in result.unmet_must
        ],
        "stale": False,
        "spread": q.spread,
        "unfairness": q.unfairness,
        "fair_bound": round(q.fair_bound, 4),
        "fairness_gaps": [
            {
                "city": cities[g.attendee].label,
                "meetings": g.meetings,
                "floor": g.floor,
                "ceiling": g.ceiling,
                "reason": g.reason,
            }
            for g in result.fairness_gaps
        ],
        "idle": _idle_rounds(result, rounds, availability, cities),
    }


def _idle_rounds(result: Schedule, rounds: int, availability, cities) -> list[dict]:
    """Per attendee with at least one idle round: the rounds it attends without a meeting."""
    busy: dict[int, set[int]] = defaultdict(set)
    for m in result.meetings:
        busy[m.a].add(m.round)
        busy[m.b].add(m.round)
    every = frozenset(range(1, rounds + 1))
    out = []
    for city_id in sorted(cities, key=lambda c: cities[c].label):
        idle = sorted(availability.get(city_id, every) - busy[city_id])
        if idle:
            out.append({"city": cities[city_id].label, "rounds": idle})
    return out


def _name_ids(text: str, cities: dict[int, EventCity]) -> str:
    """The scheduler names attendees by id in its reasons; say their names instead."""

    def label(match: re.Match) -> str:
        city = cities.get(int(match[1]))
        return f"{city.label}{match[2]}" if city else match[0]

    def requesters(match: re.Match) -> str:
        ids = [int(x) for x in re.findall(r"\d+", match[1])]
        names = [cities[i].label if i in cities else str(i) for i in ids]
        return "request by " + " and ".join(names)

    text = re.sub(r"request by (\d+(?: and \d+)*)", requesters, text)
    return re.sub(r"\b(\d+)( has )", label, text)


# --------------------------------------------------------------------------- reading


def _view(session: Session, row: EventRow) -> EventSchedule:
    event = manage.load_event(session, row)
    slots: dict[tuple[int, int], ScheduledMeeting] = {(m.round, m.table): m for m in event.meetings}
    grid = tuple(
        (rnd, tuple(slots.get((rnd.number, t)) for t in range(1, event.tables + 1)))
        for rnd in event.rounds
    )
    counts: Counter[int] = Counter({a.city.id: 0 for a in event.attendees})
    for meeting in event.meetings:
        counts[meeting.a.id] += 1
        counts[meeting.b.id] += 1
    return EventSchedule(event, grid, report_from_dict(event.report), dict(counts))
