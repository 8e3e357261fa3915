"""Storage of sources: subscriptions, validators and poll state."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from broadsheet.errors import SourceError, SourceNotFound
from broadsheet.store.db import Database, as_utc, to_db_time, utcnow
from broadsheet.store.schema import sources
from broadsheet.types import Source, web_address


IDLE_STATUSES = ("paused", "merged")
"""Sources in these states are not polled: paused by a person, or merged into another."""


LOCAL_PREFIX = "import:"
"""Sources never polled (bulk imports) are named ``import:<name>``; every other source
address is a web address (``types.web_address``)."""


def _feed_address(url: str) -> str:
    """The address a source may be stored under, or SourceError."""
    if url.startswith(LOCAL_PREFIX) and len(url) > len(LOCAL_PREFIX):
        return url
    address = web_address(url)
    if address is None:
        raise SourceError(f"sources: {url[:200]!r} is not an http(s) address")
    return address


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """Addresses among written values, checked: a feed address must be one, a site
    address that is not one is dropped."""
    if "url" in values:
        values = {**values, "url": _feed_address(values["url"])}
    if "site_url" in values:
        values = {**values, "site_url": web_address(values["site_url"])}
    return values


def _source(row: Any) -> Source:
    return Source(
        id=row.id, url=row.url, title=row.title, site_url=web_address(row.site_url),
        etag=row.etag,
        last_modified=row.last_modified, publishing_mode=row.publishing_mode, status=row.status,
        error_count=row.error_count, last_error=row.last_error,
        last_success=as_utc(row.last_success), last_polled=as_utc(row.last_polled),
        next_poll=as_utc(row.next_poll), last_unconditional=as_utc(row.last_unconditional),
        pending_redirect=row.pending_redirect,
        settings=dict(row.settings or {}),
    )


def add_source(db: Database, url: str, title: str = "") -> Source:
    """Subscribe to a feed URL; adding one already there returns the existing source.

    SourceError when the URL is not an http(s) address."""
    url = _feed_address(url)
    with db.begin() as connection:
        statement = db.insert(sources).values(
            url=url, title=title, settings={}, created=utcnow()
        ).on_conflict_do_nothing(index_elements=["url"])
        connection.execute(statement)
        row = connection.execute(sa.select(sources).where(sources.c.url == url)).one()
    return _source(row)


def add_sources(db: Database, feeds: Sequence[tuple[str, str]]) -> list[Source]:
    """Subscribe to many (url, title) pairs in one transaction, as ``add_source`` does
    for one: an address already there keeps its row. Sources come back in input order."""
    feeds = [(_feed_address(url), title) for url, title in feeds]
    now, chunk = utcnow(), 500
    found: dict[str, Any] = {}
    with db.begin() as connection:
        statement = db.insert(sources).on_conflict_do_nothing(index_elements=["url"])
        for start in range(0, len(feeds), chunk):
            connection.execute(statement, [{"url": url, "title": title, "settings": {},
                                            "created": now}
                                           for url, title in feeds[start:start + chunk]])
        urls = list(dict.fromkeys(url for url, _title in feeds))
        for start in range(0, len(urls), chunk):
            query = sa.select(sources).where(sources.c.url.in_(urls[start:start + chunk]))
            found.update((row.url, row) for row in connection.execute(query))
    return [_source(found[url]) for url, _title in feeds]


def get_source(db: Database, source_id: int) -> Source:
    """Return one source, or raise SourceError."""
    if not 0 < source_id <= 2**63 - 1:
        raise SourceNotFound(f"sources: no source with id {source_id}")
    with db.begin() as connection:
        row = connection.execute(sa.select(sources).where(sources.c.id == source_id)).first()
    if row is None:
        raise SourceNotFound(f"sources: no source with id {source_id}")
    return _source(row)


def list_sources(db: Database) -> list[Source]:
    """Every source, in the order they were added."""
    with db.begin() as connection:
        rows = connection.execute(sa.select(sources).order_by(sources.c.id)).all()
    return [_source(r) for r in rows]


def due_sources(db: Database, now: dt.datetime | None = None) -> list[Source]:
    """Sources whose next poll time has come (or that were never polled)."""
    now = now or utcnow()
    with db.begin() as connection:
        rows = connection.execute(
            sa.select(sources)
            .where(sa.or_(sources.c.next_poll.is_(None), sources.c.next_poll <= to_db_time(now)))
            .where(sources.c.status.not_in(IDLE_STATUSES))
            .order_by(sources.c.next_poll.is_(None).desc(), sources.c.next_poll, sources.c.id)
        ).all()
    return [_source(r) for r in rows]


def sources_with_hub(db: Database) -> list[Source]:
    """Active sources whose feed named a WebSub hub (recorded in their settings)."""
    # Settings are JSON; a text match narrows the read on either engine.
    with db.begin() as connection:
        rows = connection.execute(
            sa.select(sources).where(sa.cast(sources.c.settings, sa.Text).like('%"hub"%'))
            .where(sources.c.status == "active").order_by(sources.c.id)).all()
    return [_source(r) for r in rows]


def source_urls(db: Database) -> set[str]:
    """Every subscribed URL."""
    with db.begin() as connection:
        return set(connection.scalars(sa.select(sources.c.url)))


def delete_source(db: Database, source_id: int) -> None:
    """Remove a source and its articles."""
    with db.begin() as connection:
        result = connection.execute(sa.delete(sources).where(sources.c.id == source_id))
    if result.rowcount == 0:
        raise SourceNotFound(f"sources: no source with id {source_id}")


def update_sources_many(
    db: Database, updates: Sequence[tuple[int, dict[str, Any]]], connection: Any = None
) -> None:
    """Write poll results for many sources: one executemany per set of columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for source_id, values in updates:
        values = _checked(values)
        row = {key: to_db_time(v) if isinstance(v, dt.datetime) else v
               for key, v in values.items()}
        groups.setdefault(tuple(sorted(row)), []).append(
            {"_id": source_id, **{"v_" + k: v for k, v in row.items()}})
    if not groups:
        return
    if connection is None:
        with db.begin() as conn:
            _execute_updates(conn, groups)
    else:
        _execute_updates(connection, groups)


def _execute_updates(connection: Any, groups: dict[tuple[str, ...], list[dict[str, Any]]]
                     ) -> None:
    for columns, rows in groups.items():
        connection.execute(_update_statement(columns), rows)


@functools.lru_cache(maxsize=64)
def _update_statement(columns: tuple[str, ...]) -> Any:
    return (sa.update(sources).where(sources.c.id == sa.bindparam("_id"))
            .values({sources.c[c]: sa.bindparam("v_" + c, type_=sources.c[c].type)
                    for c in columns}))


def update_source(db: Database, source_id: int, connection: Any = None, **values: Any) -> None:
    """Write poll results (validators, times, errors) for one source."""
    values = _checked(values)
    for key, value in list(values.items()):
        if isinstance(value, dt.datetime):
            values[key] = to_db_time(value)
    statement = sa.update(sources).where(sources.c.id == source_id).values(**values)
    if connection is not None:
        connection.execute(statement)
        return
    with db.begin() as conn:
        conn.execute(statement)
