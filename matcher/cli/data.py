"""``matcher init-db / upgrade / seed / import / export / stats / hash-token``: the data
steward's commands."""

from __future__ import annotations

import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from matcher.cli.common import emit_json, fail_on_problems, open_session
from matcher.importing.records import ImportFailed, Problem, RecordSource

# --------------------------------------------------------------------------- database


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create or migrate the database schema to the newest revision."""
    from matcher.db import get_database
    from matcher.services.data import upgrade_schema

    revision = upgrade_schema(get_database())
    click.echo(f"Database at {get_database().engine.url.render_as_string()} is at revision "
               f"{revision}.")  # fmt: skip


@click.command("upgrade")
@with_appcontext
def upgrade_command():
    """Apply pending migrations (same as init-db)."""
    init_db_command.callback()


@click.command("seed")
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder with the seed files (default: the shipped data/).")  # fmt: skip
@click.option("--replace", is_flag=True,
              help="Back up, delete everything and load the seed again.")  # fmt: skip
@click.option("--yes", is_flag=True,
              help="With --replace: go ahead even when events or declared, imported or extra "
                   "records would be deleted (a backup is taken first).")  # fmt: skip
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has cities.")
@with_appcontext
def seed_command(data_dir, replace, yes, if_empty):
    """Load the shipped real data (cities, profiles, collaborations, calls)."""
    from matcher.cli.editors import command_line_actor
    from matcher.db import get_database
    from matcher.services import history
    from matcher.services.cities import stats
    from matcher.services.data import UserDataAtRisk, seed, upgrade_schema

    upgrade_schema(get_database())
    data_dir = data_dir or Path(current_app.config["DATA_DIR"])
    backup_dir = Path(current_app.instance_path) / "backups"
    with open_session() as session:
        if if_empty and not replace and stats(session)["cities"]:
            click.echo("The database already holds the seed; nothing to do.")
            return
        try:
            with history.recording(session, command_line_actor(), "import.seed",
                                   summary=f"seed loaded from {data_dir}"):  # fmt: skip
                counts = seed(session, data_dir, replace=replace, confirmed=yes,
                              backup_dir=backup_dir,
                              step=lambda name, n: click.echo(f"  {name}: {n}"))  # fmt: skip
        except ImportFailed as exc:
            fail_on_problems(exc)
        except UserDataAtRisk as exc:
            click.secho(f"Nothing was changed: {exc}.", fg="red", err=True)
            click.echo("Run again with --yes to replace it anyway (a backup is taken first), "
                       "or keep it with `matcher backup FILE` first.", err=True)  # fmt: skip
            sys.exit(1)
    backup = counts.pop("backup", None)
    if backup:
        click.echo(f"Backup of the replaced data: {backup} (`matcher restore` reads it)")
    click.echo("Seeded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
    prepare_indexes()


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(file):
    """Write everything (cities, calls, profiles, collaborations, events...) to FILE."""
    from matcher.db import get_database
    from matcher.services.data import backup

    counts = backup(get_database(), file)
    click.echo(f"Wrote {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@with_appcontext
def restore_command(file, yes):
    """Replace the whole database with the backup FILE (one transaction)."""
    from matcher.db import get_database
    from matcher.db.backup import BackupError
    from matcher.services.data import restore

    if not yes and not click.confirm(f"Replace everything in the database with {file}?"):
        click.echo("Nothing was changed.")
        sys.exit(1)
    try:
        counts = restore(get_database(), file)
    except BackupError as exc:
        click.secho(f"Nothing was changed: {exc}", fg="red", err=True)
        sys.exit(1)
    click.echo(f"Restored {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n))
    prepare_indexes()


def prepare_indexes() -> None:
    """Fit the search indexes now (stored under instance/cache), not in the next command."""
    from matcher.services.data import warm_indexes

    click.echo("Preparing the search indexes...", err=True)
    with open_session() as session:
        warm_indexes(session)


# --------------------------------------------------------------------------- import / export


@click.command("import")
@click.argument("kind", type=click.Choice(["cities", "calls"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="Default: from the file extension.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--replace-declared", is_flag=True,
              help="Cities: imported weights replace those a city declared itself.")  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def import_command(kind, file, fmt, dry_run, replace_declared, as_json):
    """Import cities or calls from CSV/JSON (FILE '-' reads standard input): all rows are
    checked first, then upserted.

    Only the columns the file has are changed; an empty cell keeps the stored value and a
    cell holding <clear> clears it."""
    from sqlalchemy.exc import OperationalError

    from matcher.cli.editors import command_line_actor
    from matcher.services import history
    from matcher.services.data import import_file

    options = {"fmt": fmt, "dry_run": dry_run}
    if kind == "cities":
        options["replace_declared"] = replace_declared
    with (
        _readable(file, fmt) as file,
        open_session() as session,
        history.recording_import(session, command_line_actor(), kind, file.name),
    ):
        try:
            if as_json:  # machine-readable output: no progress bar on the terminal
                report = import_file(session, kind, file, **options)
            else:
                report = _import_with_progress(session, kind, file, options)
        except OperationalError as exc:  # a lock held too long, a lost connection
            detail = str(exc.orig).splitlines()[0] if exc.orig else "database error"
            _import_failed(ImportFailed([Problem("database", 0, "", f"{detail}; try again")]),
                           as_json)  # fmt: skip
        except ImportFailed as exc:
            _import_failed(exc, as_json)
    if not dry_run and (report.created or report.updated):
        prepare_indexes()
    if as_json:
        emit_json({"ok": True, **report.as_dict()})
        return
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {report.total} {kind} from {report.file}: {report.created} created, "
               f"{report.updated} updated, {report.unchanged} unchanged.")  # fmt: skip
    for note in report.notes:
        click.echo(f"  {note}")


@contextmanager
def _readable(file: Path, fmt: str | None):
    """``-`` (or /dev/stdin) is standard input, kept in a temporary file so the import can
    read it twice (validate, then write) like any file; CSV unless ``--format json``."""
    if str(file) not in ("-", "/dev/stdin"):
        yield file
        return
    with tempfile.TemporaryDirectory(prefix="matcher-stdin-") as folder:
        path = Path(folder) / f"stdin.{fmt or 'csv'}"
        with path.open("wb") as handle:
            shutil.copyfileobj(sys.stdin.buffer, handle)
        yield path


def _import_failed(exc: ImportFailed, as_json: bool) -> None:
    if as_json:
        emit_json({"ok": False, "problems": [p.as_dict() for p in exc.problems]})
        sys.exit(1)
    fail_on_problems(exc)


def _import_with_progress(session, kind, file, options):
    from matcher.services.data import import_file

    total = RecordSource(file, kind, options["fmt"]).count()
    with click.progressbar(length=total, label=f"Importing {kind}", file=sys.stderr,
                           show_pos=True) as bar:  # fmt: skip
        done_before = 0

        def advance(done: int) -> None:
            nonlocal done_before
            bar.update(done - done_before)
            done_before = done

        return import_file(session, kind, file, progress=advance, **options)


@click.command("export")
@click.argument("kind", type=click.Choice(["cities", "calls"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")  # fmt: skip
@with_appcontext
def export_command(kind, fmt, out):
    """Export cities or calls in the format that import reads back."""
    from matcher.services.data import export

    with open_session() as session:
        text = export(session, kind, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


@click.command("stats")
@with_appcontext
def stats_command():
    """Counts of cities, collaborations, calls and themes in the database."""
    from matcher.services.cities import stats

    with open_session() as session:
        for key, value in stats(session).items():
            click.echo(f"{key:>16}: {value}")


@click.command("hash-token")
@click.argument("token", required=False)
def hash_token_command(token):
    """Make an API token (or hash TOKEN) for MATCHER_API_TOKEN_HASHES."""
    import secrets

    from matcher.services.editors import hash_secret as hash_token

    if token is None:
        token = secrets.token_urlsafe(32)
        click.echo(f"token:  {token}   (give this to the API client; it is not stored)")
    click.echo(f"hash:   {hash_token(token)}   (add to MATCHER_API_TOKEN_HASHES)")
