"""``/api/v1/search``: full-text search, with the limits and time budget of the store's.

Handlers carry no docstrings: FastAPI would publish them in the OpenAPI document.
"""

from typing import Annotated, Any

from fastapi import Query
from pydantic import BaseModel

from broadsheet.api.deps import Db
from broadsheet.api.errors import ApiError
from broadsheet.api.v1.articles import ArticleSummary, summary
from broadsheet.api.v1.common import TIME_FORMAT, Limit, SourceFilter, clamp_limit, parse_time
from broadsheet.errors import SearchBudgetError, SearchSyntaxError
from broadsheet.store import Database
from broadsheet.store import search as search_store


class SearchHitOut(BaseModel):
    article: ArticleSummary
    score: float
    snippet_html: str


class SearchPage(BaseModel):
    hits: list[SearchHitOut]
    next_cursor: str | None


def search_articles(db: Database, q: str, **filters: Any) -> Any:
    """Full-text search through the store; bad syntax or a query past the limits becomes
    a 400 with a helpful message, a search stopped at its time budget a 503."""
    try:
        return search_store.search_articles(db, q, **filters)
    except SearchSyntaxError as error:
        raise ApiError(400, str(error), "bad_query") from None
    except SearchBudgetError as error:
        raise ApiError(503, str(error), "search_timeout") from None


def search(
    db: Db,
    q: Annotated[str, Query(min_length=1, description="Words, "
                            '"phrases", prefix*, a OR b, -excluded (limits: see '
                            "the search docs; past them 400).")],
    source: SourceFilter = None,
    since: Annotated[str | None, Query(json_schema_extra=TIME_FORMAT)] = None,
    until: Annotated[str | None, Query(json_schema_extra=TIME_FORMAT)] = None,
    limit: Limit = 20, cursor: str | None = None,
) -> dict[str, Any]:
    page = search_articles(db, q, source_id=source, since=parse_time(since, "since"),
                           until=parse_time(until, "until"), limit=clamp_limit(limit),
                           cursor=cursor)
    return {"hits": [{"article": summary(h.article), "score": h.score,
                      "snippet_html": h.snippet_html} for h in page.hits],
            "next_cursor": page.next_cursor}
