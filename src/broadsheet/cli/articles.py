"""``broadsheet articles``, ``extract`` and ``import-articles``: articles in and out."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path

import click

from broadsheet.cli.context import Context, pass_context
from broadsheet.errors import BroadsheetError
from broadsheet.settings import Settings


@click.group()
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


@click.command()
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
            body, url = _read_input(ctx.settings, item, original_url)
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


def _read_input(settings: Settings, item: str,
                original_url: str | None) -> tuple[bytes, str | None]:
    """The bytes of one ``extract`` input (a URL, a file or a .gz file) and its address."""
    if item.startswith(("http://", "https://")):
        from broadsheet.fetch import PAGE_ACCEPT, FetchConfig, fetch_url

        result = fetch_url(item, FetchConfig.from_settings(settings), accept=PAGE_ACCEPT)
        return result.body, original_url or result.final_url
    path = Path(item)
    try:
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, gzip.BadGzipFile) as error:
        raise BroadsheetError(f"extract: cannot read {item}: {error}") from None
    return data, original_url


@click.command("import-articles")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@pass_context
def import_articles(ctx: Context, path: Path) -> None:
    """Import articles from a JSON Lines file (title, text; optional id, url, published,
    source); a bad line is reported with its number and skipped."""
    from broadsheet.update.import_articles import import_lines
    from broadsheet.update.stories_step import assign_pending_stories

    db = ctx.db()
    with path.open(encoding="utf-8", errors="replace") as lines:
        report = import_lines(db, lines)
    for number, reason in report.bad:
        click.echo(f"{path}:{number}: skipped: {reason}", err=True)
    placed = assign_pending_stories(db, ctx.settings)
    click.echo(f"imported {report.imported} articles ({report.already} already there, "
               f"{len(report.bad)} bad lines); {placed} placed in stories")
