"""The site over real HTTP (uvicorn on loopback), on both database engines."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import feedparser
import pytest

from broadsheet.web import make_web_app
from tests.browser.live import LiveServer, get, seed


@pytest.fixture
def site(db, settings) -> Iterator[tuple[str, dict[str, int], object]]:
    ids = seed(db)
    app = make_web_app(db, settings.replace(excerpt_words=20))
    server = LiveServer(app).start()
    yield server.base_url, ids, app
    server.stop()


def test_front_page_has_top_latest_popular_and_security_headers(site):
    base, ids, _app = site
    reply = get(base + "/")
    assert reply.status == 200
    html = reply.text
    for heading in ("Top stories", "Latest", "Most popular", "Last 24 hours", "Last 7 days"):
        assert heading in html
    assert f'href="/articles/{ids["wall"]}"' in html
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "set-cookie" not in reply.headers
    assert "<script" not in html
    assert 'rel="alternate" type="application/rss+xml"' in html


def test_pages_answer_conditional_gets(site):
    base, ids, _app = site
    for path in ("/", f"/articles/{ids['wall']}", "/feed.atom", "/sitemap.xml", "/search?q=ferry"):
        first = get(base + path)
        assert first.status == 200 and first.headers["etag"]
        again = get(base + path, {"If-None-Match": first.headers["etag"]})
        assert again.status == 304 and again.body == b"", path


def test_article_page_full_mode(site):
    base, ids, _app = site
    html = get(base + f"/articles/{ids['wall']}").text
    assert '<link rel="canonical" href="https://wall.test/story">' in html
    figure = re.search(r'<figure class="lead">(.*?)</figure>', html, re.S).group(1)
    assert 'referrerpolicy="no-referrer"' in figure
    assert "The harbour wall at low tide" in figure and "Photo: Jo Lens" in figure
    assert re.search(r'<time datetime="[0-9T:-]+\+02:00">', html)
    assert 'href="/tags/politics"' in html and 'href="/tags/harbour"' in html
    assert "Read more" in html and f'href="/articles/{ids["ferry"]}"' in html
    assert 'property="og:title" content="Harbour wall to be repaired before winter"' in html
    assert 'property="og:image" content="https://images.test/harbour.jpg"' in html
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["@type"] == "NewsArticle" and data["isBasedOn"] == "https://wall.test/story"
    assert data["publisher"]["name"] == "Harbour Times"
    assert "&lt;who&gt;" in html and "<who>" not in html


def test_article_page_excerpt_mode_has_no_foreign_canonical(site):
    base, ids, _app = site
    html = get(base + f"/articles/{ids['bridge']}").text
    assert 'rel="canonical"' not in html
    assert "Continue reading at Valley Post" in html
    assert "second paragraph" not in html.lower()


def test_source_tag_day_pages_and_404s(site):
    base, ids, _app = site
    source = get(base + f"/sources/{ids['harbour_source']}").text
    assert "Harbour wall" in source and "Valley bridge" not in source
    tag = get(base + "/tags/Transport").text
    assert "Ferry timetable" in tag and "Valley bridge" in tag and "Harbour wall" not in tag
    article = get(base + f"/articles/{ids['storm']}").text
    day = re.search(r'href="(/days/\d{4}-\d\d-\d\d)"', article).group(1)
    assert "Storm warning" in get(base + day).text
    for missing in ("/articles/99999", "/sources/999", "/tags/nothing-here", "/days/2025-13-40",
                    "/nowhere"):
        reply = get(base + missing)
        assert reply.status == 404 and "Go to the front page" in reply.text, missing


def test_search_page_highlights_and_explains_bad_syntax(site):
    base, ids, _app = site
    reply = get(base + "/search?q=ferry+timetable")
    assert reply.status == 200
    assert "<mark>" in reply.text and f'/articles/{ids["ferry"]}' in reply.text
    bad = get(base + '/search?q=%22harbour+wall')
    assert bad.status == 400 and "quote is not closed" in bad.text
    weird = get(base + "/search?q=%3Cscript%3Ealert(1)%3C/script%3E+NEAR(a")
    assert weird.status in (200, 400) and "<script>alert" not in weird.text
    filtered = get(base + f"/search?q=council&source={ids['valley_source']}").text
    assert "Valley bridge" in filtered and "Ferry timetable" not in filtered


def _check_json_feed(body: bytes) -> list[dict]:
    """JSON Feed 1.1's rules (feedparser 6.0 does not read JSON Feed)."""
    import datetime as dt

    feed = json.loads(body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(feed["title"], str) and feed["title"]
    for key in ("home_page_url", "feed_url"):
        assert feed[key].startswith("http")
    ids = [item["id"] for item in feed["items"]]
    assert len(ids) == len(set(ids))
    for item in feed["items"]:
        assert isinstance(item["id"], str)
        assert item.get("content_text") or item.get("content_html")
        assert item["url"].startswith("http")
        for key in ("date_published", "date_modified"):
            dt.datetime.fromisoformat(item[key])
        assert all(isinstance(a["name"], str) for a in item["authors"])
    return feed["items"]


def _entries(reply):
    """Parse a feed back; RSS and Atom with feedparser, which must not call it bozo."""
    if reply.headers["content-type"].startswith("application/feed+json"):
        return [{"link": i["url"], "title": i["title"], "id": i["id"], "raw": i}
                for i in _check_json_feed(reply.body)]
    parsed = feedparser.parse(reply.body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed.entries


@pytest.mark.parametrize("fmt", ["rss", "atom", "json"])
def test_feeds_parse_back_valid_and_attribute_the_outlet(site, fmt):
    base, ids, _app = site
    for path in (f"/feed.{fmt}", f"/sources/{ids['harbour_source']}/feed.{fmt}",
                 f"/tags/transport/feed.{fmt}", f"/search/feed.{fmt}?q=harbour"):
        reply = get(base + path)
        assert reply.status == 200, path
        entries = _entries(reply)
        assert entries, path
        for entry in entries:
            assert entry["link"].startswith("https://") and ".test/story" in entry["link"]
            assert entry["title"]
    entries = _entries(get(base + f"/feed.{fmt}"))
    wall = next(e for e in entries if e["title"].startswith("Harbour wall"))
    assert wall["link"] == "https://wall.test/story"
    assert wall["id"] == f"{base}/articles/{ids['wall']}"
    if fmt == "json":
        assert wall["raw"]["_broadsheet"]["outlet"] == "Harbour Times"
    else:
        assert wall["source"]["title"] == "Harbour Times"
    assert get(base + "/feed.xyz").status == 404
    assert get(base + f"/search/feed.{fmt}?q=%22open").status == 400


def test_sitemap_and_robots(site):
    base, ids, _app = site
    root = ET.fromstring(get(base + "/sitemap.xml").body)
    locs = {e.text for e in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")}
    assert f"{base}/articles/{ids['wall']}" in locs and f"{base}/" in locs
    robots = get(base + "/robots.txt").text
    assert f"Sitemap: {base}/sitemap.xml" in robots and "Disallow: /search" in robots


def test_views_count_once_per_reader_and_ignore_bots(site, db):
    base, ids, app = site
    from broadsheet.store.schema import article_views
    import sqlalchemy as sa

    get(base + f"/articles/{ids['ferry']}")
    with db.begin() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(article_views)) == 0
    beacon = f"{base}/articles/{ids['ferry']}/view.gif"
    first = get(beacon)
    assert first.status == 200 and first.headers["content-type"] == "image/gif"
    assert "set-cookie" not in first.headers and "no-store" in first.headers["cache-control"]
    get(beacon)
    get(beacon, {"User-Agent": "Googlebot/2.1 (+http://www.google.com/bot.html)"})
    get(beacon, {"User-Agent": "Mozilla/5.0 Firefox/128"})
    get(f"{base}/articles/{ids['bridge']}/view.gif")
    assert get(f"{base}/articles/99999/view.gif").status == 200
    with db.begin() as connection:
        rows = connection.execute(sa.select(article_views)).all()
    assert sorted(r.article_id for r in rows) == sorted([ids["ferry"], ids["ferry"],
                                                         ids["bridge"]])
    assert all("127.0.0.1" not in r.mark and len(r.mark) == 32 for r in rows)
    app.state.site.views.forget()
    app.state.site.cache.clear()
    front = get(base + "/").text
    popular = front[front.index("Most popular"):]
    assert popular.index("Ferry timetable") < popular.index("Valley bridge")


def test_no_page_changes_state_on_get(site, db):
    import sqlalchemy as sa

    from broadsheet.store.schema import metadata

    base, ids, _app = site

    def snapshot():
        with db.begin() as connection:
            return {t.name: connection.execute(sa.select(t)).all() for t in metadata.sorted_tables}

    before = snapshot()
    for path in ("/", f"/articles/{ids['wall']}", f"/sources/{ids['valley_source']}",
                 "/tags/transport", "/search?q=harbour", "/feed.rss", "/sitemap.xml",
                 "/robots.txt", "/days", "/nowhere", "/search?q=%22"):
        get(base + path)
    assert snapshot() == before
