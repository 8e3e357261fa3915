"""A source's page (its latest articles and outlet profile) and its feed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.errors import SourceError
from broadsheet.site import stories as story_view
from broadsheet.site.paging import FEED_SIZE, PAGE_SIZE, cursor, next_cursor
from broadsheet.site.render import site_of
from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.types import Source


def source(request: Request, source_id: int, before: str | None = None) -> Response:
    """``/sources/{id}``: the source's articles, newest first, paged with ``?before=``."""
    site = site_of(request)
    found = _source_or_404(site.db, source_id)
    items = article_store.latest_articles(site.db, PAGE_SIZE, source_id=source_id,
                                          before=cursor(before))
    name = found.public_name
    outlet = story_view.outlet_of_source(site.db, found, items)
    return site.page(request, "source.html", title=name, source=found, articles=items,
                     outlet=outlet,
                     next_cursor=next_cursor(items),
                     feeds=site.feed_links(f"/sources/{source_id}", name))


def source_feed(request: Request, source_id: int, fmt: str) -> Response:
    """``/sources/{id}/feed.{fmt}``: the source's latest articles as a feed."""
    site = site_of(request)
    found = _source_or_404(site.db, source_id)
    items = article_store.latest_articles(site.db, FEED_SIZE, source_id=source_id)
    name = found.public_name
    return site.feed(request, fmt, name, f"/sources/{source_id}", items,
                     f"Articles from {name}.")


def _source_or_404(db: Database, source_id: int) -> Source:
    try:
        return source_store.get_source(db, source_id)
    except SourceError:
        raise StarletteHTTPException(404) from None
