"""Storage of stories: which story each article is in, what it copies, and the stories.

Written only by the stories step (``update.stories_step``), read by the site, the API
and the CLI. Everything lives in side tables keyed by article id; ``articles`` is not
altered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from broadsheet.errors import StoryEditError
from broadsheet.store.articles import StoredArticle, get_articles, visible
from broadsheet.store.db import Database, as_utc, to_db_time
from broadsheet.store.schema import (
    article_signatures, article_stories, articles, placement_queue, sources, stories,
    story_edits, story_state,
)


@dataclass(frozen=True)
class PendingArticle:
    """An article the stories step has not placed yet (or, on reload, one it has)."""

    id: int
    source_id: int
    title: str
    text: str
    canonical_url: str | None
    published: dt.datetime
    story_id: int | None = None
    duplicate_of: int | None = None
    minhash: bytes | None = None
    fingerprint: str | None = None


@dataclass(frozen=True)
class PlacedArticle:
    """What the step decided for one article, ready to write."""

    article_id: int
    story_id: int
    published: dt.datetime
    fingerprint: str | None
    minhash: bytes
    duplicate_of: int | None = None
    duplicate_kind: str | None = None
    nearest_story_id: int | None = None
    reason: str | None = None
    """Why it joined its story (the clusterer's explanation); None when it founded it."""


@dataclass(frozen=True)
class Story:
    """A story as stored: its headline, time span and how many articles and outlets."""

    id: int
    title: str
    first_published: dt.datetime
    last_published: dt.datetime
    article_count: int
    source_count: int


@dataclass(frozen=True)
class StoryMember:
    """An article of a story, with what it copies (if anything)."""

    article: StoredArticle
    duplicate_of: int | None
    duplicate_kind: str | None
    reason: str | None = None
    """Why it joined the story, as recorded at placement (or by an editor's merge)."""


# --- the step's counters ------------------------------------------------------------------

def read_counter(db: Database, name: str) -> int:
    """A counter of ``story_state`` (0 when never written)."""
    with db.begin() as connection:
        return int(connection.scalar(
            sa.select(story_state.c.value).where(story_state.c.name == name)) or 0)


def _bump(connection: Any, db: Database, name: str, value: int | None = None) -> int:
    connection.execute(db.insert(story_state).values(name=name, value=0)
                       .on_conflict_do_nothing(index_elements=["name"]))
    new = story_state.c.value + 1 if value is None else value
    connection.execute(sa.update(story_state).where(story_state.c.name == name)
                       .values(value=new))
    return int(connection.scalar(
        sa.select(story_state.c.value).where(story_state.c.name == name)))


def set_counter(db: Database, name: str, value: int) -> None:
    """Write a counter of ``story_state``."""
    with db.begin() as connection:
        _bump(connection, db, name, value)


# --- the step's reads and writes ------------------------------------------------------------

def _pending_row(row: Any) -> PendingArticle:
    return PendingArticle(
        id=row.id, source_id=row.source_id, title=row.title, text=row.text,
        canonical_url=row.canonical_url, published=as_utc(row.published),  # type: ignore[arg-type]
        story_id=getattr(row, "story_id", None), duplicate_of=getattr(row, "duplicate_of", None),
        minhash=getattr(row, "minhash", None), fingerprint=getattr(row, "fingerprint", None))


def placed_since(db: Database, since: dt.datetime, chunk: int = 2000) -> Iterator[PendingArticle]:
    """Placed articles published at or after ``since``, oldest first, with their signatures."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        query = (
            sa.select(articles.c.id, articles.c.source_id, articles.c.title, articles.c.text,
                      articles.c.canonical_url, articles.c.published, article_stories.c.story_id,
                      article_signatures.c.duplicate_of, article_signatures.c.minhash,
                      article_signatures.c.fingerprint)
            .select_from(articles.join(article_stories,
                                       article_stories.c.article_id == articles.c.id)
                         .outerjoin(article_signatures,
                                    article_signatures.c.article_id == articles.c.id))
            .where(articles.c.published >= to_db_time(since))
            .order_by(articles.c.published, articles.c.id).limit(chunk))
        if after is not None:
            when = to_db_time(after[0])
            query = query.where(sa.or_(articles.c.published > when,
                                       sa.and_(articles.c.published == when,
                                               articles.c.id > after[1])))
        with db.begin() as connection:
            rows = [_pending_row(r) for r in connection.execute(query)]
        yield from rows
        if len(rows) < chunk:
            return
        after = (rows[-1].published, rows[-1].id)


def latest_placed(db: Database) -> dt.datetime | None:
    """Publication time of the newest placed article."""
    with db.begin() as connection:
        return as_utc(connection.scalar(sa.select(sa.func.max(article_stories.c.published))))


def known_by_url(db: Database, urls: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Placed articles at these canonical addresses: {url: (root article id, story id)}."""
    root = sa.func.coalesce(article_signatures.c.duplicate_of, articles.c.id)
    query = (sa.select(articles.c.canonical_url, root.label("root"), article_stories.c.story_id)
             .select_from(articles.join(article_stories,
                                        article_stories.c.article_id == articles.c.id)
                          .outerjoin(article_signatures,
                                     article_signatures.c.article_id == articles.c.id))
             .order_by(articles.c.published, articles.c.id))
    return _lookup(db, query, articles.c.canonical_url, urls)


def known_by_fingerprint(db: Database, fingerprints: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Placed articles with these text fingerprints: {fingerprint: (root id, story id)}."""
    root = sa.func.coalesce(article_signatures.c.duplicate_of, article_signatures.c.article_id)
    query = (sa.select(article_signatures.c.fingerprint, root.label("root"),
                       article_stories.c.story_id)
             .select_from(article_signatures.join(
                 article_stories, article_stories.c.article_id == article_signatures.c.article_id))
             .order_by(article_stories.c.published, article_signatures.c.article_id))
    return _lookup(db, query, article_signatures.c.fingerprint, fingerprints)


def _lookup(db: Database, query: Any, column: Any, keys: Iterable[str]) -> dict[str, tuple[int, int]]:
    keys = sorted(set(keys))
    found: dict[str, tuple[int, int]] = {}
    with db.begin() as connection:
        for start in range(0, len(keys), 500):
            for key, root, story in connection.execute(
                    query.where(column.in_(keys[start:start + 500]))):
                found.setdefault(key, (int(root), int(story)))
    return found


@dataclass(frozen=True)
class StoryMerge:
    """Two stories the clusterer made one after a batch: ``story_id`` goes into ``into``."""

    story_id: int
    into: int
    reason: str
    """Why, for people; stored on each moved article."""


def record_placements(db: Database, placed: Sequence[PlacedArticle],
                      merges: Sequence[StoryMerge] = ()) -> int:
    """Write a batch of placements and refresh the stories they touch; return the new version.

    One transaction: the clusterer's merges of stored stories (in order), signatures,
    memberships, story rows, the version counter, and the articles' rows of the
    placement queue (so a crash places a batch wholly or not at all).
    """
    if not placed:
        return read_counter(db, "version")
    with db.begin() as connection:
        for merge in merges:
            connection.execute(sa.update(article_stories)
                               .where(article_stories.c.story_id == merge.story_id)
                               .values(story_id=merge.into, nearest_story_id=merge.story_id,
                                       reason=merge.reason))
            connection.execute(sa.delete(stories).where(stories.c.id == merge.story_id))
        ids = sorted(p.article_id for p in placed)
        for start in range(0, len(ids), 500):
            connection.execute(sa.delete(placement_queue)
                               .where(placement_queue.c.article_id.in_(ids[start:start + 500])))
        connection.execute(db.insert(article_signatures).on_conflict_do_nothing(
            index_elements=["article_id"]), [
            {"article_id": p.article_id, "fingerprint": p.fingerprint, "minhash": p.minhash,
             "duplicate_of": p.duplicate_of, "duplicate_kind": p.duplicate_kind} for p in placed])
        connection.execute(db.insert(article_stories).on_conflict_do_nothing(
            index_elements=["article_id"]), [
            {"article_id": p.article_id, "story_id": p.story_id,
             "published": to_db_time(p.published), "nearest_story_id": p.nearest_story_id,
             "reason": p.reason}
            for p in placed])
        _refresh_stories(connection, db, {p.story_id for p in placed}
                         | {m.into for m in merges})
        return _bump(connection, db, "version")


def _refresh_stories(connection: Any, db: Database, story_ids: set[int]) -> None:
    """Recount these stories and retitle them, from their visible articles only.

    A story is titled by its first article (whose id it bears) while that one is
    visible, else by its first visible one; a story with no visible article gets an
    ``article_count`` of 0, which every reader-facing query leaves out.
    """
    ids = sorted(story_ids)
    shown = visible()
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        members = (article_stories.join(articles, articles.c.id == article_stories.c.article_id))
        totals = connection.execute(
            sa.select(article_stories.c.story_id,
                      sa.func.min(article_stories.c.published).label("first"),
                      sa.func.max(article_stories.c.published).label("last"),
                      sa.func.count().label("n"),
                      sa.func.count(sa.distinct(articles.c.source_id)).label("outlets"))
            .select_from(members).where(shown)
            .where(article_stories.c.story_id.in_(chunk))
            .group_by(article_stories.c.story_id)).all()
        titles: dict[int, str] = {}
        for story_id, article_id, title in connection.execute(
                sa.select(article_stories.c.story_id, articles.c.id, articles.c.title)
                .select_from(members).where(shown).where(article_stories.c.story_id.in_(chunk))
                .order_by(article_stories.c.published, article_stories.c.article_id)):
            if article_id == story_id or story_id not in titles:
                titles[story_id] = title
        for row in totals:
            values = {"first_published": row.first, "last_published": row.last,
                      "article_count": row.n, "source_count": row.outlets}
            title = titles.get(row.story_id)
            connection.execute(
                db.insert(stories).values(id=row.story_id, title=title or "", **values)
                .on_conflict_do_update(index_elements=["id"], set_={
                    **values, **({"title": title} if title else {})}))
        unseen = set(chunk) - {row.story_id for row in totals}
        if unseen:  # every article hidden: kept for the desk, out of every public list
            connection.execute(sa.update(stories).where(stories.c.id.in_(sorted(unseen)))
                               .values(article_count=0, source_count=0))


def refresh_stories_of(connection: Any, db: Database, article_ids: Iterable[int]) -> None:
    """Recount and retitle the stories holding these articles (after one is hidden or
    shown), inside the caller's transaction."""
    story_ids = set(connection.scalars(
        sa.select(article_stories.c.story_id)
        .where(article_stories.c.article_id.in_(sorted(set(article_ids))))))
    if story_ids:
        _refresh_stories(connection, db, story_ids)


def clear_stories(db: Database) -> None:
    """Forget every placement and story (``broadsheet stories rebuild``)."""
    with db.begin() as connection:
        for table in (article_stories, article_signatures, stories):
            connection.execute(sa.delete(table))
        # Every article waits for placement again.
        connection.execute(sa.delete(placement_queue))
        connection.execute(sa.insert(placement_queue).from_select(
            ["article_id"], sa.select(articles.c.id)))
        _bump(connection, db, "version")


# --- reads for the site, the API and the CLI ---------------------------------------------

def _story(row: Any) -> Story:
    return Story(id=row.id, title=row.title, first_published=as_utc(row.first_published),
                 last_published=as_utc(row.last_published), article_count=row.article_count,
                 source_count=row.source_count)  # type: ignore[arg-type]


def get_story(db: Database, story_id: int) -> Story | None:
    """One story with a visible article, or None."""
    with db.begin() as connection:
        row = connection.execute(sa.select(stories).where(stories.c.id == story_id)
                                 .where(stories.c.article_count > 0)).first()
    return _story(row) if row else None


def list_stories(db: Database, limit: int = 50, *, before: tuple[dt.datetime, int] | None = None,
                 min_articles: int = 1) -> list[Story]:
    """Stories with articles, most recently updated first, keyset-paginated."""
    query = sa.select(stories).where(stories.c.article_count >= max(min_articles, 1))
    if before is not None:
        when = to_db_time(before[0])
        query = query.where(sa.or_(stories.c.last_published < when,
                                   sa.and_(stories.c.last_published == when,
                                           stories.c.id < before[1])))
    query = query.order_by(stories.c.last_published.desc(), stories.c.id.desc()).limit(limit)
    with db.begin() as connection:
        return [_story(r) for r in connection.execute(query)]


def all_stories(db: Database, chunk: int = 1000) -> Iterator[Story]:
    """Every story with articles, oldest first."""
    after: tuple[dt.datetime, int] | None = None
    while True:
        query = sa.select(stories).where(stories.c.article_count > 0)
        if after is not None:
            when = to_db_time(after[0])
            query = query.where(sa.or_(stories.c.first_published > when,
                                       sa.and_(stories.c.first_published == when,
                                               stories.c.id > after[1])))
        query = query.order_by(stories.c.first_published, stories.c.id).limit(chunk)
        with db.begin() as connection:
            rows = [_story(r) for r in connection.execute(query)]
        yield from rows
        if len(rows) < chunk:
            return
        after = (rows[-1].first_published, rows[-1].id)


def story_members(db: Database, story_id: int) -> list[StoryMember]:
    """A story's visible articles, oldest first, with what each copies (when visible)."""
    query = (sa.select(article_stories.c.article_id, article_signatures.c.duplicate_of,
                       article_signatures.c.duplicate_kind, article_stories.c.reason)
             .select_from(article_stories.outerjoin(
                 article_signatures,
                 article_signatures.c.article_id == article_stories.c.article_id))
             .where(article_stories.c.story_id == story_id)
             .order_by(article_stories.c.published, article_stories.c.article_id))
    with db.begin() as connection:
        rows = connection.execute(query).all()
    found = get_articles(db, [r.article_id for r in rows])
    shown = {a.id for a in found}
    originals = {r.duplicate_of for r in rows if r.duplicate_of and r.duplicate_of not in shown}
    shown |= {a.id for a in get_articles(db, originals)}
    # A copy of a hidden article stands on its own: nothing points readers at the original.
    copies = {r.article_id: (r.duplicate_of, r.duplicate_kind, r.reason)
              if r.duplicate_of in shown else (None, None, r.reason) for r in rows}
    return [StoryMember(a, *copies[a.id]) for a in found]


def story_member_keys(db: Database, story_ids: Sequence[int]) -> dict[int, list[tuple[str, str | None, str]]]:
    """For each story: (entry key, canonical URL, source name) of its articles, oldest first."""
    query = (sa.select(article_stories.c.story_id, articles.c.entry_key, articles.c.canonical_url,
                       sa.func.coalesce(sa.func.nullif(sources.c.title, ""), sources.c.url)
                       .label("source"))
             .select_from(article_stories.join(articles,
                                               articles.c.id == article_stories.c.article_id)
                          .join(sources, sources.c.id == articles.c.source_id))
             .where(article_stories.c.story_id.in_(list(story_ids)))
             .order_by(article_stories.c.published, article_stories.c.article_id))
    members: dict[int, list[tuple[str, str | None, str]]] = {}
    with db.begin() as connection:
        for row in connection.execute(query):
            members.setdefault(row.story_id, []).append(
                (row.entry_key, row.canonical_url, row.source))
    return members


@dataclass(frozen=True)
class ArticlePlace:
    """Where one article stands: its story, the closest other story, what it copies."""

    story_id: int
    nearest_story_id: int | None
    duplicate_of: int | None
    duplicate_kind: str | None


def article_place(db: Database, article_id: int) -> ArticlePlace | None:
    """The story of an article, or None while the step has not placed it."""
    query = (sa.select(article_stories.c.story_id, article_stories.c.nearest_story_id,
                       article_signatures.c.duplicate_of, article_signatures.c.duplicate_kind)
             .select_from(article_stories.outerjoin(
                 article_signatures,
                 article_signatures.c.article_id == article_stories.c.article_id))
             .where(article_stories.c.article_id == article_id))
    with db.begin() as connection:
        row = connection.execute(query).first()
    return ArticlePlace(*row) if row else None


def copies_of(db: Database, article_id: int, duplicate_of: int | None) -> list[StoredArticle]:
    """The other articles carrying the same text ("also published by"), oldest first."""
    root = duplicate_of or article_id
    query = (sa.select(article_signatures.c.article_id)
             .where(article_signatures.c.duplicate_of == root))
    with db.begin() as connection:
        ids = [root, *connection.scalars(query)]
    found = [a for a in get_articles(db, ids) if a.id != article_id]
    return sorted(found, key=lambda a: (a.published, a.id))


def top_stories(db: Database, limit: int, now: dt.datetime, hours: float = 36.0,
                  pool: int = 200) -> list[Story]:
    """Stories ranked by outlets covering them and recency (newest window first).

    Score: outlets / (1 + hours since the last article / 12); stories of the last
    ``hours`` before ``now``, else (an old archive) the newest ``pool`` stories.
    """
    since = now - dt.timedelta(hours=hours)
    query = (sa.select(stories).where(stories.c.article_count > 0)
             .where(stories.c.last_published >= to_db_time(since))
             .order_by(stories.c.source_count.desc(), stories.c.last_published.desc())
             .limit(pool))
    with db.begin() as connection:
        found = [_story(r) for r in connection.execute(query)]
    if not found:
        found = list_stories(db, pool)
        now = max((s.last_published for s in found), default=now)

    def score(story: Story) -> tuple[float, dt.datetime, int]:
        age = max((now - story.last_published).total_seconds() / 3600.0, 0.0)
        return (story.source_count / (1.0 + age / 12.0), story.last_published, story.id)

    return sorted(found, key=score, reverse=True)[:limit]


def lead_articles(db: Database, story_ids: Sequence[int]) -> dict[int, StoredArticle]:
    """Each story's lead: its first visible article that is not a copy, else its first."""
    query = (sa.select(article_stories.c.story_id, article_stories.c.article_id,
                       article_signatures.c.duplicate_of)
             .select_from(article_stories.outerjoin(
                 article_signatures,
                 article_signatures.c.article_id == article_stories.c.article_id))
             .where(article_stories.c.story_id.in_(list(story_ids)))
             .order_by(article_stories.c.published, article_stories.c.article_id))
    with db.begin() as connection:
        rows = connection.execute(query).all()
    found = {a.id: a for a in get_articles(db, [r.article_id for r in rows])}
    leads: dict[int, tuple[StoredArticle, bool]] = {}
    for row in rows:
        article = found.get(row.article_id)
        if article is None:
            continue
        current = leads.get(row.story_id)
        if current is None or (current[1] and row.duplicate_of is None):
            leads[row.story_id] = (article, row.duplicate_of is not None)
    return {story_id: lead for story_id, (lead, _) in leads.items()}


def story_articles_for(db: Database, story_ids: Sequence[int]) -> list[tuple[int, StoredArticle, int | None]]:
    """(story id, article, duplicate_of) of every visible article of these stories."""
    query = (sa.select(article_stories.c.story_id, article_stories.c.article_id,
                       article_signatures.c.duplicate_of)
             .select_from(article_stories.outerjoin(
                 article_signatures,
                 article_signatures.c.article_id == article_stories.c.article_id))
             .where(article_stories.c.story_id.in_(list(story_ids))))
    with db.begin() as connection:
        rows = connection.execute(query).all()
    found = {a.id: a for a in get_articles(db, [r.article_id for r in rows])}
    return [(r.story_id, found[r.article_id], r.duplicate_of) for r in rows
            if r.article_id in found]


def duplicate_ids(db: Database, ids: Iterable[int]) -> set[int]:
    """Which of these articles are copies of another."""
    ids = list(ids)
    if not ids:
        return set()
    query = (sa.select(article_signatures.c.article_id)
             .where(article_signatures.c.article_id.in_(ids))
             .where(article_signatures.c.duplicate_of.is_not(None)))
    with db.begin() as connection:
        return set(connection.scalars(query))


# --- the desk's corrections ----------------------------------------------------------------

def _member_ids(connection: Any, story_id: int) -> list[int]:
    return list(connection.scalars(
        sa.select(article_stories.c.article_id).where(article_stories.c.story_id == story_id)
        .order_by(article_stories.c.article_id)))


def _settle(connection: Any, db: Database, story_ids: set[int]) -> int:
    """Refresh the counters of these stories, drop the ones left empty, bump the version."""
    live = set(connection.scalars(sa.select(article_stories.c.story_id).distinct()
                                  .where(article_stories.c.story_id.in_(sorted(story_ids)))))
    empty = story_ids - live
    if empty:
        connection.execute(sa.delete(stories).where(stories.c.id.in_(sorted(empty))))
    _refresh_stories(connection, db, live)
    return _bump(connection, db, "version")


def merge_stories(db: Database, story_id: int, into: int) -> int:
    """Move every article of ``story_id`` into story ``into``; return the new version.

    The edit is recorded (``story_edits``) so that a rebuild applies it again.
    """
    with db.begin() as connection:
        version = _merge(connection, db, story_id, into)
        _record_edit(connection, "merge", story_id, into)
        return version


def _merge(connection: Any, db: Database, story_id: int, into: int) -> int:
    if story_id == into:
        raise StoryEditError("a story cannot be merged into itself")
    moving = _member_ids(connection, story_id)
    if not moving:
        raise StoryEditError(f"story {story_id} has no articles")
    if not _member_ids(connection, into):
        raise StoryEditError(f"story {into} has no articles")
    connection.execute(sa.update(article_stories)
                       .where(article_stories.c.story_id == story_id)
                       .values(story_id=into, nearest_story_id=story_id,
                               reason=f"merged by an editor from story {story_id}"))
    return _settle(connection, db, {story_id, into})


def split_article(db: Database, article_id: int) -> int:
    """Move one article out of its story into a story of its own (whose id is the
    article's, as every story's id is its first article's); return the new story's id.

    When the article founded its story, the others keep a story keyed by the lowest of
    their ids. The edit is recorded (``story_edits``) so that a rebuild applies it again.
    """
    with db.begin() as connection:
        _split(connection, db, article_id)
        _record_edit(connection, "split", article_id, None)
    return article_id


def _split(connection: Any, db: Database, article_id: int) -> None:
    current = connection.scalar(sa.select(article_stories.c.story_id)
                                .where(article_stories.c.article_id == article_id))
    if current is None:
        raise StoryEditError(f"article {article_id} is not in a story")
    members = _member_ids(connection, current)
    if members == [article_id]:
        raise StoryEditError(f"article {article_id} is already alone in its story")
    others = [m for m in members if m != article_id]
    touched = {current, article_id}
    if current == article_id:
        heir = others[0]
        if connection.scalar(sa.select(stories.c.id).where(stories.c.id == heir)) is not None:
            raise StoryEditError(f"story {heir} already exists; merge it first")
        connection.execute(sa.update(article_stories)
                           .where(article_stories.c.article_id.in_(others))
                           .values(story_id=heir))
        touched.add(heir)
    elif connection.scalar(sa.select(stories.c.id)
                           .where(stories.c.id == article_id)) is not None:
        raise StoryEditError(f"story {article_id} already exists")
    connection.execute(sa.update(article_stories)
                       .where(article_stories.c.article_id == article_id)
                       .values(story_id=article_id, nearest_story_id=current,
                               reason=f"split by an editor from story {current}"))
    connection.execute(sa.update(article_signatures)
                       .where(article_signatures.c.article_id == article_id)
                       .values(duplicate_of=None, duplicate_kind=None))
    _settle(connection, db, touched)


def _record_edit(connection: Any, kind: str, article_id: int, into: int | None) -> None:
    connection.execute(sa.insert(story_edits).values(
        kind=kind, article_id=article_id, into_article_id=into,
        at=to_db_time(dt.datetime.now(dt.UTC))))


@dataclass(frozen=True)
class StoryEdit:
    """A merge or split an editor made, as recorded."""

    id: int
    kind: str
    article_id: int
    into_article_id: int | None
    at: dt.datetime


def story_edits_list(db: Database) -> list[StoryEdit]:
    """Every recorded merge and split, oldest first."""
    with db.begin() as connection:
        rows = connection.execute(sa.select(story_edits).order_by(story_edits.c.id)).all()
    return [StoryEdit(r.id, r.kind, r.article_id, r.into_article_id, as_utc(r.at))
            for r in rows]  # type: ignore[arg-type]


def replay_edits(db: Database) -> int:
    """Apply the recorded merges and splits again, oldest first, after a rebuild.

    A merge joins the stories that now hold its two articles; a split takes its article
    out of the story it now shares. An edit that no longer applies (the articles are
    gone, or already where the editor put them) is skipped. Returns how many applied.
    """
    applied = 0
    for edit in story_edits_list(db):
        with db.begin() as connection:
            try:
                if edit.kind == "merge" and edit.into_article_id is not None:
                    source = _story_of(connection, edit.article_id)
                    target = _story_of(connection, edit.into_article_id)
                    if source is None or target is None or source == target:
                        continue
                    _merge(connection, db, source, target)
                elif edit.kind == "split":
                    _split(connection, db, edit.article_id)
                else:
                    continue
            except StoryEditError:
                continue
            applied += 1
    return applied


def _story_of(connection: Any, article_id: int) -> int | None:
    return connection.scalar(sa.select(article_stories.c.story_id)
                             .where(article_stories.c.article_id == article_id))
