"""Site benchmark (on demand): front page, article and search against a bare "hello".

    .venv/bin/python bench/site/run.py [--articles 100000] [--seconds 10] [--connections 4]

Generates the articles straight into a fresh SQLite database (one bulk insert; the
search index and tags fill through the same triggers as in production), serves the site
with uvicorn in a subprocess (``serve.py``) and loads it from another process: ``wrk``
when installed (apt-get install wrk), else a small threaded Python client. Prints
requests/s and p50/p95/p99 latency for each page beside the "hello" route of the same
server in the same run, with the ratio to hello.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import datetime as dt
import http.client
import itertools
import json
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parents[1]
WORDS = ("harbour council bridge ferry school storm budget election hospital railway museum "
         "festival river market police court mayor minister teachers nurses farmers fishermen "
         "harvest drought flood wind solar tram bus airport tunnel library park housing rents "
         "taxes wages strike museum theatre orchestra football cycling marathon chess science "
         "research university vaccine climate energy water forest wildlife coast island").split()
QUERIES = ["harbour", "council budget", '"railway strike"', "flood*", "mayor OR minister",
           "museum -theatre", "climate energy", "ferr*"]


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


def make_database(path: Path, articles: int, seed: int = 1) -> str:
    """A fresh SQLite database with ``articles`` generated articles across 50 outlets."""
    sys.path.insert(0, str(ROOT / "src"))
    from broadsheet.store import open_database

    url = f"sqlite:///{path}"
    open_database(url, upgrade=True).close()
    rng = random.Random(seed)
    vocabulary, weights = _vocabulary(rng)
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=OFF")
    created = now.isoformat(sep=" ")
    connection.executemany(
        "INSERT INTO sources (id, url, title, settings, created) VALUES (?, ?, ?, '{}', ?)",
        [(i, f"https://outlet{i}.test/feed", f"Outlet {i}", created) for i in range(1, 51)])

    def rows():
        for n in range(1, articles + 1):
            title = " ".join(rng.choices(vocabulary, cum_weights=weights, k=7)).capitalize()
            paragraphs = [" ".join(rng.choices(vocabulary, cum_weights=weights, k=50)) + "."
                          for _ in range(5)]
            text = "\n\n".join(paragraphs)
            html = "".join(f"<p>{p}</p>" for p in paragraphs)
            published = (now - dt.timedelta(minutes=n * 5)).isoformat(sep=" ")
            tags = json.dumps(rng.sample(WORDS[:12], 2))
            yield (n, rng.randint(1, 50), f"k{n}", f"https://x.test/{n}", title,
                   paragraphs[0][:200], text, html, '["Staff"]', tags, published, created)

    connection.executemany(
        "INSERT INTO articles (id, source_id, entry_key, canonical_url, title, summary, text, "
        "html, authors, categories, published, created) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        rows())
    connection.commit()
    connection.execute("PRAGMA optimize")
    connection.close()
    return url


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4,
                        help="Concurrent connections; few, so latency shows service time.")
    parser.add_argument("--python-load", action="store_true", help="Do not use wrk.")
    args = parser.parse_args()
    load = load_wrk if shutil.which("wrk") and not args.python_load else load_python
    with tempfile.TemporaryDirectory() as folder:
        started = time.monotonic()
        url = make_database(Path(folder) / "bench.db", args.articles)
        print(f"generated {args.articles} articles in {time.monotonic() - started:.1f}s")
        port = free_port()
        server = subprocess.Popen([sys.executable, str(HERE / "serve.py"), url, str(port)],
                                  cwd=ROOT)
        try:
            wait_for(port)
            rng = random.Random(2)
            from urllib.parse import quote
            cases = {
                "hello": ["/hello"],
                "front page": ["/"],
                "article": [f"/articles/{rng.randint(1, args.articles)}" for _ in range(500)],
                "search": [f"/search?q={quote(q)}" for q in QUERIES],
            }
            for paths in cases.values():  # warm up
                load(port, paths, 1, 4)
            results = {name: load(port, paths, args.seconds, args.connections)
                       for name, paths in cases.items()}
        finally:
            server.terminate()
            server.wait(10)
    hello = results["hello"]["rps"]
    print(f"\n{args.articles} articles, SQLite, {args.connections} connections, "
          f"{args.seconds}s each, load: {load.__name__.removeprefix('load_')}")
    print(f"{'page':<12} {'req/s':>9} {'vs hello':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}"
          f" {'errors':>7}")
    for name, r in results.items():
        print(f"{name:<12} {r['rps']:>9.0f} {r['rps'] / hello:>8.0%} {r['p50']:>8.1f} "
              f"{r['p95']:>8.1f} {r['p99']:>8.1f} {r['errors']:>7.0f}")


if __name__ == "__main__":
    main()
