"""Signing in (with a token or a one-time link), signing out, and refusing what a person
may not change.

A one-time link opens a page with a button rather than signing in on the GET itself: mail
scanners and link previews fetch links, and would otherwise use them up. Every form here
carries a CSRF token, sign-out included (a cross-site page must not sign anyone out).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField
from wtforms.validators import InputRequired

from matcher.web import auth

bp = Blueprint("signin", __name__)


class SignInForm(FlaskForm):
    token = PasswordField(
        "Editor token",
        validators=[InputRequired(message="Enter the editor token you were given.")],
        description="The token printed by “matcher editors add” (or an API token).",
    )
    next = HiddenField()

    def error_summary(self) -> list[tuple[str | None, str]]:
        """(field id or None, message) for the summary box."""
        summary: list[tuple[str | None, str]] = [(None, m) for m in self.form_errors]
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None:
            summary += [(None, m) for m in csrf_field.errors]
        return summary + [(self.token.id, f"Editor token: {m}") for m in self.token.errors]


class ButtonForm(FlaskForm):
    """A form that is only a button (and its CSRF token)."""


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site only, never another host."""
    target = (target or "").strip()
    parts = urlsplit(target)
    if not target.startswith("/") or target.startswith("//") or parts.netloc or parts.scheme:
        return url_for("views.home")
    return target


def _too_many(wait: int, template: str, **context):
    page = render_template(template, retry_after=wait, **context)
    return page, 429, {"Retry-After": str(wait)}


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """Sign in with an editor token; the browser then keeps a session until signing out."""
    if request.method == "GET":
        form = SignInForm(formdata=None, next=request.args.get("next", ""))
        return render_template("sign_in.html", form=form)
    form = SignInForm()
    if not form.validate():
        return render_template("sign_in.html", form=form), 422
    outcome = auth.check_token(form.token.data.strip())
    if outcome.retry_after is not None:
        return _too_many(outcome.retry_after, "sign_in.html", form=form)
    if outcome.actor is None:
        form.token.errors = [*form.token.errors, "This editor token is not valid."]
        return render_template("sign_in.html", form=form), 403
    auth.sign_in(outcome.actor, form.token.data.strip())
    current_app.logger.info("%s signed in", outcome.actor.name)
    flash(f"Signed in as {outcome.actor.name} ({outcome.actor.scope_label}).", "success")
    return redirect(safe_next(form.next.data), code=303)


@bp.route("/sign-in/<link>", methods=["GET", "POST"])
def sign_in_link(link: str):
    """A one-time sign-in link: a page with a button, and the sign-in when it is pressed."""
    form = ButtonForm()
    if request.method == "GET":
        # Looking a link up is a guess too: it counts, and is refused past the limit.
        outcome = auth.peek_link(link)
        if outcome.retry_after is not None:
            return _too_many(outcome.retry_after, "sign_in_link.html", form=form, editor=None)
        status = 200 if outcome.editor is not None else 404
        return render_template("sign_in_link.html", form=form, editor=outcome.editor), status
    if not form.validate():
        return render_template("sign_in_link.html", form=form, editor=None), 400
    outcome = auth.check_link(link)
    if outcome.retry_after is not None:
        return _too_many(outcome.retry_after, "sign_in_link.html", form=form, editor=None)
    if outcome.actor is None:
        return render_template("sign_in_link.html", form=form, editor=None), 404
    auth.sign_in(outcome.actor)
    current_app.logger.info("%s signed in with a link", outcome.actor.name)
    flash(f"Signed in as {outcome.actor.name} ({outcome.actor.scope_label}).", "success")
    return redirect(_home_of(outcome.actor), code=303)


def _home_of(actor) -> str:
    """The page an editor came to edit: their city's profile form, their event, or home."""
    if actor.scope == "city":
        return url_for("views.edit_profile", slug=actor.scope_ref)
    if actor.scope == "event":
        return url_for("events.detail", event_id=int(actor.scope_ref))
    return url_for("views.home")


@bp.post("/sign-out")
def sign_out():
    """End the session."""
    form = ButtonForm()
    if not form.validate():
        detail = "The sign-out form expired; reload the page and try again."
        page = render_template("error.html", code=400, title="Bad Request", detail=detail)
        return page, 400
    auth.sign_out()
    flash("You are signed out.", "success")
    return redirect(url_for("views.home"), code=303)


def refusal(what: str):
    """The answer (403) to a person who may not make this change: a sign-in form that comes
    back here, or, signed in with another scope, why not."""
    actor = auth.current_actor()
    if actor is None:
        form = SignInForm(formdata=None, next=_back_here())
        return render_template("sign_in_needed.html", what=what, form=form), 403
    detail = (
        f"You are signed in as {actor.name} ({actor.scope_label}); changing {what} needs an "
        "editor of it or an administrator."
    )
    return render_template("error.html", code=403, title="Forbidden", detail=detail), 403


def _back_here() -> str:
    """The page to come back to after signing in: this one, or for a form post the page
    that holds the form."""
    if request.method == "GET":
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path
    return request.path


def init_app(app) -> None:
    """Register the sign-in and sign-out pages."""
    app.register_blueprint(bp)
