"""Every address the application answers, in the order they are matched.

One row per route: methods, path, handler, options (keyword arguments of FastAPI's
``add_api_route``). ``routes(settings)`` reads the tables top to bottom: the readers'
site, WebSub's callbacks (only when WebSub is on), the JSON API, the metrics, the three
reader-client APIs, the admin area. Handlers are plain functions of their area and reach
the database, the settings and their area's state through ``request.app.state``. Every
route is an ``AnsweringRoute``: whatever a handler raises is answered by
``web/errors.py`` in the dialect of its path. The JSON API's OpenAPI document is built
from the rows under ``/api/v1/`` (``api.v1.docs``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from broadsheet.admin import views as admin
from broadsheet.api import metrics, v1, websub
from broadsheet.api.errors import ERROR_RESPONSES
from broadsheet.api.readers import fever, greader, miniflux
from broadsheet.settings import Settings
from broadsheet.site import render as site_render
from broadsheet.site.pages import articles, days, front, meta, search, sources, stories, tags
from broadsheet.sources import websub as websub_sources
from broadsheet.web.errors import AnsweringRoute

Route = tuple[tuple[str, ...], str, Callable[..., Any], dict[str, Any]]
"""One row: (methods, path, handler, options for ``add_api_route``)."""

GET, POST, PUT, DELETE = ("GET",), ("POST",), ("PUT",), ("DELETE",)
GET_POST = ("GET", "POST")

HIDDEN: dict[str, Any] = {"include_in_schema": False}
"""Routes outside the JSON API's OpenAPI document."""
PAGE: dict[str, Any] = {**HIDDEN, "response_class": HTMLResponse}
"""An admin route answering an HTML page."""


def api(summary: str, *, tags: tuple[str, ...] = (), **options: Any) -> dict[str, Any]:
    """Options of a documented ``/api/v1`` route: its summary, the error responses every
    route declares, the ``v1`` tag before its own, and ``options`` (response model...)."""
    return {"responses": ERROR_RESPONSES, "tags": ["v1", *tags], "summary": summary,
            **options}


STATIC = (
    ("/static", site_render.STATIC, "static"),
    ("/admin/static", admin.STATIC, "admin-static"),
)
"""Folders of static files: (path, directory, route name), matched before the table."""

SITE: tuple[Route, ...] = (
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
"""The readers' site (``site/pages/``)."""

WEBSUB: tuple[Route, ...] = (
    (GET,  "/websub/{source_id}/{token}",        websub.verify,          HIDDEN),
    (POST, "/websub/{source_id}/{token}",        websub.push,            HIDDEN),
    (POST, "/websub/{source_id}",                websub.push_untokened,  HIDDEN),
)
"""Hubs' callbacks (``api/websub.py``), mounted only when WebSub is on (a ``base_url``)."""

API_V1: tuple[Route, ...] = (
    (GET,    "/api/openapi.json",                v1.docs.openapi,           HIDDEN),
    (GET,    "/api/v1/me",                       v1.me.me,
     api("Who the token belongs to", response_model=v1.me.Me)),
    (GET,    "/api/v1/sources",                  v1.sources.list_sources,
     api("List sources", response_model=v1.sources.SourceList)),
    (GET,    "/api/v1/sources/{source_id}",      v1.sources.get_source,
     api("One source", response_model=v1.sources.SourceOut)),
    (POST,   "/api/v1/sources",                  v1.sources.create_source,
     api("Subscribe (needs an editor's token)", response_model=v1.sources.SourceOut,
         status_code=201)),
    (DELETE, "/api/v1/sources/{source_id}",      v1.sources.delete_source,
     api("Unsubscribe and delete its articles (needs an editor's token)", status_code=204,
         response_class=Response)),
    (GET,    "/api/v1/articles",                 v1.articles.list_articles,
     api("List articles", response_model=v1.articles.ArticlePage)),
    (GET,    "/api/v1/articles/{article_id}",    v1.articles.get_article,
     api("One article with its body", response_model=v1.articles.ArticleOut)),
    (GET,    "/api/v1/search",                   v1.search.search,
     api("Full-text search", response_model=v1.search.SearchPage)),
    (GET,    "/api/v1/stories",                  v1.stories.list_stories,
     api("Stories, most recently updated first", tags=("stories",),
         response_model=v1.stories.StoryPage)),
    (GET,    "/api/v1/stories/{story_id}",       v1.stories.get_story,
     api("One story with its articles, oldest first", tags=("stories",),
         response_model=v1.stories.StoryDetail)),
    (GET,    "/api/v1/outlets",                  v1.stories.outlets,
     api("Outlet profiles", tags=("stories",), response_model=v1.stories.OutletList)),
    # Last: unknown addresses and methods under /api/v1 answer JSON, not site pages.
    (v1.docs.ANY_METHOD, "/api/v1/{rest:path}", v1.docs.unknown,          HIDDEN),
)
"""The JSON API (``api/v1/``): read by anyone, written with a token."""

METRICS: tuple[Route, ...] = (
    (GET, "/metrics",                            metrics.metrics,        HIDDEN),
)
"""Prometheus metrics (``api/metrics.py``)."""

GREADER_API = "/reader/api/0"

GREADER: tuple[Route, ...] = (
    (GET_POST, "/accounts/ClientLogin",                   greader.client_login,      HIDDEN),
    (GET,  GREADER_API + "/token",                        greader.write_token,       HIDDEN),
    (GET,  GREADER_API + "/user-info",                    greader.user_info,         HIDDEN),
    (GET,  GREADER_API + "/subscription/list",            greader.subscription_list, HIDDEN),
    (GET,  GREADER_API + "/tag/list",                     greader.tag_list,          HIDDEN),
    (GET,  GREADER_API + "/unread-count",                 greader.unread_count,      HIDDEN),
    (POST, GREADER_API + "/subscription/edit",            greader.subscription_edit, HIDDEN),
    (POST, GREADER_API + "/subscription/quickadd",        greader.quickadd,          HIDDEN),
    (GET,  GREADER_API + "/stream/items/ids",             greader.item_ids,          HIDDEN),
    (GET_POST, GREADER_API + "/stream/items/contents",    greader.item_contents,     HIDDEN),
    (GET,  GREADER_API + "/stream/contents/{stream:path}", greader.stream_contents,  HIDDEN),
    (GET,  GREADER_API + "/stream/contents",              greader.reading_list,      HIDDEN),
    (POST, GREADER_API + "/edit-tag",                     greader.edit_tag,          HIDDEN),
    (POST, GREADER_API + "/mark-all-as-read",             greader.mark_all_as_read,  HIDDEN),
)
"""The Google Reader API (``api/readers/greader.py``)."""

FEVER: tuple[Route, ...] = (
    (GET_POST, "/fever/",                        fever.fever,            HIDDEN),
    (GET_POST, "/fever",                         fever.fever,            HIDDEN),
    (GET_POST, "/api/fever.php",                 fever.fever,            HIDDEN),
)
"""The Fever API (``api/readers/fever.py``)."""

FEED = "/v1/feeds/{feed_id:int}"
ENTRY = "/v1/entries/{entry_id:int}"
CATEGORY = "/v1/categories/{category_id:int}"

MINIFLUX: tuple[Route, ...] = (
    (GET,    "/v1/me",                           miniflux.me,               HIDDEN),
    (GET,    "/v1/version",                      miniflux.version,          HIDDEN),
    (GET,    "/v1/feeds",                        miniflux.feeds,            HIDDEN),
    (GET,    "/v1/feeds/counters",               miniflux.counters,         HIDDEN),
    (GET,    FEED,                               miniflux.feed,             HIDDEN),
    (POST,   "/v1/feeds",                        miniflux.create_feed,      HIDDEN),
    (DELETE, FEED,                               miniflux.delete_feed,      HIDDEN),
    (PUT,    FEED + "/refresh",                  miniflux.refresh_feed,     HIDDEN),
    (PUT,    "/v1/feeds/refresh",                miniflux.refresh_all,      HIDDEN),
    (PUT,    FEED + "/mark-all-as-read",         miniflux.mark_feed_read,   HIDDEN),
    (GET,    "/v1/categories",                   miniflux.list_categories,  HIDDEN),
    (GET,    CATEGORY + "/feeds",                miniflux.category_feeds,   HIDDEN),
    (GET,    CATEGORY + "/entries",              miniflux.category_entries, HIDDEN),
    (GET,    "/v1/entries",                      miniflux.list_entries,     HIDDEN),
    (GET,    FEED + "/entries",                  miniflux.feed_entries,     HIDDEN),
    (GET,    ENTRY,                              miniflux.get_entry,        HIDDEN),
    (GET,    FEED + "/entries/{entry_id:int}",   miniflux.get_feed_entry,   HIDDEN),
    (PUT,    "/v1/entries",                      miniflux.update_entries,   HIDDEN),
    (PUT,    ENTRY + "/bookmark",                miniflux.toggle_bookmark,  HIDDEN),
    (GET,    "/healthcheck",                     miniflux.health,           HIDDEN),
    (GET,    "/v1/healthcheck",                  miniflux.health,           HIDDEN),
)
"""The Miniflux API (``api/readers/miniflux.py``)."""

ADMIN: tuple[Route, ...] = (
    (GET,  "/admin/login",                       admin.session.login_form,      PAGE),
    (POST, "/admin/login",                       admin.session.login,           HIDDEN),
    (POST, "/admin/logout",                      admin.session.logout,          HIDDEN),
    (GET,  "/admin",                             admin.session.home,            HIDDEN),
    (GET,  "/admin/sources",                     admin.sources.sources_page,    PAGE),
    (POST, "/admin/sources",                     admin.sources.add_source,      HIDDEN),
    (GET,  "/admin/sources/export.opml",         admin.sources.export,          HIDDEN),
    (POST, "/admin/sources/import",              admin.sources.import_sources,  HIDDEN),
    (GET,  "/admin/sources/{source_id}",         admin.sources.source_page,     PAGE),
    (POST, "/admin/sources/{source_id}",         admin.sources.save_source,     HIDDEN),
    (POST, "/admin/sources/{source_id}/delete",  admin.sources.delete_source,   HIDDEN),
    (GET,  "/admin/health",                      admin.health.health,           PAGE),
    (GET,  "/admin/articles",                    admin.articles.articles_page,  PAGE),
    (POST, "/admin/articles/{article_id}/reextract", admin.articles.reextract,  HIDDEN),
    (POST, "/admin/articles/{article_id}/{action}", admin.articles.article_action, HIDDEN),
    (GET,  "/admin/stories",                     admin.stories.stories_page,    PAGE),
    (POST, "/admin/stories/{story_id}/merge",    admin.stories.merge_story,     HIDDEN),
    (POST, "/admin/stories/split/{article_id}",  admin.stories.split_story,     HIDDEN),
    (GET,  "/admin/outlets",                     admin.outlets.outlets_page,    PAGE),
    (POST, "/admin/outlets",                     admin.outlets.add_outlet,      HIDDEN),
    (GET,  "/admin/outlets/{slug}",              admin.outlets.outlet_page,     PAGE),
    (POST, "/admin/outlets/{slug}",              admin.outlets.save_outlet,     HIDDEN),
    (GET,  "/admin/users",                       admin.users.users_page,        PAGE),
    (POST, "/admin/users",                       admin.users.create_user,       HIDDEN),
    (POST, "/admin/users/{user_id}/{action}",    admin.users.user_action,       HIDDEN),
    (GET,  "/admin/tokens",                      admin.tokens.tokens_page,      PAGE),
    (POST, "/admin/tokens",                      admin.tokens.create_token,     HIDDEN),
    (POST, "/admin/tokens/{token_id}/revoke",    admin.tokens.revoke,           HIDDEN),
    (GET,  "/admin/audit",                       admin.audit.audit_page,        PAGE),
)
"""The admin area (``admin/views/``). Order matters where two paths could match:
``export.opml`` before ``{source_id}``, ``reextract`` before ``{action}``."""


def routes(settings: Settings) -> tuple[Route, ...]:
    """Every route of an application with ``settings``, in matching order."""
    callbacks = WEBSUB if websub_sources.enabled(settings) else ()
    return (*SITE, *callbacks, *API_V1, *METRICS, *GREADER, *FEVER, *MINIFLUX, *ADMIN)


def add_routes(app: FastAPI, settings: Settings) -> None:
    """Put the static folders and every route of ``routes(settings)`` on ``app``."""
    for path, directory, name in STATIC:
        app.mount(path, StaticFiles(directory=directory), name=name)
    for methods, path, handler, options in routes(settings):
        app.router.add_api_route(path, handler, methods=list(methods),
                                 route_class_override=AnsweringRoute, **options)
