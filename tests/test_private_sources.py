"""Feed addresses with credentials or secret tokens never reach the public (issue 14, item 7).

Anonymous visitors, output feeds, the JSON API and reader-role apps see such a source's
name but never its address; user-info never shows; editors and the admin area still see
the full address. Over real HTTP on loopback, on both engines.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
import requests

from broadsheet.store import sources as source_store
from broadsheet.types import has_secret, public_address, redact_secrets
from tests.webserver import add_articles, make_token, make_user, serve_app

API_PASSWORD = "an api password"
SECRETS = ("hunter2", "abc123secret", "k3yvalue", "s1gnature")
FEEDS = [
    ("https://editor:hunter2@members.test/feed", "Members Only"),
    ("https://secret.test/rss?token=abc123secret", ""),
    ("https://keyed.test/feed?format=rss&API_Key=k3yvalue", "Keyed"),
    ("https://signed.test/feed?x-amz-signature=s1gnature", "Signed"),
    ("https://open.test/feed?page=2", "Open News"),
]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def desk(db, settings) -> Iterator[tuple[str, dict[str, int], object]]:
    ids = {}
    for n, (url, title) in enumerate(FEEDS):
        source = source_store.add_source(db, url, title)
        source_store.update_source(db, source.id, last_error=f"fetch: 500 for {url}",
                                   site_url=url.replace("/feed", "/") if n == 0 else None)
        add_articles(db, source.id, 1, start=n * 10)
        ids[title or "untitled"] = source.id
    server = serve_app(db, settings)
    yield server.base_url, ids, server
    server.stop()


def _assert_no_secret(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{where} shows {secret}"
    assert "members.test" not in text and "secret.test" not in text, where


@pytest.mark.parametrize("url, secret", [
    ("https://u:p@x.test/feed", True), ("https://u@x.test/feed", True),
    ("https://x.test/feed?token=1", True), ("https://x.test/f?apikey=1", True),
    ("https://x.test/f?api_key=1", True), ("https://x.test/f?Signature=1", True),
    ("https://x.test/f?access_token=1", True), ("https://x.test/f?my-secret=1", True),
    ("https://x.test/f?auth=1", True), ("https://x.test/f?password=1", True),
    ("https://x.test/f?sig=1", True), ("https://x.test/f?key=1", True),
    ("https://x.test/f?page=2&lang=en", False), ("https://x.test/keys/feed", False),
    ("https://x.test/f?monkey=1", False)])
def test_secret_looking_addresses_are_recognised(url, secret):
    assert has_secret(url) is secret
    assert (public_address(url) is None) is secret


def test_error_messages_lose_their_secrets():
    text = "fetch: 401 for https://a:b@x.test/f, then https://y.test/ok"
    assert redact_secrets(text) == "fetch: 401 for [private address], then https://y.test/ok"


PAGES = ["/", "/feed.rss", "/feed.atom", "/feed.json", "/sitemap.xml", "/search?q=harbour",
         "/api/v1/sources", "/api/v1/articles", "/search/feed.atom?q=harbour"]


def test_anonymous_views_show_names_but_never_private_addresses(desk):
    base, ids, _ = desk
    per_source = [f"/sources/{i}" for i in ids.values()] + [
        f"/sources/{i}/feed.{fmt}" for i in ids.values() for fmt in ("rss", "atom", "json")] + [
        f"/api/v1/sources/{i}" for i in ids.values()]
    for path in PAGES + per_source:
        reply = requests.get(base + path)
        assert reply.status_code == 200, path
        _assert_no_secret(reply.text, path)
    members = requests.get(f"{base}/sources/{ids['Members Only']}").text
    assert "Members Only" in members and "private feed" in members
    untitled = requests.get(f"{base}/sources/{ids['untitled']}").text
    assert f"Source {ids['untitled']}" in untitled
    assert 'href="https://open.test/feed?page=2"' in requests.get(
        f"{base}/sources/{ids['Open News']}").text
    listed = {s["id"]: s for s in requests.get(base + "/api/v1/sources").json()["sources"]}
    assert listed[ids["Members Only"]]["url"] is None and listed[ids["Members Only"]]["private"]
    assert listed[ids["Members Only"]]["last_error"] == "fetch: 500 for [private address]"
    assert listed[ids["Open News"]]["url"] == "https://open.test/feed?page=2"
    assert listed[ids["Open News"]]["private"] is False


def test_reader_apps_hide_secrets_from_readers_and_editors_see_them(desk, db):
    base, ids, _ = desk
    reader = make_user(db, "rita", "reader", api_password=API_PASSWORD)
    editor = make_user(db, "ed", "editor")
    token = {"X-Auth-Token": make_token(db, reader)}
    feeds = requests.get(base + "/v1/feeds", headers=token)
    _assert_no_secret(feeds.text, "/v1/feeds")
    entries = requests.get(base + "/v1/entries", headers=token)
    assert entries.json()["total"] == len(FEEDS)
    _assert_no_secret(entries.text, "/v1/entries")
    assert "Members Only" in feeds.text and "https://open.test/feed?page=2" in feeds.text
    login = requests.post(base + "/accounts/ClientLogin",
                          data={"Email": "rita", "Passwd": API_PASSWORD}).text
    google = {"Authorization": "GoogleLogin auth=" + re.search(r"Auth=(\S+)", login).group(1)}
    for path in ("/reader/api/0/subscription/list", "/reader/api/0/stream/contents"):
        _assert_no_secret(requests.get(base + path, headers=google).text, path)
    key = hashlib.md5(f"rita:{API_PASSWORD}".encode()).hexdigest()
    fever = requests.post(base + "/fever/?api&feeds&items", data={"api_key": key})
    assert fever.json()["feeds"] and "Keyed" in fever.text
    _assert_no_secret(fever.text, "fever")
    full = requests.get(base + "/v1/feeds", headers={"X-Auth-Token": make_token(db, editor)})
    assert "https://editor:hunter2@members.test/feed" in full.text
    api = requests.get(base + "/api/v1/sources",
                       headers={"Authorization": "Bearer " + make_token(db, editor)}).json()
    assert FEEDS[0][0] in {s["url"] for s in api["sources"]}


def test_the_admin_area_still_shows_the_full_address(desk, db):
    base, ids, _ = desk
    make_user(db, "ad", "admin")
    browser = requests.Session()
    form = browser.get(base + "/admin/login")
    browser.post(base + "/admin/login", data={"name": "ad", "password": "correct horse battery",
                                               "csrf_token": _csrf(form.text)})
    page = browser.get(f"{base}/admin/sources/{ids['Keyed']}")
    assert page.status_code == 200 and "k3yvalue" in page.text
