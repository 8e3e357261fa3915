"""How crowded an article's neighbourhood is: the mean cosine to its nearest articles.

Raw similarity misleads in a crowded topic: a week of election coverage makes any
two campaign articles look alike, while two reports of a small event share a few
rare words and little else. So the clusterer judges a pair against its
neighbourhood (as cross-domain similarity local scaling does for embeddings): an
article's *density* is the mean cosine to its ``neighbours`` nearest other articles
of the window (missing ones count as 0), and a pair is close when its cosine beats
the two densities' mean. On the train split of real news (bench/stories/tune.py)
this lifted the area under the same-story pair curve from 0.935 to 0.978.

The index keeps the window's articles (vectors, posted by term), each article's
nearest neighbours both ways, and who holds whom, so an article can be taken out
again (a copy found after its batch was indexed, or one that left the window) and
the densities it raised fall back.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Container
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter, mul

__all__ = ["NeighbourIndex"]

QUERY_TERMS = 10
"""The article's strongest terms, used to find candidate neighbours."""
MAX_POSTINGS = 150
"""Terms in more window articles than this are too common to find neighbours with."""
COPY_COSINE = 0.8
"""A neighbour this close is a copy or a rewrite of the article, not its neighbourhood:
it does not count (else every reprinted story would look crowded)."""
KEEP_FACTOR = 3
"""Neighbours kept per article, in multiples of ``neighbours``: enough to find its
neighbourhood outside its own story."""
POSTED_TERMS = 20
"""An article is posted under its strongest terms only (found by those, scored on all)."""
CANDIDATES = 16
"""Candidates, by their partial dot product, that get an exact cosine."""


@dataclass
class _Entry:
    when: float
    vector: dict[str, float]
    near: dict[str, float] = field(default_factory=dict)
    """Up to ``keep`` nearest other articles: id -> cosine."""
    held_by: set[str] = field(default_factory=set)
    """Articles whose ``near`` holds this one."""
    plain: float | None = None
    """The density over all kept neighbours, once asked for (most scores need just this)."""


class NeighbourIndex:
    """The window's articles, their nearest neighbours and densities (see the module)."""

    def __init__(self, neighbours: int, window: float) -> None:
        self.neighbours = neighbours
        self.keep = KEEP_FACTOR * neighbours
        self.window = window
        self._entries: dict[str, _Entry] = {}
        self._postings: dict[str, dict[str, float]] = {}
        self._expiry: list[tuple[float, str]] = []

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._entries

    def density(self, article_id: str, skip: Container[str] = ()) -> float:
        """Mean cosine to the article's nearest neighbours, leaving out the articles in
        ``skip`` (0 for an unknown article).

        The articles being judged with this one are not its neighbourhood: an article
        is measured against a story without that story's members, and each story of
        a possible merge without the other's. When fewer than ``neighbours`` of the
        kept ones are left and the list is full, the weakest kept cosine stands in
        for the missing ones: an upper bound.
        """
        entry = self._entries.get(article_id)
        if entry is None:
            return 0.0
        near = entry.near
        left = [c for k, c in near.items() if k not in skip] if skip else None
        if left is None or len(left) == len(near):
            if entry.plain is None:
                top = heapq.nlargest(self.neighbours, near.values())
                entry.plain = sum(top) / self.neighbours
            return entry.plain
        cosines = heapq.nlargest(self.neighbours, left)
        if len(cosines) < self.neighbours and len(near) >= self.keep:
            cosines += [min(near.values())] * (self.neighbours - len(cosines))
        return sum(cosines) / self.neighbours

    def near(self, article_id: str) -> dict[str, float]:
        """The article's nearest neighbours: id -> cosine."""
        entry = self._entries.get(article_id)
        return {} if entry is None else dict(entry.near)

    def vector(self, article_id: str) -> dict[str, float]:
        """The article's unit vector as indexed."""
        return self._entries[article_id].vector

    def items(self) -> list[tuple[str, float, dict[str, float], dict[str, float]]]:
        """(id, time, vector, neighbours) of every indexed article, to save the index."""
        return [(k, e.when, e.vector, e.near) for k, e in self._entries.items()]

    def add(self, article_id: str, vector: dict[str, float], when: float) -> None:
        """Index an article and offer it as a neighbour to the ones close to it."""
        if article_id in self._entries:
            return
        entry = _Entry(when, vector)
        closest = self._closest(vector, when)
        for other, cosine in closest:
            self._offer(article_id, entry, other, cosine)
        self._entries[article_id] = entry
        for other, cosine in closest:
            self._offer(other, self._entries[other], article_id, cosine)
        heapq.heappush(self._expiry, (when, article_id))
        self._post(article_id, vector)

    def load(self, article_id: str, vector: dict[str, float], when: float,
             near: dict[str, float]) -> None:
        """Put back an article saved by ``items`` (all of them, then nothing else)."""
        self._entries[article_id] = _Entry(when, vector, dict(near))
        heapq.heappush(self._expiry, (when, article_id))
        self._post(article_id, vector)

    def _post(self, article_id: str, vector: dict[str, float]) -> None:
        for term, weight in heapq.nsmallest(POSTED_TERMS, vector.items(), key=_by_weight):
            self._postings.setdefault(term, {})[article_id] = weight

    def relink(self) -> None:
        """After ``load``: rebuild who holds whom."""
        for article_id, entry in self._entries.items():
            for other in entry.near:
                if other in self._entries:
                    self._entries[other].held_by.add(article_id)

    def remove(self, article_id: str) -> None:
        """Take an article out; the densities it raised fall back."""
        entry = self._entries.pop(article_id, None)
        if entry is None:
            return
        for holder in entry.held_by:
            held = self._entries.get(holder)
            if held is not None and held.near.pop(article_id, None) is not None:
                held.plain = None
        for other in entry.near:
            found = self._entries.get(other)
            if found is not None:
                found.held_by.discard(article_id)
        for term, _ in heapq.nsmallest(POSTED_TERMS, entry.vector.items(), key=_by_weight):
            posting = self._postings.get(term)
            if posting is not None:
                posting.pop(article_id, None)
                if not posting:
                    del self._postings[term]

    def expire(self, horizon: float) -> None:
        """Take out every article published before ``horizon``."""
        expiry = self._expiry
        while expiry and expiry[0][0] < horizon:
            when, article_id = heapq.heappop(expiry)
            entry = self._entries.get(article_id)
            if entry is not None and entry.when == when:
                self.remove(article_id)

    def probe(self, vector: dict[str, float], when: float) -> float:
        """The density an article with ``vector`` would have, without indexing it."""
        cosines = sorted((c for _, c in self._closest(vector, when) if c < COPY_COSINE),
                         reverse=True)
        return math.fsum(cosines[: self.neighbours]) / self.neighbours

    def _closest(self, vector: dict[str, float], when: float) -> list[tuple[str, float]]:
        partial: dict[str, float] = {}
        get = partial.get
        for term, weight in heapq.nsmallest(QUERY_TERMS, vector.items(), key=_by_weight):
            posting = self._postings.get(term)
            if posting and len(posting) <= MAX_POSTINGS:
                for other, value in posting.items():
                    partial[other] = get(other, 0.0) + weight * value
        ranked = heapq.nlargest(CANDIDATES, partial.items(), key=itemgetter(1))
        terms, weights = list(vector), list(vector.values())
        found = []
        for other, _ in ranked:
            entry = self._entries[other]
            if abs(entry.when - when) > self.window:
                continue
            values = map(entry.vector.get, terms, repeat(0.0))
            found.append((other, sum(map(mul, weights, values))))
        return found

    def _offer(self, article_id: str, entry: _Entry, other: str, cosine: float) -> None:
        if cosine >= COPY_COSINE:
            return
        near = entry.near
        if len(near) >= self.keep:
            weakest = min(near, key=lambda k: (near[k], k))
            if (near[weakest], weakest) >= (cosine, other):
                return
            del near[weakest]
            dropped = self._entries.get(weakest)
            if dropped is not None:
                dropped.held_by.discard(article_id)
        near[other] = cosine
        held = self._entries.get(other)
        if held is not None:
            held.held_by.add(article_id)
        entry.plain = None


def _by_weight(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])
