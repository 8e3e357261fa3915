"""One way to answer an error, in the dialect of the path that met it.

``answer_error(request, error)`` is the only mechanism: ``AnsweringRoute`` calls it for
whatever a handler in the route table raises, and the application's exception handlers
call it for what happens outside any route (an unknown address, a method a route does
not take, a missing static file). The dialect is chosen by the first prefix in
``DIALECTS`` the path starts with; a dialect may decline an error (None), and the site's
error pages answer whatever no other dialect takes.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from broadsheet.admin import views as admin
from broadsheet.api.errors import translate
from broadsheet.api.readers import fever, greader, miniflux
from broadsheet.api.readers.common import protocol_error
from broadsheet.site.pages import errors as site_errors
from broadsheet.store.bounds import OutOfRangeError

log = logging.getLogger("broadsheet.web")

Dialect = Callable[[Request, Exception], Response | None]


def _json_api(request: Request, error: Exception) -> Response:
    return translate(error, request)


def _fever(request: Request, error: Exception) -> Response:
    return protocol_error(error, request, fever.render)


def _greader(request: Request, error: Exception) -> Response:
    return protocol_error(error, request, greader.render)


def _miniflux(request: Request, error: Exception) -> Response:
    return protocol_error(error, request, miniflux.render)


def _site(request: Request, error: Exception) -> Response:
    """The readers' site's error pages (FastAPI's own 422 for a malformed parameter)."""
    if isinstance(error, StarletteHTTPException):
        return site_errors.answer(request, error.status_code, str(error.detail))
    if isinstance(error, OutOfRangeError):
        return site_errors.answer(request, 400, str(error))
    if isinstance(error, RequestValidationError):
        return JSONResponse({"detail": jsonable_encoder(error.errors())}, status_code=422)
    log.error("site: error on %s", request.url.path, exc_info=error)
    return site_errors.answer(request, 500, site_errors.UNEXPECTED)


DIALECTS: tuple[tuple[str, Dialect], ...] = (
    ("/api/fever.php", _fever),          # Fever JSON, {"auth": 0, "error": ...}
    ("/fever", _fever),
    ("/accounts/ClientLogin", _greader),  # Google Reader text, "Error=..."
    ("/reader/", _greader),
    ("/v1/", _miniflux),                 # the one JSON shape plus "error_message"
    ("/healthcheck", _miniflux),
    ("/api/", _json_api),                # the one JSON shape, {"error": {"code", "message"}}
    ("/admin", admin.answer),            # the login page, a 403 page; declines the rest
)
"""(path prefix, dialect), most specific first; every other path gets the site's pages
(``/metrics`` and ``/websub/`` too: they raise nothing of their own)."""


def answer_error(request: Request, error: Exception) -> Response:
    """The response to ``error``, met while answering ``request``."""
    path = request.url.path
    for prefix, dialect in DIALECTS:
        if path.startswith(prefix):
            answer = dialect(request, error)
            if answer is not None:
                return answer
            break
    return _site(request, error)


class AnsweringRoute(APIRoute):
    """A route whose handler's exceptions, all of them, are answered by ``answer_error``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def answered(request: Request) -> Response:
            try:
                return await handler(request)
            except Exception as error:  # the web boundary: every error gets an answer
                return answer_error(request, error)

        return answered


async def _handle(request: Request, error: Exception) -> Response:
    return answer_error(request, error)


def add_error_handlers(app: FastAPI) -> None:
    """Answer errors raised outside the route table's handlers with ``answer_error``."""
    for kind in (StarletteHTTPException, RequestValidationError, OutOfRangeError, Exception):
        app.add_exception_handler(kind, _handle)
