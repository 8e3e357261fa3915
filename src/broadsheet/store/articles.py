"""Storage of articles: each stored once, each in its own transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from broadsheet.store import bounds
from broadsheet.store.db import Database, as_utc, to_db_time, utcnow
from broadsheet.store.schema import article_signatures, articles, sources
from broadsheet.types import Article, public_address, web_address


@dataclass(frozen=True)
class StoredArticle:
    """An article as read back for the site and the API, with its source's name."""

    id: int
    source_id: int
    source_title: str
    source_url: str
    source_mode: str | None
    entry_key: str
    title: str
    feed_link: str | None
    canonical_url: str | None
    summary: str
    text: str
    html: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]
    published: dt.datetime
    published_offset: int | None
    updated: dt.datetime | None
    image: str | None
    image_credit: str | None
    image_caption: str | None
    site_name: str | None
    language: str | None
    extraction_method: str
    extraction_error: str | None
    created: dt.datetime

    @property
    def source_public_url(self) -> str | None:
        """The source's feed address as anyone may see it; None when it carries a secret."""
        return public_address(self.source_url)

    @property
    def source_name(self) -> str:
        """What public views call the source: its title, else its public address."""
        return self.source_title or self.source_public_url or f"Source {self.source_id}"

    @property
    def published_local(self) -> dt.datetime:
        """The publication time in the offset the original was written in."""
        if self.published_offset is None:
            return self.published
        return self.published.astimezone(dt.timezone(dt.timedelta(minutes=self.published_offset)))


_COLUMNS = [c for c in articles.c] + [
    sources.c.title.label("source_title"),
    sources.c.url.label("source_url"),
    sources.c.publishing_mode.label("source_mode"),
]


_ADDRESSES = ("feed_link", "canonical_url", "image")
"""The article fields that are web addresses: only http(s) ones are stored or read."""


def _stored(row: Any) -> StoredArticle:
    data = dict(row._mapping)
    data.pop("hidden", None)
    for name in _ADDRESSES:  # rows written before every address was checked
        data[name] = web_address(data[name])
    data["authors"] = tuple(data["authors"] or ())
    data["categories"] = tuple(data["categories"] or ())
    for name in ("published", "updated", "created"):
        data[name] = as_utc(data[name])
    return StoredArticle(**data)


def _select() -> sa.Select[Any]:
    return sa.select(*_COLUMNS).select_from(articles.join(sources))


def visible() -> Any:
    """The one condition for "readers may see this article": not hidden by the desk.

    Every public listing, page, feed, API answer and story title goes through it (or
    through ``get_articles``/``get_article``, which apply it), so a hidden article is
    hidden everywhere at once.
    """
    return articles.c.hidden.is_(sa.false())


def _not_a_copy() -> Any:
    """Lists show each text once: copies (wire reprints, same text or address) are left out."""
    return ~sa.exists().where(article_signatures.c.article_id == articles.c.id) \
        .where(article_signatures.c.duplicate_of.is_not(None))


def article_row(article: Article, now: dt.datetime | None = None) -> dict[str, Any]:
    """The ``articles`` row for an Article: the one place a row is built, its addresses
    checked again as they are written (``types.web_address``)."""
    now = now or utcnow()
    return {
        "source_id": article.source_id, "entry_key": article.entry_key,
        "feed_link": web_address(article.feed_link),
        "canonical_url": web_address(article.canonical_url),
        "title": article.title, "summary": article.summary, "text": article.text,
        "html": article.html, "authors": list(article.authors),
        "categories": list(article.categories),
        "published": to_db_time(article.published or now),
        "published_offset": article.published_offset, "updated": to_db_time(article.updated),
        "image": web_address(article.image), "image_credit": article.image_credit,
        "image_caption": article.image_caption, "site_name": article.site_name,
        "language": article.language, "extraction_method": article.extraction_method,
        "extraction_error": article.extraction_error, "created": now, "hidden": False,
    }


def add_article(db: Database, article: Article) -> int | None:
    """Store an article in its own transaction; return its id, or None if already stored."""
    statement = (db.insert(articles).values(**article_row(article))
                 .on_conflict_do_nothing(index_elements=["source_id", "entry_key"])
                 .returning(articles.c.id))
    with db.begin() as connection:
        return connection.scalar(statement)


MAX_ID = bounds.MAX_ID
"""The largest id either engine stores; larger ones are simply not found."""


def _before(query: sa.Select[Any], before: tuple[dt.datetime, int] | None) -> Any:
    """Keep only what comes after the cursor, newest first by (published, id)."""
    if before is None:
        return query
    when, last_id = before
    when_db = to_db_time(when)
    return query.where(sa.or_(articles.c.published < when_db,
                              sa.and_(articles.c.published == when_db, articles.c.id < last_id)))


def _newest_page(db: Database, query: sa.Select[Any], limit: int,
                 before: tuple[dt.datetime, int] | None) -> list[StoredArticle]:
    """One page of ``query``, newest first, keyset-paginated by (published, id)."""
    query = _before(query, before)
    query = query.order_by(articles.c.published.desc(), articles.c.id.desc()).limit(limit)
    with db.begin() as connection:
        return [_stored(r) for r in connection.execute(query)]


def get_article(db: Database, article_id: int, *, include_hidden: bool = False
                ) -> StoredArticle | None:
    """One visible article with its source's name, or None (also for ids no database can
    hold); ``include_hidden`` is for the desk, which must see what it hid."""
    if not 0 < article_id <= MAX_ID:
        return None
    query = _select().where(articles.c.id == article_id)
    if not include_hidden:
        query = query.where(visible())
    with db.begin() as connection:
        row = connection.execute(query).first()
    return _stored(row) if row else None


def latest_articles(
    db: Database, limit: int = 50, *, source_id: int | None = None,
    before: tuple[dt.datetime, int] | None = None, exclude: int | None = None,
) -> list[StoredArticle]:
    """Newest first, optionally one source's, keyset-paginated by (published, id).

    Copies of another article are left out (see ``_not_a_copy``).
    """
    query = _select().where(visible()).where(_not_a_copy())
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    if exclude is not None:
        query = query.where(articles.c.id != exclude)
    return _newest_page(db, query, limit, before)


def all_articles(db: Database) -> list[StoredArticle]:
    """Every article, oldest first (for export and listing)."""
    with db.begin() as connection:
        rows = connection.execute(_select().order_by(articles.c.published, articles.c.id))
        return [_stored(r) for r in rows]


def count_articles(db: Database, source_id: int | None = None) -> int:
    """How many articles are stored (for one source, or all)."""
    query = sa.select(sa.func.count()).select_from(articles)
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    with db.begin() as connection:
        return int(connection.scalar(query) or 0)


# --- read-only queries for the site (tags, days, search results, sitemap) ----------------

def _visible_before(query: sa.Select[Any], before: tuple[dt.datetime, int] | None) -> Any:
    query = query.where(visible()).where(_not_a_copy())
    query = _before(query, before)
    return query.order_by(articles.c.published.desc(), articles.c.id.desc())


def get_articles(db: Database, ids: Iterable[int]) -> list[StoredArticle]:
    """The visible articles with these ids, in the order the ids were given."""
    ids = list(ids)
    if not ids:
        return []
    query = _select().where(articles.c.id.in_(ids)).where(visible())
    with db.begin() as connection:
        found = {row.id: _stored(row) for row in connection.execute(query)}
    return [found[i] for i in ids if i in found]


def articles_between(
    db: Database, start: dt.datetime, end: dt.datetime, limit: int = 50,
    *, before: tuple[dt.datetime, int] | None = None,
) -> list[StoredArticle]:
    """Articles published in [start, end), newest first, keyset-paginated (day archives)."""
    query = (_select().where(articles.c.published >= to_db_time(start))
             .where(articles.c.published < to_db_time(end)))
    with db.begin() as connection:
        return [_stored(r) for r in connection.execute(_visible_before(query, before).limit(limit))]


def tagged_articles(
    db: Database, tag: str, limit: int = 50, *, before: tuple[dt.datetime, int] | None = None,
) -> list[StoredArticle]:
    """Articles carrying a tag (compared lower-cased), newest first, keyset-paginated.

    Walks the (tag, published, article_id) index of ``article_tags``, so a tag page
    costs the same for a tag on ten articles or on a million.
    """
    from broadsheet.store.schema import article_tags as tags

    page = (sa.select(tags.c.article_id)
            .where(tags.c.tag == sa.func.lower(sa.func.trim(tag))))
    if before is not None:
        when, last_id = before
        when_db = to_db_time(when)
        page = page.where(sa.or_(tags.c.published < when_db,
                                 sa.and_(tags.c.published == when_db,
                                         tags.c.article_id < last_id)))
    page = page.order_by(tags.c.published.desc(), tags.c.article_id.desc()).limit(limit * 2)
    with db.begin() as connection:
        ids = list(connection.scalars(page))
    return get_articles(db, ids)[:limit]


def sitemap_entries(db: Database, limit: int = 49_000) -> list[tuple[int, dt.datetime]]:
    """(id, last change) of the newest visible articles, for sitemap.xml."""
    changed = sa.func.coalesce(articles.c.updated, articles.c.published)
    query = (sa.select(articles.c.id, changed.label("changed"))
             .where(visible())
             .order_by(articles.c.published.desc(), articles.c.id.desc()).limit(limit))
    with db.begin() as connection:
        rows = connection.execute(query).all()
    return [(row.id, as_utc(row.changed) or utcnow()) for row in rows]


# --- read-only queries for the JSON API and the admin area (accounts branch) -------------

def list_articles(
    db: Database, limit: int = 50, *, source_id: int | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
    before: tuple[dt.datetime, int] | None = None, include_hidden: bool = False,
) -> list[StoredArticle]:
    """Newest first, filtered by source and a [since, until) window, keyset-paginated."""
    query = _select()
    if not include_hidden:
        query = query.where(visible())
    if source_id is not None:
        query = query.where(articles.c.source_id == source_id)
    if since is not None:
        query = query.where(articles.c.published >= to_db_time(since))
    if until is not None:
        query = query.where(articles.c.published < to_db_time(until))
    return _newest_page(db, query, limit, before)


def hidden_ids(db: Database, ids: Iterable[int]) -> set[int]:
    """Which of these articles are hidden from readers."""
    ids = list(ids)
    if not ids:
        return set()
    query = sa.select(articles.c.id).where(articles.c.id.in_(ids)).where(articles.c.hidden)
    with db.begin() as connection:
        return set(connection.scalars(query))


HIDDEN_COUNTER = "hidden_version"
"""The ``story_state`` counter bumped whenever an article is hidden or shown again."""


def set_hidden(db: Database, article_id: int, hidden: bool) -> bool:
    """Hide an article from readers (or show it again); False if there is no such article.

    In the same transaction its story is recounted and retitled from its visible
    articles (``store.stories.refresh_stories_of``) and HIDDEN_COUNTER is bumped, so
    cached pages listing the article (``page_version``) are made again in every process.
    """
    from broadsheet.store.schema import story_state
    from broadsheet.store.stories import refresh_stories_of

    with db.begin() as connection:
        result = connection.execute(sa.update(articles).where(articles.c.id == article_id)
                                    .values(hidden=hidden))
        refresh_stories_of(connection, db, [article_id])
        connection.execute(db.insert(story_state).values(name=HIDDEN_COUNTER, value=0)
                           .on_conflict_do_nothing(index_elements=["name"]))
        connection.execute(sa.update(story_state).where(story_state.c.name == HIDDEN_COUNTER)
                           .values(value=story_state.c.value + 1))
    return result.rowcount > 0


def page_version(db: Database, article_id: int) -> tuple[int, int, int] | None:
    """What an article page depends on that can change, in one cheap query, or None
    when there is no such visible article: (newest article id, stories version, hidden
    version).

    A new article (read-more lists), a placement by the stories step (related reading)
    or an article hidden or shown changes it; a cache keyed by it stays correct across
    processes. Other edits (outlet profiles, deletions of other articles) wait for the
    cache's time limit.
    """
    if not 0 < article_id <= MAX_ID:
        return None
    from broadsheet.store.schema import story_state

    def counter(name: str) -> Any:
        return (sa.select(story_state.c.value).where(story_state.c.name == name)
                .scalar_subquery())

    query = sa.select(
        sa.select(sa.func.max(articles.c.id)).scalar_subquery(),
        counter("version"), counter(HIDDEN_COUNTER),
    ).where(sa.exists().where(articles.c.id == article_id).where(visible()))
    with db.begin() as connection:
        row = connection.execute(query).first()
    return None if row is None else (int(row[0] or 0), int(row[1] or 0), int(row[2] or 0))


def articles_per_day(db: Database, since: dt.datetime) -> dict[int, dict[str, int]]:
    """Articles added per source per UTC day since a time: {source_id: {"YYYY-MM-DD": n}}."""
    query = (sa.select(articles.c.source_id, articles.c.created)
             .where(articles.c.created >= to_db_time(since)))
    counts: dict[int, dict[str, int]] = {}
    with db.begin() as connection:
        for source_id, created in connection.execute(query):
            day = as_utc(created).date().isoformat()  # type: ignore[union-attr]
            per_source = counts.setdefault(source_id, {})
            per_source[day] = per_source.get(day, 0) + 1
    return counts


def article_counts(db: Database) -> dict[int, int]:
    """How many articles each source has stored."""
    query = sa.select(articles.c.source_id, sa.func.count()).group_by(articles.c.source_id)
    with db.begin() as connection:
        return {int(r[0]): int(r[1]) for r in connection.execute(query)}


def update_extraction(db: Database, article_id: int, *, text: str, html: str,
                      image: str | None, image_credit: str | None, image_caption: str | None,
                      extraction_method: str, extraction_error: str | None) -> bool:
    """Replace what extraction gave an article (the desk's "re-extract"); False if there is
    no such article. Bumps HIDDEN_COUNTER so cached pages showing it are made again."""
    from broadsheet.store.schema import story_state

    with db.begin() as connection:
        result = connection.execute(sa.update(articles).where(articles.c.id == article_id).values(
            text=text, html=html, image=web_address(image), image_credit=image_credit,
            image_caption=image_caption, extraction_method=extraction_method,
            extraction_error=extraction_error))
        connection.execute(db.insert(story_state).values(name=HIDDEN_COUNTER, value=0)
                           .on_conflict_do_nothing(index_elements=["name"]))
        connection.execute(sa.update(story_state).where(story_state.c.name == HIDDEN_COUNTER)
                           .values(value=story_state.c.value + 1))
    return result.rowcount > 0
