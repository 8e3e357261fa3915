"""Related articles: the same story told by other outlets first, then the nearest story.

A reader who finished one article is best served by the same event in other
words, from other outlets, before more of the same outlet, and only then by the
closest other story. Within a rank, articles published closer in time come
first. Pure: the caller supplies the candidates (from storage) and, if it wants
the fallback, the ids of the nearest stories (``StoryClusterer.nearest_stories``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["RelatedCandidate", "related_articles"]


@dataclass(frozen=True)
class RelatedCandidate:
    """What ranking needs of an article that might be shown as related."""

    id: str
    story_id: str
    source: str
    published: dt.datetime
    duplicate_of: str | None = None
    """Set when the article is a copy (wire reprint) of another article."""


def related_articles(
    target: RelatedCandidate,
    candidates: Iterable[RelatedCandidate],
    *,
    nearest_story_ids: Sequence[str] = (),
    limit: int = 5,
) -> list[str]:
    """Return the ids of up to ``limit`` articles to show beside ``target``, best first.

    Ranks: same story from another outlet (one per outlet before any second one),
    same story from the same outlet, then articles of ``nearest_story_ids`` in
    that order. The target, its copies and second copies of one text are never shown.
    """
    family = {target.id, target.duplicate_of or target.id}
    story_rank = {story_id: rank for rank, story_id in enumerate(nearest_story_ids)}
    ranked: list[tuple[tuple[int, int, float, str], str]] = []
    per_source: dict[str, int] = {}
    pool = sorted(candidates, key=lambda c: (_gap(c, target), c.id))
    for candidate in pool:
        root = candidate.duplicate_of or candidate.id
        if root in family:
            continue  # a copy of the target or of an article already ranked
        family.add(root)
        if candidate.story_id == target.story_id:
            if candidate.source != target.source:
                seen = per_source.get(candidate.source, 0)
                per_source[candidate.source] = seen + 1
                rank = (0, seen)
            else:
                rank = (1, 0)
        elif candidate.story_id in story_rank:
            rank = (2 + story_rank[candidate.story_id], 0)
        else:
            continue
        ranked.append(((*rank, _gap(candidate, target), candidate.id), candidate.id))
    ranked.sort()
    return [article_id for _, article_id in ranked[:limit]]


def _gap(candidate: RelatedCandidate, target: RelatedCandidate) -> float:
    return abs((candidate.published - target.published).total_seconds())
