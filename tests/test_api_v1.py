"""The JSON API on a live server: reads, cursor pagination, token writes, one error shape."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from broadsheet.store.sources import add_source
from tests.webserver import LiveServer, add_articles, make_token, make_user, serve_app


@pytest.fixture
def live(db, settings) -> Iterator[LiveServer]:
    server = serve_app(db, settings)
    yield server
    server.stop()


def _is_error(response: requests.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_lists_sources_and_articles_with_cursor_pagination(db, live):
    source = add_source(db, "https://news.test/feed", "News")
    other = add_source(db, "https://other.test/feed", "Other")
    add_articles(db, source.id, 5)
    add_articles(db, other.id, 2, start=10)
    assert [s["title"] for s in requests.get(live.base_url + "/api/v1/sources").json()
            ["sources"]] == ["News", "Other"]
    seen, cursor = [], None
    while True:
        params = {"source": source.id, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = requests.get(live.base_url + "/api/v1/articles", params=params).json()
        seen += [a["title"] for a in page["articles"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [f"Story {n} about the harbour" for n in (4, 3, 2, 1, 0)]
    window = requests.get(live.base_url + "/api/v1/articles", params={
        "since": "2024-05-01T09:00:00Z", "until": "2024-05-01T11:00:00Z"}).json()
    assert [a["title"][:7] for a in window["articles"]] == ["Story 2", "Story 1"]


def test_limits_are_clamped(db, live):
    source = add_source(db, "https://news.test/feed", "News")
    add_articles(db, source.id, 3)
    big = requests.get(live.base_url + "/api/v1/articles", params={"limit": 10_000}).json()
    small = requests.get(live.base_url + "/api/v1/articles", params={"limit": -5}).json()
    assert len(big["articles"]) == 3 and len(small["articles"]) == 1


def test_article_respects_the_publishing_mode(db, live):
    from broadsheet.store.sources import update_source

    source = add_source(db, "https://news.test/feed", "News")
    (article_id,) = add_articles(db, source.id, 1, text="word " * 500, html="<p>full</p>")
    full = requests.get(f"{live.base_url}/api/v1/articles/{article_id}").json()
    assert full["html"] == "<p>full</p>" and not full["is_excerpt"]
    update_source(db, source.id, publishing_mode="excerpt")
    short = requests.get(f"{live.base_url}/api/v1/articles/{article_id}").json()
    assert short["is_excerpt"] and len(short["text"].split()) < 100


def test_search(db, live):
    source = add_source(db, "https://news.test/feed", "News")
    add_articles(db, source.id, 3)
    found = requests.get(live.base_url + "/api/v1/search", params={"q": "paragraph"}).json()
    assert len(found["hits"]) == 3 and "<mark>" in found["hits"][0]["snippet_html"]
    _is_error(requests.get(live.base_url + "/api/v1/search", params={"q": '"open'}), 400,
              "bad_query")


def test_every_error_has_one_shape(db, live):
    base = live.base_url + "/api/v1"
    _is_error(requests.get(base + "/articles/999"), 404, "not_found")
    _is_error(requests.get(base + "/sources/999"), 404, "not_found")
    _is_error(requests.get(base + "/articles", params={"limit": "many"}), 422, "invalid_request")
    _is_error(requests.get(base + "/articles", params={"cursor": "???"}), 400, "invalid_cursor")
    _is_error(requests.get(base + "/no/such/route"), 404, "not_found")
    _is_error(requests.put(base + "/sources"), 405, "method_not_allowed")
    _is_error(requests.post(base + "/sources", json={"url": "https://x.test/"}), 401,
              "unauthorized")
    _is_error(requests.get(base + "/me", headers={"Authorization": "Bearer nope"}), 401)
    _is_error(requests.post(base + "/sources", data="{not json",
                            headers={"Content-Type": "application/json"}), 422, "invalid_request")


def test_writes_need_an_editor_token_and_revocation_works(db, live, server):
    from broadsheet.store.tokens import list_tokens, revoke_token
    from tests.servers import Reply, rss

    server.route("/feed", Reply(body=rss([{"title": "One", "link": "http://x/1"}]),
                                headers={"Content-Type": "application/rss+xml"}))
    reader = make_user(db, "rita", "reader")
    editor = make_user(db, "eddie", "editor")
    base = live.base_url + "/api/v1"

    def post(token: str) -> requests.Response:
        return requests.post(base + "/sources", json={"url": server.url("/feed")},
                             headers={"Authorization": f"Bearer {token}"})

    _is_error(post(make_token(db, reader)), 403, "forbidden")
    token = make_token(db, editor)
    created = post(token)
    assert created.status_code == 201 and created.json()["url"] == server.url("/feed")
    _is_error(post(token + "x"), 401)
    _is_error(requests.post(base + "/sources", json={"url": 5},
                            headers={"Authorization": f"Bearer {token}"}), 422)
    revoke_token(db, list_tokens(db, editor.id)[0].id)
    _is_error(requests.delete(f"{base}/sources/{created.json()['id']}",
                              headers={"Authorization": f"Bearer {token}"}), 401)
    fresh = make_token(db, editor)
    deleted = requests.delete(f"{base}/sources/{created.json()['id']}",
                              headers={"Authorization": f"Bearer {fresh}"})
    assert deleted.status_code == 204
    from broadsheet.store.audit import recent_actions

    assert [e.action for e in recent_actions(db)][:2] == ["source.delete", "source.create"]


def test_openapi_document_covers_the_api_only(live):
    document = requests.get(live.base_url + "/api/openapi.json").json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/articles" in document["paths"] and "/" not in document["paths"]
    assert "ErrorResponse" in document["components"]["schemas"]


def test_metrics_need_an_allowed_address_or_the_token(db, settings, live):
    add_source(db, "https://news.test/feed", "News")
    text = requests.get(live.base_url + "/metrics").text
    assert 'broadsheet_source_articles{source_id="1",source="News"} 0' in text
    forwarded = requests.get(live.base_url + "/metrics",
                             headers={"X-Forwarded-For": "203.0.113.9"})
    assert forwarded.status_code == 403  # forwarded requests never pass by address
    from broadsheet.api.metrics import address_allowed, metrics
    from broadsheet.web.routes import routes

    assert not address_allowed("203.0.113.9", "127.0.0.0/8")
    assert address_allowed("127.0.0.1", "10.0.0.0/8, 127.0.0.0/8")
    # the module's one handler has one row in the route table
    assert [path for _, path, handler, _ in routes(settings) if handler is metrics] == [
        "/metrics"]


def test_metrics_print_timestamps_as_integers_and_the_placement_backlog(db, live):
    import datetime as dt
    import re

    from broadsheet.store.sources import update_source

    source = add_source(db, "https://news.test/feed", "News")
    polled = dt.datetime(2026, 12, 6, 20, 15, 42, 750000, tzinfo=dt.UTC)
    update_source(db, source.id, last_polled=polled, last_success=polled)
    add_articles(db, source.id, 3)
    text = requests.get(live.base_url + "/metrics").text
    for name in ("last_poll", "last_success"):
        value = re.search(rf"broadsheet_source_{name}_timestamp_seconds\{{[^}}]*\}} (\S+)",
                          text).group(1)
        assert value == str(int(polled.timestamp())), value  # not 1.76505e+09
    assert "\nbroadsheet_placement_queue 3\n" in text


def test_metrics_refused_outside_the_allow_list(db, tmp_path):
    from tests.conftest import make_settings

    class Narrow:
        def __init__(self, base):
            self._base = base

        def __getattr__(self, name):
            if name == "metrics_networks":
                return "10.9.9.0/24"
            if name == "metrics_token":
                return "s3cret-metrics-token"
            return getattr(self._base, name)

    server = serve_app(db, Narrow(make_settings(tmp_path)))
    try:
        url = server.base_url + "/metrics"
        assert requests.get(url, headers={"X-Forwarded-For": "10.9.9.1"}).status_code == 403
        assert requests.get(url, headers={"Authorization": "Bearer wrong"}).status_code == 403
        ok = requests.get(url, headers={"Authorization": "Bearer s3cret-metrics-token"})
        assert ok.status_code == 200 and "broadsheet_sources_due" in ok.text
    finally:
        server.stop()
