"""How API handlers reach what they share: only through the request's application.

Handlers are module-level functions. The database and the settings live on
``app.state.db`` and ``app.state.settings``, put there by the application that mounts
the routes; ``database`` and ``settings_of`` read them (``Db`` and ``AppSettings`` are
the same as FastAPI dependencies). Each protocol offers its routes as a flat table of
``Route`` rows, which ``router_of`` turns into an APIRouter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from starlette.requests import Request

from broadsheet.store import Database

Route = tuple[tuple[str, ...], str, Callable[..., Any], dict[str, Any]]
"""One row of a route table: (methods, path, handler, options for ``add_api_route``)."""


def database(request: Request) -> Database:
    """The database of the application serving this request."""
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Any:
    """The settings of the application serving this request."""
    return request.app.state.settings


Db = Annotated[Database, Depends(database)]
AppSettings = Annotated[Any, Depends(settings_of)]


class Bind:
    """A router dependency putting one database and settings on ``app.state`` when the
    application has none yet: what keeps ``routers(db, settings)`` working for callers
    that mount routers on an application of their own (until ``broadsheet.web`` stores
    them itself, this is how the routes meet their database)."""

    def __init__(self, db: Database, settings: Any) -> None:
        self.db = db
        self.settings = settings

    def __call__(self, request: Request) -> None:
        state = request.app.state
        if getattr(state, "db", None) is None:
            state.db = self.db
            state.settings = self.settings


def router_of(routes: Sequence[Route], *, db: Database | None = None, settings: Any = None,
              route_class: type[APIRoute] = APIRoute, **options: Any) -> APIRouter:
    """An APIRouter serving a route table; with ``db``, bound to it (see ``Bind``)."""
    dependencies = [Depends(Bind(db, settings))] if db is not None else []
    router = APIRouter(route_class=route_class, dependencies=dependencies, **options)
    for methods, path, handler, extra in routes:
        router.add_api_route(path, handler, methods=list(methods), **extra)
    return router
