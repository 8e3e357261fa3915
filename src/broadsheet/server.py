"""How the web application meets the network: uvicorn's configuration and the guards
that run before any route reads a byte of a request.

- Request bodies are capped per route (``body_limits``): logins, forms and APIs take
  ``max_request_body_bytes``, the OPML upload ``max_upload_bytes``, WebSub pushes
  ``max_body_bytes``. A declared ``Content-Length`` over the cap is refused with 413
  before the body is read; a chunked body is counted as it streams and refused the
  moment it passes the cap. A body that takes longer than ``body_timeout`` (plus a second
  per ``MIN_BODY_RATE`` bytes received) gets 408.
- Headers must arrive within ``header_timeout`` of the connection opening (or of the
  previous response), else the connection is closed: uvicorn only times out idle
  keep-alive connections, so a client trickling one header line a second would hold
  its connection forever.
- ``X-Forwarded-For``/``-Proto`` are believed only from ``trusted_proxies`` (default:
  nobody), so ``request.client`` is the real peer unless a configured proxy vouches.
- Private answers (admin pages, reader APIs, requests with credentials) carry
  ``Cache-Control: no-store``; no ``Server`` header.
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import json
import socket
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from broadsheet.errors import ConfigError

MIN_BODY_RATE = 16 * 1024
"""Bytes a second: each this many received add a second to ``body_timeout``, so a large
upload on a slow link is not cut off while a trickle still is."""
READER_BATCH_FACTOR = 16
"""Google Reader clients post id lists of batch edits: their cap is this many times the
small one (1 MiB by default)."""


def body_limits(settings: Any) -> list[tuple[str, int]]:
    """(path prefix, largest body) for routes allowed more than the small default."""
    return [
        ("/admin/sources/import", settings.max_upload_bytes),
        ("/websub/", settings.max_body_bytes),
        ("/reader/api/0/", READER_BATCH_FACTOR * settings.max_request_body_bytes),
    ]


class _Refused(Exception):
    """Raised from ``receive`` to stop a route reading a body it may not have."""


@dataclass
class _BodyState:
    """How far one request's body has come, and why it was refused (status, message)."""

    received: int = 0
    done: bool = False
    started: bool = False
    refusal: tuple[int, str] | None = None


class RequestLimits:
    """ASGI middleware capping each request body by route and the time it may take."""

    def __init__(self, app: ASGIApp, settings: Any) -> None:
        self.app = app
        self.limits = body_limits(settings)
        self.default = settings.max_request_body_bytes
        self.timeout = settings.body_timeout

    def limit_for(self, path: str) -> int:
        """The largest body a request to ``path`` may send."""
        return next((size for prefix, size in self.limits if path.startswith(prefix)),
                    self.default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(send, 413, f"request body over {limit} bytes")
            return
        await self._guarded(scope, receive, send, limit)

    async def _guarded(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        state = _BodyState()

        async def counted_receive() -> Message:
            if state.refusal:
                raise _Refused()
            if state.done:  # the body is in: what remains is waiting for a disconnect
                return await receive()
            try:
                allowed = deadline + state.received / MIN_BODY_RATE - loop.time()
                message = await asyncio.wait_for(receive(), max(0.0, allowed))
            except TimeoutError:
                state.refusal = (408, f"request body not received within {self.timeout:g} s")
                raise _Refused() from None
            if message["type"] == "http.request":
                state.received += len(message.get("body", b""))
                state.done = not message.get("more_body", False)
                if state.received > limit:
                    state.refusal = (413, f"request body over {limit} bytes")
                    raise _Refused()
            else:
                state.done = True
            return message

        async def watched_send(message: Message) -> None:
            if state.refusal:
                return  # the route's own answer to the refusal is replaced below
            state.started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except Exception:
            if not state.refusal:
                raise
        if state.refusal is not None and not state.started:
            status, message = state.refusal
            await _refuse(send, status, message)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # h11 has refused a malformed length before we are called
    return None


async def _refuse(send: Send, status: int, message: str) -> None:
    code = {408: "timeout", 413: "too_large"}[status]
    body = json.dumps({"error": {"code": code, "message": f"web: {message}"}}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


PRIVATE_PREFIXES = ("/admin", "/accounts/", "/reader/api/", "/v1/", "/fever",
                    "/api/fever.php")
"""Paths whose answers are always someone's own (the admin area, the reader APIs)."""
CREDENTIAL_HEADERS = (b"authorization", b"x-auth-token")


class NoStore:
    """ASGI middleware marking private answers ``Cache-Control: no-store``: the admin
    area, the reader APIs, and any request that carries credentials in a header, so no
    browser or shared cache keeps a page or an API answer meant for one account."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @staticmethod
    def private(scope: Scope) -> bool:
        """True when the answer to this request must not be stored."""
        if scope["path"].startswith(PRIVATE_PREFIXES) and not scope["path"].startswith(
                "/admin/static/"):
            return True
        return any(name in CREDENTIAL_HEADERS for name, _ in scope["headers"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.private(scope):
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", [])
                           if k.lower() != b"cache-control"]
                message["headers"] = headers + [(b"cache-control", b"no-store")]
            await send(message)

        await self.app(scope, receive, send_no_store)


def header_timeout_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request headers are not
    complete ``seconds`` after it opened or after the previous response."""

    class HeaderTimeoutProtocol(H11Protocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _watch_headers(self) -> None:
            import h11

            waiting = self.conn.their_state is h11.IDLE and not self.transport.is_closing()
            if waiting and self._header_timer is None:
                self._header_timer = self.loop.call_later(seconds, self._headers_too_slow)
            elif not waiting and self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._watch_headers()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            self._watch_headers()

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self._watch_headers()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None
            super().connection_lost(exc)

    return HeaderTimeoutProtocol


def trusted_proxies(settings: Any) -> list[str]:
    """The configured proxy addresses and networks (empty: trust no forwarded header);
    anything that is not an address or a CIDR block (``*`` included) stops start-up."""
    proxies = [part.strip() for part in settings.trusted_proxies.split(",") if part.strip()]
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise ConfigError(f"settings: trusted_proxies needs addresses or CIDR blocks, "
                              f"not {proxy!r}") from None
    return proxies


def server_config(app: Any, settings: Any, **overrides: Any) -> uvicorn.Config:
    """uvicorn's configuration for serving ``app`` as the settings ask."""
    proxies = trusted_proxies(settings)
    options: dict[str, Any] = {
        "host": settings.host, "port": settings.port, "log_level": "warning",
        "proxy_headers": bool(proxies), "forwarded_allow_ips": proxies or [],
        "server_header": False, "timeout_keep_alive": settings.keep_alive_timeout,
        "http": header_timeout_protocol(settings.header_timeout),
        "h11_max_incomplete_event_size": 16 * 1024,
    }
    options.update(overrides)
    return uvicorn.Config(app, **options)


def serve(app: Any, settings: Any, sock: socket.socket | None = None) -> None:
    """Serve ``app`` until interrupted, on ``sock`` when the caller has bound it already."""
    uvicorn.Server(server_config(app, settings)).run(sockets=[sock] if sock else None)


def listen(host: str, port: int, what: str, how_to_change: str) -> socket.socket:
    """Bind ``host:port`` now, so a busy port is one clear error before anything starts.

    ``what`` names the server in the message and ``how_to_change`` tells the user how to
    pick another port; the bound socket is handed to the server as it is.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise ConfigError(f"{what}: port {port} on {host} is already in use by another "
                              f"program; {how_to_change}") from None
        raise ConfigError(f"{what}: cannot listen on {host}:{port}: {error.strerror or error}; "
                          f"{how_to_change}") from None
    return sock
