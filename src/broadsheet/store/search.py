"""Full-text search over articles, one interface for SQLite FTS5 and PostgreSQL tsvector.

    user text --parse_query--> Query (terms, phrases, prefixes, OR, -exclusions)
    Query --_fts5_match / _tsquery--> the engine's own syntax, built from words only
    engine --newest POOL matches, ranked: relevance x recency--> ids
           --snippets, highlighted--> SearchPage

The reader's text never reaches the engine as syntax: it is parsed here, so a stray
quote or operator becomes a ``SearchSyntaxError`` with a helpful message, not a 500.
The index is kept current by the database (see migration ``site_0001``).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from markupsafe import escape

from broadsheet.errors import (
    SearchBudgetError, SearchSyntaxError, SearchTooComplexError, StorageError,
)
from broadsheet.store import bounds
from broadsheet.store.articles import StoredArticle, get_articles
from broadsheet.store.db import Database, to_db_time, utcnow

RECENCY_DAYS = 30.0
"""An article this many days old scores half as much as the same match today."""
POOL = 300
"""Only this many newest matches (after filters) are ranked: the cost of a search stays
about the same for a word in ten articles or in a hundred thousand."""
START, STOP = "\ue000", "\ue001"
"""Private-use characters marking matches in snippets; replaced after escaping."""
MAX_QUERY_CHARS = 500
MAX_WORDS = 32
"""Words in a query, phrases' words and excluded ones included."""
MAX_PREFIXES = 4
"""Prefix terms (harb*): each one expands to every indexed word it starts."""
MAX_EXCLUDED = 16
BUDGET_SECONDS = 3.0
"""A search statement running longer than this is stopped (``SearchBudgetError``)."""
_TOKEN = re.compile(r'-?"[^"]*"\*?|\S+')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """A word, or a phrase when it has several words; ``prefix`` applies to the last."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """All clauses must match; a clause matches when any of its terms does."""

    clauses: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()


@dataclass(frozen=True)
class SearchHit:
    """One result: the article, its score and a snippet of safe HTML with ``<mark>``s."""

    article: StoredArticle
    score: float
    snippet_html: str


@dataclass(frozen=True)
class SearchPage:
    """One page of results and the cursor of the next page, if any."""

    hits: tuple[SearchHit, ...]
    next_cursor: str | None
    query: Query


def _term(token: str) -> Term | None:
    negated = token.startswith("-") and len(token) > 1
    body = token[1:] if negated else token
    prefix = body.endswith("*")
    body = body.rstrip("*")
    if prefix and body.startswith('"') and not body.endswith('"'):
        raise SearchSyntaxError('search: put * right after a word, as in harb* or "sea wall"*')
    words = tuple(w.lower() for w in _WORD.findall(body.strip('"')))
    if not words:
        if prefix:
            raise SearchSyntaxError("search: * must follow at least two letters, as in harb*")
        return None
    if prefix and len(words[-1]) < 2:
        raise SearchSyntaxError("search: * must follow at least two letters, as in harb*")
    return Term(words, prefix, negated)


def parse_query(text: str) -> Query:
    """Parse a reader's query: words, "exact phrases", prefix*, a OR b, -excluded.

    The one place the search limits apply (the site, the JSON API and anything else
    that searches come through here): SearchTooComplexError past any of them.
    """
    text = text.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise SearchTooComplexError(f"search: a query may be {MAX_QUERY_CHARS} characters "
                                    "long at most")
    if text.count('"') % 2:
        raise SearchSyntaxError('search: a quote is not closed; phrases go between two " marks')
    clauses: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for token in _TOKEN.findall(text):
        if token == "OR":
            if not clauses or pending_or:
                raise SearchSyntaxError("search: OR needs a word on each side, as in "
                                        "flood OR storm")
            pending_or = True
            continue
        if token == "AND":
            continue
        term = _term(token)
        if term is None:
            continue
        if term.negated:
            if pending_or:
                raise SearchSyntaxError("search: an excluded -word cannot be part of an OR")
            excluded.append(term)
        elif pending_or:
            clauses[-1].append(term)
        else:
            clauses.append([term])
        pending_or = False
    if pending_or:
        raise SearchSyntaxError("search: OR needs a word on each side, as in flood OR storm")
    if not clauses:
        raise SearchSyntaxError("search: type at least one word to look for"
                                + (" (a -word only excludes)" if excluded else ""))
    query = Query(tuple(tuple(c) for c in clauses), tuple(excluded))
    _check_limits(query)
    return query


def _check_limits(query: Query) -> None:
    terms = [t for clause in query.clauses for t in clause] + list(query.excluded)
    if sum(len(t.words) for t in terms) > MAX_WORDS:
        raise SearchTooComplexError(f"search: too many words; use {MAX_WORDS} at most")
    if sum(t.prefix for t in terms) > MAX_PREFIXES:
        raise SearchTooComplexError(f"search: too many prefix* terms; use {MAX_PREFIXES} "
                                    "at most")
    if len(query.excluded) > MAX_EXCLUDED:
        raise SearchTooComplexError(f"search: too many -excluded words; use {MAX_EXCLUDED} "
                                    "at most")


def _fts5_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' + ("*" if term.prefix else "")


def _fts5_match(query: Query) -> str:
    """FTS5 MATCH syntax; every word is quoted, so none is read as an operator."""
    clauses = ["(" + " OR ".join(_fts5_term(t) for t in c) + ")" for c in query.clauses]
    text = " AND ".join(clauses)
    if query.excluded:  # one flat NOT: nesting one per word overflows FTS5's parser stack
        text = f"({text}) NOT ({' OR '.join(_fts5_term(t) for t in query.excluded)})"
    return text


def _ts_term(term: Term) -> str:
    parts = [f"'{w}'" for w in term.words]
    if term.prefix:
        parts[-1] += ":*"
    text = "(" + " <-> ".join(parts) + ")"
    return "!" + text if term.negated else text


def _tsquery(query: Query) -> str:
    """PostgreSQL to_tsquery syntax; words are \\w+ only, so quoting them is safe."""
    clauses = ["(" + " | ".join(_ts_term(t) for t in c) + ")" for c in query.clauses]
    return " & ".join(clauses + [_ts_term(t) for t in query.excluded])


@dataclass(frozen=True)
class _Cursor:
    max_id: int
    asof: dt.datetime
    offset: int

    def encode(self) -> str:
        return f"{self.max_id}.{int(self.asof.timestamp())}.{self.offset}"


MAX_OFFSET = 10_000
"""Pages reach this deep at most: the ranked pool grows with the offset."""


def _decode_cursor(value: str | None) -> _Cursor | None:
    """A cursor pins the result set (ids up to max_id) and the clock used for recency.

    None when it is not a cursor; ``OutOfRangeError`` (400) when a part is beyond
    what storage holds, as a forged 20-digit part would be.
    """
    parts = [bounds.parse_int(p, "cursor") for p in (value or "").split(".")]
    if len(parts) != 3 or None in parts:
        return None
    max_id, stamp, offset = (int(p or 0) for p in parts)
    if not 0 <= offset <= MAX_OFFSET or not 0 <= stamp <= _LATEST_STAMP:
        raise bounds.OutOfRangeError("cursor: out of range; start the search again")
    return _Cursor(max_id, dt.datetime.fromtimestamp(stamp, dt.UTC), offset)


_LATEST_STAMP = int(bounds.LATEST.timestamp())


def _filters(source_id: int | None, since: dt.datetime | None, until: dt.datetime | None,
             language: str | None) -> tuple[str, dict[str, Any]]:
    sql = ["a.hidden = :false", "a.id <= :max_id"]  # articles.visible(), in this SQL text
    params: dict[str, Any] = {"false": False}
    if source_id is not None:
        sql.append("a.source_id = :source_id")
        params["source_id"] = source_id
    if since is not None:
        sql.append("a.published >= :since")
        params["since"] = to_db_time(since)
    if until is not None:
        sql.append("a.published < :until")
        params["until"] = to_db_time(until)
    if language:
        sql.append("(lower(a.language) = :language OR lower(a.language) LIKE :language_like)")
        params["language"] = language.lower()
        params["language_like"] = language.lower() + "-%"
    return " AND ".join(sql), params


def _highlight(raw: str) -> str:
    """Escape the snippet, then turn the engine's match markers into ``<mark>``."""
    text = str(escape(raw)).replace(START, "<mark>").replace(STOP, "</mark>")
    return text.replace("\n", " ")


def _rank_sqlite(connection: Any, query: Query, where: str, params: dict[str, Any],
                 limit: int, offset: int, asof: dt.datetime) -> list[tuple[int, float]]:
    # Newest matches first: FTS5 walks its index by descending rowid and stops after the
    # pool, so BM25 (the costly part) runs on a bounded set however common the words,
    # and filters apply during the walk. Ids grow with ingest time, so the pool is the
    # newest matching articles; they are ranked by relevance x recency.
    size = int(max(POOL, (offset + limit) * 2))
    sql = sa.text(f"""
        SELECT id, relevance / (1.0 + max(julianday(:now) - julianday(published), 0) / :days)
               AS score
        FROM (SELECT a.id, a.published, bm25(articles_fts, 10.0, 4.0, 1.0) AS relevance
              FROM articles_fts JOIN articles AS a ON a.id = articles_fts.rowid
              WHERE articles_fts MATCH :match AND articles_fts.rowid <= :max_id AND {where}
              ORDER BY articles_fts.rowid DESC LIMIT {size})
        ORDER BY score, id DESC LIMIT :limit OFFSET :offset""")
    params = {**params, "match": _fts5_match(query), "limit": limit, "offset": offset,
              "now": asof.strftime("%Y-%m-%d %H:%M:%S"), "days": RECENCY_DAYS}
    return [(row[0], -float(row[1])) for row in connection.execute(sql, params)]


def _snippets_sqlite(connection: Any, query: Query, ids: list[int]) -> dict[int, str]:
    # One walk of the index over the ids' range: "rowid IN" would be handed to FTS5 as
    # one lookup per id, each setting up the query again (a prefix merges every term it
    # covers, each time); "+rowid" keeps the list a plain filter, applied before the
    # snippets are made.
    sql = sa.text(f"""
        SELECT rowid, snippet(articles_fts, 2, :start, :stop, '…', 28),
               snippet(articles_fts, 1, :start, :stop, '…', 28)
        FROM articles_fts WHERE articles_fts MATCH :match
        AND rowid BETWEEN {min(ids)} AND {max(ids)}
        AND +rowid IN ({", ".join(str(int(i)) for i in ids)})""")
    rows = connection.execute(sql, {"match": _fts5_match(query), "start": START, "stop": STOP})
    return {row[0]: (row[1] if START in row[1] or not row[2] else row[2]) for row in rows}


def _rank_postgres(connection: Any, query: Query, where: str, params: dict[str, Any],
                   limit: int, offset: int, asof: dt.datetime) -> list[tuple[int, float]]:
    # As on SQLite: the GIN index finds the matches, the newest POOL of them (after
    # filters) are ranked; ts_rank reads each (TOASTed) vector, so it runs on few rows.
    size = int(max(POOL, (offset + limit) * 2))
    sql = sa.text(f"""
        SELECT m.id, ts_rank(m.search_vector, to_tsquery('english', :tsquery), 1)
                     / (1.0 + greatest(extract(epoch FROM (:now - m.published)), 0)
                              / 86400.0 / :days) AS score
        FROM (SELECT a.id, a.published, a.search_vector FROM articles AS a
              WHERE a.search_vector @@ to_tsquery('english', :tsquery) AND {where}
              ORDER BY a.id DESC LIMIT {size}) AS m
        ORDER BY score DESC, m.id DESC LIMIT :limit OFFSET :offset""")
    params = {**params, "tsquery": _tsquery(query), "limit": limit, "offset": offset,
              "now": asof, "days": RECENCY_DAYS}
    return [(row[0], float(row[1])) for row in connection.execute(sql, params)]


def _snippets_postgres(connection: Any, query: Query, ids: list[int]) -> dict[int, str]:
    sql = sa.text("""
        SELECT a.id, ts_headline('english', CASE WHEN a.text <> '' THEN a.text ELSE a.summary END,
               to_tsquery('english', :tsquery), :options)
        FROM articles AS a WHERE a.id = ANY(:ids)""")
    options = (f'StartSel="{START}", StopSel="{STOP}", MaxWords=35, MinWords=15, '
               'MaxFragments=2, FragmentDelimiter=" … "')
    rows = connection.execute(sql, {"tsquery": _tsquery(query), "ids": ids, "options": options})
    return {row[0]: row[1] for row in rows}


def search_articles(
    db: Database, query: str | Query, *, source_id: int | None = None,
    since: dt.datetime | None = None, until: dt.datetime | None = None,
    language: str | None = None, limit: int = 20, cursor: str | None = None,
    budget: float | None = None,
) -> SearchPage:
    """Find articles by relevance with a recency boost; raise SearchSyntaxError on bad syntax.

    ``cursor`` comes from the previous page's ``next_cursor``: it pins the set of
    articles and the clock, so pages stay stable while new articles arrive. The search
    runs within ``budget`` seconds (default BUDGET_SECONDS) or raises SearchBudgetError.
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    _check_limits(parsed)
    where, params = _filters(source_id, since, until, language)
    position = _decode_cursor(cursor)
    budget = BUDGET_SECONDS if budget is None else budget
    stopped: list[bool] = []
    try:
        with db.begin() as connection, _time_budget(connection, db.dialect, budget, stopped):
            position, ranked, more, marks = _run(connection, db.dialect, parsed, where,
                                                 params, position, limit)
    except StorageError as error:
        if not stopped and "QueryCanceled" not in str(error):  # PostgreSQL's timeout
            raise
        raise SearchBudgetError("search: the query took too long and was stopped; "
                                "try fewer or longer words") from error
    found = {a.id: a for a in get_articles(db, [i for i, _ in ranked])}
    hits = tuple(SearchHit(found[i], score, _highlight(marks.get(i, "")))
                 for i, score in ranked if i in found)
    following = (_Cursor(position.max_id, position.asof, position.offset + limit).encode()
                 if more else None)
    return SearchPage(hits, following, parsed)


@contextmanager
def _time_budget(connection: Any, dialect: str, seconds: float,
                 stopped: list[bool]) -> Iterator[None]:
    """Stop the transaction's statements past ``seconds``: PostgreSQL's
    ``statement_timeout`` for this transaction only; on SQLite a progress handler that
    interrupts the running statement (appending to ``stopped``) and is removed
    afterwards, as the connection goes back to the pool."""
    if dialect != "sqlite":
        milliseconds = max(1, int(seconds * 1000))
        connection.execute(sa.text(f"SET LOCAL statement_timeout = {milliseconds}"))
        yield
        return
    raw = connection.connection.driver_connection
    deadline = time.monotonic() + seconds

    def past_deadline() -> int:
        if time.monotonic() > deadline:
            stopped.append(True)
            return 1
        return 0

    raw.set_progress_handler(past_deadline, 1000)
    try:
        yield
    finally:
        raw.set_progress_handler(None, 1000)


def _run(connection: Any, dialect: str, parsed: Query, where: str, params: dict[str, Any],
         position: _Cursor | None, limit: int
         ) -> tuple[_Cursor, list[tuple[int, float]], bool, dict[int, str]]:
    """Rank one page of matches and make their snippets, in one transaction."""
    if position is None:
        top = connection.scalar(sa.text("SELECT coalesce(max(id), 0) FROM articles"))
        position = _Cursor(int(top or 0), utcnow().replace(microsecond=0), 0)
    params["max_id"] = position.max_id
    rank, snippets = ((_rank_sqlite, _snippets_sqlite) if dialect == "sqlite"
                      else (_rank_postgres, _snippets_postgres))
    ranked = rank(connection, parsed, where, params, limit + 1, position.offset,
                  position.asof)
    more = len(ranked) > limit
    ranked = ranked[:limit]
    marks = snippets(connection, parsed, [i for i, _ in ranked]) if ranked else {}
    return position, ranked, more, marks
