"""The update pipeline: the only module that calls several stages.

::

    store.sources.due_sources ─► for each source, concurrently (a broken one never stops others)
        │
        ▼
    fetch.Fetcher.fetch(feed, ETag / Last-Modified)
        │   304 ───────────────► record "not modified", schedule next poll ─► done
        │   FetchError ────────► record error, exponential back-off ─────────► done
        ▼
    parse.parse_feed(bytes) ─── ParseError ─► record error, back-off ─────────► done
        │
        ▼
    update.decide.fresh_entries   duplicate keys once; stored or buried (tombstone) keys
        │                         skipped; same link+title under a new GUID skipped, flagged
        │   feed-only: build_article for each, then articles + validators in ONE transaction
        │   with pages, for each, politely per host:
        ▼
    fetch.Fetcher.fetch(page)  short-links and redirects followed to the landing page
        ▼
    extract.extract_article(bytes, url)   main text, metadata, clean-up, sanitise last
        ▼
    update.decide.build_article           feed vs page content, canonical address, dates
        ▼
    store.articles.add_article            one transaction per article; unique (source, key)
        │
        ▼ after every new entry is stored
    record success: validators, title, next poll (a crash before this re-polls in full,
    so an interrupted run loses nothing and, through the unique key, stores nothing twice)

    WebSub pushes (receive_push) enter at parse.parse_feed with the pushed body and take
    the same path; a source with an active lease is polled at a relaxed interval.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from broadsheet.errors import BroadsheetError, ExtractError, FetchError, ParseError, SourceError
from broadsheet.extract import extract_article
from broadsheet.fetch import PAGE_ACCEPT, FetchConfig, Fetcher
from broadsheet.parse import parse_feed
from broadsheet.store import Database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.sources import websub
from broadsheet.store import sources as source_store
from broadsheet.store import websub as websub_store
from broadsheet.store.tombstones import seen_keys, seen_links, store_poll
from broadsheet.types import FeedEntry, FetchResult, ParsedFeed, Source
from broadsheet.update import schedule
from broadsheet.update.decide import build_article, fresh_entries

log = logging.getLogger("broadsheet.update")


@dataclass
class SourceOutcome:
    """What one source's poll came to."""

    source: Source
    status: str  # "ok", "not_modified", "error"
    new_articles: int = 0
    error: str | None = None


@dataclass
class UpdateSummary:
    """Totals of one update run."""

    outcomes: list[SourceOutcome] = field(default_factory=list)

    @property
    def polled(self) -> int:
        return len(self.outcomes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def new_articles(self) -> int:
        return sum(o.new_articles for o in self.outcomes)

    def line(self) -> str:
        """The one-line summary printed by ``broadsheet update``."""
        return (f"{self.polled} sources polled: {self.count('ok')} updated, "
                f"{self.count('not_modified')} not modified, {self.count('error')} failed; "
                f"{self.new_articles} new articles")


Progress = Callable[[SourceOutcome], None]


class Updater:
    """Runs the pipeline for a set of sources with one shared Fetcher."""

    def __init__(self, db: Database, settings: Any, fetcher: Fetcher,
                 pushed: set[int] | None = None):
        self.db = db
        self.settings = settings
        self.fetcher = fetcher
        self.pushed = pushed or set()
        """Sources with an active WebSub lease: polled at a relaxed interval."""

    async def update_source(self, source: Source) -> SourceOutcome:
        """Poll one source; every failure is recorded on it, none is raised."""
        now = utcnow()
        unconditional = schedule.needs_unconditional(source.last_unconditional, now)
        try:
            result = await self.fetcher.fetch(
                source.url,
                etag=None if unconditional else source.etag,
                last_modified=None if unconditional else source.last_modified,
            )
            if result.not_modified:
                self._record_not_modified(source, result, now)
                return SourceOutcome(source, "not_modified")
            feed = parse_feed(result.body, result.final_url, result.content_type)
        except (FetchError, ParseError) as error:
            return self._record_error(source, error, now)
        new = await self.store_feed(source, feed, result, now, unconditional=unconditional)
        return SourceOutcome(source, "ok", new_articles=new)

    async def store_feed(
        self, source: Source, feed: ParsedFeed, result: FetchResult | None, now: dt.datetime,
        *, unconditional: bool = False,
    ) -> int:
        """Store what is new in a parsed feed, then the source's validators and schedule.

        Feed-only sources write both in one transaction; with pages, each article is
        stored as its page is read and the validators strictly after all of them.
        """
        keys = {e.key for e in feed.entries}
        known = seen_keys(self.db, source.id, keys) if keys else set()
        candidates = [e for e in feed.entries if e.key not in known]
        pairs = seen_links(self.db, source.id, [e.link for e in candidates if e.link]) \
            if candidates else set()
        fresh, rotated = fresh_entries(candidates, known, pairs)
        values = self._success_values(source, feed, result, unconditional, rotated, now)
        if self._feed_only(source):
            built = [build_article(source.id, e, seen=now, feed_only=True) for e in fresh]
            return store_poll(self.db, source.id, built, values)
        stored = await asyncio.gather(*(self._store_entry(source, e, now) for e in fresh))
        store_poll(self.db, source.id, [], values)
        return sum(stored)

    def _feed_only(self, source: Source) -> bool:
        return bool(source.settings.get("feed_only")) or not self.settings.fetch_pages

    async def _store_entry(self, source: Source, entry: FeedEntry, now: dt.datetime) -> int:
        final_url, extracted, error = None, None, None
        if entry.link:
            try:
                page = await self.fetcher.fetch(entry.link, accept=PAGE_ACCEPT)
                final_url = page.final_url
                extracted = await asyncio.to_thread(extract_article, page.body, page.final_url)
            except (FetchError, ExtractError) as failure:
                error = str(failure)
                log.info("page failed", extra={"source_url": source.url, "error": error})
        article = build_article(source.id, entry, seen=now, final_url=final_url,
                                extracted=extracted, error=error)
        return 1 if article_store.add_article(self.db, article) is not None else 0

    def _relaxed(self, source: Source, interval: float) -> float:
        if source.id in self.pushed:
            return schedule.websub_interval(interval, self.settings.poll_max_interval)
        return interval

    def _limits(self) -> dict[str, int]:
        return {"min_seconds": self.settings.poll_min_interval,
                "max_seconds": self.settings.poll_max_interval}

    def _record_not_modified(self, source: Source, result: FetchResult, now: dt.datetime) -> None:
        """Nothing new: keep the interval the feed last earned, honouring cache headers."""
        previous = source.settings.get("poll_interval")
        interval = schedule.next_interval(
            [], **self._limits(), ttl_seconds=source.settings.get("feed_hint_seconds"),
            cache_seconds=schedule.cache_seconds(result.headers, now),
            fallback=float(previous) if isinstance(previous, int | float) else None)
        interval = self._relaxed(source, interval)
        source_store.update_source(
            self.db, source.id, last_polled=now, last_success=now, error_count=0,
            last_error=None, next_poll=now + dt.timedelta(seconds=interval))

    def _success_values(
        self, source: Source, feed: ParsedFeed, result: FetchResult | None,
        unconditional: bool, rotated: int, now: dt.datetime,
    ) -> dict[str, Any]:
        dates = [e.published for e in feed.entries if e.published]
        cache = schedule.cache_seconds(result.headers, now) if result else None
        interval = schedule.next_interval(dates, **self._limits(),
                                          ttl_seconds=feed.ttl_seconds, cache_seconds=cache)
        extra = dict(source.settings)
        extra["poll_interval"] = round(interval)
        interval = self._relaxed(source, interval)
        extra["feed_hint_seconds"] = feed.ttl_seconds
        if feed.hub_url:
            extra["hub"] = feed.hub_url
            extra["topic"] = feed.self_url or source.url
        if rotated:
            extra["guid_rotation"] = {"count": int(extra.get("guid_rotation", {}).get("count", 0))
                                      + rotated, "last_seen": now.isoformat()}
            log.warning("feed changed GUIDs of known items",
                        extra={"source_url": source.url, "count": rotated})
        values: dict[str, Any] = {
            "last_polled": now, "last_success": now, "error_count": 0, "last_error": None,
            "title": feed.title or source.title, "site_url": feed.site_url or source.site_url,
            "feed_format": feed.format, "next_poll": now + dt.timedelta(seconds=interval),
            "settings": extra,
        }
        if result is not None:
            values.update(etag=result.etag, last_modified=result.last_modified)
            values.update(self._redirect_values(source, result.permanent_redirect))
            if unconditional:
                values["last_unconditional"] = now
        return values

    def _redirect_values(self, source: Source, moved_to: str | None) -> dict[str, Any]:
        """A permanent redirect moves the source once it is seen on two polls in a row."""
        if not moved_to or moved_to == source.url:
            return {"pending_redirect": None}
        if source.pending_redirect == moved_to and moved_to not in source_store.source_urls(self.db):
            return {"url": moved_to, "pending_redirect": None}
        return {"pending_redirect": moved_to}

    def _record_error(self, source: Source, error: BroadsheetError, now: dt.datetime) -> SourceOutcome:
        count = source.error_count + 1
        retry_after = getattr(error, "retry_after", None)
        delay = schedule.error_backoff(
            count, min_seconds=self.settings.poll_min_interval,
            max_seconds=self.settings.poll_max_interval, retry_after=retry_after)
        values: dict[str, Any] = {
            "last_polled": now, "last_error": str(error)[:1000], "error_count": count,
            "next_poll": now + dt.timedelta(seconds=delay),
        }
        if getattr(error, "status", None) == 410:
            values["status"] = "gone"
        source_store.update_source(self.db, source.id, **values)
        log.warning("source failed", extra={"source_url": source.url, "error": str(error)})
        return SourceOutcome(source, "error", error=str(error))


async def update_sources(
    db: Database, settings: Any, sources: list[Source], progress: Progress | None = None
) -> UpdateSummary:
    """Poll these sources concurrently and store what is new."""
    summary = UpdateSummary()
    pushed = websub_store.active_source_ids(db, [s.id for s in sources])
    async with Fetcher(FetchConfig.from_settings(settings)) as fetcher:
        updater = Updater(db, settings, fetcher, pushed)

        async def one(source: Source) -> None:
            try:
                outcome = await updater.update_source(source)
            except BroadsheetError as error:  # storage trouble for one source
                log.exception("update failed", extra={"source_url": source.url})
                outcome = SourceOutcome(source, "error", error=str(error))
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)

        await asyncio.gather(*(one(s) for s in sources))
    return summary


@dataclass(frozen=True)
class PushOutcome:
    """What became of a WebSub push: "stored", "ignored" (bad signature, not a feed)
    or "unknown" (no subscription for that source)."""

    status: str
    new_articles: int = 0


async def receive_push(
    db: Database, settings: Any, source_id: int, body: bytes, content_type: str,
    signature: str | None,
) -> PushOutcome:
    """Check a WebSub push's signature, then store it like a polled feed."""
    subscription = websub_store.get_subscription(db, source_id)
    if subscription is None or subscription.state not in ("active", "requested"):
        return PushOutcome("unknown")
    now = utcnow()
    if not websub.signature_matches(subscription.secret, body, signature):
        websub_store.record_push(db, source_id, now,
                                 error="websub: push with a bad signature ignored")
        log.warning("websub push with a bad signature", extra={"source_id": source_id})
        return PushOutcome("ignored")
    try:
        source = source_store.get_source(db, source_id)
        feed = await asyncio.to_thread(parse_feed, body, subscription.topic, content_type)
    except (ParseError, SourceError) as error:
        websub_store.record_push(db, source_id, now, error=f"websub: push ignored: {error}")
        return PushOutcome("ignored")
    async with Fetcher(FetchConfig.from_settings(settings)) as fetcher:
        updater = Updater(db, settings, fetcher, {source_id})
        new = await updater.store_feed(source, feed, None, now)
    websub_store.record_push(db, source_id, now)
    return PushOutcome("stored", new)


def run_update(
    db: Database, settings: Any, *, everything: bool = False, source_id: int | None = None,
    progress: Progress | None = None,
) -> UpdateSummary:
    """Poll what is due (or everything, or one source) once; the CLI's ``update``."""
    if source_id is not None:
        chosen = [source_store.get_source(db, source_id)]
    elif everything:
        chosen = [s for s in source_store.list_sources(db) if s.status != "paused"]
    else:
        chosen = source_store.due_sources(db)
    return asyncio.run(update_sources(db, settings, chosen, progress))
