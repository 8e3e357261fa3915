"""E. Identity and dates: what a feed calls the same item, and when it says it happened.

Every case polls a loopback feed through the real pipeline (feed-only, so no pages) on
both engines and reads back what the store kept.
"""

from __future__ import annotations

import datetime as dt
from itertools import count

import pytest

from broadsheet.store import open_database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.update.pipeline import run_update
from tests.adversarial.feeds import rss_document, text
from tests.conftest import make_settings
from tests.servers import Reply, Request


@pytest.fixture
def feed_settings(tmp_path):
    return make_settings(tmp_path, fetch_pages=False)


def _item(guid: str | None, title: str, link: str | None = None, body: str = "Body.",
          date: str | None = None) -> str:
    parts = text("title", title) + text("description", f"<p>{body}</p>")
    if guid is not None:
        parts += text("guid", guid)
    if link is not None:
        parts += text("link", link)
    if date is not None:
        parts += text("pubDate", date)
    return parts


def _poll(db, settings, times: int = 1) -> list[int]:
    counts = []
    for _ in range(times):
        summary = run_update(db, settings, everything=True)
        assert summary.count("error") == 0, [o.error for o in summary.outcomes]
        counts.append(article_store.count_articles(db))
    return counts


@pytest.mark.parametrize("etag", [None, '"v1"'], ids=["no-validators", "etag"])
def test_unchanged_feed_polled_five_times_and_across_a_restart(db, feed_settings, server, etag):
    items = [_item(f"g{n}", f"Story {n}", server.url(f"/a/{n}")) for n in range(5)]
    items += [_item(None, "Link only", server.url("/link-only")),
              _item(None, "Neither guid nor link", body="Hashed by content.")]

    def answer(request: Request) -> Reply:
        if etag and request.headers.get("If-None-Match") == etag:
            return Reply(304)
        return Reply(200, rss_document(items), {"ETag": etag} if etag else {})

    server.route("/feed.xml", answer)
    source_store.add_source(db, server.url("/feed.xml"))
    assert _poll(db, feed_settings, 5) == [7] * 5
    restarted = open_database(db.url)
    try:
        assert _poll(restarted, feed_settings, 5) == [7] * 5
    finally:
        restarted.close()
    assert server.hits["/feed.xml"] == 10


def test_duplicate_guids_in_one_feed_store_once(db, feed_settings, server):
    items = [_item("dup", "First under dup"), _item("dup", "Second under dup"),
             _item("dup", "Third under dup", server.url("/x")), _item("other", "Other")]
    server.route("/feed.xml", Reply(200, rss_document(items)))
    source_store.add_source(db, server.url("/feed.xml"))
    assert _poll(db, feed_settings, 3) == [2, 2, 2]
    titles = sorted(a.title for a in article_store.all_articles(db))
    assert titles == ["First under dup", "Other"]


def test_missing_guids_are_stable(db, feed_settings, server):
    items = [_item(None, f"Linked {n}", server.url(f"/l/{n}")) for n in range(3)]
    items += [_item(None, f"Bare {n}", body=f"Content {n}") for n in range(3)]
    items += [_item(None, "Same link twice A", server.url("/same")),
              _item(None, "Same link twice B", server.url("/same")),
              _item("   ", "Blank guid", server.url("/blank"))]
    server.route("/feed.xml", Reply(200, rss_document(items)))
    source_store.add_source(db, server.url("/feed.xml"))
    assert _poll(db, feed_settings, 4) == [8, 8, 8, 8]


def test_guids_rotated_every_poll_do_not_flood(db, feed_settings, server):
    polls = count()

    def rotating(_request: Request) -> Reply:
        n = next(polls)
        items = [_item(f"urn:uuid:{n}-{i}", f"Steady story {i}", server.url(f"/s/{i}"))
                 for i in range(4)]
        return Reply(200, rss_document(items))

    server.route("/feed.xml", rotating)
    source = source_store.add_source(db, server.url("/feed.xml"))
    assert _poll(db, feed_settings, 5) == [4] * 5
    flagged = source_store.get_source(db, source.id).settings.get("guid_rotation", {})
    assert flagged.get("count", 0) >= 4 * 4, "the source must be flagged as rotating GUIDs"


# --- dates -------------------------------------------------------------------------------

DATES = {
    "future": "Sat, 01 Jan 2099 00:00:00 GMT",
    "epoch zero": "Thu, 01 Jan 1970 00:00:00 GMT",
    "impossible": "Mon, 32 Foo 2020 10:00:00 GMT",
    "named zone PDT": "Tue, 10 Jun 2003 04:00:00 PDT",
    "named zone CEST iso": "2024-07-01T10:00:00 CEST",
    "epoch number": "1700000000",
    "epoch millis": "1700000000000",
    "German": "Di, 03 Dez 2024 10:00:00 +0100",
    "Spanish (mar = martes)": "mar, 12 dic 2023 10:00:00 +0100",
    "French": "lun., 4 mars 2024 10:00:00 +0100",
    "Italian": "gio, 15 ago 2024 10:00:00 +0200",
    "Portuguese": "seg, 05 fev 2024 10:00:00 -0300",
    "empty": "",
    "garbage": "\u0000\ufffd<script>alert(1)</script>",
    "year 10000": "Fri, 01 Jan 10000 00:00:00 GMT",
    "before 1900": "Mon, 01 Jan 1800 00:00:00 GMT",
}
# What each may become: an exact instant, or None for "the time first seen".
EXPECTED: dict[str, tuple[dt.datetime | None, ...]] = {
    "future": (None,),
    "epoch zero": (dt.datetime(1970, 1, 1, tzinfo=dt.UTC), None),
    "impossible": (None,),
    "named zone PDT": (dt.datetime(2003, 6, 10, 11, 0, tzinfo=dt.UTC),),
    "named zone CEST iso": (dt.datetime(2024, 7, 1, 8, 0, tzinfo=dt.UTC),),
    "epoch number": (dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC), None),
    "epoch millis": (dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=dt.UTC), None),
    "German": (dt.datetime(2024, 12, 3, 9, 0, tzinfo=dt.UTC), None),
    "Spanish (mar = martes)": (dt.datetime(2023, 12, 12, 9, 0, tzinfo=dt.UTC), None),
    "French": (dt.datetime(2024, 3, 4, 9, 0, tzinfo=dt.UTC), None),
    "Italian": (dt.datetime(2024, 8, 15, 8, 0, tzinfo=dt.UTC), None),
    "Portuguese": (dt.datetime(2024, 2, 5, 13, 0, tzinfo=dt.UTC), None),
    "empty": (None,),
    "garbage": (None,),
    "year 10000": (None,),
    "before 1900": (None,),
}


@pytest.fixture
def dated(db, feed_settings, server):
    items = [_item(f"d{n}", name, date=value) for n, (name, value) in enumerate(DATES.items())]
    server.route("/feed.xml", Reply(200, rss_document(items)))
    source_store.add_source(db, server.url("/feed.xml"))
    before = dt.datetime.now(dt.UTC)
    _poll(db, feed_settings)
    after = dt.datetime.now(dt.UTC)
    return {a.title: a for a in article_store.all_articles(db)}, before, after


@pytest.mark.parametrize("name", list(DATES))
def test_dates(dated, name):
    stored, before, after = dated
    article = stored[name]
    first_seen = before - dt.timedelta(seconds=1) <= article.published <= after
    allowed = EXPECTED[name]
    ok = (None in allowed and first_seen) or article.published in allowed
    assert ok, f"{name}: {DATES[name]!r} stored as {article.published.isoformat()}"
    assert article.published <= after, "nothing is published in the future"
    if article.published in allowed and article.published_offset is not None:
        local = article.published_local
        assert local.utcoffset() is not None


def test_named_zone_keeps_its_offset(dated):
    stored, _b, _a = dated
    assert stored["named zone PDT"].published_offset == -7 * 60
    assert stored["named zone PDT"].published_local.hour == 4


def test_iana_zone_name_is_honoured_or_ignored(db, feed_settings, server):
    items = [_item("z", "Paris", date="Tue, 10 Jun 2003 04:00:00 Europe/Paris")]
    server.route("/feed.xml", Reply(200, rss_document(items)))
    source_store.add_source(db, server.url("/feed.xml"))
    _poll(db, feed_settings)
    (article,) = article_store.all_articles(db)
    assert article.published == dt.datetime(2003, 6, 10, 2, 0, tzinfo=dt.UTC) or \
        article.published.year == dt.datetime.now(dt.UTC).year
