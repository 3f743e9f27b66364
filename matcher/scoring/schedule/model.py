"""The one-to-one meeting problem and its result: inputs, meetings, quality and validation.

Conventions used throughout the scheduler:

* Rounds are numbered ``1..rounds`` and tables ``1..tables`` within each round.
* A *pair* is an unordered pair of attendee ids, stored as ``(min, max)``.
* Only *candidate* pairs can be suggested: pairs present in ``pair_scores`` plus every pair named
  in a must-meet or would-like request (a requested pair without a score scores ``0``). The
  service passes a sparse score table (for example each attendee's top ~24 partners).
* The *value* of a meeting is its pair score plus the would-like bonus: that is what the
  scheduler maximises and what ``total_score`` and the upper bound measure.

Requests are ``(requester, target, kind, mutual)``; ``mutual=True`` says both sides asked. How the
sides combine:

* **must-meet** pairs are placed before anything else. When they do not all fit, the number of
  honoured must-meets is maximised, counting a mutual request (or two one-sided ones) twice, so
  mutual requests win conflicts. Each must-meet that cannot be honoured is reported with a reason.
* **would-like** adds ``would_like_bonus`` to the pair's value for each side that asked.
* **do-not-meet** from either side vetoes the pair, even against the other side's must-meet.

Fairness rule, applied before the total value is maximised: an attendee's *fair share* is
``sum over the rounds it attends of min(1, 2 * tables / attendees present in that round)``, the
number of meetings it would get if seats were shared equally. Its *fair floor* is the smallest
whole number of meetings within one meeting of ``fair_floor_share`` (default all) of that share,
capped by the rounds it attends and the distinct partners it can meet at all; its *fair ceiling*
is the largest whole number within one meeting of the full share. Each meeting below the floor
or above the ceiling is one unit of *unfairness*. Schedules are compared by honoured must-meets
first, then by unfairness (less is better), then by total value. ``fairness_weight`` (> 0 keeps
the rule; 0 switches fairness off) scales the penalty the fast solver uses for that order, and a
``fairness_budget`` below 1 caps the price instead: the schedule then keeps at least
``1 - fairness_budget`` of the best attainable total value, and never less than the greedy
baseline, and only the floor counts (no ceiling).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

Pair = tuple[int, int]


def pair_key(a: int, b: int) -> Pair:
    """The canonical (sorted) key of an unordered pair."""
    return (a, b) if a <= b else (b, a)


class RequestKind(StrEnum):
    """What an attendee asked for about another attendee."""

    MUST = "must"
    WOULD_LIKE = "would-like"
    DO_NOT_MEET = "do-not-meet"


class MeetingKind(StrEnum):
    """Why a meeting is in the schedule."""

    LOCKED = "locked"
    MUST = "must"
    WOULD_LIKE = "would-like"
    SUGGESTED = "suggested"


@dataclass(frozen=True, slots=True)
class MeetingRequest:
    """``requester`` asks about ``target``; ``mutual`` means ``target`` asked the same."""

    requester: int
    target: int
    kind: RequestKind
    mutual: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", RequestKind(self.kind))
        if self.requester == self.target:
            raise ValueError(f"attendee {self.requester} cannot make a request about itself")

    @property
    def pair(self) -> Pair:
        return pair_key(self.requester, self.target)

    @property
    def sides(self) -> frozenset[int]:
        """The attendees who made this request."""
        if self.mutual:
            return frozenset((self.requester, self.target))
        return frozenset((self.requester,))


@dataclass(frozen=True, slots=True)
class LockedMeeting:
    """A meeting the organiser fixed; ``table=None`` lets the scheduler choose the table."""

    round: int
    a: int
    b: int
    table: int | None = None

    @property
    def pair(self) -> Pair:
        return pair_key(self.a, self.b)


@dataclass(frozen=True)
class ScheduleProblem:
    """A networking session to schedule.

    ``availability`` maps an attendee to the rounds it attends; attendees missing from it
    attend every round. ``past_pairs`` met at earlier events and are never scheduled again while
    ``no_repeat`` is on. Locked meetings are kept exactly; they must respect every hard
    constraint themselves, otherwise the problem is rejected with a ``ValueError`` that lists
    each conflict.
    """

    attendees: tuple[int, ...]
    rounds: int
    tables: int
    pair_scores: Mapping[Pair, float]
    availability: Mapping[int, frozenset[int]] = field(default_factory=dict)
    requests: tuple[MeetingRequest, ...] = ()
    past_pairs: frozenset[Pair] = frozenset()
    no_repeat: bool = True
    locked: tuple[LockedMeeting, ...] = ()
    would_like_bonus: float = 0.25
    fairness_weight: float = 1.0
    fair_floor_share: float = 1.0
    fairness_budget: float = 1.0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "attendees", tuple(int(a) for a in self.attendees))
        set_(self, "requests", tuple(_as_request(r) for r in self.requests))
        set_(self, "locked", tuple(_as_lock(lock) for lock in self.locked))
        set_(self, "past_pairs", frozenset(pair_key(a, b) for a, b in self.past_pairs))
        set_(self, "availability", _frozen_availability(self.availability))
        set_(self, "pair_scores", MappingProxyType(_canonical_scores(self.pair_scores)))
        errors = _problem_errors(self)
        if errors:
            raise ValueError("invalid schedule problem:\n- " + "\n- ".join(errors))

    @classmethod
    def from_arrays(
        cls, attendees: Iterable[int], rounds: int, tables: int, pairs, scores, **options
    ) -> ScheduleProblem:
        """Build a problem from an ``(m, 2)`` array of attendee ids and ``m`` scores."""
        table = {
            pair_key(int(a), int(b)): float(s) for (a, b), s in zip(pairs, scores, strict=True)
        }
        return cls(tuple(attendees), rounds, tables, table, **options)

    def rounds_of(self, attendee: int) -> frozenset[int]:
        """The rounds ``attendee`` attends."""
        return self.availability.get(attendee, frozenset(range(1, self.rounds + 1)))

    def requests_by_pair(self) -> dict[RequestKind, dict[Pair, frozenset[int]]]:
        """For each request kind, pair -> the attendees who asked (merging duplicates)."""
        out: dict[RequestKind, dict[Pair, set[int]]] = {k: defaultdict(set) for k in RequestKind}
        for request in self.requests:
            out[request.kind][request.pair] |= request.sides
        return {k: {p: frozenset(s) for p, s in v.items()} for k, v in out.items()}

    def pair_value(self, a: int, b: int, would_like_sides: int = 0) -> float:
        """Score plus would-like bonus of a pair (``0`` score for unscored pairs)."""
        return self.pair_scores.get(pair_key(a, b), 0.0) + self.would_like_bonus * would_like_sides


@dataclass(frozen=True, slots=True)
class Meeting:
    """One meeting: ``value`` = ``score`` (pair score) + ``bonus`` (would-like)."""

    round: int
    table: int
    a: int
    b: int
    score: float
    kind: MeetingKind
    bonus: float = 0.0

    @property
    def pair(self) -> Pair:
        return pair_key(self.a, self.b)

    @property
    def value(self) -> float:
        return self.score + self.bonus


@dataclass(frozen=True, slots=True)
class UnmetRequest:
    """A must-meet request that could not be honoured, and why."""

    a: int
    b: int
    reason: str


@dataclass(frozen=True, slots=True)
class FairnessGap:
    """An attendee whose meetings fall outside ``floor..ceiling`` of its even share, and why."""

    attendee: int
    meetings: int
    share: float
    floor: int
    ceiling: int
    reason: str


@dataclass(frozen=True, slots=True)
class ScheduleQuality:
    """How good a schedule is, measured against the LP upper bound and the greedy baseline.

    ``total_score`` sums meeting values; ``unfairness`` counts meetings below the fair floors and
    above the fair ceilings; ``objective`` is the total value minus the fairness penalty per unit
    of unfairness. ``spread`` is the most minus the fewest meetings among attendees present in at
    least one round. ``optimal`` is True only when the exact model
    proved optimality.
    """

    total_score: float
    objective: float
    unfairness: int
    upper_bound: float
    share_of_bound: float
    greedy_total: float
    meetings_min: int
    meetings_median: float
    meetings_max: int
    spread: int
    below_fair_floor: int
    idle_rounds_total: int
    must_met: int
    must_total: int
    would_like_met: int
    would_like_total: int
    method: str
    optimal: bool
    #: LP bound of the schedules that keep every attendee within its fair range (the fairest
    #: possible where not all can be); ``upper_bound`` is the bound without fairness.
    fair_bound: float = 0.0


@dataclass(frozen=True, slots=True)
class Schedule:
    """Meetings sorted by (round, table), unmet must-meets with reasons, quality figures and the
    attendees outside their fair range (with reasons)."""

    meetings: tuple[Meeting, ...]
    unmet_must: tuple[UnmetRequest, ...]
    quality: ScheduleQuality
    fairness_gaps: tuple[FairnessGap, ...] = ()

    def agenda(self, attendee: int) -> list[Meeting]:
        """The meetings of one attendee in round order."""
        return [m for m in self.meetings if attendee in (m.a, m.b)]


def fair_shares(problem: ScheduleProblem) -> dict[int, float]:
    """Meetings each attendee would get if every round's seats were shared equally."""
    present = Counter(r for a in problem.attendees for r in problem.rounds_of(a))
    seat_rate = {r: min(1.0, 2 * problem.tables / count) for r, count in present.items()}
    return {a: sum(seat_rate[r] for r in problem.rounds_of(a)) for a in problem.attendees}


def validate(problem: ScheduleProblem, schedule: Schedule) -> list[str]:
    """Every hard constraint ``schedule`` violates, in words; empty when it is valid.

    Checks ranges, one meeting per attendee and round, each pair at most once, availability,
    table capacity and unique tables, do-not-meet, no-repeat memory, locks kept, scores and
    kinds as the problem says, and that each must-meet is either met or reported unmet.
    """
    errors: list[str] = []
    attendees = set(problem.attendees)
    requested = problem.requests_by_pair()
    must = requested[RequestKind.MUST]
    vetoed = requested[RequestKind.DO_NOT_MEET]
    wanted = requested[RequestKind.WOULD_LIKE]
    locked_pairs = {lock.pair for lock in problem.locked}
    seats: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    per_round: Counter[int] = Counter()
    pairs_seen: set[Pair] = set()
    for m in schedule.meetings:
        where = f"round {m.round} table {m.table} ({m.a}-{m.b})"
        if m.a == m.b or m.a not in attendees or m.b not in attendees:
            errors.append(f"{where}: not a pair of two attendees")
            continue
        if not 1 <= m.round <= problem.rounds:
            errors.append(f"{where}: round out of range 1..{problem.rounds}")
        if not 1 <= m.table <= problem.tables:
            errors.append(f"{where}: table out of range 1..{problem.tables}")
        if (m.round, m.table) in tables:
            errors.append(f"{where}: table used twice in the round")
        tables.add((m.round, m.table))
        per_round[m.round] += 1
        for person in (m.a, m.b):
            if (m.round, person) in seats:
                errors.append(f"{where}: {person} has two meetings in the round")
            seats.add((m.round, person))
            if m.round not in problem.rounds_of(person):
                errors.append(f"{where}: {person} does not attend round {m.round}")
        if m.pair in pairs_seen:
            errors.append(f"{where}: pair meets more than once")
        pairs_seen.add(m.pair)
        if m.pair in vetoed:
            errors.append(f"{where}: do-not-meet request")
        if problem.no_repeat and m.pair in problem.past_pairs:
            errors.append(f"{where}: pair already met at an earlier event")
        expected_bonus = problem.would_like_bonus * len(wanted.get(m.pair, ()))
        expected_score = problem.pair_scores.get(m.pair, 0.0)
        if not (math.isclose(m.score, expected_score) and math.isclose(m.bonus, expected_bonus)):
            errors.append(f"{where}: score/bonus differ from the problem")
        expected_kind = _expected_kind(m.pair, locked_pairs, must, wanted)
        if m.kind != expected_kind:
            errors.append(f"{where}: kind {m.kind} should be {expected_kind}")
    errors += [
        f"round {r}: {k} meetings for {problem.tables} tables"
        for r, k in sorted(per_round.items())
        if k > problem.tables
    ]
    errors += _lock_errors(problem, schedule)
    reported = {pair_key(u.a, u.b) for u in schedule.unmet_must}
    for pair in sorted(must):
        if pair in pairs_seen and pair in reported:
            errors.append(f"must-meet {pair} is both met and reported unmet")
        elif pair not in pairs_seen and pair not in reported:
            errors.append(f"must-meet {pair} is neither met nor reported unmet")
    return errors


def _expected_kind(pair, locked_pairs, must, wanted) -> MeetingKind:
    if pair in locked_pairs:
        return MeetingKind.LOCKED
    if pair in must:
        return MeetingKind.MUST
    if pair in wanted:
        return MeetingKind.WOULD_LIKE
    return MeetingKind.SUGGESTED


def _lock_errors(problem: ScheduleProblem, schedule: Schedule) -> list[str]:
    placed = {(m.round, m.pair): m.table for m in schedule.meetings}
    errors = []
    for lock in problem.locked:
        table = placed.get((lock.round, lock.pair))
        if table is None:
            errors.append(f"locked meeting {lock.pair} in round {lock.round} is missing")
        elif lock.table is not None and table != lock.table:
            errors.append(f"locked meeting {lock.pair} moved from table {lock.table} to {table}")
    return errors


# --------------------------------------------------------------------------- input checks


def _as_request(item) -> MeetingRequest:
    return item if isinstance(item, MeetingRequest) else MeetingRequest(*item)


def _as_lock(item) -> LockedMeeting:
    return item if isinstance(item, LockedMeeting) else LockedMeeting(*item)


def _frozen_availability(availability: Mapping[int, Iterable[int]]) -> Mapping[int, frozenset[int]]:
    return MappingProxyType(
        {int(a): frozenset(int(r) for r in rs) for a, rs in availability.items()}
    )


def _canonical_scores(scores: Mapping[Pair, float]) -> dict[Pair, float]:
    out: dict[Pair, float] = {}
    for (a, b), score in scores.items():
        key = pair_key(int(a), int(b))
        # A score given in both orientations keeps the larger one: either side's interest counts.
        out[key] = max(float(score), out.get(key, -math.inf))
    return out


def _problem_errors(problem: ScheduleProblem) -> list[str]:
    errors: list[str] = []
    ids = problem.attendees
    known = set(ids)
    if len(known) != len(ids):
        errors.append("attendee ids are not unique")
    if problem.rounds < 1 or problem.tables < 1:
        errors.append("rounds and tables must be at least 1")
    if problem.would_like_bonus < 0 or problem.fairness_weight < 0:
        errors.append("would_like_bonus and fairness_weight must be >= 0")
    if not 0 <= problem.fair_floor_share <= 1 or not 0 <= problem.fairness_budget <= 1:
        errors.append("fair_floor_share and fairness_budget must be between 0 and 1")
    for (a, b), score in problem.pair_scores.items():
        if a == b or a not in known or b not in known:
            errors.append(f"scored pair ({a}, {b}) is not a pair of two attendees")
        elif not (math.isfinite(score) and score >= 0):
            errors.append(f"score of pair ({a}, {b}) must be finite and >= 0, got {score}")
    for attendee, rounds in problem.availability.items():
        if attendee not in known:
            errors.append(f"availability given for unknown attendee {attendee}")
        if any(not 1 <= r <= problem.rounds for r in rounds):
            errors.append(f"availability of {attendee} names a round outside 1..{problem.rounds}")
    for request in problem.requests:
        if request.requester not in known or request.target not in known:
            errors.append(f"request {request.requester}->{request.target}: unknown attendee")
    return errors + _lock_conflicts(problem)


def _lock_conflicts(problem: ScheduleProblem) -> list[str]:
    errors: list[str] = []
    known = set(problem.attendees)
    vetoed = {r.pair for r in problem.requests if r.kind == RequestKind.DO_NOT_MEET}
    seats: set[tuple[int, int]] = set()
    tables: set[tuple[int, int]] = set()
    pairs: set[Pair] = set()
    per_round: Counter[int] = Counter()
    for lock in problem.locked:
        where = f"locked meeting {lock.a}-{lock.b} in round {lock.round}"
        if lock.a == lock.b or lock.a not in known or lock.b not in known:
            errors.append(f"{where}: not a pair of two attendees")
            continue
        if not 1 <= lock.round <= problem.rounds:
            errors.append(f"{where}: round out of range 1..{problem.rounds}")
        if lock.table is not None:
            if not 1 <= lock.table <= problem.tables:
                errors.append(f"{where}: table {lock.table} out of range 1..{problem.tables}")
            if (lock.round, lock.table) in tables:
                errors.append(f"{where}: table {lock.table} already locked")
            tables.add((lock.round, lock.table))
        for person in (lock.a, lock.b):
            if (lock.round, person) in seats:
                errors.append(f"{where}: {person} already has a locked meeting in the round")
            seats.add((lock.round, person))
            if lock.round not in problem.rounds_of(person):
                errors.append(f"{where}: {person} does not attend that round")
        if lock.pair in pairs:
            errors.append(f"{where}: pair locked twice")
        pairs.add(lock.pair)
        if lock.pair in vetoed:
            errors.append(f"{where}: do-not-meet request")
        if problem.no_repeat and lock.pair in problem.past_pairs:
            errors.append(f"{where}: pair already met at an earlier event (no-repeat is on)")
        per_round[lock.round] += 1
    errors += [
        f"round {r}: {k} locked meetings for {problem.tables} tables"
        for r, k in sorted(per_round.items())
        if k > problem.tables
    ]
    return errors
