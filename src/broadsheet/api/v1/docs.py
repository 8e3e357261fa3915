"""The OpenAPI document of the JSON API alone, and the JSON answer to unknown API addresses."""

import functools
from typing import Any

from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response
from starlette.requests import Request
from starlette.routing import Match

from broadsheet.api.errors import ApiError
from broadsheet.api.v1.common import PREFIX

ANY_METHOD = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT",
              "QUERY")
"""Methods the catch-all answers, so unknown routes and methods get JSON, not site pages."""
CATCH_ALL = PREFIX + "/{rest:path}"


@functools.cache
def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the ``/api/v1`` route table (built once: it depends on the
    code alone)."""
    from broadsheet import __version__
    from broadsheet.api import v1  # the table names this module's handlers

    return get_openapi(title="Broadsheet API", version=__version__,
                       description="Sources, articles and search. Reads are public; writes "
                                   "need `Authorization: Bearer <token>`. Every error is "
                                   '`{"error": {"code", "message"}}`.',
                       routes=v1.router().routes)


def openapi() -> JSONResponse:
    return JSONResponse(openapi_document())


def unknown(request: Request, rest: str) -> Response:
    # 405 with Allow when another method would do at this address, else 404: in JSON.
    allowed = sorted({m for r in _flat_routes(request.app.routes)
                      if getattr(r, "path", "").startswith(PREFIX + "/")
                      and r.path != CATCH_ALL
                      and r.matches(request.scope)[0] == Match.PARTIAL
                      for m in getattr(r, "methods", ()) or ()})
    if allowed:
        raise ApiError(405, f"{request.method} is not allowed here",
                       headers={"Allow": ", ".join(allowed)})
    raise ApiError(404, f"no API route at {request.url.path}")


def _flat_routes(routes: list[Any]) -> list[Any]:
    """Routes with included routers opened up (FastAPI may keep an included router whole)."""
    flat = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        flat.extend(_flat_routes(inner.routes) if inner is not None else [route])
    return flat
