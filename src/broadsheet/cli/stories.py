"""``broadsheet stories`` (list, rebuild, backlog) and ``broadsheet outlets`` (profiles)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from broadsheet.cli.context import Context, iso, pass_context
from broadsheet.errors import BroadsheetError


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per story.")
@click.option("--min-articles", type=int, default=1, show_default=True,
              help="Only stories with at least this many articles.")
@click.pass_context
def stories(click_ctx: click.Context, as_json: bool, min_articles: int) -> None:
    """List stories (articles grouped by event); ``stories rebuild`` re-clusters all."""
    if click_ctx.invoked_subcommand is not None:
        return
    from broadsheet.store import stories as story_store
    from broadsheet.update.import_articles import imported_id
    from broadsheet.update.stories_step import assign_pending_stories

    ctx = click_ctx.find_object(Context)
    assert ctx is not None  # the root group always sets one
    db = ctx.db()
    assign_pending_stories(db, ctx.settings)
    chunk: list[Any] = []

    def flush() -> None:
        members = story_store.story_member_keys(db, [s.id for s in chunk])
        for story in chunk:
            keys = members.get(story.id, [])
            if len(keys) < min_articles:
                continue
            row = {"id": story.id, "title": story.title,
                   "articles": [imported_id(key) or url or key for key, url, _ in keys],
                   "sources": list(dict.fromkeys(source for _, _, source in keys)),
                   "first_published": iso(story.first_published),
                   "last_published": iso(story.last_published)}
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False))
            else:
                click.echo(f"{story.id}\t{len(keys)} articles\t{len(row['sources'])} sources\t"
                           f"{row['first_published']}\t{story.title}")
        chunk.clear()

    for story in story_store.all_stories(db):
        chunk.append(story)
        if len(chunk) >= 500:
            flush()
    flush()


@stories.command("rebuild")
@pass_context
def stories_rebuild(ctx: Context) -> None:
    """Forget every story and duplicate mark, and place every article again."""
    from broadsheet.update.stories_step import rebuild_stories

    placed = rebuild_stories(ctx.db(), ctx.settings)
    click.echo(f"placed {placed} articles")


@stories.command("backlog")
@pass_context
def stories_backlog(ctx: Context) -> None:
    """Print how many stored articles await placement in a story (nothing is placed)."""
    from broadsheet.store.placement_queue import count_queued

    click.echo(f"{count_queued(ctx.db())} articles await placement")


@click.group()
def outlets() -> None:
    """Outlet profiles: country, language, ownership, owner, with citations."""


@outlets.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@pass_context
def outlets_list(ctx: Context, as_json: bool) -> None:
    """List outlet profiles."""
    from broadsheet.store.outlets import ensure_starter_outlets, list_outlets

    ensure_starter_outlets(ctx.db())
    for outlet in list_outlets(ctx.db()):
        if as_json:
            click.echo(json.dumps(outlet.to_json(), ensure_ascii=False))
        else:
            click.echo(f"{outlet.slug}\t{outlet.name}\t{outlet.country or '-'}\t"
                       f"{outlet.ownership or '-'}\t{','.join(outlet.domains)}")


@outlets.command("show")
@click.argument("slug")
@pass_context
def outlets_show(ctx: Context, slug: str) -> None:
    """One outlet profile with the citation of each fact."""
    from broadsheet.store.outlets import FACTS, ensure_starter_outlets, get_outlet

    ensure_starter_outlets(ctx.db())
    outlet = get_outlet(ctx.db(), slug)
    if outlet is None:
        raise BroadsheetError(f"outlets: no outlet {slug!r}")
    click.echo(f"{outlet.name} ({outlet.slug})\ndomains    {', '.join(outlet.domains) or '-'}")
    for fact in FACTS:
        cited = outlet.citations.get(fact)
        click.echo(f"{fact:<10} {getattr(outlet, fact) or '-'}" + (f"  [{cited}]" if cited else ""))


@outlets.command("set")
@click.argument("slug")
@click.option("--name")
@click.option("--domain", "domains", multiple=True, help="Repeat for several; replaces them.")
@click.option("--country", help="ISO 3166 code, e.g. GB.")
@click.option("--language", help="BCP 47 code, e.g. en.")
@click.option("--ownership", help="public broadcaster, state-controlled, state-funded, "
                                  "private, non-profit, ...")
@click.option("--owner")
@click.option("--cite", "cites", multiple=True, metavar="FACT=URL",
              help="Citation of a fact (country, language, ownership, owner).")
@pass_context
def outlets_set(ctx: Context, slug: str, name: str | None, domains: tuple[str, ...],
                country: str | None, language: str | None, ownership: str | None,
                owner: str | None, cites: tuple[str, ...]) -> None:
    """Create an outlet profile or change some of its facts."""
    from broadsheet.store.outlets import (
        ensure_starter_outlets, get_outlet, outlet_from_json, save_outlet,
    )

    ensure_starter_outlets(ctx.db())
    current = get_outlet(ctx.db(), slug)
    data: dict[str, Any] = current.to_json() if current else {"slug": slug, "name": name or slug}
    for key, value in (("name", name), ("country", country), ("language", language),
                       ("ownership", ownership), ("owner", owner)):
        if value is not None:
            data[key] = value
    if domains:
        data["domains"] = list(domains)
    for cite in cites:
        fact, sep, url = cite.partition("=")
        if not sep:
            raise BroadsheetError(f"outlets: --cite wants FACT=URL, not {cite!r}")
        data.setdefault("citations", {})[fact.strip()] = url.strip()
    outlet = outlet_from_json(data)
    save_outlet(ctx.db(), outlet)
    click.echo(f"saved {outlet.slug}")


@outlets.command("import")
@click.argument("path", required=False,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def outlets_import(ctx: Context, path: Path | None) -> None:
    """Load profiles from a JSON file ({"outlets": [...]}, or JSON Lines), default the
    starter file; profiles with the same slug are replaced."""
    from broadsheet.store.outlets import import_outlets, starter_outlets

    if path is None:
        items = starter_outlets()
    else:
        text = path.read_text(encoding="utf-8")
        try:
            data = json.loads(text)
            items = data["outlets"] if isinstance(data, dict) else data
        except json.JSONDecodeError:
            items = [json.loads(line) for line in text.splitlines() if line.strip()]
    count = import_outlets(ctx.db(), items)
    click.echo(f"imported {count} outlets")
