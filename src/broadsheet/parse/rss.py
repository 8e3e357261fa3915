"""RSS 0.90, 0.91, 0.92, 2.0 and RSS 1.0 (RDF), with content:encoded, Dublin Core,
Media RSS, enclosures, the syndication module and atom:link (hub, self)."""

from __future__ import annotations

import html

from lxml import etree

from broadsheet.parse._common import (
    Media, absolute, absolutize_html, children, first_text, html_of, inner_markup, is_email, name,
    newest, person, plain, text,
)
from broadsheet.parse.dates import parse_date
from broadsheet.parse.identity import entry_key
from broadsheet.types import FeedEntry, ParsedFeed

_PERIODS = {"hourly": 3600, "daily": 86400, "weekly": 7 * 86400, "monthly": 30 * 86400,
            "yearly": 365 * 86400}


def _version(root: etree._Element) -> str:
    ns, local = name(root)
    if local == "RDF":
        has_090 = any(n == "rss090" for n, _l, _c in children(root))
        return "rss090" if has_090 else "rss10"
    version = (root.get("version") or "").strip()
    return {"0.91": "rss091", "0.92": "rss092", "0.93": "rss093", "0.94": "rss094",
            "2.0": "rss20", "2.0.1": "rss20"}.get(version, "rss20" if not version else
                                                     "rss" + version.replace(".", ""))


def _hint_seconds(ttl: str, period: str, frequency: str) -> int | None:
    """The longest of the feed's hints: ttl minutes, sy:updatePeriod / sy:updateFrequency."""
    hints = []
    if ttl.isdigit() and 0 < int(ttl) < 525_600:
        hints.append(int(ttl) * 60)
    if period.lower() in _PERIODS:
        times = int(frequency) if frequency.isdigit() and int(frequency) > 0 else 1
        hints.append(_PERIODS[period.lower()] // times)
    return max(hints) if hints else None


_CORE = frozenset({"", "rss10", "rss090"})


def _entry(item: etree._Element, base_fallback: str, url: str, xml_base: bool,
           core: frozenset[str] = _CORE) -> FeedEntry:
    # Looking up an element's base is costly; most feeds never set xml:base.
    base = (item.base or base_fallback) if xml_base else base_fallback
    fields: dict[str, str] = {}
    authors: list[str] = []
    categories: list[str] = []
    media = Media()
    guid_permalink = False
    for ns, local, child in children(item):
        if ns in core:
            if local == "guid":
                fields["guid"] = text(child)
                guid_permalink = (child.get("isPermaLink") or "true").lower() == "true"
            elif local == "enclosure":
                media.enclosure(absolute((child.base if xml_base else None) or base,
                                         child.get("url")),
                                child.get("type"), child.get("length"))
            elif local == "author":
                value = text(child)
                if value:
                    authors.append(person(value))
            elif local == "category":
                value = plain(text(child))
                if value:
                    categories.append(value[:200])
            elif local in ("title", "link", "pubDate", "comments"):
                fields.setdefault(local, text(child))
            elif local in ("description", "summary"):
                # Feeds carrying both give the second as the body, as feedparser reads it.
                if "description" not in fields:
                    fields["description"], fields["body_from"] = html_of(child), local
                elif fields["body_from"] != local:
                    fields.setdefault("second", html_of(child))
            elif local == "fullitem":
                fields.setdefault("content", html_of(child))
            elif local == "body":
                fields.setdefault("content", inner_markup(child))
            elif local == "tags":
                categories.extend(t.strip()[:200] for t in plain(text(child)).split(",")
                                  if t.strip())
        elif ns == "content" and local == "encoded":
            fields.setdefault("content", html_of(child))
        elif ns in ("dc", "dcterms"):
            _dublin_core(local, child, fields, authors, categories)
        elif ns == "media":
            media.read(local, child, base)
        elif ns == "atom" and local == "link" and child.get("rel") == "enclosure":
            media.enclosure(absolute(base, child.get("href")), child.get("type"),
                            child.get("length"))
        elif ns == "xhtml" and local == "body":
            fields.setdefault("content", inner_markup(child))
        elif ns == "itunes":
            _itunes(local, child, fields, authors, categories)
    guid = fields.get("guid") or None
    link = absolute(base, fields.get("link"))
    if not link and guid and guid_permalink and guid.startswith(("http://", "https://")):
        link = guid
    rdf_about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
    if not guid and rdf_about:
        guid = rdf_about
    title = plain(fields.get("title") or fields.get("dc:title") or media.title)[:2000]
    if "second" in fields:
        fields.setdefault("content", fields["second"])
    summary = (fields.get("description") or fields.get("dc:description") or media.description
               or html.escape(fields.get("itunes:summary", ""), quote=False))
    # Without an xml:base, HTML in an item was written for the item's own page.
    html_base = base if base not in (url, base_fallback) or not link else link
    content = absolutize_html(fields.get("content", ""), html_base)
    summary = absolutize_html(summary, html_base)
    if content and summary == content:
        summary = ""
    return FeedEntry(
        key=entry_key(guid, link, title, content or summary),
        title=title,
        link=link,
        guid=guid,
        summary=summary,
        content=content,
        authors=tuple(dict.fromkeys(a for a in authors if a and not is_email(a))),
        published=parse_date(fields.get("pubDate") or fields.get("dcdate")),
        updated=parse_date(fields.get("modified")),
        image=media.image(),
        image_credit=media.credit(),
        categories=tuple(dict.fromkeys(categories + media.categories)),
        enclosures=tuple(media.enclosures),
    )


def _dublin_core(local: str, child: etree._Element, fields: dict[str, str],
                 authors: list[str], categories: list[str]) -> None:
    """Dublin Core in an item: people, dates, subjects, and title/description fallbacks."""
    if local in ("creator", "contributor", "author") and text(child):
        if not (local == "contributor" and authors):
            authors.append(person(text(child)))
    elif local in ("date", "created", "issued"):
        fields.setdefault("dcdate", text(child))
    elif local == "modified":
        fields.setdefault("modified", text(child))
    elif local == "subject" and text(child):
        categories.append(plain(text(child))[:200])
    elif local in ("title", "description"):
        fields.setdefault("dc:" + local, text(child) if local == "title" else html_of(child))


def _itunes(local: str, child: etree._Element, fields: dict[str, str],
            authors: list[str], categories: list[str]) -> None:
    """iTunes podcast tags as fallbacks: author, summary, nested categories."""
    if local == "author" and text(child):
        authors.append(person(text(child)))
    elif local == "summary":
        fields.setdefault("itunes:summary", text(child))
    elif local == "category":
        for element in child.iter():
            label = element.get("text") if isinstance(element.tag, str) else None
            if label and label.strip():
                categories.append(plain(label)[:200])


def _item_date(item: etree._Element) -> str | None:
    return first_text(item, ("pubDate", "date", "issued", "created"))


def parse_rss(root: etree._Element, url: str, xml_base: bool = True) -> ParsedFeed:
    """Read an ``<rss>`` or ``<rdf:RDF>`` document already parsed by lxml.

    ``xml_base`` False says the document has no xml:base attribute (a speed-up).
    """
    version = _version(root)
    ns_root, local_root = name(root)
    # RSS in a namespace of its own (backend.userland.com/rss2 and kin): that is the core.
    core = _CORE | {ns_root} if local_root.lower() == "rss" else _CORE
    channel = None
    items: list[etree._Element] = []
    for _ns, local, child in children(root):
        if local == "channel" and channel is None:
            channel = child
        elif local == "item":
            items.append(child)  # RSS 1.0 and 0.90 put items beside the channel
    if channel is None:
        channel, items = root, []  # items straight under <rss>: read once, below
    info: dict[str, str] = {}
    hub = self_url = None
    for ns, local, child in children(channel):
        if local == "item" and ns in core:
            items.append(child)
        elif ns == "atom" and local == "link":
            rel = child.get("rel")
            if rel == "hub" and not hub:
                hub = absolute(child.base or url, child.get("href"))
            elif rel == "self" and not self_url:
                self_url = absolute(child.base or url, child.get("href"))
        elif ns in core:
            info.setdefault(local.lower(), text(child))
        elif ns in ("dc", "sy", "itunes"):
            info.setdefault(f"{ns}:{local}", text(child))
    base = (channel.base or url) if xml_base else url
    description = (info.get("description") or info.get("dc:description")
                   or info.get("itunes:subtitle") or info.get("itunes:summary") or "")
    return ParsedFeed(
        title=plain(info.get("title") or info.get("dc:title") or "")[:2000],
        format=version,
        site_url=absolute(base, info.get("link")),
        description=plain(description)[:10_000],
        language=(info.get("language") or info.get("dc:language") or "").replace("_", "-")
        or None,
        hub_url=hub,
        self_url=self_url,
        ttl_seconds=_hint_seconds(info.get("ttl", ""), info.get("sy:updatePeriod", ""),
                                  info.get("sy:updateFrequency", "")),
        entries=tuple(_entry(item, base, url, xml_base, core)
                      for item in newest(items, _item_date)),
    )
