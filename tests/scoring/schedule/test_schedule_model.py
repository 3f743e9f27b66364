"""The schedule problem's input checks and the validator that guards every schedule."""

from __future__ import annotations

import dataclasses

import pytest

from matcher.scoring.schedule.solve import (
    LockedMeeting,
    Meeting,
    MeetingKind,
    MeetingRequest,
    RequestKind,
    Schedule,
    ScheduleProblem,
    UnmetRequest,
    schedule,
    validate,
)

SCORES = {(1, 2): 0.9, (3, 4): 0.8, (1, 3): 0.5, (2, 4): 0.4, (1, 4): 0.3, (2, 3): 0.2}


def problem(**changes) -> ScheduleProblem:
    base = dict(attendees=(1, 2, 3, 4), rounds=3, tables=2, pair_scores=SCORES)
    return ScheduleProblem(**(base | changes))


def test_score_given_in_both_orientations_keeps_the_larger():
    p = problem(pair_scores={(2, 1): 0.4, (1, 2): 0.7})
    assert dict(p.pair_scores) == {(1, 2): 0.7}


def test_requests_accept_tuples_and_merge_sides_per_pair():
    p = problem(requests=[(1, 2, "would-like", False), (2, 1, "would-like", False)])
    assert p.requests_by_pair()[RequestKind.WOULD_LIKE] == {(1, 2): frozenset({1, 2})}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pair_scores": {(1, 2): -0.1}}, "finite and >= 0"),
        ({"pair_scores": {(1, 9): 0.5}}, "not a pair of two attendees"),
        ({"availability": {1: {4}}}, "outside 1..3"),
        ({"requests": [(1, 9, "must")]}, "unknown attendee"),
        ({"locked": [(1, 1, 2), (1, 1, 3)]}, "already has a locked meeting"),
        ({"locked": [(2, 1, 2)], "availability": {2: {1}}}, "does not attend"),
        ({"locked": [(1, 1, 2)], "requests": [(2, 1, "do-not-meet")]}, "do-not-meet"),
        ({"locked": [(1, 1, 2)], "past_pairs": frozenset({(2, 1)})}, "earlier event"),
        ({"locked": [(1, 1, 2, 3)]}, "table 3 out of range"),
        ({"locked": [(1, 1, 2, 1), (1, 3, 4, 1)]}, "table 1 already locked"),
    ],
)
def test_problem_rejects_inconsistent_input(changes, message):
    with pytest.raises(ValueError, match=message):
        problem(**changes)


def test_request_about_oneself_is_rejected():
    with pytest.raises(ValueError, match="itself"):
        MeetingRequest(1, 1, RequestKind.MUST)


def _valid() -> tuple[ScheduleProblem, Schedule]:
    p = problem(
        requests=[MeetingRequest(1, 2, RequestKind.MUST)],
        locked=[LockedMeeting(2, 3, 4, table=2)],
        past_pairs=frozenset({(1, 4)}),
    )
    result = schedule(p, method="matching")
    assert validate(p, result) == []
    return p, result


def _replace_first(result: Schedule, **changes) -> Schedule:
    first = dataclasses.replace(result.meetings[0], **changes)
    return dataclasses.replace(result, meetings=(first, *result.meetings[1:]))


def test_validate_reports_an_attendee_booked_twice_in_a_round():
    p, result = _valid()
    first = next(m for m in result.meetings if m.round == 1)
    other = next(x for x in p.attendees if x not in (first.a, first.b))
    clash = Meeting(1, 2, first.a, other, 0.0, MeetingKind.SUGGESTED)
    broken = dataclasses.replace(result, meetings=(*result.meetings, clash))
    assert any("two meetings in the round" in e for e in validate(p, broken))


def test_validate_reports_a_meeting_in_a_round_an_attendee_skips():
    p, result = _valid()
    a = result.meetings[0].a
    p_gap = dataclasses.replace(p, availability={a: frozenset({3})}, locked=())
    assert any("does not attend" in e for e in validate(p_gap, result))


def test_validate_reports_more_meetings_than_tables():
    p, result = _valid()
    p_small = dataclasses.replace(p, tables=1, locked=())
    assert any("tables" in e for e in validate(p_small, result))


def test_validate_reports_do_not_meet_and_remembered_pairs():
    p, result = _valid()
    a, b = result.meetings[0].a, result.meetings[0].b
    vetoed = dataclasses.replace(p, requests=(*p.requests, MeetingRequest(b, a, "do-not-meet")))
    remembered = dataclasses.replace(p, past_pairs=frozenset({(a, b)}), locked=())
    assert any("do-not-meet" in e for e in validate(vetoed, result))
    assert any("earlier event" in e for e in validate(remembered, result))


def test_validate_reports_a_moved_lock_and_a_wrong_score():
    p, result = _valid()
    locked = next(m for m in result.meetings if m.kind == MeetingKind.LOCKED)
    moved = tuple(dataclasses.replace(m, table=1) if m is locked else m for m in result.meetings)
    errors = validate(p, dataclasses.replace(result, meetings=moved))
    assert any("moved from table 2" in e for e in errors)
    assert any("score/bonus" in e for e in validate(p, _replace_first(result, score=0.123)))


def test_validate_reports_a_must_meet_neither_met_nor_reported():
    p, result = _valid()
    without = tuple(m for m in result.meetings if m.pair != (1, 2))
    errors = validate(p, dataclasses.replace(result, meetings=without))
    assert any("neither met nor reported" in e for e in errors)
    reported = dataclasses.replace(result, unmet_must=(UnmetRequest(1, 2, "x"),))
    assert any("both met and reported" in e for e in validate(p, reported))
