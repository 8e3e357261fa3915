"""G. Hostile users: guessing, forging, crossing into another account, injecting, and
asking for absurd amounts, against the whole web application on a live loopback server.

Per-address limits are tested from several loopback source addresses (127.0.0.2, .3 ...),
which the server sees as different peers.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

import pytest
import requests
import sqlalchemy as sa

from broadsheet.accounts import auth
from broadsheet.store import Database, open_database
from broadsheet.store import reader_state as state
from broadsheet.store.reader_state import EntryFilter
from broadsheet.store.sources import add_source, update_source
from tests.conftest import make_settings
from tests.webserver import LiveServer, add_articles, make_token, make_user, serve_app

PASSWORD = "correct horse battery"
API_PASSWORD = "an api password"
LOGIN_CSRF = "t" * 43


@dataclass
class Desk:
    server: LiveServer
    db: Database
    users: dict[str, Any]
    tokens: dict[str, str]
    ids: list[int]
    sources: list[int]
    secrets: set[str] = field(default_factory=set)

    @property
    def base(self) -> str:
        return self.server.base_url


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite only: these cases are about the web layer, and the suite's time budget."""
    return f"sqlite:///{tmp_path / 'broadsheet.db'}"


@pytest.fixture
def desk(db: Database, settings: Any) -> Iterator[Desk]:
    news = add_source(db, "https://news.test/feed", "News")
    world = add_source(db, "https://world.test/feed", "World Desk")
    update_source(db, world.id, settings={"categories": ["World"]})
    ids = add_articles(db, news.id, 5) + add_articles(db, world.id, 3, start=10)
    users = {"ada": make_user(db, "ada", "admin", api_password=API_PASSWORD + " ada"),
             "ed": make_user(db, "ed", "editor", api_password=API_PASSWORD + " ed"),
             "rita": make_user(db, "rita", "reader", api_password=API_PASSWORD),
             "omar": make_user(db, "omar", "reader", api_password=API_PASSWORD + " omar")}
    tokens = {name: make_token(db, user) for name, user in users.items()}
    server = serve_app(db, settings)
    yield Desk(server, db, users, tokens, ids, [news.id, world.id])
    server.stop()


# --- raw HTTP from a chosen loopback address ------------------------------------------------

@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def call(base: str, method: str, path: str, *, source: str = "127.0.0.1",
         form: dict[str, str] | None = None, headers: dict[str, str] | None = None,
         cookies: dict[str, str] | None = None, body: bytes | None = None) -> Answer:
    """One request from ``source`` (a loopback address), redirects not followed."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30,
                                            source_address=(source, 0))
    sent = dict(headers or {})
    if form is not None:
        body = urlencode(form).encode()
        sent.setdefault("Content-Type", "application/x-www-form-urlencoded")
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        found: dict[str, str] = {}
        for key, value in response.getheaders():  # several Set-Cookie lines are kept
            found[key.lower()] = found[key.lower()] + "\n" + value if key.lower() in found \
                else value
        return Answer(response.status, found, response.read())
    finally:
        connection.close()


def login(base: str, name: str, password: str, source: str = "127.0.0.1",
          **extra: str) -> Answer:
    form = {"name": name, "password": password, "csrf_token": LOGIN_CSRF, **extra}
    return call(base, "POST", "/admin/login", source=source, form=form,
                cookies={"broadsheet_login_csrf": LOGIN_CSRF})


def session_of(answer: Answer) -> str | None:
    found = re.search(r"broadsheet_session=([^;\s]+)", answer.headers.get("set-cookie", ""))
    return found.group(1) if found and found.group(1) not in ('""', "") else None


def browser(base: str, name: str) -> tuple[requests.Session, str]:
    """A logged-in requests session and its CSRF token."""
    session = requests.Session()
    session.cookies.set("broadsheet_login_csrf", LOGIN_CSRF)
    answer = session.post(base + "/admin/login", data={"name": name, "password": PASSWORD,
                                                       "csrf_token": LOGIN_CSRF})
    assert answer.status_code == 200 and answer.url.endswith("/admin/sources"), answer.text[:300]
    return session, re.search(r'name="csrf_token" value="([^"]+)"', answer.text).group(1)


def throttle(db: Database) -> dict[str, int]:
    with db.begin() as connection:
        rows = connection.execute(sa.text("SELECT key, failures FROM login_throttle")).all()
    return {key: int(failures) for key, failures in rows}


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Everything an attacker might want changed, as rows."""
    queries = {
        "users": "SELECT id, name, role, password_hash, api_password_hash FROM users",
        "sources": "SELECT id, url, title, status, settings FROM sources",
        "tokens": "SELECT id, user_id, token_hash, revoked FROM api_tokens",
        "sessions": "SELECT id_hash, user_id FROM sessions",
        "articles": "SELECT id, source_id, title FROM articles",
        "reader_state": "SELECT * FROM reader_state",
    }
    out = {}
    with db.begin() as connection:
        for name, query in queries.items():
            out[name] = sorted(tuple(map(str, r)) for r in connection.execute(sa.text(query)))
    out["hidden"] = [(str(i),) for i in sorted(_hidden(db))]
    return out


def _hidden(db: Database) -> set[int]:
    from broadsheet.store import articles as article_store

    return set(article_store.hidden_ids(db, list(range(1, 200))))


# --- brute force -------------------------------------------------------------------------------

def test_brute_force_per_account_locks_the_account_from_every_address(desk: Desk) -> None:
    waits = []
    for _ in range(7):
        answer = login(desk.base, "ed", "wrong password", source="127.0.0.2")
        assert answer.status in (401, 429) and session_of(answer) is None
        waits.append(int(answer.headers.get("retry-after", 0)))
    assert waits[-3:] == sorted(waits[-3:]) and waits[-1] > waits[-3] >= 1, waits
    right = login(desk.base, "ed", PASSWORD, source="127.0.0.3")  # another address
    assert right.status == 429 and session_of(right) is None
    other = login(desk.base, "ada", PASSWORD, source="127.0.0.3")  # other accounts are fine
    assert other.status == 303 and session_of(other)


def test_brute_force_per_address_locks_the_address_for_every_account(desk: Desk) -> None:
    waits = []
    for n in range(7):  # a spray: one guess per name, all from one address
        answer = login(desk.base, f"user{n}", "guess", source="127.0.0.4")
        assert answer.status in (401, 429) and session_of(answer) is None
        waits.append(int(answer.headers.get("retry-after", 0)))
    assert waits[-1] > 1 and waits[-3:] == sorted(waits[-3:]), waits
    locked = login(desk.base, "ed", PASSWORD, source="127.0.0.4")
    assert locked.status == 429 and session_of(locked) is None
    elsewhere = login(desk.base, "ed", PASSWORD, source="127.0.0.5")
    assert elsewhere.status == 303 and session_of(elsewhere)


def test_client_login_brute_force_shares_the_same_throttle(desk: Desk) -> None:
    statuses = [call(desk.base, "POST", "/accounts/ClientLogin", source="127.0.0.6",
                     form={"Email": "rita", "Passwd": f"guess {n}"}).status for n in range(6)]
    assert set(statuses) == {401}
    right = call(desk.base, "POST", "/accounts/ClientLogin", source="127.0.0.6",
                 form={"Email": "rita", "Passwd": API_PASSWORD})
    assert right.status == 401 and b"Auth=" not in right.body
    assert throttle(desk.db)["user:rita"] >= 6


# --- reader-client APIs with wrong keys ----------------------------------------------------------

def test_fever_wrong_keys_never_authenticate_and_are_counted(desk: Desk) -> None:
    for n in range(6):
        key = hashlib.md5(f"rita:wrong {n}".encode()).hexdigest()  # noqa: S324
        answer = call(desk.base, "POST", "/fever/?api&items&feeds&saved_item_ids",
                      source="127.0.0.7", form={"api_key": key})
        body = answer.json()
        assert body["auth"] == 0 and not {"items", "feeds", "saved_item_ids"} & set(body)
    assert throttle(desk.db)["fever:127.0.0.7"] >= 3
    right = auth.fever_key("rita", API_PASSWORD)
    locked = call(desk.base, "POST", "/fever/?api&items", source="127.0.0.7",
                  form={"api_key": right}).json()
    assert locked["auth"] == 0 and "items" not in locked
    fine = call(desk.base, "POST", "/fever/?api&items", source="127.0.0.8",
                form={"api_key": right}).json()
    assert fine["auth"] == 1 and fine["items"]


@pytest.mark.parametrize("kind", ["miniflux", "greader", "api-v1"])
def test_wrong_tokens_never_succeed_and_are_counted(desk: Desk, kind: str) -> None:
    requests_of = {
        "miniflux": ("/v1/me", lambda t: {"X-Auth-Token": t}),
        "greader": ("/reader/api/0/user-info", lambda t: {"Authorization": f"GoogleLogin auth={t}"}),
        "api-v1": ("/api/v1/me", lambda t: {"Authorization": f"Bearer {t}"}),
    }
    path, header = requests_of[kind]
    for n in range(6):
        answer = call(desk.base, "GET", path, source="127.0.0.9",
                      headers=header(auth.TOKEN_PREFIX + f"forged{n}" + "x" * 30))
        assert answer.status == 401, (answer.status, answer.body[:200])
        assert b"rita" not in answer.body and b"ada" not in answer.body
    assert call(desk.base, "GET", path, source="127.0.0.10",
                headers=header(desk.tokens["rita"])).status == 200
    if kind == "api-v1":
        return  # bearer tokens of the JSON API are 256-bit; not throttled (see report)
    counted = throttle(desk.db).get(f"{kind}:127.0.0.9", 0)
    assert counted >= 3, f"{kind}: wrong tokens are not counted ({throttle(desk.db)})"


# --- one user, another's data ----------------------------------------------------------------------

def test_reading_state_of_one_user_is_invisible_and_untouchable_to_another(desk: Desk) -> None:
    rita, omar = desk.users["rita"], desk.users["omar"]
    starred, read = desk.ids[0], desk.ids[1]
    state.set_state(desk.db, rita.id, [starred], starred=True)
    state.set_state(desk.db, rita.id, [read], read=True)
    before = snapshot(desk.db)["reader_state"]
    mini = {"X-Auth-Token": desk.tokens["omar"]}
    g = {"Authorization": f"GoogleLogin auth={desk.tokens['omar']}"}
    fever = {"api_key": auth.fever_key("omar", API_PASSWORD + " omar")}

    def get(path: str, headers: dict[str, str]) -> Any:
        answer = call(desk.base, "GET", path, headers=headers)
        assert answer.status == 200, (path, answer.status, answer.body[:200])
        return answer.json()

    assert get("/v1/entries?starred=true", mini)["total"] == 0
    assert get("/v1/entries?status=read", mini)["total"] == 0
    entry = get(f"/v1/entries/{starred}", mini)
    assert entry["starred"] is False and entry["status"] == "unread"
    for stream in ("user/-/state/com.google/starred", f"user/{rita.id}/state/com.google/starred",
                   "user/-/state/com.google/read", f"user/{rita.id}/state/com.google/read"):
        ids = get("/reader/api/0/stream/items/ids?" + urlencode({"s": stream}), g)
        assert ids["itemRefs"] == [], stream
    contents = get("/reader/api/0/stream/contents/" + quote(
        f"user/{rita.id}/state/com.google/starred"), g)
    assert contents["items"] == []
    body = call(desk.base, "POST", "/fever/?api&saved_item_ids&items&with_ids="
                f"{starred},{read}", form=fever).json()
    assert body["saved_item_ids"] == ""
    assert all(i["is_saved"] == 0 and i["is_read"] == 0 for i in body["items"])
    # Omar's writes land on Omar only.
    call(desk.base, "PUT", "/v1/entries", headers={**mini, "Content-Type": "application/json"},
         body=json.dumps({"entry_ids": [read], "status": "unread"}).encode())
    call(desk.base, "PUT", f"/v1/entries/{starred}/bookmark", headers=mini)
    call(desk.base, "POST", "/fever/?api", form={**fever, "mark": "item", "as": "unsaved",
                                                 "id": str(starred)})
    token = call(desk.base, "GET", "/reader/api/0/token", headers=g).body.decode()
    call(desk.base, "POST", "/reader/api/0/edit-tag", headers=g,
         form={"T": token, "i": str(read), "r": "user/-/state/com.google/read"})
    call(desk.base, "POST", "/reader/api/0/edit-tag", headers=g,
         form={"T": token, "i": str(read), "r": f"user/{rita.id}/state/com.google/read"})
    assert set(state.entry_ids(desk.db, rita.id, EntryFilter(starred=True))) == {starred}
    assert set(state.entry_ids(desk.db, rita.id, EntryFilter(read=True))) == {read}
    assert [r for r in snapshot(desk.db)["reader_state"] if r[0] == str(rita.id)] == \
        [r for r in before if r[0] == str(rita.id)]
    me = get("/api/v1/me", {"Authorization": f"Bearer {desk.tokens['omar']}"})
    assert me["name"] == "omar"


def test_an_editor_sees_and_revokes_only_their_own_tokens(desk: Desk) -> None:
    session, csrf = browser(desk.base, "ed")
    page = session.get(desk.base + "/admin/tokens").text
    assert desk.tokens["rita"][:10] not in page and desk.tokens["ada"][:10] not in page
    with desk.db.begin() as connection:
        rita_token = connection.scalar(sa.text(
            "SELECT id FROM api_tokens WHERE user_id = :u"), {"u": desk.users["rita"].id})
    answer = session.post(desk.base + f"/admin/tokens/{rita_token}/revoke",
                          data={"csrf_token": csrf}, allow_redirects=False)
    assert answer.status_code in (303, 403, 404)
    assert call(desk.base, "GET", "/v1/me", headers={"X-Auth-Token": desk.tokens["rita"]}
                ).status == 200, "an editor revoked a reader's token"
    assert session.get(desk.base + "/admin/users", allow_redirects=False).status_code == 403


# --- cross-origin POSTs --------------------------------------------------------------------------------

def _admin_posts(desk: Desk) -> list[str]:
    with desk.db.begin() as connection:
        token_id = connection.scalar(sa.text("SELECT min(id) FROM api_tokens"))
    values = {"source_id": str(desk.sources[0]), "article_id": str(desk.ids[0]),
              "user_id": str(desk.users["ed"].id), "token_id": str(token_id),
              "story_id": str(desk.ids[0]), "slug": "any-outlet"}
    actions = {"/admin/articles/{article_id}/{action}": ["hide", "show"],
               "/admin/users/{user_id}/{action}": ["role", "password", "api-password",
                                                    "delete"]}
    paths = []
    from broadsheet.web.routes import routes

    for methods, path, _handler, _options in routes(make_settings(Path("unused"))):
        if not path.startswith("/admin") or "POST" not in methods:
            continue
        for action in actions.get(path, [""]):
            filled = path.replace("{action}", action)
            for name, value in values.items():
                filled = filled.replace("{" + name + "}", value)
            assert "{" not in filled, f"no value for a parameter of {path}"
            paths.append(filled)
    return paths


def test_cross_origin_posts_without_csrf_change_nothing(desk: Desk) -> None:
    session, _csrf = browser(desk.base, "ada")
    cookie = session.cookies.get("broadsheet_session")
    before = snapshot(desk.db)
    paths = _admin_posts(desk)
    assert len(paths) >= 14, paths
    evil = {"Origin": "https://evil.example", "Referer": "https://evil.example/attack.html"}
    form = {"url": "https://evil.example/feed", "name": "mallory", "role": "admin",
            "password": "mallory's password", "label": "stolen", "title": "owned",
            "status": "paused"}
    for path in paths:
        for token in (None, "", "forged", "x" * 43):
            sent = dict(form) if token is None else {**form, "csrf_token": token}
            answer = call(desk.base, "POST", path, form=sent, headers=evil,
                          cookies={"broadsheet_session": cookie,
                                   "broadsheet_login_csrf": "attacker"})
            assert answer.status == 403, (path, token, answer.status)
        upload = call(desk.base, "POST", path, headers={
            **evil, "Content-Type": "multipart/form-data; boundary=XX"},
            cookies={"broadsheet_session": cookie}, body=(
                b'--XX\r\nContent-Disposition: form-data; name="file"; filename="a.opml"\r\n'
                b"Content-Type: text/xml\r\n\r\n<opml><body><outline xmlUrl='https://evil."
                b"example/f'/></body></opml>\r\n--XX--\r\n"))
        assert upload.status == 403, (path, "multipart", upload.status)
    assert snapshot(desk.db) == before
    assert session.get(desk.base + "/admin/sources", allow_redirects=False).status_code == 200


# --- open redirects ----------------------------------------------------------------------------------

TARGETS = ["//evil.com", "/\\evil.com", "\\\\evil.com", "javascript:alert(1)",
           "https://evil.com", "http:evil.com", "/%2F%2Fevil.com", "%2F%2Fevil.com",
           "/\t/evil.com", "https:/\\evil.com", "//evil.com/%2e%2e", "data:text/html,x"]


def _offsite(base: str, location: str | None) -> bool:
    if location is None:
        return False
    cleaned = re.sub(r"[\x00-\x20]", "", location).replace("\\", "/")
    target = urlsplit(urljoin(base + "/admin/login", cleaned))
    return target.scheme not in ("http", "https") or target.netloc != urlsplit(base).netloc


@pytest.mark.parametrize("target", TARGETS)
def test_login_and_paths_never_redirect_off_site(desk: Desk, target: str) -> None:
    encoded = quote(target, safe="")
    answers = [
        call(desk.base, "GET", f"/admin/login?next={encoded}"),
        login(desk.base, "ada", PASSWORD, next=target),
        call(desk.base, "POST", f"/admin/login?next={encoded}", form={
            "name": "ada", "password": PASSWORD, "csrf_token": LOGIN_CSRF},
            cookies={"broadsheet_login_csrf": LOGIN_CSRF}),
        call(desk.base, "GET", f"/admin?next={encoded}"),
        call(desk.base, "GET", f"/admin/sources?next={encoded}"),
    ]
    raw = target if target.startswith("/") else "/" + target
    for path in (raw, raw + "/", "/admin" + raw, "/static" + raw, "/days" + raw + "/"):
        try:
            answers.append(call(desk.base, "GET", path.replace(" ", "%20")))
        except http.client.InvalidURL:
            continue
    for answer in answers:
        assert answer.status < 500
        assert not _offsite(desk.base, answer.headers.get("location")), \
            answer.headers.get("location")


# --- injection ---------------------------------------------------------------------------------------

INJECTIONS = ["'; DROP TABLE articles; --", '" OR 1=1 --', "' OR '1'='1", "1; DELETE FROM users",
              "NEAR(", "NEAR(harbour story", "*", '"', "-", "- -", "harbour -", "-harbour",
              "harbour*", "OR", "AND NOT", "^", "title:harbour", "{a b}", ":", "(", ")",
              "a AND (b OR", "\\", "%", "_", "'", "\x00", "💥", "NOT NOT NOT", "x" * 500,
              "harbour NEAR/3 story", "a'); DROP TABLE users; --", "1 UNION SELECT password_hash "
              "FROM users"]


def _injection_urls(payload: str, desk: Desk) -> list[tuple[str, dict[str, str]]]:
    q = quote(payload, safe="")
    mini = {"X-Auth-Token": desk.tokens["rita"]}
    g = {"Authorization": f"GoogleLogin auth={desk.tokens['rita']}"}
    fever = "api_key=" + auth.fever_key("rita", API_PASSWORD)
    urls = [f"/search?q={q}", f"/search?q=harbour&source={q}&since={q}&until={q}&lang={q}",
            f"/search?q=harbour&cursor={q}", f"/search/feed.rss?q={q}",
            f"/?before={q}", f"/tags/{q}", f"/days/{q}", f"/sources/{q}", f"/articles/{q}",
            f"/api/v1/search?q={q}", f"/api/v1/search?q=harbour&cursor={q}",
            f"/api/v1/articles?since={q}", f"/api/v1/articles?until={q}",
            f"/api/v1/articles?cursor={q}", f"/api/v1/articles?source={q}",
            f"/api/v1/stories?cursor={q}"]
    out = [(u, {}) for u in urls]
    out += [(f"/v1/entries?order={q}&direction={q}&status={q}&search={q}&feed_id={q}", mini),
            (f"/v1/entries?category_id={q}&after={q}&before_entry_id={q}", mini),
            (f"/reader/api/0/stream/items/ids?s=feed/{q}", g),
            (f"/reader/api/0/stream/items/ids?s=user/-/label/{q}&xt={q}&ot={q}", g),
            (f"/reader/api/0/stream/contents/feed/{q}", g),
            (f"/fever/?api&items&with_ids={q}&{fever}", {}),
            (f"/fever/?api&items&since_id={q}&{fever}", {})]
    return out


def _integrity(db: Database) -> None:
    if db.dialect == "sqlite":
        with db.begin() as connection:
            assert connection.scalar(sa.text("PRAGMA integrity_check")) == "ok"


def test_sql_and_fts_injection_never_errors_and_leaves_the_database_intact(desk: Desk) -> None:
    before = snapshot(desk.db)
    failures = []
    for payload in INJECTIONS:
        for path, headers in _injection_urls(payload, desk):
            answer = call(desk.base, "GET", path, headers=headers)
            if answer.status >= 500:
                failures.append((payload[:30], path[:80], answer.status))
    assert not failures, failures[:10]
    assert snapshot(desk.db) == before
    _integrity(desk.db)


# --- absurd limits and offsets ----------------------------------------------------------------------

ABSURD = ["1000000000000", "-1", "0", "abc", "1e3", str(2**64), "9" * 40, "", "-9" + "9" * 30,
          "0x10", " 5", "5.5"]


def test_absurd_limits_and_offsets_are_clamped_or_refused(desk: Desk) -> None:
    mini = {"X-Auth-Token": desk.tokens["rita"]}
    g = {"Authorization": f"GoogleLogin auth={desk.tokens['rita']}"}
    fever = "api_key=" + auth.fever_key("rita", API_PASSWORD)
    failures = []
    for value in ABSURD:
        v = quote(value, safe="")
        cases = [(f"/api/v1/articles?limit={v}", {}), (f"/api/v1/search?q=harbour&limit={v}", {}),
                 (f"/api/v1/sources/{v}", {}), (f"/api/v1/articles/{v}", {}),
                 (f"/api/v1/articles?source={v}", {}), (f"/api/v1/stories?limit={v}", {}),
                 (f"/v1/entries?limit={v}&offset={v}", mini), (f"/v1/entries?after={v}", mini),
                 (f"/v1/entries?before={v}&after_entry_id={v}", mini),
                 (f"/v1/entries?feed_id={v}&category_id={v}", mini),
                 (f"/v1/entries/{v}", mini), (f"/v1/feeds/{v}", mini),
                 (f"/v1/feeds/{v}/entries?limit={v}", mini),
                 (f"/reader/api/0/stream/items/ids?n={v}&c={v}", g),
                 (f"/reader/api/0/stream/contents?n={v}&c={v}&ot={v}", g),
                 (f"/reader/api/0/stream/items/contents?i={v}", g),
                 (f"/fever/?api&items&since_id={v}&{fever}", {}),
                 (f"/fever/?api&items&max_id={v}&{fever}", {}),
                 (f"/fever/?api&items&with_ids={v}&{fever}", {}),
                 (f"/?before={v}", {}), (f"/search?q=harbour&cursor={v}", {})]
        for path, headers in cases:
            answer = call(desk.base, "GET", path, headers=headers)
            if answer.status >= 500:
                failures.append((path, answer.status, answer.body[:120]))
            elif path.startswith("/api/v1/articles?limit") and answer.status == 200:
                assert len(answer.json()["articles"]) <= 200
    assert not failures, failures[:12]


def test_absurd_ids_in_site_paths_are_not_found(desk: Desk) -> None:
    failures = []
    for value in (str(2**64), "9" * 40, "-9" + "9" * 30):
        for path in (f"/articles/{value}", f"/sources/{value}", f"/sources/{value}/feed.rss"):
            answer = call(desk.base, "GET", path)
            if answer.status >= 500:
                failures.append((path, answer.status))
    assert not failures, failures


# --- OPML bombs --------------------------------------------------------------------------------------

def _import(desk: Desk, body: bytes) -> tuple[requests.Response, float]:
    session, csrf = browser(desk.base, "ed")
    started = time.monotonic()
    answer = session.post(desk.base + "/admin/sources/import", data={"csrf_token": csrf},
                          files={"file": ("big.opml", body, "text/x-opml")},
                          allow_redirects=False, timeout=120)
    return answer, time.monotonic() - started


@pytest.mark.slow
def test_opml_with_a_hundred_thousand_outlines_imports_in_bounded_time(desk: Desk) -> None:
    body = ("<opml version='2.0'><body><outline text='Bulk'>" + "".join(
        f"<outline type='rss' text='F{n}' xmlUrl='https://f{n}.test/feed.xml'/>"
        for n in range(100_000)) + "</outline></body></opml>").encode()
    answer, took = _import(desk, body)
    assert answer.status_code == 303, answer.text[:300]
    assert "msg=imported&detail=100000&" in answer.headers["location"], \
        answer.headers["location"]
    assert took < 60, f"100k outlines took {took:.0f}s"
    with desk.db.begin() as connection:
        assert connection.scalar(sa.text("SELECT count(*) FROM sources")) == 100_002


def test_opml_nested_ten_thousand_deep_gives_a_clear_result(desk: Desk) -> None:
    body = ("<opml version='2.0'><body>" + "<outline text='d'>" * 10_000
            + "<outline xmlUrl='https://deep.test/feed.xml'/>" + "</outline>" * 10_000
            + "</body></opml>").encode()
    answer, took = _import(desk, body)
    assert answer.status_code == 303 and took < 10
    assert "msg=" in answer.headers["location"]  # "Imported n sources" or why not
    assert call(desk.base, "GET", "/healthz").status == 200


# --- exports carry no credentials --------------------------------------------------------------------

def test_exports_and_apis_never_carry_credentials(desk: Desk) -> None:
    session, _csrf = browser(desk.base, "ada")
    login_token = call(desk.base, "POST", "/accounts/ClientLogin",
                       form={"Email": "rita", "Passwd": API_PASSWORD}).body.decode()
    # The session's own CSRF token is meant to be in its own forms; everything else is not.
    secrets = {PASSWORD, API_PASSWORD, session.cookies.get("broadsheet_session"),
               *desk.tokens.values(), *re.findall(r"Auth=(\S+)", login_token),
               auth.fever_key("rita", API_PASSWORD)}
    with desk.db.begin() as connection:
        for query in ("SELECT password_hash, api_password_hash, fever_key_hash FROM users",
                      "SELECT token_hash FROM api_tokens", "SELECT id_hash FROM sessions"):
            try:
                rows = connection.execute(sa.text(query)).all()
            except sa.exc.DBAPIError:
                continue
            secrets |= {str(v) for row in rows for v in row if v}
    secrets = {s for s in secrets if s and len(s) >= 8}
    mini = {"X-Auth-Token": desk.tokens["rita"]}
    g = {"Authorization": f"GoogleLogin auth={desk.tokens['rita']}"}
    bearer = {"Authorization": f"Bearer {desk.tokens['ada']}"}
    reads = [("/admin/sources/export.opml", None), ("/admin/users", None),
             ("/admin/tokens", None), ("/admin/audit", None), ("/admin/health", None),
             ("/api/v1/me", bearer), ("/api/v1/sources", bearer), ("/api/v1/articles", bearer),
             ("/api/v1/openapi.json", bearer), ("/v1/me", mini), ("/v1/feeds", mini),
             ("/v1/entries", mini), ("/reader/api/0/user-info", g),
             ("/reader/api/0/subscription/list", g), ("/metrics", {}), ("/sitemap.xml", {}),
             ("/feed.rss", {}), ("/", {})]
    leaks = []
    for path, headers in reads:
        if headers is None:
            answer = session.get(desk.base + path, allow_redirects=False)
            status, text = answer.status_code, answer.text
        else:
            got = call(desk.base, "GET", path, headers=headers)
            status, text = got.status, got.body.decode(errors="replace")
        assert status < 500, path
        leaks += [(path, s[:12]) for s in secrets if s in text]
    fever = call(desk.base, "POST", "/fever/?api&feeds&groups&items",
                 form={"api_key": auth.fever_key("rita", API_PASSWORD)}).body.decode()
    leaks += [("/fever/", s[:12]) for s in secrets if s in fever]
    assert not leaks, leaks


# --- absolute links from base_url, never from Host ------------------------------------------------------

def test_absolute_links_use_the_configured_base_url_not_the_host_header(tmp_path: Path) -> None:
    """There is no password-reset flow; the absolute links the site builds (feeds, sitemap,
    robots, article pages, reader APIs) come from ``base_url`` whatever Host says."""
    settings = make_settings(tmp_path, base_url="https://news.example.org")
    db = open_database(settings.database_url, upgrade=True)
    source = add_source(db, "https://news.test/feed", "News")
    ids = add_articles(db, source.id, 3)
    rita = make_user(db, "rita", "reader")
    token = make_token(db, rita)
    server = serve_app(db, settings)
    try:
        hostile = {"Host": "evil.example", "X-Forwarded-Host": "evil2.example",
                   "X-Forwarded-Proto": "http", "Forwarded": "host=evil3.example"}
        found = []
        paths = ["/sitemap.xml", "/robots.txt", "/feed.rss", "/feed.atom", "/feed.json", "/",
                 f"/articles/{ids[0]}", f"/sources/{source.id}", f"/sources/{source.id}/feed.rss",
                 "/search/feed.atom?q=harbour", "/admin/login"]
        for path in paths:
            answer = call(server.base_url, "GET", path, headers=hostile)
            assert answer.status < 500, path
            if re.search(rb"evil\d?\.example", answer.body + str(answer.headers).encode()):
                found.append(path)
        g = call(server.base_url, "GET", "/reader/api/0/stream/contents",
                 headers={**hostile, "Authorization": f"GoogleLogin auth={token}"})
        if b"evil" in g.body:
            found.append("greader stream")
        assert not found, f"Host header used in absolute links: {found}"
        sitemap = call(server.base_url, "GET", "/sitemap.xml", headers=hostile).body
        assert b"https://news.example.org/articles/" in sitemap
    finally:
        server.stop()
        db.close()


# --- extra form fields never promote -----------------------------------------------------------------

def test_extra_form_fields_never_promote_a_user(desk: Desk) -> None:
    escalate = {"role": "admin", "is_admin": "1", "admin": "true", "user_id":
                str(desk.users["ada"].id), "roles": "admin", "user[role]": "admin"}
    answer = login(desk.base, "ed", PASSWORD, **escalate)
    cookie = session_of(answer)
    assert cookie and call(desk.base, "GET", "/admin/users", cookies={
        "broadsheet_session": cookie}).status == 403
    reader = login(desk.base, "rita", PASSWORD, **escalate)
    assert reader.status == 403 and session_of(reader) is None
    session, csrf = browser(desk.base, "ed")
    ed = desk.users["ed"]
    session.post(desk.base + f"/admin/sources/{desk.sources[0]}",
                 data={"csrf_token": csrf, "title": "News", **escalate}, allow_redirects=False)
    assert session.post(desk.base + f"/admin/users/{ed.id}/role",
                        data={"csrf_token": csrf, "role": "admin"},
                        allow_redirects=False).status_code == 403
    page = session.post(desk.base + "/admin/tokens", data={"csrf_token": csrf, "label": "x",
                                                           **escalate}).text
    new = re.search(r"(bs_[A-Za-z0-9_-]{20,})", page).group(1)
    me = call(desk.base, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {new}"}).json()
    assert me["name"] == "ed" and me["role"] == "editor"
    call(desk.base, "POST", "/api/v1/sources", headers={
        "Authorization": f"Bearer {new}", "Content-Type": "application/json"},
        body=json.dumps({"url": "https://x.test/feed", **escalate}).encode())
    call(desk.base, "POST", "/accounts/ClientLogin", form={
        "Email": "rita", "Passwd": API_PASSWORD, "accountType": "HOSTED_OR_GOOGLE", **escalate})
    admin, admin_csrf = browser(desk.base, "ada")
    admin.post(desk.base + "/admin/users", data={"csrf_token": admin_csrf, "name": "newbie",
                                                 "password": PASSWORD, "role": "reader",
                                                 "is_admin": "1", "admin": "true"})
    admin.post(desk.base + "/admin/users", data={"csrf_token": admin_csrf, "name": "sneaky",
                                                 "password": PASSWORD, "role": "superuser"})
    with desk.db.begin() as connection:
        roles = dict(connection.execute(sa.text("SELECT name, role FROM users")).all())
    assert roles == {"ada": "admin", "ed": "editor", "rita": "reader", "omar": "reader",
                     "newbie": "reader"}, roles
