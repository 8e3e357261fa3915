"""OPML 2.0 in and out: subscription lists from other readers, nested folders as categories."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from email.utils import format_datetime
from typing import Any

from lxml import etree

from broadsheet.errors import SourceError
from broadsheet.parse.encoding import decode_document, strip_declaration
from broadsheet.parse.safety import make_safe
from broadsheet.store import Database
from broadsheet.store.sources import add_sources, list_sources, update_sources_many
from broadsheet.types import Source, web_address


@dataclass(frozen=True)
class OpmlFeed:
    """One subscription read from an OPML file."""

    url: str
    title: str = ""
    site_url: str | None = None
    categories: tuple[str, ...] = ()


def _outlines(element: etree._Element, path: tuple[str, ...]) -> Iterator[OpmlFeed]:
    for outline in element:
        if not isinstance(outline.tag, str) or etree.QName(outline).localname != "outline":
            continue
        label = (outline.get("title") or outline.get("text") or "").strip()
        url = web_address(outline.get("xmlUrl") or outline.get("xmlurl"))
        if url:
            yield OpmlFeed(url=url, title=label, site_url=web_address(outline.get("htmlUrl")),
                           categories=path)
        elif len(outline):
            yield from _outlines(outline, path + ((label,) if label else ()))


def parse_opml(body: bytes) -> list[OpmlFeed]:
    """Every feed in an OPML document; folders, however deep, become its categories."""
    text, _ = decode_document(body)
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True,
                             load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(make_safe(strip_declaration(text)).encode(), parser)
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is None or etree.QName(root).localname != "opml":
        raise SourceError("sources: not an OPML document")
    body_element = next((c for c in root if isinstance(c.tag, str)
                         and etree.QName(c).localname == "body"), None)
    if body_element is None:
        raise SourceError("sources: OPML document has no <body>")
    found: dict[str, OpmlFeed] = {}
    for feed in _outlines(body_element, ()):
        found.setdefault(feed.url, feed)
    return list(found.values())


def write_opml(sources: Iterable[Source], title: str = "Broadsheet subscriptions") -> bytes:
    """An OPML 2.0 document of these sources, grouped into folders by their categories."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "dateCreated").text = format_datetime(dt.datetime.now(dt.UTC),
                                                                 usegmt=True)
    body = etree.SubElement(root, "body")
    folders: dict[tuple[str, ...], etree._Element] = {(): body}

    def folder(path: tuple[str, ...]) -> etree._Element:
        if path not in folders:
            parent = folder(path[:-1])
            folders[path] = etree.SubElement(parent, "outline", text=path[-1], title=path[-1])
        return folders[path]

    for source in sources:
        categories = tuple(str(c) for c in source.settings.get("categories") or ())
        attributes = {"type": "rss", "text": source.title or source.url,
                      "title": source.title or source.url, "xmlUrl": source.url}
        if source.site_url:
            attributes["htmlUrl"] = source.site_url
        etree.SubElement(folder(categories), "outline", attributes)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def import_opml(db: Database, body: bytes) -> list[Source]:
    """Subscribe to every feed in an OPML file (idempotent), keeping its categories.

    Written in one transaction with batched statements, so a list of 100,000 feeds takes
    seconds, not one round trip per feed."""
    feeds = parse_opml(body)
    imported = add_sources(db, [(feed.url, feed.title) for feed in feeds])
    changes: list[tuple[int, dict[str, Any]]] = []
    for feed, source in zip(feeds, imported, strict=True):
        values: dict[str, Any] = {}
        if feed.categories:
            values["settings"] = {**source.settings, "categories": list(feed.categories)}
        if feed.site_url and not source.site_url:
            values["site_url"] = feed.site_url
        if values:
            changes.append((source.id, values))
    update_sources_many(db, changes)
    return imported


def export_opml(db: Database) -> bytes:
    """Every subscription as OPML 2.0."""
    return write_opml(list_sources(db))
