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
            if as_json:  # machine-readable output: no progress bar on the terminal
                report = import_file(session, kind, file, fmt=fmt, dry_run=dry_run)
            else:
                report = _import_with_progress(session, kind, file, fmt, dry_run)
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


def _import_with_progress(session, kind, file, fmt, dry_run):
    from matcher.services.data import import_file

    total = len(read_records(file, kind, detect_format(file, fmt)))
    with click.progressbar(length=total, label=f"Importing {kind}", file=sys.stderr,
                           show_pos=True) as bar:  # fmt: skip
        done_before = 0

        def advance(done: int) -> None:
            nonlocal done_before
            bar.update(done - done_before)
            done_before = done

        return import_file(session, kind, file, fmt=fmt, dry_run=dry_run, progress=advance)


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


@click.command("partners")
@click.argument("city")
@click.option("--country", "city_country", default=None, help="Country of CITY if ambiguous.")
@click.option("--theme", "themes", multiple=True, help="Theme focus (id), repeatable.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(1, 200))
@click.option(
    "--geography",
    default="any",
    show_default=True,
    type=click.Choice(["any", "near", "far", "different-country", "cross-border"]),
)
@click.option("--only-country", "countries", multiple=True, help="Keep only these (ISO codes).")
@click.option("--exclude-country", "exclude_countries", multiple=True)
@click.option(
    "--country-set",
    "country_sets",
    multiple=True,
    help="EU27, EEA, HORIZON, LIFE: keep only candidates in the set.",
)
@click.option(
    "--size-band",
    "size_bands",
    multiple=True,
    type=click.Choice(["xs", "s", "m", "l", "xl", "xxl"]),
)
@click.option(
    "--max-distance", type=click.FloatRange(min=0, min_open=True), default=None, help="Kilometres."
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def partners_command(
    city,
    city_country,
    themes,
    top,
    geography,
    countries,
    exclude_countries,
    country_sets,
    size_bands,
    max_distance,
    as_json,
):
    """Ranked partner cities for CITY, with the reasons: `matcher partners "Emmen"`."""
    from matcher.domain import COUNTRY_NAMES
    from matcher.services.partners import PartnerQuery, PartnerQueryError, find_partners

    query = PartnerQuery(
        top=top,
        theme_focus=themes,
        geography=geography,
        countries=countries,
        exclude_countries=exclude_countries,
        country_sets=country_sets,
        size_bands=size_bands,
        max_distance_km=max_distance,
    )
    with _session() as session:
        found = _resolve_city(session, city, city_country)
        try:
            matches = find_partners(session, found, query)
        except PartnerQueryError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        _emit_json(
            {
                "city": {
                    "id": found.id,
                    "slug": found.slug,
                    "name": found.name,
                    "country": found.country,
                },
                "query": {"theme_focus": list(themes), "geography": geography, "top": top},
                "partners": [
                    {
                        "rank": i,
                        "id": m.city.id,
                        "slug": m.city.slug,
                        "name": m.city.name,
                        "country": m.city.country,
                        "population": m.city.population,
                        "distance_km": None if m.distance_km is None else round(m.distance_km, 1),
                        "score": round(m.score, 4),
                        "parts": {k: round(v, 4) for k, v in m.parts.items()},
                        "weights": {k: round(v, 4) for k, v in m.weights.items()},
                        "reasons": m.reasons,
                    }
                    for i, m in enumerate(matches, start=1)
                ],
            }
        )
        return
    focus = f", focus: {', '.join(themes)}" if themes else ""
    click.echo(
        f"Partners for {found.name} ({COUNTRY_NAMES[found.country]}){focus}, geography: {geography}"
    )
    click.echo(f"{'#':>2}  {'city':<24} {'country':<14} {'pop.':>7} {'km':>6} {'score':>5}  why")
    for i, m in enumerate(matches, start=1):
        km = "" if m.distance_km is None else f"{m.distance_km:,.0f}"
        population = f"{round(m.city.population / 1000)}k" if m.city.population else "?"
        reasons = m.reasons or ["no strong single reason; overall fit"]
        click.echo(
            f"{i:>2}  {m.city.name[:24]:<24} {COUNTRY_NAMES[m.city.country][:14]:<14} "
            f"{population:>7} {km:>6} {m.score:5.2f}  {reasons[0]}"
        )
        for extra in reasons[1:3]:
            click.echo(f"{'':>2}  {'':<24} {'':<14} {'':>7} {'':>6} {'':>5}  {extra}")


@click.command("evaluate")
@click.option(
    "--truth",
    "truth_files",
    multiple=True,
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV with group_id,city,country,theme,year; repeatable.",
)
@click.option(
    "--geography",
    default="any",
    show_default=True,
    type=click.Choice(["any", "near", "far", "different-country", "cross-border"]),
)
@click.option("--bootstrap", "n_boot", default=1000, show_default=True, type=click.IntRange(10))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def evaluate_command(truth_files, geography, n_boot, seed, as_json):
    """Leave-group-out evaluation of partner ranking on real collaborations."""
    from matcher.services.evaluation import evaluate_truth_file

    reports = []
    with _session() as session:
        for path in truth_files:
            try:
                reports.append(evaluate_truth_file(session, path, geography=geography,
                                                   n_boot=n_boot, seed=seed))  # fmt: skip
            except ImportFailed as exc:
                _fail_on_problems(exc)
    if as_json:
        _emit_json(reports[0] if len(reports) == 1 else reports)
        return
    for report in reports:
        click.echo(
            f"\n{report['truth']}: {report['queries']} queries over {report['groups']} "
            f"groups, city match rate {report['match_rate']:.1%}"
        )
        click.echo(f"{'method':<20} {'Recall@10':>22} {'nDCG@10':>22} {'MRR':>22}")
        for method in report["methods"]:
            cells = []
            for metric in ("recall@10", "ndcg@10", "mrr"):
                m = method[metric]
                if m["value"] is None:
                    cells.append(f"{'n/a':>22}")
                else:
                    low, high = m["ci95"]
                    cells.append(f"{m['value']:.3f} [{low:.3f}, {high:.3f}]".rjust(22))
            click.echo(f"{method['method']:<20} " + " ".join(cells))


def _resolve_city(session, name, country):
    """The city a user named, or a usage error that lists the candidates."""
    from matcher.domain import normalise_country
    from matcher.services.cities import find_city, search_cities

    if country:
        try:
            country = normalise_country(country)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--country") from None
    found = find_city(session, name, country=country)
    if found is None:
        hits = search_cities(session, name, country=country, limit=5)
        hint = (
            "; did you mean: " + ", ".join(f"{h.city.name} ({h.city.country})" for h in hits)
            if hits
            else ""
        )
        raise click.UsageError(f"No single city matches {name!r}{hint}")
    return found


@click.command("hash-token")
@click.argument("token", required=False)
def hash_token_command(token):
    """Make an API token (or hash TOKEN) for MATCHER_API_TOKEN_HASHES."""
    import secrets

    from matcher.web.auth import hash_token

    if token is None:
        token = secrets.token_urlsafe(32)
        click.echo(f"token:  {token}   (give this to the API client; it is not stored)")
    click.echo(f"hash:   {hash_token(token)}   (add to MATCHER_API_TOKEN_HASHES)")


COMMANDS = (init_db_command, upgrade_command, seed_command, import_command, export_command,
            cities_group, stats_command, partners_command, evaluate_command,
            hash_token_command)  # fmt: skip


def init_app(app) -> None:
    """Register the commands on the app's CLI (``flask --app matcher ...``)."""
    for command in COMMANDS:
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the ``matcher`` console script."""
    from matcher import create_app

    FlaskGroup(create_app=create_app, help=__doc__).main(prog_name="matcher")
