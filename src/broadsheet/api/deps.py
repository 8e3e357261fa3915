"""How API handlers reach what they share: only through the request's application.

Handlers are module-level functions. The database and the settings live on
``app.state.db`` and ``app.state.settings``, put there by ``broadsheet.web``'s
``make_web_app``; ``database`` and ``settings_of`` read them (``Db`` and ``AppSettings``
are the same as FastAPI dependencies). ``broadsheet.web.routes`` lists every handler with
its address.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends
from starlette.requests import Request

from broadsheet.store import Database


def database(request: Request) -> Database:
    """The database of the application serving this request."""
    db: Database = request.app.state.db
    return db


def settings_of(request: Request) -> Any:
    """The settings of the application serving this request."""
    return request.app.state.settings


Db = Annotated[Database, Depends(database)]
AppSettings = Annotated[Any, Depends(settings_of)]
