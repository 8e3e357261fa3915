"""The desk in headless Chromium: log in, add a source, see its health plot, change a rule,
log out — with the site's CSP in force and no JavaScript needed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from broadsheet.store import open_database
from broadsheet.store.sources import get_source
from tests.conftest import make_settings
from tests.servers import Reply, ScriptedServer, rss
from tests.webserver import add_articles, make_user, serve_app

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery"


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[tuple[str, object, ScriptedServer]]:
    settings = make_settings(tmp_path)
    db = open_database(settings.database_url, upgrade=True)
    make_user(db, "ed", "editor")
    feeds = ScriptedServer().start()
    feeds.route("/feed", Reply(body=rss([{"title": "Tide tables", "link": "http://x/1"}],
                                        title="Harbour Gazette"),
                               headers={"Content-Type": "application/rss+xml"}))
    server = serve_app(db, settings)
    yield server.base_url, db, feeds
    server.stop()
    feeds.stop()
    db.close()


def test_admin_flow(browser, desk):
    base, db, feeds = desk
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text else None)

    page.goto(base + "/admin")
    assert page.url.endswith("/admin/login")
    page.get_by_label("Name").fill("ed")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.url.endswith("/admin/sources")

    page.get_by_label("Feed or site address").fill(feeds.url("/feed"))
    page.get_by_role("button", name="Add source").click()
    # expect() waits for the source page the form redirects to; is_visible() would not.
    expect(page.get_by_role("heading", name="Harbour Gazette")).to_be_visible()
    source_id = int(page.url.rsplit("/", 1)[-1].split("?")[0])
    add_articles(db, source_id, 4)

    page.get_by_role("link", name="Feed health").click()
    plot = page.locator(f"#source-{source_id} svg.plot").first
    expect(plot).to_be_visible()
    assert "4 in 30 days" in (plot.get_attribute("aria-label") or "")
    assert plot.locator("rect").count() == 30

    page.goto(f"{base}/admin/sources/{source_id}")
    page.get_by_label("Extraction rule: article selector (CSS)").fill("main article")
    page.get_by_label("Status").select_option("paused")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("status").inner_text() == "Saved"
    stored = get_source(db, source_id)
    assert stored.settings["extract_selector"] == "main article" and stored.status == "paused"

    page.get_by_role("button", name="Log out").click()
    assert page.url.endswith("/admin/login")
    page.goto(base + "/admin/health")
    assert page.url.endswith("/admin/login")
    assert violations == []
    context.close()
