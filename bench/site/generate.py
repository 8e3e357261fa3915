"""Generated newsrooms for the site benchmark: articles, tags and stories, in bulk.

    rows (paragraph pool, Zipf words) --executemany / COPY, triggers and indexes off-->
    articles --one INSERT ... SELECT--> tags --bulk--> stories --> indexes, search index
    rebuilt once, triggers restored

Loading a million articles row by row through the production triggers (search index,
tags) takes most of an hour; here the triggers and secondary indexes are dropped while
the rows go in, then rebuilt in one pass each and restored from the database's own
definitions, so the schema served is exactly the migrated one.

Article ids grow with publication time (one article a minute, the newest now), as they
do when a desk ingests; stories group neighbouring articles of different outlets, and
a few articles are copies (wire reprints) of their story's first.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).parents[2]
OUTLETS = 50
WORDS = ("harbour council bridge ferry school storm budget election hospital railway museum "
         "festival river market police court mayor minister teachers nurses farmers fishermen "
         "harvest drought flood wind solar tram bus airport tunnel library park housing rents "
         "taxes wages strike museum theatre orchestra football cycling marathon chess science "
         "research university vaccine climate energy water forest wildlife coast island").split()
ARTICLE_COLUMNS = ("id", "source_id", "entry_key", "canonical_url", "title", "summary", "text",
                   "html", "authors", "categories", "published", "created")
CHUNK = 20_000


def _vocabulary(rng: random.Random, size: int = 30_000) -> tuple[list[str], list[float]]:
    """Invented words and their cumulative Zipf weights, like real text; the query words sit at ranks
    that put each in roughly 1-10% of articles, as news words are."""
    syllables = ["ka", "lo", "mi", "ne", "ru", "ta", "vi", "so", "pe", "da", "gri", "fen",
                 "mar", "tol", "bes", "quin", "zar", "hol", "wen", "dri"]
    words: list[str] = []
    seen: set[str] = set(WORDS)
    while len(words) < size:
        word = "".join(rng.choices(syllables, k=rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            words.append(word)
    for rank, word in zip(range(300, 300 + 40 * len(WORDS), 40), WORDS, strict=False):
        words.insert(rank, word)
    return words, list(itertools.accumulate(1 / (rank + 10) for rank in range(len(words))))


def article_rows(count: int, seed: int = 1) -> Iterator[tuple[object, ...]]:
    """``count`` articles as tuples in ARTICLE_COLUMNS order, oldest (id 1) first.

    Bodies are five paragraphs drawn from a pool of 40,000 (each 50 Zipf words), so
    generating is cheap while word statistics stay those of running text.
    """
    rng = random.Random(seed)
    vocabulary, weights = _vocabulary(rng)
    pool = [" ".join(rng.choices(vocabulary, cum_weights=weights, k=50)) + "."
            for _ in range(40_000)]
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    created = now.isoformat(sep=" ")
    tag_pairs = [json.dumps(list(p)) for p in itertools.permutations(WORDS[:12], 2)]
    for n in range(1, count + 1):
        title = " ".join(rng.choices(vocabulary, cum_weights=weights, k=7)).capitalize()
        paragraphs = rng.sample(pool, 5)
        published = (now - dt.timedelta(minutes=count - n)).isoformat(sep=" ")
        yield (n, rng.randint(1, OUTLETS), f"k{n}", f"https://x.test/{n}", title,
               paragraphs[0][:200], "\n\n".join(paragraphs),
               "".join(f"<p>{p}</p>" for p in paragraphs), '["Staff"]',
               rng.choice(tag_pairs), published, created)


def story_rows(count: int, seed: int = 2) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(article_stories, article_signatures, stories) rows: runs of 1-6 neighbouring
    articles form a story (id = its first article); 3% of members copy the first."""
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    members, signatures, stories = [], [], []
    n = 1
    while n <= count:
        size = min(rng.choice((1, 1, 2, 3, 4, 6)), count - n + 1)
        ids = range(n, n + size)
        times = [(now - dt.timedelta(minutes=count - i)).isoformat(sep=" ") for i in ids]
        for i, when in zip(ids, times, strict=True):
            copy = i != n and rng.random() < 0.03
            members.append((i, n, when, None))
            signatures.append((i, None, n if copy else None, "near" if copy else None))
        stories.append((n, "", times[0], times[-1], size, size))
        n += size
    return members, signatures, stories


def make_sqlite(path: Path, count: int) -> str:
    """A fresh, migrated SQLite database at ``path`` holding ``count`` generated articles."""
    sys.path.insert(0, str(ROOT / "src"))
    from broadsheet.store import open_database

    url = f"sqlite:///{path}"
    open_database(url, upgrade=True).close()
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-1000000",
                   "temp_store=MEMORY"):
        db.execute(f"PRAGMA {pragma}")
    saved = db.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND ("
        "(type = 'trigger' AND tbl_name = 'articles' AND name LIKE '%insert') OR "
        "(type = 'index' AND tbl_name IN ('articles', 'article_tags', 'article_stories',"
        " 'article_signatures', 'stories')))").fetchall()
    db.execute("BEGIN")
    for kind, name, _sql in saved:
        db.execute(f"DROP {kind.upper()} {name}")
    created = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    db.executemany(
        "INSERT INTO sources (id, url, title, settings, created) VALUES (?, ?, ?, '{}', ?)",
        [(i, f"https://outlet{i}.test/feed", f"Outlet {i}", created)
         for i in range(1, OUTLETS + 1)])
    insert = (f"INSERT INTO articles ({', '.join(ARTICLE_COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(ARTICLE_COLUMNS))})")
    rows = article_rows(count)
    while chunk := list(itertools.islice(rows, CHUNK)):
        db.executemany(insert, chunk)
    db.execute("""INSERT INTO article_tags(article_id, tag, published)
                  SELECT articles.id, lower(trim(value)), articles.published
                  FROM articles, json_each(articles.categories)""")
    members, signatures, stories = story_rows(count)
    db.executemany("INSERT INTO article_stories VALUES (?, ?, ?, ?)", members)
    db.executemany("INSERT INTO article_signatures (article_id, fingerprint, duplicate_of, "
                   "duplicate_kind) VALUES (?, ?, ?, ?)", signatures)
    db.executemany("INSERT INTO stories VALUES (?, ?, ?, ?, ?, ?)", stories)
    db.execute("UPDATE stories SET title = (SELECT title FROM articles WHERE id = stories.id)")
    db.execute("INSERT INTO story_state (name, value) VALUES ('version', 1), "
               f"('watermark', {count})")
    for kind, _name, sql in sorted(saved, key=lambda s: s[0] != "index"):
        db.execute(sql)
    db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
    db.execute("COMMIT")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("ANALYZE")
    db.close()
    return url


def make_postgres(url: str, count: int) -> None:
    """Fill the (fresh, migrated) PostgreSQL database at ``url`` with ``count`` articles,
    by COPY with the search index and the tags trigger off, then rebuilt."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn) as db, db.cursor() as cursor:
        cursor.execute("""SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN
                          ('articles', 'article_tags', 'article_stories', 'article_signatures',
                           'stories') AND indexname LIKE 'ix_%'""")
        saved = cursor.fetchall()
        for name, _sql in saved:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("ALTER TABLE articles DISABLE TRIGGER article_tags_sync")
        created = dt.datetime.now(dt.UTC)
        cursor.executemany(
            "INSERT INTO sources (id, url, title, settings, created) VALUES (%s, %s, %s, '{}', %s)",
            [(i, f"https://outlet{i}.test/feed", f"Outlet {i}", created)
             for i in range(1, OUTLETS + 1)])
        with cursor.copy(f"COPY articles ({', '.join(ARTICLE_COLUMNS)}) FROM STDIN") as copy:
            for row in article_rows(count):
                copy.write_row(row)
        cursor.execute("""INSERT INTO article_tags(article_id, tag, published)
                          SELECT DISTINCT articles.id, lower(btrim(value)), articles.published
                          FROM articles, json_array_elements_text(articles.categories) AS value""")
        members, signatures, stories = story_rows(count)
        for table, columns, data in (
                ("article_stories", "article_id, story_id, published, nearest_story_id", members),
                ("article_signatures", "article_id, fingerprint, duplicate_of, duplicate_kind",
                 signatures),
                ("stories", "id, title, first_published, last_published, article_count, "
                 "source_count", stories)):
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in data:
                    copy.write_row(row)
        cursor.execute("UPDATE stories SET title = a.title FROM articles a WHERE a.id = stories.id")
        cursor.execute("INSERT INTO story_state (name, value) VALUES ('version', 1), "
                       f"('watermark', {count})")
        cursor.execute("ALTER TABLE articles ENABLE TRIGGER article_tags_sync")
        for _name, sql in saved:
            cursor.execute(sql)
        for table in ("articles", "sources"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT max(id) FROM {table}))")
        db.commit()
        db.autocommit = True
        cursor.execute("VACUUM ANALYZE")
