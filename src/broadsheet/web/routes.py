"""Every address the application answers, in the order they are matched.

One line per route: methods, path, handler, options (keyword arguments of FastAPI's
``add_api_route``), the row shape of the areas' own tables (``api.deps.Route``).
Handlers are plain functions of their area and reach the database, the settings and
their area's state through ``request.app.state``. Every route in the table is an
``AnsweringRoute``: whatever a handler raises is answered by ``web/errors.py`` in the
dialect of its path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

from broadsheet.admin import app as admin_app
from broadsheet.api import readers, v1, websub
from broadsheet.site import render as site_render
from broadsheet.site.pages import articles, days, front, meta, search, sources, stories, tags
from broadsheet.store import Database
from broadsheet.web.errors import AnsweringRoute

Route = tuple[tuple[str, ...], str, Callable[..., Any], dict[str, Any]]
GET = ("GET",)

ROUTES: tuple[Route, ...] = (
    # The readers' site (site/pages/)
    (GET, "/",                                   front.front,           {}),
    (GET, "/feed.{fmt}",                         front.front_feed,      {}),
    (GET, "/articles/{article_id}",              articles.article,      {}),
    (GET, "/articles/{article_id}/view.gif",     articles.view_beacon,  {}),
    (GET, "/stories/{story_id}",                 stories.story,         {}),
    (GET, "/stories/{story_id}/feed.{fmt}",      stories.story_feed,    {}),
    (GET, "/sources/{source_id}",                sources.source,        {}),
    (GET, "/sources/{source_id}/feed.{fmt}",     sources.source_feed,   {}),
    (GET, "/tags/{tag}",                         tags.tag_page,         {}),
    (GET, "/tags/{tag}/feed.{fmt}",              tags.tag_feed,         {}),
    (GET, "/days/{day}",                         days.day_page,         {}),
    (GET, "/days",                               days.days_index,       {}),
    (GET, "/search",                             search.search,         {}),
    (GET, "/search/feed.{fmt}",                  search.search_feed,    {}),
    (GET, "/sitemap.xml",                        meta.sitemap,          {}),
    (GET, "/robots.txt",                         meta.robots,           {}),
    (GET, "/favicon.ico",                        meta.favicon,          {}),
    (GET, "/healthz",                            meta.health,           {}),
)

STATIC = (
    ("/static", site_render.STATIC, "static"),
)
"""Folders of static files: (path, directory, route name), matched before the table."""


def add_routes(app: FastAPI, db: Database, settings: Any) -> None:
    """Put the static folders, the route table and the other areas' routers on ``app``."""
    for path, directory, name in STATIC:
        app.mount(path, StaticFiles(directory=directory), name=name)
    for methods, path, handler, options in ROUTES:
        app.router.add_api_route(path, handler, methods=list(methods),
                                 route_class_override=AnsweringRoute, **options)
    for router in _area_routers(db, settings):
        app.include_router(router)


# --- temporary: areas still mounted as routers of their own ------------------------------
# WebSub, the JSON API (with /api/openapi.json and /metrics), the reader APIs and the
# admin area, in this order after the table, each router with its own route class
# answering its errors. To be replaced by their rows in ROUTES (the API's tables are
# already flat: api.websub.ROUTES, api.v1.ROUTES, api.metrics.ROUTES and each
# readers.<protocol>.ROUTES) and their dialects in web/errors.py's DIALECTS.

def _area_routers(db: Database, settings: Any) -> list[APIRouter]:
    return [*websub.routers(db, settings), *v1.routers(db, settings),
            *readers.routers(db, settings), *admin_app.routers(db, settings)]
