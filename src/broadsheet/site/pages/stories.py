"""A story's page (every outlet's coverage of one event) and its feed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.site import stories as story_view
from broadsheet.site.paging import FEED_SIZE
from broadsheet.site.render import site_of
from broadsheet.store import stories as story_store


def story(request: Request, story_id: int) -> Response:
    """``/stories/{id}``: the story's timeline, outlets and articles."""
    site = site_of(request)
    found = story_view.story_page(site.db, story_id)
    if found is None:
        raise StarletteHTTPException(404)
    title = found["story"].title
    return site.page(request, "story.html", title=title,
                     feeds=site.feed_links(f"/stories/{story_id}", f"Story: {title}"),
                     **found)


def story_feed(request: Request, story_id: int, fmt: str) -> Response:
    """``/stories/{id}/feed.{fmt}``: the story's articles as a feed."""
    site = site_of(request)
    found = story_store.get_story(site.db, story_id)
    if found is None:
        raise StarletteHTTPException(404)
    items = story_view.story_feed_articles(site.db, story_id)[:FEED_SIZE]
    return site.feed(request, fmt, f"Story: {found.title}", f"/stories/{story_id}", items,
                     f"Every outlet's coverage of: {found.title}.")
