"""Authors: names only, from JSON-LD, meta tags or the visible byline, without "By".

The first source giving at least one clean name wins: structured data, then meta
tags, then the byline readers see (rel/itemprop author, author-page links,
elements whose class names an author or byline, "By Jane Roe" lines).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

_LABEL = re.compile(
    r"^\s*(?:(?:written|posted|published|reported|words|text|story|reviewed|edited|photos?)\s+)?"
    r"(?:by|von|par|por|door|di|av)(?:\b|(?=[A-Z]))\s*[:\-]?\s*|^\s*(?:authors?|writers?|autor|auteur)\s*[:\-]?\s+",
    re.IGNORECASE,
)
_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\bund\b|\bet\b|\||/|·|•)\s*", re.IGNORECASE)
_NOT_A_NAME = re.compile(
    r"https?://|www\.|@|\d{3,}|\b(?:updated|published|posted|minutes?|min|read|share|follow|"
    r"am|pm|gmt|utc|ago|comments?|subscribe|menu|search|home|log ?in|sign ?in)\b",
    re.IGNORECASE,
)
_ONLY_LABEL = re.compile(r"^(?:by|authors?|writers?|written by|posted by|admin|administrator|"
                         r"guest|anonymous|unknown|editor)$", re.IGNORECASE)
_CREDENTIAL = re.compile(r"^(?:[A-Z][A-Za-z]?\.?){1,3}(?:[-\s]?[A-Z0-9]{1,5})*\.?$|^Ph\.?D\.?$")
_PROFILE_LINK = re.compile(r"/(?:author|authors|people|staff|writers?|contributors?|profiles?|"
                           r"team|journalists?|by)/[^/?#]+/?$", re.IGNORECASE)
_BYLINE_XPATHS = [etree.XPath(x) for x in (
    "//*[@itemprop='author']//*[@itemprop='name']",
    "//*[@rel='author']",
    "//*[@itemprop='author']",
    "//a[contains(@href, '/author') or contains(@href, '/people/') or contains(@href, '/staff/')"
    " or contains(@href, '/writer') or contains(@href, '/contributor') or contains(@href, '/profile')]",
    "//*[contains(@class, 'author') or contains(@class, 'Author') or contains(@class, 'byline')"
    " or contains(@class, 'Byline') or contains(@class, 'writer') or contains(@id, 'author')]",
)]
_BY_TEXT = etree.XPath("//body//text()[starts-with(normalize-space(.), 'By ')"
                       " or starts-with(normalize-space(.), 'Written by')]")
_SKIP_TAGS = {"meta", "link", "html", "body", "article", "main", "script", "style", "img"}


def clean_names(raw: str, site_name: str | None = None) -> list[str]:
    """Split a byline string into clean names, dropping labels and credentials."""
    raw = _LABEL.sub("", " ".join(raw.split()))
    names: list[str] = []
    for part in _SPLIT.split(raw):
        part = _LABEL.sub("", part).strip(" .:-–—|,")
        if not part or len(part) > 60 or len(part.split()) > 5 or _ONLY_LABEL.match(part):
            continue
        if site_name and part.lower() == site_name.lower() and names:
            continue
        if _NOT_A_NAME.search(part) or not any(ch.isalpha() for ch in part):
            continue
        if names and _CREDENTIAL.match(part) and " " not in part:
            continue
        names.append(part)
    return names


_PARTICLES = {"de", "van", "von", "da", "del", "der", "den", "bin", "al", "la", "le", "di", "du", "y"}


def looks_like_name(name: str) -> bool:
    """True for a short run of capitalised words, as personal and desk names are written."""
    words = name.replace(".", ". ").split()
    return 0 < len(words) <= 5 and not any(ch.isdigit() for ch in name) and all(
        w[0].isupper() or w.lower() in _PARTICLES for w in words)


def _ld_names(value: Any) -> list[str]:
    if isinstance(value, list):
        return [name for item in value for name in _ld_names(item)]
    if isinstance(value, dict):
        name = value.get("name")
        if isinstance(name, list):
            return [n for n in name if isinstance(n, str)]
        return [name] if isinstance(name, str) else []
    return [value] if isinstance(value, str) else []


def _linked_names(value: Any, objects: list[dict[str, Any]]) -> list[str]:
    """Resolve ``{"@id": ...}`` author references against the page's other objects."""
    refs = value if isinstance(value, list) else [value]
    by_id = {o.get("@id"): o for o in objects if isinstance(o.get("@id"), str)}
    names = []
    for ref in refs:
        if isinstance(ref, dict) and "name" not in ref and ref.get("@id") in by_id:
            names.extend(_ld_names(by_id[ref["@id"]]))
    return names


def _visible_bylines(tree: etree._Element) -> list[str]:
    """Return candidate byline strings from the visible page, most reliable first."""
    found: list[str] = []
    for xpath in _BYLINE_XPATHS:
        for element in xpath(tree):
            if not isinstance(element.tag, str) or element.tag in _SKIP_TAGS:
                continue
            text = " ".join("".join(element.itertext()).split())
            if 2 < len(text) < 80:
                found.append(text)
            if len(found) > 12:
                return found
    for text in _BY_TEXT(tree)[:5]:
        if len(text) < 60:
            found.append(str(text))
    return found


def find_authors(tree: etree._Element, ld: dict[str, Any], meta: dict[str, str],
                 site_name: str | None, objects: list[dict[str, Any]] | None = None
                 ) -> tuple[str, ...]:
    """Return the article's authors as clean names, in page order, without duplicates."""
    author = ld.get("author") or ld.get("creator")
    structured = _ld_names(author) or _linked_names(author, objects or [])
    meta_values = [meta[key] for key in ("author", "article:author", "parsely-author",
                                         "sailthru.author", "dc.creator", "byl", "dcterms.creator",
                                         "citation_author")
                   if meta.get(key) and not meta[key].startswith(("http", "@"))]
    publisher = _ld_names(ld.get("publisher"))
    organisations = {n.lower() for n in [site_name or "", *publisher] if n}
    fallback: tuple[str, ...] = ()
    for group in (structured, meta_values[:1]):
        names = _dedupe(name for source in group for name in clean_names(source, site_name))
        if names and {n.lower() for n in names} <= organisations:
            fallback = fallback or names  # the publisher named as author: look for a person
        elif names:
            return names
    for candidate in _visible_bylines(tree):
        names = _dedupe(n for n in clean_names(candidate, site_name) if looks_like_name(n))
        if names:
            return names
    return fallback


def _dedupe(names: Any) -> tuple[str, ...]:
    kept: list[str] = []
    for name in names:
        if name.lower() not in {n.lower() for n in kept}:
            kept.append(name)
    return tuple(kept)
