"""The bundled demo newsroom: generation, pages, feeds and the loopback server."""

from __future__ import annotations

import datetime as dt
import json
import re
import urllib.error
import urllib.request
from html import escape
from collections import defaultdict
from collections.abc import Iterator

import feedparser
import pytest

from bench.common.corpus import generate_story_corpus
from bench.common.farm import FarmServer
from broadsheet.demo.feeds import feed_has_content
from broadsheet.demo.generate import DemoArticle, Newsroom, make_newsroom
from broadsheet.demo.pages import render_article_page
from broadsheet.demo.server import TRACKING_QUERY, NewsroomServer

NOW = dt.datetime(2025, 3, 4, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def newsroom() -> Newsroom:
    return make_newsroom(seed=7, outlets=4, events=12, now=NOW)


@pytest.fixture(scope="module")
def server(newsroom: Newsroom) -> Iterator[NewsroomServer]:
    with NewsroomServer(newsroom) as running:
        yield running


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_no_redirect = urllib.request.build_opener(_NoRedirect)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """Fetch without following redirects; return status, headers and body."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _no_redirect.open(request, timeout=5) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers), error.read()


def _shingles(text: str, size: int = 3) -> set[tuple[str, ...]]:
    words = re.findall(r"\w+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def _jaccard(a: str, b: str) -> float:
    x, y = _shingles(a), _shingles(b)
    return len(x & y) / len(x | y)


def _names(article: DemoArticle) -> set[str]:
    """Capitalised words inside sentences: the names an article mentions."""
    return set(re.findall(r"(?<=[a-z,] )[A-Z][a-z]+", _text(article)))


def _text(article: DemoArticle) -> str:
    return "\n\n".join(article.paragraphs)


# -- generation ----------------------------------------------------------------------


def test_same_seed_gives_same_newsroom(newsroom: Newsroom) -> None:
    assert make_newsroom(seed=7, outlets=4, events=12, now=NOW) == newsroom
    assert make_newsroom(seed=8, outlets=4, events=12, now=NOW).articles != newsroom.articles


def test_articles_are_recent_newest_first_and_zoned(newsroom: Newsroom) -> None:
    times = [a.published for a in newsroom.articles]
    assert times == sorted(times, reverse=True)
    assert all(NOW - dt.timedelta(hours=49) < t < NOW for t in times)
    offsets = {t.utcoffset() for t in times}
    assert dt.timedelta(0) in offsets and len(offsets) >= 3
    assert {a.kind for a in newsroom.articles} == {"original", "wire", "near_miss"}
    first = newsroom.articles[0]
    assert newsroom.article(first.outlet_slug, first.slug) is first
    assert {o.feed_format for o in newsroom.outlets} == {"rss", "atom", "json"}


def test_outlets_cover_events_in_their_own_words(newsroom: Newsroom) -> None:
    stories: dict[str, list[DemoArticle]] = defaultdict(list)
    for article in newsroom.articles:
        if article.kind != "wire":
            stories[article.story_id].append(article)
    assert sum(len(group) >= 2 for group in stories.values()) >= len(stories) // 2
    for group in stories.values():
        names = set.intersection(*(_names(a) for a in group))
        assert len(names) >= 2, [a.title for a in group]
        assert len({a.title for a in group}) == len(group)
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                assert _jaccard(_text(a), _text(b)) < 0.35, (a.title, b.title)


def test_wire_copies_are_near_duplicates(newsroom: Newsroom) -> None:
    wires = [a for a in newsroom.articles if a.kind == "wire"]
    assert wires
    for wire in wires:
        best = max(
            _jaccard(_text(wire), _text(a))
            for a in newsroom.articles
            if a.story_id == wire.story_id and a is not wire
        )
        assert best > 0.7


def test_near_misses_are_other_events_on_the_same_topic(newsroom: Newsroom) -> None:
    near = [a for a in newsroom.articles if a.kind == "near_miss"]
    assert near
    for article in near:
        twins = [a for a in newsroom.articles
                 if a.tags[:-1] == article.tags[:-1] and a.story_id != article.story_id]
        assert twins, article.title
        assert all(a.tags[-1] != article.tags[-1] for a in twins)  # another town


# -- pages ---------------------------------------------------------------------------


def test_article_pages_are_cluttered_and_annotated(newsroom: Newsroom) -> None:
    base = "http://demo.test"
    seen_markup: list[set[str]] = []
    for outlet in newsroom.outlets[:3]:
        article = newsroom.outlet_articles(outlet.slug)[0]
        page = render_article_page(newsroom, article, base)
        for clutter in ("cookies", "Share on", "Read more", "Most Popular", "Sign up",
                        "<footer", "<nav", "°C", "<figcaption>", escape(article.image_credit),
                        escape(article.related_title), "is a reporter for"):
            assert clutter in page, (outlet.slug, clutter)
        # The "Read more" box sits between the story's own paragraphs.
        assert page.index(escape(article.paragraphs[1])) < page.index("Read more")
        assert page.index("Read more") < page.index(escape(article.paragraphs[-1]))
        assert re.search(r'<html lang="en(-[A-Z]{2})?">', page)
        for prop in ("og:title", "og:image", "og:site_name", "article:published_time"):
            assert f'property="{prop}"' in page
        ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
        assert ld is not None
        data = json.loads(ld.group(1))
        assert data["@type"] == "NewsArticle" and data["headline"] == article.title
        assert data["author"]["name"] == article.author and data["image"]
        seen_markup.append(set(re.findall(r'class="([^"]+)"', page)))
    # Each layout uses its own class names, so extraction cannot lean on one template.
    for i, classes in enumerate(seen_markup):
        for other in seen_markup[i + 1 :]:
            assert len(classes & other) < len(classes) / 4


# -- server --------------------------------------------------------------------------


def test_feeds_parse_in_their_formats(server: NewsroomServer, newsroom: Newsroom) -> None:
    versions = {"rss": "rss20", "atom": "atom10"}
    for outlet, url in zip(newsroom.outlets, server.feed_urls(), strict=True):
        status, headers, body = _get(url)
        assert status == 200
        count = len(newsroom.outlet_articles(outlet.slug))
        if outlet.feed_format == "json":
            doc = json.loads(body)
            assert doc["version"] == "https://jsonfeed.org/version/1.1"
            assert len(doc["items"]) == count and doc["items"][0]["authors"]
            continue
        parsed = feedparser.parse(body)
        assert not parsed.bozo and parsed.version == versions[outlet.feed_format]
        assert len(parsed.entries) == count
        entry = parsed.entries[0]
        assert entry.link.startswith(server.base_url + "/s/") and entry.author
        assert ("content" in entry) == feed_has_content(newsroom, outlet)
        if outlet.feed_format == "rss":
            assert entry.media_credit[0]["content"].startswith("Photo: ")


def test_home_pages_link_their_feeds(server: NewsroomServer, newsroom: Newsroom) -> None:
    for home, feed in zip(server.home_urls(), server.feed_urls(), strict=True):
        status, _, body = _get(home)
        assert status == 200
        assert re.search(rf'<link rel="alternate" type="application/[\w+]+" [^>]*href="{feed}"',
                         body.decode())


def test_short_links_redirect_twice_to_tracked_url(server: NewsroomServer,
                                                   newsroom: Newsroom) -> None:
    article = newsroom.articles[0]
    status, headers, _ = _get(server.short_url(article))
    assert status == 302 and headers["Location"].startswith("/t/")
    status, headers, _ = _get(server.base_url + headers["Location"])
    assert status == 301
    clean = server.article_url(article)
    assert headers["Location"] == f"{clean}?{TRACKING_QUERY}"
    status, _, body = _get(headers["Location"])
    assert status == 200
    assert f'<link rel="canonical" href="{clean}">' in body.decode()


def test_feeds_answer_304_to_their_validators(server: NewsroomServer) -> None:
    url = server.feed_urls()[0]
    _, headers, _ = _get(url)
    assert _get(url, {"If-None-Match": headers["ETag"]})[0] == 304
    assert _get(url, {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    assert _get(url, {"If-None-Match": '"stale"'})[0] == 200


def test_farm_feeds() -> None:
    """The benchmarks' feed farm (bench/common/farm.py), on the demo's loopback server."""
    with FarmServer(4) as server:
        even, odd = server.urls()[:2]
        status, headers, body = _get(even)
        assert status == 200 and len(feedparser.parse(body).entries) == 20
        assert _get(even, {"If-None-Match": headers["ETag"]})[0] == 304
        _, odd_headers, _ = _get(odd)
        status, again, _ = _get(odd, {"If-None-Match": odd_headers["ETag"]})
        assert status == 200 and again["ETag"] != odd_headers["ETag"]
        assert _get(f"{server.base_url}/farm/4.xml")[0] == 404


def test_images_and_weather(server: NewsroomServer, newsroom: Newsroom) -> None:
    status, headers, body = _get(server.base_url + newsroom.articles[0].image_path)
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml")
    assert body.startswith(b"<svg")
    query = "latitude=52.52&longitude=13.41&current=temperature_2m,weather_code"
    status, _, body = _get(f"{server.base_url}/v1/forecast?{query}")
    data = json.loads(body)
    assert status == 200 and data["current_units"]["temperature_2m"] == "°C"
    assert isinstance(data["current"]["temperature_2m"], float)
    assert isinstance(data["current"]["weather_code"], int) and data["current"]["time"]
    assert _get(f"{server.base_url}/v1/forecast")[0] == 400


# -- story corpus --------------------------------------------------------------------


def test_story_corpus_is_labelled() -> None:
    items = list(generate_story_corpus(seed=3, n_articles=3000))
    assert len(items) == 3000 and len({i["id"] for i in items}) == 3000
    assert items == list(generate_story_corpus(seed=3, n_articles=3000))
    by_id = {i["id"]: i for i in items}
    sources: dict[object, set[object]] = defaultdict(set)
    for item in items:
        sources[item["story_id"]].add(item["source"])
        dt.datetime.fromisoformat(str(item["published"]))
    assert sum(len(s) >= 2 for s in sources.values()) > 0.7 * len(sources)
    kinds = {i["kind"] for i in items}
    assert kinds == {"original", "wire", "near_miss"}
    for item in items:
        if item["kind"] == "wire":
            origin = by_id[str(item["duplicate_of"])]
            assert origin["story_id"] == item["story_id"] and origin["source"] != item["source"]
            assert _jaccard(str(item["text"]), str(origin["text"])) > 0.7
        else:
            assert item["duplicate_of"] is None
