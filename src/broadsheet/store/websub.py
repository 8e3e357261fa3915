"""Storage of WebSub subscriptions: one per source, with its hub, secret and lease.

States: ``requested`` (we asked the hub and wait for its verification call), ``active``
(verified; the lease runs until ``lease_expires``), ``failed`` (the hub refused or could
not be reached; polling carries on as before and the request is retried later).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from broadsheet.store.db import Database, as_utc, to_db_time, utcnow
from broadsheet.store.schema import websub_subscriptions as subs


@dataclass(frozen=True)
class Subscription:
    """A source's subscription at a hub, as stored."""

    source_id: int
    hub: str
    topic: str
    secret: str
    state: str
    requested: dt.datetime
    lease_expires: dt.datetime | None = None
    last_push: dt.datetime | None = None
    last_error: str | None = None


def _subscription(row: Any) -> Subscription:
    requested = as_utc(row.requested)
    assert requested is not None
    return Subscription(
        source_id=row.source_id, hub=row.hub, topic=row.topic, secret=row.secret,
        state=row.state, requested=requested, lease_expires=as_utc(row.lease_expires),
        last_push=as_utc(row.last_push), last_error=row.last_error)


def get_subscription(db: Database, source_id: int) -> Subscription | None:
    """The source's subscription, or None."""
    with db.begin() as connection:
        row = connection.execute(sa.select(subs).where(subs.c.source_id == source_id)).first()
    return _subscription(row) if row is not None else None


def all_subscriptions(db: Database) -> dict[int, Subscription]:
    """Every subscription by source id."""
    with db.begin() as connection:
        rows = connection.execute(sa.select(subs)).all()
    return {row.source_id: _subscription(row) for row in rows}


def active_source_ids(db: Database, ids: Iterable[int], now: dt.datetime | None = None) -> set[int]:
    """Which of these sources hold a verified lease that has not run out."""
    ids = list(ids)
    if not ids:
        return set()
    with db.begin() as connection:
        return set(connection.scalars(
            sa.select(subs.c.source_id).where(subs.c.state == "active")
            .where(subs.c.lease_expires > to_db_time(now or utcnow()))
            .where(subs.c.source_id.in_(ids))))


def record_request(db: Database, source_id: int, hub: str, topic: str, secret: str,
                   now: dt.datetime) -> None:
    """Note that a subscription was requested, before the hub can call back."""
    values = {"hub": hub, "topic": topic, "secret": secret, "state": "requested",
              "requested": to_db_time(now), "last_error": None}
    statement = db.insert(subs).values(source_id=source_id, **values)
    statement = statement.on_conflict_do_update(index_elements=["source_id"], set_=values)
    with db.begin() as connection:
        connection.execute(statement)


def record_verified(db: Database, source_id: int, lease_expires: dt.datetime) -> None:
    """The hub confirmed our request: the lease runs until ``lease_expires``."""
    _update(db, source_id, state="active", lease_expires=to_db_time(lease_expires),
            last_error=None)


def record_failure(db: Database, source_id: int, error: str) -> None:
    """The hub refused or failed: polling alone keeps the source fresh."""
    _update(db, source_id, state="failed", last_error=error[:1000])


def record_push(db: Database, source_id: int, now: dt.datetime, error: str | None = None) -> None:
    """A push arrived (``error`` says why it was ignored, if it was)."""
    if error is None:
        _update(db, source_id, last_push=to_db_time(now))
    else:
        _update(db, source_id, last_error=error[:1000])


def _update(db: Database, source_id: int, **values: Any) -> None:
    with db.begin() as connection:
        connection.execute(sa.update(subs).where(subs.c.source_id == source_id).values(**values))
