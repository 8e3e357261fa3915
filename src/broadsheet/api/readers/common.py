"""What the three reader APIs share: categories of sources, feeds, throttled key checks."""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MultiDict
from starlette.requests import Request
from starlette.responses import Response

from broadsheet.accounts import access, auth
from broadsheet.api.errors import ApiError, translate
from broadsheet.store import Database, utcnow
from broadsheet.store import sources as source_store
from broadsheet.store import users as user_store
from broadsheet.types import Source

DEFAULT_CATEGORY = "All"
DEFAULT_CATEGORY_ID = 1


@dataclass(frozen=True)
class Category:
    """A folder of sources, from each source's ``settings["categories"]``."""

    id: int
    title: str
    source_ids: tuple[int, ...]


def category_id(title: str) -> int:
    """A stable id for a category name (the default category is 1)."""
    if title == DEFAULT_CATEGORY:
        return DEFAULT_CATEGORY_ID
    return 2 + zlib.crc32(title.encode()) % 2_000_000_000


def source_categories(source: Source) -> list[str]:
    """The category names of a source (its first one is its folder); default "All"."""
    names = source.settings.get("categories") or []
    if isinstance(names, str):
        names = [n for n in names.split(",")]
    cleaned = [str(n).strip() for n in names if str(n).strip()]
    return cleaned or [DEFAULT_CATEGORY]


def categories(sources: list[Source]) -> list[Category]:
    """Every category with its sources, default first, then by name."""
    members: dict[str, list[int]] = {}
    for source in sources:
        for name in source_categories(source):
            members.setdefault(name, []).append(source.id)
    names = sorted(members, key=lambda n: (n != DEFAULT_CATEGORY, n.lower()))
    return [Category(category_id(n), n, tuple(members[n])) for n in names]


def find_category(db: Database, ident: int | str) -> Category | None:
    """A category by id or by name."""
    for category in categories(source_store.list_sources(db)):
        if ident in (category.id, category.title):
            return category
    return None


def shown_addresses(source: Source, user: user_store.User) -> tuple[str, str, str]:
    """(feed address, site address, name) of a source as this reader may see them:
    in full for editors and admins, else without secrets (a private source's address is
    "" and its name its title or "Source N")."""
    if auth.role_at_least(user.role, "editor"):
        return source.url, source.site_url or source.url, source.title or source.url
    feed = source.public_url or ""
    return feed, source.public_site_url or feed, source.public_name


def seconds(value: dt.datetime | None) -> int:
    """Unix seconds of a time (0 for None)."""
    return int(value.timestamp()) if value else 0


LATEST_SECONDS = 253_402_214_399
"""30 December 9999: the latest Unix time a datetime (in any zone) can hold."""


def from_seconds(value: float) -> dt.datetime:
    """A client's Unix time as a UTC datetime, clamped to what a datetime can hold."""
    return dt.datetime.fromtimestamp(min(max(value, 0), LATEST_SECONDS), dt.UTC)


def key_refused(db: Database, kind: str, address: str) -> bool:
    """True while an address is locked out after failed key checks of one kind."""
    return user_store.locked_until(db, [f"{kind}:{address}"]) is not None


def key_failed(db: Database, kind: str, address: str) -> None:
    """Count a failed key check from an address (grows the lock as logins do)."""
    user_store.record_failure(db, [f"{kind}:{address}"], auth.lock_seconds, utcnow())


def token_user(db: Database, request: Request, kind: str, token: str,
               refusal: str) -> user_store.User:
    """The account an API token belongs to. A missing or wrong token, or any token while
    the caller's address is locked out, is ``ApiError(401, refusal)``; a wrong one counts
    against the address."""
    address = access.client_address(request)
    if not token or key_refused(db, kind, address):
        raise ApiError(401, refusal)
    user = access.user_for_token(db, token)
    if user is None:
        key_failed(db, kind, address)
        raise ApiError(401, refusal)
    return user


# --- request plumbing shared by the protocol modules -------------------------------------

def secret_in_query(request: Request, *names: str) -> bool:
    """True when a password or key came in the query string, which proxies and servers
    log: the protocols send them in the form body, and nothing else is accepted."""
    return any(name in request.query_params for name in names)


Render = Callable[[int, str, dict[str, str]], Response]
"""A protocol's error dialect: ``render(status, message, headers)``."""


def protocol_error(error: Exception, request: Request, render: Render) -> Response:
    """Any failure met by a protocol's route, answered in that protocol's dialect: the
    status, message and headers the JSON API would give, rendered by ``render``."""
    response = translate(error, request)
    message = json.loads(bytes(response.body))["error"]["message"]
    headers = {k: v for k, v in response.headers.items()
               if k.lower() not in ("content-length", "content-type")}
    return render(response.status_code, message, headers)


async def request_params(request: Request) -> MultiDict:
    """Query and form parameters together (clients put the same ones in either)."""
    items = list(request.query_params.multi_items())
    if request.method in ("POST", "PUT") and "form" in request.headers.get("content-type", ""):
        form = await request.form()
        items += [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    return MultiDict(items)


def threaded(function: Callable[[Request, MultiDict], Response]) -> Callable[..., Any]:
    """Decorates a protocol handler ``(request, params) -> Response``: the endpoint reads
    the parameters, then runs the blocking work in a thread."""

    async def endpoint(request: Request) -> Response:
        if request.method in ("POST", "PUT", "PATCH") and "json" in request.headers.get(
                "content-type", ""):
            request.state.raw_body = await request.body()
        params = await request_params(request)
        return await run_in_threadpool(function, request, params)

    endpoint.__name__ = function.__name__
    endpoint.__doc__ = function.__doc__
    return endpoint
