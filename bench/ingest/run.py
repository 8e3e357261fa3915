"""Benchmark ingest on a local feed farm, side by side with lemon24/reader in one run.

    .venv/bin/python bench/ingest/run.py [--feeds 2000] [--reader-feeds 2000] [--parse-docs 300]

The demo newsroom server (``broadsheet.demo.server.NewsroomServer``) serves
``/farm/<n>.xml``: 20-item RSS feeds, even ``n`` answering 304 to their ETag. It runs in
its own process so it does not share a GIL with what is measured; every contender also
runs in its own process so its peak memory (ru_maxrss) is its own. Reported: first pass
and re-poll wall time, feeds/s, entries/s, peak memory; then parse speed alone
(Broadsheet's lxml readers against feedparser on the same documents). Feed throughput
is measured with page fetching off (``fetch_pages = false``), which is also what reader
does. Needs ``pip install reader`` in the venv (not a project dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve()


def serve(feeds: int) -> None:
    """Child process: serve the farm and print its base URL."""
    from broadsheet.demo.generate import make_newsroom
    from broadsheet.demo.server import NewsroomServer

    server = NewsroomServer(make_newsroom(outlets=1, events=2), farm_size=feeds).start()
    print(server.base_url, flush=True)
    sys.stdin.read()
    server.stop()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_broadsheet(base: str, feeds: int, home: str) -> dict[str, float]:
    """Child process: two passes of ``run_update`` over the farm."""
    import sqlalchemy as sa

    from broadsheet.settings import load_settings
    from broadsheet.store import open_database, utcnow
    from broadsheet.store.articles import count_articles
    from broadsheet.store.schema import sources
    from broadsheet.update.pipeline import run_update

    settings = load_settings({"home": home, "allowed_networks": "127.0.0.1/32",
                              "fetch_pages": False, "concurrency": 64,
                              # one loopback host stands for thousands of publishers
                              "per_host_concurrency": 64}, environ={})
    db = open_database(settings.database_url, upgrade=True)
    with db.begin() as connection:
        connection.execute(sa.insert(sources), [
            {"url": f"{base}/farm/{n}.xml", "title": "", "settings": {}, "created": utcnow()}
            for n in range(feeds)])
    result: dict[str, float] = {}
    for name in ("first", "repoll"):
        started = time.perf_counter()
        summary = run_update(db, settings, everything=True)
        result[f"{name}_seconds"] = time.perf_counter() - started
        result[f"{name}_entries"] = summary.new_articles
        result[f"{name}_errors"] = summary.count("error")
        result[f"{name}_not_modified"] = summary.count("not_modified")
    result["stored"] = count_articles(db)
    result["peak_mb"] = _peak_mb()
    return result


def run_reader(base: str, feeds: int, home: str) -> dict[str, float]:
    """Child process: the same two passes with lemon24/reader's ``update_feeds``."""
    from reader import make_reader

    reader = make_reader(os.path.join(home, "reader.sqlite"))
    for n in range(feeds):
        reader.add_feed(f"{base}/farm/{n}.xml")
    result: dict[str, float] = {}
    for name in ("first", "repoll"):
        before = reader.get_entry_counts().total
        started = time.perf_counter()
        reader.update_feeds(workers=16, scheduled=False)  # poll all, like --all
        result[f"{name}_seconds"] = time.perf_counter() - started
        result[f"{name}_entries"] = reader.get_entry_counts().total - before
    result["stored"] = reader.get_entry_counts().total
    result["peak_mb"] = _peak_mb()
    reader.close()
    return result


def parse_speed(base: str, docs: int) -> dict[str, float]:
    """Child process: parse the same documents with our parser and with feedparser."""
    import feedparser

    from broadsheet.parse import parse_feed

    bodies = [urllib.request.urlopen(f"{base}/farm/{n}.xml").read() for n in range(docs)]
    result: dict[str, float] = {}
    for name, parse in (("broadsheet", lambda b: len(parse_feed(b, base).entries)),
                        ("feedparser", lambda b: len(feedparser.parse(b).entries))):
        started = time.perf_counter()
        entries = sum(parse(b) for b in bodies)
        result[f"{name}_entries_per_s"] = entries / (time.perf_counter() - started)
    return result


def _child(kind: str, *args: str) -> dict[str, float]:
    output = subprocess.run([sys.executable, str(HERE), "--child", kind, *args],
                            check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _row(label: str, feeds: int, data: dict[str, float], name: str) -> str:
    seconds = data[f"{name}_seconds"]
    return (f"  {label:<12} {seconds:8.2f} s {feeds / seconds:9.0f} feeds/s "
            f"{data[f'{name}_entries'] / seconds:9.0f} entries/s  peak {data['peak_mb']:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=2000)
    parser.add_argument("--reader-feeds", type=int, default=None)
    parser.add_argument("--parse-docs", type=int, default=300)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "serve":
            serve(int(rest[0]))
            return
        runner = {"broadsheet": run_broadsheet, "reader": run_reader}.get(kind)
        data = runner(rest[0], int(rest[1]), rest[2]) if runner else parse_speed(rest[0],
                                                                                 int(rest[1]))
        print(json.dumps(data))
        return
    reader_feeds = args.reader_feeds or args.feeds
    server = subprocess.Popen([sys.executable, str(HERE), "--child", "serve", str(args.feeds)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        base = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory() as home_a, tempfile.TemporaryDirectory() as home_b:
            ours = _child("broadsheet", base, str(args.feeds), home_a)
            theirs = _child("reader", base, str(reader_feeds), home_b)
        parsing = _child("parse", base, str(args.parse_docs))
    finally:
        server.stdin.close()
        server.wait(timeout=30)
    print(f"feed farm: {args.feeds} feeds x 20 items (reader: {reader_feeds}), "
          f"even feeds answer 304 on re-poll, {os.cpu_count()} CPUs")
    for name in ("first", "repoll"):
        print(f"{name} pass:")
        print(_row("broadsheet", args.feeds, ours, name))
        print(_row("reader", reader_feeds, theirs, name))
        ratio = (args.feeds / ours[f"{name}_seconds"]) / (reader_feeds / theirs[f"{name}_seconds"])
        print(f"  ratio        {ratio:8.1f}x feeds/s (broadsheet / reader)")
    print(f"broadsheet: stored {ours['stored']:.0f} entries, errors {ours['first_errors']:.0f}"
          f"/{ours['repoll_errors']:.0f}, re-poll 304s {ours['repoll_not_modified']:.0f}; "
          f"reader stored {theirs['stored']:.0f}")
    print(f"parse alone: broadsheet {parsing['broadsheet_entries_per_s']:.0f} entries/s, "
          f"feedparser {parsing['feedparser_entries_per_s']:.0f} entries/s, ratio "
          f"{parsing['broadsheet_entries_per_s'] / parsing['feedparser_entries_per_s']:.1f}x")


if __name__ == "__main__":
    main()
