"""Configuration: defaults, then ``MATCHER_*`` environment variables, then test overrides."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The placeholder secret; never used to sign anything (see :func:`resolve_secret_key`).
DEFAULT_SECRET_KEY = "dev-only-change-me"


def default_config(instance_path: str | Path) -> dict[str, Any]:
    """Built-in defaults; the SQLite file lives in the Flask instance folder."""
    db_file = Path(instance_path) / "matcher.sqlite3"
    return {
        "SECRET_KEY": DEFAULT_SECRET_KEY,
        # "production" refuses to start without a real MATCHER_SECRET_KEY.
        "ENV": "development",
        # Where people reach this server; sign-in links printed by the CLI start with it.
        "PUBLIC_URL": "http://" + os.environ.get("MATCHER_BIND", "127.0.0.1:8000"),
        # How many reverse proxies to trust for X-Forwarded-For (the client address the
        # guessing limit counts) and X-Forwarded-Proto (HTTPS marks the cookie Secure).
        "PROXY_FIX_FOR": 0,
        "PROXY_FIX_PROTO": 1,
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
        # Seconds a write waits for a lock another write holds; then the API answers 503
        # with Retry-After (and the command line says the database is busy).
        "LOCK_TIMEOUT_SECONDS": 10,
        # The largest request body of any kind (forms, uploads; chunked bodies too).
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
        # How long (ms) a worker reuses the data version it read before reading it again:
        # another worker's write is seen within this bound, the worker's own at once. Empty:
        # 100 on PostgreSQL (a round trip per request otherwise), 0 on SQLite.
        "DATA_STATE_MAX_AGE_MS": "",
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


class InsecureConfiguration(RuntimeError):
    """The configuration must not be served (e.g. production with the placeholder secret)."""


def resolve_secret_key(config: dict[str, Any], instance_path: str | Path) -> str | None:
    """Make ``config["SECRET_KEY"]`` a real secret; return a warning to show, if any.

    In production the placeholder is refused (:class:`InsecureConfiguration`): anyone who read
    this file could forge a signed-in session. Elsewhere a random key is made once and kept
    in the instance folder, so every worker and restart shares it and nothing known signs.
    """
    if config.get("SECRET_KEY") and config["SECRET_KEY"] != DEFAULT_SECRET_KEY:
        return None
    if str(config.get("ENV", "")).lower() == "production":
        raise InsecureConfiguration(
            "MATCHER_ENV=production needs a secret: set MATCHER_SECRET_KEY to a long random "
            'value (python -c "import secrets; print(secrets.token_urlsafe(32))").'
        )
    import secrets

    path = Path(instance_path) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: of several workers starting at once, one writes and the others read.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_urlsafe(32))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            config["SECRET_KEY"] = key
            return f"MATCHER_SECRET_KEY is not set: using the random key kept in {path}."
        import time

        time.sleep(0.01)  # another worker is writing it
    raise InsecureConfiguration(f"The secret key file {path} is empty.")
