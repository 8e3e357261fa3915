"""The admin area says only what it means to, and private answers are never cached.

A link to ``/admin/login?msg=...`` cannot put words on the page: ``msg`` is a code for one
of a fixed set of sentences, and their details are shown only when the server signed
them. Admin pages, reader-API answers and any request carrying credentials are marked
``Cache-Control: no-store``. Against a real server on loopback.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from broadsheet.accounts import auth
from tests.webserver import LiveServer, make_token, make_user, serve_app

CSRF = "c" * 43
PHISH = "Your session expired. Call +1 555 0100 with your password"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broadsheet.db'}"


@pytest.fixture
def live(db: Any, settings: Any) -> Iterator[LiveServer]:
    make_user(db, "ada", "admin", api_password="an api password")
    server = serve_app(db, settings)
    server.db = db  # type: ignore[attr-defined]
    yield server
    server.stop()


def editor_session(live: LiveServer) -> tuple[requests.Session, str]:
    session = requests.Session()
    session.cookies.set("broadsheet_login_csrf", CSRF)
    page = session.post(live.base_url + "/admin/login", data={
        "name": "ada", "password": "correct horse battery", "csrf_token": CSRF})
    assert page.url.endswith("/admin/sources"), page.text[:300]
    return session, re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


@pytest.mark.parametrize("query", [
    {"msg": PHISH},
    {"msg": "subscribed", "detail": PHISH},
    {"msg": "subscribed", "detail": PHISH, "sig": "0" * 64},
    {"msg": "failed", "detail": PHISH, "sig": ""},
])
def test_the_login_page_never_echoes_text_from_a_link(live, query):
    page = requests.get(live.base_url + "/admin/login", params=query)
    assert page.status_code == 200
    assert "Call +1 555" not in page.text and "session expired" not in page.text


def test_messages_are_codes_and_the_server_signs_their_details(live):
    session, csrf = editor_session(live)
    answer = session.post(live.base_url + "/admin/sources", allow_redirects=False,
                          data={"url": "ftp://x.test/feed", "csrf_token": csrf})
    assert answer.status_code == 303
    assert parse_qs(urlsplit(answer.headers["location"]).query) == {"msg": ["need_http"]}
    page = session.get(live.base_url + answer.headers["location"])
    assert "Give an address starting with http:// or https://" in page.text
    # A message with a detail the server produced (the token's number) shows it whole...
    token_id = _token_id(live)
    answer = session.post(live.base_url + f"/admin/tokens/{token_id}/revoke",
                          allow_redirects=False, data={"csrf_token": csrf})
    location = answer.headers["location"]
    assert parse_qs(urlsplit(location).query)["msg"] == ["revoked"]
    assert f"Revoked token {token_id}" in session.get(live.base_url + location).text
    # ...and the same detail, changed by hand, is not shown at all.
    forged = location.replace(f"detail={token_id}", "detail=999")
    assert forged != location
    assert "Revoked token" not in session.get(live.base_url + forged).text


def _token_id(live: LiveServer) -> int:
    from broadsheet.accounts.access import issue_token
    from broadsheet.store.users import find_user

    return issue_token(live.db, find_user(live.db, "ada")[0], "to revoke")[1]


def test_admin_pages_are_not_stored(live):
    session, _ = editor_session(live)
    for path in ("/admin/sources", "/admin/users", "/admin/login", "/admin/health"):
        answer = session.get(live.base_url + path)
        assert answer.status_code == 200
        assert answer.headers.get("cache-control") == "no-store", path
    assert requests.get(live.base_url + "/admin/sources", allow_redirects=False
                        ).headers.get("cache-control") == "no-store"


def test_authenticated_api_answers_are_not_stored(live):
    token = make_token(live.db, make_user(live.db, "rita", "reader"))
    answers = [
        requests.get(live.base_url + "/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
        requests.get(live.base_url + "/v1/me", headers={"X-Auth-Token": token}),
        requests.post(live.base_url + "/fever/?api", data={
            "api_key": auth.fever_key("ada", "an api password")}),
        requests.post(live.base_url + "/accounts/ClientLogin", data={
            "Email": "ada", "Passwd": "an api password"}),
    ]
    for answer in answers:
        assert answer.status_code == 200, (answer.url, answer.text[:200])
        assert answer.headers.get("cache-control") == "no-store", answer.url


def test_public_pages_keep_their_caching(live):
    answer = requests.get(live.base_url + "/")
    assert answer.status_code == 200 and answer.headers.get("cache-control") != "no-store"
