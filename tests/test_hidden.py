"""A hidden article is hidden everywhere: every page, feed, API, reader API and story title.

Driven over real HTTP on loopback, on both engines: the desk hides two articles through
the admin form, then every public surface is read. Each check also asserts a visible
article of the same kind is there, so no check passes on an empty page.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import requests
import sqlalchemy as sa

from broadsheet.store import articles as article_store
from broadsheet.store import stories as story_store
from broadsheet.store.schema import articles
from broadsheet.update import stories_step
from broadsheet.update.import_articles import import_lines
from broadsheet.update.stories_step import assign_pending_stories
from tests.test_site_stories import BRIDGE, BRIDGE_OTHER, CHOIR
from tests.webserver import make_token, make_user, serve_app

API_PASSWORD = "an api password"
BBC_TITLE = "Harrowgate bridge reopens after 18-month repair"
GUARDIAN_TITLE = "Tamsin crossing back in use as detour ends"
CHOIR_TITLE = "Dunbry choir to sing Messiah"
LINES = [
    {"id": "bbc", "title": BBC_TITLE, "text": BRIDGE,
     "url": "https://www.bbc.co.uk/news/harrowgate-bridge", "source": "BBC News",
     "published": "2024-05-07T09:00:00+00:00"},
    {"id": "guardian", "title": GUARDIAN_TITLE, "text": BRIDGE_OTHER,
     "url": "https://www.theguardian.com/uk/harrowgate", "source": "The Guardian",
     "published": "2024-05-07T11:00:00+00:00"},
    {"id": "wire", "title": "Harrowgate bridge reopens",
     "text": "Sign up for our newsletter. " + BRIDGE + " Reporting by the wire desk.",
     "url": "https://herald.test/harrowgate", "source": "Herald",
     "published": "2024-05-07T12:00:00+00:00"},
    {"id": "choir", "title": CHOIR_TITLE, "text": CHOIR, "url": "https://herald.test/choir",
     "source": "Herald", "published": "2024-05-07T10:00:00+00:00"},
]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def desk(db, settings) -> Iterator[tuple[str, dict[str, int], dict[str, str]]]:
    stories_step._desks.clear()
    import_lines(db, [json.dumps(line) for line in LINES])
    ids = {a.entry_key.removeprefix("import:"): a.id for a in article_store.all_articles(db)}
    tags = {"bbc": ["Bridges"], "guardian": ["Bridges"], "wire": [], "choir": ["Music"]}
    with db.begin() as connection:
        for key, names in tags.items():
            connection.execute(sa.update(articles).where(articles.c.id == ids[key])
                               .values(categories=names))
    assign_pending_stories(db, settings)
    make_user(db, "ed", "editor")
    reader = make_user(db, "rita", "reader", api_password=API_PASSWORD)
    server = serve_app(db, settings)
    base = server.base_url
    browser_ua = {"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126 Safari/537.36"}
    for key in ("bbc", "guardian", "choir"):  # views for Most Popular, before hiding
        assert requests.get(f"{base}/articles/{ids[key]}/view.gif",
                            headers=browser_ua).status_code == 200
    editor = requests.Session()
    form = editor.get(base + "/admin/login")
    editor.post(base + "/admin/login", data={"name": "ed", "password": "correct horse battery",
                                              "csrf_token": _csrf(form.text)})
    listing = editor.get(base + "/admin/articles").text
    for key in ("bbc", "choir"):
        editor.post(f"{base}/admin/articles/{ids[key]}/hide",
                    data={"csrf_token": _csrf(listing)})
    assert article_store.hidden_ids(db, ids.values()) == {ids["bbc"], ids["choir"]}
    auth = {"X-Auth-Token": make_token(db, reader)}
    yield base, ids, auth
    server.stop()
    stories_step._desks.clear()


def _hidden_markers(ids: dict[str, int]) -> list[str]:
    return [BBC_TITLE, CHOIR_TITLE, rf"/articles/{ids['bbc']}(?!\d)",
            rf"/articles/{ids['choir']}(?!\d)"]


def _assert_clean(text: str, ids: dict[str, int], where: str) -> None:
    for marker in _hidden_markers(ids):
        assert not re.search(marker, text), f"{where} shows a hidden article ({marker})"


PAGES = ["/", "/feed.rss", "/feed.atom", "/feed.json", "/days/2024-05-07",
         "/tags/Bridges", "/tags/Bridges/feed.atom", "/search?q=harrowgate",
         "/search/feed.json?q=harrowgate", "/sitemap.xml", "/stories/{story}",
         "/stories/{story}/feed.rss", "/articles/{guardian}", "/articles/{wire}",
         "/sources/{guardian_source}", "/sources/{guardian_source}/feed.json"]


def test_hidden_articles_are_gone_from_every_page_and_feed(desk, db):
    base, ids, _ = desk
    story = story_store.article_place(db, ids["bbc"]).story_id
    guardian_source = article_store.get_article(db, ids["guardian"]).source_id
    for path in PAGES:
        url = base + path.format(story=story, guardian=ids["guardian"], wire=ids["wire"],
                                 guardian_source=guardian_source)
        reply = requests.get(url)
        assert reply.status_code == 200, path
        _assert_clean(reply.text, ids, path)
        assert (GUARDIAN_TITLE in reply.text or f"/articles/{ids['guardian']}" in reply.text
                or path == "/articles/{guardian}"), f"{path} shows nothing visible either"
    front = requests.get(base + "/").text
    popular = front[front.index("Most popular"):]
    assert f"/articles/{ids['guardian']}" in popular
    assert f"<h1>{GUARDIAN_TITLE}</h1>" in requests.get(f"{base}/stories/{story}").text


def test_hidden_articles_and_stories_of_only_hidden_articles_answer_404(desk, db):
    base, ids, _ = desk
    choir_story = story_store.article_place(db, ids["choir"]).story_id
    for path in (f"/articles/{ids['bbc']}", f"/articles/{ids['choir']}",
                 f"/stories/{choir_story}", f"/stories/{choir_story}/feed.json",
                 "/tags/Music", f"/api/v1/articles/{ids['bbc']}",
                 f"/api/v1/stories/{choir_story}"):
        assert requests.get(base + path).status_code == 404, path
    found = requests.get(base + "/search?q=dunbry")
    assert found.status_code == 200 and 'value="dunbry"' in found.text
    _assert_clean(found.text, ids, "/search?q=dunbry")


def test_hidden_articles_are_gone_from_the_json_api(desk, db):
    base, ids, _ = desk
    story = story_store.article_place(db, ids["bbc"]).story_id
    listed = requests.get(base + "/api/v1/articles", params={"limit": 100}).json()
    assert {a["id"] for a in listed["articles"]} == {ids["guardian"], ids["wire"]}
    found = requests.get(base + "/api/v1/search", params={"q": "harrowgate"}).json()
    assert ids["guardian"] in {h["article"]["id"] for h in found["hits"]}
    assert ids["bbc"] not in {h["article"]["id"] for h in found["hits"]}
    assert requests.get(base + "/api/v1/search", params={"q": "dunbry"}).json()["hits"] == []
    stories = requests.get(base + "/api/v1/stories").json()["stories"]
    assert [(s["id"], s["title"], s["article_count"]) for s in stories] == [
        (story, GUARDIAN_TITLE, 2)]
    detail = requests.get(f"{base}/api/v1/stories/{story}").json()
    assert {a["id"] for a in detail["articles"]} == {ids["guardian"], ids["wire"]}


def test_hidden_articles_are_gone_from_the_reader_apis(desk, db):
    base, ids, auth = desk
    visible = {ids["guardian"], ids["wire"]}
    entries = requests.get(base + "/v1/entries", params={"limit": 100}, headers=auth).json()
    assert {e["id"] for e in entries["entries"]} == visible and entries["total"] == 2
    assert requests.get(f"{base}/v1/entries/{ids['bbc']}", headers=auth).status_code == 404
    login = requests.post(base + "/accounts/ClientLogin",
                          data={"Email": "rita", "Passwd": API_PASSWORD}).text
    google = {"Authorization": "GoogleLogin auth=" + re.search(r"Auth=(\S+)", login).group(1)}
    refs = requests.get(base + "/reader/api/0/stream/items/ids",
                        params={"s": "user/-/state/com.google/reading-list", "n": 100},
                        headers=google).json()
    assert {int(r["id"]) for r in refs["itemRefs"]} == visible
    contents = requests.post(base + "/reader/api/0/stream/items/contents",
                             data={"i": [str(ids["bbc"]), str(ids["guardian"])]},
                             headers=google).text
    assert GUARDIAN_TITLE in contents and BBC_TITLE not in contents
    key = hashlib.md5(f"rita:{API_PASSWORD}".encode()).hexdigest()
    fever = requests.post(base + "/fever/?api&items", data={"api_key": key}).json()
    assert {i["id"] for i in fever["items"]} == visible
    with_ids = requests.post(base + f"/fever/?api&items&with_ids={ids['bbc']},{ids['choir']}",
                             data={"api_key": key}).json()
    assert with_ids["items"] == []


def test_the_desk_still_sees_and_can_show_hidden_articles(desk, db):
    base, ids, _ = desk
    story = story_store.article_place(db, ids["bbc"]).story_id
    article_store.set_hidden(db, ids["bbc"], False)
    assert requests.get(f"{base}/articles/{ids['bbc']}").status_code == 200
    assert story_store.get_story(db, story).title == BBC_TITLE
    assert story_store.get_story(db, story).article_count == 3


def test_upgrading_retitles_stories_of_articles_hidden_before(db, settings):
    stories_step._desks.clear()
    import_lines(db, [json.dumps(line) for line in LINES])
    assign_pending_stories(db, settings)
    ids = {a.entry_key.removeprefix("import:"): a.id for a in article_store.all_articles(db)}
    story = story_store.article_place(db, ids["bbc"]).story_id
    choir_story = story_store.article_place(db, ids["choir"]).story_id
    with db.begin() as connection:  # hidden by an older version: stories untouched
        connection.execute(sa.update(articles).where(articles.c.id.in_(
            [ids["bbc"], ids["choir"]])).values(hidden=True))
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'site_0001' "
                                   "WHERE version_num = 'site_0002'"))
    assert story_store.get_story(db, story).title == BBC_TITLE
    db.upgrade()
    assert db.is_current()
    assert story_store.get_story(db, story).title == GUARDIAN_TITLE
    assert story_store.get_story(db, story).article_count == 2
    assert story_store.get_story(db, choir_story) is None
    assert [s.id for s in story_store.list_stories(db)] == [story]
    stories_step._desks.clear()


def test_most_popular_drops_an_article_hidden_while_cached(db, settings):
    from broadsheet.site.popularity import ViewCounter
    from broadsheet.store.sources import add_source
    from tests.webserver import add_articles

    source = add_source(db, "https://news.test/feed", "News")
    first, second = add_articles(db, source.id, 2)
    views = ViewCounter(db, ZoneInfo("UTC"))
    for address in ("192.0.2.1", "192.0.2.2"):
        views.count(first, address, "Mozilla/5.0 Firefox/128")
    views.count(second, "192.0.2.1", "Mozilla/5.0 Firefox/128")
    assert [a.id for a, _ in views.popular(1)] == [first, second]
    article_store.set_hidden(db, first, True)
    assert [a.id for a, _ in views.popular(1)] == [second]
