"""Load benchmark: the site and API under a steady request rate, idle and while ingesting.

Run on demand:  .venv/bin/python bench/load/run.py [--seconds 300] [--rate 50] [--feeds 2000]

A feed farm (``bench/common/farm.py``, ``/farm/<n>.xml``) runs in its own process. A first
slice of it is ingested with ``broadsheet update`` so the pages have articles; then
``broadsheet run`` serves the site and polls on its schedule. A load generator in
another process holds a fixed rate across the front page, article pages, search and
``/api/v1/articles``: first while nothing is due (idle), then after the whole farm is
subscribed (ingesting). Printed for both phases: requests/s, p50/p99 latency overall
and per kind (front, article, search, API), errors; the server's resident memory through
the run; and the p99 ratio ingesting / idle. The load generator runs at a lower CPU
priority (``--generator-nice``, default 5) so that it does not take the cores from what
it measures, and its own CPU time is printed, with how late it sent requests against its
schedule (``late p99``: time the generator itself lost), so its share is accounted for.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

FARM = Path(__file__).resolve().parents[1] / "common" / "farm.py"
KINDS = ("front", "article", "search", "api")
GENERATOR_NICE = 5

WORDS = ["harbour", "council", "bridge", "school", "storm", "river", "market", "train",
         "budget", "mayor", "festival", "hospital"]


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


def wait_for(url: str, timeout: float = 60) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=2)
            connection.request("GET", parts.path or "/")
            if connection.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"load: {url} did not come up")


# --- the load generator (runs in its own process) -----------------------------------------

def generate(base: str, rate: float, seconds: float, out: str, threads: int = 32) -> None:
    """Send ``rate`` requests/s for ``seconds`` on a fixed schedule; write the figures."""
    parts = urlsplit(base)
    ids = _article_ids(parts)
    paths = ["/", "/api/v1/articles?limit=20"]
    latencies: list[float] = []
    by_kind: dict[str, list[float]] = {name: [] for name in KINDS}
    late: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()
    total = int(rate * seconds)
    start = time.monotonic() + 0.5

    def worker(offset: int) -> None:
        rng = random.Random(offset)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        for n in range(offset, total, threads):
            due = start + n / rate
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            kind = n % 4
            path = (paths[0] if kind == 0 else f"/articles/{rng.choice(ids)}" if kind == 1 and ids
                    else f"/search?q={rng.choice(WORDS)}" if kind == 2 else paths[1])
            sent = time.monotonic()
            problem = None
            try:
                connection.request("GET", path, headers={"User-Agent": "broadsheet-load"})
                response = connection.getresponse()
                response.read()
                if response.status >= 400:
                    problem = f"HTTP {response.status} {path.split('?')[0][:20]}"
            except (OSError, http.client.HTTPException) as error:
                problem = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname or "", parts.port,
                                                        timeout=30)
            done = time.monotonic()
            with lock:
                latencies.append(done - sent)
                by_kind[KINDS[kind] if kind != 1 or ids else KINDS[3]].append(done - sent)
                late.append(max(0.0, sent - due))
                if problem:
                    errors[problem] = errors.get(problem, 0) + 1
        connection.close()

    pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.monotonic() - start
    Path(out).write_text(json.dumps({"latencies": latencies, "late": late, "errors": errors,
                                     "elapsed": elapsed, "by_kind": by_kind}))


def _article_ids(parts) -> list[int]:  # noqa: ANN001
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    connection.request("GET", "/api/v1/articles?limit=200")
    body = json.loads(connection.getresponse().read())
    return [a["id"] for a in body.get("articles", [])]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def phase(base: str, rate: float, seconds: float, server_pid: int, label: str) -> dict:
    """Run the generator in another process while sampling the server's memory."""
    out = tempfile.mktemp(suffix=".json")
    samples: list[float] = [rss_mb(server_pid)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen([sys.executable, __file__, "--generate", base, str(rate),
                                str(seconds), out],
                               preexec_fn=lambda: os.nice(GENERATOR_NICE))
    while process.poll() is None:
        time.sleep(min(10.0, seconds / 6))
        samples.append(rss_mb(server_pid))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the generator, reaped above
    generator_cpu = (usage.ru_utime + usage.ru_stime) - (before.ru_utime + before.ru_stime)
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    lat = data["latencies"]
    figures = {"label": label, "requests": len(lat), "rps": len(lat) / data["elapsed"],
               "p50": percentile(lat, 0.5) * 1000, "p99": percentile(lat, 0.99) * 1000,
               "late_p99": percentile(data["late"], 0.99) * 1000,
               "errors": sum(data["errors"].values()), "error_kinds": data["errors"],
               "rss": samples, "generator_cpu": generator_cpu,
               "kinds": {k: percentile(v, 0.99) * 1000 for k, v in data["by_kind"].items()}}
    print(f"{label:>10}: {figures['requests']} requests, {figures['rps']:.1f} req/s, "
          f"p50 {figures['p50']:.1f} ms, p99 {figures['p99']:.1f} ms "
          f"({', '.join(f'{k} {v:.0f}' for k, v in figures['kinds'].items())}), "
          f"{figures['errors']} errors {data['errors'] or ''}; "
          f"generator (nice {GENERATOR_NICE}) CPU {generator_cpu:.1f} s "
          f"= {100 * generator_cpu / data['elapsed']:.0f}% of a core, late p99 "
          f"{figures['late_p99']:.0f} ms; server RSS {samples[0]:.0f} -> {samples[-1]:.0f} MB "
          f"(samples {', '.join(f'{s:.0f}' for s in samples)})", flush=True)
    return figures


# --- the run ---------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="loaded phase length")
    parser.add_argument("--idle-seconds", type=float, default=0.0,
                        help="idle phase length (default: a fifth of --seconds, at least 20)")
    parser.add_argument("--rate", type=float, default=50.0, help="requests per second")
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--seed-feeds", type=int, default=100,
                        help="feeds ingested before the server starts, so pages have articles")
    args = parser.parse_args()
    idle_seconds = args.idle_seconds or max(20.0, args.seconds / 5)
    home = Path(tempfile.mkdtemp(prefix="broadsheet-load-"))
    farm_port, site_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    env.update(BROADSHEET_HOME=str(home), BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32",
               BROADSHEET_PORT=str(site_port), BROADSHEET_HOST="127.0.0.1",
               BROADSHEET_LOG_LEVEL="ERROR")
    python = [sys.executable, "-m"]
    farm = subprocess.Popen([sys.executable, str(FARM), "--feeds", str(args.feeds),
                             "--port", str(farm_port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = None
    try:
        wait_for(f"http://127.0.0.1:{farm_port}/farm/0.xml")
        urls = [f"http://127.0.0.1:{farm_port}/farm/{n}.xml" for n in range(args.feeds)]
        seeded = _subscribe(env, urls[:args.seed_feeds], home)
        started = time.monotonic()
        subprocess.run(python + ["broadsheet", "update", "--all"], env=env, check=True,
                       capture_output=True, timeout=1800)
        print(f"seeded {seeded} feeds in {time.monotonic() - started:.0f}s; home {home}")
        _postpone_all(env)  # nothing due: the idle phase sees no ingestion
        server = subprocess.Popen(python + ["broadsheet", "run"], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{site_port}"
        wait_for(base + "/healthz")
        idle = phase(base, args.rate, idle_seconds, server.pid, "idle")
        _subscribe(env, urls[args.seed_feeds:], home)
        print(f"subscribed {args.feeds - args.seed_feeds} more feeds; ingesting", flush=True)
        loaded = phase(base, args.rate, args.seconds, server.pid, "ingesting")
        articles = _count(env)
        print(f"articles stored by the end: {articles}")
        ratio = loaded["p99"] / idle["p99"] if idle["p99"] else float("inf")
        for kind in KINDS:
            if idle["kinds"].get(kind):
                print(f"  {kind:>8} p99 {idle['kinds'][kind]:.0f} -> "
                      f"{loaded['kinds'][kind]:.0f} ms "
                      f"({loaded['kinds'][kind] / idle['kinds'][kind]:.2f}x)")
        print(f"p99 ratio ingesting/idle: {ratio:.2f} (target <= 2); errors "
              f"{idle['errors'] + loaded['errors']} (target 0); RSS "
              f"{idle['rss'][0]:.0f} -> {loaded['rss'][-1]:.0f} MB")
    finally:
        for process in (server, farm):
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(15)
                except subprocess.TimeoutExpired:
                    process.kill()


def _subscribe(env: dict[str, str], urls: list[str], home: Path) -> int:
    code = ("import sys, json\n"
            "from broadsheet.settings import load_settings\n"
            "from broadsheet.store import open_database\n"
            "from broadsheet.store.sources import add_sources\n"
            "db = open_database(load_settings({}).database_url, upgrade=True)\n"
            "urls = json.load(sys.stdin)\n"
            "add_sources(db, [(u, '') for u in urls])\n")
    subprocess.run([sys.executable, "-c", code], env=env, input=json.dumps(urls), text=True,
                   check=True, timeout=600)
    return len(urls)


def _postpone_all(env: dict[str, str]) -> None:
    code = ("import datetime as dt\n"
            "import sqlalchemy as sa\n"
            "from broadsheet.settings import load_settings\n"
            "from broadsheet.store import open_database\n"
            "db = open_database(load_settings({}).database_url)\n"
            "with db.begin() as c:\n"
            "    c.execute(sa.text('UPDATE sources SET next_poll = :t'),\n"
            "              {'t': dt.datetime.now(dt.UTC) + dt.timedelta(days=1)})\n")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)


def _count(env: dict[str, str]) -> int:
    code = ("import sqlalchemy as sa\n"
            "from broadsheet.settings import load_settings\n"
            "from broadsheet.store import open_database\n"
            "db = open_database(load_settings({}).database_url)\n"
            "with db.begin() as c:\n"
            "    print(c.scalar(sa.text('SELECT count(*) FROM articles')))\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120,
                         capture_output=True, text=True).stdout
    return int(out.strip() or 0)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        generate(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5])
    else:
        main()
