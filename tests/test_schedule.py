"""The poll schedule: adaptive, bounded, jittered, honouring the server's and feed's hints."""

from __future__ import annotations

import datetime as dt
import random

from broadsheet.update.schedule import (
    cache_seconds, error_backoff, needs_unconditional, next_interval,
)

NOW = dt.datetime(2025, 9, 1, 12, 0, tzinfo=dt.UTC)
LIMITS = {"min_seconds": 300, "max_seconds": 86400}


def _hourly(n: int) -> list[dt.datetime]:
    return [NOW - dt.timedelta(hours=i) for i in range(n)]


def test_interval_follows_the_publishing_rate_within_limits() -> None:
    rng = random.Random(1)
    assert 1620 <= next_interval(_hourly(10), **LIMITS, rng=rng) <= 1980  # half the gap ±10%
    busy = [NOW - dt.timedelta(seconds=10 * i) for i in range(10)]
    assert 300 <= next_interval(busy, **LIMITS, rng=rng) <= 330
    rare = [NOW - dt.timedelta(days=30 * i) for i in range(5)]
    assert 86400 * 0.9 <= next_interval(rare, **LIMITS, rng=rng) <= 86400


def test_hints_lengthen_but_never_pass_the_maximum() -> None:
    rng = random.Random(2)
    assert next_interval(_hourly(10), **LIMITS, ttl_seconds=7200, rng=rng) >= 7200 * 0.9
    assert next_interval(_hourly(10), **LIMITS, cache_seconds=4 * 86400, rng=rng) <= 86400
    assert next_interval([], **LIMITS, fallback=1000, rng=rng) <= 1100


def test_jitter_spreads_sources_apart() -> None:
    values = {round(next_interval(_hourly(10), **LIMITS, rng=random.Random(s))) for s in range(20)}
    assert len(values) > 10


def test_error_backoff_is_exponential_capped_and_honours_retry_after() -> None:
    rng = random.Random(3)
    delays = [error_backoff(n, **LIMITS, rng=rng) for n in range(1, 15)]
    assert delays[0] < delays[3] < delays[6] and max(delays) == 86400
    assert error_backoff(1, **LIMITS, retry_after=7200, rng=rng) >= 7200
    assert error_backoff(1, **LIMITS, retry_after=10 * 86400, rng=rng) == 86400


def test_cache_seconds_reads_max_age_and_expires() -> None:
    assert cache_seconds([("Cache-Control", "public, max-age=600")], NOW) == 600
    assert cache_seconds([("cache-control", 's-maxage="60"')], NOW) == 60
    expires = [("Expires", "Mon, 01 Sep 2025 13:00:00 GMT")]
    assert cache_seconds(expires, NOW) == 3600
    assert cache_seconds([("Expires", "0")], NOW) is None
    assert cache_seconds([], NOW) is None


def test_unconditional_fetch_every_day() -> None:
    assert needs_unconditional(None, NOW)
    assert not needs_unconditional(NOW - dt.timedelta(hours=23), NOW)
    assert needs_unconditional(NOW - dt.timedelta(hours=24), NOW)
