"""``/api/v1`` routes for stories and outlet profiles (picked up through ``OPTIONAL_ROUTERS``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from broadsheet.api.errors import ERROR_RESPONSES, ApiError, JsonErrorRoute
from broadsheet.publish import article_url
from broadsheet.store import Database
from broadsheet.store import bounds
from broadsheet.store import stories as story_store
from broadsheet.store.outlets import list_outlets, outlets_for_urls

PREFIX = "/api/v1"
MAX_ID = 2**63 - 1
Id = Annotated[int, Path(ge=1, le=MAX_ID)]


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


def make_router(db: Database, settings: Any) -> APIRouter:
    """Build the stories and outlets routes bound to one database."""
    router = APIRouter(route_class=JsonErrorRoute, responses=ERROR_RESPONSES, tags=["stories"])

    @router.get(PREFIX + "/stories", response_model=StoryPage,
                summary="Stories, most recently updated first")
    def list_stories(
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

    @router.get(PREFIX + "/stories/{story_id}", response_model=StoryDetail,
                summary="One story with its articles, oldest first")
    def get_story(story_id: Id) -> dict[str, Any]:
        story = story_store.get_story(db, story_id)
        members = story_store.story_members(db, story_id) if story else []
        if story is None or not members:
            raise ApiError(404, f"stories: no story with id {story_id}")
        urls = [u for m in members for u in (m.article.canonical_url, m.article.source_url)]
        profiles = outlets_for_urls(db, urls)

        def outlet(m: story_store.StoryMember) -> str | None:
            found = profiles.get(m.article.canonical_url or "") or profiles.get(
                m.article.source_url)
            return found.slug if found else None

        return {**_story(story), "articles": [
            {"id": m.article.id, "source_id": m.article.source_id,
             "source_title": m.article.source_name,
             "title": m.article.title, "url": article_url(m.article),
             "published": m.article.published_local, "duplicate_of": m.duplicate_of,
             "outlet": outlet(m)} for m in members]}

    @router.get(PREFIX + "/outlets", response_model=OutletList, summary="Outlet profiles")
    def outlets() -> dict[str, Any]:
        return {"outlets": [o.to_json() for o in list_outlets(db)]}

    return router
