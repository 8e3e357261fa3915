"""Adding a subscription: a feed URL as given, or the feed a site's page points to."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urljoin

import lxml.html
from lxml.etree import ParserError

from broadsheet.errors import FetchError, ParseError, SourceError
from broadsheet.fetch import FetchConfig, Fetcher
from broadsheet.parse import parse_feed
from broadsheet.store import Database
from broadsheet.store.sources import add_source
from broadsheet.types import Source, web_address

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/json", "application/rdf+xml")
COMMON_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml",
                "/feed.json", "/feeds/all.atom.xml")


def feed_links(html: bytes, base_url: str) -> list[str]:
    """Feed addresses a page announces with ``<link rel="alternate">``, in page order."""
    try:
        root = lxml.html.fromstring(html)
    except (ParserError, ValueError):
        return []
    found = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        href = link.get("href")
        if "alternate" in rel and kind in FEED_TYPES and href:
            url = web_address(urljoin(base_url, href.strip()))
            if url and url not in found:
                found.append(url)
    return found


async def discover_feed(url: str, settings: Any) -> tuple[str, str]:
    """Return (feed URL, title) for a feed URL or a page that links to a feed."""
    async with Fetcher(FetchConfig.from_settings(settings)) as fetcher:
        try:
            result = await fetcher.fetch(url)
        except FetchError as error:
            raise SourceError(f"sources: cannot add {url}: {error}") from None
        try:
            return url, parse_feed(result.body, result.final_url, result.content_type).title
        except ParseError:
            pass
        candidates = feed_links(result.body, result.final_url) + [
            urljoin(result.final_url, path) for path in COMMON_PATHS]
        for candidate in candidates:
            try:
                found = await fetcher.fetch(candidate)
                return candidate, parse_feed(found.body, found.final_url, found.content_type).title
            except (FetchError, ParseError):
                continue
    raise SourceError(f"sources: no feed found at {url}")


def subscribe(db: Database, settings: Any, url: str) -> Source:
    """Discover the feed behind ``url`` and store the subscription (idempotent)."""
    if web_address(url) is None:
        raise SourceError(f"sources: {url[:200]!r} is not an http(s) address")
    feed_url, title = asyncio.run(discover_feed(url, settings))
    return add_source(db, feed_url, title=title)
