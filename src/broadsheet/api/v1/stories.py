"""``/api/v1/stories`` and ``/api/v1/outlets``: stories with their articles, outlet profiles.

Handlers carry no docstrings: FastAPI would publish them in the OpenAPI document.
"""

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from broadsheet.api.deps import Db
from broadsheet.api.errors import ApiError
from broadsheet.api.v1.common import Id
from broadsheet.publish import article_url
from broadsheet.store import bounds
from broadsheet.store import stories as story_store
from broadsheet.store.outlets import Outlet, list_outlets, outlets_for_urls


class StoryOut(BaseModel):
    """A story: articles about one event, from every outlet that covered it."""

    id: int
    title: str
    first_published: dt.datetime
    last_published: dt.datetime
    article_count: int
    source_count: int


class StoryPage(BaseModel):
    stories: list[StoryOut]
    next_cursor: str | None = Field(description="Pass as ``cursor`` for the next page.")


class OutletOut(BaseModel):
    """An outlet profile; ``citations`` maps each fact to the URL it is taken from."""

    slug: str
    name: str
    domains: list[str]
    country: str | None
    language: str | None
    ownership: str | None
    owner: str | None
    citations: dict[str, str]


class StoryArticle(BaseModel):
    id: int
    source_id: int
    source_title: str
    title: str
    url: str
    published: dt.datetime
    duplicate_of: int | None = Field(description="Set when this is a copy of another article.")
    outlet: str | None = Field(description="Slug of the outlet profile, when one matches.")


class StoryDetail(StoryOut):
    articles: list[StoryArticle]


class OutletList(BaseModel):
    outlets: list[OutletOut]


def _story(story: story_store.Story) -> dict[str, Any]:
    return {"id": story.id, "title": story.title, "first_published": story.first_published,
            "last_published": story.last_published, "article_count": story.article_count,
            "source_count": story.source_count}


def _cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    if not value:
        return None
    stamp, _, ident = value.rpartition("_")
    try:
        when = dt.datetime.fromisoformat(stamp)
        if when.tzinfo is None or not ident.isdigit():
            raise ValueError(value)
        number = int(ident)
    except ValueError:
        raise ApiError(400, "cursor: not a cursor this API gave out", "invalid_cursor") from None
    return bounds.check_keyset((when, number), "cursor")


def list_stories(
    db: Db,
    limit: Annotated[int, Query(description="Items per page, clamped to 1-200.")] = 50,
    min_sources: Annotated[int, Query(ge=1, le=10_000,
                                      description="Only stories this many outlets covered.")] = 1,
    cursor: str | None = None,
) -> dict[str, Any]:
    size = max(1, min(limit, 200))
    found = story_store.list_stories(db, size, before=_cursor(cursor))
    items = [s for s in found if s.source_count >= min_sources]
    last = found[-1] if len(found) == size else None
    following = f"{last.last_published.isoformat()}_{last.id}" if last else None
    return {"stories": [_story(s) for s in items], "next_cursor": following}


def get_story(story_id: Id, db: Db) -> dict[str, Any]:
    story = story_store.get_story(db, story_id)
    members = story_store.story_members(db, story_id) if story else []
    if story is None or not members:
        raise ApiError(404, f"stories: no story with id {story_id}")
    urls = [u for m in members for u in (m.article.canonical_url, m.article.source_url)]
    profiles = outlets_for_urls(db, urls)
    return {**_story(story), "articles": [
        {"id": m.article.id, "source_id": m.article.source_id,
         "source_title": m.article.source_name,
         "title": m.article.title, "url": article_url(m.article),
         "published": m.article.published_local, "duplicate_of": m.duplicate_of,
         "outlet": _outlet(profiles, m)} for m in members]}


def _outlet(profiles: dict[str, Outlet], member: story_store.StoryMember) -> str | None:
    """The slug of the outlet profile matching a member's address or its source's."""
    found = profiles.get(member.article.canonical_url or "") or profiles.get(
        member.article.source_url)
    return found.slug if found else None


def outlets(db: Db) -> dict[str, Any]:
    return {"outlets": [o.to_json() for o in list_outlets(db)]}
