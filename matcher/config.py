"""Configuration: defaults, then ``MATCHER_*`` environment variables, then test overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def default_config(instance_path: str | Path) -> dict[str, Any]:
    """Built-in defaults; the SQLite file lives in the Flask instance folder."""
    db_file = Path(instance_path) / "matcher.sqlite3"
    return {
        "SECRET_KEY": "dev-only-change-me",
        "DATABASE_URL": f"sqlite:///{db_file}",
        "DATA_DIR": str(PROJECT_ROOT / "data"),
        # Dates are compared against this when set (YYYY-MM-DD); tests inject it.
        "TODAY": None,
        "API_TOKEN_HASHES": "",
        # An XYZ tile URL for the partner map (e.g. an OpenStreetMap tile server you may use);
        # empty keeps every asset on this host and shows the list fallback only.
        "MAP_TILES_URL": "",
        "SQL_ECHO": False,
        # Fitted scoring indexes are pickled here so a new process (a CLI command, a new
        # worker) loads them instead of refitting; empty keeps them in memory only.
        "INDEX_CACHE_DIR": str(Path(instance_path) / "cache"),
    }


def _coerce(value: str, like: Any) -> Any:
    if isinstance(like, bool):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    if isinstance(like, int):
        return int(value)
    return value


def from_environment(defaults: dict[str, Any], environ: dict[str, str] | None = None) -> dict:
    """Overlay ``MATCHER_<KEY>`` environment variables on ``defaults``."""
    environ = dict(os.environ if environ is None else environ)
    config = dict(defaults)
    for key, like in defaults.items():
        env_key = f"MATCHER_{key}"
        if env_key in environ:
            config[key] = _coerce(environ[env_key], like)
    return config
