"""The admin area over HTTP: sessions, CSRF, back-off, role boundaries, sources, tokens."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from broadsheet.store.sources import add_source, get_source
from tests.servers import Reply, rss
from tests.webserver import LiveServer, add_articles, make_user, serve_app

PASSWORD = "correct horse battery"


@pytest.fixture
def live(db, settings) -> Iterator[LiveServer]:
    server = serve_app(db, settings)
    yield server
    server.stop()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(base: str, name: str, password: str = PASSWORD) -> tuple[requests.Session,
                                                                    requests.Response]:
    browser = requests.Session()
    form = browser.get(base + "/admin/login")
    response = browser.post(base + "/admin/login", data={
        "name": name, "password": password, "csrf_token": csrf_of(form.text)})
    return browser, response


def test_login_sets_a_safe_cookie_and_logout_is_post_only(db, live):
    make_user(db, "ed", "editor")
    browser, response = log_in(live.base_url, "ed")
    assert response.status_code == 200 and response.url.endswith("/admin/sources")
    cookie = response.history[0].headers["set-cookie"]
    assert "broadsheet_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    page = browser.get(live.base_url + "/admin/sources")
    assert "Log out" in page.text
    assert browser.get(live.base_url + "/admin/logout").status_code in (404, 405)
    browser.post(live.base_url + "/admin/logout", data={"csrf_token": csrf_of(page.text)})
    after = browser.get(live.base_url + "/admin/sources")
    assert after.url.endswith("/admin/login")


def test_csrf_is_required_on_every_form(db, live):
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    base = live.base_url
    for path, data in [("/admin/sources", {"url": "https://x.test/"}),
                       ("/admin/tokens", {"label": "x"}),
                       ("/admin/logout", {})]:
        assert browser.post(base + path, data=data).status_code == 403
        assert browser.post(base + path, data={**data, "csrf_token": "forged"}).status_code \
            == 403
    stranger = requests.Session()
    assert stranger.post(base + "/admin/login", data={"name": "ed", "password": PASSWORD}
                         ).status_code == 403
    assert "Log out" in browser.get(base + "/admin/sources").text  # still logged in


def test_brute_force_gets_growing_delays(db, live):
    make_user(db, "ed", "editor")
    statuses, waits = [], []
    for _ in range(6):
        _, response = log_in(live.base_url, "ed", "wrong password")
        statuses.append(response.status_code)
        waits.append(int(response.headers.get("retry-after", 0)))
    assert statuses[:2] == [401, 401] and 429 in statuses
    assert waits[2:] == sorted(waits[2:]) and waits[-1] >= 4
    _, right = log_in(live.base_url, "ed")
    assert right.status_code == 429  # even the right password waits out the lock


def test_role_boundaries(db, live):
    make_user(db, "rita", "reader")
    make_user(db, "ed", "editor")
    make_user(db, "ada", "admin")
    _, reader = log_in(live.base_url, "rita")
    assert reader.status_code == 403
    assert requests.get(live.base_url + "/admin/sources").url.endswith("/admin/login")
    editor, _ = log_in(live.base_url, "ed")
    assert editor.get(live.base_url + "/admin/users").status_code == 403
    assert editor.get(live.base_url + "/admin/audit").status_code == 403
    page = editor.get(live.base_url + "/admin/sources")
    refused = editor.post(live.base_url + "/admin/users", data={
        "csrf_token": csrf_of(page.text), "name": "mallory", "password": PASSWORD,
        "role": "admin"})
    assert refused.status_code == 403
    admin, _ = log_in(live.base_url, "ada")
    users = admin.get(live.base_url + "/admin/users")
    assert users.status_code == 200 and "mallory" not in users.text
    created = admin.post(live.base_url + "/admin/users", data={
        "csrf_token": csrf_of(users.text), "name": "nina", "password": PASSWORD,
        "role": "editor"})
    assert "Created nina" in created.text
    audit = admin.get(live.base_url + "/admin/audit").text
    assert "user.create" in audit and "session.login" in audit


def test_sources_add_edit_pause_and_health(db, live, server):
    server.route("/feed", Reply(body=rss([{"title": "One", "link": "http://x/1"}],
                                         title="Harbour News"),
                                headers={"Content-Type": "application/rss+xml"}))
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page = browser.get(live.base_url + "/admin/sources")
    added = browser.post(live.base_url + "/admin/sources", data={
        "csrf_token": csrf_of(page.text), "url": server.url("/feed")})
    assert added.status_code == 200 and "Harbour News" in added.text
    source_id = int(re.search(r"/admin/sources/(\d+)", added.url).group(1))
    add_articles(db, source_id, 3)
    saved = browser.post(f"{live.base_url}/admin/sources/{source_id}", data={
        "csrf_token": csrf_of(added.text), "title": "Harbour", "status": "paused",
        "publishing_mode": "excerpt", "poll_min_interval": "600", "categories": "Local, Sea",
        "extract_selector": "article .body", "extract_remove": ".ad"})
    assert "Saved" in saved.text
    source = get_source(db, source_id)
    assert (source.title, source.status, source.publishing_mode) == ("Harbour", "paused",
                                                                     "excerpt")
    assert source.settings["categories"] == ["Local", "Sea"]
    assert source.settings["extract_selector"] == "article .body"
    bad = browser.post(f"{live.base_url}/admin/sources/{source_id}", data={
        "csrf_token": csrf_of(added.text), "poll_min_interval": "5"})
    assert "must be 60-604800" in bad.text
    health = browser.get(live.base_url + "/admin/health")
    assert "<svg" in health.text and "Articles per day: 3 in 30 days" in health.text


def test_failing_sources_come_first(db, live):
    from broadsheet.store.sources import update_source

    add_source(db, "https://fine.test/feed", "Fine")
    broken = add_source(db, "https://broken.test/feed", "Broken")
    update_source(db, broken.id, error_count=4, last_error="fetch: 500")
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    text = browser.get(live.base_url + "/admin/health").text
    assert text.index("Broken") < text.index("Fine") and "fetch: 500" in text


def test_tokens_shown_once_and_revocable_from_the_desk(db, live):
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page = browser.get(live.base_url + "/admin/tokens")
    created = browser.post(live.base_url + "/admin/tokens", data={
        "csrf_token": csrf_of(page.text), "label": "laptop"})
    token = re.search(r'id="new-token">([^<]+)<', created.text).group(1)
    me = requests.get(live.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["name"] == "ed"
    listing = browser.get(live.base_url + "/admin/tokens").text
    assert token not in listing
    token_id = re.search(r"/admin/tokens/(\d+)/revoke", listing).group(1)
    browser.post(f"{live.base_url}/admin/tokens/{token_id}/revoke",
                 data={"csrf_token": csrf_of(listing)})
    again = requests.get(live.base_url + "/api/v1/me",
                         headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401


def test_articles_can_be_hidden(db, live):
    source = add_source(db, "https://news.test/feed", "News")
    first, _ = add_articles(db, source.id, 2, extraction_method="feed",
                            extraction_error="extract: no article found")
    make_user(db, "ed", "editor")
    browser, _ = log_in(live.base_url, "ed")
    page = browser.get(live.base_url + "/admin/articles")
    assert "extract: no article found" in page.text and "feed" in page.text
    browser.post(f"{live.base_url}/admin/articles/{first}/hide",
                 data={"csrf_token": csrf_of(page.text)})
    assert requests.get(f"{live.base_url}/api/v1/articles/{first}").status_code == 404
    browser.post(f"{live.base_url}/admin/articles/{first}/show",
                 data={"csrf_token": csrf_of(page.text)})
    assert requests.get(f"{live.base_url}/api/v1/articles/{first}").status_code == 200
