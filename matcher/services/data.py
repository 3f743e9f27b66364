"""Data-steward use cases: schema, seed, import, export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from matcher import db, importing
from matcher.db import repository
from matcher.importing.seed import seed_database


def upgrade_schema(database: db.Database) -> str | None:
    """Migrate the schema to the newest revision; return it."""
    db.upgrade(database.engine)
    return db.current_revision(database.engine)


class UserDataAtRisk(Exception):
    """``seed --replace`` would delete data the seed does not bring back; ``found`` counts it."""

    def __init__(self, found: dict[str, int]):
        self.found = found
        listed = ", ".join(f"{count} {name}" for name, count in found.items())
        super().__init__(f"the database holds data the seed does not restore: {listed}")


def seed(
    session: Session,
    data_dir: str | Path,
    *,
    replace: bool = False,
    step=None,
    confirmed: bool = False,
    backup_dir: str | Path | None = None,
) -> dict:
    """Load the shipped real data (see data/README.md).

    ``replace`` on a database that holds cities first writes a backup into ``backup_dir``
    (its path is in the returned ``backup``); when the database holds data the seed does not
    bring back (events, declared or imported weights, imported cities or calls) it refuses with
    :class:`UserDataAtRisk` unless ``confirmed``."""
    from matcher.db.backup import write_backup
    from matcher.importing.seed import user_data

    backup_path = None
    if replace and repository.count_cities(session):
        found = user_data(session, data_dir)
        if found and not confirmed:
            raise UserDataAtRisk(found)
        if backup_dir is None:
            raise ValueError("replacing the seed needs a backup_dir for the backup it takes")
        folder = Path(backup_dir)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup_path = folder / f"before-seed-replace-{stamp}.jsonl.gz"
        write_backup(session.get_bind(), backup_path)
    counts = seed_database(session, data_dir, replace=replace, step=step)
    if backup_path is not None:
        counts["backup"] = str(backup_path)
    return counts


def backup(database: db.Database, path: str | Path) -> dict[str, int]:
    """Write every table to ``path`` (gzip JSON lines); rows per table."""
    from matcher.db.backup import write_backup

    return write_backup(database.engine, path)


def restore(database: db.Database, path: str | Path) -> dict[str, int]:
    """Replace the whole database with the backup at ``path`` (one transaction); rows per
    table. Raises :class:`matcher.db.backup.BackupError` for a file it cannot restore."""
    from matcher.db.backup import restore_backup
    from matcher.services import indexes

    counts = restore_backup(database.engine, path)
    indexes.clear()
    return counts


def import_file(session: Session, kind: str, path, **options) -> importing.ImportReport:
    """Validate and upsert a CSV/JSON file of cities or calls; nothing written on problems."""
    return importing.import_file(session, kind, path, **options)


def export(session: Session, kind: str, fmt: str) -> str:
    """Cities or calls as CSV/JSON text that :func:`import_file` reads back. CSV cells a
    spreadsheet would run as formulas are quoted (:func:`matcher.exports.formula_safe`)."""
    if fmt == "csv":
        from matcher.exports import table_csv

        rows, columns = importing.export_rows(session, kind)
        return table_csv(rows, columns)
    return importing.export(session, kind, fmt)


def warm_indexes(session: Session) -> None:
    """Build (and, where configured, store on disk) the name and partner indexes for the
    current data, so the next command or request starts from a fitted index."""
    from matcher.services.cities import name_index
    from matcher.services.partners import partner_index

    name_index(session)
    partner_index(session)
