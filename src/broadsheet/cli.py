"""The ``broadsheet`` command: a thin layer over the library and the update pipeline."""

from __future__ import annotations

import atexit
import gzip
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from broadsheet.errors import BroadsheetError, StorageError
from broadsheet.settings import SETTINGS, Settings, load_settings
from broadsheet.store import Database, open_database


class Context:
    """Settings resolved once per invocation, and the database opened lazily."""

    def __init__(self, flags: dict[str, Any]):
        self.settings: Settings = load_settings(flags)
        self._db: Database | None = None
        logging.basicConfig(level=self.settings.log_level.upper(),
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    def db(self, *, upgrade: bool = True) -> Database:
        if self._db is None:
            self._db = open_database(self.settings.database_url, upgrade=upgrade)
        return self._db

    def use(self, **changes: Any) -> None:
        self.settings = self.settings.replace(**{k: v for k, v in changes.items()
                                                 if v is not None})


pass_context = click.make_pass_decorator(Context)


@click.group()
@click.option("--home", help="Data folder (BROADSHEET_HOME).")
@click.option("--database-url", help="Database URL (BROADSHEET_DATABASE_URL).")
@click.option("--config", help="TOML settings file (BROADSHEET_CONFIG).")
@click.version_option(package_name="broadsheet")
@click.pass_context
def cli(ctx: click.Context, home: str | None, database_url: str | None, config: str | None) -> None:
    """Broadsheet: a self-hosted news desk."""
    ctx.obj = Context({"home": home, "database_url": database_url, "config": config})


@cli.command()
@pass_context
def init(ctx: Context) -> None:
    """Create the data folder and the database, or bring its schema up to date."""
    where = _safe_url(ctx.settings.database_url)
    _echo_upgrade(ctx.db(upgrade=False).upgrade(), where)
    click.echo(f"database ready: {where}")


@cli.command("settings")
@pass_context
def settings_command(ctx: Context) -> None:
    """Print every setting, its value and where the value came from."""
    width = max(len(s.name) for s in SETTINGS)
    for name, value, origin in ctx.settings.rows():
        click.echo(f"{name:<{width}}  {value!s:<40}  ({origin}; env BROADSHEET_{name.upper()})")


@cli.group()
def sources() -> None:
    """Manage subscriptions."""


@sources.command("add")
@click.argument("url")
@pass_context
def sources_add(ctx: Context, url: str) -> None:
    """Subscribe to a feed, or to the feed a site's page announces."""
    from broadsheet.sources import subscribe

    source = subscribe(ctx.db(), ctx.settings, url)
    click.echo(f"{source.id}\t{source.url}")


@sources.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
def sources_list(ctx: Context, as_json: bool) -> None:
    """List sources with their health: last success, errors, next poll."""
    from broadsheet.store.sources import list_sources

    for s in list_sources(ctx.db()):
        row = {"id": s.id, "url": s.url, "title": s.title, "status": s.status,
               "last_success": _iso(s.last_success), "error_count": s.error_count,
               "last_error": s.last_error, "next_poll": _iso(s.next_poll)}
        if as_json:
            click.echo(json.dumps(row))
        else:
            if s.error_count:
                health = f"errors={s.error_count} last_error={s.last_error!r}"
            else:
                health = "ok" if s.last_polled else "never polled"
            click.echo(f"{s.id}\t{s.status}\t{s.title or '-'}\t{s.url}\t{health}\t"
                       f"last_success={row['last_success'] or '-'}\tnext={row['next_poll'] or '-'}")


@sources.command("remove")
@click.argument("source_id", type=int)
@pass_context
def sources_remove(ctx: Context, source_id: int) -> None:
    """Unsubscribe and delete the source's articles."""
    from broadsheet.store.sources import delete_source

    delete_source(ctx.db(), source_id)
    click.echo(f"removed {source_id}")


@sources.command("show")
@click.argument("source_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="One JSON object.")
@pass_context
def sources_show(ctx: Context, source_id: int, as_json: bool) -> None:
    """One source in full: address, health, validators, schedule, categories, WebSub."""
    from broadsheet.store.articles import count_articles
    from broadsheet.store.sources import get_source

    s = get_source(ctx.db(), source_id)
    row = {"id": s.id, "url": s.url, "title": s.title, "site_url": s.site_url,
           "status": s.status, "error_count": s.error_count, "last_error": s.last_error,
           "last_success": _iso(s.last_success), "last_polled": _iso(s.last_polled),
           "next_poll": _iso(s.next_poll), "last_unconditional": _iso(s.last_unconditional),
           "etag": s.etag, "last_modified": s.last_modified,
           "pending_redirect": s.pending_redirect,
           "categories": s.settings.get("categories") or [],
           "publishing_mode": s.publishing_mode or f"default ({ctx.settings.publishing_mode})",
           "feed_only": bool(s.settings.get("feed_only")),
           "keep": s.settings.get("extract_selector"), "drop": s.settings.get("extract_remove"),
           "poll_min_interval": s.settings.get("poll_min_interval"),
           "poll_max_interval": s.settings.get("poll_max_interval"),
           "poll_interval": s.settings.get("poll_interval"),
           "guid_rotation": s.settings.get("guid_rotation"), "hub": s.settings.get("hub"),
           "articles": count_articles(ctx.db(), s.id)}
    if as_json:
        click.echo(json.dumps(row))
        return
    width = max(len(k) for k in row)
    for key, value in row.items():
        click.echo(f"{key:<{width}}  {'-' if value in (None, [], '') else value}")


@sources.command("set")
@click.argument("source_id", type=int)
@click.option("--mode", type=click.Choice(["full", "excerpt", "default"]),
              help="Publishing mode for this source ('default' follows the site's).")
@click.option("--feed-only/--fetch-pages", default=None,
              help="Use the feed's own content only, or fetch each item's page.")
@click.option("--keep", multiple=True, help="CSS selector: take the article body from these "
              "elements only (repeatable; '' clears).")
@click.option("--drop", multiple=True, help="CSS selector: remove these elements before "
              "extraction (repeatable; '' clears).")
@click.option("--min-interval", type=click.IntRange(60), help="Shortest poll interval, seconds.")
@click.option("--max-interval", type=click.IntRange(60), help="Longest poll interval, seconds.")
@click.option("--pause/--resume", default=None, help="Stop or restart polling this source.")
@pass_context
def sources_set(ctx: Context, source_id: int, mode: str | None, feed_only: bool | None,
                keep: tuple[str, ...], drop: tuple[str, ...], min_interval: int | None,
                max_interval: int | None, pause: bool | None) -> None:
    """Change one source's rules: publishing mode, extraction selectors, poll bounds."""
    from broadsheet.errors import ExtractError, SourceError
    from broadsheet.extract import ExtractRules, validate_rules
    from broadsheet.store.sources import get_source, update_source

    db = ctx.db()
    source = get_source(db, source_id)
    settings = dict(source.settings)
    changes: dict[str, Any] = {}
    rules = {"extract_selector": keep, "extract_remove": drop}
    for key, given in rules.items():
        if given:
            settings[key] = ",".join(g for g in given if g.strip())
    try:
        validate_rules(ExtractRules(
            keep=tuple(x for x in settings.get("extract_selector", "").split(",") if x),
            drop=tuple(x for x in settings.get("extract_remove", "").split(",") if x)))
    except ExtractError as error:
        raise SourceError(f"sources: {error}") from None
    if feed_only is not None:
        settings["feed_only"] = feed_only
    for key, value in (("poll_min_interval", min_interval), ("poll_max_interval", max_interval)):
        if value is not None:
            settings[key] = value
    if settings.get("poll_min_interval", 0) > settings.get("poll_max_interval", 10**9):
        raise SourceError("sources: --min-interval is longer than --max-interval")
    if mode is not None:
        changes["publishing_mode"] = None if mode == "default" else mode
    if pause is not None:
        changes["status"] = "paused" if pause else "active"
    update_source(db, source_id, settings=settings, **changes)
    click.echo(f"{source_id}\tupdated")


@sources.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def sources_import(ctx: Context, path: Path) -> None:
    """Subscribe to every feed in an OPML file; folders become categories."""
    from broadsheet.sources import import_opml

    imported = import_opml(ctx.db(), path.read_bytes())
    click.echo(f"imported {len(imported)} sources from {path}")


@sources.command("export")
@pass_context
def sources_export(ctx: Context) -> None:
    """Print every subscription as OPML 2.0."""
    from broadsheet.sources import export_opml

    click.echo(export_opml(ctx.db()).decode("utf-8"), nl=False)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


@cli.command()
@click.option("--all", "everything", is_flag=True, help="Poll every source, due or not.")
@click.option("--source", "source_id", type=int, help="Poll one source.")
@click.option("--no-stories", "skip_stories", is_flag=True,
              help="Only poll: leave new articles queued for a later placement in stories.")
@pass_context
def update(ctx: Context, everything: bool, source_id: int | None, skip_stories: bool) -> None:
    """Poll due sources once, place new articles in stories and print a summary.

    Exits with status 1 when every source polled failed.
    """
    summary = _update_with_progress(ctx, everything=everything, source_id=source_id,
                                    place=not skip_stories)
    click.echo(summary.line())
    click.echo(summary.placement_line())
    if summary.all_failed:
        click.echo(f"error: all {summary.polled} sources failed", err=True)
        sys.exit(1)


def _update_with_progress(ctx: Context, **kwargs: Any) -> Any:
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


@cli.group()
def articles() -> None:
    """Read stored articles."""


@articles.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
def articles_list(ctx: Context, as_json: bool) -> None:
    """List stored articles, oldest first."""
    from broadsheet.store.articles import all_articles

    for a in all_articles(ctx.db()):
        row = {"id": a.id, "title": a.title, "canonical_url": a.canonical_url,
               "feed_link": a.feed_link, "source": a.source_title or a.source_url,
               "published": a.published_local.isoformat()}
        click.echo(json.dumps(row, ensure_ascii=False) if as_json
                   else f"{a.id}\t{row['published']}\t{row['source']}\t{a.title}")


@cli.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--url", "original_url", help="The address the page was fetched from.")
@click.option("--json", "as_json", is_flag=True, default=True, help="JSON Lines (default).")
@pass_context
def extract(ctx: Context, inputs: tuple[str, ...], original_url: str | None, as_json: bool) -> None:
    """Extract the clean article from pages (files, .gz files or URLs) as JSON Lines.

    Every input is tried; a failed one still gets its line (``input`` and ``error``) so the
    output stays in input order, its error goes to stderr too, and the exit code is 1.
    """
    from broadsheet.extract import extract_article

    failed = 0
    for item in inputs:
        try:
            body, url = _read_input(ctx, item, original_url)
            record = extract_article(body, url=url).to_json()
        except BroadsheetError as error:
            record = {"input": item, "error": str(error)}
            failed += 1
            message = str(error)
            click.echo(f"error: {message if item in message else f'{item}: {message}'}",
                       err=True)
        click.echo(json.dumps(record, ensure_ascii=False))
    if failed:
        click.echo(f"error: {failed} of {len(inputs)} pages failed", err=True)
        sys.exit(1)


def _read_input(ctx: Context, item: str, original_url: str | None) -> tuple[bytes, str | None]:
    if item.startswith(("http://", "https://")):
        import asyncio

        from broadsheet.fetch import PAGE_ACCEPT, FetchConfig, Fetcher

        async def get() -> Any:
            async with Fetcher(FetchConfig.from_settings(ctx.settings)) as fetcher:
                return await fetcher.fetch(item, accept=PAGE_ACCEPT)

        result = asyncio.run(get())
        return result.body, original_url or result.final_url
    path = Path(item)
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise BroadsheetError(f"extract: cannot read {item}: {error}") from None
    return data, original_url


@cli.command()
@click.option("--host", help="Listen address (BROADSHEET_HOST).")
@click.option("--port", type=int, help="Listen port (BROADSHEET_PORT).")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the site."""
    ctx.use(host=host, port=port)
    _serve(ctx, _listen_for_site(ctx))


@cli.command()
@click.option("--host", help="Listen address (BROADSHEET_HOST).")
@click.option("--port", type=int, help="Listen port (BROADSHEET_PORT).")
@pass_context
def run(ctx: Context, host: str | None, port: int | None) -> None:
    """Poll sources on their schedule and serve the site, in one process."""
    ctx.use(host=host, port=port)
    sock = _listen_for_site(ctx)
    _start_poller(ctx)
    _serve(ctx, sock)


def _start_poller(ctx: Context) -> subprocess.Popen[bytes]:
    """Embedded mode: ``broadsheet worker`` in a child process beside the web server.

    The same worker loop as a cluster's, kept out of the web server's process so that
    parsing and extraction never hold up a page; it gets every setting this process
    resolved (flags included) through the environment, and stops when this process does.
    """
    environment = dict(os.environ)
    for name, value, _origin in ctx.settings.rows():
        environment[f"BROADSHEET_{name.upper()}"] = str(value)
    environment.pop("BROADSHEET_CONFIG", None)  # already folded into the values above
    # Readers come first: the poller runs at a lower CPU priority than the web server.
    child = subprocess.Popen([sys.executable, "-m", "broadsheet", "worker"], env=environment,
                             preexec_fn=lambda: os.nice(10))

    def stop() -> None:
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()

    atexit.register(stop)
    return child


@cli.command()
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


@cli.group()
def db() -> None:
    """Database schema and backups."""


@db.command("upgrade")
@pass_context
def db_upgrade(ctx: Context) -> None:
    """Apply pending migrations (safe while old workers drain: changes are additive)."""
    database = ctx.db(upgrade=False)
    _echo_upgrade(database.upgrade(), _safe_url(ctx.settings.database_url))
    if not database.is_current():
        raise StorageError("db: schema NOT current after upgrade")
    click.echo("schema is current")


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


def _safe_url(url: str) -> str:
    """A database URL without its password, fit to print."""
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)


@db.command("backup")
@click.argument("target")
@pass_context
def db_backup(ctx: Context, target: str) -> None:
    """Copy the database while it is in use (SQLite's online backup API)."""
    from broadsheet.store.backup import backup_database

    click.echo(backup_database(ctx.db(upgrade=False), target))


def _listen_for_site(ctx: Context) -> socket.socket:
    from broadsheet.server import listen

    return listen(ctx.settings.host, ctx.settings.port, "serve",
                   "choose another with --port N or BROADSHEET_PORT=N")


def _serve(ctx: Context, sock: socket.socket) -> None:
    """Serve the web app on a socket ``server.listen`` already bound."""
    from broadsheet.server import serve
    from broadsheet.web import make_web_app

    app = make_web_app(ctx.db(), ctx.settings)
    click.echo(f"serving on http://{ctx.settings.host}:{ctx.settings.port}", err=True)
    serve(app, ctx.settings, sock)


DEMO_NETWORK = "127.0.0.1/32"


def _keep_demo_network(ctx: Context) -> None:
    """Write the demo newsroom's loopback network into the home's settings file.

    The address guard refuses loopback by default; keeping the exception in
    ``<home>/broadsheet.toml`` lets a later ``broadsheet update`` or ``run`` on the demo
    data reach the newsroom. A value the user set anywhere is left alone.
    """
    origins = {name: origin for name, _value, origin in ctx.settings.rows()}
    path = ctx.settings.home_path / "broadsheet.toml"
    if origins["allowed_networks"] != "default" or ctx.settings.config not in ("", str(path)):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    separator = "" if not existing or existing.endswith("\n") else "\n"
    path.write_text(f'{existing}{separator}# added by `broadsheet demo`: its newsroom is on '
                    f'loopback\nallowed_networks = "{DEMO_NETWORK}"\n', encoding="utf-8")


@cli.command()
@click.option("--port", type=int, help="Site port (BROADSHEET_PORT, default 8000).")
@click.option("--newsroom-port", type=int,
              help="Port of the bundled demo newsroom (BROADSHEET_NEWSROOM_PORT, default 8001).")
@click.option("--seed", type=int, default=1, show_default=True, help="Demo content seed.")
@click.option("--no-serve", is_flag=True, help="Ingest the demo and stop, without serving.")
@pass_context
def demo(ctx: Context, port: int | None, newsroom_port: int | None, seed: int,
         no_serve: bool) -> None:
    """Start the offline demo newsroom, subscribe to it, ingest it and serve the site."""
    from broadsheet.demo.generate import make_newsroom
    from broadsheet.demo.server import NewsroomServer
    from broadsheet.server import listen
    from broadsheet.sources import subscribe

    _keep_demo_network(ctx)  # before ctx.use: it writes only a value nobody has set
    ctx.use(port=port, newsroom_port=newsroom_port,
            allowed_networks=ctx.settings.allowed_networks or DEMO_NETWORK)
    # Both ports are taken before anything is printed or ingested: a busy one is one line.
    site = None if no_serve else listen(
        ctx.settings.host, ctx.settings.port, "demo",
        "choose another site port with --port N or BROADSHEET_PORT=N "
        "(for example BROADSHEET_PORT=8080 make demo)")
    newsroom_socket = listen(
        "127.0.0.1", ctx.settings.newsroom_port, "demo newsroom",
        "choose another with --newsroom-port N or BROADSHEET_NEWSROOM_PORT=N "
        "(for example BROADSHEET_NEWSROOM_PORT=8081 make demo)")
    newsroom = NewsroomServer(make_newsroom(seed=seed), sock=newsroom_socket)
    newsroom.start()
    click.echo(f"demo newsroom on {newsroom.base_url}", err=True)
    if not ctx.settings.weather_url:  # the newsroom serves an Open-Meteo-shaped forecast too
        ctx.use(weather_url=newsroom.base_url, weather_place="Port Ellery",
                weather_latitude=50.1, weather_longitude=-4.2)
    db = ctx.db()
    for url in newsroom.feed_urls():
        subscribe(db, ctx.settings, url)
    from broadsheet.demo.generate import outlet_profiles
    from broadsheet.store.outlets import import_outlets

    import_outlets(db, outlet_profiles(newsroom.newsroom, newsroom.base_url))
    summary = _update_with_progress(ctx, everything=True)
    click.echo(summary.line(), err=True)
    if no_serve:
        newsroom.stop()
        return
    assert site is not None
    click.echo(f"open http://{ctx.settings.host}:{ctx.settings.port}")
    _start_poller(ctx)
    _serve(ctx, site)


from broadsheet.cli_users import users  # noqa: E402  (accounts: its own module)

cli.add_command(users)
from broadsheet.cli_stories import import_articles, outlets, stories  # noqa: E402

cli.add_command(stories)
cli.add_command(import_articles)
cli.add_command(outlets)


def main() -> None:
    """Entry point: run the CLI, turning our errors into one clear line and exit code 1."""
    try:
        cli(standalone_mode=True)
    except BroadsheetError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
