"""Servers that misbehave on purpose, and a canary that must never be reached.

``HostileServer`` answers at the socket level, so it can do what no well-behaved HTTP
library would: malformed status lines, bytes trickled one at a time, a hang after
accept, headers that never end, a body that never ends. ``Canary`` listens on loopback
addresses Broadsheet is *not* allowed to reach and records every connection; SSRF tests
assert it saw none.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

CANARY_BODY = (b"<rss><channel><title>CANARY</title><item><title>leak</title>"
               b"<guid>leak</guid></item></channel></rss>")

Behaviour = Callable[[socket.socket, bytes], None]
"""Given the accepted socket and the request head read so far, misbehave."""


def _read_head(conn: socket.socket, limit: int = 65536) -> bytes:
    data = b""
    conn.settimeout(5)
    with contextlib.suppress(OSError):
        while b"\r\n\r\n" not in data and len(data) < limit:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    return data


class _Stopping:
    def __init__(self) -> None:
        self.event = threading.Event()

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the server stops; False once it is stopping."""
        return not self.event.wait(seconds)


class HostileServer:
    """A TCP server on 127.0.0.1:0 whose every path maps to a misbehaviour."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Behaviour] = {}
        self.connections = 0
        self.stopping = _Stopping()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(0.1)
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._open: list[socket.socket] = []

    @property
    def base_url(self) -> str:
        host, port = self._sock.getsockname()[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def start(self) -> HostileServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.event.set()
        self._thread.join(5)
        for conn in self._open:
            with contextlib.suppress(OSError):
                conn.close()
        self._sock.close()

    def _serve(self) -> None:
        while not self.stopping.event.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            self._open.append(conn)
            threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _handle(self, conn: socket.socket) -> None:
        head = _read_head(conn)
        try:
            path = head.split(b" ", 2)[1].decode("latin-1").split("?")[0]
        except IndexError:
            path = "/"
        behaviour = self.routes.get(path, self.raw(b"HTTP/1.1 404 Not Found\r\n"
                                                   b"Content-Length: 0\r\n\r\n"))
        with contextlib.suppress(OSError):
            behaviour(conn, head)
        with contextlib.suppress(OSError):
            conn.close()

    # --- misbehaviours -------------------------------------------------------------------

    def raw(self, data: bytes) -> Behaviour:
        """Send these exact bytes (malformed HTTP welcome) and close."""
        def send(conn: socket.socket, _head: bytes) -> None:
            conn.sendall(data)
        return send

    def hang(self) -> Behaviour:
        """Accept, read the request, then say nothing until the server stops."""
        def wait(_conn: socket.socket, _head: bytes) -> None:
            self.stopping.event.wait(120)
        return wait

    def trickle(self, data: bytes, every: float) -> Behaviour:
        """Send one byte every ``every`` seconds."""
        def drip(conn: socket.socket, _head: bytes) -> None:
            for byte in data:
                conn.sendall(bytes([byte]))
                if not self.stopping.sleep(every):
                    return
        return drip

    def endless_headers(self) -> Behaviour:
        """A status line, then header lines forever."""
        def headers(conn: socket.socket, _head: bytes) -> None:
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            n = 0
            while not self.stopping.event.is_set():
                conn.sendall(b"X-Filler-%d: %s\r\n" % (n, b"a" * 100))
                n += 1
        return headers

    def endless_body(self, content_type: bytes = b"application/rss+xml") -> Behaviour:
        """A 200 with no length, then an RSS start and items forever."""
        def body(conn: socket.socket, _head: bytes) -> None:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: " + content_type
                         + b"\r\nConnection: close\r\n\r\n<rss><channel><title>x</title>")
            item = b"<item><title>again</title><guid>g</guid></item>" * 200
            while not self.stopping.event.is_set():
                conn.sendall(item)
        return body


@dataclass
class Canary:
    """Listeners on addresses that must stay unreachable; every accept is recorded."""

    hosts: tuple[str, ...] = ("127.0.0.2",)
    port: int = 0
    hits: list[tuple[str, str]] = field(default_factory=list)
    """(listening address, request head) for every connection seen."""

    def __post_init__(self) -> None:
        self._socks: list[socket.socket] = []
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> Canary:
        for _attempt in range(20):
            try:
                self._bind_all()
                break
            except OSError:
                self._close()
                self.port = 0
        else:
            raise RuntimeError("canary: no common free port")
        for sock in self._socks:
            thread = threading.Thread(target=self._serve, args=(sock,), daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def _bind_all(self) -> None:
        for host in self.hosts:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((host, self.port))
            self.port = sock.getsockname()[1]
            sock.listen(16)
            sock.settimeout(0.1)
            self._socks.append(sock)

    def _serve(self, sock: socket.socket) -> None:
        where = sock.getsockname()[0]
        while not self._stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            head = _read_head(conn, 4096)
            self.hits.append((where, head.decode("latin-1")))
            with contextlib.suppress(OSError):
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(CANARY_BODY) + CANARY_BODY)
                conn.close()

    def _close(self) -> None:
        for sock in self._socks:
            with contextlib.suppress(OSError):
                sock.close()
        self._socks = []

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(2)
        self._close()


@contextlib.contextmanager
def running(server: HostileServer) -> Iterator[HostileServer]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


def elapsed(start: float) -> float:
    return time.monotonic() - start


def self_signed_certificate(folder: str, host: str = "127.0.0.1") -> tuple[str, str]:
    """A throwaway self-signed certificate for ``host`` made with the openssl CLI:
    (certificate path, key path)."""
    import subprocess
    from pathlib import Path

    cert, key = str(Path(folder) / "cert.pem"), str(Path(folder) / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={host}", "-addext", f"subjectAltName=IP:{host}",
                    "-keyout", key, "-out", cert], check=True, capture_output=True, timeout=60)
    return cert, key


class TlsServer:
    """An https server on 127.0.0.1:0 answering every GET with ``body``, using a
    certificate no client should trust (self-signed); counts completed handshakes."""

    def __init__(self, cert: str, key: str, body: bytes) -> None:
        import ssl
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        server = self
        self.requests = 0

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True,
                                                do_handshake_on_connect=False)
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,),
                                        daemon=True)

    @property
    def base_url(self) -> str:
        return f"https://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> TlsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
