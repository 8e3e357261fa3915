"""The benchmark feed farm: many cheap synthetic RSS feeds on loopback.

    /farm/<n>.xml        feed n < feeds, 20 items; even n answer 304 to their ETag, odd n
                         gain one new item at every fetch (a new ETag each time)
    /farm/<n>/<i>.html   a tiny page for each item

Run ``python bench/common/farm.py --feeds 2000 --port 8001`` to serve until interrupted
(bench/load and bench/scale start it so, in a process of its own); ``FarmServer`` runs it
in a background thread, as the tests do.
"""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
import threading
from email.utils import format_datetime

from aiohttp import web

from broadsheet.demo.server import LoopbackServer

ITEMS = 20
MODIFIED = "Mon, 01 Jan 2024 00:00:00 GMT"
_START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def render_farm_feed(base_url: str, number: int, version: int) -> str:
    """Return feed ``number`` of the farm: 20 items; ``version`` shifts them by one each."""
    base = base_url.rstrip("/")
    items = "".join(
        f"<item><title>Farm {number} item {i}</title>"
        f"<link>{base}/farm/{number}/{i}.html</link>"
        f'<guid isPermaLink="false">farm-{number}-{i}</guid>'
        f"<pubDate>{format_datetime(_START + dt.timedelta(minutes=30 * i))}</pubDate>"
        f"<description>Item {i} of synthetic feed {number}.</description></item>"
        for i in range(version + ITEMS - 1, version - 1, -1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>Farm feed {number}</title><link>{base}/farm/</link>"
        f"<description>Synthetic benchmark feed {number}</description>{items}"
        "</channel></rss>\n"
    )


class FarmServer(LoopbackServer):
    """Serve ``feeds`` farm feeds and their pages from a background thread."""

    thread_name = "feed-farm"

    def __init__(self, feeds: int, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(host, port)
        self.feeds = feeds
        self._versions: dict[int, int] = {}

    def urls(self) -> list[str]:
        """Return the URLs of every farm feed."""
        return [f"{self.base_url}/farm/{n}.xml" for n in range(self.feeds)]

    def make_app(self) -> web.Application:
        """The farm's two routes."""
        app = web.Application()
        app.router.add_get("/farm/{n:\\d+}.xml", self._feed)
        app.router.add_get("/farm/{n:\\d+}/{i:\\d+}.html", self._page)
        return app

    async def _feed(self, request: web.Request) -> web.Response:
        number = int(request.match_info["n"])
        if number >= self.feeds:
            raise web.HTTPNotFound(text="farm: no such feed")
        if number % 2 == 0:
            etag = f'"farm-{number}"'
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers={"ETag": etag})
            version = 0
        else:
            version = self._versions.get(number, 0) + 1
            self._versions[number] = version
            etag = f'"farm-{number}-{version}"'
        headers = {"ETag": etag, "Last-Modified": MODIFIED}
        return web.Response(text=render_farm_feed(self.base_url, number, version),
                            content_type="application/rss+xml", headers=headers)

    async def _page(self, request: web.Request) -> web.Response:
        number, item = request.match_info["n"], request.match_info["i"]
        text = (f'<!DOCTYPE html><html lang="en"><head><title>Farm {number} item {item}</title>'
                f"</head><body><article><h1>Farm {number} item {item}</h1><p>Synthetic page "
                f"for benchmark feed {number}, item {item}.</p></article></body></html>")
        return web.Response(text=text, content_type="text/html")


def main(argv: list[str] | None = None) -> None:
    """Serve the farm until interrupted or terminated."""
    parser = argparse.ArgumentParser(description="Serve the benchmark feed farm.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--feeds", type=int, default=2000, help="number of farm feeds")
    args = parser.parse_args(argv)
    # SIGTERM stops as cleanly as Ctrl-C: SystemExit unwinds the with-block.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    with FarmServer(args.feeds, host=args.host, port=args.port) as server:
        print(f"feed farm at {server.base_url}/farm/ ({args.feeds} feeds; Ctrl-C to stop)",
              flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
