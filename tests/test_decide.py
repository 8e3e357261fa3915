"""The decider on plain values: what a poll stores, what it marks, when the source is
polled next. No database, no server: ``decide_source`` is pure."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from broadsheet.errors import FetchError, ParseError
from broadsheet.settings import SourceSettings
from broadsheet.types import FeedEntry, FetchResult, ParsedFeed, Source
from broadsheet.update.decide import Known, PollPolicy, SourcePoll, decide_source

NOW = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
FEED = "https://news.example/feed.xml"
POLICY = PollPolicy(min_seconds=300, max_seconds=86400)


def _entry(n: int, key: str | None = None, title: str | None = None) -> FeedEntry:
    return FeedEntry(key=key or f"k{n}", title=title or f"Item {n}",
                     link=f"https://news.example/{n}",
                     published=NOW - dt.timedelta(hours=n))


def _feed(*entries: FeedEntry, **fields: Any) -> ParsedFeed:
    return ParsedFeed(title="News", format="rss", entries=entries, **fields)


def _ok(feed: ParsedFeed, source: Source | None = None, own: SourceSettings | None = None,
        **result: Any) -> SourcePoll:
    fetched = FetchResult(url=FEED, final_url=FEED, status=200, **result)
    return SourcePoll(source or Source(id=1, url=FEED), NOW, result=fetched, feed=feed,
                      own=own or SourceSettings())


def _seconds_until(when: dt.datetime) -> float:
    return (when - NOW).total_seconds()


def test_new_entries_become_articles_and_known_ones_are_skipped() -> None:
    feed = _feed(_entry(0), _entry(1), _entry(2), _entry(3, key="k0"))
    intent = decide_source(_ok(feed), Known(keys=frozenset({"k1"})), POLICY)
    assert intent.status == "ok" and intent.source_id == 1
    assert [a.entry_key for a in intent.articles] == ["k0", "k2"]
    assert intent.pages == () and intent.rotated == 0 and intent.error is None


def test_an_item_back_under_a_new_guid_is_skipped_and_flagged() -> None:
    own = SourceSettings.parse({"guid_rotation": {"count": 2, "last_seen": "2025-08-01"}})
    known = Known(pairs=frozenset({("https://news.example/0", "Item 0")}))
    intent = decide_source(_ok(_feed(_entry(0, key="new-guid"), _entry(1)), own=own), known,
                           POLICY)
    assert [a.entry_key for a in intent.articles] == ["k1"] and intent.rotated == 1
    assert intent.values["settings"]["guid_rotation"] == {"count": 3,
                                                          "last_seen": NOW.isoformat()}


def test_with_pages_the_new_entries_are_handed_over_unbuilt() -> None:
    policy = PollPolicy(min_seconds=300, max_seconds=86400, feed_only=False)
    intent = decide_source(_ok(_feed(_entry(0), _entry(1))), Known(keys=frozenset({"k0"})),
                           policy)
    assert intent.articles == () and [e.key for e in intent.pages] == ["k1"]


def test_success_stores_validators_title_and_the_next_poll() -> None:
    feed = _feed(*(_entry(n) for n in range(5)), site_url="javascript:alert(1)", ttl_seconds=600)
    poll = _ok(feed, etag='"v2"', last_modified="Mon, 01 Sep 2025 10:00:00 GMT")
    values = decide_source(poll, Known(), POLICY, random.Random(1)).values
    assert values["etag"] == '"v2"' and values["last_modified"].startswith("Mon")
    assert values["title"] == "News" and values["site_url"] is None  # never a javascript: link
    assert values["error_count"] == 0 and values["last_error"] is None
    assert values["pending_redirect"] is None and "last_unconditional" not in values
    assert 1620 <= _seconds_until(values["next_poll"]) <= 1980  # half the hourly gap, ±10%
    assert values["settings"]["poll_interval"] == round(_seconds_until(values["next_poll"]))
    assert values["settings"]["feed_hint_seconds"] == 600


def test_an_unconditional_fetch_is_recorded_and_a_push_brings_no_validators() -> None:
    poll = _ok(_feed(_entry(0)), etag='"v"')
    unconditional = SourcePoll(poll.source, NOW, result=poll.result, feed=poll.feed,
                               unconditional=True)
    assert decide_source(unconditional, Known(), POLICY).values["last_unconditional"] == NOW
    pushed = decide_source(SourcePoll(poll.source, NOW, feed=poll.feed), Known(), POLICY)
    assert "etag" not in pushed.values and "pending_redirect" not in pushed.values
    assert [a.entry_key for a in pushed.articles] == ["k0"]


def test_a_hub_that_pushes_relaxes_polling_within_the_maximum() -> None:
    relaxed = PollPolicy(min_seconds=300, max_seconds=86400, websub_max_seconds=86400)
    values = decide_source(_ok(_feed(_entry(0), _entry(1))), Known(), relaxed).values
    assert _seconds_until(values["next_poll"]) >= 6 * 3600
    assert values["settings"]["poll_interval"] < 6 * 3600  # what the feed itself earned


def test_not_modified_keeps_the_interval_the_feed_earned_and_revives_a_gone_source() -> None:
    source = Source(id=1, url=FEED, status="gone", error_count=3)
    own = SourceSettings.parse({"poll_interval": 3600})
    result = FetchResult(url=FEED, final_url=FEED, status=304, not_modified=True)
    intent = decide_source(SourcePoll(source, NOW, result=result, own=own), Known(), POLICY,
                           random.Random(3))
    assert intent.status == "not_modified" and intent.articles == ()
    assert intent.values["status"] == "active" and intent.values["error_count"] == 0
    assert 3240 <= _seconds_until(intent.values["next_poll"]) <= 3960


def test_errors_back_off_and_a_410_marks_the_source_gone() -> None:
    source = Source(id=1, url=FEED, error_count=2)
    failed = decide_source(SourcePoll(source, NOW, error=ParseError("parse: not a feed")),
                           Known(), POLICY, random.Random(4))
    assert failed.status == "error" and failed.error == "parse: not a feed"
    assert failed.values["error_count"] == 3 and failed.values["last_error"] == failed.error
    assert 1020 <= _seconds_until(failed.values["next_poll"]) <= 1380  # 300 * 2**2, ±15%
    assert "status" not in failed.values
    gone = decide_source(SourcePoll(source, NOW, error=FetchError("fetch: 410", status=410)),
                         Known(), POLICY)
    assert gone.values["status"] == "gone"
    waiting = FetchError("fetch: 429", status=429, retry_after=7200)
    later = decide_source(SourcePoll(source, NOW, error=waiting), Known(), POLICY)
    assert _seconds_until(later.values["next_poll"]) >= 7200


def test_a_permanent_redirect_moves_the_source_on_the_second_poll_or_merges_it() -> None:
    moved = "https://news.example/new-feed.xml"
    first = decide_source(_ok(_feed(), permanent_redirect=moved), Known(), POLICY)
    assert first.values["pending_redirect"] == moved and "url" not in first.values
    pending = Source(id=1, url=FEED, pending_redirect=moved)
    second = decide_source(_ok(_feed(), pending, permanent_redirect=moved), Known(), POLICY)
    assert second.values["url"] == moved and second.values["pending_redirect"] is None
    taken = Known(subscribed=frozenset({moved}))
    merged = decide_source(_ok(_feed(), pending, permanent_redirect=moved), taken, POLICY)
    assert merged.values["status"] == "merged" and "url" not in merged.values
    assert moved in merged.values["last_error"]


def test_the_decision_is_frozen() -> None:
    intent = decide_source(_ok(_feed(_entry(0))), Known(), POLICY)
    with pytest.raises(TypeError):
        intent.values["etag"] = "changed"  # type: ignore[index]


_keys = st.sampled_from(["a", "b", "c", "d", "e"])
_links = st.one_of(st.none(), st.sampled_from(["https://x.example/1", "https://x.example/2"]))
_titles = st.sampled_from(["One", "Two"])
_entries = st.lists(st.builds(lambda k, link, t: FeedEntry(key=k, title=t, link=link),
                              _keys, _links, _titles), max_size=12)


@given(_entries, st.frozensets(_keys), st.frozensets(st.tuples(
    st.sampled_from(["https://x.example/1", "https://x.example/2"]), _titles)),
    st.booleans())
def test_decisions_never_store_a_key_twice_nor_one_already_known(
        entries: list[FeedEntry], keys: frozenset[str],
        pairs: frozenset[tuple[str, str]], feed_only: bool) -> None:
    policy = PollPolicy(min_seconds=300, max_seconds=86400, feed_only=feed_only)
    known = Known(keys=keys, pairs=pairs)
    intent = decide_source(_ok(_feed(*entries)), known, policy)
    chosen = [a.entry_key for a in intent.articles] + [e.key for e in intent.pages]
    assert len(chosen) == len(set(chosen)) and not set(chosen) & keys
    stored = [(e.link, e.title) for e in intent.pages] + [
        (a.feed_link, a.title) for a in intent.articles]
    assert not {pair for pair in stored if pair[0]} & pairs
    # Deciding again once those are stored stores nothing more: a re-poll is harmless.
    again = Known(keys=keys | set(chosen), pairs=pairs | {p for p in stored if p[0]})
    repeat = decide_source(_ok(_feed(*entries)), again, policy)
    assert repeat.articles == () and repeat.pages == ()
