"""Render the demo outlets' feeds: RSS 2.0, Atom 1.0 and JSON Feed 1.1.

Item links go through the short-link redirector (``/s/<code>``), as many real
feeds' links go through trackers. Outlets at even positions put the full text in
their feed (``content:encoded``, Atom ``content``, ``content_html``); the others
give a summary only, so the pipeline must fetch the page.
"""

from __future__ import annotations

import json
from email.utils import format_datetime
from html import escape

from broadsheet.demo.generate import DemoArticle, Newsroom, Outlet
from broadsheet.demo.urls import (
    feed_path,
    home_path,
    short_code,
    short_link_path,
)


def feed_has_content(newsroom: Newsroom, outlet: Outlet) -> bool:
    """Return True when the outlet's feeds carry full article text, not only a summary."""
    return [o.slug for o in newsroom.outlets].index(outlet.slug) % 2 == 0


def _body_html(article: DemoArticle) -> str:
    return "".join(f"<p>{escape(p)}</p>" for p in article.paragraphs)


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_feed(newsroom: Newsroom, outlet: Outlet, base_url: str, fmt: str | None = None) -> str:
    """Return an outlet's feed document in ``fmt`` ('rss', 'atom', 'json'; default its own)."""
    fmt = fmt or outlet.feed_format
    base = base_url.rstrip("/")
    articles = newsroom.outlet_articles(outlet.slug)
    full = feed_has_content(newsroom, outlet)
    if fmt == "rss":
        return _rss(newsroom, outlet, base, articles, full)
    if fmt == "atom":
        return _atom(newsroom, outlet, base, articles, full)
    if fmt == "json":
        return _json(outlet, base, articles, full)
    raise ValueError(f"demo: unknown feed format {fmt!r}")


def _rss(newsroom: Newsroom, outlet: Outlet, base: str, articles: tuple[DemoArticle, ...],
         full: bool) -> str:
    items = []
    for a in articles:
        content = f"<content:encoded>{_cdata(_body_html(a))}</content:encoded>" if full else ""
        tags = "".join(f"<category>{escape(t)}</category>" for t in a.tags)
        items.append(
            f"<item><title>{escape(a.title)}</title>"
            f"<link>{base}{short_link_path(a)}</link>"
            f'<guid isPermaLink="false">{outlet.slug}:{a.slug}</guid>'
            f"<pubDate>{format_datetime(a.published)}</pubDate>"
            f"<dc:creator>{escape(a.author)}</dc:creator>"
            f"<description>{escape(a.paragraphs[0])}</description>{content}{tags}"
            f'<media:content url="{base}{a.image_path}" medium="image" type="image/svg+xml">'
            f"<media:title>{escape(a.image_caption)}</media:title>"
            f"<media:credit>{escape(a.image_credit)}</media:credit></media:content></item>"
        )
    updated = format_datetime(articles[0].published) if articles else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel>'
        f"<title>{escape(outlet.name)}</title><link>{base}{home_path(outlet)}</link>"
        f'<atom:link href="{base}{feed_path(outlet, "rss")}" rel="self" '
        'type="application/rss+xml"/>'
        f"<description>Latest news from {escape(outlet.name)}</description>"
        f"<language>{outlet.language}-{outlet.country.lower()}</language>"
        f"<lastBuildDate>{updated}</lastBuildDate><ttl>30</ttl>"
        f"{''.join(items)}</channel></rss>\n"
    )


def _atom(newsroom: Newsroom, outlet: Outlet, base: str, articles: tuple[DemoArticle, ...],
          full: bool) -> str:
    entries = []
    for a in articles:
        body = (f'<content type="html">{escape(_body_html(a))}</content>' if full else "")
        tags = "".join(f'<category term="{escape(t)}"/>' for t in a.tags)
        entries.append(
            f"<entry><title>{escape(a.title)}</title>"
            f'<link rel="alternate" href="{base}{short_link_path(a)}"/>'
            f"<id>tag:{outlet.slug}.example,2024:{short_code(a)}</id>"
            f"<published>{a.published.isoformat()}</published>"
            f"<updated>{a.published.isoformat()}</updated>"
            f"<author><name>{escape(a.author)}</name></author>"
            f"<summary>{escape(a.paragraphs[0])}</summary>{body}{tags}"
            f'<link rel="enclosure" type="image/svg+xml" href="{base}{a.image_path}"/></entry>'
        )
    updated = articles[0].published.isoformat() if articles else newsroom.now.isoformat()
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{outlet.language}">'
        f"<title>{escape(outlet.name)}</title><id>tag:{outlet.slug}.example,2024:feed</id>"
        f"<updated>{updated}</updated>"
        f'<link rel="self" type="application/atom+xml" href="{base}{feed_path(outlet, "atom")}"/>'
        f'<link rel="alternate" type="text/html" href="{base}{home_path(outlet)}"/>'
        f"<subtitle>Latest news from {escape(outlet.name)}</subtitle>{''.join(entries)}</feed>\n"
    )


def _json(outlet: Outlet, base: str, articles: tuple[DemoArticle, ...], full: bool) -> str:
    items = []
    for a in articles:
        item: dict[str, object] = {
            "id": f"{outlet.slug}:{a.slug}",
            "url": base + short_link_path(a),
            "title": a.title,
            "summary": a.paragraphs[0],
            "date_published": a.published.isoformat(),
            "authors": [{"name": a.author}],
            "image": base + a.image_path,
            "tags": list(a.tags),
        }
        if full:
            item["content_html"] = _body_html(a)
        else:
            item["content_text"] = a.paragraphs[0]
        items.append(item)
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": outlet.name,
        "home_page_url": base + home_path(outlet),
        "feed_url": base + feed_path(outlet, "json"),
        "language": f"{outlet.language}-{outlet.country}",
        "items": items,
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
