"""The store: schema, migrations and queries, for SQLite and PostgreSQL alike."""

from broadsheet.store.db import Database, open_database, utcnow

__all__ = ["Database", "open_database", "utcnow"]
