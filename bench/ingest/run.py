"""Benchmark ingest as users run it, side by side with lemon24/reader in one run.

    .venv/bin/python bench/ingest/run.py [--feeds 2000] [--page-feeds 100] [--concurrency 16]
                                         [--results bench/results/ingest.json]

A feed farm runs in its own process: ``/farm/<n>.xml``, 20 items each whose text comes
from the labelled story corpus (``bench/common/corpus.py``), so the stories stage places
realistic articles; every feed answers 304 to its ETag, so the second pass is an
all-304 re-poll; ``/farm/<n>/<i>.html`` is each item's page.

Broadsheet is measured through its command line, in a subprocess, exactly as shipped:
``broadsheet update --all`` on SQLite, stories included (the command ends when every
article is placed; it prints ``0 await placement``). Peak memory is the child's own
``ru_maxrss`` (``os.wait4``). Measured:

- first pass, pages off, stories included; the same split into polling alone
  (``update --all --no-stories``) and placing alone (``update`` with nothing due);
- all-304 re-poll of every feed; and the command's fixed cost (``update`` with nothing
  due: interpreter, imports, schema check), so the re-poll rate is shown with and
  without it;
- first pass with pages on (``fetch_pages``), on ``--page-feeds`` feeds;
- lemon24/reader 3.26 (``pip install -r bench/requirements.txt``): ``update_feeds`` with
  the same number of workers as Broadsheet's ``concurrency``, first pass and re-poll,
  in its own process.

The figures go to ``--results`` (JSON, with the commit they ran on); docs/capacity.md
quotes them between ``<!-- bench/ingest -->`` markers, rewritten by ``--write-docs``,
and tests/test_bench_results.py checks both against the code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from email.utils import format_datetime
from html import escape
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve()
ROOT = HERE.parents[2]
DOCS = ROOT / "docs" / "capacity.md"
RESULTS = ROOT / "bench" / "results" / "ingest.json"
BEGIN, END = "<!-- bench/ingest -->", "<!-- /bench/ingest -->"
ITEMS = 20
sys.path.insert(0, str(ROOT))  # for bench.common when run as a script


# --- the farm (child process) --------------------------------------------------------------

def serve(feeds: int) -> None:
    """Child process: serve the farm and print its base URL; stop when stdin closes."""
    import asyncio

    from aiohttp import web

    from bench.common.corpus import generate_story_corpus

    corpus = list(generate_story_corpus(13, feeds * ITEMS))
    modified = format_datetime(dt.datetime(2024, 1, 1, tzinfo=dt.UTC), usegmt=True)
    bodies: dict[int, bytes] = {}
    pages: dict[tuple[int, int], bytes] = {}

    def render(base: str) -> None:
        for n in range(feeds):
            items = []
            for i in range(ITEMS):
                article = corpus[n * ITEMS + i]
                published = dt.datetime.fromisoformat(str(article["published"]))
                items.append(
                    f"<item><title>{escape(str(article['title']))}</title>"
                    f"<link>{base}/farm/{n}/{i}.html</link>"
                    f'<guid isPermaLink="false">farm-{n}-{i}</guid>'
                    f"<pubDate>{format_datetime(published)}</pubDate>"
                    f"<description>{escape(str(article['text']))}</description></item>")
                paragraphs = "".join(f"<p>{escape(p)}</p>"
                                     for p in str(article["text"]).split("\n") if p.strip())
                pages[(n, i)] = (
                    f'<!DOCTYPE html><html lang="en"><head><title>{escape(str(article["title"]))}'
                    f"</title></head><body><nav>Home News Sport</nav><article><h1>"
                    f"{escape(str(article['title']))}</h1>{paragraphs}</article>"
                    f"<footer>Farm outlet {n}</footer></body></html>").encode()
            bodies[n] = (
                '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                f"<title>Farm feed {n}</title><link>{base}/farm/</link>"
                f"<description>Benchmark feed {n}</description>{''.join(items)}"
                "</channel></rss>\n").encode()

    async def feed(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        if n not in bodies:
            raise web.HTTPNotFound()
        etag = f'"farm-{n}"'
        headers = {"ETag": etag, "Last-Modified": modified}
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=bodies[n], headers=headers,
                            content_type="application/rss+xml")

    async def page(request: web.Request) -> web.Response:
        key = (int(request.match_info["n"]), int(request.match_info["i"]))
        if key not in pages:
            raise web.HTTPNotFound()
        return web.Response(body=pages[key], content_type="text/html")

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/farm/{n:\\d+}.xml", feed)
        app.router.add_get("/farm/{n:\\d+}/{i:\\d+}.html", page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        base = f"http://127.0.0.1:{port}"
        render(base)
        print(base, flush=True)
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
        await runner.cleanup()

    asyncio.run(main())


# --- Broadsheet through its command line ----------------------------------------------------

def _environment(home: str, concurrency: int, pages: bool) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(
        BROADSHEET_HOME=home, BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32",
        BROADSHEET_FETCH_PAGES="true" if pages else "false",
        BROADSHEET_CONCURRENCY=str(concurrency),
        # one loopback host stands for thousands of publishers
        BROADSHEET_PER_HOST_CONCURRENCY=str(concurrency),
        BROADSHEET_LOG_LEVEL="ERROR")
    return environment


def _cli(environment: dict[str, str], *args: str) -> dict[str, Any]:
    """Run one ``broadsheet`` command for set-up (not measured)."""
    done = subprocess.run([sys.executable, "-m", "broadsheet", *args], env=environment,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"broadsheet {' '.join(args)} failed: {done.stderr[-2000:]}")
    return {"stdout": done.stdout}


def _cli_peak(environment: dict[str, str], *args: str) -> dict[str, Any]:
    """``_cli`` with the child's own peak memory, from ``os.wait4``."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "broadsheet", *args], env=environment,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert process.stdout is not None
    out = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"broadsheet {' '.join(args)} exited {process.returncode}: {out}")
    return {"seconds": seconds, "stdout": out, "peak_mb": usage.ru_maxrss / 1024}


def _subscribe(home: str, environment: dict[str, str], base: str, feeds: int) -> None:
    """Set-up, not measured: a database with the farm's subscriptions."""
    import sqlalchemy as sa

    from broadsheet.store import open_database, utcnow
    from broadsheet.store.schema import sources

    _cli(environment, "init")
    db = open_database(f"sqlite:///{Path(home) / 'broadsheet.db'}")
    with db.begin() as connection:
        connection.execute(sa.insert(sources), [
            {"url": f"{base}/farm/{n}.xml", "title": "", "settings": {}, "created": utcnow()}
            for n in range(feeds)])
    db.close()


def _counts(home: str) -> dict[str, int]:
    import sqlite3

    with sqlite3.connect(Path(home) / "broadsheet.db") as connection:
        def one(sql: str) -> int:
            return int(connection.execute(sql).fetchone()[0])
        return {"stored": one("select count(*) from articles"),
                "placed": one("select count(*) from article_stories"),
                "queued": one("select count(*) from placement_queue")}


def _new_articles(stdout: str) -> int:
    return int(stdout.split(" new articles")[0].rsplit(" ", 1)[-1])


def run_broadsheet(base: str, feeds: int, concurrency: int) -> dict[str, Any]:
    """First pass with stories, all-304 re-poll, fixed cost; then the same first pass
    split into polling and placing, on a fresh home."""
    result: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as home:
        environment = _environment(home, concurrency, pages=False)
        _subscribe(home, environment, base, feeds)
        first = _cli_peak(environment, "update", "--all")
        assert "; 0 await placement" in first["stdout"], first["stdout"]
        result.update(first_seconds=first["seconds"], first_peak_mb=first["peak_mb"],
                      first_entries=_new_articles(first["stdout"]), **_counts(home))
        repoll = _cli_peak(environment, "update", "--all")
        assert f"{feeds} not modified" in repoll["stdout"], repoll["stdout"]
        result.update(repoll_seconds=repoll["seconds"], repoll_peak_mb=repoll["peak_mb"])
        fixed = _cli_peak(environment, "update")  # nothing due: the command's fixed cost
        assert fixed["stdout"].startswith("0 sources polled"), fixed["stdout"]
        result["fixed_seconds"] = fixed["seconds"]
    with tempfile.TemporaryDirectory() as home:
        environment = _environment(home, concurrency, pages=False)
        _subscribe(home, environment, base, feeds)
        polled = _cli_peak(environment, "update", "--all", "--no-stories")
        placed = _cli_peak(environment, "update")
        assert "; 0 await placement" in placed["stdout"], placed["stdout"]
        result.update(poll_only_seconds=polled["seconds"], poll_only_peak_mb=polled["peak_mb"],
                      place_only_seconds=placed["seconds"], place_only_peak_mb=placed["peak_mb"])
    return result


def run_broadsheet_pages(base: str, feeds: int, concurrency: int) -> dict[str, Any]:
    """First pass with every item's page fetched and extracted, stories included."""
    with tempfile.TemporaryDirectory() as home:
        environment = _environment(home, concurrency, pages=True)
        _subscribe(home, environment, base, feeds)
        first = _cli_peak(environment, "update", "--all")
        assert "; 0 await placement" in first["stdout"], first["stdout"]
        return {"feeds": feeds, "first_seconds": first["seconds"],
                "first_peak_mb": first["peak_mb"], "first_entries": _new_articles(first["stdout"]),
                **_counts(home)}


# --- lemon24/reader (child process) ---------------------------------------------------------

def run_reader(base: str, feeds: int, workers: int) -> dict[str, Any]:
    """Child process: the same two passes with reader's ``update_feeds``."""
    from reader import make_reader

    with tempfile.TemporaryDirectory() as home:
        reader = make_reader(os.path.join(home, "reader.sqlite"))
        for n in range(feeds):
            reader.add_feed(f"{base}/farm/{n}.xml")
        result: dict[str, Any] = {}
        for name in ("first", "repoll"):
            before = reader.get_entry_counts().total
            started = time.perf_counter()
            reader.update_feeds(workers=workers, scheduled=False)  # poll all, like --all
            result[f"{name}_seconds"] = time.perf_counter() - started
            result[f"{name}_entries"] = reader.get_entry_counts().total - before
        result["stored"] = reader.get_entry_counts().total
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reader.close()
    return result


def _child(kind: str, *args: str) -> dict[str, Any]:
    output = subprocess.run([sys.executable, str(HERE), "--child", kind, *args],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


# --- results -------------------------------------------------------------------------------

def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def ratios(results: dict[str, Any]) -> dict[str, float]:
    """The ratios the targets are stated in (reader's time over ours: above 1 is faster)."""
    ours, theirs = results["broadsheet"], results["reader"]
    feeds = results["feeds"]
    return {
        "first_vs_reader": theirs["first_seconds"] / ours["first_seconds"],
        "poll_only_vs_reader": theirs["first_seconds"] / ours["poll_only_seconds"],
        "repoll_vs_reader": theirs["repoll_seconds"] / ours["repoll_seconds"],
        "repoll_feeds_per_s": feeds / ours["repoll_seconds"],
        "repoll_feeds_per_s_net": feeds / max(ours["repoll_seconds"] - ours["fixed_seconds"],
                                              1e-9),
        "reader_repoll_feeds_per_s": feeds / theirs["repoll_seconds"],
    }


def docs_block(results: dict[str, Any]) -> str:
    """The lines docs/capacity.md quotes, rendered from a results file."""
    ours, theirs, pages = results["broadsheet"], results["reader"], results["pages"]
    r = ratios(results)
    feeds, workers = results["feeds"], results["concurrency"]
    return "\n".join([
        BEGIN,
        f"From `{RESULTS.relative_to(ROOT)}` (commit `{results['commit'][:10]}`, "
        f"{results['date'][:10]}, {results['cpus']} CPUs, load average "
        f"{results['load_before']:.1f} before the run): {feeds:,} feeds × {ITEMS} items, "
        f"SQLite, `broadsheet update --all` run as a command, concurrency {workers} for "
        f"both; lemon24/reader {results['reader_version']} with {workers} workers.",
        "",
        "| measure | Broadsheet | reader | ratio |",
        "| --- | --- | --- | --- |",
        f"| first pass, pages off, stories included | {ours['first_seconds']:.1f} s | "
        f"{theirs['first_seconds']:.1f} s | {r['first_vs_reader']:.2f}× |",
        f"| of which polling alone (`--no-stories`) / placing alone | "
        f"{ours['poll_only_seconds']:.1f} s / {ours['place_only_seconds']:.1f} s | | "
        f"{r['poll_only_vs_reader']:.2f}× (polling) |",
        f"| all-304 re-poll | {ours['repoll_seconds']:.2f} s = "
        f"{r['repoll_feeds_per_s']:,.0f} feeds/s ({r['repoll_feeds_per_s_net']:,.0f} without "
        f"the command's fixed {ours['fixed_seconds']:.2f} s) | {theirs['repoll_seconds']:.2f} s "
        f"= {r['reader_repoll_feeds_per_s']:,.0f} feeds/s | {r['repoll_vs_reader']:.2f}× |",
        f"| peak memory (RSS of the process) | {ours['first_peak_mb']:.0f} MB first pass, "
        f"{ours['repoll_peak_mb']:.0f} MB re-poll | {theirs['peak_mb']:.0f} MB | |",
        f"| first pass, pages on, {pages['feeds']:,} feeds ({pages['first_entries']:,} pages "
        f"fetched and extracted) | {pages['first_seconds']:.1f} s, "
        f"{pages['first_peak_mb']:.0f} MB | | |",
        END,
    ])


def write_docs(results: dict[str, Any]) -> None:
    """Replace the quoted block in docs/capacity.md."""
    text = DOCS.read_text(encoding="utf-8")
    start, end = text.index(BEGIN), text.index(END) + len(END)
    DOCS.write_text(text[:start] + docs_block(results) + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--page-feeds", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--results", default=str(RESULTS),
                        help="where to write the JSON results ('-' for nowhere)")
    parser.add_argument("--write-docs", action="store_true",
                        help="rewrite the quoted block of docs/capacity.md from the results")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "serve":
            serve(int(rest[0]))
        else:
            print(json.dumps(run_reader(rest[0], int(rest[1]), int(rest[2]))))
        return
    from importlib.metadata import version

    load_before = os.getloadavg()[0]
    server = subprocess.Popen([sys.executable, str(HERE), "--child", "serve", str(args.feeds)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        base = server.stdout.readline().strip()
        ours = run_broadsheet(base, args.feeds, args.concurrency)
        theirs = _child("reader", base, str(args.feeds), str(args.concurrency))
        pages = run_broadsheet_pages(base, args.page_feeds, args.concurrency)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    results = {
        "commit": _git("rev-parse", "HEAD"),
        "dirty": bool(_git("status", "--porcelain", "--", "src")),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(), "load_before": load_before,
        "load_after": os.getloadavg()[0], "feeds": args.feeds,
        "concurrency": args.concurrency, "reader_version": version("reader"),
        "broadsheet": ours, "reader": theirs, "pages": pages,
    }
    results["ratios"] = ratios(results)
    print(json.dumps(results, indent=1))
    print(docs_block(results))
    if args.results != "-":
        Path(args.results).parent.mkdir(parents=True, exist_ok=True)
        Path(args.results).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    if args.write_docs:
        write_docs(results)


if __name__ == "__main__":
    main()
