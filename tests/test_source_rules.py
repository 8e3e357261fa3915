"""Per-source rules set from the CLI and honoured by the pipeline and the site."""

from __future__ import annotations

import json

import pytest

from broadsheet.errors import SourceError
from broadsheet.sources.rules import change_source_rules
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.update.pipeline import run_update
from tests.servers import Reply, ScriptedServer, rss
from tests.test_cli import run_cli

PAGE = b"""<html lang="en"><head><title>Harbour works</title></head><body><article>
<h1>Harbour works begin</h1>
<p>Work on the harbour wall began on Monday after two years of planning by the council.</p>
<div class="promo"><p>Subscribe today and save forty percent on your first year.</p></div>
<p>The contractor expects the wall to be finished before the winter storms arrive.</p>
<p>Fishing boats will moor at the north quay while the south basin is closed.</p>
</article></body></html>"""


def _site(server: ScriptedServer) -> str:
    server.route("/page.html", Reply(200, PAGE, {"Content-Type": "text/html"}))
    server.route("/feed.xml", Reply(200, rss([{
        "title": "Harbour works begin", "link": server.url("/page.html"), "guid": "h1",
        "description": "The feed's short summary of the harbour works."}])))
    return server.url("/feed.xml")


def test_drop_selector_and_feed_only_change_what_is_stored(tmp_path, server):
    url = _site(server)
    run_cli(tmp_path, "sources", "add", url)
    run_cli(tmp_path, "sources", "set", "1", "--drop", ".promo", "--min-interval", "900")
    shown = json.loads(run_cli(tmp_path, "sources", "show", "1", "--json").stdout)
    assert shown["drop"] == ".promo" and shown["poll_min_interval"] == 900
    run_cli(tmp_path, "update")
    (row,) = [json.loads(x) for x in run_cli(tmp_path, "articles", "list", "--json")
              .stdout.splitlines()]
    from broadsheet.store import open_database

    db = open_database(f"sqlite:///{tmp_path / 'broadsheet.db'}")
    article = article_store.get_article(db, row["id"])
    assert article is not None and "Subscribe today" not in article.text
    assert "north quay" in article.text
    source = source_store.get_source(db, 1)
    assert source.next_poll and source.last_polled
    assert (source.next_poll - source.last_polled).total_seconds() >= 900 * 0.99


def test_bad_selector_is_refused_with_a_clear_error(tmp_path, server):
    run_cli(tmp_path, "sources", "add", _site(server))
    result = run_cli(tmp_path, "sources", "set", "1", "--keep", "div[[", check=False)
    assert result.returncode == 1 and "bad selector" in result.stderr


def test_feed_only_source_never_fetches_pages(db, settings, server):
    url = _site(server)
    source = source_store.add_source(db, url)
    source_store.update_source(db, source.id, settings={"feed_only": True})
    run_update(db, settings, everything=True)
    assert server.hits["/page.html"] == 0
    (article,) = article_store.all_articles(db)
    assert article.extraction_method == "feed" and "short summary" in article.text


def test_a_bad_stored_selector_is_ignored_not_fatal(db, settings, server):
    source = source_store.add_source(db, _site(server))
    source_store.update_source(db, source.id, settings={"extract_remove": "p[["})
    summary = run_update(db, settings, everything=True)
    assert summary.count("error") == 0 and article_store.count_articles(db) == 1


def test_changed_rules_clear_with_an_empty_selector_and_keep_poll_bounds_in_order(db):
    source = source_store.add_source(db, "https://news.test/feed")
    current = {"extract_remove": ".promo", "poll_max_interval": 3600, "categories": ["News"]}
    source_store.update_source(db, source.id, settings=current)
    change_source_rules(db, source.id, drop=("",), keep=("article",), feed_only=True)
    assert source_store.get_source(db, source.id).settings == {
        "extract_selector": "article", "poll_max_interval": 3600, "categories": ["News"],
        "feed_only": True}
    with pytest.raises(SourceError, match="poll_min_interval is longer than poll_max_interval"):
        change_source_rules(db, source.id, min_interval=7200)
    assert source_store.get_source(db, source.id).settings["poll_max_interval"] == 3600
