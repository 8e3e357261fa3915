"""WebSub pushes: a hub sends a feed's new body; it is checked, then stored like a poll.

::

    api/websub.py (the callback) ─► receive_push
        no active or requested subscription ─► "unknown"
        bad signature (sources.websub.signature_matches) ─► recorded, "ignored"
        parse.parse_feed(body) ── ParseError ─► recorded, "ignored"
        ▼
    update.pipeline.Updater.store_poll   decide and write as for a polled feed (no
        validators: a push carries none), then the push is recorded on the subscription
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from broadsheet.errors import ParseError, SourceError
from broadsheet.fetch import FetchConfig, Fetcher
from broadsheet.parse import parse_feed
from broadsheet.settings import SourceSettings
from broadsheet.sources import websub
from broadsheet.store import Database, utcnow
from broadsheet.store import sources as source_store
from broadsheet.store import websub as websub_store
from broadsheet.update.decide import SourcePoll
from broadsheet.update.pipeline import Updater

log = logging.getLogger("broadsheet.update")


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
        own = SourceSettings.of(source)
        new = await updater.store_poll(SourcePoll(source, now, feed=feed, own=own),
                                       updater.policy(source, own))
    websub_store.record_push(db, source_id, now)
    return PushOutcome("stored", new)
