"""City Matcher: partners, funding calls and meeting schedules for European cities."""

from __future__ import annotations

from typing import Any


def create_app(test_config: dict[str, Any] | None = None):
    """Application factory: configuration, database, CLI and web blueprints."""
    from flask import Flask

    from matcher import config as config_module

    app = Flask(__name__, instance_relative_config=True)
    settings = config_module.from_environment(config_module.default_config(app.instance_path))
    if test_config:
        settings.update(test_config)
    app.config.update(settings)
    if app.config["DATABASE_URL"].startswith("sqlite:///"):
        import os

        os.makedirs(app.instance_path, exist_ok=True)

    from matcher import cli, db, web

    db.init_app(app)
    cli.init_app(app)
    web.init_app(app)
    return app
