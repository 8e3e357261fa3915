"""The command tree: the ``broadsheet`` group, its global options, and every command.

Each command group lives in a module of its own; this is the one place they are put
together, so the whole command line can be read from the list below.
"""

from __future__ import annotations

import click

from broadsheet.cli.articles import articles, extract, import_articles
from broadsheet.cli.context import Context
from broadsheet.cli.db import db, init, settings_command
from broadsheet.cli.demo import demo
from broadsheet.cli.serve import run, serve
from broadsheet.cli.sources import sources
from broadsheet.cli.stories import outlets, stories
from broadsheet.cli.update import update, worker
from broadsheet.cli.users import users


@click.group()
@click.option("--home", help="Data folder (BROADSHEET_HOME).")
@click.option("--database-url", help="Database URL (BROADSHEET_DATABASE_URL).")
@click.option("--config", help="TOML settings file (BROADSHEET_CONFIG).")
@click.version_option(package_name="broadsheet")
@click.pass_context
def cli(ctx: click.Context, home: str | None, database_url: str | None, config: str | None) -> None:
    """Broadsheet: a self-hosted news desk."""
    ctx.obj = Context({"home": home, "database_url": database_url, "config": config})


COMMANDS: tuple[click.Command, ...] = (
    init, settings_command, db,                    # data folder, settings, schema
    sources, update, worker,                       # subscriptions and polling
    articles, extract, import_articles,            # articles in and out
    stories, outlets,                              # the stories desk
    users,                                         # accounts and tokens
    serve, run, demo,                              # the site
)
for _command in COMMANDS:
    cli.add_command(_command)
