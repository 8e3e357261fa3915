"""The one web application: the readers' site plus every router the other layers offer.

``broadsheet serve`` and ``broadsheet run`` serve what ``make_web_app`` returns. Each
layer contributes routes through a function ``routers(db, settings)``; this module is the
only place that knows them all.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware

from broadsheet.accounts import auth
from broadsheet.server import NoStore, RequestLimits
from broadsheet.site.app import make_app
from broadsheet.store import Database

log = logging.getLogger("broadsheet.web")

# Modules offering ``routers(db, settings) -> list[APIRouter]``, mounted in this order.
ROUTER_MODULES = (
    "broadsheet.api.websub",
    "broadsheet.api.v1",
    "broadsheet.api.readers",
    "broadsheet.admin.app",
)


def make_web_app(db: Database, settings: Any) -> FastAPI:
    """Build the site and mount every available router on it."""
    auth.set_hash_concurrency(settings.password_hash_concurrency)
    app = make_app(db, settings)
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name and (name == error.name or name.startswith(error.name + ".")):
                continue  # that layer is not part of this build
            raise
        for router in module.routers(db, settings):
            app.include_router(router)
    # Innermost of the middleware, so its refusals still get the security headers.
    app.user_middleware.append(Middleware(NoStore))
    app.user_middleware.append(Middleware(RequestLimits, settings=settings))
    return app
