"""Per-user reading state (read, starred) and the article queries reader apps need.

An article with no row for a user is unread and not starred; rows are written only
when a reader changes something, so a new article costs nothing per user.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from broadsheet.store.articles import StoredArticle, get_articles, visible
from broadsheet.store.db import Database, to_db_time, utcnow
from broadsheet.store.schema import articles, reader_state

MAX_IDS = 10_000


@dataclass(frozen=True)
class Entry:
    """An article with one reader's state."""

    article: StoredArticle
    read: bool
    starred: bool


@dataclass(frozen=True)
class EntryFilter:
    """Which visible articles a reader asks for; None means "any"."""

    source_ids: tuple[int, ...] | None = None
    read: bool | None = None
    starred: bool | None = None
    published_after: dt.datetime | None = None
    published_before: dt.datetime | None = None
    after_id: int | None = None
    before_id: int | None = None
    ids: tuple[int, ...] | None = None



def _filtered(user_id: int, query: sa.Select[Any], f: EntryFilter) -> sa.Select[Any]:
    rs = reader_state
    query = query.select_from(articles.outerjoin(
        rs, sa.and_(rs.c.article_id == articles.c.id, rs.c.user_id == user_id)))
    query = query.where(visible())
    read = sa.func.coalesce(rs.c.read, sa.false())
    starred = sa.func.coalesce(rs.c.starred, sa.false())
    if f.source_ids is not None:
        query = query.where(articles.c.source_id.in_(f.source_ids))
    if f.read is not None:
        query = query.where(read.is_(sa.true()) if f.read else read.is_(sa.false()))
    if f.starred is not None:
        query = query.where(starred.is_(sa.true()) if f.starred else starred.is_(sa.false()))
    if f.published_after is not None:
        query = query.where(articles.c.published >= to_db_time(f.published_after))
    if f.published_before is not None:
        query = query.where(articles.c.published < to_db_time(f.published_before))
    if f.after_id is not None:
        query = query.where(articles.c.id > f.after_id)
    if f.before_id is not None:
        query = query.where(articles.c.id < f.before_id)
    if f.ids is not None:
        query = query.where(articles.c.id.in_(f.ids))
    return query


def entry_ids(db: Database, user_id: int, f: EntryFilter, *, limit: int = 100, offset: int = 0,
              order: str = "published", descending: bool = True) -> list[int]:
    """Ids of matching articles, newest first by default (or by id)."""
    key = articles.c.id if order == "id" else articles.c.published
    sort = [key.desc(), articles.c.id.desc()] if descending else [key.asc(), articles.c.id.asc()]
    query = _filtered(user_id, sa.select(articles.c.id), f).order_by(*sort)
    query = query.limit(max(0, min(limit, MAX_IDS))).offset(max(0, offset))
    with db.begin() as connection:
        return list(connection.scalars(query))


def count_entries(db: Database, user_id: int, f: EntryFilter) -> int:
    """How many articles match."""
    query = _filtered(user_id, sa.select(sa.func.count()), f)
    with db.begin() as connection:
        return int(connection.scalar(query) or 0)


def get_entries(db: Database, user_id: int, ids: Iterable[int]) -> list[Entry]:
    """The visible articles with these ids and the user's state, in the order given."""
    found = get_articles(db, ids)
    if not found:
        return []
    query = (sa.select(reader_state.c.article_id, reader_state.c.read, reader_state.c.starred)
             .where(reader_state.c.user_id == user_id)
             .where(reader_state.c.article_id.in_([a.id for a in found])))
    with db.begin() as connection:
        state = {row.article_id: (bool(row.read), bool(row.starred))
                 for row in connection.execute(query)}
    return [Entry(a, *state.get(a.id, (False, False))) for a in found]


def set_state(db: Database, user_id: int, article_ids: Iterable[int], *,
              read: bool | None = None, starred: bool | None = None) -> int:
    """Set read and/or starred on these articles for a user; return how many exist."""
    ids = sorted({int(i) for i in article_ids})
    values: dict[str, Any] = {}
    if read is not None:
        values["read"] = read
    if starred is not None:
        values["starred"] = starred
    if not ids or not values:
        return 0
    changed = 0
    with db.begin() as connection:
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            existing = list(connection.scalars(sa.select(articles.c.id)
                                               .where(articles.c.id.in_(chunk))))
            if not existing:
                continue
            rows = [{"user_id": user_id, "article_id": i, "changed": utcnow(),
                     "read": values.get("read", False), "starred": values.get("starred", False)}
                    for i in existing]
            statement = db.insert(reader_state).values(rows)
            statement = statement.on_conflict_do_update(
                index_elements=["user_id", "article_id"],
                set_={**{k: getattr(statement.excluded, k) for k in values},
                      "changed": statement.excluded.changed})
            connection.execute(statement)
            changed += len(existing)
    return changed


def toggle_starred(db: Database, user_id: int, article_id: int) -> bool | None:
    """Flip the star of one article; return the new value, or None if no such article."""
    entries = get_entries(db, user_id, [article_id])
    if not entries:
        return None
    set_state(db, user_id, [article_id], starred=not entries[0].starred)
    return not entries[0].starred


def mark_all_read(db: Database, user_id: int, f: EntryFilter) -> int:
    """Mark every matching unread article read; return how many."""
    ids = entry_ids(db, user_id, EntryFilter(**{**f.__dict__, "read": False}), limit=MAX_IDS)
    total = 0
    while ids:
        total += set_state(db, user_id, ids, read=True)
        ids = entry_ids(db, user_id, EntryFilter(**{**f.__dict__, "read": False}),
                        limit=MAX_IDS)
    return total


def unread_counts(db: Database, user_id: int) -> dict[int, int]:
    """Unread articles per source id."""
    query = _filtered(user_id, sa.select(articles.c.source_id, sa.func.count()),
                      EntryFilter(read=False)).group_by(articles.c.source_id)
    with db.begin() as connection:
        return {int(r[0]): int(r[1]) for r in connection.execute(query)}
