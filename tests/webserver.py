"""Serve an ASGI application on 127.0.0.1:0 with a real uvicorn server in a thread."""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn

from broadsheet.accounts import auth

auth.set_hash_cost(1, 1024)  # Argon2id stays, at a cost that keeps the suite fast


class LiveServer:
    """A running uvicorn server; ``base_url`` is where to send requests."""

    def __init__(self, app: Any, settings: Any = None):
        from broadsheet.server import server_config
        from broadsheet.settings import load_settings

        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        # Configured as ``broadsheet serve`` configures it (timeouts, proxies, headers).
        config = server_config(app, settings or load_settings({}, environ={}),
                               log_level="error", lifespan="off", access_log=False,
                               timeout_graceful_shutdown=1)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run,
                                       kwargs={"sockets": [self.socket]}, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.socket.getsockname()[1]}"

    def start(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)
        self.socket.close()


def serve_app(db: Any, settings: Any) -> LiveServer:
    """The whole web application (site, APIs, admin) on a live loopback server."""
    from broadsheet.web import make_web_app

    return LiveServer(make_web_app(db, settings), settings).start()


def make_user(db: Any, name: str, role: str, password: str = "correct horse battery",
              api_password: str | None = None) -> Any:
    """Create an account (and optionally its API password) for a test."""
    from broadsheet.accounts.users import create_account, set_api_password

    user = create_account(db, name, role, password)
    if api_password:
        set_api_password(db, user, api_password)
    return user


def make_token(db: Any, user: Any, label: str = "test") -> str:
    """A fresh API token for a user."""
    from broadsheet.accounts.access import issue_token

    return issue_token(db, user, label)[0]


def add_articles(db: Any, source_id: int, count: int, *, start: int = 0, **fields: Any) -> list[int]:
    """Store ``count`` simple articles for a source, one hour apart, newest last."""
    import datetime as dt

    from broadsheet.store.articles import add_article
    from broadsheet.types import Article

    base = dt.datetime(2024, 5, 1, 8, 0, tzinfo=dt.UTC)
    ids = []
    for n in range(start, start + count):
        values = {"title": f"Story {n} about the harbour", "feed_link": f"https://news.test/{n}",
                  "canonical_url": f"https://news.test/{n}", "text": f"Paragraph {n}.\n\nMore.",
                  "html": f"<p>Paragraph {n}.</p><p>More.</p>", "summary": f"Summary {n}",
                  "published": base + dt.timedelta(hours=n), **fields}
        ids.append(add_article(db, Article(source_id=source_id, entry_key=f"k{n}", **values)))
    return ids
