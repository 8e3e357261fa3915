"""Article view counts for "Most Popular", kept without cookies or addresses.

A view is stored as (day, mark, article): the mark is a hash of the reader's address,
user agent and the article under a salt that exists for one day only. Once the day's
salt is deleted the marks cannot be linked back to anyone; while it lives, a second
view of the same article by the same reader on the same day hashes to the same mark
and is not counted twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa

from broadsheet.store.articles import StoredArticle, get_articles
from broadsheet.store.db import Database
from broadsheet.store.schema import article_views, view_salts

KEEP_DAYS = 8
"""Marks older than this are deleted: Most Popular looks back seven days at most."""


def daily_salt(db: Database, day: dt.date) -> str:
    """The secret salt of ``day``, made on first use; older salts are destroyed."""
    with db.begin() as connection:
        connection.execute(db.insert(view_salts)
                           .values(day=day, salt=secrets.token_hex(16))
                           .on_conflict_do_nothing(index_elements=["day"]))
        connection.execute(sa.delete(view_salts).where(view_salts.c.day < day))
        return str(connection.scalar(sa.select(view_salts.c.salt)
                                     .where(view_salts.c.day == day)))


def view_mark(salt: str, address: str, user_agent: str, article_id: int) -> str:
    """The day's pseudonymous mark of one reader reading one article."""
    data = "\x00".join((salt, address, user_agent, str(article_id))).encode()
    return hashlib.sha256(data).hexdigest()[:32]


def record_view(db: Database, article_id: int, mark: str, day: dt.date) -> bool:
    """Count a view; False when this mark was already counted that day."""
    statement = (db.insert(article_views)
                 .values(day=day, mark=mark, article_id=article_id)
                 .on_conflict_do_nothing(index_elements=["day", "mark"]))
    with db.begin() as connection:
        return bool(connection.execute(statement).rowcount)


def prune_views(db: Database, today: dt.date) -> int:
    """Delete marks older than KEEP_DAYS; return how many went."""
    cutoff = today - dt.timedelta(days=KEEP_DAYS)
    with db.begin() as connection:
        return int(connection.execute(
            sa.delete(article_views).where(article_views.c.day < cutoff)).rowcount or 0)


def popular_articles(
    db: Database, since: dt.date, limit: int = 10
) -> list[tuple[StoredArticle, int]]:
    """The most viewed visible articles from ``since`` (a day) on, with their view counts."""
    views = sa.func.count().label("views")
    query = (sa.select(article_views.c.article_id, views)
             .where(article_views.c.day >= since)
             .group_by(article_views.c.article_id)
             .order_by(views.desc(), article_views.c.article_id.desc())
             .limit(limit * 2))
    with db.begin() as connection:
        counts = {row.article_id: int(row.views) for row in connection.execute(query)}
    found = get_articles(db, counts)
    return [(article, counts[article.id]) for article in found][:limit]
