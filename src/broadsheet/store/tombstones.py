"""Storage for ingest: which feed entries a source already had, and deletions that stick.

An article deleted on purpose (pruned, removed by an editor) leaves a tombstone with
its entry key, so a feed that still lists the item never brings it back. Entries
that come back under a new GUID (feeds that rotate GUIDs on every poll) are found
by their link and title.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from broadsheet.store import sources as sources_store
from broadsheet.store.db import Database, to_db_time, utcnow
from broadsheet.store.schema import articles, entry_tombstones, sources
from broadsheet.types import Article

_CHUNK = 500


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


def seen_keys(db: Database, source_id: int, keys: Iterable[str]) -> set[str]:
    """Which of these entry keys the source has stored or buried."""
    keys = list(keys)
    found: set[str] = set()
    with db.begin() as connection:
        for chunk in _chunks(keys):
            for table in (articles, entry_tombstones):
                found.update(connection.scalars(
                    sa.select(table.c.entry_key).where(table.c.source_id == source_id)
                    .where(table.c.entry_key.in_(chunk))))
    return found


def seen_links(db: Database, source_id: int, links: Iterable[str]) -> set[tuple[str, str]]:
    """(feed link, title) pairs already stored for the source among these links."""
    links = [link for link in set(links) if link]
    found: set[tuple[str, str]] = set()
    with db.begin() as connection:
        for chunk in _chunks(links):
            found.update((row.feed_link, row.title) for row in connection.execute(
                sa.select(articles.c.feed_link, articles.c.title)
                .where(articles.c.source_id == source_id)
                .where(articles.c.feed_link.in_(chunk))))
    return found


_KEYS_OF = {
    table: sa.select(table.c.source_id, table.c.entry_key)
    .where(table.c.source_id.in_(sa.bindparam("ids", expanding=True)))
    .where(table.c.entry_key.in_(sa.bindparam("keys", expanding=True)))
    for table in (articles, entry_tombstones)
}
_LINKS_OF = (
    sa.select(articles.c.source_id, articles.c.feed_link, articles.c.title)
    .where(articles.c.source_id.in_(sa.bindparam("ids", expanding=True)))
    .where(articles.c.feed_link.in_(sa.bindparam("links", expanding=True))))


def seen_keys_many(db: Database, wanted: dict[int, set[str]]) -> dict[int, set[str]]:
    """``seen_keys`` for many sources at once: a few queries instead of two per source."""
    found: dict[int, set[str]] = {source_id: set() for source_id in wanted}
    ids = list(wanted)
    everything = sorted(set().union(*wanted.values())) if wanted else []
    with db.begin() as connection:
        for chunk in _chunks(everything):
            for statement in _KEYS_OF.values():
                for source_id, key in connection.execute(statement,
                                                         {"ids": ids, "keys": list(chunk)}):
                    if key in wanted[source_id]:
                        found[source_id].add(key)
    return found


def seen_links_many(db: Database, wanted: dict[int, set[str]]
                    ) -> dict[int, set[tuple[str, str]]]:
    """``seen_links`` for many sources at once."""
    found: dict[int, set[tuple[str, str]]] = {source_id: set() for source_id in wanted}
    ids = [source_id for source_id, links in wanted.items() if links]
    everything = sorted(set().union(*wanted.values())) if ids else []
    with db.begin() as connection:
        for chunk in _chunks(everything):
            for source_id, link, title in connection.execute(
                    _LINKS_OF, {"ids": ids, "links": list(chunk)}):
                if link in wanted[source_id]:
                    found[source_id].add((link, title))
    return found


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
        for chunk in _chunks(ids):
            rows = connection.execute(sa.select(articles.c.source_id, articles.c.entry_key)
                                      .where(articles.c.id.in_(chunk))).all()
            for source_id in {r.source_id for r in rows}:
                bury(db, source_id, [r.entry_key for r in rows if r.source_id == source_id],
                     connection)
            deleted += connection.execute(
                sa.delete(articles).where(articles.c.id.in_(chunk))).rowcount
    return deleted


def _article_values(article: Article) -> dict[str, Any]:
    now = utcnow()
    return {
        "source_id": article.source_id, "entry_key": article.entry_key,
        "feed_link": article.feed_link, "canonical_url": article.canonical_url,
        "title": article.title, "summary": article.summary, "text": article.text,
        "html": article.html, "authors": list(article.authors),
        "categories": list(article.categories),
        "published": to_db_time(article.published or now),
        "published_offset": article.published_offset, "updated": to_db_time(article.updated),
        "image": article.image, "image_credit": article.image_credit,
        "image_caption": article.image_caption, "site_name": article.site_name,
        "language": article.language, "extraction_method": article.extraction_method,
        "extraction_error": article.extraction_error, "created": now, "hidden": False,
    }


def store_polls(
    db: Database, polls: Sequence[tuple[int, Sequence[Article], dict[str, Any]]]
) -> dict[int, int]:
    """``store_poll`` for many sources in ONE transaction: all their new articles, then
    all their validators. Returns new articles per source id.

    All or nothing for the whole batch; the caller retries source by source when it
    fails, so that one bad source never sinks the others.
    """
    rows = [_article_values(a) for _sid, new, _v in polls for a in new]
    added: dict[int, int] = {source_id: 0 for source_id, _n, _v in polls}
    with db.begin() as connection:
        if rows:
            statement = (db.insert(articles)
                         .on_conflict_do_nothing(index_elements=["source_id", "entry_key"])
                         .returning(articles.c.source_id))
            for source_id in connection.scalars(statement, rows):
                added[source_id] += 1
        sources_store.update_sources_many(
            db, [(source_id, values) for source_id, _n, values in polls], connection)
    return added


def store_poll(
    db: Database, source_id: int, new: Sequence[Article], source_values: dict[str, Any]
) -> int:
    """Store a poll's new articles and the source's new validators in one transaction.

    Either both are written or neither: validators can never run ahead of entries.
    Returns how many articles were new (the unique key skips ones already there).
    """
    for key, value in list(source_values.items()):
        if hasattr(value, "tzinfo"):
            source_values[key] = to_db_time(value)
    added = 0
    with db.begin() as connection:
        if new:
            statement = (db.insert(articles)
                         .on_conflict_do_nothing(index_elements=["source_id", "entry_key"]))
            result = connection.execute(statement, [_article_values(a) for a in new])
            added = result.rowcount if result.rowcount >= 0 else len(new)
        connection.execute(sa.update(sources).where(sources.c.id == source_id)
                           .values(**source_values))
    return max(added, 0)
