"""Data-steward use cases: schema, seed, import, export."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from matcher import db, importing
from matcher.importing.seed import seed_database


def upgrade_schema(database: db.Database) -> str | None:
    """Migrate the schema to the newest revision; return it."""
    db.upgrade(database.engine)
    return db.current_revision(database.engine)


def seed(session: Session, data_dir: str | Path, *, replace: bool = False, step=None) -> dict:
    """Load the shipped real data (see data/README.md)."""
    return seed_database(session, data_dir, replace=replace, step=step)


def import_file(session: Session, kind: str, path, **options) -> importing.ImportReport:
    """Validate and upsert a CSV/JSON file of cities or calls; nothing written on problems."""
    return importing.import_file(session, kind, path, **options)


def export(session: Session, kind: str, fmt: str) -> str:
    """Cities or calls as CSV/JSON text that :func:`import_file` reads back."""
    return importing.export(session, kind, fmt)


def warm_indexes(session: Session) -> None:
    """Build (and, where configured, store on disk) the name and partner indexes for the
    current data, so the next command or request starts from a fitted index."""
    from matcher.services.cities import name_index
    from matcher.services.partners import partner_index

    name_index(session)
    partner_index(session)
