"""Golden tests on the demo newsroom's article pages, one kind of clutter at a time.

The demo renders each article in one of three layouts, with the clutter real news
pages carry (see ``broadsheet.demo._layouts``). Extraction must keep every
paragraph, drop every piece of clutter from both ``text`` and ``html``, and return
the lead image's caption and credit as fields.
"""

from __future__ import annotations

import datetime as dt

import pytest

from broadsheet.demo.generate import DemoArticle, Newsroom, make_newsroom
from broadsheet.demo.pages import article_url, render_article_page
from broadsheet.demo.urls import layout_of
from broadsheet.extract import extract_article
from broadsheet.types import ExtractedArticle

NOW = dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)
BASE = "https://demo.example/"
SEEDS = (3, 11)


def _cases() -> list[tuple[int, int]]:
    return [(seed, layout) for seed in SEEDS for layout in range(3)]


def _newsroom(seed: int) -> Newsroom:
    return make_newsroom(seed=seed, outlets=4, events=8, now=NOW)


def _articles_of_layout(newsroom: Newsroom, layout: int) -> list[DemoArticle]:
    return [a for a in newsroom.articles if layout_of(newsroom, a.outlet_slug) == layout][:3]


def _extract(newsroom: Newsroom, article: DemoArticle) -> ExtractedArticle:
    page = render_article_page(newsroom, article, BASE)
    return extract_article(page.encode(), url=article_url(newsroom, article, BASE))


def _clutter(newsroom: Newsroom, article: DemoArticle) -> dict[str, list[str]]:
    outlet = newsroom.outlet(article.outlet_slug)
    popular = [a.title for a in newsroom.outlet_articles(outlet.slug) if a is not article][:5]
    today = NOW.astimezone(article.published.tzinfo).strftime("%A %d %B %Y")
    return {
        "weather and date widget": ["°C", today],
        "read-more box": ["Read more", article.related_title, "Stockframe Pictures"],
        "most popular": ["Most Popular", *popular],
        "share bar": ["Share this story", "Share on Mastodon", "Copy link"],
        "cookie notice": ["We use cookies", "Accept all", "Manage preferences"],
        "newsletter": ["morning briefing", "in your inbox", "Your email address"],
        "author bio": [f"is a reporter for {outlet.name}", "Contact them with tips"],
        "footer": ["About us", "Privacy", f"is {outlet.ownership}"],
        "lead image caption and credit": [article.image_caption, article.image_credit],
    }


@pytest.mark.parametrize(("seed", "layout"), _cases())
def test_every_paragraph_is_kept_in_order(seed, layout):
    newsroom = _newsroom(seed)
    for article in _articles_of_layout(newsroom, layout):
        extracted = _extract(newsroom, article)
        paragraphs = extracted.text.split("\n\n")
        assert paragraphs == list(article.paragraphs)
        for paragraph in article.paragraphs:
            assert paragraph.replace('"', "&quot;") in extracted.html or paragraph in extracted.html


@pytest.mark.parametrize(("seed", "layout"), _cases())
def test_clutter_is_absent_from_text_and_html(seed, layout):
    newsroom = _newsroom(seed)
    for article in _articles_of_layout(newsroom, layout):
        extracted = _extract(newsroom, article)
        for kind, strings in _clutter(newsroom, article).items():
            for clutter in strings:
                assert clutter not in extracted.text, (kind, clutter)
                assert clutter not in extracted.html, (kind, clutter)


@pytest.mark.parametrize(("seed", "layout"), _cases())
def test_metadata_and_image_fields(seed, layout):
    newsroom = _newsroom(seed)
    for article in _articles_of_layout(newsroom, layout):
        extracted = _extract(newsroom, article)
        assert extracted.title == article.title
        assert extracted.authors == (article.author,)
        assert extracted.published == article.published
        assert extracted.image_credit == article.image_credit.removeprefix("Photo: ")
        assert extracted.image_caption == article.image_caption
        assert extracted.image == BASE.rstrip("/") + article.image_path
        assert extracted.canonical_url == article_url(newsroom, article, BASE)
