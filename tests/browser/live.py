"""A real uvicorn server for the site in a background thread, seed data and a tiny client.

Shared by the HTTP-level site tests and the browser tests: both talk to a real server
on 127.0.0.1 over a real socket.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

import uvicorn
from markupsafe import escape

from broadsheet.store import Database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.types import Article

READER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126 Safari/537.36"


class LiveServer:
    """uvicorn serving ``app`` on 127.0.0.1:<free port> until ``stop``."""

    def __init__(self, app: object):
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("site server did not start")
            time.sleep(0.01)
        return self

    @property
    def base_url(self) -> str:
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode()


def get(url: str, headers: dict[str, str] | None = None) -> Reply:
    """GET without following redirects' surprises: every status is returned, not raised."""
    request = urllib.request.Request(url, headers={"User-Agent": READER_UA, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, {k.lower(): v for k, v in response.headers.items()},
                         response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, {k.lower(): v for k, v in error.headers.items()},
                     error.read())


NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def seed(db: Database, *, image_url: str = "https://images.test/harbour.jpg") -> dict[str, int]:
    """Two outlets (one full, one excerpt mode), a handful of tagged articles."""
    harbour = source_store.add_source(db, "https://harbour.test/feed.xml", "Harbour Times")
    valley = source_store.add_source(db, "https://valley.test/rss", "Valley Post")
    source_store.update_source(db, valley.id, publishing_mode="excerpt")
    specs = [
        ("wall", harbour.id, "Harbour wall to be repaired before winter", 1,
         ("Politics", "Harbour")),
        ("ferry", harbour.id, "Ferry timetable changes from Monday", 5, ("Transport",)),
        ("bridge", valley.id, "Valley bridge reopens after two years", 2, ("Transport",)),
        ("school", valley.id, "New school term begins with more pupils", 30, ("Education",)),
        ("storm", harbour.id, "Storm warning for the coast tonight", 50, ("Weather",)),
    ]
    ids = {}
    for key, source_id, title, hours, tags in specs:
        text = (f"{title}. The council met on Tuesday to discuss it at length. "
                "Residents said the works were long overdue and the mayor agreed.\n\n"
                "A second paragraph gives the timetable and the costs in detail, "
                "with quotes from engineers & residents <who> were there.")
        ids[key] = article_store.add_article(db, Article(
            source_id=source_id, entry_key=key, title=title,
            feed_link=f"https://{key}.test/feed-link", canonical_url=f"https://{key}.test/story",
            text=text, html="".join(f"<p>{escape(p)}</p>" for p in text.split("\n\n")),
            summary=f"Summary of {title.lower()}.", authors=("Ann Reporter",),
            published=NOW - dt.timedelta(hours=hours), published_offset=120,
            image=image_url if key == "wall" else None,
            image_caption="The harbour wall at low tide" if key == "wall" else None,
            image_credit="Photo: Jo Lens" if key == "wall" else None,
            language="en", categories=tags)) or 0
    ids["harbour_source"] = harbour.id
    ids["valley_source"] = valley.id
    return ids
