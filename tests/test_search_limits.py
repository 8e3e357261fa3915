"""Search limits and the search time budget (issue 14, item 4), on both engines.

The limits are checked where a query is parsed, so every caller shares them; a search
running past its budget is stopped by the engine and answered with a 503 over HTTP.
"""

from __future__ import annotations

import threading

import pytest
import requests
import sqlalchemy as sa

from broadsheet.errors import SearchBudgetError, SearchTooComplexError
from broadsheet.store import search as search_store
from broadsheet.store.search import parse_query
from broadsheet.store.sources import add_source
from broadsheet.web import make_web_app
from tests.test_request_bounds import EXCLUSIONS, PREFIXES, _has_security_headers
from tests.webserver import LiveServer, add_articles


@pytest.mark.parametrize("text", [PREFIXES, "x" * 501, EXCLUSIONS,
                                  " ".join(f"w{n}*" for n in range(5)),
                                  " ".join(f"word{n}" for n in range(40)),
                                  '"' + " ".join(f"word{n}" for n in range(40)) + '"'])
def test_the_limits_apply_where_the_query_is_parsed(text):
    with pytest.raises(SearchTooComplexError):
        parse_query(text)


def test_a_search_past_its_time_budget_is_stopped(db, settings, monkeypatch):
    source = add_source(db, "https://news.test/feed", "News")
    add_articles(db, source.id, 300 if db.dialect == "sqlite" else 5)
    server = LiveServer(make_web_app(db, settings)).start()
    base = server.base_url
    if db.dialect == "sqlite":  # the progress handler stops a statement at the deadline
        with pytest.raises(SearchBudgetError):
            search_store.search_articles(db, "harbour", budget=0)
        monkeypatch.setattr(search_store, "BUDGET_SECONDS", 0.0)
        reply = requests.get(base + "/api/v1/search", params={"q": "harbour"})
        page = requests.get(base + "/search", params={"q": "harbour"})
    else:  # a statement waiting on a lock runs into statement_timeout
        locked, release = threading.Event(), threading.Event()

        def hold_lock() -> None:
            with db.engine.begin() as connection:
                connection.execute(sa.text("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE"))
                locked.set()
                release.wait(10)

        holder = threading.Thread(target=hold_lock)
        holder.start()
        locked.wait(5)
        try:
            with pytest.raises(SearchBudgetError):
                search_store.search_articles(db, "harbour", budget=0.2)
            monkeypatch.setattr(search_store, "BUDGET_SECONDS", 0.2)
            reply = requests.get(base + "/api/v1/search", params={"q": "harbour"})
            page = requests.get(base + "/search", params={"q": "harbour"})
        finally:
            release.set()
            holder.join()
    try:
        assert reply.status_code == 503 and reply.json()["error"]["code"] == "search_timeout"
        assert page.status_code == 503 and "took too long" in page.text
        assert _has_security_headers(page)
        monkeypatch.undo()
        assert search_store.search_articles(db, "harbour").hits
        assert requests.get(base + "/search", params={"q": "harbour"}).status_code == 200
    finally:
        server.stop()
