"""Where things live in the demo server: paths of pages, feeds, images and short links."""

from __future__ import annotations

import hashlib

from broadsheet.demo.generate import DemoArticle, Newsroom, Outlet

FEED_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "json": "application/feed+json",
}
_FEED_FILES = {"rss": "feed.xml", "atom": "atom.xml", "json": "feed.json"}


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def layout_of(newsroom: Newsroom, outlet_slug: str) -> int:
    """Return which of the three page layouts an outlet uses."""
    slugs = [o.slug for o in newsroom.outlets]
    return slugs.index(outlet_slug) % 3


def home_path(outlet: Outlet) -> str:
    """Return the path of an outlet's home page."""
    return f"/{outlet.slug}/"


def article_path(newsroom: Newsroom, article: DemoArticle) -> str:
    """Return the clean path of an article; its shape depends on the outlet."""
    layout = layout_of(newsroom, article.outlet_slug)
    if layout == 0:
        return f"/{article.outlet_slug}/news/{article.published:%Y/%m/%d}/{article.slug}"
    if layout == 1:
        return f"/{article.outlet_slug}/{article.slug}.html"
    return f"/{article.outlet_slug}/article/{article.slug}/"


def article_url(newsroom: Newsroom, article: DemoArticle, base_url: str) -> str:
    """Return the clean, absolute URL of an article (what rel=canonical says)."""
    return base_url.rstrip("/") + article_path(newsroom, article)


def short_code(article: DemoArticle) -> str:
    """Return the short-link code used in feeds for an article (``/s/<code>``)."""
    return _digest(f"{article.outlet_slug}/{article.slug}")[:10]


def feed_path(outlet: Outlet, fmt: str | None = None) -> str:
    """Return the path of an outlet's feed in ``fmt`` (default: its own format)."""
    return f"/{outlet.slug}/{_FEED_FILES[fmt or outlet.feed_format]}"


def short_link_path(article: DemoArticle) -> str:
    """Return the short-link path that feeds use for an article."""
    return f"/s/{short_code(article)}"
