"""Polling behaviour end to end, on both engines: identity across polls, tombstones,
validators kept with entries, errors that never stop a source, schedule hints."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
import sqlalchemy as sa

from broadsheet.errors import StorageError
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.ingest import store_polls
from broadsheet.store.schema import sources as sources_table
from broadsheet.store.tombstones import delete_articles
from broadsheet.types import Article
from broadsheet.update.decide import SourceIntent
from broadsheet.update.pipeline import run_update
from tests.conftest import make_settings
from tests.servers import Reply, ScriptedServer, rss


@pytest.fixture
def feed_settings(tmp_path):
    return make_settings(tmp_path, fetch_pages=False, poll_min_interval=60,
                         poll_max_interval=86400)


def _items(n: int, guid: str = "g") -> list[dict[str, str]]:
    return [{"title": f"Item {i}", "link": f"https://site.example/{i}", "guid": f"{guid}{i}",
             "pubDate": f"Mon, 0{i + 1} Sep 2025 10:00:00 GMT"} for i in range(n)]


def test_rotating_guids_make_no_new_articles_and_flag_the_source(db, feed_settings, server):
    counter = itertools.count()
    server.route("/feed.xml", lambda r: Reply(200, rss(_items(3, guid=f"p{next(counter)}-"))))
    source = source_store.add_source(db, server.url("/feed.xml"))
    assert run_update(db, feed_settings, everything=True).new_articles == 3
    again = run_update(db, feed_settings, everything=True)
    assert again.new_articles == 0 and article_store.count_articles(db) == 3
    flagged = source_store.get_source(db, source.id).settings["guid_rotation"]
    assert flagged["count"] == 3


def test_pruned_items_never_come_back(db, feed_settings, server):
    server.route("/feed.xml", Reply(200, rss(_items(3))))
    source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, feed_settings, everything=True)
    doomed = [a.id for a in article_store.all_articles(db)][:2]
    assert delete_articles(db, doomed) == 2
    assert run_update(db, feed_settings, everything=True).new_articles == 0
    assert article_store.count_articles(db) == 1


def test_duplicate_guids_and_same_item_twice_make_one_article(db, feed_settings, server):
    items = _items(1) + [dict(_items(1)[0], title="Other title")] \
        + [dict(_items(1)[0], guid="different")]
    server.route("/feed.xml", Reply(200, rss(items)))
    source_store.add_source(db, server.url("/feed.xml"))
    assert run_update(db, feed_settings, everything=True).new_articles == 1


def test_validators_and_entries_are_written_together(db, feed_settings, server):
    server.route("/feed.xml", Reply(200, rss(_items(2)), {"ETag": '"e1"'}))
    source = source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, feed_settings, everything=True)
    stored = source_store.get_source(db, source.id)
    assert stored.etag == '"e1"' and article_store.count_articles(db) == 2
    broken = Article(source_id=10_000, entry_key="k", title="t", feed_link=None,
                     canonical_url=None, text="", html="")
    with pytest.raises(StorageError):
        store_polls(db, [SourceIntent(source.id, "ok", {"etag": '"e2"'}, articles=(broken,))])
    assert source_store.get_source(db, source.id).etag == '"e1"'


def test_unconditional_fetch_at_least_daily(db, feed_settings, server):
    server.route("/feed.xml", lambda r: Reply(304) if r.headers.get("If-None-Match") == '"v"'
                 else Reply(200, rss(_items(1)), {"ETag": '"v"'}))
    source = source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, feed_settings, everything=True)
    run_update(db, feed_settings, everything=True)
    assert server.requests[-1].headers.get("If-None-Match") == '"v"'
    source_store.update_source(db, source.id, last_unconditional=dt.datetime.now(dt.UTC)
                               - dt.timedelta(hours=25))
    assert run_update(db, feed_settings, everything=True).count("ok") == 1
    assert "If-None-Match" not in server.requests[-1].headers


def test_errors_back_off_but_never_stop(db, feed_settings, server):
    server.route("/down.xml", Reply(500, b"down"))
    source = source_store.add_source(db, server.url("/down.xml"))
    gaps = []
    for _ in range(6):
        run_update(db, feed_settings, source_id=source.id)
        failing = source_store.get_source(db, source.id)
        gaps.append((failing.next_poll - failing.last_polled).total_seconds())
    assert failing.error_count == 6 and "HTTP 500" in failing.last_error
    assert gaps[-1] > gaps[0] and all(g <= 86400 for g in gaps)
    later = failing.next_poll + dt.timedelta(seconds=1)
    assert source.id in [s.id for s in source_store.due_sources(db, later)]
    source_store.update_source(db, source.id, error_count=40)
    run_update(db, feed_settings, source_id=source.id)
    capped = source_store.get_source(db, source.id)
    assert (capped.next_poll - capped.last_polled).total_seconds() <= 86400


def test_gone_source_is_marked_and_still_retried(db, feed_settings, server):
    server.route("/gone.xml", Reply(410))
    source = source_store.add_source(db, server.url("/gone.xml"))
    run_update(db, feed_settings, everything=True)
    gone = source_store.get_source(db, source.id)
    assert gone.status == "gone" and gone.next_poll is not None
    assert source.id in [s.id for s in source_store.due_sources(
        db, gone.next_poll + dt.timedelta(seconds=1))]


def test_retry_after_date_on_503_is_honoured(db, feed_settings, server):
    import email.utils
    import time

    server.route("/busy.xml", Reply(503, headers={
        "Retry-After": email.utils.formatdate(time.time() + 5 * 3600, usegmt=True)}))
    source = source_store.add_source(db, server.url("/busy.xml"))
    run_update(db, feed_settings, everything=True)
    busy = source_store.get_source(db, source.id)
    assert (busy.next_poll - busy.last_polled).total_seconds() >= 5 * 3600 - 5


@pytest.mark.parametrize(("headers", "extra", "at_least"), [
    ({"Cache-Control": "public, max-age=7200"}, "", 7200),
    ({}, "<ttl>180</ttl>", 180 * 60),
])
def test_cache_headers_and_ttl_lengthen_the_interval(db, feed_settings, server, headers,
                                                     extra, at_least):
    body = rss(_items(3)).replace(b"<channel>", b"<channel>" + extra.encode())
    server.route("/feed.xml", Reply(200, body, headers))
    source = source_store.add_source(db, server.url("/feed.xml"))
    run_update(db, feed_settings, everything=True)
    polled = source_store.get_source(db, source.id)
    assert (polled.next_poll - polled.last_polled).total_seconds() >= at_least * 0.9


def test_failures_are_shown_per_source(db, feed_settings, server):
    server.route("/nope.xml", Reply(404))
    source = source_store.add_source(db, server.url("/nope.xml"))
    run_update(db, feed_settings, everything=True)
    with db.begin() as connection:
        row = connection.execute(sa.select(sources_table.c.last_error, sources_table.c.error_count)
                                 .where(sources_table.c.id == source.id)).one()
    assert "HTTP 404" in row.last_error and row.error_count == 1
