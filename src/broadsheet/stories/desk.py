"""The four layers together: where one new article goes, in publication order.

``StoryDesk.place`` runs an article through every layer, cheapest first:

1. its canonical address is one seen before → a copy of that article ("address");
2. its normalised text has the fingerprint of one seen before → a copy ("text");
3. its MinHash signature finds a near-duplicate (wire reprint) → a copy ("near");
4. otherwise the story clusterer puts it into the best recent story or a new one.

After a batch, ``settle`` merges stories the batch brought close (never an
editor's), and ``story_now`` follows a merged story to the one it went into.

A copy joins the story of the article it copies and is not clustered again (one
text counts once in a story's centroid). Everything is kept for the clusterer's
window only, so the cost per article does not grow with the archive; storage
answers for older addresses and fingerprints through ``known``.

``article_features`` is the per-article, order-free part (the costly one): a
caller may compute it in worker processes and hand it in.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from broadsheet.stories._vectors import article_terms
from broadsheet.stories.cluster import DEFAULT_THRESHOLD, ClusterInput, Merge, StoryClusterer
from broadsheet.stories.fingerprint import text_fingerprint
from broadsheet.stories.near_duplicates import (
    MinHashSignature,
    NearDuplicateIndex,
    minhash_signature,
)

__all__ = ["DeskArticle", "Features", "Placement", "StoryDesk", "article_features"]

WINDOW_SLACK = 1.25
"""Keep copies' lookups a little longer than the clusterer's window (late arrivals)."""


@dataclass(frozen=True)
class DeskArticle:
    """What the desk needs of an article: ids are strings, time is aware."""

    id: str
    source: str
    title: str
    text: str
    url: str | None
    published: dt.datetime


@dataclass(frozen=True)
class Features:
    """The per-article results of the order-free layers."""

    url: str | None
    fingerprint: str | None
    signature: bytes
    terms: dict[str, float]


@dataclass(frozen=True)
class Placement:
    """Where an article went: its story, and what it copies (if anything)."""

    article_id: str
    story_id: str
    duplicate_of: str | None = None
    duplicate_kind: str | None = None
    """"address", "text" or "near" when the article is a copy."""
    nearest_story_id: str | None = None
    """The closest other story when it was placed (for "read more" fallbacks)."""
    fingerprint: str | None = None
    signature: bytes = b""
    reason: str | None = None
    """Why it joined its story, for people (None when it started the story)."""


def article_features(article: DeskArticle) -> Features:
    """Compute the canonical address, fingerprint, MinHash signature and terms."""
    body = article.text or article.title
    return Features(
        url=article.url,
        fingerprint=text_fingerprint(body),
        signature=minhash_signature(body).to_bytes(),
        terms=article_terms(article.title, article.text),
    )


_COPY_REASONS = {"address": "same address as", "text": "same text as",
                 "near": "near-duplicate text of"}

Known = tuple[str, str]
"""(root article id, story id) of an article storage already holds."""


class StoryDesk:
    """Places articles one at a time into stories, finding copies first."""

    def __init__(self, window_hours: float = 72.0, threshold: float = DEFAULT_THRESHOLD):
        self.window_hours = window_hours
        self.clusterer = StoryClusterer(window_hours=window_hours, threshold=threshold)
        self.index = NearDuplicateIndex()
        self._by_url: dict[str, str] = {}
        self._by_fingerprint: dict[str, str] = {}
        self._root_of: dict[str, str] = {}
        self._story_of: dict[str, str] = {}
        self._moved: dict[str, str] = {}
        """Merged story -> the story it went into (``settle``)."""
        self._recent: deque[tuple[float, str, str | None, str | None]] = deque()
        self._clock = float("-inf")

    def learn(self, batch: Sequence[tuple[DeskArticle, Features]]) -> None:
        """Count a batch about to be placed into the clusterer's IDF and neighbourhoods
        first (see ``StoryClusterer.learn_ahead``); optional, it makes placements as
        good for the first articles of a batch as for the last."""
        self.clusterer.learn_ahead(((article.id, features.terms) for article, features in batch),
                                   published={article.id: article.published
                                              for article, _ in batch})

    def settle(self, locked: Iterable[str] = ()) -> list[Merge]:
        """After a batch: merge stories the batch brought close (``StoryClusterer.settle``),
        never one in ``locked`` (an editor's); return the merges, oldest story kept."""
        merges = self.clusterer.settle(locked)
        for merge in merges:
            self._moved[merge.story_id] = merge.into
        return merges

    def story_now(self, story_id: str) -> str:
        """Where the articles of ``story_id`` are now, after ``settle``'s merges."""
        seen = story_id
        while seen in self._moved:
            seen = self._moved[seen]
        return seen

    def place(
        self, article: DeskArticle, features: Features | None = None, *,
        known_url: Known | None = None, known_fingerprint: Known | None = None,
    ) -> Placement:
        """Run ``article`` through the layers and remember it; see the module docstring.

        ``known_url``/``known_fingerprint`` are storage's answers for addresses and
        texts older than the window.
        """
        features = features or article_features(article)
        signature = MinHashSignature.from_bytes(features.signature)
        copy = self._copy_of(features, known_url, known_fingerprint)
        nearest = None
        if copy is None:
            near = self.index.add_signature(article.id, signature)
            if near is not None:
                copy = (self._root_of.get(near, near),
                        self.story_now(self._story_of.get(near, near)), "near")
        if copy is None:
            story = self.clusterer.assign(_cluster_input(article), features.terms)
            nearest = self.clusterer.last_nearest
            why = self.clusterer.last_reason
            placement = Placement(article.id, story, None, None, nearest,
                                  features.fingerprint, features.signature,
                                  why.describe() if why else None)
        else:
            self.clusterer.skip_learned(article.id)
            root, story, kind = copy
            placement = Placement(article.id, story, root, kind, None,
                                  features.fingerprint, features.signature,
                                  f"{_COPY_REASONS[kind]} article {root}")
        self._remember(article, features, placement)
        return placement

    def restore(self, article: DeskArticle, story_id: str, duplicate_of: str | None,
                features: Features) -> None:
        """Put back an article storage already placed (after a restart), oldest first."""
        if duplicate_of is None:
            self.clusterer.restore(_cluster_input(article), story_id, features.terms)
            if features.signature:
                self.index.add_signature(article.id,
                                         MinHashSignature.from_bytes(features.signature))
        placement = Placement(article.id, story_id, duplicate_of)
        self._remember(article, features, placement)

    def _copy_of(self, features: Features, known_url: Known | None,
                 known_fingerprint: Known | None) -> tuple[str, str, str] | None:
        for key, table, known, kind in (
            (features.url, self._by_url, known_url, "address"),
            (features.fingerprint, self._by_fingerprint, known_fingerprint, "text"),
        ):
            if key is None:
                continue
            seen = table.get(key)
            if seen is not None:
                return self._root_of.get(seen, seen), self.story_now(self._story_of[seen]), kind
            if known is not None:
                return known[0], known[1], kind
        return None

    def _remember(self, article: DeskArticle, features: Features, placement: Placement) -> None:
        article_id = article.id
        self._root_of[article_id] = placement.duplicate_of or article_id
        self._story_of[article_id] = placement.story_id
        if features.url:
            self._by_url.setdefault(features.url, article_id)
        if features.fingerprint:
            self._by_fingerprint.setdefault(features.fingerprint, article_id)
        when = article.published.timestamp()
        self._recent.append((when, article_id, features.url, features.fingerprint))
        self._clock = max(self._clock, when)
        self._forget_before(self._clock - WINDOW_SLACK * self.window_hours * 3600.0)

    def _forget_before(self, horizon: float) -> None:
        # Arrival order is nearly publication order; a late old article is dropped when
        # it reaches the front, which bounds memory all the same.
        recent = self._recent
        while recent and recent[0][0] < horizon:
            _, article_id, url, fingerprint = recent.popleft()
            if url and self._by_url.get(url) == article_id:
                del self._by_url[url]
            if fingerprint and self._by_fingerprint.get(fingerprint) == article_id:
                del self._by_fingerprint[fingerprint]
            self._root_of.pop(article_id, None)
            self._story_of.pop(article_id, None)
            self.index.remove(article_id)
        if len(self._moved) > 4 * max(len(self._story_of), 1024):
            live = set(self._story_of.values())
            self._moved = {k: v for k, v in self._moved.items() if k in live}


def _cluster_input(article: DeskArticle) -> ClusterInput:
    return ClusterInput(article.id, article.title, article.text, article.published,
                        article.source)
