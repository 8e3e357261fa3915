"""F. Crash safety: kills, locks, a full disk, eight writers, a killed migration, a live backup.

The farm grows by one *generation* of items per round, so every round has work for
``broadsheet update`` to be killed in the middle of. After each kill the database must
pass its integrity check, hold each (source, entry key) once, keep every feed-only
batch all-or-nothing, and never carry a source's validators (ETag) ahead of its stored
entries; at the end a re-poll must bring every item, once.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from broadsheet.store import open_database
from broadsheet.store import sources as source_store
from broadsheet.store.backup import backup_database
from broadsheet.update.pipeline import run_update
from tests.adversarial.conftest import cli_env, integrity, run_cli, spawn_cli
from tests.adversarial.feeds import rss_document, text
from tests.conftest import make_settings
from tests.servers import Reply, Request, ScriptedServer, page

ITEMS_PER_GENERATION = 3
PAGE_FEEDS = 2  # feeds whose items' pages are fetched (one transaction per article)
FEED_ONLY = 1  # feeds stored as one batch with their validators


class Farm:
    """Feeds on a ScriptedServer that gain a generation of items on demand."""

    def __init__(self, server: ScriptedServer, page_delay: float = 0.06,
                 page_feeds: int = PAGE_FEEDS, feed_only: int = FEED_ONLY):
        self.server = server
        self.generation = 0
        self.page_delay = page_delay
        self.page_feeds = page_feeds
        self.feeds = page_feeds + feed_only
        for feed in range(self.feeds):
            server.route(f"/farm/{feed}.xml", self._feed(feed))

    def etag(self, feed: int, generation: int) -> str:
        return f'"{feed}-{generation}"'

    def keys(self, feed: int, generation: int) -> set[str]:
        return {f"id:f{feed}-g{generation}-{k}" for k in range(ITEMS_PER_GENERATION)}

    def _feed(self, feed: int):  # noqa: ANN202 - a route
        def answer(request: Request) -> Reply:
            generation = self.generation
            etag = self.etag(feed, generation)
            if request.headers.get("If-None-Match") == etag:
                return Reply(304, headers={"ETag": etag})
            items = []
            for g in range(generation, -1, -1):
                for k in range(ITEMS_PER_GENERATION):
                    link = self.server.url(f"/page/{feed}/{g}/{k}")
                    self.server.route(f"/page/{feed}/{g}/{k}", Reply(200, page(
                        f"Feed {feed} generation {g} item {k}",
                        [f"Paragraph of feed {feed}, generation {g}, item {k}, long enough."]),
                        {"Content-Type": "text/html"}, delay=self.page_delay))
                    items.append(text("guid", f"f{feed}-g{g}-{k}")
                                 + text("title", f"Feed {feed} generation {g} item {k}")
                                 + text("link", link)
                                 + text("description", f"<p>Item {k} of generation {g}.</p>"
                                        + "<p>" + "padding " * 300 + "</p>"))
            return Reply(200, rss_document(items, title=f"Farm {feed}"), {"ETag": etag})
        return answer

    def subscribe(self, database_url: str) -> None:
        db = open_database(database_url, upgrade=True)
        try:
            for feed in range(self.feeds):
                source = source_store.add_source(db, self.server.url(f"/farm/{feed}.xml"))
                if feed >= self.page_feeds:
                    source_store.update_source(db, source.id, settings={"feed_only": True})
        finally:
            db.close()


def check_invariants(database_url: str, farm: Farm) -> dict[int, set[str]]:
    """The post-crash invariants; returns the stored keys of each feed."""
    if database_url.startswith("sqlite"):
        assert integrity(Path(database_url.split(":///", 1)[1])) == "ok"
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            duplicates = connection.execute(sa.text(
                "SELECT source_id, entry_key, COUNT(*) FROM articles "
                "GROUP BY source_id, entry_key HAVING COUNT(*) > 1")).all()
            assert duplicates == [], duplicates
            sources = connection.execute(sa.text("SELECT id, url, etag FROM sources")).all()
            stored: dict[int, set[str]] = {}
            for source_id, url, etag in sources:
                feed = int(url.rsplit("/", 1)[1].split(".")[0])
                keys = set(connection.scalars(sa.text(
                    "SELECT entry_key FROM articles WHERE source_id = :s"), {"s": source_id}))
                stored[feed] = keys
                if etag:
                    generation = int(etag.strip('"').split("-")[1])
                    wanted = set().union(*(farm.keys(feed, g) for g in range(generation + 1)))
                    missing = wanted - keys
                    assert not missing, (f"feed {feed} has validators of generation "
                                         f"{generation} but lacks {sorted(missing)}")
                if feed >= farm.page_feeds:  # one batch per poll: whole generations only
                    for g in range(farm.generation + 1):
                        part = farm.keys(feed, g) & keys
                        assert part in (set(), farm.keys(feed, g)), (feed, g, part)
    finally:
        engine.dispose()
    return stored


def _expected_total(farm: Farm) -> int:
    return farm.feeds * (farm.generation + 1) * ITEMS_PER_GENERATION


def _wait_for_requests(server: ScriptedServer, already: int, process: subprocess.Popen,
                       timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while len(server.requests) <= already and process.poll() is None:
        if time.monotonic() > deadline:
            return
        time.sleep(0.01)


def _crash_loop(home: Path, database_url: str, iterations: int, seed: int) -> tuple[int, int]:
    """Kill ``broadsheet update`` at random points; return (iterations, kills mid-run)."""
    rng = random.Random(seed)
    server = ScriptedServer().start()
    mid_run = 0
    try:
        farm = Farm(server)
        farm.subscribe(database_url)
        env = {"BROADSHEET_DATABASE_URL": database_url, "BROADSHEET_PER_HOST_CONCURRENCY": "2"}
        for iteration in range(iterations):
            farm.generation += 1
            seen = len(server.requests)
            process = spawn_cli(home, "update", "--all", **env)
            _wait_for_requests(server, seen, process)
            time.sleep(rng.uniform(0.0, 0.5))
            if process.poll() is None:
                mid_run += 1
                process.send_signal(signal.SIGKILL)
            err = process.communicate(timeout=30)[1].decode()
            if process.returncode not in (0, -signal.SIGKILL):
                pytest.fail(f"round {iteration}: update exited {process.returncode}: "
                            f"{err[-2000:]}")
            check_invariants(database_url, farm)
        settings = make_settings(home, database_url=database_url, poll_min_interval=60)
        db = open_database(database_url)
        try:
            run_update(db, settings, everything=True)
            run_update(db, settings, everything=True)
        finally:
            db.close()
        stored = check_invariants(database_url, farm)
        for feed in range(farm.feeds):
            wanted = set().union(*(farm.keys(feed, g) for g in range(farm.generation + 1)))
            assert stored[feed] == wanted, f"feed {feed} lost {sorted(wanted - stored[feed])}"
        assert sum(len(v) for v in stored.values()) == _expected_total(farm)
    finally:
        server.stop()
    return iterations, mid_run


CRASH_RESULTS: list[str] = []


@pytest.mark.parametrize("iterations", [10])
def test_sigkill_update_at_random_points(tmp_path, database_url, iterations, request):
    if not database_url.startswith("sqlite") and request.config.option.markexpr.strip() != "slow":
        iterations = 4  # PostgreSQL: the same loop, shorter by default
    done, mid = _crash_loop(tmp_path, database_url, iterations, seed=9)
    CRASH_RESULTS.append(f"{database_url.split(':')[0]}: {done}/{iterations}, {mid} mid-run")
    print(f"crash loop: {done}/{iterations} rounds passed, {mid} killed mid-run")
    assert mid >= iterations // 2, "too few kills landed while the update was running"


@pytest.mark.slow
def test_sigkill_update_one_hundred_times(tmp_path):
    url = f"sqlite:///{tmp_path / 'broadsheet.db'}"
    done, mid = _crash_loop(tmp_path, url, 100, seed=100)
    print(f"crash loop: {done}/100 rounds passed, {mid} killed mid-run")
    assert mid >= 50


def test_writer_blocked_by_a_long_exclusive_lock_retries_and_succeeds(tmp_path, server):
    farm = Farm(server, page_delay=0.0)
    url = f"sqlite:///{tmp_path / 'broadsheet.db'}"
    farm.subscribe(url)
    locked, release = threading.Event(), threading.Event()

    def hold() -> None:
        with sqlite3.connect(tmp_path / "broadsheet.db", timeout=30,
                             isolation_level=None) as connection:
            connection.execute("BEGIN EXCLUSIVE")
            locked.set()
            release.wait(2.0)
            connection.execute("COMMIT")

    holder = threading.Thread(target=hold)
    holder.start()
    assert locked.wait(5)
    started = time.monotonic()
    db = open_database(url)
    try:
        summary = run_update(db, make_settings(tmp_path), everything=True)
    finally:
        db.close()
        release.set()
        holder.join()
    assert time.monotonic() - started >= 1.5, "the writer did not wait for the lock"
    assert summary.count("error") == 0, [o.error for o in summary.outcomes]
    assert sum(len(v) for v in check_invariants(url, farm).values()) == _expected_total(farm)


MIGRATION_BUG = (
    "store/db.py Database.upgrade: on SQLite, pysqlite runs DDL outside any transaction "
    "(legacy transaction control), so a migration killed half-way leaves tables without "
    "an alembic_version row, and 8 processes starting on a fresh database all run the "
    "first migration at once ('table sources already exists'); take the write lock first "
    "(SQLAlchemy's pysqlite recipe: isolation_level=None plus an explicit BEGIN IMMEDIATE "
    "on 'begin'), and on PostgreSQL pg_advisory_xact_lock, before alembic reads the version")


@pytest.mark.parametrize("fresh", [False, True], ids=["initialised", "fresh-database"])
def test_eight_processes_ingesting_the_same_feeds(tmp_path, database_url, server, fresh,
                                                  request):
    """Eight ``broadsheet update`` processes at once, on each engine (PostgreSQL too: it
    runs in the default suite), on a database already set up and on one not even
    migrated yet, where all eight race to create the schema."""
    if fresh and not database_url.startswith("sqlite"):
        database_url = request.getfixturevalue("fresh_postgres_url")  # no schema at all
    farm = Farm(server, page_delay=0.0, page_feeds=1, feed_only=2)
    if fresh:
        db = open_database(database_url, upgrade=False)
        try:
            assert not db.is_current(), "the 'fresh' database already has the schema"
        finally:
            db.close()
        procs = [spawn_cli(tmp_path, "update", "--all", BROADSHEET_DATABASE_URL=database_url)
                 for _ in range(8)]
        time.sleep(0.5)  # let them race for the schema, then subscribe through one
        outputs = [p.communicate(timeout=120)[1] for p in procs]
        errors = [err.decode()[-1500:] for p, err in zip(procs, outputs, strict=True)
                  if p.returncode != 0]
        assert not errors, errors[0]
    farm.subscribe(database_url)
    procs = [spawn_cli(tmp_path, "update", "--all", BROADSHEET_DATABASE_URL=database_url)
             for _ in range(8)]
    failures = []
    for process in procs:
        err = process.communicate(timeout=120)[1].decode()
        if process.returncode != 0 or "Traceback" in err:
            failures.append(err[-1500:])
    assert not failures, failures[0]
    stored = check_invariants(database_url, farm)
    assert sum(len(v) for v in stored.values()) == _expected_total(farm)


def _limit_file_size(limit: int):  # noqa: ANN202 - a preexec_fn
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # writes fail with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_disk_full_rolls_back_cleanly_and_recovers(tmp_path, server):
    """RLIMIT_FSIZE stands in for a full disk: SQLite's writes past it fail with EFBIG.

    (``PRAGMA max_page_count`` would be neater but applies per connection, and the
    application opens its own; see the report for the hook that would allow it.)
    """
    farm = Farm(server, page_delay=0.0)
    url = f"sqlite:///{tmp_path / 'broadsheet.db'}"
    farm.subscribe(url)
    run_cli(tmp_path, "update", "--all")
    check_invariants(url, farm)
    with sqlite3.connect(tmp_path / "broadsheet.db") as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = (tmp_path / "broadsheet.db").stat().st_size
    farm.generation += 3
    full = subprocess.run(
        [sys.executable, "-m", "broadsheet", "update", "--all"], env=cli_env(tmp_path),
        capture_output=True, text=True, timeout=120, preexec_fn=_limit_file_size(size + 16384))
    # A storage failure is logged with its traceback and the run goes on: not a crash.
    assert full.returncode != 0 or " failed" in full.stdout and " 0 failed" not in full.stdout, \
        (full.stdout, full.stderr[-1000:])
    stored = check_invariants(url, farm)
    assert sum(len(v) for v in stored.values()) < _expected_total(farm), "nothing was refused"
    run_cli(tmp_path, "update", "--all")
    stored = check_invariants(url, farm)
    assert sum(len(v) for v in stored.values()) == _expected_total(farm)


def _tables(path: Path) -> int:
    try:
        with sqlite3.connect(path, timeout=0.1) as connection:
            return int(connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0])
    except sqlite3.Error:
        return 0


def test_sigkill_during_db_upgrade_then_upgrade_again(tmp_path):
    rng = random.Random(7)
    landed = 0
    for attempt in range(4):
        home = tmp_path / f"u{attempt}"
        home.mkdir()
        path = home / "broadsheet.db"
        process = spawn_cli(home, "db", "upgrade")
        deadline = time.monotonic() + 20
        # Kill as soon as the first table is visible, plus a random moment more.
        while process.poll() is None and time.monotonic() < deadline:
            if path.exists() and _tables(path):
                break
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.03))
        if process.poll() is None:
            landed += 1
            process.send_signal(signal.SIGKILL)
        process.communicate(timeout=30)
        again = run_cli(home, "db", "upgrade", check=False)
        assert again.returncode == 0 and "schema is current" in again.stdout, \
            f"attempt {attempt}: {again.stderr[-2000:]}"
        assert integrity(path) == "ok"
    assert landed >= 2, "too few kills landed during the migration"


def test_backup_during_ingestion_passes_the_integrity_check(tmp_path, server):
    farm = Farm(server, page_delay=0.15)
    url = f"sqlite:///{tmp_path / 'broadsheet.db'}"
    farm.subscribe(url)
    farm.generation = 4
    seen = len(server.requests)
    process = spawn_cli(tmp_path, "update", "--all", BROADSHEET_PER_HOST_CONCURRENCY="1")
    try:
        _wait_for_requests(server, seen + 3, process)
        copies = []
        for n in range(3):  # once as a user would, then twice more in quick succession
            target = tmp_path / f"copy{n}.db"
            if n == 0:
                out = run_cli(tmp_path, "db", "backup", str(target)).stdout
            else:
                live = open_database(url)
                try:
                    out = backup_database(live, str(target))
                finally:
                    live.close()
            assert "integrity ok" in out
            copies.append(target)
            time.sleep(0.2)
        assert process.poll() is None, "ingestion ended before the backups: make pages slower"
    finally:
        process.communicate(timeout=120)
    assert process.returncode == 0
    for target in copies:
        assert integrity(target) == "ok"
        restored = open_database(f"sqlite:///{target}")
        try:
            assert restored.is_current()
            backup_database(restored, str(tmp_path / f"{target.stem}-again.db"))
        finally:
            restored.close()
    check_invariants(url, farm)
    os.sync()
