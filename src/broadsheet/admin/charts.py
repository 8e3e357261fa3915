"""The feed health charts of every source, read from the store and drawn by ``plot.py``:
articles added per day and mean fetch time per day over the last 30 days."""

from __future__ import annotations

import datetime as dt
from typing import Any

from broadsheet.admin.plot import bar_chart, days_back, fetch_time_chart, nice_top
from broadsheet.store import Database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.store.polls import fetch_seconds_per_day


def article_plots(db: Database) -> tuple[list[dt.date], dict[int, Any]]:
    """Articles added per day of each source, last 30 days, all on one scale."""
    days = days_back(utcnow().date())
    counts = article_store.articles_per_day(db, dt.datetime.combine(days[0], dt.time(),
                                                                    dt.UTC))
    top = nice_top(n for per_day in counts.values() for n in per_day.values())

    def chart(per_day: dict[str, int]) -> Any:
        return bar_chart([(d.isoformat(), per_day.get(d.isoformat(), 0)) for d in days],
                         label="Articles per day", unit="/day", top=top)

    return days, _Default({source_id: chart(per_day) for source_id, per_day in counts.items()},
                          chart({}))


def fetch_time_plots(db: Database, days: list[dt.date]) -> dict[int, Any]:
    """Mean fetch time per day of each source (from the poll log), last 30 days, all on
    one scale."""
    seconds = fetch_seconds_per_day(db, dt.datetime.combine(days[0], dt.time(), dt.UTC))
    top = nice_top(s for per_day in seconds.values() for s in per_day.values())

    def chart(per_day: dict[str, float]) -> Any:
        return fetch_time_chart([(d.isoformat(), per_day.get(d.isoformat())) for d in days],
                                top=top)

    return _Default({source_id: chart(per_day) for source_id, per_day in seconds.items()},
                    chart({}))


class _Default(dict):  # type: ignore[type-arg]
    """A dict answering ``default`` for missing keys (sources with no recent articles)."""

    def __init__(self, values: dict[int, Any], default: Any):
        super().__init__(values)
        self.default = default

    def get(self, key: Any, default: Any = None) -> Any:
        return super().get(key, self.default)
