"""When to poll a source next: adaptive to its publishing rate, patient with its errors.

Pure functions: the pipeline hands them what it saw and stores what they return.
"""

from __future__ import annotations

import datetime as dt
import random
from email.utils import parsedate_to_datetime
from collections.abc import Sequence

UNCONDITIONAL_EVERY = dt.timedelta(hours=24)
WEBSUB_POLL_SECONDS = 6 * 3600
"""How often a source whose hub pushes to us is still polled, in case the hub fails."""


def next_interval(
    published: Sequence[dt.datetime],
    *,
    min_seconds: int,
    max_seconds: int,
    ttl_seconds: int | None = None,
    cache_seconds: float | None = None,
    fallback: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until the next poll, from the gaps between recent items.

    Half the median gap between the newest items, bounded by the source's own hints
    (ttl, sy:updatePeriod, Cache-Control/Expires) and the configured limits, with ±10%
    jitter so that sources added together drift apart. With no dates to go on, the
    ``fallback`` (the interval the source earned last time) or a quarter of the maximum.
    """
    times = sorted(published, reverse=True)[:20]
    gaps = [(a - b).total_seconds() for a, b in zip(times, times[1:], strict=False)]
    gaps = sorted(g for g in gaps if g > 0)
    if gaps:
        interval = gaps[len(gaps) // 2] / 2
    else:
        interval = fallback if fallback else float(max_seconds) / 4
    for hint in (ttl_seconds, cache_seconds):
        if hint:
            interval = max(interval, float(hint))
    interval = min(max(interval, float(min_seconds)), float(max_seconds))
    jitter = (rng or random).uniform(0.9, 1.1)
    return min(max(interval * jitter, float(min_seconds)), float(max_seconds))


def websub_interval(interval: float, max_seconds: int) -> float:
    """The polling interval of a source whose hub pushes: relaxed, never beyond the max."""
    return max(interval, float(min(WEBSUB_POLL_SECONDS, max_seconds)))


def error_backoff(
    error_count: int,
    *,
    min_seconds: int,
    max_seconds: int,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> float:
    """Seconds until retrying a failing source: exponential, jittered, never forever.

    The source is always retried, at most ``max_seconds`` (a day by default) apart;
    a server's Retry-After is honoured when it asks for longer.
    """
    exponent = max(0, min(error_count - 1, 20))
    delay = min(float(min_seconds) * (2**exponent), float(max_seconds))
    delay *= (rng or random).uniform(0.85, 1.15)
    if retry_after:
        delay = max(delay, retry_after)
    return min(max(delay, float(min_seconds)), float(max_seconds))


def needs_unconditional(last_unconditional: dt.datetime | None, now: dt.datetime) -> bool:
    """True when validators should be left off, to catch servers with stale 304s."""
    return last_unconditional is None or now - last_unconditional >= UNCONDITIONAL_EVERY


def cache_seconds(headers: Sequence[tuple[str, str]], now: dt.datetime) -> float | None:
    """How long the server says its answer stays fresh: Cache-Control max-age (or
    s-maxage), else Expires; None when it says nothing usable."""
    values = {key.lower(): value for key, value in headers}
    control = values.get("cache-control", "")
    for part in control.split(","):
        name, _, value = part.strip().partition("=")
        if name.lower() in ("max-age", "s-maxage") and value.strip().strip('"').isdigit():
            return float(value.strip().strip('"'))
    expires = values.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError, IndexError):
            return None
        if when is not None and when.tzinfo is not None:
            return max(0.0, (when - now).total_seconds())
    return None
