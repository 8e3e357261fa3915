"""The ``broadsheet`` command: parses arguments, calls the library and prints.

Modules, each importing only those above it in this list: ``context`` (settings and the
database, shared by every command); one module per command group (``db``, ``sources``,
``update``, ``articles``, ``stories``, ``users``, ``serve``); ``demo`` (uses ``update``
and ``serve``); ``tree`` (the ``broadsheet`` group and every command in it); this one.
"""

from __future__ import annotations

import sys

import click

from broadsheet.cli.tree import cli
from broadsheet.errors import BroadsheetError

__all__ = ["cli", "main"]


def main() -> None:
    """Entry point: run the CLI, turning our errors into one clear line and exit code 1."""
    try:
        cli(standalone_mode=True)
    except BroadsheetError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
