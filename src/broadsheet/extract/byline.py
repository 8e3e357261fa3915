"""Authors: names only, from JSON-LD, meta tags or the visible byline, without "By"."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

_BY = re.compile(r"^\s*(?:(?:written|posted|published|reported|words|text|story|photos?)\s+)?"
                 r"(?:by|von|par|por|door|di|av)\s*[:\-]?\s+", re.IGNORECASE)
_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\by\b|\||/)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"https?://|www\.|@|\d{3,}|\b(?:staff|editor(?:ial)?s?|team|desk|admin|reporter|"
    r"contributors?|news|updated|published|minutes?|min read|read|share|follow|"
    r"am|pm|gmt|utc)\b",
    re.IGNORECASE,
)
_BYLINE_XPATH = etree.XPath(
    "//*[@rel='author' or @itemprop='author' or contains(concat(' ', normalize-space(@class), ' '), ' author ')"
    " or contains(@class, 'byline') or contains(@class, 'author-name') or contains(@class, 'authorName')"
    " or contains(@class, 'author__name') or contains(@class, 'c-byline') or contains(@class, 'writer')]"
)


def clean_names(raw: str, site_name: str | None = None) -> list[str]:
    """Split a byline string into clean personal names."""
    raw = " ".join(raw.split())
    raw = _BY.sub("", raw)
    raw = re.sub(r"^(?:by|von|par|por)\s+", "", raw, flags=re.IGNORECASE)
    names = []
    for part in _SPLIT.split(raw):
        part = _BY.sub("", part).strip(" .:-–—|")
        if not part or len(part) > 60 or len(part.split()) > 5:
            continue
        if site_name and part.lower() == site_name.lower():
            continue
        if _NOT_A_NAME.search(part) and len(part.split()) != 2:
            continue
        if not any(ch.isalpha() for ch in part):
            continue
        names.append(part)
    return names


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _ld_names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)]
        return [name] if isinstance(name, str) else []
    return [value] if isinstance(value, str) else []


def _visible_byline(tree: etree._Element) -> str | None:
    for element in _BYLINE_XPATH(tree):
        if element.tag in ("meta", "link", "html", "body", "article", "main"):
            continue
        text = " ".join("".join(element.itertext()).split())
        if 2 < len(text) < 100:
            return text
    return None


def find_authors(tree: etree._Element, ld: dict[str, Any], meta: dict[str, str],
                 site_name: str | None) -> tuple[str, ...]:
    """Return the article's authors as clean names, in page order, without duplicates."""
    sources: list[str] = _ld_names(ld.get("author"))
    if not sources:
        for key in ("author", "article:author", "parsely-author", "sailthru.author", "dc.creator",
                    "byl", "dcterms.creator", "citation_author", "twitter:creator"):
            value = meta.get(key)
            if value and not value.startswith(("http", "@")):
                sources.append(value)
                break
    if not sources:
        visible = _visible_byline(tree)
        if visible:
            sources.append(visible)
    names: list[str] = []
    for source in sources:
        for name in clean_names(source, site_name):
            if name.lower() not in {n.lower() for n in names}:
                names.append(name)
    return tuple(names)
