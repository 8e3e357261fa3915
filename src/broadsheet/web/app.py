"""The application object: shared state, the route table, error answers, middleware.

Handlers reach what they share only through ``request.app.state``: ``db`` (the
``Database``), ``settings``, and one object per area (``site``: the site's renderer,
with its templates, caches, weather and view counter; ``admin``: the desk's templates and
message key).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from broadsheet.accounts import auth
from broadsheet.admin import views as admin
from broadsheet.server import NoStore, RequestLimits
from broadsheet.site.render import Site
from broadsheet.store import Database
from broadsheet.web.errors import add_error_handlers
from broadsheet.web.routes import add_routes

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' https: http: data:; style-src 'self'; "
        "script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def make_web_app(db: Database, settings: Any) -> FastAPI:
    """Build the whole web application on ``db`` with ``settings``."""
    auth.set_hash_concurrency(settings.password_hash_concurrency)
    app = _Application(title="Broadsheet", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.db = db
    app.state.settings = settings
    app.state.site = Site(db, settings)
    app.state.admin = admin.state(db, settings)
    app.state.openapi = None  # the JSON API's document, built when first asked for
    add_routes(app, settings)
    add_error_handlers(app)
    app.state.site.weather.current()  # starts the first fetch in the background
    # Innermost of the middleware, so its refusals still get the security headers.
    app.user_middleware.append(Middleware(NoStore))
    app.user_middleware.append(Middleware(RequestLimits, settings=settings))
    return app


class SecurityHeaders:
    """ASGI middleware adding the security headers to every response (cheaper than
    Starlette's BaseHTTPMiddleware, which matters on the hot path)."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.headers = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name for name, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [
                    h for h in self.headers if h[0] not in present]
            await send(message)

        await self.app(scope, receive, send_with_headers)


class _Application(FastAPI):
    """FastAPI with the security headers outermost: Starlette puts its 500 handler
    outside every added middleware, so only wrapping the whole stack puts the headers
    on answers to unexpected exceptions too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())
