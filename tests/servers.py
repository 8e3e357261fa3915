"""Real HTTP servers on loopback for tests: scripted answers, no mocks of the client.

``ScriptedServer`` serves a table of routes; each route is a function of the request
returning a ``Reply``, so a test can script status codes, validators, redirects,
gzip, slow bodies and huge bodies, and count what reached the server.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    """Seconds to wait before answering."""
    trickle: float = 0.0
    """Seconds between each chunk of the body (a slow body)."""
    gzip: bool = False


Route = Callable[["Request"], Reply]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    method: str = "GET"
    body: bytes = b""


class ScriptedServer:
    """A threaded HTTP server on 127.0.0.1:0 answering from a route table."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.requests: list[Request] = []
        self.active = 0
        self.max_active = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                server._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base_url + path

    def route(self, path: str, reply: Reply | Route) -> None:
        self.routes[path] = reply if callable(reply) else (lambda _r, r=reply: r)

    def start(self) -> ScriptedServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        request = Request(path, {k: v for k, v in handler.headers.items()}, handler.command, body)
        with self._lock:
            self.hits[path.split("?")[0]] += 1
            self.requests.append(request)
            self.active += 1
            self.max_active = max(self.max_active, self.active)
        try:
            route = self.routes.get(path) or self.routes.get(path.split("?")[0])
            reply = route(request) if route else Reply(404, b"not found")
            time.sleep(reply.delay)
            body = gzip.compress(reply.body) if reply.gzip else reply.body
            handler.send_response(reply.status)
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            if reply.gzip:
                handler.send_header("Content-Encoding", "gzip")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if reply.trickle:
                for start in range(0, len(body), 16):
                    handler.wfile.write(body[start:start + 16])
                    handler.wfile.flush()
                    time.sleep(reply.trickle)
            else:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self._lock:
                self.active -= 1


def rss(items: list[dict[str, str]], title: str = "Test Feed", link: str = "http://x/") -> bytes:
    """A small RSS 2.0 document from item dicts (title, link, guid, description, pubDate)."""
    parts = [f"<rss version='2.0'><channel><title>{title}</title><link>{link}</link>"]
    for item in items:
        parts.append("<item>" + "".join(f"<{k}>{v}</{k}>" for k, v in item.items()) + "</item>")
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def page(title: str, paragraphs: list[str], canonical: str | None = None) -> bytes:
    """A plain article page."""
    link = f"<link rel='canonical' href='{canonical}'>" if canonical else ""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<html lang='en'><head><title>{title}</title>{link}</head><body><article>"
            f"<h1>{title}</h1>{body}</article></body></html>").encode()
