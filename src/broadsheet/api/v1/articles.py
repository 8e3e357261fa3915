"""``/api/v1/articles``: lists by keyset cursor, and one article with the body it may show.

Handlers carry no docstrings: FastAPI would publish them in the OpenAPI document.
"""

import base64
import binascii
import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel, Field

from broadsheet.api.deps import AppSettings, Db
from broadsheet.api.errors import ApiError
from broadsheet.api.v1.common import (
    DEFAULT_LIMIT, TIME_FORMAT, Id, Limit, SourceFilter, clamp_limit, parse_time,
)
from broadsheet.publish import article_url, publish
from broadsheet.store import articles as article_store
from broadsheet.store import bounds
from broadsheet.store.articles import StoredArticle


class ArticleSummary(BaseModel):
    """An article in a list: no body."""

    id: int
    source_id: int
    source_title: str
    title: str
    url: str
    summary: str
    authors: list[str]
    categories: list[str]
    published: dt.datetime
    updated: dt.datetime | None
    image: str | None
    language: str | None


class ArticleOut(ArticleSummary):
    """One article with the body the publishing mode allows."""

    html: str
    text: str
    is_excerpt: bool
    canonical_url: str | None
    feed_link: str | None
    image_credit: str | None
    image_caption: str | None
    site_name: str | None


class ArticlePage(BaseModel):
    articles: list[ArticleSummary]
    next_cursor: str | None = Field(description="Pass as ``cursor`` for the next page.")


def summary(a: StoredArticle) -> dict[str, Any]:
    """An article as ``ArticleSummary`` fields."""
    return {"id": a.id, "source_id": a.source_id, "source_title": a.source_name,
            "title": a.title, "url": article_url(a), "summary": a.summary,
            "authors": list(a.authors), "categories": list(a.categories),
            "published": a.published_local, "updated": a.updated, "image": a.image,
            "language": a.language}


def encode_cursor(article: StoredArticle) -> str:
    """An opaque cursor after this article in (published, id) order."""
    raw = f"{article.published.isoformat()}|{article.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    """The (published, id) a cursor points after; ApiError when it is not one of ours."""
    if not value:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        stamp, _, ident = raw.partition("|")
        when = dt.datetime.fromisoformat(stamp)
        if when.tzinfo is None:
            raise ValueError(stamp)
        number = int(ident)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ApiError(400, "cursor: not a cursor this API gave out", "invalid_cursor") from None
    return bounds.check_keyset((when, number), "cursor")


def list_articles(
    db: Db,
    source: SourceFilter = None,
    since: Annotated[str | None, Query(description="Published at or after.",
                                       json_schema_extra=TIME_FORMAT)] = None,
    until: Annotated[str | None, Query(description="Published before.",
                                       json_schema_extra=TIME_FORMAT)] = None,
    limit: Limit = DEFAULT_LIMIT, cursor: str | None = None,
) -> dict[str, Any]:
    size = clamp_limit(limit)
    items = article_store.list_articles(db, size, source_id=source,
                                        since=parse_time(since, "since"),
                                        until=parse_time(until, "until"),
                                        before=decode_cursor(cursor))
    following = encode_cursor(items[-1]) if len(items) == size else None
    return {"articles": [summary(a) for a in items], "next_cursor": following}


def get_article(article_id: Id, db: Db, settings: AppSettings) -> dict[str, Any]:
    found = article_store.get_articles(db, [article_id])
    if not found:
        raise ApiError(404, f"articles: no article with id {article_id}")
    article = found[0]
    shown = publish(article, settings)
    return {**summary(article), "html": shown.html, "text": shown.text,
            "is_excerpt": shown.is_excerpt,
            "canonical_url": article.canonical_url, "feed_link": article.feed_link,
            "image_credit": article.image_credit, "image_caption": article.image_caption,
            "site_name": article.site_name}
