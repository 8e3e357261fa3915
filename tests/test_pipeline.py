"""The update pipeline end to end against real loopback servers, on both engines."""

from __future__ import annotations

import asyncio

from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.update.pipeline import run_update, update_sources
from tests.servers import Reply, ScriptedServer, page, rss


def _newsy_site(server: ScriptedServer, count: int = 3) -> None:
    items = []
    for n in range(count):
        server.route(f"/s/{n}", Reply(302, headers={"Location": f"/t/{n}"}))
        server.route(f"/t/{n}", Reply(301, headers={
            "Location": f"/news/story-{n}.html?utm_source=rss&fbclid=abc"}))
        server.route(f"/news/story-{n}.html", Reply(200, page(
            f"Story {n}", [f"Paragraph one of story {n} tells what the council decided on "
                           f"Tuesday about the harbour wall and its repair costs.",
                           f"Paragraph two of story {n} quotes the mayor at length about "
                           f"the timetable for the works and the closure of the promenade."],
            canonical=server.url(f"/news/story-{n}.html")), {"Content-Type": "text/html"}))
        items.append({"title": f"Story {n}", "link": server.url(f"/s/{n}"),
                      "guid": f"guid-{n}", "pubDate": f"Mon, 0{n + 1} Sep 2025 17:40:00 +0200",
                      "description": f"Summary {n}"})
    body = rss(items, title="Harbour Times")
    server.route("/feed.xml", lambda r: Reply(304) if r.headers.get("If-None-Match") == '"v1"'
                 else Reply(200, body, {"ETag": '"v1"', "Content-Type": "application/rss+xml"}))


def test_update_stores_articles_at_their_canonical_address(db, settings, server):
    _newsy_site(server)
    source = source_store.add_source(db, server.url("/feed.xml"))
    summary = run_update(db, settings, everything=True)
    assert summary.new_articles == 3 and summary.count("error") == 0
    stored = sorted(article_store.all_articles(db), key=lambda a: a.title)
    assert [a.title for a in stored] == ["Story 0", "Story 1", "Story 2"]
    first = stored[0]
    assert first.canonical_url == server.url("/news/story-0.html")
    assert first.feed_link == server.url("/s/0")
    assert "harbour wall" in first.text and first.extraction_method == "page"
    assert first.published_local.isoformat() == "2025-09-01T17:40:00+02:00"
    assert source_store.get_source(db, source.id).title == "Harbour Times"


def test_second_update_is_conditional_and_adds_nothing(db, settings, server):
    _newsy_site(server)
    source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, settings, everything=True)
    again = run_update(db, settings, everything=True)
    assert again.count("not_modified") == 1 and again.new_articles == 0
    assert server.requests[-1].headers.get("If-None-Match") == '"v1"'
    assert article_store.count_articles(db) == 3


def test_a_broken_source_does_not_stop_the_others(db, settings, server):
    _newsy_site(server, count=2)
    server.route("/broken.xml", Reply(500, b"oops"))
    server.route("/notfeed.xml", Reply(200, b"<html><body>hello</body></html>",
                                       {"Content-Type": "text/html"}))
    good = source_store.add_source(db, server.url("/feed.xml"))
    bad = source_store.add_source(db, server.url("/broken.xml"))
    ugly = source_store.add_source(db, server.url("/notfeed.xml"))
    summary = run_update(db, settings, everything=True)
    assert summary.count("ok") == 1 and summary.count("error") == 2
    assert article_store.count_articles(db, good.id) == 2
    failed = source_store.get_source(db, bad.id)
    assert failed.error_count == 1 and "HTTP 500" in (failed.last_error or "")
    assert failed.next_poll is not None
    assert "not a feed" in (source_store.get_source(db, ugly.id).last_error or "")


def test_page_failure_keeps_the_feed_content(db, settings, server):
    server.route("/feed.xml", Reply(200, rss([{
        "title": "Only in feed", "link": server.url("/missing.html"), "guid": "g1",
        "description": "&lt;p&gt;The feed's own words about the event.&lt;/p&gt;"}])))
    source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, settings, everything=True)
    (article,) = article_store.all_articles(db)
    assert article.extraction_method == "feed"
    assert "HTTP 404" in (article.extraction_error or "")
    assert "feed's own words" in article.text


def test_duplicate_guids_in_one_feed_make_one_article(db, settings, server):
    item = {"title": "Twice", "link": server.url("/a.html"), "guid": "same"}
    server.route("/feed.xml", Reply(200, rss([item, dict(item, title="Twice again")])))
    server.route("/a.html", Reply(200, page("Twice", ["Body text of the article here."])))
    source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, settings, everything=True)
    assert article_store.count_articles(db) == 1


def test_permanent_redirect_moves_the_source_after_two_polls(db, settings, server):
    server.route("/old.xml", Reply(301, headers={"Location": "/new.xml"}))
    server.route("/new.xml", Reply(200, rss([], title="Moved")))
    source = source_store.add_source(db, server.url("/old.xml"))
    run_update(db, settings, everything=True)
    assert source_store.get_source(db, source.id).url == server.url("/old.xml")
    run_update(db, settings, everything=True)
    assert source_store.get_source(db, source.id).url == server.url("/new.xml")


def test_gone_source_is_marked_and_too_many_requests_waits(db, settings, server):
    server.route("/gone.xml", Reply(410))
    server.route("/busy.xml", Reply(429, headers={"Retry-After": "7200"}))
    gone = source_store.add_source(db, server.url("/gone.xml"))
    busy = source_store.add_source(db, server.url("/busy.xml"))
    run_update(db, settings, everything=True)
    assert source_store.get_source(db, gone.id).status == "gone"
    waited = source_store.get_source(db, busy.id)
    assert waited.next_poll is not None and waited.last_polled is not None
    assert (waited.next_poll - waited.last_polled).total_seconds() >= 7200


def test_due_sources_only_are_polled(db, settings, server):
    _newsy_site(server, count=1)
    source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, settings)
    hits = server.hits["/feed.xml"]
    assert run_update(db, settings).polled == 0
    assert server.hits["/feed.xml"] == hits


def test_progress_reports_each_source(db, settings, server):
    _newsy_site(server, count=1)
    server.route("/other.xml", Reply(200, rss([], title="Empty")))
    for path in ("/feed.xml", "/other.xml"):
        source_store.add_source(db, server.url(path))
    seen = []
    asyncio.run(update_sources(db, settings, source_store.list_sources(db), seen.append))
    assert sorted(o.source.url for o in seen) == sorted(
        server.url(p) for p in ("/feed.xml", "/other.xml"))
