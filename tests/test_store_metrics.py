"""What /metrics reads from storage comes back as plain values, on both engines."""

from __future__ import annotations

from broadsheet.store import sources as source_store
from broadsheet.store.articles import add_article
from broadsheet.store.metrics import store_counts
from broadsheet.types import Article


def _article(source_id: int, key: str, **fields: object) -> Article:
    return Article(source_id=source_id, entry_key=key, title=key, feed_link=None,
                   canonical_url=None, text="", html="", **fields)  # type: ignore[arg-type]


def test_store_counts_reads_sources_articles_and_users(db) -> None:
    news = source_store.add_source(db, "https://news.example/feed.xml", "News")
    quiet = source_store.add_source(db, "https://quiet.example/feed.xml")
    source_store.update_source(db, quiet.id, status="paused", error_count=2)
    add_article(db, _article(news.id, "a", extraction_method="page"))
    add_article(db, _article(news.id, "b", extraction_method="feed",
                             extraction_error="fetch: 404"))
    counts = store_counts(db)
    by_id = {s.id: s for s in counts.sources}
    assert by_id[news.id].title == "News" and by_id[quiet.id].status == "paused"
    assert by_id[quiet.id].error_count == 2 and by_id[news.id].last_polled is None
    assert counts.articles_per_source == {news.id: 2}
    assert sorted(counts.articles_per_method) == [("feed", 1), ("page", 1)]
    assert counts.extraction_errors == 1 and counts.users_per_role == ()
