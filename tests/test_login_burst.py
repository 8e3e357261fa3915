"""A burst of wrong logins: password hashing is bounded and the lockout holds.

Each Argon2id check costs tens of MiB, so the web server runs at most
``password_hash_concurrency`` at once, and counts an attempt before hashing it so that
concurrent guesses from one address are locked out as sequential ones are. Measured
through the hashing counters of ``broadsheet.accounts.auth``, on a real loopback server.
"""

from __future__ import annotations

import hashlib
import http.client
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from broadsheet.accounts import auth
from tests.conftest import make_settings
from tests.webserver import LiveServer, make_user, serve_app

CSRF = "c" * 43
BURST = 16


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broadsheet.db'}"


@pytest.fixture
def live(db: Any, tmp_path: Path) -> Iterator[LiveServer]:
    make_user(db, "ada", "admin", api_password="an api password")
    server = serve_app(db, make_settings(tmp_path, password_hash_concurrency=2))
    server.db = db  # type: ignore[attr-defined]
    yield server
    server.stop()


def post(base: str, path: str, form: dict[str, str], source: str = "127.0.0.1",
         cookie: str = "") -> int:
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60,
                                            source_address=(source, 0))
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        connection.request("POST", path, body=urlencode(form), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def admin_login(base: str, name: str, password: str, source: str = "127.0.0.1") -> int:
    return post(base, "/admin/login", {"name": name, "password": password, "csrf_token": CSRF},
                source, cookie=f"broadsheet_login_csrf={CSRF}")


def burst(call: Any, count: int = BURST) -> list[Any]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(call, range(count)))


def test_a_burst_of_wrong_logins_from_one_address_is_locked_out_before_hashing(live):
    before = auth.hash_slots.total
    statuses = burst(lambda n: admin_login(live.base_url, "ada", f"wrong guess {n}"))
    hashed = auth.hash_slots.total - before
    assert auth.hash_slots.peak <= 2
    # Three free failures, then the lock they leave refuses the rest unhashed.
    assert hashed <= auth.FREE_FAILURES, (hashed, statuses)
    assert statuses.count(429) >= BURST - auth.FREE_FAILURES, statuses
    assert set(statuses) <= {401, 429}
    # The right password is refused while the lock lasts.
    assert admin_login(live.base_url, "ada", "correct horse battery") == 429


def test_concurrent_hashing_never_exceeds_the_bound(live):
    # Sixteen addresses (all of 127/8 is loopback), sixteen unknown names: no lock applies,
    # so every attempt is hashed; at most two at a time.
    statuses = burst(lambda n: admin_login(live.base_url, f"nobody{n}", "wrong guess",
                                           source=f"127.0.1.{n + 1}"))
    assert statuses == [401] * BURST
    assert auth.hash_slots.total >= BURST
    assert auth.hash_slots.peak == 2, auth.hash_slots.peak
    # The same counters, as an operator sees them.
    metrics = http.client.HTTPConnection("127.0.0.1", int(live.base_url.rsplit(":", 1)[1]))
    metrics.request("GET", "/metrics")
    text = metrics.getresponse().read().decode()
    metrics.close()
    assert 'broadsheet_password_checks_peak{bound="2"} 2' in text, text[-800:]


def test_client_login_and_fever_share_the_burst_lockout(live):
    before = auth.hash_slots.total
    statuses = burst(lambda n: post(live.base_url, "/accounts/ClientLogin",
                                    {"Email": "ada", "Passwd": f"guess {n}"}, "127.0.2.1"))
    assert set(statuses) == {401}
    assert auth.hash_slots.total - before <= auth.FREE_FAILURES
    assert auth.hash_slots.peak <= 2

    def fever(n: int) -> int:
        key = hashlib.md5(f"ada:guess {n}".encode()).hexdigest()  # noqa: S324
        return post(live.base_url, "/fever/?api", {"api_key": key}, "127.0.2.2")

    assert set(burst(fever)) == {200}
    from broadsheet.store import users as user_store

    assert user_store.locked_until(live.db, ["fever:127.0.2.2"]) is not None
