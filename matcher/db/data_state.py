"""The data version: which state of the data the in-memory indexes are built from.

Every write that changes scoring inputs bumps the version (:func:`bump_data_version`); a
one-city write also records what it changed (:func:`data_changes`), so a worker can apply it
as a delta. Every read asks for the state (:func:`data_state`) once per transaction, on a
per-thread probe connection, or reuses one this process read lately (:func:`keep_data_state`).
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
import weakref

from sqlalchemy import Engine, delete, event, select, update
from sqlalchemy.orm import Session

from matcher.db.models import DataChangeRow, DataVersionRow


def data_version(session: Session) -> int:
    """The current data version (0 on a fresh database)."""
    return session.scalar(select(DataVersionRow.version).where(DataVersionRow.id == 1)) or 0


#: Change rows kept: a worker more versions behind than this rebuilds instead.
CHANGES_KEPT = 1000


def bump_data_version(
    session: Session, *, scope: str | None = None, city_id: int | None = None
) -> None:
    """Mark scoring inputs as changed; part of the caller's transaction.

    ``scope`` and ``city_id`` say what changed when a worker can apply it as a delta (a
    one-city write, scope ``"profile"``); without them the new version means "anything may
    have changed" and every index is rebuilt.
    """
    session.info.pop(_DATA_STATE_KEY, None)
    updated = session.execute(
        update(DataVersionRow)
        .where(DataVersionRow.id == 1)
        .values(version=DataVersionRow.version + 1)
    )
    if updated.rowcount == 0:
        session.add(DataVersionRow(id=1, version=1, generation=uuid.uuid4().hex))
    if scope is None:
        return
    # The row is locked by the update above, so this is the version this transaction wrote.
    version = session.scalar(select(DataVersionRow.version).where(DataVersionRow.id == 1))
    session.add(DataChangeRow(version=version, scope=scope, city_id=city_id))
    session.execute(delete(DataChangeRow).where(DataChangeRow.version <= version - CHANGES_KEPT))


def data_changes(session: Session, after: int, upto: int) -> list[tuple[int, str, int | None]]:
    """(version, scope, city id) of the recorded changes in versions ``after`` < v <= ``upto``;
    a version missing from the list was a change of everything (see ``bump_data_version``)."""
    rows = session.execute(
        select(DataChangeRow.version, DataChangeRow.scope, DataChangeRow.city_id)
        .where(DataChangeRow.version > after, DataChangeRow.version <= upto)
        .order_by(DataChangeRow.version)
    )
    return [(version, scope, city_id) for version, scope, city_id in rows]


def data_state(session: Session) -> tuple[int, str]:
    """(version, generation): names one state of this database's data.

    Read once per transaction (remembered in ``session.info`` until the session commits or
    rolls back): a request asks several indexes for it, and each asking was a round trip.
    Outside a transaction, a state this process read less than the engine's max age ago
    (:func:`keep_data_state`; 0 by default) is reused: see :class:`_RecentState`.
    """
    state = session.info.get(_DATA_STATE_KEY)
    if state is None:
        if not session.in_transaction():
            engine = session.get_bind()
            state = _recent_or_probed(engine, _recent.get(engine))
        if state is None:
            row = session.connection().exec_driver_sql(_DATA_STATE_SQL).first()
            state = (row[0], row[1]) if row else (0, "")
        session.info[_DATA_STATE_KEY] = state
    return state


class _RecentState:
    """The data state this process last read from one engine, reused for ``max_age``
    seconds: on PostgreSQL the read is a network round trip that costs a cached answer
    more than everything else it does. A commit of any session of this process on the
    engine forgets it (``serial`` counts those), so a write is seen by the next read of the
    same process at once, and by other processes within ``max_age``."""

    __slots__ = ("lock", "max_age", "read_at", "serial", "state")

    def __init__(self, max_age: float) -> None:
        self.lock = threading.Lock()
        self.max_age = max_age
        self.read_at = 0.0
        self.serial = 0
        self.state: tuple[int, str] | None = None


_recent: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: The clock of :class:`_RecentState` (tests replace it).
clock = time.monotonic


def keep_data_state(engine, max_age: float) -> None:
    """Let reads of ``engine`` reuse a data state read up to ``max_age`` seconds ago (0:
    read it on every transaction). The bound is how long another process's write can go
    unseen here; this process's own writes are seen at once."""
    if max_age > 0:
        _recent[engine] = _RecentState(max_age)
    else:
        _recent.pop(engine, None)


#: A health check reports the data version as of at most this long ago (seconds) even where
#: reads use no max age (SQLite): it is the one read a load balancer makes many times a
#: second, and the statement was a fifth of its cost. The worker's own writes still show at
#: once (a commit forgets it), another worker's within this bound.
HEALTH_MAX_AGE = 0.1
_health: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def engine_data_state(engine: Engine) -> tuple[int, str]:
    """The data state as :func:`data_state` reads it outside a transaction, without a
    session, reused for the engine's max age or at least :data:`HEALTH_MAX_AGE` (a health
    check needs nothing else from the database)."""
    recent = _recent.get(engine)
    if recent is None or recent.max_age < HEALTH_MAX_AGE:
        recent = _health.get(engine)
        if recent is None:
            recent = _health.setdefault(engine, _RecentState(HEALTH_MAX_AGE))
    state = _recent_or_probed(engine, recent)
    if state is None:
        with engine.connect() as connection:
            row = connection.exec_driver_sql(_DATA_STATE_SQL).first()
        state = (row[0], row[1]) if row else (0, "")
    return state


def _recent_or_probed(engine: Engine, recent: _RecentState | None) -> tuple[int, str] | None:
    if recent is None:
        return _probe_state(engine)
    with recent.lock:
        state, serial = recent.state, recent.serial
        now = clock()
        if state is not None and now - recent.read_at < recent.max_age:
            return state
    state = _probe_state(engine)
    if state is not None:
        with recent.lock:
            if recent.serial == serial:  # no commit of ours since the read began
                recent.state, recent.read_at = state, now
    return state


def _forget_recent_state(engine) -> None:
    for kept in (_recent, _health):
        recent = kept.get(engine)
        if recent is not None:
            with recent.lock:
                recent.serial += 1
                recent.state = None


# Every read request asks for the data state once, and most need nothing else from the
# database (their answers are kept in memory): so each thread keeps one autocommit DBAPI
# connection per engine for this one statement, outside the session and the pool, which
# costs a fraction of a session's connection checkout, transaction and result objects.
_probes: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_probes_lock = threading.Lock()


def _probe_state(engine: Engine) -> tuple[int, str] | None:
    """The data state read on this thread's probe connection; None if that fails (the
    caller then asks through a session or a pooled connection)."""
    try:
        with _probes_lock:
            per_thread = _probes.get(engine)
            if per_thread is None:
                per_thread = _probes[engine] = {}
                event.listen(engine, "engine_disposed", _close_probes)
        connection = per_thread.get(threading.get_ident())
        if connection is None:
            connection = engine.raw_connection()
            connection.detach()  # not the pool's: it lives as long as the thread uses it
            driver = connection.driver_connection
            if hasattr(driver, "autocommit"):  # psycopg: no transaction left open
                driver.autocommit = True
            per_thread[threading.get_ident()] = connection
        cursor = connection.cursor()
        try:
            cursor.execute(_DATA_STATE_SQL)
            row = cursor.fetchone()
        finally:
            cursor.close()
    except Exception:  # a broken probe is dropped; the session path still answers
        per_thread = _probes.get(engine) or {}
        broken = per_thread.pop(threading.get_ident(), None)
        if broken is not None:
            with contextlib.suppress(Exception):
                broken.close()
        return None
    return (row[0], row[1]) if row else (0, "")


def _close_probes(engine) -> None:
    """Close every probe connection of a disposed engine."""
    with _probes_lock:
        per_thread = _probes.pop(engine, {})
    for connection in per_thread.values():
        with contextlib.suppress(Exception):
            connection.close()


_DATA_STATE_SQL = f"SELECT version, generation FROM {DataVersionRow.__tablename__} WHERE id = 1"


_DATA_STATE_KEY = "matcher.data_state"


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_data_state(session: Session) -> None:
    session.info.pop(_DATA_STATE_KEY, None)


@event.listens_for(Session, "after_commit")
def _forget_recent_data_state(session: Session) -> None:
    if (_recent or _health) and session.bind is not None:
        _forget_recent_state(session.bind)
