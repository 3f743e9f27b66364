"""The ``matcher`` command (also ``flask --app matcher ...``): thin wrappers over services."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from matcher.importing.records import ImportFailed, detect_format, read_records


@contextmanager
def _session():
    from matcher.db import get_database

    session = get_database().session()
    try:
        yield session
    finally:
        session.close()


def _fail_on_problems(exc: ImportFailed) -> None:
    click.secho(f"Nothing was imported: {len(exc.problems)} problem(s).", fg="red", err=True)
    for problem in exc.problems[:200]:
        click.echo(f"  {problem}", err=True)
    if len(exc.problems) > 200:
        click.echo(f"  ... and {len(exc.problems) - 200} more", err=True)
    sys.exit(1)


def _emit_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


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
@click.option("--replace", is_flag=True, help="Delete everything first and load the seed again.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the database already has cities.")
@with_appcontext
def seed_command(data_dir, replace, if_empty):
    """Load the shipped real data (cities, profiles, collaborations, calls)."""
    from matcher.db import get_database
    from matcher.services.cities import stats
    from matcher.services.data import seed, upgrade_schema

    upgrade_schema(get_database())
    data_dir = data_dir or Path(current_app.config["DATA_DIR"])
    with _session() as session:
        if if_empty and not replace and stats(session)["cities"]:
            click.echo("The database already holds the seed; nothing to do.")
            return
        try:
            counts = seed(session, data_dir, replace=replace,
                          step=lambda name, n: click.echo(f"  {name}: {n}"))  # fmt: skip
        except ImportFailed as exc:
            _fail_on_problems(exc)
    click.echo("Seeded: " + ", ".join(f"{n} {k}" for k, n in counts.items()))


# --------------------------------------------------------------------------- import / export


@click.command("import")
@click.argument("kind", type=click.Choice(["cities", "calls"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default=None,
              help="Default: from the file extension.")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def import_command(kind, file, fmt, dry_run, as_json):
    """Import cities or calls from CSV/JSON: all rows are checked first, then upserted."""
    from matcher.services.data import import_file

    with _session() as session:
        try:
            total = len(read_records(file, kind, detect_format(file, fmt)))
            with click.progressbar(length=total, label=f"Importing {kind}", file=sys.stderr,
                                   show_pos=True) as bar:  # fmt: skip
                last = [0]

                def advance(done: int) -> None:
                    bar.update(done - last[0])
                    last[0] = done

                report = import_file(session, kind, file, fmt=fmt, dry_run=dry_run,
                                     progress=advance)  # fmt: skip
        except ImportFailed as exc:
            if as_json:
                _emit_json({"ok": False, "problems": [p.as_dict() for p in exc.problems]})
                sys.exit(1)
            _fail_on_problems(exc)
    if as_json:
        _emit_json({"ok": True, **report.as_dict()})
        return
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} {report.total} {kind} from {report.file}: {report.created} created, "
               f"{report.updated} updated, {report.unchanged} unchanged.")  # fmt: skip
    for note in report.notes:
        click.echo(f"  {note}")


@click.command("export")
@click.argument("kind", type=click.Choice(["cities", "calls"]))
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to this file instead of standard output.")  # fmt: skip
@with_appcontext
def export_command(kind, fmt, out):
    """Export cities or calls in the format that import reads back."""
    from matcher.services.data import export

    with _session() as session:
        text = export(session, kind, fmt)
    if out:
        out.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}", err=True)
    else:
        click.echo(text, nl=False)


# --------------------------------------------------------------------------- cities

cities_group = AppGroup("cities", help="Look up cities.")


@cities_group.command("search")
@click.argument("query")
@click.option("--country", default=None, help="ISO code, e.g. NL.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True)
def cities_search_command(query, country, limit, as_json):
    """Fuzzy, typo-tolerant search: `matcher cities search "emen"`."""
    from matcher.domain import COUNTRY_NAMES, normalise_country
    from matcher.services.cities import search_cities

    if country:
        try:
            country = normalise_country(country)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--country") from None
    with _session() as session:
        hits = search_cities(session, query, country=country, limit=limit)
    if as_json:
        _emit_json([
            {"id": h.city.id, "slug": h.city.slug, "name": h.city.name, "country": h.city.country,
             "population": h.city.population, "matched_name": h.matched_name,
             "score": round(h.score, 1)} for h in hits
        ])  # fmt: skip
        return
    if not hits:
        click.echo(f"No city matches {query!r}.")
        sys.exit(1)
    click.echo(f"{'city':<28} {'country':<16} {'population':>10}  {'matched name':<28} score")
    for h in hits:
        population = f"{h.city.population:,}" if h.city.population else "unknown"
        click.echo(f"{h.city.name[:28]:<28} {COUNTRY_NAMES[h.city.country][:16]:<16} "
                   f"{population:>10}  {h.matched_name[:28]:<28} {h.score:5.1f}")  # fmt: skip


@click.command("stats")
@with_appcontext
def stats_command():
    """Counts of cities, collaborations, calls and themes in the database."""
    from matcher.services.cities import stats

    with _session() as session:
        for key, value in stats(session).items():
            click.echo(f"{key:>16}: {value}")


COMMANDS = (init_db_command, upgrade_command, seed_command, import_command, export_command,
            cities_group, stats_command)  # fmt: skip


def init_app(app) -> None:
    """Register the commands on the app's CLI (``flask --app matcher ...``)."""
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the ``matcher`` console script."""
    from matcher import create_app

    FlaskGroup(create_app=create_app, help=__doc__).main(prog_name="matcher")
