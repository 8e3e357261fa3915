"""The poll log: one row per poll of a source, read by the feed health page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from broadsheet.store.db import Database, as_utc, to_db_time
from broadsheet.store.schema import poll_log

KEEP_DAYS = 45
"""Rows older than this are dropped as new ones are written."""


@dataclass(frozen=True)
class Poll:
    """One poll of a source."""

    source_id: int
    at: dt.datetime
    status: str
    seconds: float | None
    new_articles: int = 0


def record_polls(db: Database, polls: Sequence[Poll]) -> None:
    """Log a round of polls in one transaction, dropping rows past KEEP_DAYS."""
    if not polls:
        return
    oldest = min(p.at for p in polls) - dt.timedelta(days=KEEP_DAYS)
    with db.begin() as connection:
        connection.execute(sa.insert(poll_log), [
            {"source_id": p.source_id, "at": to_db_time(p.at), "status": p.status,
             "seconds": p.seconds, "new_articles": p.new_articles} for p in polls])
        connection.execute(sa.delete(poll_log).where(poll_log.c.at < to_db_time(oldest)))


def fetch_seconds_per_day(db: Database, since: dt.datetime) -> dict[int, dict[str, float]]:
    """Mean fetch time per source per UTC day since a time: {source_id: {"YYYY-MM-DD": s}}."""
    query = (sa.select(poll_log.c.source_id, poll_log.c.at, poll_log.c.seconds)
             .where(poll_log.c.at >= to_db_time(since))
             .where(poll_log.c.seconds.is_not(None)))
    sums: dict[int, dict[str, list[float]]] = {}
    with db.begin() as connection:
        for source_id, at, seconds in connection.execute(query):
            day = as_utc(at).date().isoformat()  # type: ignore[union-attr]
            sums.setdefault(source_id, {}).setdefault(day, []).append(float(seconds))
    return {sid: {day: sum(v) / len(v) for day, v in days.items()}
            for sid, days in sums.items()}
