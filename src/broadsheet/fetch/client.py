"""HTTP fetching with every limit a feed reader needs.

One ``Fetcher`` per update run holds an aiohttp session, a global and a per-host
concurrency limit, and the address guard. Redirects are followed here, one hop at a
time, so that each hop is checked and permanent moves can be reported.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import ipaddress
import re
import socket
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

import aiohttp
import yarl
from multidict import CIMultiDict
from aiohttp.abc import AbstractResolver, ResolveResult

from broadsheet.errors import BlockedAddressError, FetchError
from broadsheet.fetch.guard import AddressGuard
from broadsheet.types import FetchResult

PERMANENT = {301, 308}
REDIRECTS = {301, 302, 303, 307, 308}
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
# A host made only of digits, dots and hex is an IPv4 address in some spelling
# (127.1, 0177.0.0.1, 0x7f000001, 2130706433) that resolvers read differently.
_NUMERIC_HOST = re.compile(r"^(?:0x[0-9a-f]+|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]*))*$", re.I)


def _accept_encoding() -> str:
    try:
        import brotli  # noqa: F401  (aiohttp decodes br when it is installed)
    except ImportError:
        return "gzip, deflate"
    return "gzip, deflate, br"


ACCEPT_ENCODING = _accept_encoding()


@dataclass(frozen=True)
class FetchConfig:
    """Limits and identity for one Fetcher."""

    user_agent: str = "Broadsheet"
    connect_timeout: float = 10.0
    total_timeout: float = 30.0
    max_body_bytes: int = 15 * 1024 * 1024
    max_redirects: int = 10
    concurrency: int = 16
    per_host_concurrency: int = 2
    guard: AddressGuard = AddressGuard()

    @classmethod
    def from_settings(cls, settings: Any) -> FetchConfig:
        return cls(
            user_agent=settings.effective_user_agent,
            connect_timeout=settings.connect_timeout,
            total_timeout=settings.fetch_timeout,
            max_body_bytes=settings.max_body_bytes,
            max_redirects=settings.max_redirects,
            concurrency=settings.concurrency,
            per_host_concurrency=settings.per_host_concurrency,
            guard=AddressGuard.from_setting(settings.allowed_networks),
        )


class _BlockedResolution(OSError):
    """Raised inside the resolver so aiohttp passes it through as a connection error."""

    def __init__(self, message: str, addresses: list[str]):
        super().__init__(message)
        self.addresses = addresses


def _blocked(url: str, addresses: list[str] | None = None) -> BlockedAddressError:
    """The guard's refusal, naming the address and the setting that would let it through."""
    shown = ", ".join(addresses or [])
    first = (addresses or ["127.0.0.1"])[0].split("%", 1)[0]
    example = f"{first}/{128 if ':' in first else 32}"
    return BlockedAddressError(
        f"fetch: address not allowed for {url[:200]}{f' ({shown})' if shown else ''}: "
        "private, loopback and reserved addresses are fetched only if listed in the "
        f"allowed_networks setting (for example BROADSHEET_ALLOWED_NETWORKS={example}, "
        f"or allowed_networks = \"{example}\" in broadsheet.toml)")


class GuardedResolver(AbstractResolver):
    """Resolves names, then drops every address the guard refuses."""

    def __init__(self, guard: AddressGuard):
        self._guard = guard
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        allowed = [r for r in results if self._guard.permits(r["host"])]
        if not allowed:
            raise _BlockedResolution(f"address of {host} is not allowed",
                                     [str(r["host"]) for r in results])
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """Read a Retry-After header (seconds or an HTTP date); clamp to [0, 7 days]."""
    if not value:
        return None
    value = value.strip()
    seconds: float | None
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None or when.tzinfo is None:
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, min(seconds, 7 * 86400.0))


class HostGate(Protocol):
    """Politeness shared beyond this process: request slots per host and Retry-After.

    The fetch stage only knows this protocol; the update stage supplies an
    implementation backed by the database when several workers share the work.
    """

    async def enter(self, host: str) -> object:
        """Wait for a request slot for ``host``; raise FetchError if it must not be asked yet."""

    async def leave(self, host: str, token: object) -> None:
        """Give back the slot ``enter`` returned."""

    async def defer(self, host: str, seconds: float) -> None:
        """Tell every worker that ``host`` asked for no requests for ``seconds``."""


class Fetcher:
    """An HTTP client for feeds and pages; use as an async context manager."""

    def __init__(self, config: FetchConfig, gate: HostGate | None = None):
        self.config = config
        self.gate = gate
        self._session: aiohttp.ClientSession | None = None
        self._global = asyncio.Semaphore(config.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """This process's limits, then the cluster's when a gate is shared."""
        async with self._global, self._host_limit(host):
            if self.gate is None:
                yield
                return
            token = await self.gate.enter(host)
            try:
                yield
            finally:
                await self.gate.leave(host, token)

    async def __aenter__(self) -> Fetcher:
        connector = aiohttp.TCPConnector(
            resolver=GuardedResolver(self.config.guard),
            limit=self.config.concurrency,
            limit_per_host=self.config.per_host_concurrency,
            ttl_dns_cache=60,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers={"User-Agent": self.config.user_agent},
            timeout=aiohttp.ClientTimeout(
                total=None, sock_connect=self.config.connect_timeout
            ),
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    def _host_limit(self, host: str) -> asyncio.Semaphore:
        if host not in self._hosts:
            self._hosts[host] = asyncio.Semaphore(self.config.per_host_concurrency)
        return self._hosts[host]

    def _check_url(self, url: str) -> str:
        """Refuse a URL before dialling; return the host exactly as aiohttp will dial it.

        aiohttp reads URLs with yarl, which IDNA-folds the host (``127\u30020\u30020\u30022``,
        fullwidth or circled digits become ``127.0.0.2``) and dials an IP literal without
        asking the resolver, so the guard must judge that folded host, not urllib's.
        """
        try:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https"):
                raise FetchError(f"fetch: only http and https are fetched, not {url[:200]!r}")
            dialled = yarl.URL(url).raw_host or ""
            hostname = parts.hostname or ""
        except (ValueError, UnicodeError):
            raise FetchError(f"fetch: malformed address {url[:200]!r}") from None
        hosts = {hostname.rstrip("."), dialled.rstrip(".")}
        if not all(hosts):
            raise FetchError(f"fetch: no host in {url[:200]!r}")
        for host in hosts:
            self._check_host(host, url)
        return dialled.rstrip(".")

    def _check_host(self, host: str, url: str) -> None:
        try:
            literal = ipaddress.ip_address(host.split("%", 1)[0])
        except ValueError:
            if _NUMERIC_HOST.match(host):
                raise BlockedAddressError(
                    f"fetch: unusual address spelling refused in {url[:200]}") from None
            lowered = host.lower()
            # RFC 6761: these names are loopback whatever a resolver says.
            if (lowered == "localhost" or lowered.endswith(".localhost")) \
                    and not self.config.guard.permits("127.0.0.1"):
                raise _blocked(url, ["127.0.0.1"])
            return
        if not self.config.guard.permits(literal):
            raise _blocked(url, [str(literal)])

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET ``url`` following redirects; raise FetchError for failures and 4xx/5xx.

        A 304 answer comes back as a result with ``not_modified`` set.
        """
        started = time.monotonic()
        try:
            return await self._fetch(url, etag, last_modified, accept, started)
        except TimeoutError:
            raise FetchError(
                f"fetch: timed out after {self.config.total_timeout:g}s for {url[:200]}"
            ) from None

    async def _fetch(
        self, url: str, etag: str | None, last_modified: str | None, accept: str, started: float
    ) -> FetchResult:
        assert self._session is not None, "Fetcher used outside 'async with'"
        current = url
        permanent: str | None = None
        all_permanent = True
        # The deadline counts time on the wire, not time queued behind the politeness
        # limits: a busy run must not time out feeds that have not been asked for yet.
        remaining = self.config.total_timeout
        for _hop in range(self.config.max_redirects + 1):
            host = self._check_url(current)
            headers = {"Accept": accept, "Accept-Encoding": ACCEPT_ENCODING}
            if current == url and etag:
                headers["If-None-Match"] = etag
            if current == url and last_modified:
                headers["If-Modified-Since"] = last_modified
            async with self._slot(host):
                hop_started = time.monotonic()
                async with asyncio.timeout(max(remaining, 0.001)):
                    status, response_headers, body, content_type = await self._request(
                        current, headers
                    )
                remaining -= time.monotonic() - hop_started
            if status in REDIRECTS and "Location" in response_headers:
                target = urljoin(current, response_headers["Location"])
                if status in PERMANENT and all_permanent:
                    permanent = target
                else:
                    all_permanent = False
                current = target
                continue
            if status in (429, 503) and self.gate is not None:
                wait = retry_after_seconds(response_headers.get("Retry-After"))
                if wait:
                    await self.gate.defer(host, wait)
            return self._result(url, current, status, response_headers, body, content_type,
                                permanent, started)
        raise FetchError(f"fetch: more than {self.config.max_redirects} redirects for {url[:200]}")

    async def post_form(self, url: str, form: dict[str, str]) -> FetchResult:
        """POST a form without following redirects (WebSub subscription requests).

        The same guard, limits and politeness apply; 4xx/5xx raise FetchError.
        """
        started = time.monotonic()
        host = self._check_url(url)
        try:
            async with asyncio.timeout(self.config.total_timeout):
                async with self._slot(host):
                    status, headers, body, content_type = await self._request(
                        url, {"Accept": "*/*"}, form=form)
        except TimeoutError:
            raise FetchError(f"fetch: timed out posting to {url[:200]}") from None
        return self._result(url, url, status, headers, body, content_type, None, started)

    async def _request(
        self, url: str, headers: dict[str, str], form: dict[str, str] | None = None
    ) -> tuple[int, CIMultiDict[str], bytes, str]:
        assert self._session is not None
        call = (self._session.get(url, headers=headers, allow_redirects=False) if form is None
                else self._session.post(url, data=form, headers=headers, allow_redirects=False))
        try:
            async with call as response:
                body = bytearray()
                declared = response.content_length
                if (declared is not None and declared > self.config.max_body_bytes
                        and not response.headers.get("Content-Encoding")):
                    raise FetchError(f"fetch: body larger than {self.config.max_body_bytes} "
                                     f"bytes for {url[:200]}")
                if response.status not in REDIRECTS and response.status != 304:
                    async for chunk in response.content.iter_chunked(65536):
                        body.extend(chunk)
                        if len(body) > self.config.max_body_bytes:
                            raise FetchError(
                                f"fetch: body larger than {self.config.max_body_bytes} bytes "
                                f"for {url[:200]}"
                            )
                return (response.status, CIMultiDict(response.headers), bytes(body),
                        response.headers.get("Content-Type", ""))
        except FetchError:
            raise
        except aiohttp.ClientConnectorError as error:
            if isinstance(error.os_error, _BlockedResolution):
                raise _blocked(url, error.os_error.addresses) from None
            if isinstance(error, aiohttp.ClientConnectorDNSError):
                raise FetchError(f"fetch: the name {error.host[:200]} did not resolve (no such "
                                 "name, or no network or DNS here: offline?)") from None
            raise FetchError(f"fetch: cannot connect to {urlsplit(url).netloc[:200]}") from None
        except (aiohttp.ClientError, OSError, ValueError) as error:
            if isinstance(error, _BlockedResolution):
                raise _blocked(url, error.addresses) from None
            raise FetchError(
                f"fetch: {type(error).__name__} for {url[:200]}"
            ) from None

    def _result(
        self, url: str, final: str, status: int, headers: CIMultiDict[str], body: bytes,
        content_type: str, permanent: str | None, started: float,
    ) -> FetchResult:
        if status >= 400:
            retry = retry_after_seconds(headers.get("Retry-After"))
            raise FetchError(f"fetch: HTTP {status} for {url[:200]}", status=status,
                             retry_after=retry)
        return FetchResult(
            url=url,
            final_url=final,
            status=status,
            body=body,
            content_type=content_type,
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            not_modified=status == 304,
            permanent_redirect=permanent,
            headers=tuple(headers.items()),
            elapsed=time.monotonic() - started,
        )


def fetch_url(url: str, config: FetchConfig, *, accept: str = "*/*") -> FetchResult:
    """GET one URL from synchronous code (on an event loop of its own), with the guard,
    the per-hop redirect checks and the limits of every other fetch; FetchError else."""

    async def one() -> FetchResult:
        async with Fetcher(config) as fetcher:
            return await fetcher.fetch(url, accept=accept)

    return asyncio.run(one())
