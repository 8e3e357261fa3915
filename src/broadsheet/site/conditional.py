"""Conditional GET for pages and feeds, and a tiny cache for the busiest pages.

Every page and feed gets a strong ETag computed from its bytes; a matching
``If-None-Match`` gets 304 with no body. The front page and the feeds are also kept
for a few seconds (``MicroCache``), which is what lets the front page keep up with a
bare "hello" route under load; article pages are kept under a key that carries the
data version (``store.articles.page_version``).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response

CACHE_CONTROL = "no-cache"
"""Clients may keep a copy but must revalidate it: cheap with ETags, never stale."""


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in {part.strip().removeprefix("W/") for part in header.split(",")}


def conditional(request: Request, body: bytes, media_type: str, *, status: int = 200,
                etag: str | None = None, headers: dict[str, str] | None = None) -> Response:
    """A response with ETag and Cache-Control; 304 when the client has this version."""
    tag = etag or etag_of(body)
    all_headers = {"ETag": tag, "Cache-Control": CACHE_CONTROL, **(headers or {})}
    if status == 200 and _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=all_headers)
    return Response(body, status_code=status, media_type=media_type, headers=all_headers)


class MicroCache:
    """Keeps rendered (body, etag) pairs for ``ttl`` seconds, keyed by anything hashable;
    past ``size`` entries the least recently used goes."""

    def __init__(self, ttl: float, size: int = 256):
        self.ttl = ttl
        self.size = size
        self._items: OrderedDict[object, tuple[float, bytes, str]] = OrderedDict()
        self._lock = threading.Lock()
        self._making: set[object] = set()

    def get(self, key: object, make: Callable[[], bytes]) -> tuple[bytes, str]:
        """The cached body and ETag for ``key``, rendering it with ``make`` when stale."""
        now = time.monotonic()
        with self._lock:
            found = self._items.get(key)
            # While one thread makes a stale entry again, the others keep serving it.
            if found and (now - found[0] < self.ttl or key in self._making):
                self._items.move_to_end(key)
                return found[1], found[2]
            self._making.add(key)
        try:
            body = make()
        finally:
            with self._lock:
                self._making.discard(key)
        tag = etag_of(body)
        with self._lock:
            self._items[key] = (now, body, tag)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return body, tag

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
