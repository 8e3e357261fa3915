"""Scale-out benchmark: throughput of 1, 2 and 4 worker processes on one PostgreSQL.

Run on demand:  .venv/bin/python bench/scale/run.py [--feeds 2000] [--workers 1,2,4]

A feed farm (``bench/common/farm.py``: ``/farm/<n>.xml``, 20 items each) runs in its own
process. For each worker count a fresh database gets the same subscriptions; the
workers run ``broadsheet worker --once`` until nothing is due and nothing awaits
placement in stories. Two curves: the whole path (polling, storing, and the stories
stage, which one worker at a time runs under the stories lease) and polling alone
(``--no-stories``: the part that parallelises). Printed: wall time, feeds/s and
entries/s, the ratio to one worker measured in the same run, articles placed, the most
database connections seen, and the peak resident memory of one worker.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

FARM = Path(__file__).resolve().parents[1] / "common" / "farm.py"
ADMIN_URL = os.environ.get("BROADSHEET_TEST_POSTGRES",
                           "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def fresh_database(feeds: list[str]) -> tuple[str, str]:
    from broadsheet.store import open_database
    from broadsheet.store.db import utcnow
    from broadsheet.store.schema import sources

    name = f"broadsheet_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    db = open_database(url, upgrade=True)
    with db.begin() as connection:
        connection.execute(sources.insert(), [
            {"url": u, "title": "", "settings": {}, "created": utcnow()} for u in feeds])
    db.close()
    return name, url


def drop_database(name: str) -> None:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(
            f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"))
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def run_workers(count: int, url: str, name: str, stories: bool = True) -> dict[str, float]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(BROADSHEET_DATABASE_URL=url, BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32",
                       BROADSHEET_FETCH_PAGES="false", BROADSHEET_HOME="/tmp/broadsheet-bench",
                       BROADSHEET_PER_HOST_CONCURRENCY="8", BROADSHEET_CONCURRENCY="32")
    started = time.monotonic()
    processes = [subprocess.Popen(
        [sys.executable, "-m", "broadsheet", "worker", "--once", "--batch", "100",
         *([] if stories else ["--no-stories"])],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(count)]
    peak = {"rss": 0.0, "connections": 0.0}
    watcher = sa.create_engine(ADMIN_URL)

    def watch() -> None:
        while any(p.poll() is None for p in processes):
            peak["rss"] = max([peak["rss"]] + [rss_mb(p.pid) for p in processes])
            with watcher.connect() as connection:
                used = connection.scalar(sa.text(
                    f"SELECT count(*) FROM pg_stat_activity WHERE datname = '{name}'"))
            peak["connections"] = max(peak["connections"], float(used or 0))
            time.sleep(0.2)

    thread = threading.Thread(target=watch)
    thread.start()
    for process in processes:
        process.wait()
    wall = time.monotonic() - started
    thread.join()
    watcher.dispose()
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        entries = connection.scalar(sa.text("SELECT count(*) FROM articles"))
        polled = connection.scalar(sa.text(
            "SELECT count(*) FROM sources WHERE last_success IS NOT NULL"))
        placed = connection.scalar(sa.text("SELECT count(*) FROM article_stories"))
    engine.dispose()
    return {"wall": wall, "polled": float(polled or 0), "entries": float(entries or 0),
            "placed": float(placed or 0), **peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--curves", default="whole,polling",
                        help="whole (stories included), polling (--no-stories), or both")
    args = parser.parse_args()
    port = free_port()
    farm = subprocess.Popen([sys.executable, str(FARM), "--port", str(port),
                             "--feeds", str(args.feeds)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(2)
    feeds = [f"http://127.0.0.1:{port}/farm/{n}.xml" for n in range(args.feeds)]
    rows = []
    try:
        curves = [c.strip() == "whole" for c in args.curves.split(",")]
        for stories in curves:
            for count in (int(c) for c in args.workers.split(",")):
                name, url = fresh_database(feeds)
                try:
                    rows.append((stories, count, run_workers(count, url, name, stories)))
                finally:
                    drop_database(name)
    finally:
        farm.terminate()
        farm.wait()
    print(f"{args.feeds} feeds x 20 items, PostgreSQL, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    for stories in curves:
        chosen = [(c, r) for s, c, r in rows if s == stories]
        base = chosen[0][1]["polled"] / chosen[0][1]["wall"]
        print("whole path, stories included:" if stories else "polling alone (--no-stories):")
        print(f"{'workers':>7} {'wall s':>7} {'feeds/s':>8} {'entries/s':>10} {'vs 1':>6} "
              f"{'placed':>7} {'db conns':>8} {'peak RSS MB':>11}")
        for count, row in chosen:
            rate = row["polled"] / row["wall"]
            print(f"{count:>7} {row['wall']:>7.1f} {rate:>8.0f} "
                  f"{row['entries'] / row['wall']:>10.0f} {rate / base:>6.2f} "
                  f"{row['placed']:>7.0f} {row['connections']:>8.0f} {row['rss']:>11.0f}")


if __name__ == "__main__":
    main()
