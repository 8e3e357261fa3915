"""The OpenAPI document of the JSON API alone, and the JSON answer to unknown API addresses."""

from collections.abc import Sequence
from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.routing import BaseRoute, Match

from broadsheet.api.errors import ApiError
from broadsheet.api.v1.common import PREFIX

ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
              "QUERY")
"""Methods the catch-all answers, so unknown routes and methods get JSON, not site pages."""
CATCH_ALL = PREFIX + "/{rest:path}"


def openapi_document(routes: Sequence[BaseRoute]) -> dict[str, Any]:
    """The OpenAPI document of the routes under ``/api/v1/`` among ``routes``."""
    from broadsheet import __version__

    documented = [r for r in routes if getattr(r, "path", "").startswith(PREFIX + "/")]
    return get_openapi(title="Broadsheet API", version=__version__,
                       description="Sources, articles and search. Reads are public; writes "
                                   "need `Authorization: Bearer <token>`. Every error is "
                                   '`{"error": {"code", "message"}}`.',
                       routes=documented)


def openapi(request: Request) -> JSONResponse:
    # Built on the first request and kept: it depends on the route table alone.
    state = request.app.state
    if getattr(state, "openapi", None) is None:
        state.openapi = openapi_document(request.app.routes)
    return JSONResponse(state.openapi)


def unknown(request: Request, rest: str) -> Response:
    # 405 with Allow when another method would do at this address, else 404: in JSON.
    allowed = sorted({m for r in request.app.routes
                      if getattr(r, "path", "").startswith(PREFIX + "/")
                      and r.path != CATCH_ALL
                      and r.matches(request.scope)[0] == Match.PARTIAL
                      for m in getattr(r, "methods", ()) or ()})
    if allowed:
        raise ApiError(405, f"{request.method} is not allowed here",
                       headers={"Allow": ", ".join(allowed)})
    raise ApiError(404, f"no API route at {request.url.path}")
