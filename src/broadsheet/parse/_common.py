"""Helpers shared by the RSS and Atom readers: names, text, links, HTML fragments, media."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar
from urllib.parse import urljoin

from lxml import etree

from broadsheet.types import Enclosure

NS = {
    "http://www.w3.org/2005/Atom": "atom",
    "http://purl.org/atom/ns#": "atom03",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf",
    "http://purl.org/rss/1.0/": "rss10",
    "http://my.netscape.com/rdf/simple/0.9/": "rss090",
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://purl.org/dc/terms/": "dcterms",
    "http://search.yahoo.com/mrss/": "media",
    "http://search.yahoo.com/mrss": "media",
    "http://purl.org/rss/1.0/modules/syndication/": "sy",
    "http://www.w3.org/1999/xhtml": "xhtml",
    "http://www.itunes.com/dtds/podcast-1.0.dtd": "itunes",
    "http://www.itunes.com/DTDs/Podcast-1.0.dtd": "itunes",
}
# Prefixes feeds commonly use without declaring them (read in recovery mode).
_PREFIXES = {"content": "content", "dc": "dc", "dcterms": "dcterms", "media": "media",
             "sy": "sy", "atom": "atom", "itunes": "itunes", "rdf": "rdf"}
MAX_TEXT = 1_000_000
MAX_ENTRIES = 2000
"""Entries kept from one document: the newest ones."""
_MARKUP = re.compile(r"<[A-Za-z/!]|&#?[A-Za-z0-9]+;")
_URL_ATTRIBUTE = re.compile(r"""(\s(?:href|src)\s*=\s*)(["'])([^"'<>]*)\2""", re.I)
_ABSOLUTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|#|//)")
_EMAIL_NAME = re.compile(r"^\s*\S+@\S+\s*\((.+)\)\s*$")
# 'Name (address)' and 'Name <address>', the other two ways feeds add an address.
_NAME_EMAIL = re.compile(r"^(.+?)\s*(?:\(\s*\S+@\S+\s*\)|<\s*\S+@\S+\s*>)$")
_EMAIL = re.compile(r"^\s*\S+@\S+\.\S+\s*$")
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|avif)(?:[?#]|$)", re.I)


T = TypeVar("T")


def newest(items: Sequence[T], date_of: Callable[[T], str | None]) -> Sequence[T]:
    """At most MAX_ENTRIES items: the newest by date, kept in document order.

    A feed that lists oldest first must keep its latest items, not its first ones.
    Undated items rank below dated ones, nearer the feed's newest end first (the tail
    when the dated items ascend, else the head).
    """
    if len(items) <= MAX_ENTRIES:
        return items
    from broadsheet.parse.dates import parse_date

    dates = [parse_date(date_of(item)) for item in items]
    stamps = [d.timestamp() if d is not None else None for d in dates]
    dated = [s for s in stamps if s is not None]
    ascending = len(dated) >= 2 and dated[0] < dated[-1]
    if not dated:
        return items[-MAX_ENTRIES:] if ascending else items[:MAX_ENTRIES]

    def rank(index: int) -> tuple[bool, float, int]:
        stamp = stamps[index]
        position = index if ascending else -index
        return (stamp is not None, stamp if stamp is not None else 0.0, position)

    keep = sorted(range(len(items)), key=rank, reverse=True)[:MAX_ENTRIES]
    return [items[i] for i in sorted(keep)]


def first_text(element: etree._Element, names: tuple[str, ...]) -> str | None:
    """Text of the first child whose local name is one of ``names``."""
    for _ns, local, child in children(element):
        if local in names:
            return text(child)
    return None


_NAMES: dict[str, tuple[str, str]] = {}
_NAMES_MAX = 4096  # hostile documents may invent endless tags: stop caching then


def name(element: etree._Element) -> tuple[str, str]:
    """(namespace short name, local name) of an element; '' for no namespace."""
    tag = element.tag
    if not isinstance(tag, str):
        return ("#", "")
    known = _NAMES.get(tag)
    if known is not None:
        return known
    if tag[0] == "{":
        uri, local = tag[1:].split("}", 1)
        found = NS.get(uri, uri), local
    elif ":" in tag:
        prefix, local = tag.split(":", 1)
        found = _PREFIXES.get(prefix, prefix), local
    else:
        found = "", tag
    if len(_NAMES) < _NAMES_MAX:
        _NAMES[tag] = found
    return found


def children(element: etree._Element) -> Iterator[tuple[str, str, etree._Element]]:
    """Child elements with their (namespace, local name); comments skipped."""
    for child in element:
        if isinstance(child.tag, str):
            ns, local = name(child)
            yield ns, local, child


def text(element: etree._Element | None) -> str:
    """All the text inside an element, whitespace at the ends trimmed."""
    if element is None:
        return ""
    if len(element) == 0:
        return (element.text or "").strip()[:MAX_TEXT]
    return "".join(element.itertext()).strip()[:MAX_TEXT]


def inner_markup(element: etree._Element) -> str:
    """The element's children serialised as HTML-ish text (unescaped markup in RSS, XHTML)."""
    parts = [html.escape(element.text or "", quote=False)]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(html.escape(child.tail or "", quote=False))
            continue
        parts.append(etree.tostring(child, encoding="unicode", with_tail=True))
    markup = "".join(parts).strip()
    return _XMLNS.sub(_drop_feed_namespace, markup)[:MAX_TEXT] if "xmlns" in markup \
        else markup[:MAX_TEXT]


_XMLNS = re.compile(r"\s?xmlns(:\w+)?=\"([^\"]*)\"")
# Inline SVG and MathML need their namespace to render; the feed's own namespaces and
# XHTML's, which lxml repeats on every serialised child, are noise in HTML.
_KEEP_NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1998/Math/MathML",
                    "http://www.w3.org/1999/xlink"}


def _drop_feed_namespace(match: re.Match[str]) -> str:
    return match.group(0) if match.group(2) in _KEEP_NAMESPACES else ""


def html_of(element: etree._Element) -> str:
    """An element meant to hold HTML: escaped text or CDATA, else unescaped child markup."""
    if len(element):
        return inner_markup(element)
    return (element.text or "").strip()[:MAX_TEXT]


def plain(value: str, *, markup: bool = True) -> str:
    """One line of plain text; HTML tags and entities are read as HTML when ``markup``."""
    if markup and _MARKUP.search(value):
        if "<" in value:
            from lxml import html as lxml_html

            try:
                value = lxml_html.fragment_fromstring(value, create_parent="div").text_content()
            except (etree.ParserError, ValueError):
                value = re.sub(r"<[^>]*>", "", value)
        value = html.unescape(value)
    return " ".join(value.split())


def absolute(base: str | None, link: str | None) -> str | None:
    """Resolve a possibly relative address against the element's base."""
    if not link:
        return None
    link = link.strip()
    if not link:
        return None
    if base and not _ABSOLUTE.match(link):
        try:
            return urljoin(base, link)
        except ValueError:
            return link
    if link.startswith("//") and base:
        return urljoin(base, link)
    return link


def absolutize_html(fragment: str, base: str | None) -> str:
    """Resolve relative href/src attributes in an HTML fragment (xml:base, feed address)."""
    if not base or not fragment or ("href" not in fragment and "src" not in fragment):
        return fragment

    def fix(match: re.Match[str]) -> str:
        value = match.group(3)
        if not value or _ABSOLUTE.match(value.strip()):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{absolute(base, html.unescape(value))}" \
               f"{match.group(2)}"

    return _URL_ATTRIBUTE.sub(fix, fragment)


def person(value: str) -> str:
    """A display name from 'name', 'email (Name)', 'Name (email)', 'Name <email>' or a
    bare address."""
    value = " ".join(value.split())
    if "@" not in value:
        return value[:200]
    match = _EMAIL_NAME.match(value) or _NAME_EMAIL.match(value)
    if match:
        return match.group(1).strip()[:200]
    return value[:200]


def is_email(value: str) -> bool:
    return bool(_EMAIL.match(value))


class Media:
    """Collects Media RSS and enclosure facts for one item and picks its image."""

    def __init__(self) -> None:
        self.images: list[str] = []
        self.thumbnails: list[str] = []
        self.credits: list[str] = []
        self.enclosures: list[Enclosure] = []
        self.title = ""
        self.description = ""
        """HTML, escaped from plain text unless the feed said type="html"."""
        self.categories: list[str] = []

    def read(self, local: str, element: etree._Element, base: str | None) -> None:
        """Take in one media:* element (group, content, thumbnail, credit)."""
        if local == "group":
            for ns, inner, child in children(element):
                if ns == "media":
                    self.read(inner, child, base)
        elif local == "content":
            url = absolute(base, element.get("url"))
            medium = (element.get("medium") or "").lower()
            kind = (element.get("type") or "").lower()
            if url and (medium == "image" or kind.startswith("image/")
                        or (not medium and not kind and _IMAGE_PATH.search(url))):
                self.images.append(url)
            for ns, inner, child in children(element):
                if ns == "media" and inner in ("credit", "thumbnail"):
                    self.read(inner, child, base)
        elif local == "thumbnail":
            url = absolute(base, element.get("url"))
            if url:
                self.thumbnails.append(url)
        elif local == "credit":
            credit = plain(text(element))
            if credit and credit not in self.credits:
                self.credits.append(credit[:200])
        elif local in ("title", "description"):
            # Fallbacks for the item's own; type="html" says the text is markup.
            markup = (element.get("type") or "").lower() == "html"
            value = plain(text(element), markup=markup) if local == "title" else (
                html_of(element) if markup else html.escape(text(element), quote=False))
            if not getattr(self, local):
                setattr(self, local, value)
        elif local == "category":
            term = plain(text(element))
            if term:
                self.categories.append(term[:200])

    def enclosure(self, url: str | None, kind: str | None, length: str | None) -> None:
        """Take in an RSS enclosure or an Atom rel=enclosure link."""
        if not url:
            return
        size = int(length) if length and length.strip().isdigit() else None
        self.enclosures.append(Enclosure(url=url, type=(kind or "").strip(), length=size))

    def image(self) -> str | None:
        for url in self.images + self.thumbnails:
            return url
        for item in self.enclosures:
            if item.type.startswith("image/"):
                return item.url
        return None

    def credit(self) -> str | None:
        return self.credits[0] if self.credits else None
