"""Opening the database and keeping its schema current, for SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine


from broadsheet.errors import StorageError

MIGRATIONS = Path(__file__).parent / "migrations"


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.UTC)


@overload
def as_utc(value: dt.datetime) -> dt.datetime: ...


@overload
def as_utc(value: dt.datetime | None) -> dt.datetime | None: ...


def as_utc(value: dt.datetime | None) -> dt.datetime | None:
    """Make a stored timestamp aware (SQLite returns naive UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def to_db_time(value: dt.datetime | None) -> dt.datetime | None:
    """Convert an aware timestamp to UTC before it is written."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _driver_error(error: sa.exc.SQLAlchemyError) -> BaseException:
    """The driver's own error behind ``error`` (only DBAPI errors wrap one), else ``error``."""
    orig: BaseException | None = getattr(error, "orig", None)
    return orig or error


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _migration_engine(url: str) -> Engine:
    """An engine for migrations only: on SQLite, transactional DDL under the write lock.

    pysqlite runs DDL outside any transaction; this engine takes transactions over
    (SQLAlchemy's documented recipe) and begins with BEGIN IMMEDIATE, so a migration is
    all-or-nothing and processes starting together on a fresh database run it once.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"timeout": 60})

    def connect(dbapi_connection: Any, _record: Any) -> None:
        _sqlite_pragmas(dbapi_connection, _record)
        dbapi_connection.isolation_level = None

    def begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    sa.event.listen(engine, "connect", connect)
    sa.event.listen(engine, "begin", begin)
    return engine


@dataclass(frozen=True)
class UpgradeReport:
    """What one ``upgrade`` did: migrations applied (revision, title) and tables created."""

    applied: tuple[tuple[str, str], ...]
    tables: tuple[str, ...]


_FTS_SHADOWS = ("_config", "_content", "_data", "_docsize", "_idx")
MIGRATION_LOCK = 0x62726F61  # PostgreSQL advisory lock key held while migrating


def _create_engine(url: str, **options: Any) -> Engine:
    try:
        return sa.create_engine(url, **options)
    except sa.exc.SQLAlchemyError as error:  # not a URL, or no such dialect or driver
        raise StorageError(f"store: cannot use the database URL: {error}") from error


class Database:
    """One engine and the helpers every storage module uses."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite"):
            path = url.split(":///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = _create_engine(url, connect_args={"timeout": 30})
            sa.event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = _create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """A connection inside one transaction; database errors become StorageError."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except sa.exc.SQLAlchemyError as error:
            cause = _driver_error(error)
            raise StorageError(f"store: {type(cause).__name__}: "
                               f"{str(cause).splitlines()[0][:300]}") from error

    def _alembic_config(self, connection: Connection) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        return config

    def upgrade(self) -> UpgradeReport:
        """Bring the schema to the newest migration of every branch (safe to run repeatedly).

        Each domain (stories, site, accounts...) keeps its own branch of migrations off
        the first one, so work on different domains never conflicts. Returns what this
        call did: the migrations it applied and the tables it created (both empty when the
        schema was already current).
        """
        engine = _migration_engine(self.url) if self.dialect == "sqlite" else self.engine
        try:
            with engine.connect() as connection:
                with connection.begin():
                    if self.dialect == "postgresql":
                        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                           {"key": MIGRATION_LOCK})
                    config = self._alembic_config(connection)
                    before = self._schema_state(connection, config)
                    command.upgrade(config, "heads")
                    after = self._schema_state(connection, config)
        except sa.exc.SQLAlchemyError as error:
            raise StorageError(f"store: migration failed: {str(_driver_error(error))[:300]}") \
                from error
        finally:
            if engine is not self.engine:
                engine.dispose()
        return UpgradeReport(
            applied=tuple((rev, doc) for rev, doc in after[0] if rev not in dict(before[0])),
            tables=tuple(sorted(after[1] - before[1])))

    @staticmethod
    def _schema_state(connection: Connection, config: Config
                      ) -> tuple[list[tuple[str, str]], set[str]]:
        """The applied migrations (oldest first, with their titles) and the tables."""
        heads = MigrationContext.configure(connection).get_current_heads()
        script = ScriptDirectory.from_config(config)
        applied = [] if not heads else [
            (r.revision, (r.doc or "").strip().splitlines()[0] if r.doc else "")
            for r in reversed(list(script.iterate_revisions(heads, "base")))]
        tables = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
        # SQLite's full-text index keeps shadow tables (articles_fts_data, ...): not ours.
        shadows = {t for t in tables for suffix in _FTS_SHADOWS
                   if t.endswith(suffix) and t.removesuffix(suffix) in tables}
        return applied, tables - shadows

    def is_current(self) -> bool:
        """True when every migration has been applied."""
        try:
            with self.engine.connect() as connection:
                current = set(MigrationContext.configure(connection).get_current_heads())
                config = self._alembic_config(connection)
                heads = set(ScriptDirectory.from_config(config).get_heads())
        except sa.exc.SQLAlchemyError as error:
            raise StorageError(f"store: {type(error).__name__}: "
                               f"{str(error).splitlines()[0][:300]}") from error
        return current == heads

    def insert(self, table: sa.Table) -> Any:
        """An INSERT that understands ON CONFLICT, for this engine's dialect."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as postgresql_insert

            return postgresql_insert(table)
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table)

    def close(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, upgrade: bool = False) -> Database:
    """Open the database at ``url``; with ``upgrade``, apply pending migrations first."""
    database = Database(url)
    if upgrade:
        database.upgrade()
    return database


def printable_url(url: str) -> str:
    """A database URL without its password, fit to print; StorageError when it is not one."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError as error:
        raise StorageError(f"store: cannot use the database URL: {error}") from error
