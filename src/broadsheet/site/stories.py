"""What the site shows of stories: coverage of one story, related reading, outlet profiles.

Reads ``store.stories`` and ``store.outlets`` only; its pages are in ``site/pages/``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from broadsheet.store import Database
from broadsheet.store import stories as story_store
from broadsheet.store.articles import StoredArticle
from broadsheet.store.outlets import Outlet, outlet_for_source, outlets_for_urls
from broadsheet.stories.related import RelatedCandidate, related_articles

UNKNOWN = "No outlet profile yet"
"""The heading of the story page's outlets that have no profile (never "Unknown · Unknown")."""


def outlet_of(db: Database, article: StoredArticle) -> Outlet | None:
    """The profile of the outlet behind an article (by its address, else its feed's)."""
    found = outlets_for_urls(db, [article.canonical_url, article.source_url])
    return found.get(article.canonical_url or "") or found.get(article.source_url)


def outlet_of_source(db: Database, source: Any, articles: list[StoredArticle]) -> Outlet | None:
    """The profile of a source: by its site's or feed's domain, else its latest article's."""
    found = outlet_for_source(db, source.url, source.site_url)
    if found is None and articles:
        found = outlet_of(db, articles[0])
    return found


def outlets_of(db: Database, articles: list[StoredArticle]) -> dict[int, Outlet]:
    """Profiles of many articles' outlets: {article id: outlet}."""
    found = outlets_for_urls(db, [u for a in articles for u in (a.canonical_url, a.source_url)])
    result = {}
    for a in articles:
        outlet = found.get(a.canonical_url or "") or found.get(a.source_url)
        if outlet:
            result[a.id] = outlet
    return result


@dataclass
class ArticleStory:
    """An article page's story context."""

    story: story_store.Story | None = None
    related: list[StoredArticle] = field(default_factory=list)
    """Everything shown as related: ``same_story`` then ``nearest``."""
    same_story: list[StoredArticle] = field(default_factory=list)
    """Other coverage of this very story (the only items labelled so)."""
    nearest: list[StoredArticle] = field(default_factory=list)
    """Articles of the nearest other story: shown under their own heading."""
    related_is_nearest: bool = False
    copies: list[StoredArticle] = field(default_factory=list)
    outlet: Outlet | None = None


def article_story(db: Database, article: StoredArticle, limit: int = 5) -> ArticleStory:
    """The story, related articles (same story, other outlets first; else the nearest
    story), other publications of the same text, and the outlet's profile."""
    context = ArticleStory(outlet=outlet_of(db, article))
    place = story_store.article_place(db, article.id)
    if place is None:
        return context
    context.story = story_store.get_story(db, place.story_id)
    nearest = [place.nearest_story_id] if place.nearest_story_id else []
    rows = story_store.story_articles_for(db, [place.story_id, *nearest])
    candidates = [RelatedCandidate(str(a.id), str(sid), str(a.source_id), a.published,
                                   None if dup is None else str(dup)) for sid, a, dup in rows]
    target = RelatedCandidate(str(article.id), str(place.story_id), str(article.source_id),
                              article.published,
                              None if place.duplicate_of is None else str(place.duplicate_of))
    ids = [int(i) for i in related_articles(target, candidates,
                                            nearest_story_ids=[str(n) for n in nearest],
                                            limit=limit)]
    by_id = {a.id: a for _, a, _ in rows}
    context.related = [by_id[i] for i in ids if i in by_id]
    same_story = {a.id for sid, a, _ in rows if sid == place.story_id}
    context.same_story = [a for a in context.related if a.id in same_story]
    context.nearest = [a for a in context.related if a.id not in same_story]
    context.related_is_nearest = bool(context.related) and not context.same_story
    context.copies = story_store.copies_of(db, article.id, place.duplicate_of)
    return context


@dataclass
class Coverage:
    """One outlet's coverage of a story."""

    name: str
    source_id: int
    articles: list[StoredArticle]
    outlet: Outlet | None

    @property
    def first(self) -> StoredArticle:
        return self.articles[0]


def story_page(db: Database, story_id: int) -> dict[str, Any] | None:
    """Everything the story page shows, or None for no such story."""
    story = story_store.get_story(db, story_id)
    members = story_store.story_members(db, story_id) if story else []
    if story is None or not members:
        return None
    articles = [m.article for m in members]
    profiles = outlets_of(db, articles)
    coverage: dict[int, Coverage] = {}
    for article in articles:
        entry = coverage.get(article.source_id)
        if entry is None:
            coverage[article.source_id] = Coverage(
                article.source_name, article.source_id, [article],
                profiles.get(article.id))
        else:
            entry.articles.append(article)
    groups: dict[str, list[Coverage]] = {}
    for entry in coverage.values():
        groups.setdefault(_group_name(entry.outlet), []).append(entry)
    copies = {m.article.id: m.duplicate_of for m in members if m.duplicate_of}
    reasons = {m.article.id: m.reason for m in members if m.reason}
    originals = [a for a in articles if a.id not in copies]
    return {
        "story": story, "timeline": articles, "copies": copies,
        "names": {a.id: a.source_name for a in articles},
        "first": (originals or articles)[0], "coverage": list(coverage.values()),
        "groups": sorted(groups.items(), key=lambda kv: (kv[0] == UNKNOWN, kv[0])),
        "profiles": profiles, "reasons": reasons,
    }


def _group_name(outlet: Outlet | None) -> str:
    """"GB · public broadcaster": the facts a profile has, else ``UNKNOWN``."""
    facts = [f for f in (outlet.country, outlet.ownership) if f] if outlet else []
    return " · ".join(facts) or UNKNOWN


def story_feed_articles(db: Database, story_id: int) -> list[StoredArticle]:
    """A story's articles, newest first, copies left out (the story's feed)."""
    members = story_store.story_members(db, story_id)
    return [m.article for m in reversed(members) if m.duplicate_of is None]


def top_story_places(db: Database, top: list[StoredArticle]) -> dict[int, story_store.Story]:
    """The story of each front-page lead article: {article id: story}."""
    found = {}
    for article in top:
        place = story_store.article_place(db, article.id)
        story = story_store.get_story(db, place.story_id) if place else None
        if story is not None:
            found[article.id] = story
    return found


__all__ = ["ArticleStory", "Coverage", "article_story", "outlet_of", "outlet_of_source",
           "story_feed_articles", "story_page", "top_story_places"]
