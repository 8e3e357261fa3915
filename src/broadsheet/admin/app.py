"""The admin area as routers for today's ``web.py`` (temporary).

``views.ROUTES`` is the route table and ``views.errors.answer`` the answer to refusals;
until the one web application mounts the table itself and dispatches errors by path,
``routers`` builds an APIRouter from the table, puts the database, the settings and the
admin state on ``app.state``, and answers refusals through ``AdminRoute``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response

from broadsheet.admin import views
from broadsheet.settings import Settings
from broadsheet.store import Database


class AdminRoute(APIRoute):
    """A route whose refusals (LoginRequired, Forbidden) ``views.answer`` answers."""

    def get_route_handler(self) -> Any:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:
                response = views.answer(request, error)
                if response is None:
                    raise
                return response

        return guarded


class _AppState:
    """A router dependency putting the database, settings and admin state on ``app.state``
    where the application has none yet (the one web application will put them there when
    it is built)."""

    def __init__(self, db: Database, settings: Settings):
        self.values = {"db": db, "settings": settings, "admin": views.state(db, settings)}

    async def __call__(self, request: Request) -> None:  # async: no worker thread
        state = request.app.state
        for name, value in self.values.items():
            if getattr(state, name, None) is None:
                setattr(state, name, value)


def routers(db: Database, settings: Settings) -> list[APIRouter]:
    """The admin area's routes and its static files."""
    router = APIRouter(route_class=AdminRoute, dependencies=[Depends(_AppState(db, settings))])
    path, folder, name = views.STATIC
    router.mount(path, StaticFiles(directory=folder), name=name)
    for methods, path, handler, options in views.ROUTES:
        router.add_api_route(path, handler, methods=list(methods), **options)
    return [router]
