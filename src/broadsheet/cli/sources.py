"""``broadsheet sources``: subscribe, list, show, change, remove, import and export."""

from __future__ import annotations

import json
from pathlib import Path

import click

from broadsheet.cli.context import Context, iso, pass_context


@click.group()
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
               "last_success": iso(s.last_success), "error_count": s.error_count,
               "last_error": s.last_error, "next_poll": iso(s.next_poll)}
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
           "last_success": iso(s.last_success), "last_polled": iso(s.last_polled),
           "next_poll": iso(s.next_poll), "last_unconditional": iso(s.last_unconditional),
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
    from broadsheet.sources.rules import change_source_rules

    change_source_rules(ctx.db(), source_id, mode=mode, pause=pause, keep=keep, drop=drop,
                        feed_only=feed_only, min_interval=min_interval,
                        max_interval=max_interval)
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
