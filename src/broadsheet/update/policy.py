"""What a source's own settings and the site's mean for one poll: its bounds and whether
pages are read (``poll_policy``), its extraction rules (``source_rules``). The settings
are read once per poll (``SourceSettings.of``: a bad stored value is logged and its
default used, never fatal)."""

from __future__ import annotations

import logging
from typing import Any

from broadsheet.extract import ExtractRules
from broadsheet.settings import SourceSettings
from broadsheet.types import Source
from broadsheet.update.decide import PollPolicy

log = logging.getLogger("broadsheet.update")


def source_rules(source: Source, own: SourceSettings | None = None) -> ExtractRules | None:
    """The source's extraction rules, or None; ``own`` is its settings when already read."""
    own = own if own is not None else SourceSettings.of(source)
    if not own.extract_selector and not own.extract_remove:
        return None
    return ExtractRules(keep=own.extract_selector, drop=own.extract_remove)


def poll_policy(source: Source, own: SourceSettings, settings: Any, *,
                pushed: bool = False) -> PollPolicy:
    """How to poll the source: its own bounds where set and sane, else the site's;
    feed-only when it or the site says so; relaxed while its hub pushes (``pushed``)."""
    low = own.poll_min_interval or settings.poll_min_interval
    high = own.poll_max_interval or settings.poll_max_interval
    if low > high:
        log.warning("source poll bounds ignored", extra={"source_url": source.url})
        low, high = settings.poll_min_interval, settings.poll_max_interval
    return PollPolicy(low, high, feed_only=own.feed_only or not settings.fetch_pages,
                      websub_max_seconds=settings.poll_max_interval if pushed else None)
