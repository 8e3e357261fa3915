"""The decider: a feed entry and what its page gave, in; the Article to store, out.

Pure: no I/O, so every choice about which content, address and date wins is tested
on values alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import urlsplit

import lxml.html
from lxml.etree import ParserError

from broadsheet.extract.sanitize import sanitize_html
from broadsheet.parse.dates import clamp_date, offset_minutes
from broadsheet.stories.canonical_url import canonicalize_url
from broadsheet.types import Article, ExtractedArticle, FeedEntry, web_address


def _is_plain(html: str) -> bool:
    return "<" not in html and "&" not in html


def html_text(html: str) -> str:
    """Plain text of a fragment of HTML, paragraphs separated by one blank line."""
    if not html.strip():
        return ""
    if _is_plain(html):  # most feed summaries: no markup to read
        return " ".join(html.split())
    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except (ParserError, ValueError):
        return " ".join(html.split())
    blocks = []
    for element in root.iter("p", "h2", "h3", "h4", "li", "blockquote", "pre"):
        text = " ".join(element.text_content().split())
        if text:
            blocks.append(text)
    if not blocks:
        blocks = [" ".join(root.text_content().split())]
    return "\n\n".join(b for b in blocks if b)


def _same_site(a: str, b: str) -> bool:
    host_a = (urlsplit(a).hostname or "").removeprefix("www.")
    host_b = (urlsplit(b).hostname or "").removeprefix("www.")
    return bool(host_a) and host_a == host_b


def web_url(value: str | None) -> str | None:
    """An absolute http(s) address, or None: feed fields are never trusted to be one
    (``types.web_address``, the one check for every stored address)."""
    return web_address(value)


def choose_canonical(
    feed_link: str | None, final_url: str | None, declared: str | None
) -> str | None:
    """The address an article links to: the page's declared canonical when it agrees
    with the host the page came from, else the final address without tracking."""
    landed = web_url(final_url) or web_url(feed_link)
    if declared and landed and web_url(declared) and _same_site(declared, landed):
        landed = declared
    if not landed:
        return None
    try:
        return canonicalize_url(landed)
    except ValueError:
        return landed


def build_article(
    source_id: int,
    entry: FeedEntry,
    *,
    seen: dt.datetime,
    final_url: str | None = None,
    extracted: ExtractedArticle | None = None,
    error: str | None = None,
    feed_only: bool = False,
) -> Article:
    """Join a feed entry with its page's extraction, keeping the better content."""
    feed_html = entry.content or entry.summary
    feed_text = html_text(feed_html)
    page_text = extracted.text if extracted else ""
    use_page = (not feed_only and extracted is not None and bool(page_text.strip())
                and len(page_text) >= 0.6 * len(feed_text))
    base = final_url or entry.link
    if use_page and extracted is not None:
        method, html, text = "page", extracted.html, page_text
    else:
        method = "feed" if feed_text else "none"
        # Text without markup or entities passes the sanitiser unchanged: skip the work.
        cleaned = feed_html if _is_plain(feed_html) else sanitize_html(feed_html, base)
        html, text = cleaned, feed_text
    when = entry.published or entry.updated or (extracted.published if extracted else None)
    published = clamp_date(when, seen)
    page = extracted or ExtractedArticle()
    return Article(
        source_id=source_id,
        entry_key=entry.key,
        title=(entry.title or page.title or "").strip() or "(untitled)",
        feed_link=web_url(entry.link),
        canonical_url=choose_canonical(entry.link, final_url, page.canonical_url),
        text=text,
        html=html,
        summary=(feed_text if feed_html is entry.summary else html_text(entry.summary))[:1000]
        if entry.summary else text[:500],
        authors=entry.authors or page.authors,
        published=published.astimezone(dt.UTC),
        published_offset=offset_minutes(when if published == when else None),
        updated=entry.updated or page.updated,
        image=web_url(page.image) or web_url(entry.image),
        image_credit=page.image_credit or entry.image_credit,
        image_caption=page.image_caption,
        site_name=page.site_name,
        language=page.language,
        categories=entry.categories,
        extraction_method=method,
        extraction_error=error,
    )


def fresh_entries(
    entries: Sequence[FeedEntry], known_keys: set[str], known_pairs: set[tuple[str, str]]
) -> tuple[list[FeedEntry], int]:
    """The entries of a poll that should become articles, and how many came back under a
    new GUID.

    Duplicate keys inside one feed count once (the first wins); keys already stored or
    buried are skipped; an entry whose link *and* title match a stored article is the
    same item under a rotated GUID, so it is skipped and counted.
    """
    fresh: list[FeedEntry] = []
    taken: set[str] = set(known_keys)
    pairs: set[tuple[str, str]] = set()
    rotated = 0
    for entry in entries:
        if entry.key in taken:
            continue
        taken.add(entry.key)
        pair = (entry.link, entry.title) if entry.link else None
        if pair is not None and pair in known_pairs:
            rotated += 1
            continue
        if pair is not None and pair in pairs:
            continue  # the same item twice in one feed under two GUIDs
        if pair is not None:
            pairs.add(pair)
        fresh.append(entry)
    return fresh, rotated
