"""The JSON API, ``/api/v1``: sources, articles, search, stories and outlet profiles; read by
anyone, written with a token.

``ROUTES`` below is the whole route table, in matching order (the catch-all last, so
unknown addresses and methods under ``/api/v1`` answer JSON, not site pages). Every route
answers errors in the one shape of ``broadsheet.api.errors``; the OpenAPI document at
``/api/openapi.json`` is built from this table only (``docs.openapi_document``), with
``ROUTER_OPTIONS`` (the error responses every route declares, the ``v1`` tag).
"""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from broadsheet.api.deps import Route, router_of
from broadsheet.api.errors import ERROR_RESPONSES, JsonErrorRoute
from broadsheet.api.v1 import articles, docs, me, search, sources, stories
from broadsheet.api.v1.common import PREFIX
from broadsheet.store import Database

GET, POST, DELETE = ("GET",), ("POST",), ("DELETE",)

ROUTES: tuple[Route, ...] = (
    (GET, "/api/openapi.json", docs.openapi, {"include_in_schema": False}),
    (GET, PREFIX + "/me", me.me,
     {"response_model": me.Me, "summary": "Who the token belongs to"}),
    (GET, PREFIX + "/sources", sources.list_sources,
     {"response_model": sources.SourceList, "summary": "List sources"}),
    (GET, PREFIX + "/sources/{source_id}", sources.get_source,
     {"response_model": sources.SourceOut, "summary": "One source"}),
    (POST, PREFIX + "/sources", sources.create_source,
     {"response_model": sources.SourceOut, "status_code": 201,
      "summary": "Subscribe (needs an editor's token)"}),
    (DELETE, PREFIX + "/sources/{source_id}", sources.delete_source,
     {"status_code": 204, "response_class": Response,
      "summary": "Unsubscribe and delete its articles (needs an editor's token)"}),
    (GET, PREFIX + "/articles", articles.list_articles,
     {"response_model": articles.ArticlePage, "summary": "List articles"}),
    (GET, PREFIX + "/articles/{article_id}", articles.get_article,
     {"response_model": articles.ArticleOut, "summary": "One article with its body"}),
    (GET, PREFIX + "/search", search.search,
     {"response_model": search.SearchPage, "summary": "Full-text search"}),
    (GET, PREFIX + "/stories", stories.list_stories,
     {"response_model": stories.StoryPage, "tags": ["stories"],
      "summary": "Stories, most recently updated first"}),
    (GET, PREFIX + "/stories/{story_id}", stories.get_story,
     {"response_model": stories.StoryDetail, "tags": ["stories"],
      "summary": "One story with its articles, oldest first"}),
    (GET, PREFIX + "/outlets", stories.outlets,
     {"response_model": stories.OutletList, "tags": ["stories"], "summary": "Outlet profiles"}),
    (docs.ANY_METHOD, docs.CATCH_ALL, docs.unknown, {"include_in_schema": False}),
)

ROUTER_OPTIONS: dict[str, Any] = {"route_class": JsonErrorRoute, "responses": ERROR_RESPONSES,
                                  "tags": ["v1"]}


def router(db: Database | None = None, settings: Any = None) -> APIRouter:
    """The route table as one APIRouter (bound to ``db`` and ``settings`` when given)."""
    return router_of(ROUTES, db=db, settings=settings, **ROUTER_OPTIONS)


def routers(db: Database, settings: Any) -> list[APIRouter]:
    """The JSON API with its OpenAPI document, and the Prometheus metrics endpoint, for
    ``broadsheet.web`` until it mounts the route tables itself."""
    from broadsheet.api import metrics

    return [router(db, settings), *metrics.routers(db, settings)]
