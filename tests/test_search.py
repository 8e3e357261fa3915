"""Search on both engines: the index follows add_article, ranking, snippets, syntax."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from broadsheet.errors import SearchSyntaxError
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.search import parse_query, search_articles
from broadsheet.types import Article

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def add(db, source_id, key, title, text, *, days_ago=0.0, summary="", language="en",
        categories=()):
    return article_store.add_article(db, Article(
        source_id=source_id, entry_key=key, title=title, feed_link=f"https://x.test/{key}",
        canonical_url=f"https://x.test/{key}", text=text, html=f"<p>{text}</p>",
        summary=summary, published=NOW - dt.timedelta(days=days_ago), language=language,
        categories=tuple(categories)))


@pytest.fixture
def corpus(db):
    one = source_store.add_source(db, "https://one.test/feed", "Harbour Times")
    two = source_store.add_source(db, "https://two.test/feed", "Valley Post")
    ids = {
        "wall": add(db, one.id, "a", "Harbour wall to be repaired",
                    "The council voted on Tuesday to repair the harbour wall before winter."),
        "old": add(db, one.id, "b", "Harbour wall collapses",
                   "Part of the harbour wall collapsed in the storm.", days_ago=400),
        "bridge": add(db, two.id, "c", "New bridge opens",
                      "The valley bridge opened to traffic; the council praised the builders.",
                      language="en-GB"),
        "french": add(db, two.id, "d", "Le pont rouvre",
                      "Le pont de la vallée rouvre après des travaux.", language="fr"),
        "xss": add(db, two.id, "e", "Markup in text",
                   "Someone wrote <script>alert(1)</script> by the harbour; "
                   "Tom & Jerry say 3 < 4."),
    }
    return db, one, two, ids


def ids_of(page):
    return [hit.article.id for hit in page.hits]


def test_index_follows_add_article_and_ranks_recent_first(corpus):
    db, _one, _two, ids = corpus
    page = search_articles(db, "harbour wall")
    assert ids_of(page)[:2] == [ids["wall"], ids["old"]]
    assert "<mark>" in page.hits[0].snippet_html


def test_phrase_prefix_or_and_exclusion(corpus):
    db, _one, _two, ids = corpus
    assert set(ids_of(search_articles(db, '"wall collapsed"'))) == {ids["old"]}
    assert set(ids_of(search_articles(db, "bri*"))) == {ids["bridge"]}
    assert set(ids_of(search_articles(db, "bridge OR storm"))) == {ids["bridge"], ids["old"]}
    assert set(ids_of(search_articles(db, "harbour -storm"))) == {ids["wall"], ids["xss"]}
    assert ids_of(search_articles(db, "pont")) == [ids["french"]]


def test_filters_by_source_dates_and_language(corpus):
    db, one, two, ids = corpus
    assert set(ids_of(search_articles(db, "council", source_id=two.id))) == {ids["bridge"]}
    recent = search_articles(db, "harbour", since=NOW - dt.timedelta(days=30))
    assert ids["old"] not in ids_of(recent)
    older = search_articles(db, "harbour", until=NOW - dt.timedelta(days=30))
    assert ids_of(older) == [ids["old"]]
    assert set(ids_of(search_articles(db, "council", language="en"))) == {
        ids["wall"], ids["bridge"]}


def test_snippets_are_escaped(corpus):
    db, *_ = corpus
    hit = search_articles(db, "jerry harbour").hits[0]
    assert "<script>" not in hit.snippet_html and "Tom &amp; <mark>" in hit.snippet_html
    assert "<mark>harbour</mark>" in hit.snippet_html


def test_pages_are_stable_while_articles_arrive(corpus):
    db, one, _two, ids = corpus
    first = search_articles(db, "harbour", limit=1)
    assert first.next_cursor
    add(db, one.id, "new", "Harbour news", "Fresh harbour news arrives.")
    second = search_articles(db, "harbour", limit=1, cursor=first.next_cursor)
    third = search_articles(db, "harbour", limit=5, cursor=second.next_cursor)
    seen = ids_of(first) + ids_of(second) + ids_of(third)
    assert sorted(seen) == sorted([ids["wall"], ids["old"], ids["xss"]])


def test_update_and_delete_keep_index_in_sync(corpus):
    db, one, _two, ids = corpus
    from broadsheet.store.schema import articles

    with db.begin() as connection:
        connection.execute(sa.update(articles).where(articles.c.id == ids["bridge"])
                           .values(title="Ferry returns", text="The ferry returns."))
    assert ids_of(search_articles(db, "ferry")) == [ids["bridge"]]
    assert search_articles(db, "valley bridge").hits == ()
    source_store.delete_source(db, one.id)
    assert search_articles(db, "harbour").hits == () or all(
        h.article.source_id != one.id for h in search_articles(db, "harbour").hits)


def test_tags_follow_categories(db):
    src = source_store.add_source(db, "https://t.test/feed")
    first = add(db, src.id, "a", "One", "x", categories=["Politics", " World "])
    add(db, src.id, "b", "Two", "y", categories=["world"])
    assert [a.title for a in article_store.tagged_articles(db, "World")] == ["Two", "One"]
    assert [a.id for a in article_store.tagged_articles(db, "politics")] == [first]


@pytest.mark.parametrize("text, hint", [
    ('"harbour wall', "quote is not closed"),
    ("", "at least one word"),
    ("-storm", "only excludes"),
    ("OR storm", "OR needs a word"),
    ("storm OR", "OR needs a word"),
    ("h*", "two letters"),
    ("*", "two letters"),
])
def test_bad_syntax_explains_itself(text, hint):
    with pytest.raises(SearchSyntaxError, match=hint):
        parse_query(text)


@pytest.mark.parametrize("text", [
    "NEAR(a b)", "a:b", "title:harbour", "^start", "a + b", "(((", "NOT", "AND OR AND x",
    "'; DROP TABLE articles; --", "col:*", "🙂 harbour", "\\", "a-b-c", "\x00",
])
def test_operators_in_text_never_reach_the_engine(corpus, text):
    db, *_ = corpus
    try:
        search_articles(db, text)
    except SearchSyntaxError:
        pass
