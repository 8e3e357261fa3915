"""The placement queue on both engines: stored articles wait in it, placement empties it,
and a placer killed mid-batch loses nothing and places nothing twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench.common.corpus import generate_story_corpus
from broadsheet.store import open_database
from broadsheet.store.placement_queue import count_queued
from broadsheet.store.schema import article_stories, articles, placement_queue, stories
from broadsheet.update import stories_step
from broadsheet.update.import_articles import import_lines
from broadsheet.update.stories_step import assign_pending_stories, rebuild_stories


@pytest.fixture(autouse=True)
def _fresh_desks() -> Iterator[None]:
    stories_step._desks.clear()
    yield
    stories_step._desks.clear()


def _lines(count: int, seed: int = 7) -> list[str]:
    return [json.dumps({"id": i["id"], "title": i["title"], "text": i["text"], "url": i["url"],
                        "published": str(i["published"]), "source": i["source"]})
            for i in generate_story_corpus(seed, count)]


def _state(db) -> tuple[dict[int, int], set[int], set[int], int]:
    """(placed article -> story, queued ids, stored ids, sum of the stories' counts)."""
    with db.begin() as connection:
        placed = dict(connection.execute(
            sa.select(article_stories.c.article_id, article_stories.c.story_id)).all())
        queued = set(connection.scalars(sa.select(placement_queue.c.article_id)))
        stored = set(connection.scalars(sa.select(articles.c.id)))
        counted = connection.scalar(sa.select(sa.func.sum(stories.c.article_count))) or 0
    return placed, queued, stored, int(counted)


def test_stored_articles_wait_in_the_queue_until_placed(db, settings):
    report = import_lines(db, _lines(60))
    assert report.imported == 60
    assert count_queued(db) == 60
    assert assign_pending_stories(db, settings) == 60
    placed, queued, stored, counted = _state(db)
    assert queued == set() and set(placed) == stored and counted == 60
    assert assign_pending_stories(db, settings) == 0
    assert rebuild_stories(db, settings) == 60  # a rebuild queues every article again
    assert count_queued(db) == 0


def test_deleting_an_article_takes_it_off_the_queue(db, settings):
    from broadsheet.store.tombstones import delete_articles

    import_lines(db, _lines(5))
    with db.begin() as connection:
        first = connection.scalar(sa.select(sa.func.min(articles.c.id)))
    assert delete_articles(db, [first]) == 1
    assert count_queued(db) == 4
    assert assign_pending_stories(db, settings) == 4


def _cli_environment(home: Path, database_url: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(BROADSHEET_HOME=str(home), BROADSHEET_DATABASE_URL=database_url,
                       BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32")
    return environment


def test_placer_killed_mid_batch_loses_nothing_and_places_nothing_twice(db, tmp_path):
    total = 2 * stories_step.BATCH + 400  # several batches: a window to kill in
    import_lines(db, _lines(total, seed=3))
    assert count_queued(db) == total
    environment = _cli_environment(tmp_path, db.url)
    process = subprocess.Popen([sys.executable, "-m", "broadsheet", "update"],
                               env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and count_queued(db) == total:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)  # after its first batch's commit, before its last
    process.wait()
    placed, queued, stored, counted = _state(db)
    assert 0 < len(placed) < total, "the placer was not killed mid-run"
    # Nothing lost: every article is either placed or still queued, never both.
    assert set(placed) | queued == stored and not set(placed) & queued
    assert counted == len(placed)
    rerun = subprocess.run([sys.executable, "-m", "broadsheet", "update"], env=environment,
                           capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{total - len(placed)} articles placed in stories; 0 await placement" \
        in rerun.stdout
    after, queued_after, stored_after, counted_after = _state(db)
    assert queued_after == set() and set(after) == stored_after
    assert counted_after == total  # each article in exactly one story, counted once
    assert {a: after[a] for a in placed} == placed  # the dead run's placements stand


def test_upgrade_queues_the_articles_stored_before_the_queue(db, settings):
    """Upgrading a database from before the queue queues exactly its unplaced articles."""
    from alembic import command

    import_lines(db, _lines(4, seed=5))
    assert assign_pending_stories(db, settings) == 4
    with db.engine.begin() as connection:
        command.downgrade(db._alembic_config(connection), "ingest_0001")
    stories_step._desks.clear()
    import_lines(db, _lines(7, seed=5)[4:])  # stored while there was no queue
    db.upgrade()
    assert db.is_current()
    assert count_queued(db) == 3
    assert assign_pending_stories(db, settings) == 3
    placed, queued, stored, counted = _state(db)
    assert set(placed) == stored and not queued and counted == 7
