"""The update pipeline: the only module that calls several stages.

Each poll runs fetch -> parse -> read state -> decide (pure) -> write (one call)::

    store.sources.due_sources ─► for each source, concurrently (a broken one never stops others)
        │
        ▼
    fetch.Fetcher.fetch(feed, ETag / Last-Modified)
        │   304 or FetchError ─► nothing to parse: decided and written as below
        ▼
    parse.parse_feed(bytes)    ParseError ─► the same
        │
        ▼
    read state   store.ingest.seen_entries: entry keys stored or buried (tombstones),
        │        links of stored articles; store.sources: is a redirect's target subscribed
        ▼
    update.decide.decide_source   PURE: SourcePoll + Known + PollPolicy -> SourceIntent
        │   new entries (duplicate keys once; stored or buried keys skipped; same link
        │   and title under a new GUID skipped, flagged), as articles when feed-only;
        │   the source's validators, title, next poll (schedule.py), errors and
        │   back-off, gone (410), moved or merged (a permanent redirect seen twice)
        │
        │   feed-only, failed and unchanged polls: grouped with other sources' polls
        │   (update.write_batch), their state read, decided and written together
        │
        │   with pages, for each new entry, politely per host:
        │       fetch.Fetcher.fetch(page)      short-links and redirects followed
        │       extract.extract_article        main text, metadata, clean-up, sanitise last
        │       update.decide.build_article    feed vs page content, canonical address, dates
        │       store.ingest.store_article     one transaction per article; unique (source, key)
        ▼
    store.ingest.store_polls   THE write: new articles and the source's new state
        (validators, schedule, errors) in ONE transaction, after every new entry is
        stored (a crash before it re-polls in full, so an interrupted run loses nothing
        and, through the unique key, stores nothing twice)

    Every article stored is queued for the stories stage in the same transaction
    (store.placement_queue, kept by the database). Polling never waits for it:

    update.stories_step.assign_pending_stories   a batch off the queue, placed, its queue
        rows deleted with the placements in one transaction; ``update`` runs it after
        polling, ``run`` and ``worker`` in a background thread; always under the
        stories lease

    WebSub pushes (update.websub_push.receive_push) enter at parse.parse_feed with the
    pushed body and take the same path; a source with an active lease is polled at a
    relaxed interval.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from broadsheet.errors import BroadsheetError, ExtractError, FetchError, ParseError, StorageError
from broadsheet.extract import extract_article
from broadsheet.fetch import PAGE_ACCEPT, FetchConfig, Fetcher
from broadsheet.fetch.client import HostGate
from broadsheet.parse import parse_feed
from broadsheet.settings import SourceSettings
from broadsheet.store import Database, ingest, utcnow
from broadsheet.store import sources as source_store
from broadsheet.store import websub as websub_store
from broadsheet.store.placement_queue import count_queued
from broadsheet.types import FeedEntry, FetchResult, ParsedFeed, Source
from broadsheet.update import schedule
from broadsheet.update.decide import (
    Known,
    PollPolicy,
    SourceIntent,
    SourcePoll,
    build_article,
    decide_source,
)
from broadsheet.update.policy import poll_policy, source_rules
from broadsheet.update.write_batch import WriteBatch

log = logging.getLogger("broadsheet.update")


@dataclass
class SourceOutcome:
    """What one source's poll came to."""

    source: Source
    status: str  # "ok", "not_modified", "error"
    new_articles: int = 0
    error: str | None = None
    seconds: float | None = None
    """How long the feed's fetch took (until it failed, for a failed one)."""


@dataclass
class UpdateSummary:
    """Totals of one update run."""

    outcomes: list[SourceOutcome] = field(default_factory=list)
    placed: int = 0
    """Articles placed in stories after polling."""
    awaiting_placement: int | None = None
    """Articles stored but not yet placed when the run ended (None: not counted)."""

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

    def placement_line(self) -> str:
        """What the stories step did, printed by ``broadsheet update`` after ``line``."""
        return (f"{self.placed} articles placed in stories; "
                f"{self.awaiting_placement or 0} await placement")

    @property
    def all_failed(self) -> bool:
        """Every source polled failed (and at least one was polled)."""
        return bool(self.outcomes) and all(o.status == "error" for o in self.outcomes)


Progress = Callable[[SourceOutcome], None]


IDLE_STATUSES = source_store.IDLE_STATUSES

PARSE_IN_THREAD_BYTES = 256 * 1024
"""Feeds larger than this are parsed in a thread."""

_Decision = tuple[SourcePoll, PollPolicy]


class Updater:
    """Runs the pipeline for a set of sources with one shared Fetcher."""

    def __init__(self, db: Database, settings: Any, fetcher: Fetcher,
                 pushed: set[int] | None = None):
        self.db = db
        self.settings = settings
        self.fetcher = fetcher
        self.pushed = pushed or set()
        """Sources with an active WebSub lease: polled at a relaxed interval."""

    async def update_source(
        self, source: Source, batch: WriteBatch[_Decision, SourceIntent] | None = None
    ) -> SourceOutcome:
        """Poll one source; every failure is recorded on it, none is raised.

        With a ``batch``, a feed-only source's poll (and any failed or unchanged one) is
        written with many others' in one transaction; with pages, it is written alone.
        """
        own = SourceSettings.of(source)
        poll, seconds = await self._fetch_and_parse(source, own)
        if poll.error is not None:
            # The message names the source and the reason: the default log format shows
            # only the message, and a user reading ``update``'s output needs both.
            log.warning("source failed: %s: %s", source.url, poll.error,
                        extra={"source_url": source.url, "error": str(poll.error)})
        policy = self.policy(source, own)
        if batch is not None and (poll.status != "ok" or policy.feed_only):
            new = await batch.submit((poll, policy))
        else:
            new = await self.store_poll(poll, policy)
        return SourceOutcome(source, poll.status, new_articles=new, seconds=seconds,
                             error=None if poll.error is None else str(poll.error))

    def policy(self, source: Source, own: SourceSettings) -> PollPolicy:
        """How the source is polled, from its settings (``own``) and the site's."""
        return poll_policy(source, own, self.settings, pushed=source.id in self.pushed)

    async def _fetch_and_parse(self, source: Source, own: SourceSettings
                               ) -> tuple[SourcePoll, float]:
        """The poll as values, and how long the feed's fetch took (until it failed)."""
        now = utcnow()
        unconditional = schedule.needs_unconditional(source.last_unconditional, now)
        started = time.monotonic()
        seconds: float | None = None
        try:
            result = await self.fetcher.fetch(
                source.url,
                etag=None if unconditional else source.etag,
                last_modified=None if unconditional else source.last_modified,
            )
            seconds = time.monotonic() - started
            feed = None if result.not_modified else await self._parse(result)
        except (FetchError, ParseError) as error:
            return (SourcePoll(source, now, error=error, own=own),
                    seconds or time.monotonic() - started)
        return SourcePoll(source, now, result=result, feed=feed, unconditional=unconditional,
                          own=own), seconds

    async def _parse(self, result: FetchResult) -> ParsedFeed:
        # Large documents are parsed off the event loop (lxml releases the GIL while it
        # reads), so fetches keep flowing; small ones cost less than the hand-off.
        if len(result.body) > PARSE_IN_THREAD_BYTES:
            return await asyncio.to_thread(parse_feed, result.body, result.final_url,
                                           result.content_type)
        return parse_feed(result.body, result.final_url, result.content_type)

    async def store_poll(self, poll: SourcePoll, policy: PollPolicy) -> int:
        """Decide on one poll and store it; the number of new articles.

        Feed-only, its articles and the source's new state are written in one
        transaction; with pages, each article is stored as its page is read and the
        source's state (its validators) strictly after all of them.
        """
        (intent,) = self.decide([(poll, policy)])
        stored = await asyncio.gather(*(self._store_page(poll, entry) for entry in intent.pages))
        return self.write([intent])[0] + sum(stored)

    def decide(self, polls: Sequence[_Decision]) -> list[SourceIntent]:
        """Read what storage knows about these polls, then decide each (pure)."""
        known = read_known(self.db, [poll for poll, _policy in polls])
        intents = [decide_source(poll, known[poll.source.id], policy) for poll, policy in polls]
        for (poll, _policy), intent in zip(polls, intents, strict=True):
            if intent.rotated:
                log.warning("feed changed GUIDs of known items",
                            extra={"source_url": poll.source.url, "count": intent.rotated})
        return intents

    def write(self, intents: Sequence[SourceIntent]) -> list[int]:
        """Store these polls' results in one transaction; new articles for each."""
        added = ingest.store_polls(self.db, intents)
        return [added[intent.source_id] for intent in intents]

    async def _store_page(self, poll: SourcePoll, entry: FeedEntry) -> int:
        source = poll.source
        final_url, extracted, error = None, None, None
        if entry.link:
            try:
                page = await self.fetcher.fetch(entry.link, accept=PAGE_ACCEPT)
                final_url = page.final_url
                extracted = await asyncio.to_thread(extract_article, page.body, page.final_url,
                                                    rules=source_rules(source, poll.own))
            except (FetchError, ExtractError) as failure:
                error = str(failure)
                log.info("page failed", extra={"source_url": source.url, "error": error})
        article = build_article(source.id, entry, seen=poll.now, final_url=final_url,
                                extracted=extracted, error=error)
        return 1 if ingest.store_article(self.db, article) else 0


def read_known(db: Database, polls: Sequence[SourcePoll]) -> dict[int, Known]:
    """What storage holds that deciding on these polls needs, in a few queries: the
    entries their sources already have, and which redirect targets are subscribed."""
    feeds = {poll.source.id: [(e.key, e.link) for e in poll.feed.entries]
             for poll in polls if poll.feed is not None}
    seen = ingest.seen_entries(db, feeds) if feeds else {}
    targets = {poll.result.permanent_redirect for poll in polls
               if poll.result is not None and poll.result.permanent_redirect
               and poll.result.permanent_redirect != poll.source.url}
    subscribed = frozenset(source_store.source_urls(db) & targets) if targets else frozenset()
    known = {}
    for poll in polls:
        entries = seen.get(poll.source.id)
        known[poll.source.id] = Known(subscribed=subscribed) if entries is None else \
            Known(entries.keys, entries.pairs, subscribed)
    return known


async def update_sources(
    db: Database, settings: Any, sources: list[Source], progress: Progress | None = None,
    gate: HostGate | None = None,
) -> UpdateSummary:
    """Poll these sources concurrently and store what is new.

    ``gate`` shares per-host politeness with other workers (see update/host_gate.py).
    """
    summary = UpdateSummary()
    pushed = websub_store.active_source_ids(db, [s.id for s in sources])
    async with Fetcher(FetchConfig.from_settings(settings), gate) as fetcher:
        updater = Updater(db, settings, fetcher, pushed)
        batch = WriteBatch(updater.decide, updater.write)

        async def one(source: Source) -> None:
            try:
                outcome = await updater.update_source(source, batch)
            except BroadsheetError as error:  # storage trouble for one source
                log.exception("update failed", extra={"source_url": source.url})
                outcome = SourceOutcome(source, "error", error=str(error))
            summary.outcomes.append(outcome)
            if progress:
                progress(outcome)

        try:
            await asyncio.gather(*(one(s) for s in sources))
        finally:
            await batch.close()
    _log_polls(db, summary.outcomes)
    return summary


def _log_polls(db: Database, outcomes: list[SourceOutcome]) -> None:
    """One poll_log row per poll, in one transaction; a failure here costs only the log."""
    from broadsheet.store.polls import Poll, record_polls

    now = utcnow()
    try:
        record_polls(db, [Poll(o.source.id, now, o.status, o.seconds, o.new_articles)
                          for o in outcomes])
    except StorageError:
        log.warning("poll log not written", exc_info=True, extra={"count": len(outcomes)})


def run_update(
    db: Database, settings: Any, *, everything: bool = False, source_id: int | None = None,
    progress: Progress | None = None, place: bool = True,
) -> UpdateSummary:
    """Poll what is due (or everything, or one source) once, then (with ``place``) place
    what awaits placement in stories; the CLI's ``update``.

    Polling never waits for placement: articles are queued as they are stored and
    placed afterwards (or by whichever worker holds the stories lease).
    """
    if source_id is not None:
        chosen = [source_store.get_source(db, source_id)]
    elif everything:
        chosen = [s for s in source_store.list_sources(db) if s.status not in IDLE_STATUSES]
    else:
        chosen = source_store.due_sources(db)
    summary = asyncio.run(update_sources(db, settings, chosen, progress))
    if place:
        # After polling, not during it: a placer thread beside the poller measured slower
        # than the two in turn (bench/ingest: 301 s against 41 s + 212 s for 2,000 feeds),
        # both being interpreter-bound.
        summary.placed = place_queued_articles(db, settings)
    summary.awaiting_placement = count_queued(db)
    return summary


def place_queued_articles(db: Database, settings: Any, owner: str | None = None,
                          lease_seconds: float = 300.0,
                          keep_going: Callable[[], bool] | None = None) -> int:
    """Place what awaits placement, unless another process holds the stories lease now.

    The lease is renewed between batches; losing it (or ``keep_going`` saying stop)
    ends the run with the rest still queued.
    """
    from broadsheet.store import leases
    from broadsheet.update.stories_step import assign_pending_stories

    name = owner or leases.process_owner_id()
    if not leases.acquire_leader(db, "stories", name, lease_seconds):
        return 0

    def renewed() -> bool:
        if keep_going is not None and not keep_going():
            return False
        return leases.acquire_leader(db, "stories", name, lease_seconds)

    try:
        return assign_pending_stories(db, settings, keep_going=renewed)
    finally:
        leases.release_leader(db, "stories", name)
