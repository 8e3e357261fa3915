"""``/api/v1/sources``: subscriptions and their health; subscribing needs an editor's token.

The handlers carry no docstrings on purpose: FastAPI would publish them as descriptions
in the OpenAPI document, whose text the route table's ``summary`` already gives.
"""

import datetime as dt

from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.requests import Request

from broadsheet.accounts import access
from broadsheet.api.deps import AppSettings, Db
from broadsheet.api.errors import ApiError
from broadsheet.api.v1.common import EditorAsks, Id, Writer
from broadsheet.store import sources as source_store
from broadsheet.store.audit import record_action
from broadsheet.types import Source, redact_secrets, web_address


class SourceOut(BaseModel):
    """A subscription and its health. ``url`` is null for a private source (one whose
    address carries credentials or a secret-looking token) unless an editor's token asks;
    other callers never see user-info, secrets or private addresses."""

    id: int
    url: str | None
    title: str
    site_url: str | None
    private: bool
    status: str
    error_count: int
    last_error: str | None
    last_success: dt.datetime | None
    last_polled: dt.datetime | None
    next_poll: dt.datetime | None


class SourceList(BaseModel):
    sources: list[SourceOut]


class SourceIn(BaseModel):
    """A feed address, or a page that announces its feed (discovery runs either way)."""

    url: str = Field(min_length=1, max_length=2048)


def source_out(source: Source, full: bool = False) -> SourceOut:
    """A source as the API shows it: in full to editors, else only what is public."""
    error = source.last_error
    return SourceOut(id=source.id, url=source.url if full else source.public_url,
                     title=source.title,
                     site_url=source.site_url if full else source.public_site_url,
                     private=source.private, status=source.status,
                     error_count=source.error_count,
                     last_error=error if full or error is None else redact_secrets(error),
                     last_success=source.last_success,
                     last_polled=source.last_polled, next_poll=source.next_poll)


def list_sources(db: Db, full: EditorAsks) -> SourceList:
    return SourceList(sources=[source_out(s, full) for s in source_store.list_sources(db)])


def get_source(source_id: Id, db: Db, full: EditorAsks) -> SourceOut:
    return source_out(source_store.get_source(db, source_id), full)


def create_source(body: SourceIn, user: Writer, request: Request, db: Db,
                  settings: AppSettings) -> SourceOut:
    from broadsheet.sources import subscribe

    if web_address(body.url) is None:
        raise ApiError(400, "url: must be an http(s) address, starting with http:// or "
                            "https://")
    source = subscribe(db, settings, body.url)
    record_action(db, user, "source.create", str(source.id),
                  access.client_address(request), url=source.url, via="api")
    return source_out(source, full=True)


def delete_source(source_id: Id, user: Writer, request: Request, db: Db) -> Response:
    source_store.delete_source(db, source_id)
    record_action(db, user, "source.delete", str(source_id),
                  access.client_address(request), via="api")
    return Response(status_code=204)
