"""``matcher calls fetch``: refresh the calls from the Funding & Tenders portal search API."""

from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import with_appcontext

from matcher.cli.common import emit_json, fail_on_problems, open_session, today
from matcher.importing.records import ImportFailed


def _programmes(values: tuple[str, ...]) -> dict[str, str]:
    from matcher.importing.portal import PROGRAMME_IDS

    if not values:
        return dict(PROGRAMME_IDS)
    chosen = {}
    for value in values:
        name, _, given_id = value.partition("=")
        name = name.strip()
        programme_id = given_id.strip() or PROGRAMME_IDS.get(name)
        if not programme_id or not programme_id.isdigit():
            known = ", ".join(f"{k}={v}" for k, v in PROGRAMME_IDS.items())
            raise click.BadParameter(
                f"{value!r}: give a known programme ({known}) or NAME=ID with the portal's"
                " numeric frameworkProgramme id",
                param_hint="--programme",
            )
        chosen[name] = programme_id
    return chosen


def _saved_answers(paths: tuple[Path, ...], programmes: dict[str, str]) -> list[tuple[str, dict]]:
    """Answers saved from the API: an answer object, a list of them, or
    ``{"programme": NAME, "answers": [...]}``; a bare answer needs one ``--programme``."""
    pages: list[tuple[str, dict]] = []
    for path in paths:
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise click.BadParameter(f"{path}: not a readable JSON file ({exc})") from None
        programme = data.get("programme") if isinstance(data, dict) else None
        answers = data.get("answers") if isinstance(data, dict) and "answers" in data else data
        answers = answers if isinstance(answers, list) else [answers]
        if programme is None:
            if len(programmes) != 1:
                raise click.BadParameter(
                    f"{path} does not name its programme: add one --programme",
                    param_hint="--from-file",
                )
            programme = next(iter(programmes))
        for answer in answers:
            if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
                raise click.BadParameter(f"{path}: an answer needs a 'results' list")
            pages.append((programme, answer))
    return pages


@click.command("fetch")
@click.option(
    "--programme",
    "programmes",
    multiple=True,
    help="Programme to refresh, by name (Horizon Europe, LIFE) or NAME=ID; repeatable."
    " Default: every known programme.",
)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["open", "forthcoming", "closed"]),
    help="Portal status to fetch; repeatable. Default: open and forthcoming.",
)
@click.option(
    "--from-file",
    "files",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read saved API answers instead of the network (offline runs, tests); repeatable.",
)
@click.option("--timeout", default=30.0, show_default=True, type=click.FloatRange(1, 300))
@click.option("--retries", default=3, show_default=True, type=click.IntRange(0, 10))
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def fetch_command(programmes, statuses, files, timeout, retries, dry_run, as_json):
    """Refresh calls from the portal's public search API: paged, per programme and status,
    upserted through the validated call import; prints what changed."""
    from matcher.importing.portal import FetchError, fetch_answers, refresh_calls

    chosen = _programmes(programmes)
    statuses = statuses or ("open", "forthcoming")
    if files:
        answers = _saved_answers(files, chosen if programmes else {})
    else:
        try:
            answers = fetch_answers(chosen, statuses, timeout=timeout, retries=retries)
        except FetchError as exc:
            raise click.ClickException(str(exc)) from None
    with open_session() as session:
        try:
            report = refresh_calls(session, answers, today(), statuses=statuses, dry_run=dry_run)
        except ImportFailed as exc:
            fail_on_problems(exc)
            return
    summary = {
        "pages": len(answers),
        "created": report.created,
        "deadline_changed": [
            {"id": i, "old": old, "new": new} for i, old, new in report.deadline_changed
        ],
        "updated": report.updated,
        "withdrawn": report.withdrawn,
        "unchanged": report.unchanged,
        "problems": report.problems,
        "dry_run": dry_run,
    }
    if as_json:
        emit_json(summary)
        return
    verb = "Would change" if dry_run else "Changed"
    click.echo(f"Read {len(answers)} answer page(s). {verb}:")
    click.echo(f"  new calls: {len(report.created)}")
    for call_id in report.created:
        click.echo(f"    + {call_id}")
    click.echo(f"  deadline changed: {len(report.deadline_changed)}")
    for call_id, old, new in report.deadline_changed:
        click.echo(f"    ~ {call_id}: {old} -> {new}")
    click.echo(f"  other updates: {len(report.updated)}")
    for call_id in report.updated:
        click.echo(f"    ~ {call_id}")
    click.echo(f"  withdrawn (no longer listed): {len(report.withdrawn)}")
    for call_id in report.withdrawn:
        click.echo(f"    - {call_id}")
    click.echo(f"  unchanged: {report.unchanged}")
    for problem in report.problems:
        click.echo(f"  skipped: {problem}", err=True)
