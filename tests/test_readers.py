"""Real, unmodified reader clients from PyPI against a live server; state checked on our side."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from broadsheet.store import reader_state as state
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.sources import add_source, update_source
from tests.webserver import LiveServer, add_articles, make_token, make_user, serve_app

API_PASSWORD = "an api password"


@pytest.fixture
def desk(db, settings) -> Iterator[tuple[LiveServer, object, list[int]]]:
    news = add_source(db, "https://news.test/feed", "News")
    world = add_source(db, "https://world.test/feed", "World Desk")
    update_source(db, world.id, settings={"categories": ["World"]})
    ids = add_articles(db, news.id, 5) + add_articles(db, world.id, 3, start=10)
    user = make_user(db, "rita", "reader", api_password=API_PASSWORD)
    server = serve_app(db, settings)
    yield server, user, ids
    server.stop()


def _read(db, user) -> set[int]:
    return set(state.entry_ids(db, user.id, EntryFilter(read=True)))


def _starred(db, user) -> set[int]:
    return set(state.entry_ids(db, user.id, EntryFilter(starred=True)))


def test_miniflux_client(db, desk):
    import miniflux

    server, user, ids = desk
    client = miniflux.Client(server.base_url, api_key=make_token(db, user))
    assert client.me()["username"] == "rita"
    assert [f["title"] for f in client.get_feeds()] == ["News", "World Desk"]
    assert {c["title"] for c in client.get_categories()} == {"All", "World"}
    page = client.get_entries(status="unread", limit=3, direction="desc")
    assert page["total"] == 8 and len(page["entries"]) == 3
    first, second = page["entries"][0]["id"], page["entries"][1]["id"]
    client.update_entries([first], "read")
    client.toggle_bookmark(second)
    assert _read(db, user) == {first} and _starred(db, user) == {second}
    assert client.get_entry(second)["starred"] is True
    assert client.get_entries(status="unread")["total"] == 7
    assert client.get_feed_entries(1)["total"] == 5
    assert client.refresh_feed(1) is True
    with pytest.raises(miniflux.ResourceNotFound):
        client.get_entry(99_999)
    with pytest.raises(miniflux.AccessUnauthorized):
        miniflux.Client(server.base_url, username="rita", password="wrong").me()
    basic = miniflux.Client(server.base_url, username="rita", password="correct horse battery")
    assert basic.me()["id"] == user.id
    assert requests.get(server.base_url + "/healthcheck").text == "OK"


def test_miniflux_readers_cannot_change_sources(db, desk):
    import miniflux

    server, user, _ = desk
    client = miniflux.Client(server.base_url, api_key=make_token(db, user))
    with pytest.raises(miniflux.AccessForbidden):
        client.delete_feed(1)
    response = requests.put(server.base_url + "/v1/entries", json={"entry_ids": "x"},
                            headers={"X-Auth-Token": make_token(db, user)})
    body = response.json()
    assert response.status_code == 400 and body["error_message"] == body["error"]["message"]


def test_google_reader_client(db, desk):
    import google_reader as gr

    server, user, ids = desk
    client = gr.Client(server.base_url)
    with pytest.raises(gr.AuthenticationError):
        client.login("rita", "correct horse battery")  # the account password is not enough
    auth = client.login("rita", API_PASSWORD)
    token = client.get_token(auth)
    assert client.get_user_info(auth).user_name == "rita"
    subscriptions = client.list_subscriptions(auth)
    assert [(s.id, s.title) for s in subscriptions] == [("feed/1", "News"),
                                                       ("feed/2", "World Desk")]
    assert subscriptions[1].categories[0].label == "World"
    assert any(t.id.endswith("/label/World") for t in client.list_tags(auth))
    refs = client.get_stream_items_ids(auth, gr.STREAM_READING_LIST, limit=4,
                                       exclude_target=gr.STREAM_READ)
    assert len(refs.item_refs) == 4 and refs.continuation
    long_ids = [gr.get_long_item_id(int(r.id)) for r in refs.item_refs]
    items = client.get_stream_items_contents(auth, token, long_ids).items
    assert [i.id for i in items] == long_ids and items[0].title.startswith("Story")
    client.edit_tags(auth, token, long_ids[:2], add_tags=[gr.STREAM_READ])
    client.edit_tags(auth, token, long_ids[2:3], add_tags=[gr.STREAM_STARRED])
    chosen = [int(r.id) for r in refs.item_refs]
    assert _read(db, user) == set(chosen[:2]) and _starred(db, user) == {chosen[2]}
    client.edit_tags(auth, token, long_ids[:1], remove_tags=[gr.STREAM_READ])
    assert _read(db, user) == {chosen[1]}
    client.mark_all_as_read(auth, token, "feed/2")
    assert set(ids[5:]) <= _read(db, user)
    label = client.get_stream_items_ids(auth, gr.get_label_id("World"))
    assert {int(r.id) for r in label.item_refs} == set(ids[5:])
    with pytest.raises(gr.ClientError):  # readers may not unsubscribe the desk
        client.edit_subscription(auth, token, "feed/1", "unsubscribe")
    bad = gr.AuthToken("GoogleLogin", "nope")
    with pytest.raises(gr.AuthenticationError):
        client.list_subscriptions(bad)


def test_google_reader_stream_contents(db, desk):
    import google_reader as gr

    server, user, ids = desk
    auth = gr.Client(server.base_url).login("rita", API_PASSWORD)
    headers = {"Authorization": f"GoogleLogin auth={auth.AccessToken}"}
    page = requests.get(server.base_url + "/reader/api/0/stream/contents/feed/1",
                        params={"n": 2}, headers=headers).json()
    assert len(page["items"]) == 2 and page["continuation"] == "2"
    following = requests.get(server.base_url + "/reader/api/0/stream/contents/feed/1",
                             params={"n": 2, "c": page["continuation"]}, headers=headers).json()
    assert {i["id"] for i in page["items"]}.isdisjoint({i["id"] for i in following["items"]})


def test_fever_client(db, desk):
    from freshrss_api import AuthenticationError, FreshRSSAPI

    server, user, ids = desk
    with pytest.raises(AuthenticationError):
        FreshRSSAPI(server.base_url, "rita", "correct horse battery")  # not the API password
    client = FreshRSSAPI(server.base_url, "rita", API_PASSWORD)
    assert [f["title"] for f in client.get_feeds()["feeds"]] == ["News", "World Desk"]
    assert {g["title"] for g in client.get_groups()["groups"]} == {"All", "World"}
    unread = client.get_unreads()
    assert len(unread) == 8 and unread[0].html
    client.set_mark("read", unread[0].id)
    client.set_mark("saved", unread[1].id)
    assert _read(db, user) == {unread[0].id} and _starred(db, user) == {unread[1].id}
    assert [i.id for i in client.get_saved()] == [unread[1].id]
    assert len(client.get_unreads()) == 7
    client.set_mark("unsaved", unread[1].id)
    assert _starred(db, user) == set()


def test_reading_state_is_per_user(db, desk):
    import miniflux

    server, rita, ids = desk
    other = make_user(db, "omar", "reader")
    miniflux.Client(server.base_url, api_key=make_token(db, rita)).update_entries(ids[:3], "read")
    mine = miniflux.Client(server.base_url, api_key=make_token(db, other))
    assert mine.get_entries(status="unread")["total"] == 8
    assert _read(db, other) == set() and _read(db, rita) == set(ids[:3])
