"""The ``matcher`` console script (and ``python -m matcher``): the app's commands of
:mod:`matcher.cli` around an app made for each run."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup
from sqlalchemy.exc import OperationalError, ProgrammingError

from matcher import cli, create_app
from matcher.config import InsecureConfiguration

#: Flask's own commands that need the pages and the API; the data commands do not, and
#: skipping the web layer's imports saves most of a second on every command.
_WEB_COMMANDS = frozenset({"run", "routes", "shell"})


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``matcher`` console script."""
    args = sys.argv[1:] if argv is None else argv
    with_web = not args or bool(_WEB_COMMANDS & set(args)) or "--help" in args

    def factory():
        try:
            return create_app(with_web=with_web)
        except InsecureConfiguration as exc:  # a sentence, not a traceback
            raise click.ClickException(str(exc)) from None

    group = FlaskGroup(create_app=factory, help=cli.__doc__)
    try:
        group.main(args=args, prog_name="matcher")
    except (OperationalError, ProgrammingError) as exc:
        if not _missing_table(exc):
            raise
        click.echo(
            "Error: the database has no tables yet. Run `matcher seed` (the shipped data) or "
            "`matcher init-db` (empty) first.",
            err=True,
        )
        sys.exit(1)


def _missing_table(exc: Exception) -> bool:
    """Whether a database error says a table does not exist (SQLite or PostgreSQL)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


if __name__ == "__main__":
    main()
