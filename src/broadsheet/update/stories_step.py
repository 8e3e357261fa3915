"""The stories step: every stored article gets a story, in publication order.

::

    store.placement_queue.queued_articles  (queued by the database as each article is
        │   stored; oldest first, by published and id) in batches, under the "stories"
        │   leader lease (one process at a time)
        ▼
    stories.desk.article_features      canonical address, text fingerprint, MinHash, terms
        ▼                              (for the whole batch before any is placed)
    store.stories.known_by_url / known_by_fingerprint    copies of older, stored articles
        ▼                              (two queries for the whole batch)
    stories.desk.StoryDesk.place       same address → copy; same text → copy;
        │                              near-duplicate → copy ("also published by");
        │                              else the best recent story, or a new one
        ▼
    stories.desk.StoryDesk.settle      stories the batch brought close are merged
        │                              (never one an editor merged or split)
        ▼
    store.stories.record_placements    merges, signatures, memberships, stories, and the
                                       batch's queue rows deleted: one transaction

Polling never waits for this step: ``update`` runs it after polling, ``run`` and
``worker`` in a background thread. A placer that dies leaves its batch queued; the
next one places it, once.

The desk (clusterer and near-duplicate index) lives in memory for the process's life.
It is rebuilt from the last window of placed articles when the process starts, and
again whenever another process (or ``stories rebuild``) wrote since this one did: the
``version`` counter in ``story_state`` tells.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from broadsheet.store import Database
from broadsheet.store import outlets as outlet_store
from broadsheet.store import placement_queue
from broadsheet.store import stories as story_store
from broadsheet.store.stories import PendingArticle, PlacedArticle, StoryMerge
from broadsheet.stories.desk import (
    WINDOW_SLACK, DeskArticle, Features, StoryDesk, article_features,
)
from broadsheet.stories.near_duplicates import minhash_signature

log = logging.getLogger("broadsheet.stories")

BATCH = 500
DEFAULT_WINDOW_HOURS = 72.0
"""How far back a story stays open to new articles; a constant, not a setting (the
clustering is tuned and measured against it)."""


class _Loaded:
    """A desk, the version of the stored placements it reflects, and the stories an
    editor touched (which the desk never merges)."""

    def __init__(self, desk: StoryDesk, version: int, locked: set[str]):
        self.desk = desk
        self.version = version
        self.locked = locked


_desks: dict[str, _Loaded] = {}
_lock = threading.Lock()


def assign_pending_stories(db: Database, settings: Any = None, *, batch: int = BATCH,
                           keep_going: Callable[[], bool] | None = None) -> int:
    """Place queued articles until the queue is empty (or ``keep_going`` says stop,
    checked between batches); return how many were placed.

    Safe to call often: with nothing queued it costs two small queries. Call it from
    one process at a time (under the "stories" leader lease). No setting changes how
    stories are placed: ``settings`` is accepted, like every step's, and unused.
    """
    with _lock:
        # Nothing queued: done, without loading the desk (a re-poll's whole fixed cost).
        if placement_queue.drop_placed(db) == 0 and not placement_queue.queued_articles(db, 1):
            return 0
        outlet_store.ensure_starter_outlets(db)
        loaded = _desk_for(db)
        placed = 0
        while keep_going is None or keep_going():
            pending = placement_queue.queued_articles(db, batch)
            if not pending:
                break
            placements, merges = _place_batch(db, loaded, pending)
            loaded.version = story_store.record_placements(db, placements, merges)
            placed += len(placements)
        if placed:
            log.info("stories placed", extra={"count": placed})
        return placed


def rebuild_stories(db: Database, settings: Any = None) -> int:
    """Forget every placement, place every article again, then apply the editors' edits."""
    with _lock:
        story_store.clear_stories(db)
        _desks.pop(db.url, None)
    placed = assign_pending_stories(db, settings)
    story_store.replay_edits(db)  # an editor's merges and splits outlive a rebuild
    return placed


def _desk_for(db: Database) -> _Loaded:
    version = story_store.read_counter(db, "version")
    loaded = _desks.get(db.url)
    if loaded is None or loaded.version != version:
        desk, locked = _load_desk(db, DEFAULT_WINDOW_HOURS)
        loaded = _Loaded(desk, version, locked)
        _desks[db.url] = loaded
    return loaded


def _load_desk(db: Database, window_hours: float) -> tuple[StoryDesk, set[str]]:
    """A desk holding the last window of placed articles, as they were placed, and the
    stories of that window an editor merged or split (locked against the desk's merges)."""
    desk = StoryDesk(window_hours=window_hours)
    newest = story_store.latest_placed(db)
    if newest is None:
        return desk, set()
    edited = {str(k) for edit in story_store.story_edits_list(db)
              for k in (edit.article_id, edit.into_article_id) if k is not None}
    locked = set()
    since = newest - dt.timedelta(hours=WINDOW_SLACK * window_hours)
    count = 0
    for row in story_store.placed_since(db, since):
        article = _desk_article(row)
        signature = row.minhash or minhash_signature(row.text or row.title).to_bytes()
        features = Features(row.canonical_url, row.fingerprint, signature,
                            article_features(article).terms if row.duplicate_of is None else {})
        desk.restore(article, str(row.story_id),
                     None if row.duplicate_of is None else str(row.duplicate_of), features)
        if article.id in edited:
            locked.add(str(row.story_id))
        count += 1
    log.info("stories desk loaded", extra={"count": count})
    return desk, locked


def _desk_article(row: PendingArticle) -> DeskArticle:
    return DeskArticle(str(row.id), str(row.source_id), row.title, row.text,
                       row.canonical_url, row.published)


def _place_batch(db: Database, loaded: _Loaded, pending: list[PendingArticle]
                 ) -> tuple[list[PlacedArticle], list[StoryMerge]]:
    desk = loaded.desk
    articles = [_desk_article(p) for p in pending]
    features = [article_features(a) for a in articles]
    desk.learn(list(zip(articles, features, strict=True)))
    by_url = story_store.known_by_url(db, [f.url for f in features if f.url])
    by_text = story_store.known_by_fingerprint(
        db, [f.fingerprint for f in features if f.fingerprint])
    placements = [desk.place(article, feature,
                             known_url=_known(by_url.get(feature.url or "")),
                             known_fingerprint=_known(by_text.get(feature.fingerprint or "")))
                  for article, feature in zip(articles, features, strict=True)]
    merges = [StoryMerge(int(m.story_id), int(m.into), m.describe())
              for m in desk.settle(loaded.locked)]
    placed = [PlacedArticle(
        article_id=row.id, story_id=int(desk.story_now(placement.story_id)),
        published=row.published, fingerprint=placement.fingerprint,
        minhash=placement.signature, duplicate_of=_int(placement.duplicate_of),
        duplicate_kind=placement.duplicate_kind,
        nearest_story_id=_int(placement.nearest_story_id), reason=placement.reason)
        for row, placement in zip(pending, placements, strict=True)]
    return placed, merges


def _known(found: tuple[int, int] | None) -> tuple[str, str] | None:
    return None if found is None else (str(found[0]), str(found[1]))


def _int(value: str | None) -> int | None:
    return None if value is None else int(value)
