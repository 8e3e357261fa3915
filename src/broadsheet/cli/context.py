"""What every command shares: the settings resolved once, the database opened lazily."""

from __future__ import annotations

import logging
from typing import Any

import click

from broadsheet.settings import Settings, load_settings
from broadsheet.store import Database, open_database


class Context:
    """Settings resolved once per invocation, and the database opened lazily."""

    def __init__(self, flags: dict[str, Any]):
        self.settings: Settings = load_settings(flags)
        self._db: Database | None = None
        logging.basicConfig(level=self.settings.log_level.upper(),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def db(self, *, upgrade: bool = True) -> Database:
        """The database, opened on first use (and brought up to date unless told not to)."""
        if self._db is None:
            self._db = open_database(self.settings.database_url, upgrade=upgrade)
        return self._db

    def use(self, **changes: Any) -> None:
        """Override settings with the flags a command was given (``None`` means not given)."""
        self.settings = self.settings.replace(**{k: v for k, v in changes.items()
                                                 if v is not None})


pass_context = click.make_pass_decorator(Context)


def iso(value: Any) -> str | None:
    """A datetime as ISO 8601 for printing, or None."""
    return value.isoformat() if value else None
