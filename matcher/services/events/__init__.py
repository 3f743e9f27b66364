"""Networking sessions: events, their attendees and requests, and one-to-one meeting schedules.

Use cases for the web views, the API and the CLI:

* :func:`create_event`, :func:`update_event`, :func:`get_event`, :func:`list_events`,
  :func:`delete_event`;
* :func:`add_attendees` (rows of an attendee import) and :func:`import_attendees` (a CSV file);
* :func:`add_request`, :func:`remove_request`; :func:`lock_meeting`, :func:`unlock_meeting`,
  :func:`fix_meeting`;
* :func:`generate_schedule` (the partner engine's pair scores, the pure scheduler, the check of
  every hard constraint, reasons to meet, the quality report) and :func:`get_schedule`;
* :func:`schedule_once`: an attendee list in, a schedule out, nothing stored;
* :func:`meet_consortium`: an event for a proposed consortium, reasons carried into agendas.

Invalid input raises :class:`EventError` (a ``ValueError``); an unknown event
:class:`EventNotFound` (also a ``LookupError``); file problems ``ImportFailed``.
"""

from matcher.services.events.attendees import (
    add_attendees,
    add_request,
    import_attendee_records,
    import_attendees,
    remove_request,
)
from matcher.services.events.consortium import meet_consortium
from matcher.services.events.manage import (
    create_event,
    delete_event,
    get_event,
    list_events,
    update_event,
)
from matcher.services.events.meetings import fix_meeting, lock_meeting, unlock_meeting
from matcher.services.events.model import (
    REQUEST_KINDS,
    Attendee,
    Event,
    EventCity,
    EventConflict,
    EventError,
    EventNotFound,
    EventSchedule,
    EventSummary,
    Request,
    Round,
    ScheduledMeeting,
    ScheduleReport,
)
from matcher.services.events.planning import (
    CANDIDATES_PER_ATTENDEE,
    METHODS,
    generate_schedule,
    get_schedule,
    pair_fits,
    schedule_once,
)

__all__ = [
    "CANDIDATES_PER_ATTENDEE",
    "METHODS",
    "REQUEST_KINDS",
    "Attendee",
    "Event",
    "EventCity",
    "EventConflict",
    "EventError",
    "EventNotFound",
    "EventSchedule",
    "EventSummary",
    "Request",
    "Round",
    "ScheduleReport",
    "ScheduledMeeting",
    "add_attendees",
    "add_request",
    "create_event",
    "delete_event",
    "fix_meeting",
    "generate_schedule",
    "get_event",
    "get_schedule",
    "import_attendee_records",
    "import_attendees",
    "list_events",
    "lock_meeting",
    "meet_consortium",
    "pair_fits",
    "remove_request",
    "schedule_once",
    "unlock_meeting",
    "update_event",
]
