"""Outgoing feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1 from one list of items.

Every item names the outlet that published it and links the original address; the
copy on this site is the item's id (Atom, JSON Feed) or guid (RSS).
"""

from __future__ import annotations

import html

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime

from markupsafe import Markup

from broadsheet.store.articles import StoredArticle

ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
FORMATS = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
ET.register_namespace("atom", ATOM)
ET.register_namespace("dc", DC)


@dataclass(frozen=True)
class FeedInfo:
    """The feed as a whole: its title, the page it mirrors and its own address."""

    title: str
    page_url: str
    feed_url: str
    description: str
    generator: str = "Broadsheet"


@dataclass(frozen=True)
class FeedItem:
    """One article as the feeds show it."""

    id_url: str
    """This site's page for the article."""
    original_url: str
    title: str
    summary: str
    outlet: str
    outlet_feed: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    published: dt.datetime
    updated: dt.datetime
    image: str | None
    language: str | None


def plain_summary(article: StoredArticle, words: int = 60) -> str:
    """The article's summary as plain text, else the start of its text."""
    text = Markup(article.summary).striptags() if article.summary else ""
    if not text:
        parts = article.text.split()
        text = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return text


def feed_item(article: StoredArticle, base_url: str) -> FeedItem:
    """Describe a stored article for the feeds; ``base_url`` has no trailing slash."""
    own = f"{base_url}/articles/{article.id}"
    return FeedItem(
        id_url=own, original_url=article.canonical_url or article.feed_link or own,
        title=article.title, summary=plain_summary(article),
        outlet=article.source_title or article.site_name or article.source_name,
        outlet_feed=(article.source_public_url
                     or f"{base_url}/sources/{article.source_id}/feed.atom"),
        authors=article.authors, tags=article.categories,
        published=article.published, updated=article.updated or article.published,
        image=article.image, language=article.language)


def _clean(text: str) -> str:
    return _XML_INVALID.sub("", text)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_"): _clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _clean(text)
    return element


def _xml(root: ET.Element) -> bytes:
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="utf-8",
                                                                        xml_declaration=False)


def _newest(items: list[FeedItem]) -> dt.datetime:
    return max((i.updated for i in items), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))


def render_rss(info: FeedInfo, items: list[FeedItem]) -> bytes:
    """RSS 2.0, with atom:link rel=self and each item's <source> naming the outlet."""
    rss = ET.Element("rss", {"version": "2.0"})
    channel = _sub(rss, "channel")
    _sub(channel, "title", info.title)
    _sub(channel, "link", info.page_url)
    # RSS readers render <description> as HTML: our text goes in escaped, shown as written.
    _sub(channel, "description", html.escape(info.description, quote=False))
    _sub(channel, f"{{{ATOM}}}link", href=info.feed_url, rel="self", type="application/rss+xml")
    _sub(channel, "lastBuildDate", format_datetime(_newest(items)))
    _sub(channel, "generator", info.generator)
    for item in items:
        node = _sub(channel, "item")
        _sub(node, "title", item.title)
        _sub(node, "link", item.original_url)
        _sub(node, "guid", item.id_url, isPermaLink="true")
        _sub(node, "description", html.escape(item.summary, quote=False))
        _sub(node, "pubDate", format_datetime(item.published))
        _sub(node, "source", item.outlet, url=item.outlet_feed)
        for author in item.authors:
            _sub(node, f"{{{DC}}}creator", author)
        for tag in item.tags:
            _sub(node, "category", tag)
    return _xml(rss)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def render_atom(info: FeedInfo, items: list[FeedItem]) -> bytes:
    """Atom 1.0: link rel=alternate to the original, atom:source naming the outlet."""
    feed = ET.Element(f"{{{ATOM}}}feed")
    _sub(feed, f"{{{ATOM}}}id", info.feed_url)
    _sub(feed, f"{{{ATOM}}}title", info.title)
    _sub(feed, f"{{{ATOM}}}subtitle", info.description)
    _sub(feed, f"{{{ATOM}}}updated", _iso(_newest(items)))
    _sub(feed, f"{{{ATOM}}}link", href=info.feed_url, rel="self", type="application/atom+xml")
    _sub(feed, f"{{{ATOM}}}link", href=info.page_url, rel="alternate", type="text/html")
    author = _sub(feed, f"{{{ATOM}}}author")
    _sub(author, f"{{{ATOM}}}name", info.generator)
    _sub(feed, f"{{{ATOM}}}generator", info.generator)
    for item in items:
        entry = _sub(feed, f"{{{ATOM}}}entry")
        _sub(entry, f"{{{ATOM}}}id", item.id_url)
        _sub(entry, f"{{{ATOM}}}title", item.title, type="text")
        _sub(entry, f"{{{ATOM}}}updated", _iso(item.updated))
        _sub(entry, f"{{{ATOM}}}published", _iso(item.published))
        _sub(entry, f"{{{ATOM}}}link", href=item.original_url, rel="alternate", type="text/html")
        _sub(entry, f"{{{ATOM}}}link", href=item.id_url, rel="related", type="text/html")
        for name in item.authors or (item.outlet,):
            _sub(_sub(entry, f"{{{ATOM}}}author"), f"{{{ATOM}}}name", name)
        for tag in item.tags:
            _sub(entry, f"{{{ATOM}}}category", term=tag)
        _sub(entry, f"{{{ATOM}}}summary", item.summary, type="text")
        source = _sub(entry, f"{{{ATOM}}}source")
        _sub(source, f"{{{ATOM}}}id", item.outlet_feed)
        _sub(source, f"{{{ATOM}}}title", item.outlet)
        _sub(source, f"{{{ATOM}}}link", href=item.outlet_feed, rel="self")
    return _xml(feed)


def render_json(info: FeedInfo, items: list[FeedItem]) -> bytes:
    """JSON Feed 1.1; the outlet is in each item's ``_broadsheet`` extension and authors."""
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title, "home_page_url": info.page_url, "feed_url": info.feed_url,
        "description": html.escape(info.description, quote=False),
        "items": [{
            "id": item.id_url, "url": item.original_url, "title": item.title,
            "content_text": item.summary, "summary": item.summary,
            "date_published": _iso(item.published), "date_modified": _iso(item.updated),
            "authors": [{"name": n} for n in item.authors or (item.outlet,)],
            **({"tags": list(item.tags)} if item.tags else {}),
            **({"image": item.image} if item.image else {}),
            **({"language": item.language} if item.language else {}),
            "_broadsheet": {"outlet": item.outlet, "outlet_feed": item.outlet_feed,
                            "page": item.id_url},
        } for item in items],
    }
    return json.dumps(feed, ensure_ascii=False, indent=1).encode()


RENDERERS = {"rss": render_rss, "atom": render_atom, "json": render_json}
