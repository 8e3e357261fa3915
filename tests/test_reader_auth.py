"""Reader APIs: secrets only where each protocol puts them; shared sources are an admin's.

Against a real server on loopback: an API password or Fever key in a query string (which
proxies and access logs keep) is refused even when right; a reader-role account cannot
reschedule every shared source, and an admin's doing so is audited.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from broadsheet.accounts import auth
from broadsheet.store import sources as source_store
from broadsheet.store.sources import add_source
from tests.webserver import LiveServer, make_token, make_user, serve_app

API_PASSWORD = "an api password"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'broadsheet.db'}"


@pytest.fixture
def live(db: Any, settings: Any) -> Iterator[LiveServer]:
    make_user(db, "rita", "reader", api_password=API_PASSWORD)
    server = serve_app(db, settings)
    server.db = db  # type: ignore[attr-defined]
    yield server
    server.stop()


def test_client_login_takes_the_password_only_from_the_form(live):
    url = live.base_url + "/accounts/ClientLogin"
    form = {"Email": "rita", "Passwd": API_PASSWORD}
    assert requests.post(url, data=form).status_code == 200  # the protocol's way
    for answer in (requests.get(url, params=form),
                   requests.post(url, params=form),
                   requests.post(url, params={"Passwd": API_PASSWORD}, data={"Email": "rita"})):
        assert answer.status_code == 401 and "Auth=" not in answer.text


def test_fever_takes_the_key_only_from_the_form(live):
    key = auth.fever_key("rita", API_PASSWORD)
    url = live.base_url + "/fever/"
    assert requests.post(url + "?api", data={"api_key": key}).json()["auth"] == 1
    for answer in (requests.get(url, params={"api": "", "api_key": key}),
                   requests.post(url + f"?api&api_key={key}", data={"api_key": key})):
        assert answer.json()["auth"] == 0 and "items" not in answer.json()


def test_miniflux_ignores_credentials_in_the_query(live):
    token = make_token(live.db, make_user(live.db, "omar", "reader"))
    assert requests.get(live.base_url + "/v1/me", headers={"X-Auth-Token": token}).ok
    for params in ({"token": token}, {"X-Auth-Token": token}, {"api_key": token},
                   {"username": "omar", "password": "correct horse battery"}):
        assert requests.get(live.base_url + "/v1/me", params=params).status_code == 401


def _refresh_audits(db: Any) -> list[tuple[str, str]]:
    with db.begin() as connection:
        return [tuple(r) for r in connection.execute(sa.text(
            "SELECT user_name, action FROM audit_log WHERE action = 'source.refresh_all'"))]


def test_only_an_admin_reschedules_every_shared_source(live):
    db = live.db
    sources = [add_source(db, f"https://news{n}.test/feed") for n in range(3)]
    later = source_store.get_source(db, sources[0].id).next_poll
    reader = make_token(db, make_user(db, "omar", "reader"))
    editor = make_token(db, make_user(db, "ed", "editor"))
    admin = make_token(db, make_user(db, "ada", "admin"))
    url = live.base_url + "/v1/feeds/refresh"
    for token in (reader, editor):
        assert requests.put(url, headers={"X-Auth-Token": token}).status_code == 403
    assert [source_store.get_source(db, s.id).next_poll for s in sources] == [later] * 3
    assert _refresh_audits(db) == []
    assert requests.put(url, headers={"X-Auth-Token": admin}).status_code == 204
    assert _refresh_audits(db) == [("ada", "source.refresh_all")]
    # A reader can still ask for one feed to be refreshed.
    assert requests.put(live.base_url + f"/v1/feeds/{sources[1].id}/refresh",
                                   headers={"X-Auth-Token": reader}).status_code == 204
