"""Storage for ingest: what a poll needs to know before deciding, and the one write of
what it decided.

A poll reads which of its feed's entries the source already stored or buried
(``seen_entries``), decides without the database, then hands its result to
``store_polls``: the new articles and the source's new state (validators, schedule,
errors) in ONE transaction, so validators never run ahead of entries. The database
queues every new article for the stories stage in that same transaction (a trigger on
``articles``, see ``store.placement_queue``). Articles whose pages are read are stored
one by one as they arrive (``store_article``), and the poll's result after all of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

import sqlalchemy as sa

from broadsheet.store import sources as sources_store
from broadsheet.store.articles import add_article, article_row
from broadsheet.store.db import Database, utcnow
from broadsheet.store.schema import articles, entry_tombstones
from broadsheet.types import Article

_CHUNK = 500


class PollResult(Protocol):
    """What one poll of a source writes: its new articles and its new state."""

    @property
    def source_id(self) -> int: ...

    @property
    def articles(self) -> Sequence[Article]: ...

    @property
    def values(self) -> Mapping[str, Any]:
        """Columns of the source's row to set (validators, schedule, errors, status)."""
        ...


class SeenEntries(NamedTuple):
    """What a source already holds among a feed's entries."""

    keys: frozenset[str]
    """Entry keys stored as articles or buried by a tombstone."""
    pairs: frozenset[tuple[str, str]]
    """(feed link, title) of stored articles, among the links of entries with new keys."""


def _chunks(values: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start:start + _CHUNK]


_KEYS_OF = tuple(
    sa.select(table.c.source_id, table.c.entry_key)
    .where(table.c.source_id.in_(sa.bindparam("ids", expanding=True)))
    .where(table.c.entry_key.in_(sa.bindparam("keys", expanding=True)))
    for table in (articles, entry_tombstones)
)
_LINKS_OF = (
    sa.select(articles.c.source_id, articles.c.feed_link, articles.c.title)
    .where(articles.c.source_id.in_(sa.bindparam("ids", expanding=True)))
    .where(articles.c.feed_link.in_(sa.bindparam("links", expanding=True))))


def seen_entries(
    db: Database, wanted: Mapping[int, Sequence[tuple[str, str | None]]]
) -> dict[int, SeenEntries]:
    """For each source, which of these (entry key, link) pairs it already holds: a few
    queries for any number of sources. Links are looked up only for entries whose key
    is new, the only ones a rotated GUID can hide behind."""
    keys = {sid: {key for key, _link in entries} for sid, entries in wanted.items()}
    with db.begin() as connection:
        found = _keys_found(connection, keys)
        links = {sid: {link for key, link in entries if link and key not in found[sid]}
                 for sid, entries in wanted.items()}
        pairs = _pairs_found(connection, links)
    return {sid: SeenEntries(frozenset(found[sid]), frozenset(pairs[sid])) for sid in wanted}


def _keys_found(connection: Any, wanted: dict[int, set[str]]) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {source_id: set() for source_id in wanted}
    ids = [source_id for source_id, keys in wanted.items() if keys]
    everything = sorted(set().union(*wanted.values())) if ids else []
    for chunk in _chunks(everything):
        for statement in _KEYS_OF:
            for source_id, key in connection.execute(statement, {"ids": ids, "keys": list(chunk)}):
                if key in wanted[source_id]:
                    found[source_id].add(key)
    return found


def _pairs_found(connection: Any, wanted: dict[int, set[str]]
                 ) -> dict[int, set[tuple[str, str]]]:
    found: dict[int, set[tuple[str, str]]] = {source_id: set() for source_id in wanted}
    ids = [source_id for source_id, links in wanted.items() if links]
    everything = sorted(set().union(*wanted.values())) if ids else []
    for chunk in _chunks(everything):
        for source_id, link, title in connection.execute(
                _LINKS_OF, {"ids": ids, "links": list(chunk)}):
            if link in wanted[source_id]:
                found[source_id].add((link, title))
    return found


def store_polls(db: Database, polls: Sequence[PollResult]) -> dict[int, int]:
    """Store the result of many sources' polls in ONE transaction: all their new articles,
    then all their new source state. Returns how many articles were new, per source id
    (the unique (source, entry key) skips ones already stored).

    All or nothing: validators can never run ahead of entries, and a crash re-polls in
    full. For a batch, the caller retries source by source when it fails, so that one
    bad source never sinks the others.
    """
    now = utcnow()
    rows = [article_row(a, now) for poll in polls for a in poll.articles]
    added: dict[int, int] = {poll.source_id: 0 for poll in polls}
    with db.begin() as connection:
        if rows:
            statement = (db.insert(articles)
                         .on_conflict_do_nothing(index_elements=["source_id", "entry_key"])
                         .returning(articles.c.source_id))
            for source_id in connection.scalars(statement, rows):
                added[source_id] = added.get(source_id, 0) + 1
        sources_store.update_sources_many(
            db, [(poll.source_id, dict(poll.values)) for poll in polls], connection)
    return added


def store_article(db: Database, article: Article) -> bool:
    """Store one article read with its page, in its own transaction, ahead of its poll's
    result; False when the source already had it."""
    return add_article(db, article) is not None
