"""The ``matcher`` command (also ``flask --app matcher ...``): thin wrappers over services.

One module per job: ``data`` (schema, seed, import, export), ``cities``, ``partners``, ``calls``
(calls and consortium), ``events`` (events and one-shot schedules) and ``editors`` (editors
and the history of changes); ``common`` holds the helpers they share.
"""

from __future__ import annotations

from matcher.cli.calls import calls_group, consortium_command
from matcher.cli.calls_fetch import fetch_command
from matcher.cli.cities import cities_group
from matcher.cli.data import (
    backup_command,
    export_command,
    hash_token_command,
    import_command,
    init_db_command,
    restore_command,
    seed_command,
    stats_command,
    upgrade_command,
)
from matcher.cli.editors import EDITOR_COMMANDS
from matcher.cli.events import EVENT_COMMANDS
from matcher.cli.partners import evaluate_command, partners_command

COMMANDS = (init_db_command, upgrade_command, seed_command, backup_command, restore_command,
            import_command, export_command,
            cities_group, stats_command, partners_command, evaluate_command,
            hash_token_command, calls_group, consortium_command, *EVENT_COMMANDS,
            *EDITOR_COMMANDS)  # fmt: skip


calls_group.add_command(fetch_command)  # `matcher calls fetch`: the refresher


def init_app(app) -> None:
    """Register the commands on the app's CLI (``flask --app matcher ...``)."""
    for command in COMMANDS:
        app.cli.add_command(command)
