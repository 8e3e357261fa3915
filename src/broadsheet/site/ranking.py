"""The front page's top stories, ranked from plain store queries."""

from __future__ import annotations

from broadsheet.store import Database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.store import stories as story_store
from broadsheet.store.articles import StoredArticle


def top_articles(db: Database, limit: int = 6, *, pool: int = 200) -> list[StoredArticle]:
    """The front page's top stories: the lead article of each top story.

    Stories are ranked by the number of outlets covering them and recency
    (``store.stories.top_stories``). Before the stories step has placed anything,
    recency alone (``latest_by_outlet``).
    """
    ranked_stories = story_store.top_stories(db, limit, utcnow())
    if ranked_stories:
        leads = story_store.lead_articles(db, [s.id for s in ranked_stories])
        return [leads[s.id] for s in ranked_stories if s.id in leads]
    return latest_by_outlet(db, limit, pool=pool)


def latest_by_outlet(db: Database, limit: int, *, pool: int = 200) -> list[StoredArticle]:
    """The newest articles with one per outlet, so a prolific feed cannot fill the top
    (topped up with the newest of any outlet when there are too few outlets); among
    those of the same hour, articles with a lead image first."""
    chosen: dict[int, StoredArticle] = {}
    for article in article_store.latest_articles(db, pool):
        if article.source_id not in chosen:
            chosen[article.source_id] = article
        if len(chosen) >= limit:
            break
    if len(chosen) < limit:
        for article in article_store.latest_articles(db, limit * 2):
            if len(chosen) >= limit:
                break
            if all(article.id != a.id for a in chosen.values()):
                chosen[-article.id] = article
    ranked = sorted(chosen.values(), key=lambda a: (
        a.published.replace(minute=0, second=0, microsecond=0), a.image is not None,
        a.published, a.id), reverse=True)
    return ranked[:limit]
