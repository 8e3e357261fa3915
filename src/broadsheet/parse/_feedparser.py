"""The fallback reader: feedparser, for documents our lxml readers cannot place.

It is given text already decoded and made safe (no DOCTYPE, no entity declarations)."""

from __future__ import annotations

import html
from typing import Any

import feedparser

from broadsheet.errors import ParseError
from broadsheet.parse._common import MAX_TEXT, newest, plain
from broadsheet.parse.dates import parse_date
from broadsheet.parse.identity import entry_key
from broadsheet.types import FeedEntry, ParsedFeed

_FORMATS = {
    "rss090": "rss090", "rss091n": "rss091", "rss091u": "rss091", "rss092": "rss092",
    "rss093": "rss093", "rss094": "rss094", "rss20": "rss20", "rss10": "rss10",
    "atom01": "atom03", "atom02": "atom03", "atom03": "atom03", "atom10": "atom10",
    "cdf": "cdf",
}


def _is_html(detail: Any) -> bool:
    return "html" in str((detail or {}).get("type") or "")


def _text(record: Any, key: str) -> str:
    """A title or subtitle as plain text: feedparser keeps HTML ones as markup."""
    return plain(str(record.get(key) or ""), markup=_is_html(record.get(f"{key}_detail")))


def _as_html(value: Any, detail: Any) -> str:
    """Summaries and content are HTML for us; feedparser gives plain-text ones raw."""
    text = str(value or "")
    return text if _is_html(detail) or not text else html.escape(text, quote=False)


def _content(entry: Any) -> str:
    for block in entry.get("content") or ():
        value = block.get("value")
        if value:
            return _as_html(value, block)
    return ""


def _image(entry: Any) -> tuple[str | None, str | None]:
    credit = None
    credits = entry.get("media_credit")
    if credits and isinstance(credits, list):
        credit = credits[0].get("content") or None
    for media in entry.get("media_content") or ():
        if media.get("url") and (media.get("medium") in (None, "image")
                                 or str(media.get("type", "")).startswith("image")):
            return media["url"], credit
    for thumb in entry.get("media_thumbnail") or ():
        if thumb.get("url"):
            return thumb["url"], credit
    for link in entry.get("links") or ():
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image"):
            return link.get("href"), credit
    return None, credit


def _authors(entry: Any) -> tuple[str, ...]:
    names = [a.get("name") for a in entry.get("authors") or () if a.get("name")]
    if not names and entry.get("author"):
        names = [entry["author"]]
    return tuple(str(n).strip()[:200] for n in names if str(n).strip())


def _entry(entry: Any) -> FeedEntry:
    link = entry.get("link") or None
    guid = entry.get("id") or None
    title = _text(entry, "title")[:2000]
    content = _content(entry)[:MAX_TEXT]
    summary = _as_html(entry.get("summary"), entry.get("summary_detail"))[:MAX_TEXT]
    if content and summary == content:
        summary = ""
    image, credit = _image(entry)
    return FeedEntry(
        key=entry_key(guid, link, title, content or summary),
        title=title,
        link=link,
        guid=guid,
        summary=summary,
        content=content,
        authors=_authors(entry),
        published=parse_date(entry.get("published") or entry.get("created")),
        updated=parse_date(entry.get("updated")),
        image=image,
        image_credit=credit,
        categories=tuple(str(t.get("term"))[:200] for t in entry.get("tags") or ()
                         if t.get("term")),
    )


def _entry_date(entry: Any) -> str | None:
    value = entry.get("published") or entry.get("created") or entry.get("updated")
    return str(value) if value else None


def parse(text: str, url: str, channel: bool = False) -> ParsedFeed:
    """Parse safe feed text with feedparser; raise ParseError when it is not a feed.

    ``channel`` says the root is a CDF channel: a feed even with no items yet, when it
    has a title, a link or an abstract (feedparser names no version for it then).
    """
    parsed = feedparser.parse(text, response_headers={"content-location": url},
                              sanitize_html=False, resolve_relative_uris=True)
    version = parsed.get("version") or ""
    feed = parsed.feed
    known = channel and any(feed.get(key) for key in ("title", "link", "subtitle"))
    if not version and not parsed.entries and not known:
        reason = parsed.get("bozo_exception")
        raise ParseError(f"parse: {url[:200]} is not a feed" + (f" ({reason})" if reason else ""))
    hub = next((link.get("href") for link in feed.get("links") or ()
                if link.get("rel") == "hub"), None)
    self_url = next((link.get("href") for link in feed.get("links") or ()
                     if link.get("rel") == "self"), None)
    ttl = feed.get("ttl")
    return ParsedFeed(
        title=_text(feed, "title")[:2000],
        format=_FORMATS.get(version, version or ("cdf" if channel else "unknown")),
        site_url=feed.get("link") or None,
        description=_text(feed, "subtitle")[:10_000],
        language=feed.get("language") or None,
        hub_url=hub,
        self_url=self_url,
        ttl_seconds=int(ttl) * 60 if str(ttl or "").isdigit() else None,
        entries=tuple(_entry(e) for e in newest(parsed.entries, _entry_date)),
    )
