"""The JSON API, ``/api/v1``: sources, articles and search, read by anyone, written with a token.

One route table below; every route answers errors in the one shape of
``broadsheet.api.errors``; the OpenAPI document at ``/api/openapi.json`` is built
from these routes only (the site's pages are not part of it).

Seams for later: stories and outlets get their own routers in ``OPTIONAL_ROUTERS``
as soon as ``broadsheet.store.stories`` exists, without touching the routes here.
"""


import base64
import binascii
import datetime as dt
import importlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.routing import Match

from broadsheet.accounts import access, auth
from broadsheet.api.errors import ERROR_RESPONSES, ApiError, JsonErrorRoute
from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import bounds
from broadsheet.store import sources as source_store
from broadsheet.store.articles import StoredArticle
from broadsheet.store.audit import record_action
from broadsheet.publish import article_url, publish
from broadsheet.store.users import User
from broadsheet.types import Source, redact_secrets, web_address

PREFIX = "/api/v1"
MAX_ID = 2**63 - 1
ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
              "QUERY"]
"""Methods the catch-all answers, so unknown routes and methods get JSON, not site pages."""
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
SourceFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this source's.")]
DEFAULT_LIMIT, MAX_LIMIT = 50, 200
OPTIONAL_ROUTERS = ("broadsheet.api.stories",)
"""Modules that may add ``/api/v1`` routes (stories, outlets) when their store exists."""


# --- response models ---------------------------------------------------------------------

class SourceOut(BaseModel):
    """A subscription and its health. ``url`` is null for a private source (one whose
    address carries credentials or a secret-looking token) unless an editor's token asks;
    other callers never see user-info, secrets or private addresses."""

    id: int
    url: str | None
    title: str
    site_url: str | None
    private: bool
    status: str
    error_count: int
    last_error: str | None
    last_success: dt.datetime | None
    last_polled: dt.datetime | None
    next_poll: dt.datetime | None


class SourceList(BaseModel):
    sources: list[SourceOut]


class SourceIn(BaseModel):
    """A feed address, or a page that announces its feed (discovery runs either way)."""

    url: str = Field(min_length=1, max_length=2048)


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


class SearchHitOut(BaseModel):
    article: ArticleSummary
    score: float
    snippet_html: str


class SearchPage(BaseModel):
    hits: list[SearchHitOut]
    next_cursor: str | None


class Me(BaseModel):
    id: int
    name: str
    role: str


# --- helpers -----------------------------------------------------------------------------

def _source_out(source: Source, full: bool = False) -> SourceOut:
    """A source as the API shows it: in full to editors, else only what is public."""
    error = source.last_error
    return SourceOut(id=source.id, url=source.url if full else source.public_url,
                     title=source.title,
                     site_url=source.site_url if full else source.public_site_url,
                     private=source.private, status=source.status,
                     error_count=source.error_count,
                     last_error=error if full or error is None else redact_secrets(error),
                     last_success=source.last_success,
                     last_polled=source.last_polled, next_poll=source.next_poll)


def _summary(a: StoredArticle) -> dict[str, Any]:
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


def clamp_limit(limit: int) -> int:
    """Limits outside [1, MAX_LIMIT] are clamped rather than refused."""
    return max(1, min(limit, MAX_LIMIT))


def parse_time(value: str | None, name: str) -> dt.datetime | None:
    """An RFC 3339 time from a query parameter (naive means UTC); 422 when it is not one,
    400 when it is beyond what storage holds."""
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ApiError(422, f"query.{name}: expected an RFC 3339 date-time, "
                            "such as 2024-05-01T08:00:00Z") from None
    return bounds.check_time(when, name)


TIME_FORMAT = {"format": "date-time"}


# --- the routes --------------------------------------------------------------------------

def make_router(db: Database, settings: Any) -> APIRouter:
    """Build the ``/api/v1`` route table bound to one database."""
    router = APIRouter(route_class=JsonErrorRoute, responses=ERROR_RESPONSES, tags=["v1"])

    def writer(request: Request) -> User:
        user = access.user_for_token(db, access.bearer_token(request))
        if user is None:
            raise ApiError(401, "a valid API token is needed (Authorization: Bearer ...)",
                           headers={"WWW-Authenticate": 'Bearer realm="broadsheet"'})
        if not auth.role_at_least(user.role, "editor"):
            raise ApiError(403, f"role {user.role!r} cannot change sources")
        return user

    def caller(request: Request) -> User:
        user = access.user_for_token(db, access.bearer_token(request))
        if user is None:
            raise ApiError(401, "a valid API token is needed (Authorization: Bearer ...)",
                           headers={"WWW-Authenticate": 'Bearer realm="broadsheet"'})
        return user

    Writer = Annotated[User, Depends(writer)]
    Limit = Annotated[int, Query(description=f"Items per page, clamped to 1-{MAX_LIMIT}.")]

    @router.get(PREFIX + "/me", response_model=Me, summary="Who the token belongs to")
    def me(user: Annotated[User, Depends(caller)]) -> Me:
        return Me(id=user.id, name=user.name, role=user.role)

    def editor_asks(request: Request) -> bool:
        """Whether an editor's token came with the request (who may see full addresses)."""
        token = access.bearer_token(request)
        user = access.user_for_token(db, token) if token else None
        return user is not None and auth.role_at_least(user.role, "editor")

    @router.get(PREFIX + "/sources", response_model=SourceList, summary="List sources")
    def list_sources(request: Request) -> SourceList:
        full = editor_asks(request)
        return SourceList(sources=[_source_out(s, full) for s in source_store.list_sources(db)])

    @router.get(PREFIX + "/sources/{source_id}", response_model=SourceOut, summary="One source")
    def get_source(source_id: Id, request: Request) -> SourceOut:
        return _source_out(source_store.get_source(db, source_id), editor_asks(request))

    @router.post(PREFIX + "/sources", response_model=SourceOut, status_code=201,
                 summary="Subscribe (needs an editor's token)")
    def create_source(body: SourceIn, user: Writer, request: Request) -> SourceOut:
        from broadsheet.sources import subscribe

        if web_address(body.url) is None:
            raise ApiError(400, "url: must be an http(s) address, starting with http:// or "
                                "https://")
        source = subscribe(db, settings, body.url)
        record_action(db, user, "source.create", str(source.id),
                      access.client_address(request), url=source.url, via="api")
        return _source_out(source, full=True)

    @router.delete(PREFIX + "/sources/{source_id}", status_code=204, response_class=Response,
                   summary="Unsubscribe and delete its articles (needs an editor's token)")
    def delete_source(source_id: Id, user: Writer, request: Request) -> Response:
        source_store.delete_source(db, source_id)
        record_action(db, user, "source.delete", str(source_id),
                      access.client_address(request), via="api")
        return Response(status_code=204)

    @router.get(PREFIX + "/articles", response_model=ArticlePage, summary="List articles")
    def list_articles(
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
        return {"articles": [_summary(a) for a in items], "next_cursor": following}

    @router.get(PREFIX + "/articles/{article_id}", response_model=ArticleOut,
                summary="One article with its body")
    def get_article(article_id: Id) -> dict[str, Any]:
        found = article_store.get_articles(db, [article_id])
        if not found:
            raise ApiError(404, f"articles: no article with id {article_id}")
        article = found[0]
        shown = publish(article, settings)
        return {**_summary(article), "html": shown.html, "text": shown.text,
                "is_excerpt": shown.is_excerpt,
                "canonical_url": article.canonical_url, "feed_link": article.feed_link,
                "image_credit": article.image_credit, "image_caption": article.image_caption,
                "site_name": article.site_name}

    @router.get(PREFIX + "/search", response_model=SearchPage, summary="Full-text search")
    def search(
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
        return {"hits": [{"article": _summary(h.article), "score": h.score,
                          "snippet_html": h.snippet_html} for h in page.hits],
                "next_cursor": page.next_cursor}

    for name in OPTIONAL_ROUTERS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name and name.startswith(error.name):
                continue
            raise
        router.include_router(module.make_router(db, settings))

    @router.api_route(PREFIX + "/{rest:path}", include_in_schema=False, methods=ANY_METHOD)
    def unknown(request: Request, rest: str) -> Response:
        allowed = sorted({m for r in _flat_routes(router.routes)
                          if getattr(r, "path", None) not in (None, PREFIX + "/{rest:path}")
                          and r.matches(request.scope)[0] == Match.PARTIAL
                          for m in getattr(r, "methods", ()) or ()})
        if allowed:
            raise ApiError(405, f"{request.method} is not allowed here",
                           headers={"Allow": ", ".join(allowed)})
        raise ApiError(404, f"no API route at {request.url.path}")

    return router


def _flat_routes(routes: list[Any]) -> list[Any]:
    """Routes with included routers opened up (FastAPI may keep an included router whole)."""
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(_flat_routes(inner.routes) if inner is not None else [route])
    return flat


def search_articles(db: Database, q: str, **filters: Any) -> Any:
    """Full-text search through the store; bad syntax or a query past the limits becomes
    a 400 with a helpful message, a search stopped at its time budget a 503."""
    from broadsheet.store.search import SearchBudgetError, SearchSyntaxError
    from broadsheet.store.search import search_articles as store_search

    try:
        return store_search(db, q, **filters)
    except SearchSyntaxError as error:
        raise ApiError(400, str(error), "bad_query") from None
    except SearchBudgetError as error:
        raise ApiError(503, str(error), "search_timeout") from None


def openapi_document(router: APIRouter) -> dict[str, Any]:
    """The OpenAPI document of the JSON API alone."""
    from broadsheet import __version__

    return get_openapi(title="Broadsheet API", version=__version__,
                       description="Sources, articles and search. Reads are public; writes "
                                   "need `Authorization: Bearer <token>`. Every error is "
                                   '`{"error": {"code", "message"}}`.',
                       routes=router.routes)


def routers(db: Database, settings: Any) -> list[APIRouter]:
    """The JSON API, its OpenAPI document, and the Prometheus metrics endpoint."""
    from broadsheet.api import metrics

    api = make_router(db, settings)
    document = openapi_document(api)
    docs = APIRouter()

    @docs.get("/api/openapi.json", include_in_schema=False)
    def openapi() -> JSONResponse:
        return JSONResponse(document)

    return [docs, api, *metrics.routers(db, settings)]

