"""The one error shape of Broadsheet's JSON APIs.

Every error an API route meets (ours, FastAPI's validation errors, HTTP errors, bugs)
leaves as ``{"error": {"code": ..., "message": ...}}`` with a fitting status:
``translate(error, request)`` decides it. Each area answers in its own dialect, chosen by
the request's path in ``broadsheet.web.errors.DIALECTS`` (checked in this order):

    /api/fever.php, /fever, /fever/   Fever JSON          readers.fever.render
    /accounts/ClientLogin, /reader/   Google Reader text  readers.greader.render
    /v1/, /healthcheck                Miniflux JSON       readers.miniflux.render
    /api/                             the one JSON shape  translate
    /metrics, /websub/                the site's pages (they raise nothing of their own)

A reader protocol's ``render(status, message, headers)`` gets what ``translate`` decided
(``readers.common.protocol_error`` joins the two).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request

from broadsheet.errors import BroadsheetError, NotFound, StorageError

log = logging.getLogger("broadsheet.api")

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          405: "method_not_allowed", 409: "conflict", 413: "too_large",
          422: "invalid_request", 429: "too_many_requests", 500: "internal_error",
          503: "unavailable"}


class ErrorBody(BaseModel):
    """What went wrong: a stable machine code and a sentence for people."""

    code: str
    message: str


class ErrorResponse(BaseModel):
    """Every API error has this shape."""

    error: ErrorBody


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": code.replace("_", " ")}
    for status, code in _CODES.items() if status in (400, 401, 403, 404, 405, 422, 429, 500)
}
"""OpenAPI ``responses`` every route declares, so clients and schemathesis know the shape."""


class ApiError(Exception):
    """Raised by API code to answer with an error of the one shape."""

    def __init__(self, status: int, message: str, code: str | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code or _CODES.get(status, "error")
        self.message = message
        self.headers = headers or {}


def error_response(status: int, message: str, code: str | None = None,
                   headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """A JSON response of the one error shape (``extra`` adds top-level keys for
    protocols that need their own, such as Miniflux's ``error_message``)."""
    body = {"error": {"code": code or _CODES.get(status, "error"), "message": message}, **extra}
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_message(error: RequestValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item.get("loc", ()) if p != "body") or "request"
        parts.append(f"{where}: {item.get('msg', 'invalid')}")
    return "; ".join(parts) or "the request is not valid"


def translate(error: Exception, request: Request) -> JSONResponse:
    """Turn any exception met by an API route into the one error shape."""
    if isinstance(error, ApiError):
        return error_response(error.status, error.message, error.code, error.headers)
    if isinstance(error, RequestValidationError):
        return error_response(422, _validation_message(error))
    if isinstance(error, StarletteHTTPException):
        return error_response(error.status_code, str(error.detail),
                              headers=dict(error.headers or {}))
    if isinstance(error, NotFound):
        return error_response(404, str(error))
    if isinstance(error, StorageError):
        log.exception("api: storage error on %s", request.url.path)
        return error_response(503, "the database is unavailable, try again")
    if isinstance(error, BroadsheetError):
        return error_response(400, str(error))
    if isinstance(error, OverflowError):  # an id or time beyond what storage can hold
        return error_response(400, "a number in the request is out of range")
    if isinstance(error, RecursionError):  # a JSON body nested past what a parser walks
        return error_response(400, "the body is nested too deeply")
    log.exception("api: unexpected error on %s %s", request.method, request.url.path)
    return error_response(500, "an internal error occurred; it has been logged")

