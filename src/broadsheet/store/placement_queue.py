"""The placement queue: articles stored but not yet placed in a story.

Polling and placing are separate stages joined by this table. The database queues each
new article in the transaction that stores it (a trigger, see migration ingest_0002);
``store.stories.record_placements`` deletes the rows in the transaction that writes the
placements. So a placer that dies mid-batch leaves its batch queued, and a placement
is never written without its queue row going in the same commit.
"""

from __future__ import annotations

import sqlalchemy as sa

from broadsheet.store.db import Database
from broadsheet.store.schema import article_stories, articles, placement_queue
from broadsheet.store.stories import PendingArticle, _pending_row


def queued_articles(db: Database, limit: int) -> list[PendingArticle]:
    """Up to ``limit`` queued articles, oldest first (by published, then id)."""
    query = (
        sa.select(articles.c.id, articles.c.source_id, articles.c.title, articles.c.text,
                  articles.c.canonical_url, articles.c.published)
        .select_from(placement_queue.join(articles,
                                          articles.c.id == placement_queue.c.article_id))
        .order_by(articles.c.published, articles.c.id).limit(limit))
    with db.begin() as connection:
        return [_pending_row(r) for r in connection.execute(query)]


def count_queued(db: Database) -> int:
    """How many articles await placement."""
    with db.begin() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(placement_queue))
                   or 0)


def drop_placed(db: Database) -> int:
    """Take off the queue articles that already have a story (written by another path,
    such as a bulk import that places as it loads); return how many."""
    placed = sa.exists().where(article_stories.c.article_id == placement_queue.c.article_id)
    with db.begin() as connection:
        return max(connection.execute(sa.delete(placement_queue).where(placed)).rowcount, 0)
