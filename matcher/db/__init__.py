"""Database engine, sessions and migrations (SQLite by default, PostgreSQL via psycopg 3)."""

from __future__ import annotations

import threading
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def make_engine(url: str, *, echo: bool = False, lock_timeout: float = 10.0) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout on every connection.

    ``lock_timeout`` bounds how long a statement waits for a lock another write holds (the
    SQLite busy timeout; PostgreSQL's ``lock_timeout``); then it fails with an
    ``OperationalError``, which the web layer answers 503 with Retry-After."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url, echo=echo, connect_args={"check_same_thread": False, "timeout": lock_timeout}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if not url.endswith(":memory:") and url != "sqlite://":
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        return engine
    options = {}
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": f"-c lock_timeout={int(lock_timeout * 1000)}"}
    return create_engine(url, echo=echo, pool_pre_ping=True, **options)


def alembic_config(engine: Engine):
    """An Alembic config that runs the packaged migrations against ``engine``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema up to ``revision`` (creates every table on an empty database)."""
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    """The schema revision the database is at, ``None`` when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


#: How long (ms) a process reuses the data state it read, by backend, unless configured:
#: on PostgreSQL the read is a network round trip that cost more than the rest of a kept
#: answer; on SQLite it is a local read and costs little, so there every read reads it.
DATA_STATE_MAX_AGE_MS = {"postgresql": 100, "sqlite": 0}


def resolve_data_state_max_age(url: str, configured: object = None) -> int:
    """The configured max age (ms) of a reused data state, else the backend's default."""
    if configured not in (None, ""):
        return max(0, int(str(configured)))
    return DATA_STATE_MAX_AGE_MS.get(url.split(":", 1)[0].split("+", 1)[0], 0)


class Database:
    """The engine and session factory of one app (or of one CLI run).

    ``data_state_max_age_ms``: how long a data state read by this process may serve later
    reads (None: the backend's default, :data:`DATA_STATE_MAX_AGE_MS`); a write by another
    process is seen here within that bound, a write by this process at once."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        lock_timeout: float = 10.0,
        data_state_max_age_ms: int | None = None,
    ) -> None:
        from matcher.db.data_state import keep_data_state

        self.url = url
        self.engine = make_engine(url, echo=echo, lock_timeout=lock_timeout)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._idle = threading.local()
        self.data_state_max_age_ms = resolve_data_state_max_age(url, data_state_max_age_ms)
        keep_data_state(self.engine, self.data_state_max_age_ms / 1000)

    def session(self) -> Session:
        return self.sessions()

    def request_session(self) -> Session:
        """A session for one request: this thread's idle one when it has one (see
        :meth:`release`), else a new one. Most reads are answered from memory and only
        ask for the data state; making and dropping a session was a tenth of such a read."""
        idle = getattr(self._idle, "session", None)
        if idle is None:
            return self.sessions()
        self._idle.session = None
        return idle

    def release(self, session: Session) -> None:
        """End a request's session: one that holds no transaction and no objects is kept
        (its ``info`` emptied) for this thread's next request; any other is closed."""
        if session.in_transaction() or session.identity_map or session.new:
            session.close()
            return
        session.info.clear()
        self._idle.session = session

    def dispose(self) -> None:
        self.engine.dispose()


def init_app(app) -> None:
    """Attach a :class:`Database` to the Flask app and close request sessions on teardown."""
    from flask import g

    database = Database(
        app.config["DATABASE_URL"],
        echo=app.config.get("SQL_ECHO", False),
        lock_timeout=float(app.config.get("LOCK_TIMEOUT_SECONDS", 10)),
        data_state_max_age_ms=app.config.get("DATA_STATE_MAX_AGE_MS"),
    )
    app.extensions["matcher.db"] = database

    @app.teardown_appcontext
    def _close_session(_exc):
        session = g.pop("db_session", None)
        if session is not None:
            database.release(session)


def get_database(app=None) -> Database:
    """The :class:`Database` of ``app`` (default: the current Flask app)."""
    if app is None:
        from flask import current_app

        app = current_app
    return app.extensions["matcher.db"]


def get_session() -> Session:
    """The session of the current app context, opened on first use."""
    from flask import g

    if "db_session" not in g:
        g.db_session = get_database().request_session()
    return g.db_session
