"""``broadsheet update`` (one pass) and ``broadsheet worker`` (the polling loop)."""

from __future__ import annotations

import sys
from typing import Any

import click

from broadsheet.cli.context import Context, pass_context


@click.command()
@click.option("--all", "everything", is_flag=True, help="Poll every source, due or not.")
@click.option("--source", "source_id", type=int, help="Poll one source.")
@click.option("--no-stories", "skip_stories", is_flag=True,
              help="Only poll: leave new articles queued for a later placement in stories.")
@pass_context
def update(ctx: Context, everything: bool, source_id: int | None, skip_stories: bool) -> None:
    """Poll due sources once, place new articles in stories and print a summary.

    Exits with status 1 when every source polled failed.
    """
    summary = update_with_progress(ctx, everything=everything, source_id=source_id,
                                   place=not skip_stories)
    click.echo(summary.line())
    click.echo(summary.placement_line())
    if summary.all_failed:
        click.echo(f"error: all {summary.polled} sources failed", err=True)
        sys.exit(1)


def update_with_progress(ctx: Context, **kwargs: Any) -> Any:
    """``run_update`` with a progress bar on a terminal (``kwargs`` are its own)."""
    from broadsheet.update.pipeline import run_update

    db = ctx.db()
    if not sys.stderr.isatty():
        return run_update(db, ctx.settings, **kwargs)
    from rich.progress import Progress

    from broadsheet.store.sources import due_sources, list_sources

    total = 1 if kwargs.get("source_id") else len(
        list_sources(db) if kwargs.get("everything") else due_sources(db))
    with Progress(transient=True) as bar:
        task = bar.add_task("Polling sources", total=total)
        return run_update(db, ctx.settings, progress=lambda _o: bar.advance(task), **kwargs)


@click.command()
@click.option("--batch", type=int, default=20, show_default=True,
              help="Sources leased per round.")
@click.option("--lease", "lease_seconds", type=float, default=120.0, show_default=True,
              help="Seconds a lease lasts without a heartbeat.")
@click.option("--idle", "idle_seconds", type=float, default=5.0, show_default=True,
              help="Seconds to wait when nothing is due.")
@click.option("--once", is_flag=True,
              help="Stop when nothing is due and nothing awaits placement in stories.")
@click.option("--no-stories", "skip_stories", is_flag=True,
              help="Only poll: leave placing articles in stories to other workers.")
@pass_context
def worker(ctx: Context, batch: int, lease_seconds: float, idle_seconds: float,
           once: bool, skip_stories: bool) -> None:
    """Poll due sources, sharing the work with every other worker on the same database;
    the worker holding the stories lease places new articles in the background."""
    import signal

    from broadsheet.update.worker import Worker

    runner = Worker(ctx.db(), ctx.settings, batch=batch, lease_seconds=lease_seconds,
                    idle_seconds=idle_seconds, place=not skip_stories)
    signal.signal(signal.SIGTERM, lambda *_: runner.stopping.set())
    click.echo(f"worker {runner.id} on {ctx.settings.database_url.split('@')[-1]}", err=True)
    try:
        summary = runner.run(once=once)
    except KeyboardInterrupt:
        runner.stopping.set()
        return
    click.echo(summary.line())
