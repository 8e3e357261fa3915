"""Story grouping: articles about one event, from any outlet, join one story.

Online, single pass, in publication order. Each article becomes a unit TF-IDF
vector (``_vectors``: title weighted over body, light stemming, IDF learned from
every article seen). A story keeps the sum of its members' vectors. A new article
is scored against the stories active within ``window_hours`` of its publication,
found through an inverted index from term to story, so the cost per article
depends on the window, not on the archive.

The score starts from *average link*: the mean cosine between the article and the
story's members, which is the dot product with the members' sum divided by their
number (no single-centroid cosine, which lets a big story drift and swallow its
neighbours). It is discounted by the time gap to the story and, when the story
already has an article from the same outlet, by ``SAME_SOURCE_PENALTY`` (an outlet
rarely publishes one event twice; its follow-ups still join when close enough). Then
it is measured against the neighbourhood: the score is how far that cosine beats the
mean *density* of the article and the members (the mean cosine to their nearest
other articles, ``_neighbours``; at least ``FLOOR``), because in a crowded topic
any two articles look alike. The article joins the best story scoring at least
``threshold``, or starts a new one whose id is the article's id. ``last_reason``
tells why: the score, the cosine, the neighbourhood and the terms that contributed
most.

Placing one article at a time, a story can start before the articles that bind it
to another arrive. ``settle``, called after each batch, merges the stories the batch
touched with close ones by the same measure over all their members (the online
form of the average-link agglomerative clustering that beat us on real news), into
the older story, never one an editor merged or split, and says why in a ``Merge``.

``cluster_articles`` is the batch form: IDF and the neighbourhoods are learned from
the whole batch first, articles are taken in (published, id) order and the batch is
settled, so the result does not depend on the order of the input.
``export_state``/``from_state`` carry a clusterer across restarts as plain JSON-able
data.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from collections.abc import Container, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import repeat
from operator import mul
from typing import Any

from broadsheet.stories._neighbours import NeighbourIndex
from broadsheet.stories._vectors import article_terms, surface_forms, weigh_terms

__all__ = ["ClusterInput", "Merge", "Reason", "StoryClusterer", "article_terms", "cluster_articles"]

DEFAULT_THRESHOLD = 0.04
"""How far the mean cosine to a story's members (after the discounts) must beat the
mean density of the article and the members to join; chosen on the train split of
real news by bench/stories/tune.py (mean B-cubed F1 0.910 with pairwise precision 0.89
on train, where the best F1, 0.915 at 0.02 and 0.00, had 0.86)."""
MERGE_THRESHOLD = 0.02
"""The same margin, between all the members of two stories, for ``settle`` to merge them."""
NEIGHBOURS = 5
"""Nearest articles whose mean cosine is an article's density (see ``_neighbours``)."""
FLOOR = 0.15
"""The neighbourhood is taken as at least this crowded: where the window is nearly
empty (a quiet site, a new one) a pair still needs this much cosine plus the margin."""
DENSITY_SAMPLE = 8
"""A story's density is its latest members' mean (bounded work for a big story)."""
TIME_PENALTY = 0.3
"""Share of the score lost by a story last updated a whole window ago."""
IDF_POWER = 1.0
"""IDF is raised to this power (see ``weigh_terms``). Before densities, power 2 kept
same-topic events apart better; measured against the neighbourhood, plain IDF does
best on train (bench/stories/tune.py)."""
SAME_SOURCE_PENALTY = 0.25
"""Share of the score lost when the story already has an article from the same outlet."""
QUERY_TERMS = 16
"""The article's strongest terms, used to find candidate stories."""
MAX_POSTINGS = 150
"""Terms in more active stories than this are too common to find candidates with."""
CENTROID_TERMS = 150
EXACT_CANDIDATES = 6
"""Candidates, by their partial score, that get an exact score."""
REASON_TERMS = 5


@dataclass(frozen=True)
class ClusterInput:
    """What clustering needs of an article."""

    id: str
    title: str
    text: str
    published: dt.datetime
    """Timezone-aware publication time."""
    source: str


@dataclass(frozen=True)
class Reason:
    """Why an article joined a story: the score against the threshold, the shared terms."""

    story_id: str
    score: float
    """How far the mean cosine beat the neighbourhood (what the threshold applies to)."""
    threshold: float
    terms: tuple[str, ...]
    """The article's words that contributed most to the score, strongest first."""
    cosine: float = 0.0
    """The mean cosine to the story's members, after the discounts."""
    typical: float = 0.0
    """The mean density of the article and the members: what a neighbour scores."""

    def describe(self) -> str:
        """One line for people: ``similarity 0.05 (joins at 0.02); shared: korea, bomb;
        cosine 0.31 where neighbours have 0.26``."""
        shared = ", ".join(self.terms) or "none"
        return (f"similarity {self.score:.2f} (joins at {self.threshold:.2f}); shared: {shared};"
                f" cosine {self.cosine:.2f} where neighbours have {self.typical:.2f}")


@dataclass(frozen=True)
class Merge:
    """Two stories ``settle`` made one: ``story_id`` moved into ``into``, and why."""

    story_id: str
    into: str
    score: float
    threshold: float
    terms: tuple[str, ...]

    def describe(self) -> str:
        """One line for people, stored on the moved articles."""
        shared = ", ".join(self.terms) or "none"
        return (f"story {self.story_id} merged in: similarity {self.score:.2f} "
                f"(merges at {self.threshold:.2f}); shared: {shared}")


@dataclass
class _Story:
    id: str
    first: float
    last: float
    size: int = 0
    centroid: dict[str, float] = field(default_factory=dict)
    """The sum of the members' vectors."""
    sources: set[str] = field(default_factory=set)
    members: list[str] = field(default_factory=list)


class StoryClusterer:
    """Assigns articles to stories one at a time (see the module docstring)."""

    def __init__(self, window_hours: float = 72.0, threshold: float = DEFAULT_THRESHOLD,
                 idf_power: float = IDF_POWER, merge_threshold: float = MERGE_THRESHOLD,
                 neighbours: int = NEIGHBOURS, floor: float = FLOOR) -> None:
        self.window_hours = window_hours
        self.threshold = threshold
        self.idf_power = idf_power
        self.merge_threshold = merge_threshold
        self.neighbours = neighbours
        self.floor = floor
        self._window = window_hours * 3600.0
        self._df: dict[str, int] = {}
        self._docs = 0
        self._frozen_idf: tuple[dict[str, float], float] | None = None
        self._stories: dict[str, _Story] = {}
        self._postings: dict[str, dict[str, float]] = {}
        self._expiry: list[tuple[float, str]] = []
        self._story_of: dict[str, str] = {}
        self._near = NeighbourIndex(neighbours, self._window)
        self._touched: set[str] = set()
        self._clock = -math.inf
        self._learned: set[str] = set()
        self.last_nearest: str | None = None
        """After ``assign``: the closest other active story, if any scored at all."""
        self.last_reason: Reason | None = None
        """After ``assign``: why the article joined an existing story (None: it started one)."""

    def assign(self, article: ClusterInput, terms: dict[str, float] | None = None) -> str:
        """Return the story id of ``article``, joining or starting a story.

        ``terms`` may carry ``article_terms(article.title, article.text)`` computed
        beforehand, e.g. in a worker process: it is the costly, parallel part.
        """
        return self._assign(article, terms)

    def _assign(self, article: ClusterInput, counts: dict[str, float] | None) -> str:
        known = self._story_of.get(article.id)
        if known is not None and known in self._stories:
            return known
        if counts is None:
            counts = article_terms(article.title, article.text)
        if article.id in self._learned:
            self._learned.discard(article.id)
        elif self._frozen_idf is None:
            self._learn(counts)
        # Indexed ahead with its batch: the same vector (IDF has not moved since).
        vector = (self._near.vector(article.id) if article.id in self._near
                  else self._vector(counts))
        when = article.published.timestamp()
        self._expire(when)
        self._near.add(article.id, vector, when)
        scored = self._scores(vector, when, article.source, article.id)
        scores = {sid: score for sid, (score, _, _) in scored.items()}
        best = self._pick(scores)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        self.last_nearest = next((sid for sid, _ in ranked if sid != best), None)
        self.last_reason = None
        if best is None:
            story = self._new_story(article.id, when)
        else:
            story = self._stories[best]
            self.last_reason = self._reason(article, vector, story, scored[best])
        self._join(story, article.id, vector, when, article.source)
        return story.id

    def _reason(self, article: ClusterInput, vector: dict[str, float], story: _Story,
                scored: tuple[float, float, float]) -> Reason:
        score, cosine, typical = scored
        forms = surface_forms(article.title, article.text)
        top = _shared_terms(vector, story.centroid)
        return Reason(story.id, score, self.threshold, tuple(forms.get(t, t) for t in top),
                      cosine, typical)

    def nearest_stories(self, article: ClusterInput, limit: int = 3) -> list[tuple[str, float]]:
        """Return up to ``limit`` active (story id, score) pairs closest to ``article``.

        A score is how far the article's mean cosine to the story beats their
        neighbourhoods, 0 when it does not.
        """
        counts = article_terms(article.title, article.text)
        vector = self._vector(counts)
        when = article.published.timestamp()
        probe = None if article.id in self._near else self._near.probe(vector, when)
        scored = self._scores(vector, when, article.source, article.id, probe)
        ranked = sorted(scored.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))
        return [(sid, score) for sid, (score, _, _) in ranked[:limit]]

    def learn_ahead(self, batch: Iterable[tuple[str, dict[str, float]]],
                    published: Mapping[str, dt.datetime] | None = None) -> None:
        """Count a batch's (article id, terms) into IDF before any of it is placed.

        A fresh clusterer's IDF comes from few documents and overrates the words a
        kind of story always uses; learning a whole arriving batch first makes the
        first placements as good as later ones (and the batch's order matter less).
        Each article is counted once: ``assign`` will not count it again, and
        ``skip_learned`` forgets one that will not be assigned (a copy).

        With ``published`` (article id -> time), the batch also enters the
        neighbourhood index first, so every article of the batch is measured against
        its whole neighbourhood, later articles of the batch included.
        """
        batch = list(batch)
        fresh = []
        for article_id, counts in batch:
            if article_id not in self._learned and article_id not in self._story_of:
                self._learn(counts)
                self._learned.add(article_id)
                fresh.append((article_id, counts))
        if published is None:
            return
        for article_id, counts in fresh:
            self._near.add(article_id, self._vector(counts), published[article_id].timestamp())

    def skip_learned(self, article_id: str) -> None:
        """Forget that ``article_id`` was learned ahead (it will not be assigned)."""
        self._learned.discard(article_id)
        if article_id not in self._story_of:
            self._near.remove(article_id)

    def learn_idf(self, articles: Iterable[ClusterInput]) -> None:
        """Count ``articles`` into the document frequencies and freeze IDF until ``thaw_idf``."""
        for article in articles:
            self._learn(article_terms(article.title, article.text))
        self._freeze()

    def _freeze(self) -> None:
        self._frozen_idf = _idf_table(self._df, self._docs, self._df)

    def thaw_idf(self) -> None:
        """Go back to learning IDF from each assigned article."""
        self._frozen_idf = None

    def settle(self, locked: Iterable[str] = ()) -> list[Merge]:
        """Merge the stories touched since the last call with close stories; return the merges.

        Average link between all the members of two stories, measured against their
        neighbourhoods like a join, must reach ``merge_threshold``; the closest pair
        merges first, into the older story, and the scores are taken again. This
        repairs what placing one article at a time got wrong: two stories started
        before the articles that bind them arrived. Stories in ``locked`` (an editor
        merged or split them) are never merged.
        """
        frozen = set(locked)
        heap: list[tuple[float, str, str]] = []

        def push(a: str, b: str) -> None:
            if a != b and a not in frozen and b not in frozen:
                score = self._merge_score(self._stories[a], self._stories[b])
                if score is not None and score >= self.merge_threshold:
                    low, high = sorted((a, b))
                    heapq.heappush(heap, (-score, low, high))

        for story_id in sorted(self._touched):
            if story_id in self._stories:
                for other in sorted(self._partners(story_id)):
                    push(story_id, other)
        merges: list[Merge] = []
        while heap:
            negative, a, b = heapq.heappop(heap)
            first, second = self._stories.get(a), self._stories.get(b)
            if first is None or second is None:
                continue
            score = self._merge_score(first, second)
            if score is None or score < self.merge_threshold:
                continue
            if heap and score < -heap[0][0] and score != -negative:
                push(a, b)  # it changed since: take it again in its turn
                continue
            keep, gone = sorted((first, second), key=lambda s: (s.first, s.id))
            terms = _shared_terms(gone.centroid, keep.centroid)
            merges.append(Merge(gone.id, keep.id, score, self.merge_threshold, terms))
            self._absorb(keep, gone)
            for other in sorted(self._partners(keep.id)):
                push(keep.id, other)
        self._touched.clear()
        return merges

    def story_of(self, article_id: str, default: str) -> str:
        """The story ``article_id`` is in now (after merges), else ``default``."""
        return self._story_of.get(article_id, default)

    def _partners(self, story_id: str) -> set[str]:
        """Stories holding a nearest neighbour of one of this story's latest members."""
        found = set()
        for member in self._stories[story_id].members[-DENSITY_SAMPLE:]:
            for neighbour in self._near.near(member):
                other = self._story_of.get(neighbour)
                if other is not None and other != story_id and other in self._stories:
                    found.add(other)
        return found

    def _merge_score(self, first: _Story, second: _Story) -> float | None:
        gap = max(first.first - second.last, second.first - first.last, 0.0)
        if gap > self._window:
            return None
        small, large = sorted((first.centroid, second.centroid), key=len)
        dot: float = sum(map(mul, small.values(), map(large.get, small, repeat(0.0))))
        cosine = dot / (first.size * second.size) * (1.0 - TIME_PENALTY * gap / self._window)
        if cosine - self.floor < self.merge_threshold:
            return None  # the neighbourhood is at least the floor: no need to measure it
        typical = max(0.5 * (self._story_density(first, set(second.members))
                             + self._story_density(second, set(first.members))), self.floor)
        return cosine - typical

    def _absorb(self, keep: _Story, gone: _Story) -> None:
        for term in gone.centroid:
            self._unpost(term, gone.id)
        del self._stories[gone.id]
        for member in gone.members:
            self._story_of[member] = keep.id
        keep.members.extend(gone.members)
        keep.size += gone.size
        keep.sources |= gone.sources
        keep.first = min(keep.first, gone.first)
        if gone.last > keep.last:
            keep.last = gone.last
            heapq.heappush(self._expiry, (keep.last, keep.id))
        self._add_to_centroid(keep, gone.centroid)

    def export_state(self) -> dict[str, Any]:
        """Return the clusterer's state as JSON-able data (see ``from_state``)."""
        return {
            "version": 3,
            "window_hours": self.window_hours,
            "threshold": self.threshold,
            "idf_power": self.idf_power,
            "merge_threshold": self.merge_threshold,
            "neighbours": self.neighbours,
            "floor": self.floor,
            "docs": self._docs,
            "df": dict(self._df),
            "clock": self._clock if math.isfinite(self._clock) else None,
            "stories": [
                {"id": s.id, "first": s.first, "last": s.last, "size": s.size,
                 "centroid": s.centroid, "sources": sorted(s.sources), "members": s.members}
                for s in self._stories.values()
            ],
            "articles": [[k, when, vector, near] for k, when, vector, near in self._near.items()],
            "story_of": dict(self._story_of),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> StoryClusterer:
        """Rebuild a clusterer from ``export_state`` data; ValueError if it is not such data."""
        if state.get("version") != 3:
            raise ValueError("stories: unknown clusterer state version")
        clusterer = cls(window_hours=state["window_hours"], threshold=state["threshold"],
                        idf_power=state["idf_power"], merge_threshold=state["merge_threshold"],
                        neighbours=int(state["neighbours"]), floor=float(state["floor"]))
        clusterer._docs = int(state["docs"])
        clusterer._df = {str(k): int(v) for k, v in state["df"].items()}
        clusterer._clock = -math.inf if state["clock"] is None else float(state["clock"])
        for data in state["stories"]:
            story = _Story(data["id"], float(data["first"]), float(data["last"]), int(data["size"]),
                           sources={str(x) for x in data["sources"]},
                           members=[str(m) for m in data["members"]])
            clusterer._stories[story.id] = story
            centroid = {str(k): float(v) for k, v in data["centroid"].items()}
            clusterer._add_to_centroid(story, centroid)
            heapq.heappush(clusterer._expiry, (story.last, story.id))
        for article_id, when, vector, near in state["articles"]:
            clusterer._near.load(str(article_id), {str(k): float(v) for k, v in vector.items()},
                                 float(when), {str(k): float(v) for k, v in near.items()})
        clusterer._near.relink()
        clusterer._story_of = {str(k): str(v) for k, v in state["story_of"].items()}
        return clusterer

    def _learn(self, counts: dict[str, float]) -> None:
        self._docs += 1
        for term in counts:
            self._df[term] = self._df.get(term, 0) + 1

    def _vector(self, counts: dict[str, float]) -> dict[str, float]:
        if self._frozen_idf is not None:
            return weigh_terms(counts, *self._frozen_idf, self.idf_power)
        return weigh_terms(counts, *_idf_table(self._df, self._docs, counts), self.idf_power)

    def _story_density(self, story: _Story, skip: Container[str]) -> float:
        """The mean density of a story's latest members, leaving out ``skip`` (articles);
        the latest ``DENSITY_SAMPLE`` stand for a big story."""
        members = story.members[-DENSITY_SAMPLE:]
        density = self._near.density
        return sum(density(m, skip) for m in members) / len(members)

    def _scores(self, vector: dict[str, float], when: float, source: str, article_id: str,
                probe: float | None = None) -> dict[str, tuple[float, float, float]]:
        """Candidate stories: (score, discounted mean cosine, neighbourhood) for each.

        The article's density is ``probe`` when given, else its indexed neighbours'
        outside each candidate story.
        """
        partial: dict[str, float] = {}
        get = partial.get
        postings = self._postings
        for term, weight in sorted(vector.items(), key=_by_weight)[:QUERY_TERMS]:
            posting = postings.get(term)
            if posting and len(posting) <= MAX_POSTINGS:
                for story_id, value in posting.items():
                    partial[story_id] = get(story_id, 0.0) + weight * value
        stories = self._stories
        ranked = heapq.nlargest(
            4 * EXACT_CANDIDATES, [(dot / stories[sid].size, sid) for sid, dot in partial.items()]
        )
        terms, weights = list(vector), list(vector.values())
        scores: dict[str, tuple[float, float, float]] = {}
        for _, story_id in ranked:
            story = stories[story_id]
            gap = max(story.first - when, when - story.last, 0.0)
            if gap > self._window:
                continue
            if len(scores) == EXACT_CANDIDATES:
                break
            found = map(story.centroid.get, terms, repeat(0.0))
            cosine = sum(map(mul, weights, found)) / story.size
            cosine *= 1.0 - TIME_PENALTY * gap / self._window
            if source in story.sources:
                cosine *= 1.0 - SAME_SOURCE_PENALTY
            if cosine <= self.floor:  # scores 0 whatever the neighbourhood
                scores[story_id] = (0.0, cosine, self.floor)
                continue
            own = (probe if probe is not None
                   else self._near.density(article_id, set(story.members)))
            typical = max(0.5 * (own + self._story_density(story, (article_id,))),
                          self.floor)
            scores[story_id] = (max(cosine - typical, 0.0), cosine, typical)
        return scores

    def restore(self, article: ClusterInput, story_id: str,
                terms: dict[str, float] | None = None) -> None:
        """Put ``article`` back into the story it was stored in, without scoring.

        Rebuilds a clusterer from storage after a restart: the recent window's
        articles, oldest first, each with the story it already belongs to.
        """
        counts = terms if terms is not None else article_terms(article.title, article.text)
        self._learn(counts)
        vector = self._vector(counts)
        when = article.published.timestamp()
        self._expire(when)
        self._near.add(article.id, vector, when)
        story = self._stories.get(story_id) or self._new_story(story_id, when)
        self._join(story, article.id, vector, when, article.source)
        self._touched.discard(story.id)

    def _pick(self, scores: dict[str, float]) -> str | None:
        if not scores:
            return None
        story_id, score = max(scores.items(), key=lambda kv: (kv[1], kv[0]))
        return story_id if score >= self.threshold and score > 0.0 else None

    def _new_story(self, article_id: str, when: float) -> _Story:
        story = _Story(article_id, when, when)
        self._stories[story.id] = story
        return story

    def _join(self, story: _Story, article_id: str, vector: dict[str, float], when: float,
              source: str) -> None:
        story.size += 1
        story.sources.add(source)
        story.members.append(article_id)
        story.first = min(story.first, when)
        if when > story.last or story.size == 1:
            story.last = max(story.last, when)
            heapq.heappush(self._expiry, (story.last, story.id))
        self._story_of[article_id] = story.id
        self._touched.add(story.id)
        self._add_to_centroid(story, vector)

    def _add_to_centroid(self, story: _Story, vector: dict[str, float]) -> None:
        centroid, postings, story_id = story.centroid, self._postings, story.id
        for term, weight in vector.items():
            value = centroid[term] = centroid.get(term, 0.0) + weight
            posting = postings.get(term)
            if posting is None:
                postings[term] = {story_id: value}
            else:
                posting[story_id] = value
        if len(centroid) > 2 * CENTROID_TERMS:
            # Keep big stories' centroids (and the postings they fill) bounded.
            kept = dict(sorted(centroid.items(), key=_by_weight)[:CENTROID_TERMS])
            for term in centroid:
                if term not in kept:
                    self._unpost(term, story_id)
            story.centroid = kept

    def _unpost(self, term: str, story_id: str) -> None:
        posting = self._postings.get(term)
        if posting is not None:
            posting.pop(story_id, None)
            if not posting:
                del self._postings[term]

    def _expire(self, when: float) -> None:
        """Drop stories whose last article is more than a window before the newest one seen."""
        self._clock = max(self._clock, when)
        horizon = self._clock - 1.25 * self._window  # slack for articles that arrive late
        while self._expiry and self._expiry[0][0] < horizon:
            last, story_id = heapq.heappop(self._expiry)
            story = self._stories.get(story_id)
            if story is None or story.last != last:
                continue  # a stale entry: the story moved on
            for term in story.centroid:
                self._unpost(term, story_id)
            del self._stories[story_id]
            self._touched.discard(story_id)
        self._near.expire(horizon)
        if len(self._story_of) > 4 * max(len(self._stories), 1024):
            self._story_of = {a: s for a, s in self._story_of.items() if s in self._stories}


def _shared_terms(vector: Mapping[str, float], centroid: Mapping[str, float]
                  ) -> tuple[str, ...]:
    """The terms that add most to the dot product of ``vector`` and ``centroid``."""
    shares = {t: w * centroid[t] for t, w in vector.items() if t in centroid}
    return tuple(sorted(shares, key=lambda t: (-shares[t], t))[:REASON_TERMS])


def _by_weight(item: tuple[str, float]) -> tuple[float, str]:
    return (-item[1], item[0])


def _idf_table(
    df: dict[str, int], docs: int, terms: Iterable[str]
) -> tuple[dict[str, float], float]:
    """Smoothed IDF of ``terms`` over ``docs`` documents, and the IDF of an unseen term."""
    log, top = math.log, math.log(docs + 1)
    table = {term: top - log(df.get(term, 0) + 1) + 1.0 for term in terms}
    return table, top + 1.0


def cluster_articles(
    items: Iterable[ClusterInput],
    *,
    window_hours: float = 72.0,
    threshold: float = DEFAULT_THRESHOLD,
    idf_power: float = IDF_POWER,
    merge_threshold: float = MERGE_THRESHOLD,
    neighbours: int = NEIGHBOURS,
    floor: float = FLOOR,
    clusterer: StoryClusterer | None = None,
    terms: Mapping[str, dict[str, float]] | None = None,
) -> dict[str, str]:
    """Group a batch of articles into stories: ``{article id: story id}``.

    IDF and the neighbourhoods are learned from the whole batch before any article
    is placed, articles are placed in (published, id) order, and ``settle`` merges
    what is left apart, so the grouping does not depend on the order of ``items``.
    Pass ``clusterer`` to continue from earlier state, and ``terms``
    (``{article id: article_terms(...)}``) when they were computed already.
    """
    ordered = sorted(items, key=lambda a: (a.published.timestamp(), a.id))
    clusterer = clusterer or StoryClusterer(
        window_hours=window_hours, threshold=threshold, idf_power=idf_power,
        merge_threshold=merge_threshold, neighbours=neighbours, floor=floor)
    counts = [terms[article.id] if terms is not None and article.id in terms
              else article_terms(article.title, article.text) for article in ordered]
    for count in counts:
        clusterer._learn(count)
    clusterer._freeze()
    try:
        for article, count in zip(ordered, counts, strict=True):
            if article.id not in clusterer._story_of:
                clusterer._near.add(article.id, clusterer._vector(count),
                                    article.published.timestamp())
        placed = {
            article.id: clusterer._assign(article, count)
            for article, count in zip(ordered, counts, strict=True)
        }
        clusterer.settle()
    finally:
        clusterer.thaw_idf()
    return {article_id: clusterer.story_of(article_id, story)
            for article_id, story in placed.items()}
