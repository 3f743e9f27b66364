"""The ``matcher`` command (also ``flask --app matcher ...``): thin wrappers over services."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, FlaskGroup, with_appcontext

from matcher.cli_events import EVENT_COMMANDS
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
    _warm_indexes()


def _warm_indexes() -> None:
    """Fit the search indexes now (stored under instance/cache), not in the next command."""
    from matcher.services.data import warm_indexes

    click.echo("Preparing the search indexes...", err=True)
    with _session() as session:
        warm_indexes(session)


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
    if not dry_run and (report.created or report.updated):
        _warm_indexes()
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
    from matcher.services.partners import (
        PartnerQuery,
        PartnerQueryError,
        city_named,
        find_partners,
    )

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
        found = city_named(session, city, _country_option(city_country))
        found = found or _resolve_city(session, city, city_country)
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


def _country_option(country: str | None) -> str | None:
    """An ISO code from a --country option, or a usage error."""
    from matcher.domain import normalise_country

    if not country:
        return None
    try:
        return normalise_country(country)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--country") from None


def _resolve_city(session, name, country):
    """The city a user named, or a usage error that lists the candidates."""
    from matcher.services.cities import find_city, search_cities

    country = _country_option(country)
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


class _DefaultGroup(AppGroup):
    """A group whose first argument, when it is not a subcommand, goes to a default command:
    `matcher calls Peterborough` and `matcher calls rules-report` both work."""

    default_command = "for-city"

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().resolve_command(ctx, args)


calls_group = _DefaultGroup("calls", help="Funding calls: `matcher calls CITY`, rules-report.")


def _today():
    from matcher.services.clock import today

    return today(current_app.config.get("TODAY"))


@calls_group.command("for-city")
@click.argument("city")
@click.option("--country", "city_country", default=None, help="Country of CITY if ambiguous.")
@click.option(
    "--status", default="open", show_default=True, type=click.Choice(["open", "forthcoming", "all"])
)
@click.option("--programme", "programmes", multiple=True, help="e.g. 'Horizon Europe', 'LIFE'.")
@click.option(
    "--within-days",
    type=click.IntRange(0),
    default=None,
    help="Only calls whose next deadline is this many days away or fewer.",
)
@click.option("--min-budget", type=click.FloatRange(0), default=None, help="EUR.")
@click.option(
    "--top",
    default=10,
    show_default=True,
    type=click.IntRange(1, 1000),
    help="Calls shown per group.",
)
@click.option("--json", "as_json", is_flag=True)
def calls_for_city_command(
    city, city_country, status, programmes, within_days, min_budget, top, as_json
):
    """Calls CITY can apply to, ranked by fit, and why not the others."""
    from matcher.services.calls import CallFilters, CallQueryError, calls_for_city

    filters = CallFilters(
        status=status,
        programmes=programmes,
        deadline_within_days=within_days,
        min_budget=min_budget,
        limit=top,
    )
    with _session() as session:
        found = _resolve_city(session, city, city_country)
        try:
            result = calls_for_city(session, found, _today(), filters)
        except CallQueryError as exc:
            raise click.UsageError(str(exc)) from None
    groups = (
        ("eligible", "Eligible now"),
        ("needs_partners", "Eligible once partners join (consortium rules)"),
        ("check_text", "Check the call text (a rule could not be read)"),
        ("ineligible", "Not eligible"),
    )
    if as_json:
        _emit_json(
            {
                "city": {
                    "id": found.id,
                    "slug": found.slug,
                    "name": found.name,
                    "country": found.country,
                },
                "today": result.today.isoformat(),
                "status": status,
                "considered": result.considered,
                **{name: [_call_json(m) for m in getattr(result, name)] for name, _ in groups},
            }
        )
        return
    click.echo(
        f"Calls for {found.name} ({found.country}), status {status}, today "
        f"{result.today.isoformat()}: {result.considered} calls considered"
    )
    for name, title in groups:
        matches = getattr(result, name)
        click.echo(f"\n{title}: {len(matches)} shown")
        for m in matches:
            left = f"{m.days_left} days left" if m.days_left is not None else "no deadline"
            deadline = m.deadline.isoformat() if m.deadline else "-"
            click.echo(f"  {m.fit:4.2f}  {m.call_id:<42} {deadline} ({left})")
            click.echo(f"        {m.call.title[:90]}")
            if m.matching_themes:
                click.echo(f"        themes: {', '.join(m.matching_themes)}")
            for rule in _notable_rules(m, name):
                click.echo(f"        {rule.status.value}: {rule.reason}")


def _notable_rules(match, group):
    from matcher.domain import RuleStatus

    wanted = {"ineligible": RuleStatus.FAILED}.get(group, RuleStatus.UNKNOWN)
    return [r for r in match.rules if r.status == wanted][:3]


def _call_json(match) -> dict:
    return {
        "id": match.call_id,
        "title": match.call.title,
        "programme": match.call.programme,
        "fit": round(match.fit, 4),
        "parts": {k: round(v, 4) for k, v in match.parts.items()},
        "matching_themes": list(match.matching_themes),
        "deadline": match.deadline.isoformat() if match.deadline else None,
        "days_left": match.days_left,
        "status": match.status,
        "rules": [_rule_json(r) for r in match.rules],
    }


def _rule_json(result) -> dict:
    return {
        "kind": result.kind,
        "status": result.status.value,
        "reason": result.reason,
        "source_sentence": result.source_sentence,
    }


@calls_group.command("rules-report")
@click.option("--json", "as_json", is_flag=True)
def rules_report_command(as_json):
    """How many calls have each eligibility rule parsed, unknown or absent."""
    from matcher.services.calls import rules_report

    with _session() as session:
        report = rules_report(session)
    if as_json:
        _emit_json(report)
        return
    total = report[0]["calls"] if report else 0
    click.echo(f"Eligibility rules over {total} calls (unknown = shown as 'check the call text')")
    click.echo(f"{'rule':<20} {'parsed':>7} {'of which default':>17} {'unknown':>8} {'absent':>7}")
    for row in report:
        click.echo(
            f"{row['kind']:<20} {row['parsed']:>7} {row['from_default']:>17} "
            f"{row['unknown']:>8} {row['absent']:>7}"
        )


@click.command("consortium")
@click.option("--call", "call_id", required=True, help="Call (topic) identifier.")
@click.option("--lead", required=True, help="Lead city name or slug.")
@click.option("--lead-country", default=None, help="Country of the lead if ambiguous.")
@click.option(
    "--size",
    type=click.IntRange(1, 20),
    default=None,
    help="Members including the lead (default: the smallest the call allows).",
)
@click.option(
    "--country",
    "countries",
    multiple=True,
    help="Only partners from these countries or sets (EU27, EEA, HORIZON).",
)
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def consortium_command(call_id, lead, lead_country, size, countries, as_json):
    """Propose a valid consortium for a call and a lead city, with alternatives per slot."""
    from matcher.services.calls import CallQueryError, build_consortium

    with _session() as session:
        lead_city = _resolve_city(session, lead, lead_country)
        try:
            proposal = build_consortium(
                session, call_id, lead_city, _today(), size=size, countries=countries
            )
        except LookupError as exc:
            raise click.UsageError(str(exc).strip("'\"")) from None
        except CallQueryError as exc:
            raise click.UsageError(str(exc)) from None
    if as_json:
        _emit_json(_proposal_json(proposal))
        return
    _print_proposal(proposal, lead_city)


def _proposal_json(proposal) -> dict:
    return {
        "call_id": proposal.call_id,
        "size": proposal.size,
        "valid": proposal.valid,
        "score": None if proposal.score is None else round(proposal.score, 4),
        "parts": proposal.parts,
        "members": [
            {
                "slug": m.city.slug,
                "name": m.city.name,
                "country": m.city.country,
                "role": m.role,
                "call_fit": round(m.call_fit, 4),
                "reasons": list(m.reasons),
                "alternatives": [
                    {
                        "slug": a.city.slug,
                        "name": a.city.name,
                        "country": a.city.country,
                        "reasons": list(a.reasons),
                    }
                    for a in m.alternatives
                ],
            }
            for m in proposal.members
        ],
        "unmet": [{"rule": u.kind, "reason": u.reason} for u in proposal.unmet],
        "relaxations": [_relaxation_json(r) for r in proposal.relaxations],
        "rules": [_rule_json(r) for r in proposal.rule_results],
        "other_members_needed": list(proposal.other_members_needed),
    }


def _relaxation_json(relaxation) -> dict:
    return {
        "kind": relaxation.kind, "description": relaxation.description,
        "fixes": relaxation.fixes,
        "score": None if relaxation.score is None else round(relaxation.score, 4),
        "partners": [c.slug for c in relaxation.partners],
    }  # fmt: skip


def _print_proposal(proposal, lead):
    verdict = "valid" if proposal.valid else "no valid consortium among the candidates"
    click.echo(
        f"Consortium for {proposal.call_id}, lead {lead.name}: {proposal.size} members, {verdict}"
    )
    for m in proposal.members:
        click.echo(f"  {m.role:<8} {m.city.name} ({m.city.country})  call fit {m.call_fit:.2f}")
        for reason in m.reasons[:3]:
            click.echo(f"           - {reason}")
        if m.alternatives:
            names = ", ".join(f"{a.city.name} ({a.city.country})" for a in m.alternatives)
            click.echo(f"           alternatives: {names}")
    for unmet in proposal.unmet:
        click.echo(f"  unmet: {unmet.reason}")
    for relaxation in proposal.relaxations:
        verdict = "would fix it" if relaxation.fixes else "tried, does not help"
        click.echo(f"  {verdict}: {relaxation.description}")
    for needed in proposal.other_members_needed:
        click.echo(f"  also needed (not a city): {needed}")
    for result in proposal.rule_results:
        click.echo(f"  {result.status.value:<8} {result.reason}")


COMMANDS = (init_db_command, upgrade_command, seed_command, import_command, export_command,
            cities_group, stats_command, partners_command, evaluate_command,
            hash_token_command, calls_group, consortium_command, *EVENT_COMMANDS)  # fmt: skip


def init_app(app) -> None:
    """Register the commands on the app's CLI (``flask --app matcher ...``)."""
    for command in COMMANDS:
        app.cli.add_command(command)


#: Flask's own commands that need the pages and the API; the data commands do not, and
#: skipping the web layer's imports saves most of a second on every command.
_WEB_COMMANDS = frozenset({"run", "routes", "shell"})


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``matcher`` console script."""
    from matcher import create_app

    args = sys.argv[1:] if argv is None else argv
    with_web = not args or bool(_WEB_COMMANDS & set(args)) or "--help" in args

    def factory():
        return create_app(with_web=with_web)

    FlaskGroup(create_app=factory, help=__doc__).main(args=args, prog_name="matcher")
