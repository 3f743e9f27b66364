"""Meeting schedules: one-to-one meetings over rounds and tables for a networking session.

A library user imports from here; the modules are ``model`` (the problem and its checks),
``graph`` (candidate pairs), ``rounds`` (one round's matching), ``matching`` (round by round),
``bounds`` (must-meets, greedy and LP bounds), ``result`` (the schedule and its report) and
``solve`` (the entry point that picks a method).
"""

from matcher.scoring.schedule.solve import (
    FairnessGap,
    LockedMeeting,
    Meeting,
    MeetingKind,
    MeetingRequest,
    RequestKind,
    Schedule,
    ScheduleProblem,
    ScheduleQuality,
    UnmetRequest,
    exact_schedule,
    greedy_schedule,
    lp_upper_bound,
    schedule,
    validate,
)

__all__ = [
    "FairnessGap",
    "LockedMeeting",
    "Meeting",
    "MeetingKind",
    "MeetingRequest",
    "RequestKind",
    "Schedule",
    "ScheduleProblem",
    "ScheduleQuality",
    "UnmetRequest",
    "exact_schedule",
    "greedy_schedule",
    "lp_upper_bound",
    "schedule",
    "validate",
]
