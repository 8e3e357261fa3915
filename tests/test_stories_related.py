"""Related articles: same story from other outlets first, then the nearest story."""

from __future__ import annotations

import datetime as dt

from broadsheet.stories.related import RelatedCandidate, related_articles

T0 = dt.datetime(2024, 5, 7, 9, 0, tzinfo=dt.UTC)


def _c(article_id: str, story: str, source: str, hours: float, dup: str | None = None):
    return RelatedCandidate(article_id, story, source, T0 + dt.timedelta(hours=hours), dup)


def test_ranking_prefers_other_outlets_then_same_outlet_then_nearest_story() -> None:
    target = _c("t", "s1", "ledger", 0)
    candidates = [
        target,
        _c("same-outlet", "s1", "ledger", 1),
        _c("courier-1", "s1", "courier", 5),
        _c("courier-2", "s1", "courier", 1),
        _c("herald", "s1", "herald", 9),
        _c("wire-of-target", "s1", "post", 1, dup="t"),
        _c("near", "s2", "post", 2),
        _c("nearer", "s3", "post", 30),
        _c("unrelated", "s9", "post", 0),
    ]
    ranked = related_articles(target, candidates, nearest_story_ids=["s3", "s2"], limit=10)
    assert ranked == ["courier-2", "herald", "courier-1", "same-outlet", "nearer", "near"]


def test_copies_are_shown_once_and_limit_applies() -> None:
    target = _c("t", "s1", "ledger", 0)
    candidates = [_c("o", "s1", "courier", 1), _c("w", "s1", "herald", 2, dup="o"),
                  _c("x", "s1", "post", 3)]
    assert related_articles(target, candidates) == ["o", "x"]
    assert related_articles(target, candidates, limit=1) == ["o"]
    assert related_articles(target, []) == []
