"""A tag's page (articles carrying one category) and its feed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.site.paging import FEED_SIZE, PAGE_SIZE, cursor, next_cursor
from broadsheet.site.render import path_part, site_of
from broadsheet.store import articles as article_store


def tag_page(request: Request, tag: str, before: str | None = None) -> Response:
    """``/tags/{tag}``: articles tagged ``tag`` (any case), newest first."""
    site = site_of(request)
    items = article_store.tagged_articles(site.db, tag, PAGE_SIZE, before=cursor(before))
    if not items and before is None:
        raise StarletteHTTPException(404)
    shown = next((c for a in items for c in a.categories
                  if c.strip().lower() == tag.strip().lower()), tag)
    return site.page(request, "tag.html", title=shown, tag=tag, shown=shown, articles=items,
                     next_cursor=next_cursor(items),
                     feeds=site.feed_links(f"/tags/{path_part(tag)}", f"Tag: {tag}"))


def tag_feed(request: Request, tag: str, fmt: str) -> Response:
    """``/tags/{tag}/feed.{fmt}``: the tag's latest articles as a feed."""
    site = site_of(request)
    items = article_store.tagged_articles(site.db, tag, FEED_SIZE)
    return site.feed(request, fmt, f"Tag: {tag}", f"/tags/{path_part(tag)}", items,
                     f"Articles tagged {tag}.")
