"""What an import did, and the one transaction every import writes in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from matcher.db import repository

Progress = Callable[[int], None]


@dataclass
class ImportReport:
    """What an import did (or would do, for a dry run)."""

    kind: str
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def as_dict(self) -> dict:
        return {
            "kind": self.kind, "file": self.file, "created": self.created,
            "updated": self.updated, "unchanged": self.unchanged, "notes": self.notes,
            "dry_run": self.dry_run,
        }  # fmt: skip


@contextmanager
def import_transaction(session: Session, report: ImportReport) -> Iterator[ImportReport]:
    """Write the rows of one import atomically: on any error nothing stays; a change bumps
    the data version (so scoring indexes rebuild); a dry run rolls everything back."""
    try:
        yield report
        if report.dry_run:
            session.rollback()
            return
        if report.created or report.updated:
            repository.bump_data_version(session)
        session.flush()
    except Exception:
        session.rollback()
        raise
    session.commit()
