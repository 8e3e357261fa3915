"""Deletions that stick: an article deleted on purpose leaves a tombstone.

An article pruned or removed by an editor leaves a tombstone with its entry key, so a
feed that still lists the item never brings it back (``store.ingest.seen_entries`` reads
tombstones beside stored articles).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from broadsheet.store.db import Database, utcnow
from broadsheet.store.schema import articles, entry_tombstones

_CHUNK = 500


def bury(db: Database, source_id: int, keys: Iterable[str], connection: Any = None) -> None:
    """Record entry keys that must never become articles again for this source."""
    rows = [{"source_id": source_id, "entry_key": k, "created": utcnow()} for k in set(keys)]
    if not rows:
        return
    statement = db.insert(entry_tombstones).on_conflict_do_nothing(
        index_elements=["source_id", "entry_key"])
    if connection is not None:
        connection.execute(statement, rows)
        return
    with db.begin() as conn:
        conn.execute(statement, rows)


def delete_articles(db: Database, article_ids: Iterable[int]) -> int:
    """Delete articles and bury their entry keys in the same transaction; return how many."""
    ids = list(article_ids)
    deleted = 0
    with db.begin() as connection:
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start:start + _CHUNK]
            rows = connection.execute(sa.select(articles.c.source_id, articles.c.entry_key)
                                      .where(articles.c.id.in_(chunk))).all()
            for source_id in {r.source_id for r in rows}:
                bury(db, source_id, [r.entry_key for r in rows if r.source_id == source_id],
                     connection)
            deleted += connection.execute(
                sa.delete(articles).where(articles.c.id.in_(chunk))).rowcount
    return deleted
