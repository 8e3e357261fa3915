"""The store's boundary: SQLAlchemy's errors become StorageError inside it, and what
other layers read comes back as plain values."""

from __future__ import annotations

import pytest

from broadsheet.errors import StorageError
from broadsheet.store import sources as source_store
from broadsheet.store.articles import add_article
from broadsheet.store.db import Database, printable_url
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


@pytest.mark.parametrize("url", ["not a url", "postgresql+nosuchdriver://u:secret@h/db"])
def test_a_database_url_sqlalchemy_cannot_use_is_a_storage_error(url: str) -> None:
    with pytest.raises(StorageError, match="^store: cannot use the database URL"):
        Database(url)


def test_printable_url_hides_the_password() -> None:
    assert printable_url("postgresql://ed:secret@db.example/news") == \
        "postgresql://ed:***@db.example/news"
    with pytest.raises(StorageError):
        printable_url("not a url")
