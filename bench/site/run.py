"""Site benchmark (on demand): front page, article and search against a bare "hello".

    .venv/bin/python bench/site/run.py [--articles 100000] [--engine sqlite|postgresql]
                                       [--seconds 10] [--connections 4] [--database URL]

Generates the articles into a scratch database (``generate.py``: bulk insert, then the
search index, tags and stories built in one pass each; PostgreSQL from
BROADSHEET_TEST_POSTGRES, in a database of its own dropped afterwards), serves the site
with uvicorn in a subprocess (``serve.py``) and loads it from another process: ``wrk``
when installed (apt-get install wrk), else a small threaded Python client. Prints
requests/s and p50/p95/p99 latency for each page beside the "hello" route of the same
server in the same run, with the ratio to hello, and the machine's load average.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import generate

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
QUERIES = ["harbour", "council budget", '"railway strike"', "flood*", "mayor OR minister",
           "museum -theatre", "climate energy", "ferr*"]
DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def scratch_database(engine: str, articles: int) -> Iterator[str]:
    """A database URL holding ``articles`` generated articles, removed afterwards."""
    if engine == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield generate.make_sqlite(Path(folder) / "bench.db", articles)
        return
    import psycopg

    sys.path.insert(0, str(ROOT / "src"))
    from broadsheet.store import open_database

    base = os.environ.get("BROADSHEET_TEST_POSTGRES", DEFAULT_POSTGRES)
    name = f"bench_site_{os.getpid()}"
    admin = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    url = base.rsplit("/", 1)[0] + "/" + name
    try:
        open_database(url, upgrade=True).close()
        generate.make_postgres(url, articles)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/hello")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def load_wrk(port: int, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    command = ["wrk", f"-t{min(4, connections)}", f"-c{connections}", f"-d{seconds}s",
               "-s", str(HERE / "report.lua"), f"http://127.0.0.1:{port}", "--", *paths]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(x for x in output.splitlines() if x.startswith("RESULT "))
    data = json.loads(line.removeprefix("RESULT "))
    return {"rps": data["requests"] / (data["duration_us"] / 1e6), "errors": data["errors"],
            **{k: data[k] / 1000 for k in ("p50", "p95", "p99")}}


def _python_worker(port: int, paths: list[str], until: float) -> list[float]:
    timings = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = random.randrange(len(paths))
    while time.monotonic() < until:
        n += 1
        started = time.perf_counter()
        connection.request("GET", paths[n % len(paths)])
        connection.getresponse().read()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def load_python(port: int, paths: list[str], seconds: int, connections: int) -> dict[str, float]:
    """Fallback load generator: threads in this (separate) process, keep-alive connections."""
    until = time.monotonic() + seconds
    with concurrent.futures.ThreadPoolExecutor(connections) as pool:
        results = list(pool.map(lambda _: _python_worker(port, paths, until), range(connections)))
    timings = sorted(t for r in results for t in r)

    def pct(p: float) -> float:
        return timings[min(len(timings) - 1, int(len(timings) * p / 100))]

    return {"rps": len(timings) / seconds, "errors": 0, "p50": pct(50), "p95": pct(95),
            "p99": pct(99)}


def measure(url: str, articles: int, load: Any, seconds: int,
            connections: int) -> dict[str, dict[str, float]]:
    """Serve ``url`` in a subprocess and load each page in turn, hello first."""
    port = free_port()
    server = subprocess.Popen([sys.executable, str(HERE / "serve.py"), url, str(port)], cwd=ROOT)
    try:
        wait_for(port)
        rng = random.Random(2)
        cases = {
            "hello": ["/hello"],
            "front page": ["/"],
            # 500 articles read again and again (the per-process page cache serves them) ...
            "article": [f"/articles/{rng.randint(1, articles)}" for _ in range(500)],
            # ... and articles read once each: every request renders.
            "article once": [f"/articles/{rng.randint(1, articles)}" for _ in range(20_000)],
            "search": [f"/search?q={quote(q)}" for q in QUERIES],
        }
        for name, paths in cases.items():  # warm up (not the read-once articles)
            load(port, paths if name != "article once" else ["/articles/1"], 1, connections)
        return {name: load(port, paths, seconds, connections) for name, paths in cases.items()}
    finally:
        server.terminate()
        server.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--database", help="Serve this already generated database instead "
                        "(its --articles must match).")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4,
                        help="Concurrent connections; few, so latency shows service time.")
    parser.add_argument("--python-load", action="store_true", help="Do not use wrk.")
    args = parser.parse_args()
    load = load_wrk if shutil.which("wrk") and not args.python_load else load_python
    with contextlib.ExitStack() as stack:
        started = time.monotonic()
        url = args.database or stack.enter_context(scratch_database(args.engine, args.articles))
        print(f"database ready in {time.monotonic() - started:.1f}s", flush=True)
        results = measure(url, args.articles, load, args.seconds, args.connections)
    hello = results["hello"]["rps"]
    engine = url.split(":", 1)[0].split("+")[0]
    print(f"\n{args.articles} articles, {engine}, {args.connections} connections, "
          f"{args.seconds}s each, load: {load.__name__.removeprefix('load_')}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"{'page':<13} {'req/s':>8} {'vs hello':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'errors':>7}")
    for name, r in results.items():
        print(f"{name:<13} {r['rps']:>8.0f} {r['rps'] / hello:>8.0%} {r['p50']:>8.1f} "
              f"{r['p95']:>8.1f} {r['p99']:>8.1f} {r['errors']:>7.0f}")


if __name__ == "__main__":
    main()
