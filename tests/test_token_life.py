"""Tokens a password login issued die with that password; the Fever key is revocable.

The passwords change through the command line (``broadsheet users ...``) while a real
server answers the reader APIs from the same database on disk.
"""

from __future__ import annotations

import http.client
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from click.testing import CliRunner

from broadsheet.accounts import auth
from broadsheet.cli import cli
from broadsheet.store import open_database
from tests.conftest import make_settings
from tests.webserver import LiveServer, serve_app

_sources = (f"127.0.9.{n}" for n in itertools.count(1))
"""A fresh loopback address per call, so refused tokens never lock the next check out."""


class Desk:
    def __init__(self, home: Path, monkeypatch: pytest.MonkeyPatch):
        self.home = home
        self.secret = home.parent / "secret"
        self.monkeypatch = monkeypatch
        self.runner = CliRunner()

    def cli(self, *args: str, password: str | None = None) -> str:
        if password is not None:
            self.secret.write_text(password + "\n")
            self.monkeypatch.setenv("BROADSHEET_ADMIN_PASSWORD_FILE", str(self.secret))
        result = self.runner.invoke(cli, ["--home", str(self.home), *args])
        assert result.exit_code == 0, result.output
        return result.output

    def call(self, method: str, path: str, form: dict[str, str] | None = None,
             headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        parts = urlsplit(self.server.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30,
                                                source_address=(next(_sources), 0))
        sent = dict(headers or {})
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def client_login(self, password: str) -> str | None:
        status, body = self.call("POST", "/accounts/ClientLogin",
                                 {"Email": "rita", "Passwd": password})
        if status != 200:
            return None
        return body.decode().split("Auth=")[1].strip()

    def reads(self, token: str) -> int:
        return self.call("GET", "/reader/api/0/user-info",
                         headers={"Authorization": f"GoogleLogin auth={token}"})[0]

    def fever(self, password: str) -> int:
        _, body = self.call("POST", "/fever/?api",
                            {"api_key": auth.fever_key("rita", password)})
        return int(json.loads(body)["auth"])


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Desk]:
    home = tmp_path / "home"
    desk = Desk(home, monkeypatch)
    desk.cli("users", "create", "rita", "--reader", password="an account password")
    desk.cli("users", "api-password", "rita", password="first api password")
    db = open_database(f"sqlite:///{home / 'broadsheet.db'}")
    desk.server: LiveServer = serve_app(db, make_settings(home))
    yield desk
    desk.server.stop()
    db.close()


def test_changing_the_api_password_ends_google_reader_logins(desk: Any) -> None:
    token = desk.client_login("first api password")
    assert token and desk.reads(token) == 200
    desk.cli("users", "api-password", "rita", password="second api password")
    assert desk.reads(token) == 401
    assert desk.client_login("first api password") is None
    fresh = desk.client_login("second api password")
    assert fresh and desk.reads(fresh) == 200


def test_changing_the_account_password_ends_google_reader_logins(desk: Any) -> None:
    token = desk.client_login("first api password")
    assert token and desk.reads(token) == 200
    desk.cli("users", "password", "rita", password="another account password")
    assert desk.reads(token) == 401
    again = desk.client_login("first api password")  # the API password itself still works
    assert again and desk.reads(again) == 200


def test_clearing_the_api_password_ends_every_api_login(desk: Any) -> None:
    token = desk.client_login("first api password")
    assert token and desk.reads(token) == 200 and desk.fever("first api password") == 1
    out = desk.cli("users", "api-password", "rita", "--clear")
    assert "cleared" in out
    assert desk.reads(token) == 401
    assert desk.fever("first api password") == 0
    assert desk.client_login("first api password") is None
    listed = desk.cli("users", "token", "list")
    assert "revoked" in listed


def test_the_fever_key_is_revocable_on_its_own(desk: Any) -> None:
    token = desk.client_login("first api password")
    assert desk.fever("first api password") == 1
    assert "Fever key revoked" in desk.cli("users", "api-password", "rita", "--no-fever")
    assert desk.fever("first api password") == 0
    assert token and desk.reads(token) == 200  # Google Reader goes on
    desk.cli("users", "api-password", "rita", password="second api password")
    assert desk.fever("second api password") == 1


def test_a_login_racing_a_password_change_gets_no_token(db: Any) -> None:
    from broadsheet.accounts.users import create_account, set_api_password
    from broadsheet.store import tokens as token_store
    from broadsheet.errors import AccountError
    from broadsheet.store.users import find_user

    user = create_account(db, "rita", "reader", "an account password")
    set_api_password(db, user, "first api password")
    matched = find_user(db, "rita")[2]  # what a ClientLogin had just verified...
    set_api_password(db, user, "second api password")  # ...when the password changed
    with pytest.raises(AccountError):
        token_store.add_token(db, user.id, "digest", "bs_x", "login", "clientlogin",
                              api_password_hash=matched)
    assert token_store.list_tokens(db, user.id) == []
    current = find_user(db, "rita")[2]
    token_store.add_token(db, user.id, "digest", "bs_x", "login", "clientlogin",
                          api_password_hash=current)
    assert [t.kind for t in token_store.list_tokens(db, user.id)] == ["clientlogin"]
