"""D addendum. A feed aims its images, enclosures and body markup at Broadsheet's own
state-changing addresses; an admin reads every page in headless Chromium; nothing changes.

The browser does fetch some of those addresses (an ``<img>`` is a GET), which is the
point: state changes need a POST with the session's CSRF token, so a GET does nothing.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from broadsheet.store import open_database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.update.pipeline import run_update
from tests.adversarial.feeds import attr, rss_document, text
from tests.conftest import make_settings
from tests.servers import Reply, ScriptedServer
from tests.webserver import LiveServer, make_token, make_user

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PASSWORD = "correct horse battery"
TARGETS = [
    "/admin/logout", "/admin/sources/1/delete", "/admin/sources/2/delete", "/admin/sources/1",
    "/admin/sources?url=https://evil.test/feed", "/admin/users/1/delete",
    "/admin/users/2/role?role=admin", "/admin/tokens/1/revoke", "/admin/articles/1/hide",
    "/admin/sources/import", "/api/v1/sources", "/api/v1/sources/1",
    "/v1/feeds/1", "/v1/entries/1/bookmark", "/v1/entries?entry_ids=1&status=read",
    "/reader/api/0/subscription/edit?ac=unsubscribe&s=feed/1",
    "/reader/api/0/edit-tag?i=1&a=user/-/state/com.google/starred",
    "/reader/api/0/mark-all-as-read?s=feed/1",
    "/fever/?api&mark=item&as=read&id=1", "/fever/?api&mark=feed&as=read&id=1",
    "/admin/login?name=ada&password=x",
]


def _missing(problem: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{problem} (CI must run the browser tests)")
    pytest.skip(problem)


def _items(base: str) -> list[str]:
    items = []
    for n, target in enumerate(TARGETS):
        url = base + target
        body = (f"<p>Item {n} looks harmless.</p><img src={attr(url)} alt='x'>"
                f"<picture><source srcset={attr(url)}><img src={attr(url)}></picture>"
                f"<video poster={attr(url)} src={attr(url)}></video><audio src={attr(url)}>"
                f"</audio><iframe src={attr(url)}></iframe><link rel='prefetch' href={attr(url)}>"
                f"<div style=\"background:url('{url}')\">bg</div>"
                f"<form action={attr(url)} method='post'><button>go</button></form>")
        items.append(text("guid", f"self-{n}") + text("title", f"Self-targeting item {n}")
                     + text("link", url) + text("description", body)
                     + f"<enclosure url={attr(url)} type='image/jpeg' length='1'/>"
                     + f"<media:content url={attr(url)} medium='image'/>"
                     + f"<media:thumbnail url={attr(url)}/>")
    return items


def _state(db: Any) -> dict[str, list[tuple[str, ...]]]:
    queries = {"users": "SELECT id, name, role FROM users",
               "sources": "SELECT id, url, status FROM sources",
               "tokens": "SELECT id, revoked FROM api_tokens",
               "sessions": "SELECT id_hash, user_id FROM sessions",
               "reader_state": "SELECT * FROM reader_state"}
    with db.begin() as connection:
        found = {name: sorted(tuple(map(str, row)) for row in connection.execute(sa.text(q)))
                 for name, q in queries.items()}
    ids = [a.id for a in article_store.all_articles(db)]
    found["hidden"] = [(str(i),) for i in sorted(article_store.hidden_ids(db, ids))]
    return found


@pytest.mark.browser
def test_feed_aimed_at_our_own_urls_changes_nothing_for_a_logged_in_admin(tmp_path: Path
                                                                         ) -> None:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        _missing("chromium is not installed")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    settings = make_settings(tmp_path, fetch_pages=False, base_url="")
    db = open_database(settings.database_url, upgrade=True)
    from broadsheet.web import make_web_app

    site = LiveServer(make_web_app(db, settings)).start()
    feeds = ScriptedServer().start()
    try:
        base = site.base_url
        feeds.route("/self.xml", Reply(200, rss_document(_items(base), title="Self targeting",
                                                         link=base + "/admin/logout")))
        feeds.route("/plain.xml", Reply(200, rss_document(
            [text("guid", "p") + text("title", "A plain item")], title="Plain")))
        source_store.add_source(db, feeds.url("/self.xml"))
        source_store.add_source(db, feeds.url("/plain.xml"))
        admin = make_user(db, "ada", "admin")
        make_user(db, "ed", "editor")
        make_token(db, admin)
        summary = run_update(db, settings, everything=True)
        assert summary.count("error") == 0, [o.error for o in summary.outcomes]
        stored = article_store.all_articles(db)
        assert len(stored) == len(TARGETS) + 1
        pages = (["/", "/feed.rss", "/days", "/admin/sources", "/admin/articles",
                  "/admin/health", "/admin/sources/1", "/sources/1", "/sources/2"]
                 + [f"/articles/{a.id}" for a in stored])
        hits: list[tuple[str, str]] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=path, headless=True,
                                                 args=CHROMIUM_ARGS)
            context = browser.new_context()
            page = context.new_page()
            page.goto(base + "/admin/login")
            page.fill("input[name=name]", "ada")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit], input[type=submit]")
            page.wait_for_url(re.compile(r".*/admin/sources$"))
            before = _state(db)
            assert len(before["sessions"]) == 1
            own = re.compile(re.escape(base) + r"/(admin|api|v1|reader|fever)")
            context.on("request", lambda r: hits.append((r.method, r.url))
                       if own.match(r.url) else None)
            for target in pages:
                # "load" may never come while a media element keeps a request open;
                # the document and its subresource requests are what matter here.
                page.goto(base + target, wait_until="domcontentloaded", timeout=15_000)
                page.wait_for_timeout(300)
            page.goto(base + "/admin/sources")
            still_in = page.url.endswith("/admin/sources") and "Log out" in page.content()
            context.close()
            browser.close()
        assert still_in, "the admin was logged out"
        assert _state(db) == before
        writes = [(m, u) for m, u in hits if m != "GET"]
        assert writes == [], writes
        print(f"{len(hits)} GETs of our own addresses by the browser, 0 changes")
    finally:
        feeds.stop()
        site.stop()
        db.close()
