"""Story pages, related reading and outlet profiles over real HTTP, on both engines."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest

from broadsheet.store import articles as article_store
from broadsheet.store import stories as story_store
from broadsheet.update import stories_step
from broadsheet.update.import_articles import import_lines
from broadsheet.update.stories_step import assign_pending_stories
from broadsheet.web import make_web_app
from tests.browser.live import LiveServer, get

BRIDGE = ("The Harrowgate bridge over the River Tamsin reopened to traffic on Tuesday after an "
          "18-month repair costing 12.4 million pounds, the county council said. Engineer "
          "Mara Quill said the new steel deck would carry lorries again. Drivers had faced a "
          "detour of 14 miles through Ellenby since the closure in 2023.")
BRIDGE_OTHER = ("Drivers in Harrowgate can use the Tamsin crossing again. The county council "
                "opened the Harrowgate bridge on Tuesday morning after 18 months of work and a "
                "bill of 12.4 million pounds. Mara Quill, the engineer in charge, said the "
                "steel deck was ready for lorries, ending the 14-mile detour via Ellenby.")
CHOIR = ("The Dunbry choir will sing Handel's Messiah in St Aldric's church on 14 December. "
         "Conductor Ivo Penhallow said tickets cost ten pounds and proceeds go to the roof fund.")


@pytest.fixture
def site(db, settings) -> Iterator[tuple[str, dict[str, int]]]:
    stories_step._desks.clear()
    lines = [
        {"id": "bbc", "title": "Harrowgate bridge reopens after 18-month repair", "text": BRIDGE,
         "url": "https://www.bbc.co.uk/news/harrowgate-bridge", "source": "BBC News",
         "published": "2024-05-07T09:00:00+00:00"},
        {"id": "guardian", "title": "Tamsin crossing back in use as detour ends",
         "text": BRIDGE_OTHER, "url": "https://www.theguardian.com/uk/harrowgate",
         "source": "The Guardian", "published": "2024-05-07T11:00:00+00:00"},
        {"id": "wire", "title": "Harrowgate bridge reopens",
         "text": "Sign up for our newsletter. " + BRIDGE + " Reporting by the wire desk.",
         "url": "https://herald.test/harrowgate", "source": "Herald",
         "published": "2024-05-07T12:00:00+00:00"},
        {"id": "choir", "title": "Dunbry choir to sing Messiah", "text": CHOIR,
         "url": "https://herald.test/choir", "source": "Herald",
         "published": "2024-05-07T10:00:00+00:00"},
    ]
    import_lines(db, [json.dumps(line) for line in lines])
    assign_pending_stories(db, settings)
    ids = {a.entry_key.removeprefix("import:"): a.id for a in article_store.all_articles(db)}
    server = LiveServer(make_web_app(db, settings)).start()
    yield server.base_url, ids
    server.stop()
    stories_step._desks.clear()


def test_story_page_shows_coverage(site, db):
    base, ids = site
    place = story_store.article_place(db, ids["bbc"])
    reply = get(base + f"/stories/{place.story_id}")
    assert reply.status == 200
    html = reply.text
    assert "<h1>Harrowgate bridge reopens after 18-month repair</h1>" in html
    assert "3 outlets" in html and "3 articles" in html
    assert re.search(r'First reported by <a href="/articles/%d"[^>]*>BBC News</a>' % ids["bbc"],
                     html)
    # Grouped by outlet country and ownership, from the starter profiles.
    assert "GB · public broadcaster" in html and "GB · private" in html
    assert "Unknown" not in html and "No outlet profile yet" in html  # herald.test
    timeline = html[html.index("Timeline of coverage"):]
    order = [timeline.index(f'href="/articles/{ids[k]}"') for k in ("bbc", "guardian", "wire")]
    assert order == sorted(order)
    assert "Same text as" in timeline
    why = timeline[timeline.index(f'href="/articles/{ids["guardian"]}"'):]
    why = why[:why.index("</li>")]
    assert re.search(r"Why it is here: similarity 0\.\d\d \(joins at 0\.\d\d\); shared: .*"
                     r"(harrowgate|tamsin|quill)", why)
    assert f'href="/articles/{ids["choir"]}"' not in html
    feed = get(base + f"/stories/{place.story_id}/feed.atom")
    assert feed.status == 200 and b"Tamsin crossing" in feed.body
    assert b"Sign up for our newsletter" not in feed.body  # copies stay out of feeds
    assert get(base + "/stories/999999").status == 404


@pytest.fixture
def zoned_site(db, tmp_path) -> Iterator[tuple[str, dict[str, int]]]:
    """The bridge story told from three zones, on a site set to New York time."""
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, timezone="America/New_York")
    stories_step._desks.clear()
    lines = [  # 09:00, 11:00 and 12:00 UTC, each written in its outlet's own offset
        {"id": "bbc", "title": "Harrowgate bridge reopens after 18-month repair", "text": BRIDGE,
         "url": "https://www.bbc.co.uk/news/harrowgate-bridge", "source": "BBC News",
         "published": "2024-05-07T09:00:00+00:00"},
        {"id": "tokyo", "title": "Tamsin crossing back in use as detour ends",
         "text": BRIDGE_OTHER, "url": "https://www.theguardian.com/uk/harrowgate",
         "source": "The Guardian", "published": "2024-05-07T20:00:00+09:00"},
        {"id": "lima", "title": "Harrowgate bridge reopens",
         "text": "Sign up for our newsletter. " + BRIDGE, "url": "https://herald.test/harrowgate",
         "source": "Herald", "published": "2024-05-07T07:00:00-05:00"},
    ]
    import_lines(db, [json.dumps(line) for line in lines])
    assign_pending_stories(db, settings)
    ids = {a.entry_key.removeprefix("import:"): a.id for a in article_store.all_articles(db)}
    server = LiveServer(make_web_app(db, settings)).start()
    yield server.base_url, ids
    server.stop()
    stories_step._desks.clear()


_TIME = re.compile(r'<time datetime="([^"]+)">[^<]*?(\d{1,2} \w+ \d{4}), '
                   r'<span class="clock">(\d\d:\d\d) (UTC[^<]*)</span></time>')


def test_story_timeline_reads_forwards_in_the_sites_zone(zoned_site, db):
    base, ids = zoned_site
    place = story_store.article_place(db, ids["bbc"])
    html = get(base + f"/stories/{place.story_id}").text
    timeline = html[html.index("Timeline of coverage"):]
    order = [timeline.index(f'href="/articles/{ids[k]}"') for k in ("bbc", "tokyo", "lima")]
    assert order == sorted(order)
    shown = _TIME.findall(timeline)
    assert [clock for _, _, clock, _ in shown] == ["05:00", "07:00", "08:00"]
    assert {zone for _, _, _, zone in shown} == {"UTC-04:00"}  # New York in May
    assert all(stamp.endswith("-04:00") for stamp, _, _, _ in shown)
    # Every time on the page, not only the timeline's, is in the site's zone.
    assert {zone for _, _, _, zone in _TIME.findall(html)} == {"UTC-04:00"}
    # The article's own page still says when and where its outlet published it.
    article = get(base + f"/articles/{ids['tokyo']}").text
    assert [(clock, zone) for _, _, clock, zone in _TIME.findall(article)] == \
        [("20:00", "UTC+09:00")]


def test_article_page_related_copies_and_outlet(site):
    base, ids = site
    html = get(base + f"/articles/{ids['bbc']}").text
    assert "About BBC:" in html and "public broadcaster" in html
    assert 'href="https://en.wikipedia.org/wiki/BBC"' in html
    assert "Other coverage of this story" in html
    related = html[html.index("Other coverage of this story"):]
    assert f'href="/articles/{ids["guardian"]}"' in related
    assert f'href="/articles/{ids["wire"]}"' not in related  # a copy is not more reading
    assert re.search(r'Also published by <a href="/articles/%d">Herald</a>' % ids["wire"], html)
    wire = get(base + f"/articles/{ids['wire']}").text
    assert re.search(r'Also published by <a href="/articles/%d">BBC News</a>' % ids["bbc"], wire)
    choir = get(base + f"/articles/{ids['choir']}").text
    assert "Other coverage of this story" not in choir and "About" not in choir


def test_front_page_top_stories_and_copies_hidden(site):
    base, ids = site
    html = get(base + "/").text
    top = html[html.index("Top stories"):html.index('id="latest"')]
    first = re.search(r'<h3><a href="/articles/(\d+)">', top)
    assert first and int(first.group(1)) == ids["bbc"]
    assert "3 outlets</a>" in top
    latest = html[html.index('id="latest"'):]
    assert f'href="/articles/{ids["wire"]}"' not in latest
    assert f'href="/articles/{ids["guardian"]}"' in latest


def test_stories_api(site):
    base, ids = site
    listing = json.loads(get(base + "/api/v1/stories").text)
    bridge = next(s for s in listing["stories"] if s["source_count"] == 3)
    assert bridge["article_count"] == 3
    detail = json.loads(get(base + f"/api/v1/stories/{bridge['id']}").text)
    assert [a["id"] for a in detail["articles"]] == [ids["bbc"], ids["guardian"], ids["wire"]]
    assert detail["articles"][0]["outlet"] == "bbc"
    assert detail["articles"][2]["duplicate_of"] == ids["bbc"]
    missing = get(base + "/api/v1/stories/999999")
    assert missing.status == 404
    assert json.loads(missing.text) == {"error": {"code": "not_found",
                                                  "message": "stories: no story with id 999999"}}
    outlets = json.loads(get(base + "/api/v1/outlets").text)["outlets"]
    assert any(o["slug"] == "bbc" and o["citations"]["owner"] for o in outlets)


def test_the_nearest_story_is_not_called_other_coverage(site, db):
    from broadsheet.store.stories import PlacedArticle, record_placements

    base, ids = site
    bridge = story_store.article_place(db, ids["bbc"]).story_id
    import_lines(db, [json.dumps({
        "id": "fair", "title": "Ellenby spring fair returns", "source": "Herald",
        "text": "The Ellenby spring fair returns to the green on Saturday with 40 stalls.",
        "url": "https://herald.test/fair", "published": "2024-05-07T13:00:00+00:00"})])
    fair = next(a for a in article_store.all_articles(db) if a.entry_key == "import:fair")
    # Alone in its story, with the bridge story recorded as the nearest one.
    record_placements(db, [PlacedArticle(fair.id, fair.id, fair.published, None, b"",
                                         nearest_story_id=bridge)])
    html = get(base + f"/articles/{fair.id}").text
    assert "Other coverage of this story" not in html
    nearest = html[html.index("A related story"):]
    nearest = nearest[:nearest.index("</ul>")]
    assert any(f'href="/articles/{ids[k]}"' in nearest for k in ("bbc", "guardian", "wire"))
    bbc = get(base + f"/articles/{ids['bbc']}").text
    same = bbc[bbc.index("Other coverage of this story"):]
    same = same[:same.index("</ul>")]
    assert f'href="/articles/{ids["guardian"]}"' in same
    assert f'href="/articles/{fair.id}"' not in same


def test_the_demo_near_miss_stays_apart(db, settings):
    """The demo's hoard found near Lorcalcombe is not the one found near North Ockpenport."""
    from broadsheet.demo.generate import make_newsroom, outlet_profiles
    from broadsheet.store.outlets import import_outlets
    from broadsheet.demo.server import NewsroomServer
    from broadsheet.sources import subscribe
    from broadsheet.update.pipeline import run_update

    stories_step._desks.clear()
    newsroom = make_newsroom(seed=1)
    with NewsroomServer(newsroom) as server:
        for url in server.feed_urls():
            subscribe(db, settings, url)
        import_outlets(db, outlet_profiles(newsroom, server.base_url))  # as `broadsheet demo`
        run_update(db, settings, everything=True)
    assign_pending_stories(db, settings)
    stored = article_store.all_articles(db)
    places = {a.title: story_store.article_place(db, a.id).story_id for a in stored}
    near = {s for t, s in places.items() if "Lorcalcombe" in t}
    base = {s for t, s in places.items() if "North Ockpenport" in t}
    assert near and base and not near & base
    server = LiveServer(make_web_app(db, settings)).start()
    try:
        for story_id in base:
            html = get(server.base_url + f"/stories/{story_id}").text
            assert "North Ockpenport" in html and "Lorcalcombe" not in html
            assert "Unknown" not in html and "No outlet profile yet" not in html
            countries = {o.country for o in newsroom.outlets}
            assert any(f"<h3>{c} · " in html for c in countries)
        lorcal = next(a for a in stored if "Lorcalcombe" in a.title)
        page = get(server.base_url + f"/articles/{lorcal.id}").text
        if "Other coverage of this story" in page:
            other = page[page.index("Other coverage of this story"):]
            assert "North Ockpenport" not in other[:other.index("</ul>")]
    finally:
        server.stop()
        stories_step._desks.clear()


def test_outlet_profiles_where_readers_look(site, db):
    from broadsheet.store.outlets import Outlet, save_outlet

    base, ids = site
    bbc = article_store.get_articles(db, [ids["bbc"]])[0]
    source = get(base + f"/sources/{bbc.source_id}").text
    profile = source[source.index('class="outlet-profile"'):]
    profile = profile[:profile.index("</p>")]
    assert "About BBC:" in profile
    assert '<a href="https://en.wikipedia.org/wiki/BBC" rel="noopener noreferrer" ' \
           'title="Source of this fact">GB</a>' in profile
    # An owner (and ownership) with no citation is text, never a dead link.
    save_outlet(db, Outlet("herald", "The Herald", ("herald.test",), "GB", "en", "private",
                           "Herald Holdings", {"country": "https://herald.test/about"}))
    page = get(base + f"/articles/{ids['choir']}").text
    about = page[page.index('class="outlet-profile"'):]
    about = about[:about.index("</p>")]
    assert '<a href="https://herald.test/about"' in about
    assert 'owned by <span class="uncited">Herald Holdings</span>' in about
    assert '<span class="uncited">private</span>' in about
    assert 'href="#"' not in page
    place = story_store.article_place(db, ids["bbc"])
    story = get(base + f"/stories/{place.story_id}").text
    assert "No outlet profile yet" not in story and "GB · private" in story
    assert "owned by <span class=\"uncited\">Herald Holdings</span>" in story
