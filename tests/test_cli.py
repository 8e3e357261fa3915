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


def test_sources_add_explains_refused_and_unresolved_addresses(tmp_path, newsroom):
    refused = run_cli(tmp_path, "sources", "add", newsroom.feed_urls()[0], check=False,
                      BROADSHEET_ALLOWED_NETWORKS="")
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert "address not allowed" in refused.stderr and "allowed_networks" in refused.stderr
    assert "BROADSHEET_ALLOWED_NETWORKS=127.0.0.1/32" in refused.stderr
    offline = run_cli(tmp_path, "sources", "add", "http://news.example.invalid/feed.xml",
                      check=False)
    assert offline.returncode == 1 and "Traceback" not in offline.stderr
    assert offline.stderr.startswith("error: sources:")
    assert "news.example.invalid did not resolve" in offline.stderr


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request, tmp_path) -> str:
    """A database with nothing in it yet, on each engine."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    # A password (ignored by the test server's trust login) that must never be printed.
    return request.getfixturevalue("fresh_postgres_url").replace("postgres@",
                                                                 "postgres:hunter2@", 1)


def test_db_upgrade_says_what_it_created_then_that_it_is_up_to_date(tmp_path,
                                                                    empty_database_url):
    migrations = Path(__file__).parents[1] / "src" / "broadsheet" / "store" / "migrations"
    count = len(list((migrations / "versions").glob("*.py")))
    first = run_cli(tmp_path, "db", "upgrade",
                    BROADSHEET_DATABASE_URL=empty_database_url).stdout
    assert f"applied {count} migrations" in first
    assert "\n  0001  Sources and articles." in first
    created = next(line for line in first.splitlines() if line.startswith("created "))
    tables = created.split(": ", 1)[1].split(", ")
    assert {"sources", "articles", "stories", "users"} <= set(tables)
    assert not any(t.startswith("articles_fts_") for t in tables)  # SQLite's own shadows
    assert first.rstrip().endswith("schema is current")
    again = run_cli(tmp_path, "db", "upgrade", BROADSHEET_DATABASE_URL=empty_database_url).stdout
    assert "already up to date" in again and "applied" not in again and "created" not in again
    init = run_cli(tmp_path, "init", BROADSHEET_DATABASE_URL=empty_database_url).stdout
    assert "already up to date" in init and "database ready" in init
    assert "hunter2" not in first + again + init


def test_init_on_an_empty_home_says_what_it_created(tmp_path):
    out = run_cli(tmp_path, "init").stdout
    assert "applied " in out and "created " in out and "sources" in out
    assert out.rstrip().endswith(f"database ready: sqlite:///{tmp_path}/broadsheet.db")


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
    result = run_cli(tmp_path, "extract", str(plain), str(tmp_path / "missing.html"),
                     str(packed), url, "--url", url, "--json", check=False)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 4 and "error" in records[1]
    assert result.returncode == 1
    assert records[0]["title"] == article.title
    for record in (records[0], records[2], records[3]):
        assert article.paragraphs[0][:60] in record["text"]
        assert {"title", "authors", "published", "updated", "text", "html", "image",
                "image_credit", "canonical_url", "site_name", "language"} <= set(record)


def test_extract_exits_1_and_names_each_failed_page_but_tries_them_all(tmp_path, newsroom):
    good = tmp_path / "good.html"
    good.write_bytes(_get(newsroom.article_url(newsroom.newsroom.articles[0])))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    missing = tmp_path / "missing.html"
    result = run_cli(tmp_path, "extract", str(missing), str(good), str(empty), check=False)
    assert result.returncode == 1
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [("error" in r) for r in records] == [True, False, True]
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert any(str(missing) in line for line in errors)
    assert any(str(empty) in line and "empty page" in line for line in errors)
    assert "2 of 3 pages failed" in result.stderr
    assert "Traceback" not in result.stderr
    assert run_cli(tmp_path, "extract", str(good)).returncode == 0


def test_extract_json_does_not_repeat_the_lead_image_in_html(tmp_path):
    story = "".join(f"<p>Paragraph {n} of the harbour story, long enough to be prose that an "
                    "extractor keeps in the body.</p>" for n in range(10))
    page = tmp_path / "wall.html"
    page.write_text(
        '<html><head><title>Harbour wall</title><meta property="og:image" '
        'content="https://news.example/img/wall.jpg"></head><body><article><h1>Harbour wall'
        '</h1><figure><img src="/img/wall.jpg" alt="The wall"><figcaption>The wall at low '
        f"tide. Photo: Jo Lens</figcaption></figure>{story}</article></body></html>")
    out = run_cli(tmp_path, "extract", str(page), "--url", "https://news.example/a/1",
                  "--json").stdout
    record = json.loads(out)
    assert record["image"] == "https://news.example/img/wall.jpg"
    assert record["image_caption"] == "The wall at low tide."
    assert "wall.jpg" not in record["html"] and "Paragraph 9" in record["html"]


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


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port another program is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def _assert_one_clear_line(result: subprocess.CompletedProcess, port: int, *hints: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "serving on" not in result.stderr and "open http" not in result.stdout
    assert "new articles" not in result.stderr  # nothing was ingested before the check
    message = result.stderr.strip()
    assert message.startswith("error:") and f"port {port} " in message and "in use" in message
    for hint in hints:
        assert hint in message


def test_demo_with_the_site_port_taken_says_which_and_how_to_move(tmp_path, busy_port):
    flag = run_cli(tmp_path, "demo", "--port", str(busy_port), "--newsroom-port",
                   str(_free_port()), check=False)
    _assert_one_clear_line(flag, busy_port, "--port", "BROADSHEET_PORT")
    env = run_cli(tmp_path, "demo", check=False, BROADSHEET_PORT=str(busy_port),
                  BROADSHEET_NEWSROOM_PORT=str(_free_port()))
    _assert_one_clear_line(env, busy_port, "--port", "BROADSHEET_PORT")


def test_demo_with_the_newsroom_port_taken_says_which_and_how_to_move(tmp_path, busy_port):
    flag = run_cli(tmp_path, "demo", "--port", str(_free_port()), "--newsroom-port",
                   str(busy_port), check=False)
    _assert_one_clear_line(flag, busy_port, "newsroom", "--newsroom-port",
                           "BROADSHEET_NEWSROOM_PORT")
    env = run_cli(tmp_path, "demo", check=False, BROADSHEET_PORT=str(_free_port()),
                  BROADSHEET_NEWSROOM_PORT=str(busy_port))
    _assert_one_clear_line(env, busy_port, "newsroom", "BROADSHEET_NEWSROOM_PORT")


@pytest.mark.parametrize("command", ["serve", "run"])
def test_serve_and_run_with_the_port_taken_say_so_before_serving(tmp_path, busy_port, command):
    result = run_cli(tmp_path, command, "--port", str(busy_port), check=False)
    _assert_one_clear_line(result, busy_port, "--port", "BROADSHEET_PORT")
    assert not _workers_of(tmp_path), "run started its poller although it could not serve"


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
