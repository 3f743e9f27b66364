"""The ``matcher`` console script (and ``python -m matcher``): the app's commands of
:mod:`matcher.cli` around an app made for each run."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

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

    FlaskGroup(create_app=factory, help=cli.__doc__).main(args=args, prog_name="matcher")


if __name__ == "__main__":
    main()
