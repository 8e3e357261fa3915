"""``broadsheet init``, ``settings`` and ``db``: the data folder, settings and schema."""

from __future__ import annotations

from typing import Any

import click

from broadsheet.cli.context import Context, pass_context
from broadsheet.errors import StorageError
from broadsheet.settings import SETTINGS
from broadsheet.store.db import printable_url


@click.command()
@pass_context
def init(ctx: Context) -> None:
    """Create the data folder and the database, or bring its schema up to date."""
    where = printable_url(ctx.settings.database_url)
    _echo_upgrade(ctx.db(upgrade=False).upgrade(), where)
    click.echo(f"database ready: {where}")


@click.command("settings")
@pass_context
def settings_command(ctx: Context) -> None:
    """Print every setting, its value and where the value came from."""
    width = max(len(s.name) for s in SETTINGS)
    for name, value, origin in ctx.settings.rows():
        click.echo(f"{name:<{width}}  {value!s:<40}  ({origin}; env BROADSHEET_{name.upper()})")


@click.group()
def db() -> None:
    """Database schema and backups."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Apply pending migrations (safe while old workers drain: changes are additive)."""
    database = ctx.db(upgrade=False)
    _echo_upgrade(database.upgrade(), printable_url(ctx.settings.database_url))
    if not database.is_current():
        raise StorageError("db: schema NOT current after upgrade")
    click.echo("schema is current")


@db.command("backup")
@click.argument("target")
@pass_context
def db_backup(ctx: Context, target: str) -> None:
    """Copy the database while it is in use (SQLite's online backup API)."""
    from broadsheet.store.backup import backup_database

    click.echo(backup_database(ctx.db(upgrade=False), target))


def _echo_upgrade(report: Any, where: str) -> None:
    """Say what an upgrade did: the migrations and tables it created, or nothing to do."""
    if not report.applied:
        click.echo(f"schema already up to date, nothing to do: {where}")
        return
    plural = "s" if len(report.applied) != 1 else ""
    click.echo(f"applied {len(report.applied)} migration{plural} to {where}:")
    for revision, title in report.applied:
        click.echo(f"  {revision}  {title}")
    if report.tables:
        plural = "s" if len(report.tables) != 1 else ""
        click.echo(f"created {len(report.tables)} table{plural}: {', '.join(report.tables)}")

