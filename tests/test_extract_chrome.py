"""Header chrome never reaches a body, and "today" in the header is never the article's date.

Demo pages carry site chrome (``broadsheet.demo._chrome``): today's date, weather
readings, a clock, a breaking-news bar, market figures, a trending strip and an
edition picker, just above the article container and inside it before the headline
(and a trending strip at its end), in four markups whose class names mean nothing.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import etree, html

from broadsheet.demo._chrome import STYLES
from broadsheet.demo.generate import DemoArticle, Newsroom, make_newsroom
from broadsheet.demo.pages import _chrome_of, article_url, render_article_page
from broadsheet.demo.urls import layout_of
from broadsheet.extract import extract_article
from broadsheet.extract.chrome import drop_chrome, is_widget_line, trim_chrome_edges

NOW = dt.datetime(2025, 5, 1, 12, tzinfo=dt.UTC)
BASE = "https://demo.example/"
SEEDS = (3, 11)


def _newsroom(seed: int) -> Newsroom:
    return make_newsroom(seed=seed, outlets=4, events=8, now=NOW)


def _articles(newsroom: Newsroom, layout: int, count: int = 2) -> list[DemoArticle]:
    found = [a for a in newsroom.articles if layout_of(newsroom, a.outlet_slug) == layout
             and a.published.date() != NOW.date()]
    return found[:count]


def _chrome_strings(newsroom: Newsroom, article: DemoArticle, style: int) -> list[str]:
    """Chrome strings to look for: those the story itself never says."""
    chrome = _chrome_of(newsroom, article, newsroom.outlet(article.outlet_slug), style)
    story = " ".join((article.title, *article.paragraphs))
    return [s for s in chrome.strings if s and s not in story]


@pytest.mark.parametrize("style", range(len(STYLES)), ids=STYLES)
@pytest.mark.parametrize("layout", range(3))
@pytest.mark.parametrize("seed", SEEDS)
def test_chrome_stays_out_and_the_story_stays_in(seed, layout, style):
    newsroom = _newsroom(seed)
    for article in _articles(newsroom, layout):
        page = render_article_page(newsroom, article, BASE, chrome_style=style)
        strings = _chrome_strings(newsroom, article, style)
        assert all(s in page or s.replace("&", "&amp;") in page for s in strings)
        extracted = extract_article(page.encode(), url=article_url(newsroom, article, BASE))
        assert extracted.text.split("\n\n") == list(article.paragraphs)
        for clutter in strings:
            assert clutter not in extracted.text, (STYLES[style], clutter)
            assert clutter not in extracted.html, (STYLES[style], clutter)
        assert extracted.published == article.published


def _strip_dates(page: str, article: DemoArticle, keep_byline: bool) -> str:
    """The page without its date markup; the byline's written date stays if asked."""
    page = re.sub(r'<meta property="article:published_time"[^>]*>', "", page)
    page = re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.S)
    own_time = re.compile(rf'<time datetime="{re.escape(article.published.isoformat())}">'
                          r"(.*?)</time>")
    assert own_time.search(page)
    return own_time.sub(r"\1" if keep_byline else "", page)


@pytest.mark.parametrize("style", range(len(STYLES)), ids=STYLES)
@pytest.mark.parametrize("layout", range(3))
def test_header_date_is_not_the_published_date(layout, style):
    newsroom = _newsroom(SEEDS[0])
    for article in _articles(newsroom, layout):
        page = render_article_page(newsroom, article, BASE, chrome_style=style)
        url = article_url(newsroom, article, BASE)
        # From the meta tags.
        assert extract_article(page.encode(), url=url).published == article.published
        # From the date written in the byline, by the headline.
        by_byline = extract_article(_strip_dates(page, article, keep_byline=True).encode(), url=url)
        assert by_byline.published is not None
        assert by_byline.published.date() == article.published.date()


@pytest.mark.parametrize("style", range(len(STYLES)), ids=STYLES)
@pytest.mark.parametrize("layout", (1, 2))  # layout 0 writes the date into its URLs
def test_no_article_date_means_none_not_today(layout, style):
    newsroom = _newsroom(SEEDS[1])
    for article in _articles(newsroom, layout):
        page = render_article_page(newsroom, article, BASE, chrome_style=style)
        today = NOW.astimezone(article.published.tzinfo)
        assert today.strftime("%A %d %B %Y") in page  # the header shows today's date
        undated = _strip_dates(page, article, keep_byline=False)
        extracted = extract_article(undated.encode(), url=article_url(newsroom, article, BASE))
        assert extracted.published is None
        assert extracted.text.split("\n\n") == list(article.paragraphs)


@pytest.mark.parametrize("line", [
    "32.8 C", "18°F", "Partly cloudy", "Tuesday, April 16, 2024", "14:05 GMT", "09:30 PM",
    "Thu 01.05.2025", "21° Light rain", "Sunday 4 May 2025", "Updated 10:32 am",
])
def test_widget_lines(line):
    assert is_widget_line(line)


@pytest.mark.parametrize("line", [
    "Serves 4", "$29.99", "€51,95 €64,95", "2024", "Step 1", "The council met on Tuesday, April 16, 2024.",
    "By Jane Roe, April 16, 2024 at the town hall in Velmor",
    "Cloudy", "Prices rose 4.2% in March as fuel and rent climbed across the region",
])
def test_sentences_and_lone_values_are_not_widget_lines(line):
    assert not is_widget_line(line)


def _body(*blocks: str) -> etree._Element:
    return etree.fromstring("<body>" + "".join(blocks) + "</body>")


def test_body_edges_lose_widgets_and_strips_but_keep_text():
    sentence = "<p>The bridge over the river will close for repairs in the first week of June.</p>"
    body = _body("<p>Thursday, 1 May 2025 14.5 C Partly cloudy</p>",
                 sentence, "<p>A second paragraph ends the story as stories end.</p>",
                 '<p>Trending: <ref target="/a">Storm closes the coast road</ref>, <ref target="/b">Ferry fares rise again</ref></p>',
                 "<head>Most read</head>")
    trim_chrome_edges(body)
    assert [b.tag for b in body] == ["p", "p"]
    assert body[0].text.startswith("The bridge")


def test_a_lone_short_line_is_not_trimmed_away():
    body = _body("<p>Closed today</p>")
    trim_chrome_edges(body)
    assert len(body) == 1


def test_drop_chrome_needs_the_headline():
    page = ("<html><body><h1>The Velmor Gazette</h1>"
            "<div><p>32.8 C</p><p>Tuesday, April 16, 2024</p></div>"
            "<article><p>Tuesday, April 16, 2024</p><h1>Council approves the new bridge</h1>"
            f"<p>{'The council voted for the bridge after a long debate. ' * 3}</p></article>"
            "</body></html>")
    tree = html.fromstring(page)
    # Two h1s and neither shows the title: no headline, nothing is dropped.
    assert not drop_chrome(tree, "A headline that is not on this page at all")
    assert "32.8 C" in tree.text_content()
    assert drop_chrome(tree, "Council approves the new bridge")
    text = tree.text_content()
    assert "32.8 C" not in text and "April 16" not in text and "voted for the bridge" in text


def test_a_date_line_above_the_headline_inside_the_container_still_dates_the_article():
    prose = "The council voted for the new bridge after a debate that ran late into the night. "
    page = ("<html><head><title>Council approves the new bridge</title></head><body>"
            "<header><div>Tuesday, April 16, 2024</div><div>32.8 C</div></header>"
            "<article><p>3 March 2025</p><h1>Council approves the new bridge</h1>"
            f"<p>{prose * 3}</p><p>{prose * 2}</p></article></body></html>")
    extracted = extract_article(page, url="https://x.example/bridge")
    assert extracted.published is not None
    assert extracted.published.date() == dt.date(2025, 3, 3)
    assert "March" not in extracted.text and "32.8" not in extracted.text
