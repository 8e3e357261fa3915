"""Only http(s) addresses are stored, shown or handed to reader apps (issue 14, item 6).

OPML is uploaded through the admin form of a live server; the pages and the three
reader APIs are then read over HTTP, on both engines. Rows written before the check
(straight into the database) must not leak a ``javascript:`` link either.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest
import requests
import sqlalchemy as sa

from broadsheet.errors import SourceError
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles, sources
from broadsheet.types import web_address
from tests.webserver import add_articles, make_token, make_user, serve_app

API_PASSWORD = "an api password"
HOSTILE = ["javascript:alert(1)", " JaVa\tScRiPt:alert(2)", "data:text/html,<script>x</script>",
           "vbscript:msgbox(1)", "\x01javascript:alert(3)", "//evil.test/x", "http://",
           "http://[::1", "file:///etc/passwd", "feed:https://x.test/"]
OPML = """<?xml version="1.0"?>
<opml version="2.0"><head><title>t</title></head><body>
<outline text="Alpha" xmlUrl="https://alpha.test/feed" htmlUrl="javascript:alert(1)"/>
<outline text="Beta" xmlUrl="https://beta.test/feed" htmlUrl=" JaVa&#9;ScRiPt:alert(2)"/>
<outline text="Gamma" xmlUrl="https://gamma.test/feed"
         htmlUrl="data:text/html,&lt;script&gt;alert(3)&lt;/script&gt;"/>
<outline text="Bad" xmlUrl="javascript:alert(4)" htmlUrl="https://bad.test/"/>
<outline text="Delta" xmlUrl="https://delta.test/feed" htmlUrl="https://delta.test/"/>
</body></opml>"""
UNSAFE = re.compile(r"(?i)(href|src)\s*=\s*[\"']?\s*(javascript|data|vbscript):")


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def desk(db, settings) -> Iterator[tuple[str, dict[str, int], dict[str, str]]]:
    make_user(db, "ed", "editor")
    reader = make_user(db, "rita", "reader", api_password=API_PASSWORD)
    server = serve_app(db, settings)
    base = server.base_url
    editor = requests.Session()
    form = editor.get(base + "/admin/login")
    editor.post(base + "/admin/login", data={"name": "ed", "password": "correct horse battery",
                                              "csrf_token": _csrf(form.text)})
    page = editor.get(base + "/admin/sources").text
    editor.post(base + "/admin/sources/import", data={"csrf_token": _csrf(page)},
                files={"file": ("list.opml", OPML.encode(), "text/x-opml")})
    ids = {s.title: s.id for s in source_store.list_sources(db)}
    yield base, ids, {"X-Auth-Token": make_token(db, reader)}
    server.stop()


@pytest.mark.parametrize("value", HOSTILE)
def test_only_web_addresses_pass_the_one_check(value):
    assert web_address(value) is None
    assert web_address("https://example.test/a?b=c") == "https://example.test/a?b=c"


def test_opml_import_keeps_only_http_addresses(desk, db):
    _, ids, _ = desk
    assert set(ids) == {"Alpha", "Beta", "Gamma", "Delta"}
    stored = {s.title: s.site_url for s in source_store.list_sources(db)}
    assert stored == {"Alpha": None, "Beta": None, "Gamma": None,
                      "Delta": "https://delta.test/"}
    with db.begin() as connection:
        raw = set(connection.scalars(sa.select(sources.c.site_url)))
    assert raw == {None, "https://delta.test/"}


def test_no_entry_point_stores_another_scheme(desk, db):
    base, ids, token = desk
    for value in HOSTILE:
        with pytest.raises(SourceError):
            source_store.add_source(db, value)
        source_store.update_source(db, ids["Delta"], site_url=value)
        assert source_store.get_source(db, ids["Delta"]).site_url is None
        (stored,) = add_articles(db, ids["Delta"], 1, start=HOSTILE.index(value),
                                 feed_link=value, canonical_url=value, image=value)
        article = article_store.get_article(db, stored)
        assert (article.feed_link, article.canonical_url, article.image) == (None, None, None)
    editor = {"X-Auth-Token": make_token(db, make_user(db, "eve", "editor"))}
    api = requests.post(base + "/api/v1/sources", json={"url": "javascript:alert(1)"},
                        headers={"Authorization": "Bearer " + editor["X-Auth-Token"]})
    assert api.status_code == 400 and "http(s)" in api.json()["error"]["message"]
    miniflux = requests.post(base + "/v1/feeds", json={"feed_url": "javascript:alert(1)"},
                             headers=editor)
    assert miniflux.status_code == 400


def test_old_rows_never_render_or_reach_reader_apps(desk, db):
    base, ids, token = desk
    (article_id,) = add_articles(db, ids["Alpha"], 1)
    with db.begin() as connection:  # as written before the check existed
        connection.execute(sa.update(sources).values(site_url="javascript:alert(5)"))
        connection.execute(sa.update(articles).values(
            image="javascript:alert(6)", canonical_url="data:text/html,x",
            feed_link="javascript:alert(7)"))
    pages = [f"/sources/{i}" for i in ids.values()] + [
        f"/articles/{article_id}", "/", "/feed.atom", "/feed.json", "/feed.rss",
        f"/sources/{ids['Alpha']}/feed.rss"]
    for path in pages:
        reply = requests.get(base + path)
        assert reply.status_code == 200, path
        assert not UNSAFE.search(reply.text), path
        assert "javascript:" not in reply.text.lower() and "data:text" not in reply.text, path
    login = requests.post(base + "/accounts/ClientLogin",
                          data={"Email": "rita", "Passwd": API_PASSWORD}).text
    google = {"Authorization": "GoogleLogin auth=" + re.search(r"Auth=(\S+)", login).group(1)}
    key = hashlib.md5(f"rita:{API_PASSWORD}".encode()).hexdigest()
    answers = [
        requests.get(base + "/v1/feeds", headers=token),
        requests.get(base + "/v1/entries", headers=token),
        requests.get(base + "/reader/api/0/subscription/list", params={"output": "json"},
                     headers=google),
        requests.get(base + "/reader/api/0/stream/contents", headers=google),
        requests.post(base + "/fever/?api&feeds&items", data={"api_key": key}),
        requests.get(base + "/api/v1/sources"), requests.get(base + "/api/v1/articles"),
        requests.get(f"{base}/api/v1/articles/{article_id}"),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.url
        text = answer.text.lower()
        assert "javascript:" not in text and "data:text" not in text, answer.url
    delta = [f for f in answers[0].json() if f["title"] == "Delta"][0]
    assert delta["site_url"].startswith("https://")
