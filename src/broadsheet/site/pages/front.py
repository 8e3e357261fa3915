"""The front page: top stories, the latest articles, Most Popular; and its feed."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import Response

from broadsheet.site import stories as story_view
from broadsheet.site.conditional import conditional
from broadsheet.site.paging import FEED_SIZE, PAGE_SIZE, cursor, next_cursor
from broadsheet.site.ranking import top_articles
from broadsheet.site.render import HTML, site_of
from broadsheet.store import articles as article_store


def front(request: Request, before: str | None = None) -> Response:
    """``/``: the front page, kept a few seconds; ``?before=`` pages on through Latest."""
    site = site_of(request)
    position = cursor(before)
    if position is not None:
        latest = article_store.latest_articles(site.db, PAGE_SIZE, before=position)
        return site.page(request, "front.html", latest=latest, top=[], popular=None,
                         next_cursor=next_cursor(latest), title="Latest")

    def render() -> bytes:
        top = top_articles(site.db, 5)
        latest = article_store.latest_articles(site.db, PAGE_SIZE)
        popular = {"day": site.views.popular(1), "week": site.views.popular(7)}
        return site.html("front.html", top=top, latest=latest, popular=popular,
                         top_stories=story_view.top_story_places(site.db, top),
                         next_cursor=next_cursor(latest),
                         feeds=site.feed_links("", "Everything"))

    body, etag = site.cache.get("front", render)
    return conditional(request, body, HTML, etag=etag)


def front_feed(request: Request, fmt: str) -> Response:
    """``/feed.{fmt}``: the latest articles of every outlet."""
    site = site_of(request)
    items = article_store.latest_articles(site.db, FEED_SIZE)
    return site.feed(request, fmt, "Latest", "/", items, "The latest articles, every outlet.")
