"""Atom 1.0 and Atom 0.3: text constructs (text, html, xhtml, 0.3's escaped/base64),
xml:base on any element, rel=alternate/enclosure/hub/self links, Media RSS."""

from __future__ import annotations

import base64
import binascii
import html

from lxml import etree

from broadsheet.parse._common import (
    Media, absolute, absolutize_html, children, first_text, inner_markup, name, newest, person,
    plain, text,
)
from broadsheet.parse.dates import parse_date
from broadsheet.parse.identity import entry_key
from broadsheet.types import FeedEntry, ParsedFeed

_ATOM = frozenset({"atom", "atom03"})


def _is_base64(kind: str, mode: str) -> bool:
    """Atom 0.3's mode="base64", or an Atom 1.0 media type that is neither text nor XML."""
    if mode == "base64":
        return True
    if "/" not in kind or kind.startswith("text/"):
        return False
    return not (kind.endswith(("+xml", "/xml")) or kind == "text/html")


def _construct(element: etree._Element) -> tuple[str, bool]:
    """The value of a text construct and whether it is HTML (True) or plain text (False)."""
    kind = (element.get("type") or "text").lower()
    mode = (element.get("mode") or "").lower()
    if kind in ("xhtml", "application/xhtml+xml") or mode == "xml":
        # Atom 1.0 wraps XHTML in a <div> that is not content; Atom 0.3 has no such rule.
        div = None
        if name(element)[0] == "atom":
            div = next((c for _n, local, c in children(element) if local == "div"), None)
        return inner_markup(div if div is not None else element), True
    value = text(element) if len(element) == 0 else inner_markup(element)
    if _is_base64(kind, mode):
        try:
            value = base64.b64decode(value).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            value = ""
    return value, kind in ("html", "text/html") or mode == "escaped"


def _as_html(element: etree._Element) -> str:
    value, is_html = _construct(element)
    return value if is_html else html.escape(value, quote=False)


def _as_text(element: etree._Element) -> str:
    value, is_html = _construct(element)
    return plain(value, markup=is_html)


def _names(element: etree._Element, atom: frozenset[str]) -> list[str]:
    found = []
    for ns, local, person_element in children(element):
        if ns in atom and local in ("author", "contributor"):
            for _n, part, child in children(person_element):
                if part == "name" and text(child):
                    found.append(person(text(child)))
    return found


def _entry(entry: etree._Element, feed_authors: list[str], atom: frozenset[str]) -> FeedEntry:
    base = entry.base
    fields: dict[str, str] = {}
    link = None
    link_is_html = False
    categories: list[str] = []
    media = Media()
    for ns, local, child in children(entry):
        if ns in atom:
            if local == "link":
                rel = child.get("rel") or "alternate"
                href = absolute(child.base, _href(child))
                kind = child.get("type") or "text/html"
                if rel == "alternate" and href and (link is None or (not link_is_html
                                                                     and "html" in kind)):
                    link, link_is_html = href, "html" in kind
                elif rel == "enclosure":
                    media.enclosure(href, child.get("type"), child.get("length"))
            elif local == "id":
                fields["id"] = text(child)
            elif local == "title":
                fields["title"] = _as_text(child)
            elif local == "content":
                if child.get("src"):
                    link = link or absolute(child.base, child.get("src"))
                else:
                    fields["content"] = absolutize_html(_as_html(child), child.base)
            elif local == "summary":
                fields["summary"] = absolutize_html(_as_html(child), child.base)
            elif local in ("published", "issued", "created", "updated", "modified"):
                fields[local] = text(child)  # repeated: the last one stands
            elif local == "category":
                term = child.get("term") or child.get("label") or text(child)
                if term:
                    categories.append(plain(term)[:200])
        elif ns == "media":
            media.read(local, child, base)
        elif ns == "dc" and local == "creator" and text(child):
            fields.setdefault("creator", person(text(child)))
    authors = _names(entry, atom) or ([fields["creator"]] if "creator" in fields else feed_authors)
    title = (fields.get("title") or media.title)[:2000]
    content = fields.get("content", "")
    summary = fields.get("summary") or media.description
    if content and summary == content:
        summary = ""
    guid = fields.get("id") or None
    return FeedEntry(
        key=entry_key(guid, link, title, content or summary),
        title=title,
        link=link,
        guid=guid,
        summary=summary,
        content=content,
        authors=tuple(dict.fromkeys(authors)),
        published=parse_date(fields.get("published") or fields.get("issued")
                             or fields.get("created")),
        updated=parse_date(fields.get("updated") or fields.get("modified")),
        image=media.image(),
        image_credit=media.credit(),
        categories=tuple(dict.fromkeys(categories + media.categories)),
        enclosures=tuple(media.enclosures),
    )


def _entry_date(entry: etree._Element) -> str | None:
    return first_text(entry, ("published", "issued", "created", "updated", "modified"))


def _href(link: etree._Element) -> str | None:
    """A link's address: its href, else (pre-standard Atom) its text. An empty href is a
    reference to the base itself (RFC 3986), the xml:base in force."""
    href = link.get("href")
    if href is None:
        return text(link) or None
    return href if href.strip() else link.base


def parse_atom(root: etree._Element, url: str) -> ParsedFeed:
    """Read an Atom ``<feed>`` already parsed by lxml.

    The root's own namespace counts as Atom whatever it is: drafts before Atom 0.3 used
    several (purl.org/echo, purl.org/pie, example.com...), and some feeds declare none.
    """
    ns_root, _local = name(root)
    atom = _ATOM | {ns_root}
    info: dict[str, str] = {}
    links: dict[str, str] = {}
    entries = []
    for ns, local, child in children(root):
        if ns not in atom:
            continue
        if local == "entry":
            entries.append(child)
        elif local == "link":
            rel = child.get("rel") or "alternate"
            href = absolute(child.base, _href(child))
            if href and (rel not in links or (rel == "alternate"
                                              and "html" in (child.get("type") or ""))):
                links[rel] = href
        elif local in ("title", "subtitle", "tagline"):
            info.setdefault(local, _as_text(child))
    feed_authors = _names(root, atom)
    lang = (root.get("{http://www.w3.org/XML/1998/namespace}lang") or "").replace("_", "-")
    return ParsedFeed(
        title=info.get("title", "")[:2000],
        format="atom10" if ns_root == "atom" else "atom03",
        site_url=links.get("alternate"),
        description=(info.get("subtitle") or info.get("tagline") or "")[:10_000],
        language=lang or None,
        hub_url=links.get("hub"),
        self_url=links.get("self"),
        entries=tuple(_entry(e, feed_authors, atom) for e in newest(entries, _entry_date)),
    )
