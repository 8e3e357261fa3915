"""Backups: SQLite's online backup API; for PostgreSQL, the right pg_dump command."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from broadsheet.errors import StorageError
from broadsheet.store.db import Database


def backup_database(db: Database, target: str) -> str:
    """Copy a live SQLite database to ``target`` and check it; explain pg_dump otherwise."""
    if db.dialect != "sqlite":
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=True)
        return (f"PostgreSQL is backed up with its own tools, for example:\n"
                f"  pg_dump --format=custom --file={target} '{url}'\n"
                f"and restored with pg_restore --clean --dbname=<url> {target}")
    path = Path(target)
    if path.exists():
        raise StorageError(f"store: {target} exists; choose a new file for the backup")
    source_path = db.engine.url.database or ""
    try:
        with sqlite3.connect(source_path) as source, sqlite3.connect(path) as copy:
            source.backup(copy)
            status = copy.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as error:
        raise StorageError(f"store: backup failed: {error}") from error
    if status != "ok":
        raise StorageError(f"store: the backup failed its integrity check: {status}")
    return f"backed up {source_path} to {target} (integrity ok)"
