"""Per-process in-memory indexes, kept up to date with the database's data.

An index is held per database engine together with the data state it is at (version and
generation token, see ``repository.data_state``). Every write bumps the version, so every
worker on every host sees it on its next request without any messaging. A one-city write also
records what it changed (``repository.data_changes``); an index given an ``update`` applies
that delta instead of being rebuilt (the partner index recomputes the city's rows), and an
index the change cannot touch (names, calls, for a profile) is kept as it is. Indexes asked
for with ``persist=True`` are also kept on disk (``configure(cache_dir)``; the app uses
``instance/cache``), so a fresh process such as a CLI command loads the fitted index instead
of fitting it again.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from matcher.db import repository

log = logging.getLogger(__name__)

_lock = threading.Lock()
# Keyed by engine, not URL: each app (a gunicorn worker; in tests, two apps standing in for
# two workers) holds its own indexes and follows the database's changes on its own.
_locks: weakref.WeakKeyDictionary[Engine, dict[str, threading.Lock]] = weakref.WeakKeyDictionary()
_cache: weakref.WeakKeyDictionary[Engine, dict[str, tuple[tuple[int, str], Any]]] = (
    weakref.WeakKeyDictionary()
)
_cache_dir: Path | None = None
_CHANGES_KEY = "matcher.data_changes"
#: The scope of a change to one city's declared profile weights.
PROFILE_SCOPE = "profile"


@dataclass(frozen=True, slots=True)
class Change:
    """One data version that a worker can apply as a delta: ``scope`` names what changed
    (``"profile"``: one city's declared weights) and ``city_id`` which city."""

    version: int
    scope: str
    city_id: int | None


#: ``update(session, index, changes)``: the index with the changes applied (a new object:
#: readers may still hold the old one), or None when only a rebuild can follow them.
Update = Callable[[Session, Any, list[Change]], Any]


def unaffected_by(*scopes: str) -> Update:
    """An ``update`` for indexes that changes of these scopes do not touch (the name index
    holds no profiles): the same index serves the new version."""

    def update(_session: Session, index: Any, changes: list[Change]) -> Any:
        return index if all(change.scope in scopes for change in changes) else None

    return update


def configure(cache_dir: str | Path | None) -> None:
    """Where persistent indexes live; ``None`` keeps indexes in memory only."""
    global _cache_dir
    _cache_dir = Path(cache_dir) if cache_dir else None


def cached(
    session: Session,
    name: str,
    build: Callable[[Session], Any],
    *,
    persist: bool = False,
    update: Update | None = None,
) -> Any:
    """Return the index ``name`` for this database, up to date with the data.

    A new data version that ``update`` can follow (a one-city write) is applied as a delta
    to the index this process holds; anything else rebuilds. While one thread brings an
    index up to date, the others keep serving the one it replaces instead of waiting.
    """
    engine = session.get_bind()
    state = repository.data_state(session)
    held = _cache.get(engine)
    hit = held.get(name) if held is not None else None
    if hit is not None and _serves(hit[0], state):
        return hit[1]
    with _lock:
        held = _cache.setdefault(engine, {})
        lock = _locks.setdefault(engine, {}).setdefault(name, threading.Lock())
    same_generation = hit is not None and hit[0][1] == state[1]
    if not lock.acquire(blocking=not same_generation):
        return hit[1]  # another thread is updating it: a reader never waits for that
    try:
        hit = held.get(name)
        if hit is not None and _serves(hit[0], state):
            return hit[1]
        value = None
        if hit is not None and update is not None and hit[0][1] == state[1]:
            changes = _changes(session, hit[0][0], state[0])
            if changes is not None:
                value = update(session, hit[1], changes)
        rebuilt = value is None
        if rebuilt:
            with _collector_paused():
                value = _rebuild(session, str(engine.url), name, build, state, persist)
        held[name] = (state, value)
        if rebuilt:
            _settle()
        return value
    finally:
        lock.release()


def _serves(held: tuple[int, str], wanted: tuple[int, str]) -> bool:
    """An index serves a request when it is at the request's data state or newer (another
    thread may already have applied a write this transaction's snapshot predates)."""
    return held[1] == wanted[1] and held[0] >= wanted[0]


def _changes(session: Session, after: int, upto: int) -> list[Change] | None:
    """The recorded changes since version ``after``, or None when one version in between
    changed everything (an import) or is no longer recorded; read once per transaction."""
    remembered = session.info.setdefault(_CHANGES_KEY, {})
    if (after, upto) not in remembered:
        rows = repository.data_changes(session, after, upto)
        complete = len(rows) == upto - after
        remembered[(after, upto)] = [Change(*row) for row in rows] if complete else None
    return remembered[(after, upto)]


def _rebuild(session, url, name, build, state, persist) -> Any:
    prefix = _disk_prefix(url, name) if persist and state[1] else None
    path = prefix.with_name(f"{prefix.name}{state[1]}-{state[0]}.pickle") if prefix else None
    value = _load(path) if path else None
    if value is None:
        value = build(session)
        if path:
            _store(path, prefix, value)
    return value


@contextlib.contextmanager
def _collector_paused():
    """No cyclic collection while an index is built or loaded: it creates objects that all
    survive, and each full collection on the way rescanned them (at 100,000 cities eleven
    collections of 70-440 ms, a quarter of the build). ``_settle`` collects once after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _settle() -> None:
    """Collect the build's garbage, then move every surviving object out of the collector's
    reach (``gc.freeze``): an index is hundreds of thousands of long-lived objects that the
    cyclic collector would otherwise scan in each full collection (at 100,000 cities
    200-550 ms, the served requests' pauses). The indexes hold no reference cycles, so an
    index replaced later is still freed by reference counting (tested); a frozen object
    that becomes cyclic garbage (an ORM session alive in another request now) is kept,
    once per rebuild."""
    gc.collect()
    gc.freeze()


def clear() -> None:
    """Forget every in-memory index (tests, and after a schema reset)."""
    with _lock:
        _cache.clear()
        _locks.clear()


def _disk_prefix(url: str, name: str) -> Path | None:
    """``<cache dir>/<index>-<database and code hash>-``: the files of one index of one
    database built by this version of the code (a pickled object of older code may lack
    attributes the new code reads, so a code change starts a fresh file)."""
    if _cache_dir is None:
        return None
    key = hashlib.sha256(f"{url}\n{_code_fingerprint()}".encode()).hexdigest()[:16]
    return _cache_dir / f"{name}-{key}-"


@functools.cache
def _code_fingerprint(package: Path | None = None) -> str:
    """A hash of the package's Python sources and the data files shipped in it (the fitted
    purpose models: a refit changes the index without changing a line of code), computed
    once per process (~1.5 MB to read)."""
    package = package or Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    sources = [*package.rglob("*.py"), *package.rglob("*.json")]
    for source in sorted(sources):
        digest.update(str(source.relative_to(package)).encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def _load(path: Path) -> Any | None:
    """The pickled index, or None when absent or unreadable (then it is rebuilt)."""
    try:
        with path.open("rb") as handle:
            # The cache directory is the app's own instance folder: trusted, local files.
            value = pickle.load(handle)  # noqa: S301
        os.utime(path)  # in use: keep it out of the stale-file pruning
        return value
    except FileNotFoundError:
        return None
    except Exception:  # a truncated or outdated file is rebuilt, never fatal
        log.warning("ignoring unreadable index cache %s", path, exc_info=True)
        return None


#: Cache files of other databases untouched this long are removed (temporary databases).
STALE_AFTER_SECONDS = 7 * 24 * 3600


def _prune(directory: Path) -> None:
    cutoff = time.time() - STALE_AFTER_SECONDS
    for old in directory.glob("*.pickle"):
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink(missing_ok=True)
        except OSError:
            continue


def _store(path: Path, prefix: Path, value: Any) -> None:
    """Write atomically, then drop older files of the same index and database."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        for old in path.parent.glob(prefix.name + "*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        _prune(path.parent)
    except OSError:  # a read-only or full disk only costs the next process a rebuild
        log.warning("could not write index cache %s", path, exc_info=True)
