"""HTML pages of networking sessions: events, attendees, the schedule and its downloads.

Every change needs a signed-in editor of the event or an administrator (creating one, an
administrator), as on the profile form, and is recorded in the history; invalid input answers
422, and the page comes back with the person's input kept and each problem named. Pages work
without JavaScript. The three forms of an event's page carry prefixes (``add-``,
``generate-``, ``settings-``) so that their field ids are unique on the page.
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from matcher import exports
from matcher.db import get_session
from matcher.importing.attendees import AttendeeImportFailed
from matcher.importing.records import ImportFailed
from matcher.services import events as event_service
from matcher.services import history
from matcher.web import auth, signin

bp = Blueprint("events", __name__, url_prefix="/events", template_folder="../templates")

#: Uploaded or pasted attendee lists larger than this are refused (about 10,000 rows).
MAX_ATTENDEE_BYTES = 512 * 1024
METHODS = [
    SelectChoice("auto", "Automatic (exact for small events)"),
    SelectChoice("matching", "Fast matching"),
    SelectChoice("exact", "Exact (small events only)"),
    SelectChoice("greedy", "Greedy baseline"),
]


# --------------------------------------------------------------------------- forms


def _valid_timezone(_form, field) -> None:
    value = (field.data or "").strip()
    try:
        if not value or value.startswith(("/", ".")):
            raise ValueError
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError("Use a time zone name such as Europe/Brussels.") from None


class TokenForm(FlaskForm):
    """Base of the event forms: the error summary (who may submit is the session's job)."""

    def error_summary(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) for the summary box, in page order."""
        summary: list[tuple[str | None, str]] = [(None, m) for m in self.form_errors]
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None:
            summary += [(None, m) for m in csrf_field.errors]
        for field in self:
            if field.name in ("csrf_token",):
                continue
            summary += [(field.id, f"{field.label.text}: {m}") for m in field.errors]
        return summary


class RoundsMixin:
    rounds = IntegerField("Rounds", validators=[InputRequired(), NumberRange(1, 48)])
    start = StringField(
        "Start of round 1 (HH:MM)",
        default="09:00",
        validators=[InputRequired(), Regexp(r"^([01]?\d|2[0-3]):[0-5]\d$", message="Use HH:MM.")],
    )
    minutes = IntegerField(
        "Minutes per round", default=20, validators=[InputRequired(), NumberRange(1, 240)]
    )
    break_minutes = IntegerField(
        "Break between rounds (minutes)", default=0, validators=[Optional(), NumberRange(0, 240)]
    )
    tables = IntegerField("Tables", validators=[InputRequired(), NumberRange(1, 1000)])


class EventForm(RoundsMixin, TokenForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=300)])
    day = DateField("Date", validators=[InputRequired(message="Enter a date YYYY-MM-DD.")])
    timezone = StringField(
        "Time zone", default="Europe/Brussels", validators=[InputRequired(), _valid_timezone]
    )
    no_repeat = BooleanField("Do not pair cities that met at earlier events")

    field_order = (
        "name",
        "day",
        "timezone",
        "rounds",
        "start",
        "minutes",
        "break_minutes",
        "tables",
        "no_repeat",
    )

    def __iter__(self):
        fields = {field.name: field for field in super().__iter__()}
        ordered = [fields.pop(name) for name in ("csrf_token", *self.field_order) if name in fields]
        return iter(ordered + list(fields.values()))


class SettingsForm(RoundsMixin, TokenForm):
    pass


class AttendeesForm(TokenForm):
    attendees = TextAreaField(
        "Paste the attendee list (CSV)",
        validators=[Optional(), Length(max=MAX_ATTENDEE_BYTES)],
        description="A header row, then one city per row: city,country and optionally "
        'unavailable_rounds ("3|4"), must_meet, would_like, do_not_meet (names separated by |).',
    )
    upload = FileField("…or upload a CSV file")
    skip_unresolved = BooleanField("Leave out rows whose city we cannot identify")
    replace = BooleanField("Replace the current list (others are removed)")


class GenerateForm(TokenForm):
    method = SelectField("Method", choices=METHODS, default="auto")


class LocksForm(TokenForm):
    """Lock or unlock meetings from the grid (one checkbox per meeting, named ``lock``)."""


# --------------------------------------------------------------------------- helpers


def _event_or_404(event_id: int) -> event_service.EventSchedule:
    try:
        return event_service.get_schedule(get_session(), event_id)
    except event_service.EventNotFound:
        abort(404, description=f"There is no event {event_id}.")


def _editor_of(event_id: int | None):
    """The signed-in actor when it may change the event (any event: None = creating one)."""
    actor = auth.current_actor()
    if actor is None:
        return None
    allowed = actor.is_admin if event_id is None else actor.may_edit_event(event_id)
    return actor if allowed else None


def _detail(schedule, *, status: int = 200, **forms):
    event = schedule.event
    settings = forms.get("settings_form") or SettingsForm(
        formdata=None,
        prefix="settings",
        data={
            "rounds": len(event.rounds),
            "start": event.rounds[0].start,
            "minutes": event.rounds[0].minutes,
            "break_minutes": _break_of(event),
            "tables": event.tables,
        },
    )
    page = render_template(
        "events/detail.html",
        schedule=schedule,
        event=event,
        report=schedule.report,
        attendees_form=forms.get("attendees_form") or AttendeesForm(formdata=None, prefix="add"),
        settings_form=settings,
        generate_form=forms.get("generate_form") or GenerateForm(formdata=None, prefix="generate"),
        locks_form=forms.get("locks_form") or LocksForm(formdata=None, prefix="locks"),
        import_problems=forms.get("import_problems") or [],
        unresolved=forms.get("unresolved") or [],
        counts=schedule.attendee_meetings,
        can_edit=_editor_of(event.id) is not None,
    )
    return page, status


def _absent_everywhere(rows, rounds: int) -> list[str]:
    """Names of imported cities that said they attend no round at all."""
    every = set(range(1, rounds + 1))
    return [f"{r.name} ({r.country})" for r in rows if every <= set(r.unavailable_rounds)]


def _break_of(event) -> int:
    if len(event.rounds) < 2:
        return 0
    first, second = event.rounds[0], event.rounds[1]
    to_minutes = lambda hhmm: int(hhmm[:2]) * 60 + int(hhmm[3:])  # noqa: E731
    return max(0, to_minutes(second.start) - to_minutes(first.start) - first.minutes)


def _download(data: bytes | str, mimetype: str, filename: str) -> Response:
    # Flask adds "; charset=utf-8" to text types itself: one charset in the header.
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "event"


def _attendee_or_404(schedule, slug: str):
    found = next((a for a in schedule.event.attendees if a.city.slug == slug), None)
    if found is None:
        abort(404, description=f"'{slug}' does not attend this event.")
    return found


# --------------------------------------------------------------------------- pages


@bp.get("/")
def index():
    """Every event, with a link to create one."""
    return render_template("events/list.html", events=event_service.list_events(get_session()))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Create an event: name, date, time zone, rounds and tables (administrators)."""
    actor = _editor_of(None)
    if actor is None:
        return signin.refusal("the list of events (creating one)")
    if request.method == "GET":
        return render_template("events/new.html", form=EventForm(formdata=None))
    form = EventForm()
    valid = form.validate()
    if valid:
        session = get_session()
        try:
            event = event_service.create_event(
                get_session(),
                form.name.data,
                form.day.data,
                form.timezone.data.strip(),
                form.rounds.data,
                form.start.data.strip(),
                form.minutes.data,
                tables=form.tables.data,
                break_minutes=form.break_minutes.data or 0,
                no_repeat=form.no_repeat.data,
            )
        except event_service.EventError as exc:
            form.form_errors.append(str(exc))
        else:
            history.record(session, actor, "event.create", event_id=event.id,
                           summary=f"event created: {event.name}")  # fmt: skip
            current_app.logger.info("event %s created", event.id)
            flash(f"Event “{event.name}” created. Now add its attendees.", "success")
            return redirect(url_for("events.detail", event_id=event.id), code=303)
    return render_template("events/new.html", form=form), 422


@bp.get("/<int:event_id>")
def detail(event_id: int):
    """The event: attendees, settings, the schedule grid, its quality and the downloads."""
    return _detail(_event_or_404(event_id))


@bp.post("/<int:event_id>/attendees")
def attendees(event_id: int):
    """Add pasted or uploaded attendees; unknown or ambiguous names come back with suggestions."""
    schedule = _event_or_404(event_id)
    actor = _editor_of(event_id)
    if actor is None:
        return signin.refusal(f"the event “{schedule.event.name}”")
    form = AttendeesForm(prefix="add")
    valid = form.validate()
    text, filename = (form.attendees.data or "").strip(), "pasted list"
    upload = form.upload.data
    if upload and getattr(upload, "filename", ""):
        raw = upload.read(MAX_ATTENDEE_BYTES + 1)
        if len(raw) > MAX_ATTENDEE_BYTES:
            form.upload.errors = [*form.upload.errors, "The file is too large."]
            valid = False
        try:
            text, filename = raw.decode("utf-8-sig"), upload.filename
        except UnicodeDecodeError:
            form.upload.errors = [*form.upload.errors, "The file is not UTF-8 text (CSV)."]
            valid = False
    elif valid and not text:
        form.attendees.errors = [*form.attendees.errors, "Paste a list or choose a file."]
        valid = False
    if not valid:
        return _detail(schedule, status=422, attendees_form=form)
    session = get_session()
    summary = f"attendees added from {filename}" + (
        ", replacing the list" if form.replace.data else ""
    )
    try:
        with history.recording(session, actor, "event.attendees", event_id=event_id,
                               summary=summary):  # fmt: skip
            event, result = event_service.import_attendees(
                session,
                event_id,
                f"{filename}.csv" if not filename.endswith(".csv") else filename,
                text=text,
                skip_unresolved=form.skip_unresolved.data,
                replace=form.replace.data,
            )
    except ImportFailed as exc:
        unresolved = exc.unresolved if isinstance(exc, AttendeeImportFailed) else []
        return _detail(
            schedule,
            status=422,
            attendees_form=form,
            import_problems=exc.problems,
            unresolved=unresolved,
        )
    except event_service.EventError as exc:
        form.form_errors.append(str(exc))
        return _detail(schedule, status=422, attendees_form=form)
    message = f"{len(result.rows)} attendees added; the event has {len(event.attendees)}."
    if result.unresolved:
        message += f" Left out: {', '.join(u.name for u in result.unresolved)}."
    if result.corrected:
        message += f" Names corrected: {'; '.join(result.corrected)}."
    absent = _absent_everywhere(result.rows, len(event.rounds))
    if absent:
        message += f" Unavailable in every round, so no meeting: {', '.join(absent)}."
    flash(message, "success")
    return redirect(url_for("events.detail", event_id=event_id, _anchor="attendees"), code=303)


@bp.post("/<int:event_id>/settings")
def settings(event_id: int):
    """Change the rounds and tables (meetings that no longer fit are removed)."""
    schedule = _event_or_404(event_id)
    actor = _editor_of(event_id)
    if actor is None:
        return signin.refusal(f"the event “{schedule.event.name}”")
    form = SettingsForm(prefix="settings")
    valid = form.validate()
    if valid:
        session = get_session()
        summary = (f"{form.rounds.data} rounds of {form.minutes.data} min from "
                   f"{form.start.data.strip()}, {form.tables.data} tables")  # fmt: skip
        try:
            with history.recording(session, actor, "event.settings", event_id=event_id,
                                   summary=summary):  # fmt: skip
                event_service.update_event(
                    session,
                    event_id,
                    rounds=form.rounds.data,
                    start=form.start.data.strip(),
                    minutes=form.minutes.data,
                    break_minutes=form.break_minutes.data or 0,
                    tables=form.tables.data,
                )
        except event_service.EventError as exc:
            form.form_errors.append(str(exc))
        else:
            flash("Rounds and tables saved.", "success")
            return redirect(url_for("events.detail", event_id=event_id), code=303)
    return _detail(schedule, status=422, settings_form=form)


@bp.post("/<int:event_id>/schedule")
def generate(event_id: int):
    """Generate the schedule (locked meetings stay)."""
    schedule = _event_or_404(event_id)
    actor = _editor_of(event_id)
    if actor is None:
        return signin.refusal(f"the event “{schedule.event.name}”")
    form = GenerateForm(prefix="generate")
    valid = form.validate()
    if valid:
        session = get_session()
        try:
            with history.recording(session, actor, "event.schedule", event_id=event_id,
                                   summary=f"schedule generated ({form.method.data})"):  # fmt: skip
                result = event_service.generate_schedule(session, event_id, method=form.method.data)
        except event_service.EventError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(f"Schedule generated: {len(result.meetings)} meetings.", "success")
            return redirect(
                url_for("events.detail", event_id=event_id, _anchor="schedule"), code=303
            )
    return _detail(schedule, status=422, generate_form=form)


@bp.post("/<int:event_id>/locks")
def locks(event_id: int):
    """Lock the ticked meetings of the grid and unlock the others; optionally re-run for the
    rest (locked meetings stay where they are)."""
    schedule = _event_or_404(event_id)
    actor = _editor_of(event_id)
    if actor is None:
        return signin.refusal(f"the event “{schedule.event.name}”")
    form = LocksForm(prefix="locks")
    if form.validate():
        wanted = {int(x) for x in request.form.getlist("lock") if x.isdigit()}
        changing = [m for m in schedule.meetings if (m.id in wanted) != m.locked]
        again = request.form.get("then") == "generate"
        summary = f"{len(changing)} lock(s) changed" + (
            ", schedule generated again" if again else ""
        )
        session = get_session()
        try:
            with history.recording(session, actor, "event.locks", event_id=event_id,
                                   summary=summary):  # fmt: skip
                for meeting in changing:
                    event_service.lock_meeting(
                        session, event_id, meeting.id, locked=meeting.id in wanted
                    )
                message = f"Locks saved: {len(wanted)} locked meeting(s), {len(changing)} changed."
                if again:
                    result = event_service.generate_schedule(session, event_id)
                    message += (
                        f" Schedule generated again around them: {len(result.meetings)} meetings."
                    )
        except event_service.EventError as exc:
            form.form_errors.append(str(exc))
        else:
            flash(message, "success")
            return redirect(
                url_for("events.detail", event_id=event_id, _anchor="schedule"), code=303
            )
    return _detail(schedule, status=422, locks_form=form)


@bp.get("/<int:event_id>/attendees")
@bp.get("/<int:event_id>/settings")
@bp.get("/<int:event_id>/schedule")
@bp.get("/<int:event_id>/locks")
def back_to_event(event_id: int):
    """Reloading or bookmarking the address of a form's answer shows the event (never 405)."""
    _event_or_404(event_id)
    return redirect(url_for("events.detail", event_id=event_id), code=303)


# --------------------------------------------------------------------------- downloads


@bp.get("/<int:event_id>/schedule.csv")
def schedule_csv(event_id: int):
    schedule = _event_or_404(event_id)
    name = f"{_slug(schedule.event.name)}-schedule.csv"
    return _download(exports.schedule_csv(schedule), "text/csv", name)


@bp.get("/<int:event_id>/schedule.ics")
def schedule_ics(event_id: int):
    schedule = _event_or_404(event_id)
    name = f"{_slug(schedule.event.name)}.ics"
    try:
        data = exports.event_ics(schedule)
    except exports.NoMeetings as exc:
        abort(404, description=f"{str(exc)[:1].upper()}{str(exc)[1:]}.")
    return _download(data, "text/calendar", name)


@bp.get("/<int:event_id>/agendas")
def agendas(event_id: int):
    """Printable agendas of every attendee, one per page."""
    schedule = _event_or_404(event_id)
    css = url_for("events.agenda_stylesheet")
    return Response(exports.agenda_html(schedule, stylesheet_href=css), mimetype="text/html")


@bp.get("/<int:event_id>/agendas/<slug>")
def agenda(event_id: int, slug: str):
    """One attendee's printable agenda."""
    schedule = _event_or_404(event_id)
    attendee = _attendee_or_404(schedule, slug)
    css = url_for("events.agenda_stylesheet")
    html = exports.agenda_html(schedule, [attendee.city.id], stylesheet_href=css)
    return Response(html, mimetype="text/html")


@bp.get("/<int:event_id>/agendas/<slug>.ics")
def agenda_ics(event_id: int, slug: str):
    """One attendee's meetings for a calendar."""
    schedule = _event_or_404(event_id)
    attendee = _attendee_or_404(schedule, slug)
    try:
        data = exports.agenda_ics(schedule, attendee.city.id)
    except exports.NoMeetings as exc:
        abort(404, description=f"{exc}.")
    name = f"{_slug(schedule.event.name)}-{attendee.city.slug}.ics"
    return _download(data, "text/calendar", name)


@bp.get("/assets/agenda.css")
def agenda_stylesheet():
    return Response(exports.agenda_css(), mimetype="text/css")


@bp.get("/assets/events.css")
def stylesheet():
    return Response(render_template("events/events.css"), mimetype="text/css")


@bp.app_template_filter("long_date")
def _long_date(value: date) -> str:
    return value.strftime("%A %d %B %Y")
