"""Per-process in-memory indexes, rebuilt when the database's data version changes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from matcher.db import repository

_lock = threading.Lock()
_cache: dict[tuple[str, str], tuple[int, Any]] = {}


def cached(session: Session, name: str, build: Callable[[Session], Any]) -> Any:
    """Return the index ``name`` for this database, building it if the data changed.

    The key includes the database URL so that several apps in one process (tests) never share
    an index; the data version makes imports visible to every worker without messaging.
    """
    key = (str(session.get_bind().url), name)
    version = repository.data_version(session)
    hit = _cache.get(key)
    if hit is not None and hit[0] == version:
        return hit[1]
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == version:
            return hit[1]
        value = build(session)
        _cache[key] = (version, value)
        return value


def clear() -> None:
    """Forget every index (tests, and after a schema reset)."""
    with _lock:
        _cache.clear()
