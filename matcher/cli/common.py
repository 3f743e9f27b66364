"""Helpers shared by the command modules: a database session, JSON output, import problems,
resolving the city a user named."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app

from matcher.importing.records import ImportFailed


@contextmanager
def open_session() -> Iterator:
    """A database session for one command, closed afterwards."""
    from matcher.db import get_database

    session = get_database().session()
    try:
        yield session
    finally:
        session.close()


def fail_on_problems(exc: ImportFailed) -> None:
    """Print an import's problems (file, row, field) and exit with status 1."""
    click.secho(f"Nothing was imported: {len(exc.problems)} problem(s).", fg="red", err=True)
    for problem in exc.problems[:200]:
        click.echo(f"  {problem}", err=True)
    if len(exc.problems) > 200:
        click.echo(f"  ... and {len(exc.problems) - 200} more", err=True)
    sys.exit(1)


def emit_json(data) -> None:
    """Print ``data`` as indented JSON (dates as strings)."""
    click.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def country_option(country: str | None) -> str | None:
    """An ISO code from a --country option, or a usage error."""
    from matcher.domain import normalise_country

    if not country:
        return None
    try:
        return normalise_country(country)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--country") from None


def resolve_city(session, name, country):
    """The city a user named, or a usage error that lists the candidates."""
    from matcher.services.cities import find_city, lookup_city

    country = country_option(country)
    found = find_city(session, name, country=country)
    if found is None:
        raise click.UsageError(lookup_city(session, name, country=country).message)
    return found


def today():
    """Today, or the configured MATCHER_TODAY."""
    from matcher.services.clock import today as clock_today

    return clock_today(current_app.config.get("TODAY"))
