"""The fetch stage against real loopback servers: validators, limits, guard, politeness."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import time
from typing import Any

import brotli
import pytest

from broadsheet.errors import BlockedAddressError, FetchError
from broadsheet.fetch import AddressGuard, FetchConfig, Fetcher
from broadsheet.fetch.client import retry_after_seconds
from broadsheet.types import FetchResult
from tests.servers import Reply, ScriptedServer

LOOPBACK = AddressGuard.from_setting("127.0.0.1/32")


def config(**changes: Any) -> FetchConfig:
    base: dict[str, Any] = {"guard": LOOPBACK, "total_timeout": 5.0, "connect_timeout": 2.0}
    base.update(changes)
    return FetchConfig(**base)


def fetch(url: str, cfg: FetchConfig | None = None, **kwargs: Any) -> FetchResult:
    async def run() -> FetchResult:
        async with Fetcher(cfg or config()) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(run())


def test_validators_are_echoed_byte_for_byte(server: ScriptedServer) -> None:
    etag = 'W/"caf\u00e9-17; a=b, \\"q\\""'.encode().decode("latin-1")
    modified = "Tue, 02 Sep 2025 07:00:00 GMT"
    server.route("/f", lambda r: Reply(304) if r.headers.get("If-None-Match") == etag
                 and r.headers.get("If-Modified-Since") == modified
                 else Reply(200, b"<rss/>", {"ETag": etag, "Last-Modified": modified}))
    first = fetch(server.url("/f"))
    second = fetch(server.url("/f"), etag=first.etag, last_modified=first.last_modified)
    assert second.not_modified and second.status == 304
    # Compared as the server saw them: the same bytes came back, even non-ASCII ones.
    assert server.requests[-1].headers["If-None-Match"] == etag
    assert server.requests[-1].headers["If-Modified-Since"] == modified


def test_permanent_and_temporary_redirects(server: ScriptedServer) -> None:
    server.route("/a", Reply(301, headers={"Location": "/b"}))
    server.route("/b", Reply(308, headers={"Location": "/c"}))
    server.route("/c", Reply(200, b"ok"))
    server.route("/t", Reply(302, headers={"Location": "/u"}))
    server.route("/u", Reply(307, headers={"Location": "/c"}))
    server.route("/mixed", Reply(301, headers={"Location": "/t"}))
    assert fetch(server.url("/a")).permanent_redirect == server.url("/c")
    temporary = fetch(server.url("/t"))
    assert temporary.permanent_redirect is None and temporary.final_url == server.url("/c")
    assert fetch(server.url("/mixed")).permanent_redirect == server.url("/t")


def test_at_most_ten_redirects(server: ScriptedServer) -> None:
    for n in range(12):
        server.route(f"/r{n}", Reply(302, headers={"Location": f"/r{n + 1}"}))
    server.route("/r12", Reply(200, b"end"))
    assert fetch(server.url("/r2")).body == b"end"  # exactly ten hops
    with pytest.raises(FetchError, match="more than 10 redirects"):
        fetch(server.url("/r1"))


@pytest.mark.parametrize("status", [401, 403, 404, 410, 500])
def test_error_statuses_raise_with_the_status(server: ScriptedServer, status: int) -> None:
    server.route("/x", Reply(status, b"no"))
    with pytest.raises(FetchError) as caught:
        fetch(server.url("/x"))
    assert caught.value.status == status and f"HTTP {status}" in str(caught.value)


def test_retry_after_in_seconds_and_as_a_date(server: ScriptedServer) -> None:
    when = email.utils.formatdate(time.time() + 3600, usegmt=True)
    server.route("/busy", Reply(429, headers={"Retry-After": "120"}))
    server.route("/down", Reply(503, headers={"Retry-After": when}))
    server.route("/forever", Reply(503, headers={"Retry-After": "99999999"}))
    for path, low, high in (("/busy", 120, 120), ("/down", 3500, 3601),
                            ("/forever", 7 * 86400, 7 * 86400)):
        with pytest.raises(FetchError) as caught:
            fetch(server.url(path))
        assert caught.value.retry_after is not None
        assert low <= caught.value.retry_after <= high
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(email.utils.formatdate(0, usegmt=True)) == 0.0


def test_slow_body_hits_the_deadline(server: ScriptedServer) -> None:
    server.route("/slow", Reply(200, b"x" * 4000, trickle=0.05))
    started = time.monotonic()
    with pytest.raises(FetchError, match="timed out"):
        fetch(server.url("/slow"), config(total_timeout=0.6))
    assert time.monotonic() - started < 2.0


def test_huge_body_is_capped(server: ScriptedServer) -> None:
    server.route("/huge", Reply(200, b"x" * 50_000))
    with pytest.raises(FetchError, match="larger than 10000 bytes"):
        fetch(server.url("/huge"), config(max_body_bytes=10_000))


def test_gzip_bomb_is_capped_on_decoded_bytes(server: ScriptedServer) -> None:
    bomb = gzip.compress(b"\0" * (30 * 1024 * 1024))
    assert len(bomb) < 100_000
    server.route("/bomb", Reply(200, bomb, {"Content-Encoding": "gzip"}))
    with pytest.raises(FetchError, match="larger than"):
        fetch(server.url("/bomb"), config(max_body_bytes=1024 * 1024))


def test_gzip_and_brotli_are_decoded(server: ScriptedServer) -> None:
    server.route("/gz", Reply(200, b"<rss>gzip</rss>", gzip=True))
    server.route("/br", Reply(200, brotli.compress(b"<rss>brotli</rss>"),
                              {"Content-Encoding": "br"}))
    assert fetch(server.url("/gz")).body == b"<rss>gzip</rss>"
    assert fetch(server.url("/br")).body == b"<rss>brotli</rss>"
    assert "br" in server.requests[-1].headers["Accept-Encoding"]


def test_user_agent_is_configurable(server: ScriptedServer) -> None:
    server.route("/ua", Reply(200, b"ok"))
    fetch(server.url("/ua"), config(user_agent="Broadsheet/9.9 (+https://news.example)"))
    assert server.requests[-1].headers["User-Agent"] == "Broadsheet/9.9 (+https://news.example)"


def test_per_host_concurrency_limit(server: ScriptedServer) -> None:
    server.route("/slowish", Reply(200, b"ok", delay=0.15))

    async def run() -> None:
        async with Fetcher(config(per_host_concurrency=2)) as fetcher:
            await asyncio.gather(*(fetcher.fetch(server.url("/slowish")) for _ in range(6)))

    asyncio.run(run())
    assert server.hits["/slowish"] == 6 and server.max_active == 2


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://x/",
                                 "javascript:alert(1)", "data:text/plain,hi"])
def test_non_http_schemes_are_refused(url: str) -> None:
    with pytest.raises(FetchError, match="only http and https"):
        fetch(url)


def test_redirect_to_another_scheme_is_refused(server: ScriptedServer) -> None:
    server.route("/to-file", Reply(302, headers={"Location": "file:///etc/passwd"}))
    with pytest.raises(FetchError, match="only http and https"):
        fetch(server.url("/to-file"))


SPELLINGS = ["127.0.0.2", "127.1", "0177.0.0.1", "0x7f000001", "2130706433", "0x7f.1",
             "[::1]", "[::ffff:127.0.0.2]", "[::ffff:7f00:2]", "10.0.0.1", "169.254.169.254",
             "[fe80::1]", "0.0.0.0", "224.0.0.1"]


@pytest.mark.parametrize("host", SPELLINGS)
def test_guard_refuses_every_spelling_directly(server: ScriptedServer, host: str) -> None:
    port = server.httpd.server_address[1]
    with pytest.raises(BlockedAddressError):
        fetch(f"http://{host}:{port}/feed")
    assert server.hits["/feed"] == 0


@pytest.mark.parametrize("host", SPELLINGS + ["localhost."])
def test_guard_refuses_every_spelling_as_a_redirect(host: str) -> None:
    source = ScriptedServer().start()
    try:
        port = source.httpd.server_address[1]
        source.route("/hop", Reply(302, headers={"Location": f"http://{host}:{port}/feed"}))
        source.route("/feed", Reply(200, b"secret"))
        with pytest.raises(BlockedAddressError):
            fetch(source.url("/hop"), config(guard=AddressGuard.from_setting("127.0.0.2/32")))
        assert source.hits["/feed"] == 0
    finally:
        source.stop()


def test_loopback_is_refused_by_default_under_any_name(server: ScriptedServer) -> None:
    server.route("/feed", Reply(200, b"ok"))
    port = server.httpd.server_address[1]
    for host in ("127.0.0.1", "localhost", "localhost."):
        with pytest.raises(BlockedAddressError):
            fetch(f"http://{host}:{port}/feed", config(guard=AddressGuard()))
    assert server.hits["/feed"] == 0


def test_names_are_checked_on_the_address_connected_to(server: ScriptedServer) -> None:
    """A name is judged by what it resolves to: localhost is 127.0.0.1, listed or not."""
    server.route("/feed", Reply(200, b"ok"))
    port = server.httpd.server_address[1]
    assert fetch(f"http://localhost:{port}/feed").body == b"ok"
    with pytest.raises(BlockedAddressError):
        fetch(f"http://localhost:{port}/feed", config(guard=AddressGuard.from_setting("::1/128")))
    assert server.hits["/feed"] == 1


def test_a_refusal_names_the_address_and_the_allowed_networks_setting(
        server: ScriptedServer) -> None:
    port = server.httpd.server_address[1]
    for host, address in (("127.0.0.1", "127.0.0.1/32"), ("localhost", "127.0.0.1/32"),
                          ("[::1]", "::1/128")):
        with pytest.raises(BlockedAddressError) as refused:
            fetch(f"http://{host}:{port}/feed", config(guard=AddressGuard()))
        message = str(refused.value)
        assert message.startswith("fetch: address not allowed for http://")
        assert "allowed_networks" in message
        assert f"BROADSHEET_ALLOWED_NETWORKS={address}" in message


def test_a_name_that_does_not_resolve_says_so() -> None:
    with pytest.raises(FetchError) as failed:
        fetch("http://news.example.invalid/feed.xml", config(guard=AddressGuard()))
    assert not isinstance(failed.value, BlockedAddressError)
    assert "news.example.invalid did not resolve" in str(failed.value)


def test_guard_unit_cases() -> None:
    guard = AddressGuard.from_setting("127.0.0.1/32")
    assert guard.permits("127.0.0.1") and guard.permits("::ffff:127.0.0.1")
    for address in ("127.0.0.2", "::1", "::ffff:127.0.0.2", "64:ff9b::7f00:2", "2002:7f00:2::",
                    "10.1.2.3", "192.168.0.1", "fc00::1", "fe80::1%1", "not an address"):
        assert not guard.permits(address)
    assert AddressGuard().permits("93.184.215.14")


def test_time_queued_behind_the_limits_does_not_count(server: ScriptedServer) -> None:
    server.route("/q", Reply(200, b"ok", delay=0.3))

    async def run() -> list[FetchResult]:
        async with Fetcher(config(per_host_concurrency=1, total_timeout=0.8)) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(server.url("/q")) for _ in range(5)))

    assert [r.body for r in asyncio.run(run())] == [b"ok"] * 5
