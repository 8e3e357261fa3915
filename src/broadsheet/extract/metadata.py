"""Page metadata: JSON-LD first, then meta tags, then the visible page.

Each field has an ordered list of places to look; the first usable value wins.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from lxml import etree

from broadsheet.extract import byline
from broadsheet.extract.dates import date_from_url, parse_date
from broadsheet.extract.images import absolute
from broadsheet.extract.titles import clean_title

_ARTICLE_TYPES = {
    "article", "newsarticle", "blogposting", "reportagenewsarticle", "analysisnewsarticle",
    "opinionnewsarticle", "reviewnewsarticle", "backgroundnewsarticle", "scholarlyarticle",
    "techarticle", "liveblogposting", "posting", "socialmediaposting", "report", "review",
    "creativework", "medicalwebpage", "recipe", "howto", "webpage", "itempage", "videoobject",
}
_PUBLISHED_META = ("article:published_time", "og:published_time", "datepublished",
                   "publish-date", "publish_date", "pubdate", "publishdate", "date",
                   "dc.date.issued", "dc.date", "dcterms.date", "dcterms.created",
                   "sailthru.date", "parsely-pub-date", "article.published", "cxenseparse:recs:publishtime",
                   "originalpublicationdate", "article_date_original", "published_time",
                   "og:article:published_time", "dc.date.created", "citation_publication_date",
                   "release_date", "date_published", "datecreated", "published",
                   "article:published", "date-published")
_UPDATED_META = ("article:modified_time", "og:updated_time", "datemodified", "last-modified",
                 "dcterms.modified", "article.updated", "modified_time", "og:article:modified_time")


@dataclass
class PageMeta:
    """Everything the page says about itself, before the body is read."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: dt.datetime | None = None
    updated: dt.datetime | None = None
    image: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    description: str | None = None
    html_lang: str | None = None


def read_json_ld(tree: etree._Element) -> list[dict[str, Any]]:
    """Return every JSON-LD object of the page, with @graph and lists flattened."""
    found: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script"):
        if "ld+json" not in (script.get("type") or "").lower() or not script.text:
            continue
        try:
            data = json.loads(script.text.strip().rstrip(";"))
        except (ValueError, RecursionError):
            continue
        _flatten(data, found, depth=0)
    return found


def _flatten(data: Any, found: list[dict[str, Any]], depth: int) -> None:
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            _flatten(item, found, depth + 1)
    elif isinstance(data, dict):
        found.append(data)
        if "@graph" in data:
            _flatten(data["@graph"], found, depth + 1)


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type", ())
    kinds = kind if isinstance(kind, list) else [kind]
    return {str(k).lower() for k in kinds}


def _main_object(objects: list[dict[str, Any]]) -> dict[str, Any]:
    """Return the JSON-LD object describing the article itself (empty if none)."""
    ranked = [o for o in objects if _types(o) & _ARTICLE_TYPES]
    ranked.sort(key=lambda o: (("headline" in o) + ("datePublished" in o) + ("author" in o)),
                reverse=True)
    return ranked[0] if ranked else {}


def read_meta(tree: etree._Element) -> dict[str, str]:
    """Return the page's <meta> values by lower-cased name/property (first one wins)."""
    values: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        content = meta.get("content")
        if key and content and content.strip():
            values.setdefault(key.strip().lower(), content.strip())
    return values


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("url") or value.get("@id"))
    if isinstance(value, list) and value:
        return _text(value[0])
    return None


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        return _ld_image(value[0]) if value else None
    if isinstance(value, dict):
        return _text(value.get("url") or value.get("contentUrl"))
    return _text(value)


def _first_date(*candidates: str | None) -> dt.datetime | None:
    for candidate in candidates:
        parsed = parse_date(candidate)
        if parsed:
            return parsed
    return None


def _time_element(tree: etree._Element) -> str | None:
    """Return the datetime of the first <time> that looks like the publication time."""
    times = [t for t in tree.iterfind(".//time") if t.get("datetime")]
    for element in times:
        marks = " ".join((element.get("itemprop") or "", element.get("class") or "",
                          element.get("pubdate") or "")).lower()
        if "publish" in marks or "pubdate" in marks or "created" in marks:
            return element.get("datetime")
    return times[0].get("datetime") if times else None


def _link_href(tree: etree._Element, rel: str) -> str | None:
    for link in tree.iterfind(".//link"):
        if rel in (link.get("rel") or "").lower().split() and link.get("href"):
            return link.get("href")
    return None


def _h1(tree: etree._Element) -> str | None:
    """Return the headline as shown: the first <h1> of the article, else of the page."""
    for scope in ("//article//h1", "//main//h1", "//h1"):
        for element in tree.xpath(scope):
            text = " ".join("".join(element.itertext()).split())
            if text:
                return text
    return None


def extract_metadata(tree: etree._Element, url: str | None) -> PageMeta:
    """Read title, byline, dates, lead image, addresses and site name from a parsed page."""
    objects = read_json_ld(tree)
    ld = _main_object(objects)
    meta = read_meta(tree)
    canonical = absolute(_link_href(tree, "canonical") or meta.get("og:url"), url)
    base = url or canonical
    site_name = (meta.get("og:site_name") or _text(ld.get("publisher"))
                 or meta.get("application-name") or meta.get("twitter:site", "").lstrip("@") or None)
    title_tag = tree.find(".//title")
    page_title = " ".join("".join(title_tag.itertext()).split()) if title_tag is not None else None
    title = clean_title(
        candidates=[_text(ld.get("headline")), meta.get("og:title"), meta.get("twitter:title"),
                    meta.get("dc.title"), meta.get("title"), page_title],
        h1=_h1(tree), site_name=site_name, url=base,
    )
    published = _first_date(
        _text(ld.get("datePublished")), _text(ld.get("dateCreated")),
        *(meta.get(name) for name in _PUBLISHED_META), _time_element(tree),
    ) or date_from_url(url or canonical)
    updated = _first_date(_text(ld.get("dateModified")), *(meta.get(n) for n in _UPDATED_META))
    image = absolute(_ld_image(ld.get("image")) or meta.get("og:image")
                     or meta.get("og:image:url") or meta.get("twitter:image")
                     or meta.get("twitter:image:src"), base)
    description = (meta.get("og:description") or meta.get("description")
                   or _text(ld.get("description")) or meta.get("twitter:description"))
    html_lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
    return PageMeta(
        title=title,
        authors=byline.find_authors(tree, ld, meta, site_name, objects),
        published=published,
        updated=updated,
        image=image,
        canonical_url=canonical,
        site_name=" ".join(site_name.split()) if site_name else None,
        description=" ".join(description.split()) if description else None,
        html_lang=html_lang.strip() if html_lang and html_lang.strip() else None,
    )
