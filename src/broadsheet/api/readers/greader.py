"""The Google Reader API, as FreshRSS and Miniflux serve it to Reeder, NetNewsWire & co.

    POST /accounts/ClientLogin (Email, Passwd = the API password) -> "Auth=<token>"
    every other call: "Authorization: GoogleLogin auth=<token>"
    GET  /reader/api/0/token                 -> a write token "T" (accepted, not needed:
                                                the header is not ambient, so no CSRF)
    GET  /reader/api/0/user-info | subscription/list | tag/list | unread-count
    POST /reader/api/0/subscription/edit | subscription/quickadd   (editors only)
    GET  /reader/api/0/stream/items/ids | stream/contents/<stream>
    GET|POST /reader/api/0/stream/items/contents
    POST /reader/api/0/edit-tag | mark-all-as-read

Item ids are article ids: long form ``tag:google.com,2005:reader/item/<16 hex>``,
short form decimal. Streams: ``feed/<id>``, ``user/-/label/<name>``,
``user/-/state/com.google/{reading-list,read,starred}`` (``_greader_streams``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.datastructures import MultiDict
from starlette.requests import Request

from broadsheet.accounts import access, auth
from broadsheet.api.deps import database, settings_of
from broadsheet.api.errors import ApiError
from broadsheet.api.readers._greader_streams import (
    KEPT_UNREAD, MAX_IDS, MAX_ITEMS, READ, READING_LIST, STARRED, bounded_number,
    feed_source_id, item_json, label_name, parse_item_id, stream_filter,
)
from broadsheet.api.readers.common import (
    categories, from_seconds, secret_in_query, shown_addresses, source_categories,
    threaded, token_user,
)
from broadsheet.errors import AccountError
from broadsheet.store import Database, bounds
from broadsheet.store import reader_state as state
from broadsheet.store import sources as source_store
from broadsheet.store.audit import record_action
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.users import User


def render(status: int, message: str, headers: dict[str, str]) -> Response:
    """An error as Google Reader clients expect it: plain text."""
    text = "Unauthorized" if status == 401 else f"Error={message}"
    return PlainTextResponse(text + "\n", status_code=status, headers=headers)


# --- who is calling -----------------------------------------------------------------------

def user_of(request: Request) -> User:
    """The owner of the ``GoogleLogin auth=`` token; wrong tokens count against the address."""
    db = database(request)
    header = request.headers.get("authorization", "")
    scheme, _, rest = header.partition(" ")
    token = rest.strip()
    if scheme.lower() == "googlelogin" and token.lower().startswith("auth="):
        token = token[5:]
    return token_user(db, request, "greader", token, "unauthorized")


def editor_of(request: Request) -> User:
    """The caller, who must be an editor or stronger to change subscriptions (else 403)."""
    user = user_of(request)
    if not auth.role_at_least(user.role, "editor"):
        raise ApiError(403, "only editors may change subscriptions")
    return user


# --- the handlers: ``(request, params)``, run in a thread by ``threaded`` -----------------

@threaded
def client_login(request: Request, params: MultiDict) -> Response:
    """Log in with the API password; answers a token for ``GoogleLogin auth=``."""
    if secret_in_query(request, "Passwd"):  # only the form body carries it
        return PlainTextResponse("Error=BadAuthentication\n", status_code=401)
    db = database(request)
    try:
        user, matched = access.check_api_password(db, params.get("Email", ""),
                                                  params.get("Passwd", ""),
                                                  access.client_address(request))
        token, _ = access.issue_token(db, user, "Google Reader login", kind="clientlogin",
                                      api_password_hash=matched)
    except (access.LoginRefused, AccountError) as refused:
        retry = getattr(refused, "retry_after", None)
        headers = {"Retry-After": str(retry)} if retry else {}
        return PlainTextResponse("Error=BadAuthentication\n", status_code=401,
                                 headers=headers)
    if params.get("output") == "json":
        return JSONResponse({"SID": token, "LSID": token, "Auth": token})
    return PlainTextResponse(f"SID={token}\nLSID={token}\nAuth={token}\n")


@threaded
def write_token(request: Request, params: MultiDict) -> Response:
    user_of(request)
    return PlainTextResponse(auth.digest(request.headers["authorization"])[:57])


@threaded
def user_info(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    return JSONResponse({"userId": str(user.id), "userName": user.name,
                         "userProfileId": str(user.id), "userEmail": ""})


@threaded
def subscription_list(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    subscriptions = []
    for source in source_store.list_sources(database(request)):
        url, html_url, title = shown_addresses(source, user)
        subscriptions.append({
            "id": f"feed/{source.id}", "title": title,
            "url": url, "htmlUrl": html_url, "iconUrl": "",
            "categories": [{"id": f"user/-/label/{name}", "label": name}
                           for name in source_categories(source)]})
    return JSONResponse({"subscriptions": subscriptions})


@threaded
def tag_list(request: Request, params: MultiDict) -> Response:
    user_of(request)
    tags = [{"id": STARRED}] + [
        {"id": f"user/-/label/{c.title}", "label": c.title, "type": "folder"}
        for c in categories(source_store.list_sources(database(request)))]
    return JSONResponse({"tags": tags})


@threaded
def unread_count(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    counts = state.unread_counts(database(request), user.id)
    rows = [{"id": f"feed/{sid}", "count": n, "newestItemTimestampUsec": "0"}
            for sid, n in counts.items()]
    rows.append({"id": READING_LIST, "count": sum(counts.values()),
                 "newestItemTimestampUsec": "0"})
    return JSONResponse({"max": sum(counts.values()), "unreadcounts": rows})


@threaded
def subscription_edit(request: Request, params: MultiDict) -> Response:
    """Subscribe, unsubscribe, or rename and relabel a feed (editors only, audited)."""
    user = editor_of(request)
    db = database(request)
    action, stream = params.get("ac", "edit"), params.get("s", "")
    if not stream.startswith("feed/"):
        raise ApiError(400, "s must be feed/<id or url>")
    address = access.client_address(request)
    if action == "subscribe":
        from broadsheet.sources import subscribe

        source = subscribe(db, settings_of(request), stream[5:])
        record_action(db, user, "source.create", str(source.id), address, via="greader")
        _edit(db, source.id, params)
    elif action == "unsubscribe":
        source_id = feed_source_id(db, stream[5:])
        source_store.delete_source(db, source_id)
        record_action(db, user, "source.delete", str(source_id), address, via="greader")
    elif action == "edit":
        _edit(db, feed_source_id(db, stream[5:]), params)
    else:
        raise ApiError(400, f"unknown action {action!r}")
    return PlainTextResponse("OK")


def _edit(db: Database, source_id: int, params: MultiDict) -> None:
    source = source_store.get_source(db, source_id)
    changes: dict[str, Any] = {}
    if params.get("t"):
        changes["title"] = params["t"][:300]
    names = [n for n in source_categories(source) if n != "All"]
    for label in params.getlist("r"):
        names = [n for n in names if n != (label_name(label) or label)]
    for label in params.getlist("a"):
        name = label_name(label) or label
        if name and name not in names:
            names.append(name)
    if params.getlist("a") or params.getlist("r"):
        changes["settings"] = {**source.settings, "categories": names}
    if changes:
        source_store.update_source(db, source_id, **changes)


@threaded
def quickadd(request: Request, params: MultiDict) -> Response:
    """Subscribe to a feed by address (editors only, audited)."""
    from broadsheet.sources import subscribe

    user = editor_of(request)
    db = database(request)
    url = params.get("quickadd", "").removeprefix("feed/")
    source = subscribe(db, settings_of(request), url)
    record_action(db, user, "source.create", str(source.id), access.client_address(request),
                  via="greader")
    return JSONResponse({"query": url, "numResults": 1, "streamId": f"feed/{source.id}",
                         "streamName": source.title or source.url})


def _ids(db: Database, user: User, stream: str, params: MultiDict,
         top: int) -> tuple[list[int], str]:
    selection = stream_filter(db, stream, params)
    count = bounded_number(params, "n", 20, top)
    offset = bounds.parse_int(params.get("c"), "c") or 0
    ids = state.entry_ids(db, user.id, selection, limit=count + 1, offset=offset,
                          descending=params.get("r") != "o")
    more = str(offset + count) if len(ids) > count else ""
    return ids[:count], more


@threaded
def item_ids(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    ids, more = _ids(database(request), user, params.get("s", READING_LIST), params, MAX_IDS)
    body: dict[str, Any] = {"itemRefs": [{"id": str(i), "directStreamIds": []}
                                         for i in ids]}
    if more:
        body["continuation"] = more
    return JSONResponse(body)


def _contents(request: Request, user: User, ids: list[int], stream: str,
              more: str) -> Response:
    settings = settings_of(request)
    entries = state.get_entries(database(request), user.id, ids)
    body: dict[str, Any] = {
        "direction": "ltr", "id": stream, "title": "Broadsheet",
        "self": [{"href": str(settings.base_url or "") + "/reader/api/0/stream/contents"}],
        "updated": int(dt.datetime.now(dt.UTC).timestamp()), "author": user.name,
        "items": [item_json(e, settings, user) for e in entries]}
    if more:
        body["continuation"] = more
    return JSONResponse(body)


@threaded
def item_contents(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    ids = [i for i in (parse_item_id(v) for v in params.getlist("i")) if i][:MAX_ITEMS]
    return _contents(request, user, ids, READING_LIST, "")


@threaded
def stream_contents(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    stream = request.path_params.get("stream") or params.get("s", READING_LIST)
    ids, more = _ids(database(request), user, stream, params, MAX_ITEMS)
    return _contents(request, user, ids, stream, more)


@threaded
def reading_list(request: Request, params: MultiDict) -> Response:
    user = user_of(request)
    stream = params.get("s", READING_LIST)
    ids, more = _ids(database(request), user, stream, params, MAX_ITEMS)
    return _contents(request, user, ids, stream, more)


@threaded
def edit_tag(request: Request, params: MultiDict) -> Response:
    """Mark items read, unread (kept-unread) or starred, and back."""
    user = user_of(request)
    db = database(request)
    ids = [i for i in (parse_item_id(v) for v in params.getlist("i")) if i]
    for key, flag in (("a", True), ("r", False)):
        for tag in params.getlist(key):
            tag = "user/-/" + tag.split("/", 2)[2] if tag.startswith("user/") else tag
            if tag == READ:
                state.set_state(db, user.id, ids, read=flag)
            elif tag == KEPT_UNREAD and flag:
                state.set_state(db, user.id, ids, read=False)
            elif tag == STARRED:
                state.set_state(db, user.id, ids, starred=flag)
    return PlainTextResponse("OK")


@threaded
def mark_all_as_read(request: Request, params: MultiDict) -> Response:
    """Mark a stream read, up to ``ts`` (seconds or microseconds) when given."""
    user = user_of(request)
    db = database(request)
    selection = stream_filter(db, params.get("s", READING_LIST), MultiDict())
    stamp = params.get("ts", "")
    if stamp.isdigit():
        when = int(stamp) / (1_000_000 if len(stamp) > 12 else 1)
        selection = EntryFilter(**{**selection.__dict__, "published_before":
                                   from_seconds(when)})
    state.mark_all_read(db, user.id, selection)
    return PlainTextResponse("OK")
