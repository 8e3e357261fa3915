"""Scale-out: leases, heartbeats and workers sharing one database (both engines)."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from broadsheet.store import leases
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.schema import articles, placement_queue, sources
from broadsheet.update.worker import Worker
from tests.servers import Reply, ScriptedServer, rss


def _farm(server: ScriptedServer, feeds: int, items: int = 3, delay: float = 0.0) -> list[str]:
    urls = []
    for n in range(feeds):
        entries = [{"title": f"Feed {n} item {i}", "guid": f"f{n}-i{i}",
                    "description": f"Text of item {i} of feed {n}."} for i in range(items)]
        server.route(f"/farm/{n}.xml", Reply(200, rss(entries, title=f"Feed {n}"), delay=delay))
        urls.append(server.url(f"/farm/{n}.xml"))
    return urls


def test_claims_are_disjoint_and_expire(db):
    for n in range(6):
        source_store.add_source(db, f"http://127.0.0.1:9/{n}.xml")
    for name in ("a", "b", "c"):
        leases.register_worker(db, name)
    first = leases.claim_due_sources(db, "a", limit=4, lease_seconds=60)
    second = leases.claim_due_sources(db, "b", limit=4, lease_seconds=60)
    assert len(first) == 4 and len(second) == 2
    assert not {s.id for s in first} & {s.id for s in second}
    assert leases.claim_due_sources(db, "c", limit=4, lease_seconds=60) == []
    with db.begin() as connection:  # "a" died: its leases run out
        connection.execute(sa.update(sources).where(sources.c.lease_owner == "a")
                           .values(lease_until=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)))
    leases.extend_leases(db, "b", [s.id for s in second], 60)
    assert {s.id for s in leases.claim_due_sources(db, "c", limit=10, lease_seconds=60)} == {
        s.id for s in first}


def test_only_one_leader_until_its_lease_ends(db):
    assert leases.acquire_leader(db, "maintenance", "a", 60)
    assert not leases.acquire_leader(db, "maintenance", "b", 60)
    assert leases.acquire_leader(db, "maintenance", "a", 60)


def test_host_slots_are_shared(db):
    leases.ensure_host_slots(db, "example.org", 2)
    taken = [leases.claim_host_slot(db, "example.org", f"w{n}", slots=2, lease_seconds=60)
             for n in range(3)]
    assert taken == [0, 1, None]
    leases.release_host_slot(db, "example.org", 0, "w0")
    assert leases.claim_host_slot(db, "example.org", "w9", slots=2, lease_seconds=60) == 0


def test_threads_in_one_process_poll_each_source_once(db, settings, server):
    for url in _farm(server, 12):
        source_store.add_source(db, url)
    workers = [Worker(db, settings, batch=3, idle_seconds=0.1) for _ in range(3)]
    threads = [threading.Thread(target=w.run, kwargs={"once": True}) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(hits == 1 for hits in server.hits.values()) and len(server.hits) == 12
    assert article_store.count_articles(db) == 36


def _spawn_worker(database_url: str, home: str, *extra: str, lease: str = "3"
                  ) -> subprocess.Popen:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(BROADSHEET_HOME=home, BROADSHEET_DATABASE_URL=database_url,
                       BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32",
                       BROADSHEET_POLL_MIN_INTERVAL="3600")
    return subprocess.Popen(
        [sys.executable, "-m", "broadsheet", "worker", "--batch", "4", "--lease", lease,
         "--idle", "0.5", *extra], env=environment, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.postgres
def test_killed_worker_leases_are_reclaimed(tmp_path, _pg_database, server):
    """Three workers with real-life leases (120 s); one is SIGKILLed mid-batch. The others
    run with --once and must not stop while the dead worker's batch is still due: they
    free its leases (a dead process of this machine) and store every item, once."""
    from tests.conftest import _empty

    db = _pg_database
    _empty(db)
    urls = _farm(server, 40, delay=0.15)
    for url in urls:
        source_store.add_source(db, url)
    processes = [_spawn_worker(db.url, str(tmp_path), "--once", lease="120")
                 for _ in range(3)]
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and sum(server.hits.values()) < 6:
            time.sleep(0.05)
        processes[0].send_signal(signal.SIGKILL)
        processes[0].wait()
        for process in processes[1:]:  # --once: they stop when nothing is left to do
            assert process.wait(timeout=90) == 0
    finally:
        for process in processes[1:]:
            if process.poll() is None:
                process.kill()
    assert all(s.last_success for s in source_store.list_sources(db)), "a source was lost"
    twice = [path for path, hits in server.hits.items() if hits > 1]
    assert len(twice) <= 4, f"only the dead worker's batch may be polled again: {twice}"
    with db.begin() as connection:
        keys = connection.execute(sa.select(
            sa.func.count(), sa.func.count(sa.distinct(articles.c.entry_key)))
            .select_from(articles)).one()
        assert tuple(keys) == (40 * 3, 40 * 3)  # every item stored, none twice
        assert connection.scalar(sa.select(sa.func.count()).select_from(sources).where(
            sources.c.lease_until > dt.datetime.now(dt.UTC))) == 0
        assert connection.scalar(sa.select(sa.func.count()).select_from(placement_queue)) == 0


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fetch(url: str) -> str | None:
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except (urllib.error.URLError, OSError):
        return None


@pytest.mark.slow
@pytest.mark.postgres
def test_two_web_processes_show_what_a_worker_ingests(tmp_path, _pg_database, server):
    from tests.conftest import _empty

    db = _pg_database
    _empty(db)
    (url,) = _farm(server, 1, items=2)
    source_store.add_source(db, url)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(BROADSHEET_HOME=str(tmp_path), BROADSHEET_DATABASE_URL=db.url)
    ports = [_free_port(), _free_port()]
    webs = [subprocess.Popen([sys.executable, "-m", "broadsheet", "serve", "--port", str(p)],
                             env=environment, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL) for p in ports]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not all(
                _fetch(f"http://127.0.0.1:{p}/healthz") for p in ports):
            time.sleep(0.2)
        for port in ports:  # both have rendered the empty front page (and any cache)
            assert "Feed 0 item" not in (_fetch(f"http://127.0.0.1:{port}/") or "")
        worker = _spawn_worker(db.url, str(tmp_path))
        try:
            ingested = time.monotonic()
            seen: dict[int, float] = {}
            while time.monotonic() < ingested + 30 and len(seen) < 2:
                for port in ports:
                    if port not in seen and "Feed 0 item" in (
                            _fetch(f"http://127.0.0.1:{port}/") or ""):
                        seen[port] = time.monotonic() - ingested
                time.sleep(0.2)
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        assert set(seen) == set(ports), "an ingested article never reached a web process"
        assert max(seen.values()) < 20
    finally:
        for web in webs:
            web.send_signal(signal.SIGTERM)
            web.wait(timeout=15)


@pytest.mark.slow
@pytest.mark.postgres
def test_per_host_limit_holds_across_worker_processes(tmp_path, _pg_database, server):
    from tests.conftest import _empty

    db = _pg_database
    _empty(db)
    for url in _farm(server, 24, items=1, delay=0.25):
        source_store.add_source(db, url)
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(BROADSHEET_HOME=str(tmp_path), BROADSHEET_DATABASE_URL=db.url,
                       BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32",
                       BROADSHEET_POLL_MIN_INTERVAL="3600", BROADSHEET_PER_HOST_CONCURRENCY="2")
    processes = [subprocess.Popen(
        [sys.executable, "-m", "broadsheet", "worker", "--once", "--batch", "8"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(3)]
    for process in processes:
        process.wait(timeout=120)
    assert len(server.hits) == 24 and all(h == 1 for h in server.hits.values())
    assert server.max_active <= 2, f"{server.max_active} requests at once to one host"
