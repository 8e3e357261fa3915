"""Serve a demo newsroom on loopback: pages, feeds, short links, images, weather.

Routes (one table, in ``NewsroomServer.make_app``):

    /                         index of outlets
    /<outlet>/                home page, with <link rel="alternate"> to its feed
    /<outlet>/feed.xml        RSS 2.0   (also atom.xml, feed.json; ETag/Last-Modified, 304)
    <article path>            article page (clean URL; see ``urls.article_path``)
    /s/<code>  -> 302 -> /t/<code> -> 301 -> article URL + ?utm_source=feed&...&fbclid=xyz
    /img/<anything>.svg       generated picture
    /v1/forecast              weather shaped like Open-Meteo's

Run ``python -m broadsheet.demo.server --port 8001 --seed 1`` to serve until interrupted.
``LoopbackServer`` is the machinery alone (an aiohttp app in a background thread), for
other loopback servers such as the benchmarks' feed farm.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import signal
import socket
import sys
import threading
from email.utils import format_datetime, parsedate_to_datetime
from types import TracebackType
from typing import Any, Self

from aiohttp import web

from broadsheet.demo import pages
from broadsheet.demo.feeds import render_feed
from broadsheet.demo.generate import DemoArticle, Newsroom, make_newsroom
from broadsheet.demo.urls import FEED_TYPES, article_path, feed_path, home_path, short_code
from broadsheet.demo.weather import forecast_response

TRACKING_QUERY = "utm_source=feed&utm_medium=rss&fbclid=xyz"
_HTML = "text/html"


class _Cached:
    """A rendered document with its validators."""

    def __init__(self, body: str, content_type: str, modified: dt.datetime | None) -> None:
        self.body = body.encode()
        self.content_type = content_type
        self.etag = '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'
        self.modified = modified.astimezone(dt.UTC).replace(microsecond=0) if modified else None


def _not_modified(request: web.Request, etag: str, modified: dt.datetime | None) -> bool:
    """Apply HTTP conditional-GET rules: If-None-Match wins over If-Modified-Since."""
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = request.headers.get("If-Modified-Since")
    if since and modified is not None:
        try:
            return parsedate_to_datetime(since) >= modified
        except (TypeError, ValueError):
            return False
    return False


class LoopbackServer:
    """An aiohttp application served from a background thread; subclasses give ``make_app``."""

    thread_name = "loopback-server"

    def __init__(self, host: str = "127.0.0.1", port: int = 0,
                 sock: socket.socket | None = None) -> None:
        """Serve on ``host:port``, or on ``sock`` if the caller bound one."""
        self.host = sock.getsockname()[0] if sock else host
        self.port = sock.getsockname()[1] if sock else port
        self._sock = sock
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def make_app(self) -> web.Application:
        """The application to serve (called once, as the server starts)."""
        raise NotImplementedError

    # -- lifecycle -----------------------------------------------------------------------

    def start(self) -> Self:
        """Start serving in a background thread; return once the socket is listening."""
        if self._thread is not None:
            return self
        sock = self._sock
        if sock is None:
            sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        app = self.make_app()
        self._thread = threading.Thread(target=self._run, args=(sock, app), daemon=True,
                                        name=f"{self.thread_name}-{self.port}")
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            self._thread.join()
            self._thread = None
            raise self._error
        return self

    def stop(self) -> None:
        """Stop the server and wait for its thread to finish."""
        if self._thread is None or self._loop is None:
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _run(self, sock: socket.socket, app: web.Application) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        runner = web.AppRunner(app, access_log=None)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.SockSite(runner, sock).start())
        except BaseException as error:  # reported to start() in the caller's thread
            self._error = error
            sock.close()
            loop.close()
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(runner.cleanup())
            loop.close()

    @property
    def base_url(self) -> str:
        """The server's root URL, e.g. ``http://127.0.0.1:54321`` (valid once started)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"


class NewsroomServer(LoopbackServer):
    """An aiohttp server for a ``Newsroom``, run in a background thread on loopback."""

    thread_name = "newsroom-server"

    def __init__(self, newsroom: Newsroom, host: str = "127.0.0.1", port: int = 0,
                 sock: socket.socket | None = None) -> None:
        """Serve ``newsroom`` on ``host:port``, or on ``sock`` if the caller bound one."""
        super().__init__(host, port, sock)
        self.newsroom = newsroom
        self._cache: dict[str, _Cached] = {}
        self._paths: dict[str, tuple[str, Any]] = {}
        self._codes: dict[str, DemoArticle] = {}

    # -- addresses -----------------------------------------------------------------------

    def feed_urls(self) -> list[str]:
        """Return each outlet's feed URL, in its own format."""
        return [self.base_url + feed_path(o) for o in self.newsroom.outlets]

    def home_urls(self) -> list[str]:
        """Return each outlet's home page URL."""
        return [self.base_url + home_path(o) for o in self.newsroom.outlets]

    def article_url(self, article: DemoArticle) -> str:
        """Return the clean URL of an article page."""
        return self.base_url + article_path(self.newsroom, article)

    def short_url(self, article: DemoArticle) -> str:
        """Return the short link a feed uses for an article."""
        return f"{self.base_url}/s/{short_code(article)}"

    # -- routes --------------------------------------------------------------------------

    def _index_routes(self) -> None:
        for outlet in self.newsroom.outlets:
            self._paths[home_path(outlet)] = ("home", outlet)
            for fmt in FEED_TYPES:
                self._paths[feed_path(outlet, fmt)] = ("feed", (outlet, fmt))
        for article in self.newsroom.articles:
            self._paths[article_path(self.newsroom, article)] = ("article", article)
            self._codes[short_code(article)] = article

    def make_app(self) -> web.Application:
        """The newsroom's routes, in one table."""
        self._index_routes()
        app = web.Application()
        app.router.add_get("/", self._index)
        app.router.add_get("/s/{code}", self._short)
        app.router.add_get("/t/{code}", self._tracker)
        app.router.add_get("/img/{tail:.+\\.svg}", self._image)
        app.router.add_get("/v1/forecast", self._forecast)
        app.router.add_get("/{tail:.*}", self._document)
        return app

    def _render(self, path: str) -> _Cached | None:
        cached = self._cache.get(path)
        if cached is not None or path not in self._paths:
            return cached
        kind, value = self._paths[path]
        newest = self.newsroom.articles[0].published if self.newsroom.articles else None
        if kind == "home":
            body = pages.render_home_page(self.newsroom, value, self.base_url)
            cached = _Cached(body, _HTML, None)
        elif kind == "feed":
            outlet, fmt = value
            articles = self.newsroom.outlet_articles(outlet.slug)
            cached = _Cached(render_feed(self.newsroom, outlet, self.base_url, fmt),
                             FEED_TYPES[fmt], articles[0].published if articles else newest)
        else:
            cached = _Cached(pages.render_article_page(self.newsroom, value, self.base_url),
                             _HTML, None)
        self._cache[path] = cached
        return cached

    async def _document(self, request: web.Request) -> web.StreamResponse:
        cached = self._render(request.path)
        if cached is None:
            if request.path + "/" in self._paths:
                raise web.HTTPMovedPermanently(request.path + "/")
            raise web.HTTPNotFound(text="demo: no such page")
        headers = {}
        if cached.content_type in FEED_TYPES.values():
            headers["ETag"] = cached.etag
            if cached.modified is not None:
                headers["Last-Modified"] = format_datetime(cached.modified, usegmt=True)
            if _not_modified(request, cached.etag, cached.modified):
                return web.Response(status=304, headers=headers)
        return web.Response(body=cached.body, content_type=cached.content_type,
                            charset="utf-8", headers=headers)

    async def _index(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.render_index_page(self.newsroom), content_type=_HTML)

    async def _short(self, request: web.Request) -> web.Response:
        code = request.match_info["code"]
        if code not in self._codes:
            raise web.HTTPNotFound(text="demo: unknown short link")
        raise web.HTTPFound(f"/t/{code}")

    async def _tracker(self, request: web.Request) -> web.Response:
        article = self._codes.get(request.match_info["code"])
        if article is None:
            raise web.HTTPNotFound(text="demo: unknown short link")
        raise web.HTTPMovedPermanently(f"{self.article_url(article)}?{TRACKING_QUERY}")

    async def _image(self, request: web.Request) -> web.Response:
        return web.Response(text=pages.render_svg(request.path), content_type="image/svg+xml",
                            headers={"Cache-Control": "max-age=86400"})

    async def _forecast(self, request: web.Request) -> web.Response:
        try:
            latitude = float(request.query["latitude"])
            longitude = float(request.query["longitude"])
        except (KeyError, ValueError):
            return web.json_response({"error": True, "reason": "latitude and longitude "
                                      "must be numbers"}, status=400)
        current = request.query.get("current", "temperature_2m,weather_code").split(",")
        # The newsroom's clock, not the wall clock, so pages and API agree and tests repeat.
        now = self.newsroom.now
        return web.json_response(forecast_response(latitude, longitude, current, now))


def main(argv: list[str] | None = None) -> None:
    """Serve a demo newsroom until interrupted (``python -m broadsheet.demo.server``)."""
    parser = argparse.ArgumentParser(description="Serve the Broadsheet demo newsroom.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--outlets", type=int, default=4)
    parser.add_argument("--events", type=int, default=12)
    args = parser.parse_args(argv)
    newsroom = make_newsroom(seed=args.seed, outlets=args.outlets, events=args.events)
    server = NewsroomServer(newsroom, host=args.host, port=args.port)
    # SIGTERM stops as cleanly as Ctrl-C: SystemExit unwinds the with-block.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with server:
        print(f"Demo newsroom at {server.base_url}/ (Ctrl-C to stop)", flush=True)
        for url in server.feed_urls():
            print(f"  feed: {url}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
