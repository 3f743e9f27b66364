"""Per-process in-memory indexes, rebuilt when the database's data changes.

An index is keyed by the database URL and the data state (version and generation token, see
``repository.data_state``): an import bumps the version, so every worker on every host sees
new data on its next request without any messaging. Indexes asked for with ``persist=True``
are also kept on disk (``configure(cache_dir)``; the app uses ``instance/cache``), so a fresh
process such as a CLI command loads the fitted index instead of fitting it again.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import pickle
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from matcher.db import repository

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[tuple[int, str], Any]] = {}
_cache_dir: Path | None = None


def configure(cache_dir: str | Path | None) -> None:
    """Where persistent indexes live; ``None`` keeps indexes in memory only."""
    global _cache_dir
    _cache_dir = Path(cache_dir) if cache_dir else None


def cached(
    session: Session, name: str, build: Callable[[Session], Any], *, persist: bool = False
) -> Any:
    """Return the index ``name`` for this database, building it if the data changed."""
    url = str(session.get_bind().url)
    key = (url, name)
    state = repository.data_state(session)
    hit = _cache.get(key)
    if hit is not None and hit[0] == state:
        return hit[1]
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == state:
            return hit[1]
        prefix = _disk_prefix(url, name) if persist and state[1] else None
        path = prefix.with_name(f"{prefix.name}{state[1]}-{state[0]}.pickle") if prefix else None
        value = _load(path) if path else None
        if value is None:
            value = build(session)
            if path:
                _store(path, prefix, value)
        _cache[key] = (state, value)
        return value


def clear() -> None:
    """Forget every in-memory index (tests, and after a schema reset)."""
    with _lock:
        _cache.clear()


def _disk_prefix(url: str, name: str) -> Path | None:
    """``<cache dir>/<index>-<database and code hash>-``: the files of one index of one
    database built by this version of the code (a pickled object of older code may lack
    attributes the new code reads, so a code change starts a fresh file)."""
    if _cache_dir is None:
        return None
    key = hashlib.sha256(f"{url}\n{_code_fingerprint()}".encode()).hexdigest()[:16]
    return _cache_dir / f"{name}-{key}-"


@functools.cache
def _code_fingerprint() -> str:
    """A hash of the package's Python sources, computed once per process (~1 MB to read)."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for source in sorted(package.rglob("*.py")):
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
