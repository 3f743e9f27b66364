"""``matcher editors ...`` and ``matcher history``: who may write, and who wrote what.

Thin wrappers over :mod:`matcher.services.editors` and :mod:`matcher.services.history`.
"""

from __future__ import annotations

import getpass
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from matcher.cli.common import open_session as _session
from matcher.domain import Actor


def command_line_actor() -> Actor:
    """Who writes from this terminal: the operating-system user (there is no token here)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown user"
    return Actor(f"command line ({user})", "admin")


def _configured_hashes() -> list[str]:
    raw = current_app.config.get("API_TOKEN_HASHES") or ""
    return [part.strip().lower() for part in raw.split(",") if part.strip()]


def _link_url(link: str) -> str:
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/sign-in/{link}"


editors_group = AppGroup("editors", help="Editors: who may change which city or event.")


@editors_group.command("add")
@click.option("--name", required=True, help="The person's name (shown in the history).")
@click.option("--city", default=None, help="Slug of the one city they may edit (nl-emmen).")
@click.option("--event", "event_id", type=int, default=None, help="Id of the one event.")
@click.option("--admin", is_flag=True, help="May change everything (the data steward).")
@with_appcontext
def add_command(name, city, event_id, admin):
    """Make an editor; prints a one-time sign-in link, then the token on the last line."""
    from matcher.services import editors

    with _session() as session:
        try:
            issued = editors.add_editor(session, name, city=city, event=event_id, admin=admin)
        except editors.EditorError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)
    editor = issued.editor
    click.echo(f"Editor {editor.id}: {editor.name}, {editor.actor().scope_label}.")
    click.echo(f"One-time browser sign-in link (works for 3 days): {_link_url(issued.link_token)}")
    click.echo("  (served elsewhere? the same path on that address; MATCHER_PUBLIC_URL sets it)")
    click.echo("The token is shown only now; it is stored hashed. API: Authorization: Bearer ...")
    click.echo(issued.token)


@editors_group.command("link")
@click.argument("editor_id", type=int)
@with_appcontext
def link_command(editor_id):
    """Make a new one-time sign-in link for an editor (an unused earlier one stops working)."""
    from matcher.services import editors

    with _session() as session:
        try:
            link = editors.new_link(session, editor_id)
        except editors.EditorError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)
    click.echo(_link_url(link))


@editors_group.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked editors.")
@with_appcontext
def list_command(include_revoked):
    """Editors with their scope (never their tokens)."""
    from matcher.services import editors

    with _session() as session:
        found = editors.list_editors(session, include_revoked=include_revoked)
    if not found:
        click.echo("No editors yet.")
    for editor in found:
        state = f"revoked {editor.revoked_at:%Y-%m-%d %H:%M}" if editor.revoked_at else "active"
        click.echo(f"{editor.id:>4}  {editor.name:<30} {editor.actor().scope_label:<28} "
                   f"since {editor.created_at:%Y-%m-%d}  {state}")  # fmt: skip
    if _configured_hashes():
        click.echo(f"   +  {len(_configured_hashes())} administrator token(s) configured in "
                   "MATCHER_API_TOKEN_HASHES")  # fmt: skip


@editors_group.command("revoke")
@click.argument("editor_id", type=int)
@with_appcontext
def revoke_command(editor_id):
    """Revoke an editor: the token, link and browser sessions stop working at once."""
    from matcher.services import editors

    with _session() as session:
        try:
            editor = editors.revoke(session, editor_id)
        except editors.EditorError as exc:
            click.secho(f"Error: {exc}", fg="red", err=True)
            sys.exit(1)
    click.echo(f"Editor {editor.id} ({editor.name}) is revoked.")


@editors_group.command("status")
@with_appcontext
def status_command():
    """Say whether anyone can write yet, and how to make the first administrator."""
    from matcher.services import editors

    with _session() as session:
        ready = editors.has_administrator(session, _configured_hashes())
        count = len(editors.list_editors(session))
    if ready:
        click.echo(f"Write access: {count} editor(s); `matcher editors list` shows them.")
        return
    click.echo("Nobody can change data yet. Make the first administrator (prints a sign-in link "
               "and a token):")  # fmt: skip
    # Under `make run PORT=...` the sign-in link must name the port the server really uses.
    bind = os.environ.get("MATCHER_BIND", "")
    prefix = f"MATCHER_BIND={bind} " if bind and bind != "127.0.0.1:8000" else ""
    click.echo(f'  {prefix}.venv/bin/matcher editors add --admin --name "Your name"')
    click.echo(
        "and editors of one city or event with --city SLUG or --event ID instead of --admin."
    )


@click.command("history")
@click.option("--city", default=None, help="A city slug, e.g. nl-emmen.")
@click.option("--event", "event_id", type=int, default=None, help="An event id.")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def history_command(city, event_id, limit, as_json):
    """Who changed what and when (UTC), newest first: one city, one event, or everything."""
    import json

    from matcher.services import history

    with _session() as session:
        if city:
            changes = history.city_history(session, city.strip().lower(), limit=limit)
        elif event_id is not None:
            changes = history.event_history(session, event_id, limit=limit)
        else:
            changes = history.all_history(session, limit=limit)
    if as_json:
        rows = [{"at": c.at.isoformat(), "editor": c.editor_name, "action": c.action,
                 "city": c.city_slug, "event": c.event_id, "summary": c.summary,
                 "details": c.details} for c in changes]  # fmt: skip
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not changes:
        click.echo("No changes recorded.")
    for change in changes:
        where = change.city_slug or (f"event {change.event_id}" if change.event_id else "")
        scope = change.details.get("scope")
        who = (
            f"{change.editor_name} ({scope})"
            if scope and scope not in change.editor_name
            else change.editor_name
        )
        click.echo(f"{change.at:%Y-%m-%d %H:%M} UTC  {who}  {change.action}  {where}")
        if change.summary:
            click.echo(f"    {change.summary}")


EDITOR_COMMANDS = (editors_group, history_command)
