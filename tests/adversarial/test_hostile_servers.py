"""A. Hostile servers: every limit of the fetch stage holds against a server that lies,
stalls, loops or floods, and the update run records what happened and goes on.

Cases go through ``broadsheet.fetch.Fetcher`` directly, through ``update_sources`` (the
pipeline with a real database) and, for the deadline, through ``broadsheet update``.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import re
import time
import zlib
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from broadsheet.errors import FetchError
from broadsheet.fetch import FetchConfig, Fetcher
from broadsheet.fetch.guard import AddressGuard
from broadsheet.store import open_database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store.leases import claim_due_sources
from broadsheet.types import FetchResult, Source
from broadsheet.update.pipeline import UpdateSummary, update_sources
from tests.adversarial.conftest import run_cli
from tests.adversarial.harness import HostileServer, TlsServer, self_signed_certificate
from tests.conftest import make_settings
from tests.servers import Reply, Request, ScriptedServer, rss

LEAK = re.compile(r"errno|getaddrinfo|socket|clientconnector|ssl:|os error|Traceback", re.I)
CAP = 1_000_000
FEED = rss([{"title": f"Item {n}", "guid": f"g{n}", "link": f"http://x/{n}",
             "description": f"Body {n}"} for n in range(3)], title="Good Feed")


def _fetch(url: str, **limits: Any) -> FetchResult | FetchError:
    """One fetch with loopback allowed and short limits; the error is returned, not raised."""
    values: dict[str, Any] = {"connect_timeout": 2, "total_timeout": 3, "max_body_bytes": CAP}
    values.update(limits)
    config = FetchConfig(guard=AddressGuard.from_setting("127.0.0.1/32"), **values)

    async def go() -> FetchResult | FetchError:
        async with Fetcher(config) as fetcher:
            try:
                return await fetcher.fetch(url)
            except FetchError as error:
                return error

    return asyncio.run(go())


def _refused(outcome: FetchResult | FetchError, words: str = "") -> FetchError:
    assert isinstance(outcome, FetchError), f"fetched although it should fail: {outcome}"
    assert not LEAK.search(str(outcome)), str(outcome)
    assert words.lower() in str(outcome).lower(), str(outcome)
    return outcome


@pytest.fixture
def home(tmp_path: Path):  # noqa: ANN201
    settings = make_settings(tmp_path, fetch_pages=False, fetch_timeout=3, connect_timeout=2,
                             max_body_bytes=CAP, poll_min_interval=60, poll_max_interval=3600)
    db = open_database(settings.database_url, upgrade=True)
    yield db, settings
    db.close()


def _poll(db: Any, settings: Any, *sources: Source) -> UpdateSummary:
    """One update run over these sources, re-read from the database as a run would."""
    fresh = [source_store.get_source(db, s.id) for s in sources]
    return asyncio.run(update_sources(db, settings, fresh))


def _status(summary: UpdateSummary, source: Source) -> str:
    return next(o.status for o in summary.outcomes if o.source.id == source.id)


# --- bodies: endless, bombs, stacked encodings -------------------------------------------

def test_endless_body_without_length_hits_the_cap(hostile: HostileServer) -> None:
    hostile.routes["/endless"] = hostile.endless_body()
    started = time.monotonic()
    _refused(_fetch(hostile.url("/endless"), total_timeout=20), "larger than")
    assert time.monotonic() - started < 10


BOMB = gzip.compress(b"<rss><channel><title>bomb</title>" + b" " * 64_000_000, 9)


def test_gzip_bomb_is_capped_on_decoded_bytes(server: ScriptedServer, home) -> None:
    assert len(BOMB) < CAP  # small on the wire, 64 MB decoded
    server.route("/bomb.xml", Reply(200, BOMB, {"Content-Encoding": "gzip",
                                                "Content-Type": "application/rss+xml"}))
    _refused(_fetch(server.url("/bomb.xml")), "larger than")
    db, settings = home
    source = source_store.add_source(db, server.url("/bomb.xml"))
    summary = _poll(db, settings, source)
    stored = source_store.get_source(db, source.id)
    assert _status(summary, source) == "error" and "larger than" in (stored.last_error or "")


@pytest.mark.parametrize("encoding", ["gzip, gzip", "gzip,gzip", "deflate, gzip", "gzip, br"])
def test_stacked_encodings_never_exceed_the_cap(server: ScriptedServer, home,
                                                encoding: str) -> None:
    layers = [e.strip() for e in encoding.split(",")]
    body = b"<rss><channel><title>stacked</title>" + b" " * 32_000_000
    for layer in layers:  # applied in the order listed, as the header says
        if layer == "gzip":
            body = gzip.compress(body, 9)
        elif layer == "deflate":
            body = zlib.compress(body, 9)
        else:
            import brotli
            body = brotli.compress(body)
    server.route("/stacked.xml", Reply(200, body, {"Content-Encoding": encoding,
                                                   "Content-Type": "application/rss+xml"}))
    outcome = _fetch(server.url("/stacked.xml"))
    if isinstance(outcome, FetchResult):
        assert len(outcome.body) <= CAP  # left encoded (then unparseable), never inflated
    else:
        _refused(outcome)
    db, settings = home
    source = source_store.add_source(db, server.url("/stacked.xml"))
    summary = _poll(db, settings, source)
    assert _status(summary, source) == "error"
    assert source_store.get_source(db, source.id).last_error


# --- time: trickles, hangs, endless headers -------------------------------------------------

def test_trickled_body_times_out_while_other_feeds_complete(tmp_path: Path,
                                                            hostile: HostileServer,
                                                            server: ScriptedServer) -> None:
    """One byte every 5 s: the 3 s deadline fires; the run's other feeds are stored."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: %d\r\n\r\n"
    hostile.routes["/slow.xml"] = hostile.trickle(head % len(FEED) + FEED, every=5)
    for n in range(4):
        server.route(f"/ok{n}.xml", Reply(200, rss([{"title": f"Fine {n}", "guid": f"f{n}"}])))
    db = open_database(f"sqlite:///{tmp_path / 'broadsheet.db'}", upgrade=True)
    try:
        slow = source_store.add_source(db, hostile.url("/slow.xml"))
        fine = [source_store.add_source(db, server.url(f"/ok{n}.xml")) for n in range(4)]
    finally:
        db.close()
    started = time.monotonic()
    out = run_cli(tmp_path, "update", "--all", BROADSHEET_FETCH_TIMEOUT="3",
                  BROADSHEET_FETCH_PAGES="false").stdout
    took = time.monotonic() - started
    assert "4 updated" in out and "1 failed" in out, out
    assert took < 15, f"the run waited on the trickle: {took:.1f}s"
    db = open_database(f"sqlite:///{tmp_path / 'broadsheet.db'}", upgrade=True)
    try:
        assert "timed out" in (source_store.get_source(db, slow.id).last_error or "")
        assert all(article_store.count_articles(db, s.id) == 1 for s in fine)
    finally:
        db.close()


def _hostile_case(hostile: HostileServer, name: str) -> str:
    behaviours = {
        "hang": hostile.hang(),
        "endless headers": hostile.endless_headers(),
        "bad status": hostile.raw(b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n"),
        "garbage": hostile.raw(b"garbage garbage\r\n\r\n"),
        "binary": hostile.raw(b"\x00\xff\xfe" * 300),
        "huge status": hostile.raw(b"HTTP/1.1 999999999 Strange\r\nContent-Length: 0\r\n\r\n"),
        "close": hostile.raw(b""),
        "short body": hostile.raw(b"HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n<rss>"),
        "negative length": hostile.raw(b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n<rss>"),
        "bad chunk": hostile.raw(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                 b"zz\r\n<rss>\r\n0\r\n\r\n"),
        "long header line": hostile.raw(b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 200_000
                                        + b"\r\n\r\n"),
        "http/0.9": hostile.raw(b"<rss><channel><title>old</title></channel></rss>"),
    }
    hostile.routes["/" + name.replace(" ", "-")] = behaviours[name]
    return hostile.url("/" + name.replace(" ", "-"))


@pytest.mark.parametrize("name", ["hang", "endless headers", "bad status", "garbage", "binary",
                                  "huge status", "close", "short body", "negative length",
                                  "bad chunk", "long header line", "http/0.9"])
def test_socket_level_misbehaviour_is_a_fetch_error_within_the_deadline(
        hostile: HostileServer, name: str) -> None:
    url = _hostile_case(hostile, name)
    started = time.monotonic()
    _refused(_fetch(url, total_timeout=3))
    assert time.monotonic() - started < 6


# --- redirects ------------------------------------------------------------------------------

def _redirect(to: str, status: int = 302) -> Reply:
    return Reply(status, b"", {"Location": to})


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_loops_are_refused(server: ScriptedServer, status: int) -> None:
    server.route("/loop/a", _redirect("/loop/b", status))
    server.route("/loop/b", _redirect("/loop/a", status))
    server.route("/self", _redirect("/self", status))
    _refused(_fetch(server.url("/loop/a")), "redirects")
    _refused(_fetch(server.url("/self")), "redirects")
    assert server.hits["/self"] == 11  # the first ask and ten redirects, no more


def test_long_redirect_chains_stop_after_ten(server: ScriptedServer) -> None:
    for n in range(15):
        server.route(f"/chain/{n}", _redirect(server.url(f"/chain/{n + 1}")))
    server.route("/chain/15", Reply(200, FEED))
    ten = _fetch(server.url("/chain/5"))  # 10 hops to /chain/15
    assert isinstance(ten, FetchResult) and ten.final_url.endswith("/chain/15")
    _refused(_fetch(server.url("/chain/4")), "more than 10 redirects")  # 11 hops


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_on_two_polls_moves_the_source(server: ScriptedServer, home,
                                                          status: int) -> None:
    db, settings = home
    server.route("/old.xml", _redirect(server.url("/new.xml"), status))
    server.route("/new.xml", Reply(200, FEED))
    source = source_store.add_source(db, server.url("/old.xml"))
    _poll(db, settings, source)
    once = source_store.get_source(db, source.id)
    assert once.url == server.url("/old.xml") and once.pending_redirect == server.url("/new.xml")
    _poll(db, settings, source)
    twice = source_store.get_source(db, source.id)
    assert twice.url == server.url("/new.xml") and twice.pending_redirect is None
    _poll(db, settings, source)
    assert server.hits["/old.xml"] == 2 and server.hits["/new.xml"] == 3
    assert article_store.count_articles(db, source.id) == 3


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirects_are_never_stored(server: ScriptedServer, home, status: int) -> None:
    db, settings = home
    server.route("/old.xml", _redirect(server.url("/new.xml"), status))
    server.route("/new.xml", Reply(200, FEED))
    source = source_store.add_source(db, server.url("/old.xml"))
    for _ in range(3):
        _poll(db, settings, source)
    stored = source_store.get_source(db, source.id)
    assert stored.url == server.url("/old.xml") and stored.pending_redirect is None
    assert stored.last_error is None and article_store.count_articles(db, source.id) == 3


def test_permanent_then_temporary_does_not_move(server: ScriptedServer, home) -> None:
    db, settings = home
    answers = iter([_redirect(server.url("/new.xml"), 301), _redirect(server.url("/new.xml"))])
    server.route("/old.xml", lambda _r: next(answers))
    server.route("/new.xml", Reply(200, FEED))
    source = source_store.add_source(db, server.url("/old.xml"))
    _poll(db, settings, source)
    _poll(db, settings, source)
    assert source_store.get_source(db, source.id).url == server.url("/old.xml")


def test_mixed_chain_moves_only_along_its_permanent_hops(server: ScriptedServer,
                                                         home) -> None:
    """301 to /hop, then 302 to /new: /old has moved to /hop for good; /new is only where
    /hop points today, so it is never stored."""
    db, settings = home
    server.route("/old.xml", _redirect(server.url("/hop.xml"), 301))
    server.route("/hop.xml", _redirect(server.url("/new.xml"), 302))
    server.route("/new.xml", Reply(200, FEED))
    source = source_store.add_source(db, server.url("/old.xml"))
    _poll(db, settings, source)
    _poll(db, settings, source)
    stored = source_store.get_source(db, source.id)
    assert stored.url == server.url("/hop.xml") and stored.pending_redirect is None
    assert stored.last_error is None


def test_permanent_redirect_onto_another_subscription_merges_into_it(
        server: ScriptedServer, home) -> None:
    """Confirmed on two polls, a move onto an address already subscribed merges the old
    source into it: it keeps its articles, stops polling, and no feed is polled twice."""
    db, settings = home
    server.route("/old.xml", _redirect(server.url("/new.xml"), 301))
    server.route("/new.xml", Reply(200, FEED))
    old = source_store.add_source(db, server.url("/old.xml"))
    new = source_store.add_source(db, server.url("/new.xml"))
    for _ in range(2):
        summary = _poll(db, settings, old, new)
        assert summary.count("error") == 0, [o.error for o in summary.outcomes]
    merged = source_store.get_source(db, old.id)
    assert merged.status == "merged" and server.url("/new.xml") in (merged.last_error or "")
    urls = [s.url for s in source_store.list_sources(db)]
    assert len(urls) == len(set(urls)) == 2
    assert article_store.count_articles(db, new.id) == 3
    assert old.id not in {s.id for s in source_store.due_sources(db, utcnow()
                                                                  + dt.timedelta(days=2))}


# --- status codes: 410, 429, 503 -------------------------------------------------------------

def test_gone_is_marked_and_still_retried_at_most_daily(server: ScriptedServer, home) -> None:
    db, settings = home
    server.route("/gone.xml", Reply(410))
    source = source_store.add_source(db, server.url("/gone.xml"))
    _poll(db, settings, source)
    gone = source_store.get_source(db, source.id)
    assert gone.status == "gone" and "410" in (gone.last_error or "")
    assert gone.next_poll is not None
    assert gone.next_poll - utcnow() <= dt.timedelta(seconds=settings.poll_max_interval)
    later = gone.next_poll + dt.timedelta(seconds=1)
    assert source.id in [s.id for s in source_store.due_sources(db, later)]
    assert source.id in [s.id for s in claim_due_sources(db, "w1", limit=10, lease_seconds=60,
                                                         now=later)], \
        "workers (broadsheet run) never poll a gone source again"


def test_gone_source_that_comes_back_is_active_again(server: ScriptedServer, home) -> None:
    db, settings = home
    answers = iter([Reply(410), Reply(200, FEED)])
    server.route("/back.xml", lambda _r: next(answers))
    source = source_store.add_source(db, server.url("/back.xml"))
    _poll(db, settings, source)
    _poll(db, settings, source)
    back = source_store.get_source(db, source.id)
    assert back.last_error is None and article_store.count_articles(db, source.id) == 3
    assert back.status == "active"


def _in_hours(hours: float) -> str:
    return format_datetime(dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours), usegmt=True)


@pytest.mark.parametrize("value, at_least, at_most", [
    ("7200", 7000, 7300),
    ("HTTP-DATE+3h", 3 * 3600 - 120, 3 * 3600 + 60),
    ("soon, please", 50, 120),
    ("-30", 50, 120),
    ("1000000000", 86400 * 0.99, 86400),
    ("HTTP-DATE+9000h", 86400 * 0.99, 86400),
])
def test_too_many_requests_honours_and_clamps_retry_after(tmp_path: Path,
                                                          server: ScriptedServer, value: str,
                                                          at_least: float,
                                                          at_most: float) -> None:
    settings = make_settings(tmp_path, fetch_pages=False, poll_min_interval=60,
                             poll_max_interval=86400)
    header = _in_hours(float(value[10:-1])) if value.startswith("HTTP-DATE") else value
    server.route("/busy.xml", Reply(429, b"", {"Retry-After": header}))
    error = _refused(_fetch(server.url("/busy.xml")), "429")
    assert error.retry_after is None or 0 <= error.retry_after <= 7 * 86400
    db = open_database(settings.database_url, upgrade=True)
    try:
        source = source_store.add_source(db, server.url("/busy.xml"))
        started = utcnow()
        _poll(db, settings, source)
        stored = source_store.get_source(db, source.id)
        assert stored.next_poll is not None and "429" in (stored.last_error or "")
        wait = (stored.next_poll - started).total_seconds()
        assert at_least <= wait <= at_most + 5, wait
    finally:
        db.close()


def test_service_unavailable_forever_backs_off_with_jitter_and_says_so(server: ScriptedServer,
                                                                       home) -> None:
    db, settings = home
    for n in range(6):
        server.route(f"/down{n}.xml", Reply(503, b"Service Unavailable"))
    sources = [source_store.add_source(db, server.url(f"/down{n}.xml")) for n in range(6)]
    waits: list[list[float]] = [[] for _ in sources]
    for _ in range(8):
        _poll(db, settings, *sources)
        for k, source in enumerate(sources):
            stored = source_store.get_source(db, source.id)
            assert stored.last_polled is not None and stored.next_poll is not None
            waits[k].append((stored.next_poll - stored.last_polled).total_seconds())
            assert "503" in (stored.last_error or ""), stored.last_error
    final = source_store.get_source(db, sources[0].id)
    assert final.error_count == 8 and final.status == "active"
    for series in waits:
        assert all(w <= settings.poll_max_interval + 1 for w in series), series
        rising = series[:6]  # 60 s doubling under the 3600 s cap
        assert all(b > a for a, b in zip(rising, rising[1:], strict=False)), series
        assert series[-1] >= settings.poll_max_interval * 0.85  # the cap, jittered down
    firsts = {round(w[2], 3) for w in waits}
    assert len(firsts) > 1, "no jitter: every source retries at the same instant"


# --- validators and 304 -----------------------------------------------------------------------

ETAG = 'W/"5e0f-1a2b;q=0.9, x/Y+=="'
MODIFIED = "Tue, 15 Nov 1994 12:45:26 GMT"


def test_validators_echo_byte_exact_and_304_writes_nothing_but_times(
        server: ScriptedServer, home) -> None:
    db, settings = home

    def answer(request: Request) -> Reply:
        if request.headers.get("If-None-Match") == ETAG and \
                request.headers.get("If-Modified-Since") == MODIFIED:
            return Reply(304)
        return Reply(200, FEED, {"ETag": ETAG, "Last-Modified": MODIFIED})

    server.route("/v.xml", answer)
    source = source_store.add_source(db, server.url("/v.xml"))
    _poll(db, settings, source)
    before = source_store.get_source(db, source.id)
    articles_before = _articles(db)
    assert before.etag == ETAG and before.last_modified == MODIFIED
    writes: list[str] = []

    def count(_conn, _cursor, statement: str, *_args: object) -> None:  # noqa: ANN001
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            writes.append(" ".join(statement.split())[:80])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        summary = _poll(db, settings, source)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert summary.count("not_modified") == 1
    second = server.requests[-1].headers
    assert second["If-None-Match"] == ETAG and second["If-Modified-Since"] == MODIFIED
    # Only the source's poll times change, plus the poll log the health plots read.
    assert writes and all(w.startswith(("UPDATE sources", "INSERT INTO poll_log",
                                        "DELETE FROM poll_log")) for w in writes), writes
    after = source_store.get_source(db, source.id)
    times = {"last_polled", "last_success", "next_poll"}
    assert {k: v for k, v in vars(after).items() if k not in times} == \
        {k: v for k, v in vars(before).items() if k not in times}
    assert _articles(db) == articles_before


def _articles(db: Any) -> list[tuple[Any, ...]]:
    with db.begin() as connection:
        return [tuple(r) for r in connection.execute(sa.text("SELECT * FROM articles ORDER BY id"))]


# --- one host, many sources -------------------------------------------------------------------

def test_two_hundred_sources_on_one_host_respect_the_per_host_limit(server: ScriptedServer,
                                                                    home) -> None:
    db, settings = home
    for n in range(200):
        server.route(f"/f/{n}.xml", Reply(200, rss([{"title": f"T{n}", "guid": f"g{n}"}]),
                                          delay=0.01))
    sources = [source_store.add_source(db, server.url(f"/f/{n}.xml")) for n in range(200)]
    summary = _poll(db, settings, *sources)
    assert summary.count("ok") == 200, [o.error for o in summary.outcomes if o.error][:3]
    assert sum(server.hits.values()) == 200
    assert 1 <= server.max_active <= settings.per_host_concurrency, server.max_active


# --- success that is not: empty or HTML 200 ----------------------------------------------------

@pytest.mark.parametrize("bad", [
    Reply(200, b"", {"Content-Type": "application/rss+xml"}),
    Reply(200, b"<html><body><h1>500 Internal Server Error</h1><p>oops</p></body></html>",
          {"Content-Type": "text/html"}),
    Reply(200, b"<html><body><h1>Please log in</h1></body></html>",
          {"Content-Type": "application/rss+xml"}),
], ids=["empty", "html-error", "html-as-rss"])
def test_a_200_that_is_not_a_feed_is_an_error_and_keeps_items(server: ScriptedServer, home,
                                                              bad: Reply) -> None:
    db, settings = home
    answers = iter([Reply(200, FEED, {"ETag": '"one"'}), bad])
    server.route("/flaky.xml", lambda _r: next(answers))
    source = source_store.add_source(db, server.url("/flaky.xml"))
    _poll(db, settings, source)
    summary = _poll(db, settings, source)
    stored = source_store.get_source(db, source.id)
    assert _status(summary, source) == "error" and stored.error_count == 1
    assert stored.last_error and "not a feed" in stored.last_error
    assert article_store.count_articles(db, source.id) == 3
    assert stored.etag == '"one"'  # the validators of the last good answer are kept
    assert stored.title == "Good Feed"


# --- TLS --------------------------------------------------------------------------------------

def test_self_signed_certificate_is_refused(tmp_path: Path, home) -> None:
    cert, key = self_signed_certificate(str(tmp_path))
    tls = TlsServer(cert, key, FEED).start()
    try:
        _refused(_fetch(tls.base_url + "/feed.xml"))
        db, settings = home
        source = source_store.add_source(db, tls.base_url + "/feed.xml")
        summary = _poll(db, settings, source)
        stored = source_store.get_source(db, source.id)
        assert _status(summary, source) == "error" and stored.last_error
        assert article_store.count_articles(db, source.id) == 0
        assert tls.requests == 0, "a request was sent over an untrusted connection"
    finally:
        tls.stop()
