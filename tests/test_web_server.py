"""The web server at the socket: body caps, slow clients, forwarded headers, no banner.

Every case speaks raw HTTP to a real uvicorn on loopback, configured as
``broadsheet serve`` configures it (``broadsheet.server.server_config``).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from tests.conftest import make_settings
from tests.webserver import LiveServer, make_token, make_user, serve_app

BIG = 32 * 1024 * 1024
CSRF = "c" * 43


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broadsheet.db'}"


def start(db: Any, tmp_path: Path, **flags: Any) -> LiveServer:
    return serve_app(db, make_settings(tmp_path, **flags))


@pytest.fixture
def live(db: Any, tmp_path: Path) -> Iterator[LiveServer]:
    make_user(db, "ada", "admin", api_password="an api password")
    server = start(db, tmp_path, header_timeout=2.0, body_timeout=2.0)
    server.db = db  # type: ignore[attr-defined]
    yield server
    server.stop()


def connect(live: LiveServer, source: str = "127.0.0.1") -> socket.socket:
    port = int(live.base_url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10,
                                    source_address=(source, 0))
    return sock


def read_status(sock: socket.socket) -> tuple[int, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head = data.split(b"\r\n\r\n", 1)[0]
    return int(head.split()[1]), head


def head_of(method: str, path: str, headers: dict[str, str]) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


# --- request bodies ----------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/login", "/accounts/ClientLogin", "/api/v1/me",
                                  "/v1/entries", "/fever/?api", "/reader/api/0/edit-tag"])
def test_a_32_mib_body_is_refused_before_it_is_sent(live, path):
    sock = connect(live)
    started = time.monotonic()
    # Only the headers go out: the answer must not wait for a single byte of the body.
    sock.sendall(head_of("POST", path, {"Content-Length": str(BIG),
                                        "Content-Type": "application/x-www-form-urlencoded"}))
    status, head = read_status(sock)
    sock.close()
    assert status == 413, head
    assert time.monotonic() - started < 2
    assert b"x-content-type-options" in head.lower()  # refusals carry the security headers


def test_a_chunked_body_is_counted_as_it_streams(live):
    sock = connect(live)
    sock.sendall(head_of("POST", "/admin/login", {
        "Transfer-Encoding": "chunked", "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"broadsheet_login_csrf={CSRF}"}))
    chunk = b"a" * 16384
    sent = 0
    try:
        while sent < BIG:
            sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            sent += len(chunk)
    except OSError:
        pass  # the server answered and closed: exactly what should happen
    status, head = read_status(sock)
    sock.close()
    assert status == 413, head
    assert sent < 8 * 1024 * 1024, f"the server read {sent} bytes before refusing"


def test_the_opml_upload_may_be_larger_but_not_unbounded(live, tmp_path):
    limits = __import__("broadsheet.server", fromlist=["x"])
    settings = make_settings(tmp_path)
    guard = limits.RequestLimits(None, settings)
    assert guard.limit_for("/admin/sources/import") == settings.max_upload_bytes
    assert guard.limit_for("/admin/login") == settings.max_request_body_bytes == 64 * 1024
    sock = connect(live)
    sock.sendall(head_of("POST", "/admin/sources/import",
                         {"Content-Length": str(settings.max_upload_bytes + 1),
                          "Content-Type": "multipart/form-data; boundary=x"}))
    status, _ = read_status(sock)
    sock.close()
    assert status == 413
    # A body between the two caps reaches the upload route (refused there for CSRF)...
    middle = b"x" * (settings.max_request_body_bytes * 2)
    answer = requests.post(live.base_url + "/admin/sources/import", data=middle,
                           headers={"Content-Type": "application/octet-stream"},
                           allow_redirects=False)
    assert answer.status_code != 413
    # ...but not a login.
    answer = requests.post(live.base_url + "/admin/login", data=middle,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status_code == 413


def test_normal_logins_and_api_calls_still_work(live):
    session = requests.Session()
    session.cookies.set("broadsheet_login_csrf", CSRF)
    answer = session.post(live.base_url + "/admin/login", allow_redirects=False,
                          data={"name": "ada", "password": "correct horse battery",
                                "csrf_token": CSRF})
    assert answer.status_code == 303
    token = make_token(live.db, make_user(live.db, "rita", "reader"))
    answer = requests.put(live.base_url + "/v1/entries", json={"entry_ids": [1],
                                                               "status": "read"},
                          headers={"X-Auth-Token": token})
    assert answer.status_code in (204, 200), answer.text


# --- slow clients ------------------------------------------------------------------------

def test_a_client_sending_one_header_line_a_second_is_cut_off(live):
    sock = connect(live)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    started = time.monotonic()
    closed_after = None
    for n in range(15):
        time.sleep(0.5)
        try:
            sock.sendall(f"X-Slow-{n}: {'y' * 10}\r\n".encode())
            sock.settimeout(0.01)
            if sock.recv(1) == b"":
                closed_after = time.monotonic() - started
                break
        except TimeoutError:
            continue
        except OSError:
            closed_after = time.monotonic() - started
            break
    sock.close()
    assert closed_after is not None, "the slow client was never disconnected"
    assert closed_after < 2.0 + 1.5  # header_timeout is 2 s here


def test_a_silent_connection_is_closed(live):
    sock = connect(live)
    sock.settimeout(6)
    started = time.monotonic()
    assert sock.recv(1) == b""
    assert time.monotonic() - started < 2.0 + 1.5
    sock.close()


def test_a_slow_body_is_refused_with_408(live):
    sock = connect(live)
    sock.sendall(head_of("POST", "/admin/login", {
        "Content-Length": "1000", "Content-Type": "application/x-www-form-urlencoded"}))
    started = time.monotonic()
    for _ in range(8):
        try:
            sock.sendall(b"a=1&")
        except OSError:
            break
        time.sleep(0.5)
    status, head = read_status(sock)
    sock.close()
    assert status == 408, head
    assert time.monotonic() - started < 2.0 + 2


def test_a_large_upload_arriving_steadily_is_not_cut_off(live):
    # 96 KiB to the OPML upload over about 3 s: longer than body_timeout (2 s here), but
    # each 16 KiB received buys another second.
    boundary = "b" * 20
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"a.opml\"\r\nContent-Type: text/x-opml\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    payload = b"x" * (96 * 1024)
    body = head + payload + tail
    sock = connect(live)
    sock.sendall(head_of("POST", "/admin/sources/import", {
        "Content-Length": str(len(body)),
        "Content-Type": f"multipart/form-data; boundary={boundary}"}))
    started = time.monotonic()
    for start in range(0, len(body), 8192):
        sock.sendall(body[start:start + 8192])
        time.sleep(0.25)
    status, head_ = read_status(sock)
    sock.close()
    assert time.monotonic() - started > 2.5
    assert status != 408, head_
    assert status in (303, 403), head_  # read in full, then refused for want of a session


def test_keep_alive_still_serves_several_requests(live):
    with requests.Session() as session:
        for _ in range(3):
            assert session.get(live.base_url + "/").status_code == 200
            time.sleep(0.2)


# --- forwarded headers -------------------------------------------------------------------

def _audit_addresses(db: Any) -> list[str]:
    with db.begin() as connection:
        return [r[0] for r in connection.execute(sa.text(
            "SELECT address FROM audit_log WHERE action = 'session.login'"))]


def login(live: LiveServer, password: str, forwarded: str, source: str = "127.0.0.1",
          name: str = "ada") -> int:
    sock = connect(live, source)
    body = f"name={name}&password={password.replace(' ', '+')}&csrf_token={CSRF}".encode()
    sock.sendall(head_of("POST", "/admin/login", {
        "Content-Length": str(len(body)), "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"broadsheet_login_csrf={CSRF}", "X-Forwarded-For": forwarded,
        "Connection": "close"}) + body)
    status, _ = read_status(sock)
    sock.close()
    return status


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(live):
    # A spray of guesses at other names from 127.0.0.1 (which uvicorn trusts by default),
    # each claiming another address: the lock falls on the real address all the same.
    statuses = [login(live, "guess", f"198.51.100.{n}", name=f"nobody{n}") for n in range(6)]
    assert statuses[-1] == 429, statuses
    assert login(live, "correct horse battery", "198.51.100.99") == 429
    assert login(live, "correct horse battery", "203.0.113.7", "127.0.3.3") == 303
    assert _audit_addresses(live.db) == ["127.0.3.3"]


def test_forwarded_headers_are_believed_from_a_trusted_proxy(db, tmp_path):
    make_user(db, "ada", "admin")
    server = start(db, tmp_path, trusted_proxies="127.0.4.0/24")
    server.db = db  # type: ignore[attr-defined]
    try:
        assert login(server, "correct horse battery", "203.0.113.7", "127.0.4.1") == 303
        assert login(server, "correct horse battery", "203.0.113.8", "127.0.5.1") == 303
    finally:
        server.stop()
    assert _audit_addresses(db) == ["203.0.113.7", "127.0.5.1"]


# --- the banner --------------------------------------------------------------------------

def test_no_server_header(live):
    answer = requests.get(live.base_url + "/")
    assert "server" not in {k.lower() for k in answer.headers}


@pytest.mark.parametrize("value", ["*", "proxy.example", "10.0.0.0/33"])
def test_a_bad_trusted_proxies_setting_stops_start_up(tmp_path, value):
    from broadsheet.errors import ConfigError
    from broadsheet.server import server_config

    with pytest.raises(ConfigError, match="trusted_proxies"):
        server_config(None, make_settings(tmp_path, trusted_proxies=value))
