"""What ``/metrics`` reads from storage: each source's poll state and a few counts, in
one transaction, as plain values (so no SQLAlchemy reaches the web layer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from broadsheet.store.db import Database, as_utc
from broadsheet.store.schema import articles, sources, users


@dataclass(frozen=True)
class SourceState:
    """One source as the metrics show it."""

    id: int
    title: str
    url: str
    status: str
    error_count: int
    last_success: dt.datetime | None
    last_polled: dt.datetime | None
    next_poll: dt.datetime | None


@dataclass(frozen=True)
class StoreCounts:
    """Everything ``/metrics`` counts in the database, read at one moment."""

    sources: tuple[SourceState, ...]
    articles_per_source: dict[int, int]
    articles_per_method: tuple[tuple[str, int], ...]
    """(extraction method, articles), in the database's order."""
    extraction_errors: int
    users_per_role: tuple[tuple[str, int], ...]


def store_counts(db: Database) -> StoreCounts:
    """Read the sources' poll state and the article and user counts in one transaction."""
    with db.begin() as connection:
        rows = connection.execute(sa.select(
            sources.c.id, sources.c.title, sources.c.url, sources.c.status,
            sources.c.error_count, sources.c.last_success, sources.c.last_polled,
            sources.c.next_poll)).all()
        per_source = connection.execute(
            sa.select(articles.c.source_id, sa.func.count()).group_by(articles.c.source_id)).all()
        methods = connection.execute(
            sa.select(articles.c.extraction_method, sa.func.count())
            .group_by(articles.c.extraction_method)).all()
        errors = connection.scalar(
            sa.select(sa.func.count()).select_from(articles)
            .where(articles.c.extraction_error.is_not(None))) or 0
        roles = connection.execute(sa.select(users.c.role, sa.func.count())
                                   .group_by(users.c.role)).all()
    return StoreCounts(
        sources=tuple(SourceState(r.id, r.title, r.url, r.status, r.error_count,
                                  as_utc(r.last_success), as_utc(r.last_polled),
                                  as_utc(r.next_poll)) for r in rows),
        articles_per_source={int(sid): int(n) for sid, n in per_source},
        articles_per_method=tuple((m, int(n)) for m, n in methods),
        extraction_errors=int(errors),
        users_per_role=tuple((role, int(n)) for role, n in roles),
    )
