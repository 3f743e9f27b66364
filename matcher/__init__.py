"""City Matcher: partners, funding calls and meeting schedules for European cities."""

from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None, *, with_web: bool = True):
    """Application factory: configuration, database, CLI and (unless ``with_web`` is False,
    for command-line work that serves no pages) the web blueprints."""
    from flask import Flask

    from matcher import config as config_module

    app = Flask(__name__, instance_relative_config=True)
    settings = config_module.from_environment(config_module.default_config(app.instance_path))
    if test_config:
        settings.update(test_config)
    warning = config_module.resolve_secret_key(settings, app.instance_path)
    app.config.update(settings)
    if warning and with_web:
        app.logger.warning(warning)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        import os

        os.makedirs(app.instance_path, exist_ok=True)

    from matcher import cli, db
    from matcher.services import indexes

    indexes.configure(app.config.get("INDEX_CACHE_DIR") or None)

    db.init_app(app)
    cli.init_app(app)
    if with_web:
        from matcher import web

        web.init_app(app)
    return app
