"""The command line as a user runs it: real processes, real loopback servers, a real database."""

from __future__ import annotations

import gzip
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from broadsheet.demo.generate import make_newsroom
from broadsheet.demo.server import NewsroomServer
from tests.servers import Reply, ScriptedServer, page, rss


@pytest.fixture(scope="module")
def newsroom() -> Iterator[NewsroomServer]:
    with NewsroomServer(make_newsroom(seed=3)) as server:
        yield server


def run_cli(home: Path, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update({"BROADSHEET_HOME": str(home),
                        "BROADSHEET_ALLOWED_NETWORKS": "127.0.0.1/32"}, **env)
    result = subprocess.run([sys.executable, "-m", "broadsheet", *args], env=environment,
                            capture_output=True, text=True, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result


def articles_json(home: Path) -> list[dict]:
    out = run_cli(home, "articles", "list", "--json").stdout
    return [json.loads(line) for line in out.splitlines()]


def test_subscribe_update_and_list(tmp_path, newsroom):
    run_cli(tmp_path, "init")
    for url in newsroom.feed_urls():
        run_cli(tmp_path, "sources", "add", url)
    listed = run_cli(tmp_path, "sources", "list", "--json").stdout.splitlines()
    assert len(listed) == len(newsroom.feed_urls())
    summary = run_cli(tmp_path, "update").stdout
    assert "new articles" in summary and "0 failed" in summary
    rows = articles_json(tmp_path)
    assert len(rows) == len(newsroom.newsroom.articles)
    assert set(rows[0]) == {"id", "title", "canonical_url", "feed_link", "source", "published"}
    for row in rows:
        assert "/s/" in row["feed_link"]
        assert "utm_" not in row["canonical_url"] and "/s/" not in row["canonical_url"]
    again = run_cli(tmp_path, "update", "--all").stdout
    assert "0 new articles" in again
    assert len(articles_json(tmp_path)) == len(rows)


def test_update_says_how_many_articles_await_placement(tmp_path, newsroom):
    for url in newsroom.feed_urls():
        run_cli(tmp_path, "sources", "add", url)
    polled = run_cli(tmp_path, "update", "--no-stories").stdout.splitlines()
    stored = len(newsroom.newsroom.articles)
    assert polled[1] == f"0 articles placed in stories; {stored} await placement"
    assert run_cli(tmp_path, "stories", "backlog").stdout == f"{stored} articles await placement\n"
    placed = run_cli(tmp_path, "update").stdout.splitlines()
    assert placed[1] == f"{stored} articles placed in stories; 0 await placement"


def test_sources_list_says_never_polled_until_the_first_poll(tmp_path, newsroom):
    run_cli(tmp_path, "sources", "add", newsroom.feed_urls()[0])
    before = run_cli(tmp_path, "sources", "list").stdout
    assert "\tnever polled\t" in before and "\tok\t" not in before
    run_cli(tmp_path, "update")
    assert "\tok\t" in run_cli(tmp_path, "sources", "list").stdout


def test_update_fails_when_every_source_failed_and_names_each(tmp_path):
    server = ScriptedServer().start()
    try:
        fine = Reply(200, rss([{"title": "A", "guid": "a"}]), {"Content-Type": "application/rss+xml"})
        for path in ("/gone.xml", "/broken.xml", "/fine.xml"):
            server.route(path, fine)
        for path in ("/gone.xml", "/broken.xml"):
            run_cli(tmp_path, "sources", "add", server.url(path))
        server.route("/gone.xml", Reply(404, b"no"))
        server.route("/broken.xml", Reply(200, b"\x00\x01 not a feed", {"Content-Type": "text/plain"}))
        failed = run_cli(tmp_path, "update", check=False)
        assert failed.returncode == 1, failed.stdout
        assert "2 failed" in failed.stdout
        for path, reason in (("/gone.xml", "404"), ("/broken.xml", "parse")):
            line = next(x for x in failed.stderr.splitlines() if server.url(path) in x)
            assert "source failed" in line and reason in line
        run_cli(tmp_path, "sources", "add", server.url("/fine.xml"))
        partly = run_cli(tmp_path, "update", "--all", check=False)
        assert partly.returncode == 0 and "2 failed" in partly.stdout
    finally:
        server.stop()


def test_sources_add_discovers_the_feed_of_a_home_page(tmp_path, newsroom):
    home_page = newsroom.home_urls()[0]
    out = run_cli(tmp_path, "sources", "add", home_page).stdout
    assert out.split("\t")[1].strip() in newsroom.feed_urls()


def test_bad_input_gives_a_clear_error(tmp_path):
    result = run_cli(tmp_path, "sources", "add", "ftp://example.invalid/feed", check=False)
    assert result.returncode == 1 and result.stderr.startswith("error: sources:")
    bad = run_cli(tmp_path, "settings", check=False, BROADSHEET_PORT="eighty")
    assert bad.returncode == 1 and "port" in bad.stderr


def test_settings_say_where_each_value_came_from(tmp_path):
    (tmp_path / "broadsheet.toml").write_text('site_title = "Evening Post"\nport = 9000\n')
    out = run_cli(tmp_path, "--home", str(tmp_path), "settings", BROADSHEET_PORT="9100").stdout
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "Evening Post" in lines["site_title"] and "broadsheet.toml" in lines["site_title"]
    assert "9100" in lines["port"] and "(env" in lines["port"]
    assert "(flag" in lines["home"]
    assert "(default" in lines["timezone"]


def test_extract_reads_files_gzip_and_urls_in_order(tmp_path, newsroom):
    article = newsroom.newsroom.articles[0]
    url = newsroom.article_url(article)
    html = _get(url)
    plain = tmp_path / "page.html"
    plain.write_bytes(html)
    packed = tmp_path / "page.html.gz"
    packed.write_bytes(gzip.compress(html))
    out = run_cli(tmp_path, "extract", str(plain), str(tmp_path / "missing.html"), str(packed),
                  url, "--url", url, "--json").stdout.splitlines()
    records = [json.loads(line) for line in out]
    assert len(records) == 4 and "error" in records[1]
    assert records[0]["title"] == article.title
    for record in (records[0], records[2], records[3]):
        assert article.paragraphs[0][:60] in record["text"]
        assert {"title", "authors", "published", "updated", "text", "html", "image",
                "image_credit", "canonical_url", "site_name", "language"} <= set(record)


def _slow_site(server: ScriptedServer, count: int) -> None:
    items = []
    for n in range(count):
        server.route(f"/a/{n}.html", Reply(200, page(
            f"Article {n}", [f"Body of article {n}, long enough to be an article body."]),
            {"Content-Type": "text/html"}, delay=0.4))
        items.append({"title": f"Article {n}", "link": server.url(f"/a/{n}.html"),
                      "guid": f"g{n}"})
    server.route("/feed.xml", Reply(200, rss(items), {"ETag": '"e1"'}))


def _count_rows(home: Path) -> tuple[int, int]:
    with sqlite3.connect(home / "broadsheet.db") as connection:
        total = connection.execute("select count(*) from articles").fetchone()[0]
        distinct = connection.execute(
            "select count(distinct entry_key) from articles").fetchone()[0]
    return total, distinct


@pytest.mark.slow
def test_killed_update_loses_and_duplicates_nothing(tmp_path):
    server = ScriptedServer().start()
    try:
        _slow_site(server, 12)
        run_cli(tmp_path, "sources", "add", server.url("/feed.xml"))
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
        environment.update(BROADSHEET_HOME=str(tmp_path), BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32",
                           BROADSHEET_PER_HOST_CONCURRENCY="1")
        process = subprocess.Popen([sys.executable, "-m", "broadsheet", "update"],
                                   env=environment, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if (tmp_path / "broadsheet.db").exists() and _count_rows(tmp_path)[0] >= 2:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        partial = _count_rows(tmp_path)[0]
        assert 2 <= partial < 12
        run_cli(tmp_path, "update", "--all")
        run_cli(tmp_path, "update", "--all")
        assert _count_rows(tmp_path) == (12, 12)
    finally:
        server.stop()


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_demo_ingests_and_serves_the_site(tmp_path):
    port, newsroom_port = _free_port(), _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment["BROADSHEET_HOME"] = str(tmp_path)
    process = subprocess.Popen(
        [sys.executable, "-m", "broadsheet", "demo", "--port", str(port),
         "--newsroom-port", str(newsroom_port)],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        front = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and front is None:
            try:
                front = _get(f"http://127.0.0.1:{port}/")
            except OSError:
                time.sleep(0.3)
        assert front is not None, "the demo site never answered"
        html = front.decode()
        assert "/articles/" in html
        first = html.split('href="/articles/', 1)[1].split('"', 1)[0]
        article = _get(f"http://127.0.0.1:{port}/articles/{first}")
        text = article.decode()
        assert f"http://127.0.0.1:{newsroom_port}/" in text and "/s/" not in text
        assert "<time datetime=" in text
        # The demo keeps its loopback exception in the home's settings file, so a plain
        # `broadsheet update` (no allowed networks in the environment) reaches it.
        assert 'allowed_networks = "127.0.0.1/32"' in (tmp_path / "broadsheet.toml").read_text()
        again = subprocess.run([sys.executable, "-m", "broadsheet", "update", "--all"],
                               env=environment, capture_output=True, text=True, timeout=300)
        assert again.returncode == 0, again.stderr
        assert " 0 failed;" in again.stdout
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.slow
def test_run_polls_in_a_child_process_and_serves(tmp_path, newsroom):
    port = _free_port()
    run_cli(tmp_path, "sources", "add", newsroom.feed_urls()[0])
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BROADSHEET_")}
    environment.update(BROADSHEET_HOME=str(tmp_path), BROADSHEET_ALLOWED_NETWORKS="127.0.0.1/32")
    process = subprocess.Popen([sys.executable, "-m", "broadsheet", "run", "--port", str(port)],
                               env=environment, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        page = ""
        while time.monotonic() < deadline and "/articles/" not in page:
            try:
                page = _get(f"http://127.0.0.1:{port}/").decode()
            except OSError:
                pass
            time.sleep(0.3)
        assert "/articles/" in page, "run never showed an ingested article"
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
    time.sleep(0.5)
    assert _count_rows(tmp_path)[0] > 0
    assert not _workers_of(tmp_path), "the poller outlived 'broadsheet run'"


def _workers_of(home: Path) -> list[int]:
    """Live 'broadsheet worker' processes whose BROADSHEET_HOME is ``home``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
            environ = (entry / "environ").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in command and f"BROADSHEET_HOME={home}".encode() in environ:
            found.append(int(entry.name))
    return found
