"""B. Server-side request forgery: no spelling, redirect or scheme reaches the canary.

The canary listens on loopback addresses the tests do not allow; every case asserts it
saw zero connections, and that errors shown to users carry no socket details.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from pathlib import Path

import pytest

from broadsheet.errors import BlockedAddressError, FetchError, SourceError
from broadsheet.fetch import FetchConfig, Fetcher
from broadsheet.store import open_database
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.update.pipeline import run_update
from tests.adversarial.conftest import run_cli
from tests.adversarial.feeds import attr, rss_document, text
from tests.adversarial.harness import Canary
from tests.conftest import make_settings
from tests.servers import Reply

# Words that betray the socket layer: errno values, resolver and connector internals.
LEAK = re.compile(r"errno|connection refused|getaddrinfo|socket|clientconnector|ssl:|name or service"
                  r"|os error|\[Errno|Traceback", re.I)

# Hosts that all mean loopback; the canary listens on 127.0.0.1, 127.0.0.2 and [::1].
LOOPBACK_SPELLINGS = [
    "127.0.0.1", "127.1", "127.0.1", "0177.0.0.1", "0x7f000001", "0x7f.0.0.1", "0x7F.1",
    "2130706433", "017700000001", "127.000.000.001", "0000177.0.0.1", "127.0.0.1.",
    "0.0.0.0", "0", "0x0", "localhost", "localhost.", "LOCALHOST", "foo.localhost",
    "127.0.0.2", "2130706434", "0x7f000002", "0177.0.0.2", "127.2",
    "[::1]", "[0:0:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[::ffff:7f00:1]",
    "[0:0:0:0:0:ffff:127.0.0.1]", "[::ffff:127.0.0.2]", "[64:ff9b::7f00:1]",
    "[64:ff9b::127.0.0.2]", "[::127.0.0.1]", "[::]", "%31%32%37.0.0.1",
]
# Spellings that IDNA (as yarl applies it inside aiohttp) folds into an IPv4 literal,
# while urllib.parse still sees a name: the guard checks one host, aiohttp dials another.
IDNA_SPELLINGS = [
    "127\u30020\u30020\u30021",  # ideographic full stops
    "127\uff0e0\uff0e0\uff0e2",  # fullwidth full stops
    "127\uff610\uff610\uff612",  # halfwidth ideographic full stops
    "\u2460\u2461\u2466.0.0.1",  # circled digits
    "\uff11\uff12\uff17.0.0.2",  # fullwidth digits
]
IDNA_BUG = ("fetch/client.py _check_url reads the host with urllib.parse, but aiohttp dials "
            "yarl's IDNA-folded host (127\u30020\u30020\u30022 -> 127.0.0.2) and skips the "
            "resolver for IP literals, so the guard never sees the address")
xfail_idna = pytest.mark.xfail(strict=True, reason=IDNA_BUG)
# Addresses that are never public: refused before any connection is tried.
RESERVED = ["169.254.169.254", "[fe80::1]", "100.64.0.1", "[fc00::1]", "10.0.0.1",
            "192.168.1.1", "172.16.0.1", "198.18.0.1", "224.0.0.1", "255.255.255.255",
            "[ff02::1]", "[2001:db8::1]", "[::ffff:169.254.169.254]", "[64:ff9b::a9fe:a9fe]",
            "[2002:a9fe:a9fe::]", "0xa9fea9fe", "2852039166"]
SCHEMES = ["file:///etc/passwd", "gopher://127.0.0.2:70/_GET", "ftp://127.0.0.2/feed",
           "data:text/xml,<rss/>", "javascript:alert(1)", "dict://127.0.0.2:11211/",
           "ws://127.0.0.2/", "view-source:http://127.0.0.2/", "jar:http://127.0.0.2!/"]


def _fetch_all(urls: list[str], allowed: str) -> list[tuple[str, BaseException | None]]:
    config = FetchConfig(guard=FetchConfig().guard.from_setting(allowed), connect_timeout=2,
                         total_timeout=4, max_redirects=5)

    async def go() -> list[tuple[str, BaseException | None]]:
        out: list[tuple[str, BaseException | None]] = []
        async with Fetcher(config) as fetcher:
            for url in urls:
                try:
                    await fetcher.fetch(url)
                    out.append((url, None))
                except FetchError as error:
                    out.append((url, error))
        return out

    return asyncio.run(go())


def _assert_refused(results: list[tuple[str, BaseException | None]], canary: Canary) -> None:
    reached = [url for url, error in results if error is None]
    assert not reached, f"fetched although not allowed: {reached}"
    leaky = [(url, str(e)) for url, e in results if e is not None and LEAK.search(str(e))]
    assert not leaky, f"error text leaks socket details: {leaky}"
    assert canary.hits == [], f"the canary was reached: {canary.hits}"


@pytest.fixture
def nothing_allowed_canary(wide_canary: Canary) -> Canary:
    return wide_canary


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_loopback_spellings_never_connect_when_nothing_is_allowed(host, wide_canary):
    url = f"http://{host}:{wide_canary.port}/feed.xml"
    _assert_refused(_fetch_all([url], allowed=""), wide_canary)


@pytest.mark.parametrize("host", IDNA_SPELLINGS)
def test_idna_folded_spellings_never_connect(host, wide_canary):
    url = f"http://{host}:{wide_canary.port}/feed.xml"
    _assert_refused(_fetch_all([url], allowed=""), wide_canary)


def test_idna_folded_redirect_target_is_refused(canary, hostile):
    target = f"http://127\u30020\u30020\u30022:{canary.port}/".encode()
    hostile.routes["/r"] = hostile.raw(b"HTTP/1.1 302 Found\r\nLocation: " + target
                                       + b"\r\nContent-Length: 0\r\n\r\n")
    _assert_refused(_fetch_all([hostile.url("/r")], allowed="127.0.0.1/32"), canary)


def test_idna_folded_source_through_the_cli_update(tmp_path, canary):
    db = open_database(f"sqlite:///{tmp_path / 'broadsheet.db'}", upgrade=True)
    try:
        source_store.add_source(db, f"http://127\u30020\u30020\u30022:{canary.port}/feed.xml")
    finally:
        db.close()
    result = run_cli(tmp_path, "update", "--all", check=False)
    assert result.returncode == 1, result.stderr  # every source failed: a non-zero exit
    out = result.stdout
    assert "1 failed" in out and canary.hits == [], (out, canary.hits)


@pytest.mark.parametrize("host", [h for h in LOOPBACK_SPELLINGS if "127.0.0.1" not in h
                                  and h not in ("127.1", "127.0.1", "0x7f000001", "2130706433",
                                                "0177.0.0.1", "0x7f.0.0.1", "0x7F.1", "[64:ff9b::7f00:1]",
                                                "017700000001", "0000177.0.0.1")])
def test_canary_spellings_refused_with_only_the_fixture_allowed(host, canary):
    """127.0.0.1/32 is allowed (the fixture), so only spellings that might mean 127.0.0.2,
    [::1] or 0.0.0.0 are aimed at the canary here."""
    url = f"http://{host}:{canary.port}/feed.xml"
    results = _fetch_all([url], allowed="127.0.0.1/32")
    if host.rstrip(".").lower() in ("localhost", "foo.localhost", "0.0.0.0", "0", "0x0") \
            and results[0][1] is None:
        pytest.fail(f"{host} fetched something")  # 127.0.0.1 has no listener on that port
    _assert_refused(results, canary)


def test_reserved_addresses_are_refused_before_connecting():
    urls = [f"http://{host}/latest/meta-data/" for host in RESERVED]
    started = time.monotonic()
    results = _fetch_all(urls, allowed="127.0.0.1/32")
    assert time.monotonic() - started < 5, "a reserved address was dialled (timeouts ran)"
    for url, error in results:
        assert isinstance(error, BlockedAddressError), (url, error)
        assert not LEAK.search(str(error)), str(error)


@pytest.mark.parametrize("url", SCHEMES)
def test_other_schemes_are_refused(url):
    (result,) = _fetch_all([url], allowed="127.0.0.1/32")
    assert result[1] is not None and str(result[1]).startswith("fetch:"), result


REDIRECT_TARGETS = [
    "http://127.0.0.2:{port}/", "http://[::1]:{port}/", "http://2130706434:{port}/",
    "http://0x7f000002:{port}/", "http://0177.0.0.2:{port}/", "http://127.2:{port}/",
    "http://[::ffff:127.0.0.2]:{port}/", "http://[64:ff9b::7f00:2]:{port}/",
    "//127.0.0.2:{port}/protocol-relative",
    "http://169.254.169.254/latest/meta-data/", "http://[fe80::1]/", "http://100.64.0.1/",
    "http://[fc00::1]/",
    "file:///etc/passwd", "gopher://127.0.0.2:{port}/", "ftp://127.0.0.2:{port}/",
    "data:application/rss+xml,<rss/>",
]


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirects_from_the_allowed_fixture_to_the_canary_are_refused(status, canary, server):
    urls = []
    for n, target in enumerate(REDIRECT_TARGETS):
        server.route(f"/r{n}", Reply(status, headers={"Location": target.format(port=canary.port)}))
        # and the same target at the end of a short chain of allowed hops
        server.route(f"/c{n}", Reply(status, headers={"Location": f"/r{n}"}))
        urls += [server.url(f"/r{n}"), server.url(f"/c{n}")]
    _assert_refused(_fetch_all(urls, allowed="127.0.0.1/32"), canary)
    assert server.hits[f"/r{len(REDIRECT_TARGETS) - 1}"] >= 1, "the first hop must be fine"


def test_translated_forms_of_the_allowed_fixture_are_refused(server):
    started = time.monotonic()
    urls = ["http://[64:ff9b::7f00:1]/", "http://[2002:7f00:1::]/"]
    for n, target in enumerate(urls):
        server.route(f"/t{n}", Reply(302, headers={"Location": target}))
    results = _fetch_all([server.url("/t0"), server.url("/t1")], allowed="127.0.0.1/32")
    assert all(isinstance(e, BlockedAddressError) for _u, e in results), results
    assert time.monotonic() - started < 1.5, "the translated address was dialled"


def test_feed_article_image_and_enclosure_urls_aimed_at_the_canary(tmp_path, canary, server):
    """A feed on the allowed fixture whose items point everywhere forbidden."""
    targets = [t.format(port=canary.port) for t in REDIRECT_TARGETS if "{port}" in t]
    items = [
        text("title", f"Item {n}") + text("guid", f"g{n}") + text("link", target)
        + text("description", f"<p>Body {n} <img src='{target}x.png'></p>")
        + f"<enclosure url={attr(target + 'e.jpg')} type='image/jpeg' length='10'/>"
        + f"<media:content url={attr(target + 'm.jpg')} medium='image'/>"
        for n, target in enumerate(targets)]
    body = rss_document(items)
    server.route("/feed.xml", Reply(200, body, {"Content-Type": "application/rss+xml"}))
    settings = make_settings(tmp_path, fetch_pages=True, connect_timeout=2, fetch_timeout=5)
    db = open_database(settings.database_url, upgrade=True)
    try:
        source_store.add_source(db, server.url("/feed.xml"))
        summary = run_update(db, settings, everything=True)
        assert summary.count("ok") == 1, summary.line()
        stored = article_store.all_articles(db)
        assert len(stored) == len(targets)
        assert all(a.extraction_error for a in stored), "a forbidden page was read"
        for article in stored:
            assert not LEAK.search(article.extraction_error or ""), article.extraction_error
    finally:
        db.close()
    assert canary.hits == [], canary.hits


def test_update_and_sources_add_through_the_cli(tmp_path, canary):
    spellings = ["127.0.0.2", "2130706434", "[::1]", "[::ffff:127.0.0.2]", "127.2"]
    for host in spellings[:2]:
        result = run_cli(tmp_path, "sources", "add", f"http://{host}:{canary.port}/feed.xml",
                         check=False)
        assert result.returncode == 1, result.stdout
        assert result.stderr.startswith("error: sources:"), result.stderr
        assert not LEAK.search(result.stderr), result.stderr
    db = open_database(f"sqlite:///{tmp_path / 'broadsheet.db'}", upgrade=True)
    try:
        for host in spellings:
            source_store.add_source(db, f"http://{host}:{canary.port}/feed.xml")
        source_store.add_source(db, "http://169.254.169.254/latest/meta-data/")
        with pytest.raises(SourceError, match="not an http"):  # refused before it is stored
            source_store.add_source(db, "file:///etc/passwd")
    finally:
        db.close()
    result = run_cli(tmp_path, "update", "--all", check=False)
    assert result.returncode == 1, result.stderr  # every source failed: a non-zero exit
    out = result.stdout
    assert "0 new articles" in out and "6 failed" in out, out
    listed = [json.loads(line) for line in
              run_cli(tmp_path, "sources", "list", "--json").stdout.splitlines()]
    for row in listed:
        assert row["error_count"] == 1 and row["last_error"], row
        assert not LEAK.search(row["last_error"]), row["last_error"]
    assert canary.hits == [], canary.hits


def test_canary_is_reachable_when_asked_directly(canary):
    """The control: the canary does record connections, so zero means zero."""
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.2:{canary.port}/probe", timeout=5) as answer:
        assert b"CANARY" in answer.read()
    assert len(canary.hits) == 1 and "/probe" in canary.hits[0][1]


def test_error_paths_are_plain(tmp_path: Path):
    """Refusals read like the rest of the product: they start with the stage name."""
    results = _fetch_all(["http://10.0.0.1/", "gopher://x/"], allowed="")
    assert all(str(e).startswith("fetch: ") for _u, e in results)
