"""Render the demo newsroom's pages: article pages full of clutter, home pages, images.

Article pages carry what real news pages carry around and *inside* the story:
navigation, a weather widget, header chrome (today's date, weather readings, a clock,
breaking-news bar, markets, trending strip, edition picker; see ``_chrome``), a cookie notice, a share bar, a "Read more" box
between paragraphs with its own image and credit, a lead ``<figure>`` with caption
and credit, an author bio, "Most Popular", a newsletter form and a footer. The
markup differs between outlets (three layouts) so extraction cannot be tuned to
one template. Feeds are rendered by :mod:`broadsheet.demo.feeds`.
"""

from __future__ import annotations

import hashlib
import json
from html import escape

from broadsheet.demo import _chrome, _layouts
from broadsheet.demo.feeds import render_feed
from broadsheet.demo.generate import DemoArticle, Newsroom, Outlet
from broadsheet.demo.urls import (
    FEED_TYPES,
    article_path,
    article_url,
    feed_path,
    home_path,
    layout_of,
    short_code,
)
from broadsheet.demo.weather import current_weather, describe_weather, outlet_location

__all__ = [
    "article_path",
    "article_url",
    "feed_path",
    "home_path",
    "render_article_page",
    "render_feed",
    "render_home_page",
    "render_index_page",
    "render_svg",
    "short_code",
]


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def _json_ld(article: DemoArticle, outlet: Outlet, canonical: str, image: str) -> str:
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "author": {"@type": "Person", "name": article.author},
        "datePublished": article.published.isoformat(),
        "image": [image],
        "publisher": {"@type": "Organization", "name": outlet.name},
        "mainEntityOfPage": canonical,
    }
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _head(title: str, outlet: Outlet, extra: str) -> str:
    return (
        f'<meta charset="utf-8"><title>{escape(title)} | {escape(outlet.name)}</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta property="og:site_name" content="{escape(outlet.name)}">{extra}'
        f'<link rel="stylesheet" href="/{outlet.slug}/static/site.css">'
        '<script>window.dataLayer = window.dataLayer || [];</script>'
    )


def _lang(newsroom: Newsroom, outlet: Outlet) -> str:
    if layout_of(newsroom, outlet.slug) == 2:
        return outlet.language
    return f"{outlet.language}-{outlet.country}"


def _weather_line(outlet: Outlet, newsroom: Newsroom) -> str:
    latitude, longitude = outlet_location(outlet.slug)
    temperature, code = current_weather(latitude, longitude, newsroom.now)
    return f"Today {round(temperature)}°C, {describe_weather(code)}"


def _popular(newsroom: Newsroom, article: DemoArticle | None, outlet: Outlet) -> list[
    tuple[str, str]
]:
    items = [a for a in newsroom.outlet_articles(outlet.slug) if a is not article][:5]
    return [(a.title, article_path(newsroom, a)) for a in items]


def _chrome_of(newsroom: Newsroom, article: DemoArticle, outlet: Outlet,
               style: int | None) -> _chrome.Chrome:
    """The header widgets of the page, in the markup ``style`` (else one picked per article)."""
    now = newsroom.now.astimezone(article.published.tzinfo)
    temperature, code = current_weather(*outlet_location(outlet.slug), newsroom.now)
    others = [a for a in newsroom.articles if a.outlet_slug != outlet.slug][:4]
    links = [(a.title, article_path(newsroom, a)) for a in others]
    if style is None:
        style = int(_digest(article.slug)[:4], 16) % len(_chrome.STYLES)
    return _chrome.make_chrome(now, (temperature, describe_weather(code)), links, outlet.slug, style)


def render_article_page(newsroom: Newsroom, article: DemoArticle, base_url: str,
                        chrome_style: int | None = None) -> str:
    """Return the full HTML page of ``article`` as its outlet would serve it.

    ``chrome_style`` picks the markup of the header widgets (``_chrome.STYLES``);
    by default each article gets one of them.
    """
    outlet = newsroom.outlet(article.outlet_slug)
    canonical = article_url(newsroom, article, base_url)
    image = base_url.rstrip("/") + article.image_path
    meta = (
        f'<link rel="canonical" href="{escape(canonical)}">'
        f'<meta property="og:title" content="{escape(article.title)}">'
        f'<meta property="og:type" content="article">'
        f'<meta property="og:url" content="{escape(canonical)}">'
        f'<meta property="og:image" content="{escape(image)}">'
        f'<meta property="article:published_time" content="{article.published.isoformat()}">'
        f'<meta name="description" content="{escape(article.paragraphs[0])}">'
        f'<meta name="author" content="{escape(article.author)}">'
        f'<script type="application/ld+json">{_json_ld(article, outlet, canonical, image)}'
        "</script>"
    )
    related_code = _digest(article.related_title)[:12]
    page = _layouts.Page(
        outlet=outlet,
        article=article,
        weather=_weather_line(outlet, newsroom),
        today=newsroom.now.astimezone(article.published.tzinfo).strftime("%A %d %B %Y"),
        popular=_popular(newsroom, article, outlet),
        sections=("News", "Local", "Business", "Science", "Sport", "Opinion"),
        related_image=f"/img/related/{related_code}.svg",
        related_credit=f"Photo: {_fake_credit(related_code)}",
        chrome=_chrome_of(newsroom, article, outlet, chrome_style),
    )
    body = _layouts.render_layout(layout_of(newsroom, outlet.slug), page)
    head = _head(article.title, outlet, meta)
    return (
        f'<!DOCTYPE html>\n<html lang="{_lang(newsroom, outlet)}"><head>{head}</head>'
        f"<body>{body}</body></html>\n"
    )


def _fake_credit(code: str) -> str:
    first = ("Ines", "Kofi", "Marta", "Rhys", "Aiko", "Pavel")[int(code[0], 16) % 6]
    last = ("Velmor", "Ashdunby", "Corlin", "Tarnell", "Ossaby", "Gilrud")[int(code[1], 16) % 6]
    return f"{first} {last} / Stockframe Pictures"


def render_home_page(newsroom: Newsroom, outlet: Outlet, base_url: str) -> str:
    """Return an outlet's home page: its latest headlines and a link to its feed."""
    fmt = outlet.feed_format
    feed_href = base_url.rstrip("/") + feed_path(outlet, fmt)
    extra = (
        f'<link rel="alternate" type="{FEED_TYPES[fmt]}" title="{escape(outlet.name)}" '
        f'href="{escape(feed_href)}">'
        f'<link rel="canonical" href="{escape(base_url.rstrip("/") + home_path(outlet))}">'
    )
    items = "".join(
        f'<li class="teaser"><a href="{escape(article_path(newsroom, a))}">{escape(a.title)}</a>'
        f'<p>{escape(a.paragraphs[0])}</p><time datetime="{a.published.isoformat()}">'
        f"{a.published:%d %b %Y %H:%M}</time></li>"
        for a in newsroom.outlet_articles(outlet.slug)
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{_lang(newsroom, outlet)}"><head>'
        f"{_head('Home', outlet, extra)}</head><body>"
        f'<header><h1>{escape(outlet.name)}</h1><p class="weather">'
        f"{escape(_weather_line(outlet, newsroom))}</p></header>"
        f'<main><ul class="latest">{items}</ul></main>'
        f'<footer><a href="{escape(feed_path(outlet, fmt))}">Subscribe to our feed</a> · '
        f"{escape(outlet.name)} is {escape(outlet.ownership)}.</footer></body></html>\n"
    )


def render_index_page(newsroom: Newsroom) -> str:
    """Return the demo's front door: a list of its outlets with their feeds."""
    rows = "".join(
        f'<li><a href="{home_path(o)}">{escape(o.name)}</a> ({o.country}, {o.feed_format}) — '
        f'<a href="{feed_path(o, o.feed_format)}">feed</a></li>'
        for o in newsroom.outlets
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        "<title>Broadsheet demo newsroom</title></head><body>"
        "<h1>Broadsheet demo newsroom</h1><p>Invented outlets and stories, served offline."
        f"</p><ul>{rows}</ul></body></html>\n"
    )


def render_svg(path: str) -> str:
    """Return a deterministic abstract SVG picture for any image path."""
    digest = _digest(path)
    hue = int(digest[:3], 16) % 360
    shapes = "".join(
        f'<circle cx="{int(digest[i:i + 2], 16) * 5}" cy="{int(digest[i + 2:i + 4], 16) * 3}" '
        f'r="{40 + int(digest[i + 4], 16) * 8}" fill="hsl({(hue + i * 25) % 360},55%,60%)" '
        'fill-opacity="0.7"/>'
        for i in range(0, 30, 6)
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" '
        'viewBox="0 0 1200 675">'
        f'<rect width="1200" height="675" fill="hsl({hue},40%,85%)"/>{shapes}</svg>\n'
    )
