"""The Fever API (``/fever/?api`` and FreshRSS's ``/api/fever.php``).

Every request carries ``api_key`` = md5("name:api password"): the user's separate API
password, never the account password, posted as a form field as the protocol does (a key
in the query string is refused: it would be logged). Only a SHA-256 digest of the key is
stored. Answers are always JSON with ``api_version`` 3 and ``auth`` 0 or 1; the other
parameters may come in the query string or the form, as clients differ.

    ?api&groups | feeds | items[&since_id|max_id|with_ids] | unread_item_ids |
         saved_item_ids | favicons | links
    mark=item&as=read|unread|saved|unsaved&id=N
    mark=feed|group&as=read&id=N&before=<unix time>   (group 0: everything)
"""

from __future__ import annotations

from typing import Any

from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MultiDict
from starlette.requests import Request

from broadsheet.accounts import access, auth
from broadsheet.api.deps import database, settings_of
from broadsheet.api.readers.common import (
    categories, from_seconds, seconds, secret_in_query, shown_addresses,
    threaded,
)
from broadsheet.publish import article_url, publish
from broadsheet.store import Database, utcnow
from broadsheet.store import reader_state as state
from broadsheet.store import sources as source_store
from broadsheet.store import users as user_store
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.users import User

API_VERSION = 3
PAGE = 50


def render(status: int, message: str, headers: dict[str, str]) -> Response:
    """An error as Fever clients expect it: JSON with ``auth`` 0 (a 401 is a 200 there)."""
    return JSONResponse({"api_version": API_VERSION, "auth": 0, "error": message},
                        status_code=200 if status == 401 else status, headers=headers)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _ids(values: str) -> list[int]:
    return [n for n in (_int(v.strip()) for v in values.split(",")) if n is not None][:PAGE]


def user_of(request: Request, params: MultiDict) -> User | None:
    """The owner of the posted ``api_key``, through the throttle every login takes."""
    db = database(request)
    key = params.get("api_key", "").strip().lower()
    if not key or secret_in_query(request, "api_key"):  # Fever posts it as a form field
        return None
    try:  # the same throttled path as every password login
        return access.check_login(
            db, [f"fever:{access.client_address(request)}"],
            lambda: user_store.user_by_fever_key(db, auth.digest(key)))
    except access.LoginRefused:
        return None


def _groups_of_feeds(sources: list[Any]) -> list[dict[str, Any]]:
    return [{"group_id": c.id, "feed_ids": ",".join(str(i) for i in c.source_ids)}
            for c in categories(sources)]


def _item(entry: state.Entry, settings: Any) -> dict[str, Any]:
    article = entry.article
    html = publish(article, settings).html
    return {"id": article.id, "feed_id": article.source_id, "title": article.title,
            "author": ", ".join(article.authors), "html": html, "url": article_url(article),
            "is_saved": int(entry.starred), "is_read": int(entry.read),
            "created_on_time": seconds(article.published)}


def _feed(source: Any, user: User) -> dict[str, Any]:
    url, site_url, title = shown_addresses(source, user)
    return {"id": source.id, "favicon_id": 0, "title": title, "url": url,
            "site_url": site_url if source.site_url else "", "is_spark": 0,
            "last_updated_on_time": seconds(source.last_success)}


def _items(db: Database, settings: Any, user: User, params: MultiDict) -> dict[str, Any]:
    since, top = _int(params.get("since_id")), _int(params.get("max_id"))
    if params.get("with_ids"):
        ids = _ids(params["with_ids"])
    elif top is not None:
        ids = state.entry_ids(db, user.id, EntryFilter(before_id=top), limit=PAGE,
                              order="id", descending=True)
    else:
        ids = state.entry_ids(db, user.id, EntryFilter(after_id=since or 0), limit=PAGE,
                              order="id", descending=False)
    return {"items": [_item(e, settings) for e in state.get_entries(db, user.id, ids)],
            "total_items": state.count_entries(db, user.id, EntryFilter())}


def _id_list(db: Database, user: User, selection: EntryFilter) -> str:
    ids = state.entry_ids(db, user.id, selection, limit=state.MAX_IDS, order="id")
    return ",".join(str(i) for i in ids)


def _mark(db: Database, user: User, params: MultiDict) -> None:
    what, how, ident = params.get("mark"), params.get("as"), _int(params.get("id"))
    if ident is None:
        return
    if what == "item":
        changes = {"read": {"read": True}, "unread": {"read": False},
                   "saved": {"starred": True}, "unsaved": {"starred": False}}.get(how or "")
        if changes:
            state.set_state(db, user.id, [ident], **changes)
        return
    if how != "read" or what not in ("feed", "group"):
        return
    before = _int(params.get("before"))
    until = from_seconds(before) if before else utcnow()
    sources = source_store.list_sources(db)
    if what == "feed":
        source_ids: tuple[int, ...] | None = (ident,)
    elif ident in (0, -1):
        source_ids = None
    else:
        found = [c for c in categories(sources) if c.id == ident]
        source_ids = found[0].source_ids if found else ()
    state.mark_all_read(db, user.id, EntryFilter(source_ids=source_ids,
                                                 published_before=until))


@threaded
def fever(request: Request, params: MultiDict) -> Response:
    """Every Fever call: marks first, then each list the parameters ask for."""
    db = database(request)
    user = user_of(request, params)
    body: dict[str, Any] = {"api_version": API_VERSION, "auth": int(user is not None)}
    if user is None:
        return JSONResponse(body)
    sources = source_store.list_sources(db)
    body["last_refreshed_on_time"] = max((seconds(s.last_success) for s in sources),
                                         default=0)
    if params.get("mark"):
        _mark(db, user, params)
        body["unread_item_ids"] = _id_list(db, user, EntryFilter(read=False))
        body["saved_item_ids"] = _id_list(db, user, EntryFilter(starred=True))
    if "groups" in params:
        body["groups"] = [{"id": c.id, "title": c.title} for c in categories(sources)]
        body["feeds_groups"] = _groups_of_feeds(sources)
    if "feeds" in params:
        body["feeds"] = [_feed(s, user) for s in sources]
        body["feeds_groups"] = _groups_of_feeds(sources)
    if "items" in params:
        body.update(_items(db, settings_of(request), user, params))
    if "unread_item_ids" in params:
        body["unread_item_ids"] = _id_list(db, user, EntryFilter(read=False))
    if "saved_item_ids" in params:
        body["saved_item_ids"] = _id_list(db, user, EntryFilter(starred=True))
    if "favicons" in params:
        body["favicons"] = []
    if "links" in params:
        body["links"] = []
    return JSONResponse(body)


