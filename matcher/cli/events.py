"""``matcher event ...`` and ``matcher schedule``: networking sessions from the terminal.

Thin wrappers over :mod:`matcher.services.events` and :mod:`matcher.exports`.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from matcher.cli.common import emit_json, fail_on_problems, open_session, resolve_city
from matcher.importing.records import ImportFailed

EXPORT_FORMATS = ("csv", "ics", "html")
METHOD_CHOICE = click.Choice(["auto", "exact", "matching", "greedy"])
HHMM = click.STRING


def _recording(session, action: str, event_id: int, summary: str):
    """The history entry of a write made from this terminal (see services.history)."""
    from matcher.cli.editors import command_line_actor
    from matcher.services import history

    actor = command_line_actor()
    return history.recording(session, actor, action, event_id=event_id, summary=summary)


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def _event_error(exc: Exception) -> None:
    _fail(f"Error: {exc}")


def _round_options(function):
    """--start, --minutes and --break-minutes, shared by `event create` and `schedule`."""
    function = click.option(
        "--break-minutes",
        type=click.IntRange(0, 240),
        default=0,
        show_default=True,
        help="Pause between rounds.",
    )(function)
    function = click.option(
        "--minutes",
        type=click.IntRange(1, 240),
        default=20,
        show_default=True,
        help="Length of a round.",
    )(function)
    function = click.option(
        "--start", default="09:00", show_default=True, help="Local start time of round 1 (HH:MM)."
    )(function)
    return function


event_group = AppGroup(
    "event", help="Networking sessions: create, import attendees, schedule, export, list."
)


@event_group.command("create")
@click.option("--name", required=True, help="Name of the event.")
@click.option("--date", "day", required=True, help="Date of the event (YYYY-MM-DD).")
@click.option(
    "--timezone", default="Europe/Brussels", show_default=True, help="IANA time zone of the venue."
)
@click.option("--rounds", type=click.IntRange(1, 48), required=True)
@_round_options
@click.option("--tables", type=click.IntRange(1, 1000), required=True)
@click.option("--no-repeat", is_flag=True, help="Exclude pairs that met at earlier events.")
@click.option("--json", "as_json", is_flag=True, help="Print the event as JSON.")
@with_appcontext
def create_command(
    name, day, timezone, rounds, start, minutes, break_minutes, tables, no_repeat, as_json
):
    """Create an event; prints its id."""
    from matcher.services import events

    with open_session() as session:
        try:
            event = events.create_event(
                session,
                name,
                day,
                timezone,
                rounds,
                start,
                minutes,
                tables=tables,
                break_minutes=break_minutes,
                no_repeat=no_repeat,
            )
        except events.EventError as exc:
            _event_error(exc)
        from matcher.cli.editors import command_line_actor
        from matcher.services import history

        history.record(session, command_line_actor(), "event.create", event_id=event.id,
                       summary=f"event created: {event.name}")  # fmt: skip
    if as_json:
        emit_json(_event_json(event))
        return
    click.echo(
        f"Created event {event.id}: {event.name} on {event.date.isoformat()}, "
        f"{len(event.rounds)} rounds from {event.rounds[0].start} to "
        f"{event.rounds[-1].end} ({event.timezone}), {event.tables} tables."
    )


@event_group.command("list")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def list_command(as_json):
    """Every event, the latest first."""
    from matcher.services import events

    with open_session() as session:
        summaries = events.list_events(session)
    if as_json:
        emit_json([_summary_json(s) for s in summaries])
        return
    if not summaries:
        click.echo("No events yet: `matcher event create --help`.")
    for s in summaries:
        click.echo(
            f"{s.id:>5}  {s.date.isoformat()}  {s.name}  ({s.attendees} attendees, "
            f"{s.rounds} rounds, {s.tables} tables, {s.meetings} meetings)"
        )


@event_group.command("import-attendees")
@click.argument("event_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-unresolved",
    is_flag=True,
    help="Leave out rows whose city matches no single city, instead of failing.",
)
@click.option("--replace", is_flag=True, help="The file is the whole list: others are removed.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def import_attendees_command(event_id, file, skip_unresolved, replace, as_json):
    """Add the attendees of FILE (CSV: city,country[,unavailable_rounds,must_meet,...])."""
    from matcher.services import events

    with open_session() as session:
        summary = f"attendees added from {file.name}" + (", replacing the list" if replace else "")
        try:
            with _recording(session, "event.attendees", event_id, summary):
                event, result = events.import_attendees(
                    session, event_id, file, skip_unresolved=skip_unresolved, replace=replace
                )
        except ImportFailed as exc:
            if as_json:
                emit_json({"ok": False, "problems": [p.as_dict() for p in exc.problems]})
                sys.exit(1)
            fail_on_problems(exc)
        except events.EventError as exc:
            _event_error(exc)
    skipped = [u for u in result.unresolved if u.field == "city"]
    if as_json:
        emit_json(
            {
                "ok": True,
                "imported": len(result.rows),
                "attendees": len(event.attendees),
                "requests": len(event.requests),
                "skipped": [
                    {
                        "row": u.row,
                        "field": u.field,
                        "name": u.name,
                        "suggestions": list(u.suggestions),
                    }
                    for u in result.unresolved
                ],
                "corrected": list(result.corrected),
            }
        )
        return
    click.echo(
        f"Imported {len(result.rows)} attendees from {result.file}: the event now has "
        f"{len(event.attendees)} attendees and {len(event.requests)} requests."
    )
    for note in result.corrected:
        click.echo(f"Name corrected: {note}")
    for unresolved in result.unresolved:
        what = "skipped row" if unresolved in skipped else "request left out"
        click.echo(f"  {what} {unresolved.row} ({unresolved.field}): {unresolved.message()}")


@event_group.command("schedule")
@click.argument("event_id", type=int)
@click.option("--method", type=METHOD_CHOICE, default="auto", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the quality report as JSON.")
@with_appcontext
def schedule_command(event_id, method, as_json):
    """Generate the schedule of an event (locked meetings stay) and print its quality."""
    from matcher.services import events

    with open_session() as session:
        try:
            with _recording(session, "event.schedule", event_id, f"schedule generated ({method})"):
                result = events.generate_schedule(session, event_id, method=method)
        except events.EventError as exc:
            _event_error(exc)
    if as_json:
        emit_json({"event": result.event.id, **result.report.as_dict()})
        return
    click.echo(
        f"Scheduled {len(result.meetings)} meetings for event {result.event.id} "
        f"({result.event.name})."
    )
    print_report(result.report)


@event_group.command("export")
@click.argument("event_id", type=int)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--city", default=None, help="One attendee's agenda (html, ics) or meetings (csv).")
@click.option("--country", default=None, help="Country of --city if the name is ambiguous.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="File to write ('-' for standard output).",
)
@with_appcontext
def export_command(event_id, fmt, city, country, out):
    """Write the schedule as CSV, iCalendar (.ics) or printable HTML agendas."""
    from matcher import exports
    from matcher.services import events

    with open_session() as session:
        try:
            schedule = events.get_schedule(session, event_id)
        except events.EventError as exc:
            _event_error(exc)
        city_id = None
        if city:
            found = resolve_city(session, city, country)
            if schedule.event.attendee(found.id) is None:
                raise click.UsageError(
                    f"{found.name} ({found.country}) does not attend event {event_id}"
                )
            city_id = found.id
    if not schedule.meetings:
        click.secho("Note: the event has no schedule yet (`matcher event schedule`).", err=True)
    if fmt == "csv":
        if city_id is not None:
            schedule = _only(schedule, city_id)
        _write(out, exports.schedule_csv(schedule).encode("utf-8"))
    elif fmt == "html":
        ids = None if city_id is None else [city_id]
        _write(out, exports.agenda_html(schedule, ids).encode("utf-8"))
    else:
        try:
            data = (
                exports.agenda_ics(schedule, city_id)
                if city_id is not None
                else exports.event_ics(schedule)
            )
        except exports.NoMeetings as exc:
            raise click.ClickException(f"{exc}.") from None
        _write(out, data)
    if str(out) != "-":
        click.echo(f"Wrote {out}", err=True)


@event_group.command("lock")
@click.argument("event_id", type=int)
@click.argument("meeting_id", type=int)
@click.option("--unlock", is_flag=True, help="Release the meeting instead.")
@with_appcontext
def lock_command(event_id, meeting_id, unlock):
    """Keep a meeting when the schedule is generated again (or release it)."""
    from matcher.services import events

    with open_session() as session:
        verb = "unlocked" if unlock else "locked"
        try:
            with _recording(session, "event.lock", event_id, f"meeting {meeting_id} {verb}"):
                meeting = events.lock_meeting(session, event_id, meeting_id, locked=not unlock)
        except events.EventError as exc:
            _event_error(exc)
    state = "locked" if meeting.locked else "unlocked"
    click.echo(
        f"Meeting {meeting.id} ({meeting.a.label} - {meeting.b.label}, round "
        f"{meeting.round}, table {meeting.table}) is {state}."
    )


# --------------------------------------------------------------------------- one-shot


@click.command("schedule")
@click.argument("attendees", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--rounds", type=click.IntRange(1, 48), required=True)
@click.option("--tables", type=click.IntRange(1, 1000), required=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="CSV file to write ('-' for standard output).",
)
@click.option("--date", "day", default=None, help="Date (YYYY-MM-DD); default: today.")
@_round_options
@click.option("--timezone", default="Europe/Brussels", show_default=True)
@click.option("--method", type=METHOD_CHOICE, default="auto", show_default=True)
@with_appcontext
def schedule_once_command(
    attendees, rounds, tables, out, day, start, minutes, break_minutes, timezone, method
):
    """One-shot: schedule the cities of ATTENDEES (CSV) and write the schedule as CSV.

    Nothing is stored. The quality report goes to standard error. A name that matches no
    single city stops the run, naming the row and the closest cities.
    """
    from matcher import exports
    from matcher.importing.attendees import read_attendees
    from matcher.services import events
    from matcher.services.cities import name_index

    with open_session() as session:
        try:
            result = read_attendees(session, attendees, name_index(session), rounds=rounds)
            result.raise_for_problems()
            schedule = events.schedule_once(
                session,
                result.rows,
                rounds=rounds,
                tables=tables,
                date=day or date.today().isoformat(),
                start=start,
                minutes=minutes,
                break_minutes=break_minutes,
                timezone=timezone,
                method=method,
            )
        except ImportFailed as exc:
            click.secho(
                f"Nothing was scheduled: {len(exc.problems)} problem(s).", fg="red", err=True
            )
            for problem in exc.problems[:200]:
                click.echo(f"  {problem}", err=True)
            sys.exit(1)
        except events.EventError as exc:
            _event_error(exc)
    _write(out, exports.schedule_csv(schedule).encode("utf-8"))
    click.echo(
        f"{len(schedule.meetings)} meetings for {len(schedule.event.attendees)} attendees -> {out}",
        err=True,
    )
    for note in result.corrected:
        click.echo(f"Name corrected: {note}", err=True)
    print_report(schedule.report, err=True)


# --------------------------------------------------------------------------- output


def print_report(report, *, err: bool = False) -> None:
    """The quality report in a few lines."""
    if report is None:
        click.echo("No schedule yet.", err=err)
        return
    lines = [
        f"Total score {report.total_score:.2f} = {report.share_of_bound:.1%} of the upper "
        f"bound {report.upper_bound:.2f} (greedy baseline {report.greedy_total:.2f}; "
        f"method {report.method}{', optimal' if report.optimal else ''}; "
        f"{report.seconds:.2f} s)",
        f"Meetings per attendee: min {report.meetings_min}, median "
        f"{report.meetings_median:g}, max {report.meetings_max} (spread {report.spread}); "
        f"{len(report.fairness_gaps)} outside one meeting of the even share; "
        f"{report.idle_rounds} idle rounds",
        f"Must-meet honoured {report.must_met}/{report.must_total}; would-like honoured "
        f"{report.would_like_met}/{report.would_like_total}",
    ]
    if report.fair_bound:
        lines.append(f"Upper bound with the fair spread {report.fair_bound:.2f}")
    lines += [f"Not met: {u['a']} - {u['b']}: {u['reason']}" for u in report.unmet_must]
    lines += [
        f"Unfair: {g['city']} has {g['meetings']} meeting(s), fair range "
        f"{g['floor']}-{g['ceiling']}: {g['reason']}"
        for g in report.fairness_gaps
    ]
    if report.stale:
        lines.append("Stale: attendees, requests or rounds changed since; schedule again.")
    for line in lines:
        click.echo(line, err=err)


def _write(out: Path, data: bytes) -> None:
    if str(out) == "-":
        click.get_binary_stream("stdout").write(data)
    else:
        out.write_bytes(data)


def _only(schedule, city_id: int):
    from dataclasses import replace

    event = replace(schedule.event, meetings=tuple(schedule.agenda(city_id)))
    return replace(schedule, event=event)


def _event_json(event) -> dict:
    return {
        "id": event.id,
        "name": event.name,
        "date": event.date.isoformat(),
        "timezone": event.timezone,
        "tables": event.tables,
        "no_repeat": event.no_repeat,
        "rounds": [
            {
                "number": r.number,
                "date": r.date_on(event.date).isoformat(),
                "start": r.start,
                "end": r.end,
                "minutes": r.minutes,
            }
            for r in event.rounds
        ],
        "attendees": len(event.attendees),
    }


def _summary_json(summary) -> dict:
    return {
        "id": summary.id,
        "name": summary.name,
        "date": summary.date.isoformat(),
        "timezone": summary.timezone,
        "rounds": summary.rounds,
        "tables": summary.tables,
        "attendees": summary.attendees,
        "meetings": summary.meetings,
        "no_repeat": summary.no_repeat,
    }


#: Register with ``cli.COMMANDS``: the ``event`` group and the one-shot ``schedule``.
EVENT_COMMANDS = (event_group, schedule_once_command)
