"""Shared fixtures: settings in a temporary home, both database engines, loopback servers."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from broadsheet.settings import Settings, load_settings
from broadsheet.store import Database, open_database
from tests.servers import ScriptedServer

PG_ADMIN_URL = os.environ.get(
    "BROADSHEET_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def make_settings(home: Path, **flags: object) -> Settings:
    """Settings for a test: a temporary home, loopback allowed, nothing from the environment."""
    base = {"home": str(home), "allowed_networks": "127.0.0.1/32", "poll_min_interval": 60}
    base.update(flags)
    return load_settings(base, environ={})


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def _postgres_available() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN_URL)
        with engine.connect() as connection:
            connection.execute(sa.text("select 1"))
        engine.dispose()
        return None
    except Exception as error:  # any failure means "not here"
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {type(error).__name__}"


@contextlib.contextmanager
def _scratch_postgres(prefix: str) -> Iterator[str]:
    """A new, empty PostgreSQL database (skipped where there is none, failed in CI), dropped
    afterwards even if a test left connections open."""
    problem = _postgres_available()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"{problem} (CI must run the PostgreSQL tests)")
        pytest.skip(problem)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    with _scratch_postgres("broadsheet_test") as url:
        yield url


@pytest.fixture
def fresh_postgres_url() -> Iterator[str]:
    """A PostgreSQL database with nothing in it, not even the schema; dropped afterwards."""
    with _scratch_postgres("broadsheet_fresh") as url:
        yield url


@pytest.fixture(scope="session")
def _pg_database(postgres_url: str) -> Iterator[Database]:
    db = open_database(postgres_url, upgrade=True)
    yield db
    db.close()


def _empty(db: Database) -> None:
    from broadsheet.store.schema import metadata

    names = [t.name for t in reversed(metadata.sorted_tables)]
    with db.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database URL for each engine; the PostgreSQL one is emptied for each test."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'broadsheet.db'}"
    db = request.getfixturevalue("_pg_database")
    _empty(db)
    return db.url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = open_database(database_url, upgrade=True)
    yield database
    database.close()


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    scripted = ScriptedServer().start()
    yield scripted
    scripted.stop()
