"""The Miniflux ``/v1`` API, for the parts reader apps use.

Authentication: ``X-Auth-Token: <API token>`` or HTTP Basic with the account password
(throttled like every login). Errors carry Miniflux's ``error_message`` beside the
``error`` object every Broadsheet API returns.

    GET /v1/me | /v1/version | /v1/feeds | /v1/feeds/{id} | /v1/feeds/counters
    GET /v1/categories | /v1/categories/{id}/feeds | /v1/categories/{id}/entries
    GET /v1/entries | /v1/entries/{id} | /v1/feeds/{id}/entries[/{entry_id}]
    PUT /v1/entries {entry_ids, status} | /v1/entries/{id}/bookmark
    PUT /v1/feeds/{id}/refresh | /v1/feeds/{id}/mark-all-as-read
    PUT /v1/feeds/refresh                                      (admins only; audited)
    POST /v1/feeds {feed_url} | DELETE /v1/feeds/{id}          (editors only)
    GET /healthcheck | /v1/healthcheck -> "OK"
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import MultiDict
from starlette.requests import Request

from broadsheet.accounts import access, auth
from broadsheet.api.deps import database, settings_of
from broadsheet.api.errors import ApiError, error_response
from broadsheet.api.readers._miniflux_json import (
    category_json, entry_filter, entry_json, feed_json, time_json,
)
from broadsheet.api.readers.common import (
    DEFAULT_CATEGORY, Category, categories, find_category, threaded, token_user,
)
from broadsheet.store import bounds, utcnow
from broadsheet.store import reader_state as state
from broadsheet.store import sources as source_store
from broadsheet.store.audit import record_action
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.users import User
from broadsheet.types import web_address

MAX_LIMIT = 1000


def render(status: int, message: str, headers: dict[str, str]) -> Response:
    """An error as Miniflux clients expect it: the one JSON shape plus ``error_message``."""
    return error_response(status, message, headers=headers, error_message=message)


# --- who is calling -----------------------------------------------------------------------

def user_of(request: Request) -> User:
    """The caller, by ``X-Auth-Token`` (wrong ones count against the address, as wrong
    Fever keys do) or by HTTP Basic with the account password (throttled like every login)."""
    db = database(request)
    token = request.headers.get("x-auth-token")
    if token:
        return token_user(db, request, "miniflux", token, "Access Unauthorized")
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise ApiError(401, "Access Unauthorized",
                       headers={"WWW-Authenticate": 'Basic realm="broadsheet"'})
    try:
        name, _, password = base64.b64decode(value.strip()).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise ApiError(401, "Access Unauthorized") from None
    try:
        return access.check_password_login(db, name, password,
                                           access.client_address(request))
    except access.LoginRefused as refused:
        headers = {"Retry-After": str(refused.retry_after)} if refused.retry_after else {}
        raise ApiError(429 if refused.retry_after else 401, "Access Unauthorized",
                       headers=headers) from None


def editor_of(request: Request) -> User:
    """The caller, who must be an editor or stronger to add or remove feeds (else 403)."""
    user = user_of(request)
    if not auth.role_at_least(user.role, "editor"):
        raise ApiError(403, "Access Forbidden")
    return user


# --- entries ------------------------------------------------------------------------------

def _entries(request: Request, user: User, params: MultiDict, base: EntryFilter) -> Response:
    """A page of entries with the total the selection holds."""
    db = database(request)
    selection = entry_filter(db, params, base)
    limit = int(params["limit"]) if params.get("limit", "").isdigit() else 100
    offset = bounds.parse_int(params.get("offset"), "offset") or 0
    ids = state.entry_ids(db, user.id, selection, limit=min(max(limit, 1), MAX_LIMIT),
                          offset=offset, order="id" if params.get("order") == "id"
                          else "published", descending=params.get("direction") != "asc")
    sources = {s.id: s for s in source_store.list_sources(db)}
    settings = settings_of(request)
    return JSONResponse({"total": state.count_entries(db, user.id, selection),
                         "entries": [entry_json(e, user, sources, settings)
                                     for e in state.get_entries(db, user.id, ids)]})


def _one_entry(request: Request, user: User, entry_id: int,
               source_id: int | None = None) -> Response:
    db = database(request)
    found = state.get_entries(db, user.id, [entry_id])
    if not found or (source_id is not None and found[0].article.source_id != source_id):
        raise ApiError(404, "Entry not found")
    sources = {s.id: s for s in source_store.list_sources(db)}
    return JSONResponse(entry_json(found[0], user, sources, settings_of(request)))


# --- the handlers: ``(request, params)``, run in a thread by ``threaded`` -----------------

@threaded
def me(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    return JSONResponse({
        "id": user.id, "username": user.name, "is_admin": user.role == "admin",
        "theme": "light_serif", "language": "en_US",
        "timezone": settings_of(request).timezone,
        "entry_sorting_direction": "desc", "entry_sorting_order": "published_at",
        "entries_per_page": 100, "keyboard_shortcuts": False, "display_mode": "standalone",
        "show_reading_time": True, "entry_swipe": True, "stylesheet": "",
        "last_login_at": time_json(utcnow())})


@threaded
def version(request: Request, params: MultiDict) -> Response:
    from broadsheet import __version__

    user_of(request)
    return JSONResponse({"version": "2.2.0", "commit": f"broadsheet-{__version__}",
                         "build_date": "", "go_version": "", "compiler": "", "arch": "",
                         "os": ""})


@threaded
def feeds(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    sources = source_store.list_sources(database(request))
    return JSONResponse([feed_json(s, user) for s in sources])


@threaded
def counters(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    db = database(request)
    unread = state.unread_counts(db, user.id)
    reads = {s.id: state.count_entries(db, user.id, EntryFilter(source_ids=(s.id,),
                                                                read=True))
             for s in source_store.list_sources(db)}
    return JSONResponse({"reads": {str(k): v for k, v in reads.items()},
                         "unreads": {str(k): v for k, v in unread.items()}})


@threaded
def feed(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    return JSONResponse(feed_json(source_store.get_source(
        database(request), request.path_params["feed_id"]), user))


@threaded
def create_feed(request: Request, params: MultiDict) -> Response:
    """Subscribe to ``feed_url``, in ``category_id`` if given (editors only, audited)."""
    from broadsheet.sources import subscribe

    user = editor_of(request)
    db = database(request)
    body = _body(request)
    url = str(body.get("feed_url") or "")
    if web_address(url) is None:
        raise ApiError(400, "feed_url must be an http(s) address")
    source = subscribe(db, settings_of(request), url)
    found = find_category(db, body.get("category_id") or 0)
    if found and found.title != DEFAULT_CATEGORY:
        source_store.update_source(db, source.id, settings={**source.settings,
                                                           "categories": [found.title]})
    record_action(db, user, "source.create", str(source.id), access.client_address(request),
                  via="miniflux")
    return JSONResponse({"feed_id": source.id}, status_code=201)


@threaded
def delete_feed(request: Request, params: MultiDict) -> Response:
    """Unsubscribe (editors only, audited)."""
    user = editor_of(request)
    db = database(request)
    source_id = request.path_params["feed_id"]
    source_store.delete_source(db, source_id)
    record_action(db, user, "source.delete", str(source_id), access.client_address(request),
                  via="miniflux")
    return Response(status_code=204)


@threaded
def refresh_feed(request: Request, params: MultiDict) -> Response:
    user_of(request)
    db = database(request)
    source_id = request.path_params["feed_id"]
    source_store.get_source(db, source_id)
    source_store.update_source(db, source_id, next_poll=utcnow())
    return Response(status_code=204)


@threaded
def refresh_all(request: Request, params: MultiDict) -> Response:
    # Sources are shared by every account: rescheduling them all is an admin's call.
    user = user_of(request)
    if not auth.role_at_least(user.role, "admin"):
        raise ApiError(403, "Access Forbidden")
    db = database(request)
    sources = source_store.list_sources(db)
    for source in sources:
        source_store.update_source(db, source.id, next_poll=utcnow())
    record_action(db, user, "source.refresh_all", "", access.client_address(request),
                  sources=len(sources), via="miniflux")
    return Response(status_code=204)


@threaded
def mark_feed_read(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    state.mark_all_read(database(request), user.id,
                        EntryFilter(source_ids=(request.path_params["feed_id"],)))
    return Response(status_code=204)


@threaded
def list_categories(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    return JSONResponse([category_json(c.title, user)
                         for c in categories(source_store.list_sources(database(request)))])


def _category_of(request: Request) -> Category:
    found = find_category(database(request), request.path_params["category_id"])
    if found is None:
        raise ApiError(404, "Category not found")
    return found


@threaded
def category_feeds(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    found = _category_of(request)
    sources = source_store.list_sources(database(request))
    return JSONResponse([feed_json(s, user) for s in sources if s.id in found.source_ids])


@threaded
def category_entries(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    found = _category_of(request)
    return _entries(request, user, params, EntryFilter(source_ids=found.source_ids))


@threaded
def list_entries(request: Request, params: MultiDict) -> Response:
    return _entries(request, user_of(request), params, EntryFilter())


@threaded
def feed_entries(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    return _entries(request, user, params,
                    EntryFilter(source_ids=(request.path_params["feed_id"],)))


@threaded
def get_entry(request: Request, params: MultiDict) -> Response:
    return _one_entry(request, user_of(request), request.path_params["entry_id"])


@threaded
def get_feed_entry(request: Request, params: MultiDict) -> Response:
    return _one_entry(request, user_of(request), request.path_params["entry_id"],
                      request.path_params["feed_id"])


@threaded
def update_entries(request: Request, params: MultiDict) -> Response:
    """Mark entries read or unread (``removed`` counts as read)."""
    user = user_of(request)
    body = _body(request)
    ids, status = body.get("entry_ids"), body.get("status")
    if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids) or not ids:
        raise ApiError(400, "entry_ids must be a non-empty list of ids")
    if status not in ("read", "unread", "removed"):
        raise ApiError(400, "status must be read, unread or removed")
    state.set_state(database(request), user.id, ids, read=status != "unread")
    return Response(status_code=204)


@threaded
def toggle_bookmark(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    entry_id = request.path_params["entry_id"]
    if state.toggle_starred(database(request), user.id, entry_id) is None:
        raise ApiError(404, "Entry not found")
    return Response(status_code=204)


@threaded
def health(request: Request, params: MultiDict) -> Response:
    return PlainTextResponse("OK")


def _body(request: Request) -> dict[str, Any]:
    raw = getattr(request.state, "raw_body", b"")
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise ApiError(400, "the body must be JSON") from None
    except RecursionError:
        raise ApiError(400, "the body is nested too deeply") from None
    if not isinstance(data, dict):
        raise ApiError(400, "the body must be a JSON object")
    return data
