"""WebSub against a real tiny hub on loopback: subscribe, verify, signed pushes, renewal,
fallback to polling. The hub verifies intent by calling our live callback."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from broadsheet.sources.websub import (
    callback_token, renew_websub_leases, signature_matches, verify_intent,
)
from broadsheet.store import Database, utcnow
from broadsheet.store import articles as article_store
from broadsheet.store import sources as source_store
from broadsheet.store import websub as websub_store
from broadsheet.update.pipeline import run_update
from broadsheet.update.schedule import WEBSUB_POLL_SECONDS
from tests.conftest import make_settings
from tests.servers import Reply, ScriptedServer
from broadsheet.web import make_web_app
from broadsheet.web.routes import routes
from tests.webserver import LiveServer


@dataclass
class HubSubscription:
    callback: str
    secret: str
    lease: int


@dataclass
class TinyHub:
    """A WebSub hub: takes subscription requests, verifies them asynchronously by calling
    the subscriber's callback with a challenge, and pushes signed content."""

    lease: int = 3600
    fail: bool = False
    answer: bool = True
    """False: accept requests but never call back to verify them."""
    requests: list[dict[str, str]] = field(default_factory=list)
    verified: dict[str, HubSubscription] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)

    def start(self) -> TinyHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                hub.requests.append(form)
                status = 500 if hub.fail else 202
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()
                if not hub.fail and hub.answer:
                    threading.Thread(target=hub._verify, args=(form,), daemon=True).start()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/hub"

    def _verify(self, form: dict[str, str]) -> None:
        challenge = secrets.token_urlsafe(16)
        query = urllib.parse.urlencode({
            "hub.mode": form["hub.mode"], "hub.topic": form["hub.topic"],
            "hub.challenge": challenge, "hub.lease_seconds": str(self.lease)})
        try:
            with urllib.request.urlopen(f"{form['hub.callback']}?{query}", timeout=5) as answer:
                echoed = answer.read().decode()
        except urllib.error.HTTPError as error:
            error.close()
            echoed = ""
        if echoed == challenge:
            self.verified[form["hub.topic"]] = HubSubscription(
                form["hub.callback"], form.get("hub.secret", ""), self.lease)
        else:
            self.refused.append(form["hub.topic"])

    def publish(self, topic: str, body: bytes, *, algorithm: str = "sha256",
                secret: str | None = None) -> int:
        """Push content to the verified subscriber of ``topic``; the HTTP status."""
        subscription = self.verified[topic]
        key = (subscription.secret if secret is None else secret).encode()
        signature = hmac.new(key, body, getattr(hashlib, algorithm)).hexdigest()
        request = urllib.request.Request(
            subscription.callback, data=body, method="POST",
            headers={"Content-Type": "application/rss+xml",
                     "X-Hub-Signature": f"{algorithm}={signature}"})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            error.close()
            return error.code


def feed(hub: str, topic: str, items: list[tuple[str, str]]) -> bytes:
    """An RSS feed naming its hub and itself; items are (guid, title), 10 minutes apart."""
    start = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    body = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>http://news.test/{guid}</link>"
        f"<description>{title} text</description><pubDate>"
        f"{(start + dt.timedelta(minutes=10 * n)).strftime('%a, %d %b %Y %H:%M:%S +0000')}"
        f"</pubDate></item>" for n, (guid, title) in enumerate(items))
    return (f"<rss version='2.0' xmlns:atom='http://www.w3.org/2005/Atom'><channel>"
            f"<title>Pushed</title><link>http://news.test/</link>"
            f"<atom:link rel='hub' href='{hub}'/><atom:link rel='self' href='{topic}'/>"
            f"{body}</channel></rss>").encode()


def wait_for(condition: Callable[[], object], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


@dataclass
class Desk:
    db: Database
    settings: object
    hub: TinyHub
    server: ScriptedServer
    topic: str
    source_id: int = 0

    def titles(self) -> set[str]:
        return {a.title for a in article_store.all_articles(self.db)}


class _Deferred:
    """An ASGI application that serves the one it is given once the server is bound."""

    app: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


@pytest.fixture
def desk(db: Database, tmp_path: Path, server: ScriptedServer) -> Iterator[Desk]:
    """A source on the scripted server whose feed names the tiny hub, and our callback
    routes served live, with base_url pointing at them."""
    hub = TinyHub().start()
    app = _Deferred()
    live = LiveServer(app)  # bound first: the settings name its address as the callback base
    settings = make_settings(tmp_path, base_url=live.base_url, fetch_pages=False)
    app.app = make_web_app(db, settings)
    live.start()
    topic = server.url("/feed.xml")
    body = feed(hub.url, topic, [("a", "First"), ("z", "Second")])
    server.route("/feed.xml", Reply(200, body, headers={"Content-Type": "application/rss+xml"}))
    source = source_store.add_source(db, topic)
    desk = Desk(db, settings, hub, server, topic, source.id)
    try:
        yield desk
    finally:
        live.stop()
        hub.stop()


def _subscribe(desk: Desk) -> websub_store.Subscription:
    run_update(desk.db, desk.settings, everything=True)
    assert renew_websub_leases(desk.db, desk.settings) == 1
    wait_for(lambda: desk.topic in desk.hub.verified)
    subscription = websub_store.get_subscription(desk.db, desk.source_id)
    assert subscription is not None
    return subscription


@pytest.mark.parametrize("algorithm", ["sha1", "sha256", "sha512"])
def test_subscribe_verify_and_signed_push_is_stored(desk: Desk, algorithm: str) -> None:
    subscription = _subscribe(desk)
    assert subscription.state == "active"
    assert subscription.hub == desk.hub.url and subscription.topic == desk.topic
    assert subscription.lease_expires is not None
    assert 3500 < (subscription.lease_expires - utcnow()).total_seconds() <= 3600
    request = desk.hub.requests[0]
    token = callback_token(subscription.secret)
    assert request["hub.callback"] == f"{desk.settings.base_url}/websub/{desk.source_id}/{token}"
    assert request["hub.secret"] == subscription.secret and len(subscription.secret) >= 32

    pushed = feed(desk.hub.url, desk.topic, [("a", "First"), ("b", "Pushed story")])
    assert desk.hub.publish(desk.topic, pushed, algorithm=algorithm) == 202
    assert desk.titles() == {"First", "Second", "Pushed story"}
    stored = websub_store.get_subscription(desk.db, desk.source_id)
    assert stored is not None and stored.last_push is not None
    # The same push again adds nothing: the pipeline's identity rules apply.
    assert desk.hub.publish(desk.topic, pushed, algorithm=algorithm) == 202
    assert len(article_store.all_articles(desk.db)) == 3


def test_push_with_a_bad_signature_is_not_stored(desk: Desk) -> None:
    _subscribe(desk)
    forged = feed(desk.hub.url, desk.topic, [("evil", "Forged story")])
    status = desk.hub.publish(desk.topic, forged, secret="not-the-secret")
    assert 200 <= status < 300  # acknowledged, as the specification asks, and ignored
    assert desk.titles() == {"First", "Second"}
    stored = websub_store.get_subscription(desk.db, desk.source_id)
    assert stored is not None and "bad signature" in (stored.last_error or "")
    assert stored.last_push is None


def test_push_without_a_subscription_is_gone(desk: Desk) -> None:
    _subscribe(desk)
    callback = desk.hub.verified[desk.topic].callback.replace(
        f"/websub/{desk.source_id}/", "/websub/999999/")
    request = urllib.request.Request(callback, data=b"<rss/>", method="POST",
                                     headers={"X-Hub-Signature": "sha256=00"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 410


def test_verification_we_did_not_request_is_refused(desk: Desk) -> None:
    params = {"hub.mode": "subscribe", "hub.topic": desk.topic, "hub.challenge": "x"}
    assert verify_intent(desk.db, desk.source_id, params) is None  # nothing requested
    _subscribe(desk)
    # Verified once; a replayed verification (nothing pending) is refused too, and so is
    # one for another topic or an unsubscription we never asked for.
    assert verify_intent(desk.db, desk.source_id, params) is None
    url = desk.hub.verified[desk.topic].callback
    for mode, topic in (("subscribe", "http://elsewhere.test/feed"),
                        ("unsubscribe", desk.topic)):
        query = urllib.parse.urlencode({"hub.mode": mode, "hub.topic": topic,
                                        "hub.challenge": "echo-me"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"{url}?{query}", timeout=5)
        refused.value.close()
        assert refused.value.code == 404


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as refused:
        refused.close()
        return refused.code


def test_a_forged_challenge_cannot_confirm_a_pending_subscription(desk: Desk) -> None:
    desk.hub.answer = False  # the hub takes our request but never calls back
    run_update(desk.db, desk.settings, everything=True)
    assert renew_websub_leases(desk.db, desk.settings) == 1
    pending = websub_store.get_subscription(desk.db, desk.source_id)
    assert pending is not None and pending.state == "requested"
    # An attacker knows the source number and the topic, not the callback's token.
    base = f"{desk.settings.base_url}/websub/{desk.source_id}"
    for mode in ("subscribe", "denied", "unsubscribe"):
        query = urllib.parse.urlencode({"hub.mode": mode, "hub.topic": desk.topic,
                                        "hub.challenge": "forged"})
        for url in (f"{base}?{query}", f"{base}/{'0' * 32}?{query}",
                    f"{base}/{callback_token('guess')}?{query}"):
            assert _get(url) in (404, 405), url
    still = websub_store.get_subscription(desk.db, desk.source_id)
    assert still is not None and still.state == "requested" and still.last_error is None
    # The hub, at the address we gave it, confirms it.
    callback = desk.hub.requests[0]["hub.callback"]
    query = urllib.parse.urlencode({"hub.mode": "subscribe", "hub.topic": desk.topic,
                                    "hub.challenge": "the hub's", "hub.lease_seconds": "60"})
    with urllib.request.urlopen(f"{callback}?{query}", timeout=5) as answer:
        assert answer.read() == b"the hub's"
    confirmed = websub_store.get_subscription(desk.db, desk.source_id)
    assert confirmed is not None and confirmed.state == "active"


def test_a_push_to_a_wrong_callback_token_is_not_taken(desk: Desk) -> None:
    subscription = _subscribe(desk)
    body = feed(desk.hub.url, desk.topic, [("evil", "Forged story")])
    signature = "sha256=" + hmac.new(subscription.secret.encode(), body,
                                     hashlib.sha256).hexdigest()
    url = f"{desk.settings.base_url}/websub/{desk.source_id}/{'0' * 32}"
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"X-Hub-Signature": signature})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    refused.value.close()
    assert refused.value.code == 404
    assert desk.titles() == {"First", "Second"}


def test_active_lease_relaxes_polling_and_lapsed_lease_restores_it(desk: Desk) -> None:
    _subscribe(desk)
    before = utcnow()
    run_update(desk.db, desk.settings, everything=True)
    source = source_store.get_source(desk.db, desk.source_id)
    assert source.next_poll is not None
    assert (source.next_poll - before).total_seconds() >= WEBSUB_POLL_SECONDS * 0.99
    # The lease lapses (the hub stopped renewing): polling returns to the feed's rate.
    websub_store.record_verified(desk.db, desk.source_id, utcnow() - dt.timedelta(seconds=1))
    before = utcnow()
    run_update(desk.db, desk.settings, everything=True)
    source = source_store.get_source(desk.db, desk.source_id)
    assert source.next_poll is not None
    assert (source.next_poll - before).total_seconds() < 3600


def test_failing_hub_falls_back_to_polling_and_is_retried(desk: Desk) -> None:
    desk.hub.fail = True
    run_update(desk.db, desk.settings, everything=True)
    assert renew_websub_leases(desk.db, desk.settings) == 1
    subscription = websub_store.get_subscription(desk.db, desk.source_id)
    assert subscription is not None and subscription.state == "failed"
    assert "500" in (subscription.last_error or "")
    before = utcnow()
    run_update(desk.db, desk.settings, everything=True)
    source = source_store.get_source(desk.db, desk.source_id)
    assert source.next_poll is not None
    assert (source.next_poll - before).total_seconds() < 3600  # the feed's own rate
    assert renew_websub_leases(desk.db, desk.settings) == 0  # not straight away
    desk.hub.fail = False
    later = utcnow() + dt.timedelta(hours=7)
    assert renew_websub_leases(desk.db, desk.settings, now=later) == 1
    wait_for(lambda: desk.topic in desk.hub.verified)


def test_leases_are_renewed_before_they_expire(desk: Desk) -> None:
    desk.hub.lease = 100
    first = _subscribe(desk)
    assert renew_websub_leases(desk.db, desk.settings) == 0
    assert first.lease_expires is not None
    almost = first.requested + dt.timedelta(seconds=85)
    del desk.hub.verified[desk.topic]
    assert renew_websub_leases(desk.db, desk.settings, now=almost) == 1
    wait_for(lambda: desk.topic in desk.hub.verified)
    renewed = websub_store.get_subscription(desk.db, desk.source_id)
    assert renewed is not None and renewed.state == "active"
    assert renewed.secret == first.secret  # pushes in flight stay valid
    assert len(desk.hub.requests) == 2


def test_websub_is_off_without_a_base_url(db: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert not [path for _, path, _, _ in routes(settings) if path.startswith("/websub/")]
    source = source_store.add_source(db, "http://127.0.0.1:9/feed.xml")
    source_store.update_source(db, source.id, settings={"hub": "http://127.0.0.1:9/hub"})
    assert renew_websub_leases(db, settings) == 0


def test_signature_check() -> None:
    body = b"<rss/>"
    good = hmac.new(b"k", body, hashlib.sha384).hexdigest()
    assert signature_matches("k", body, f"sha384={good}")
    assert signature_matches("k", body, f"SHA384={good.upper()}")
    for header in (None, "", "sha384", f"md5={good}", f"sha384={good[:-1]}0", "sha1=zz"):
        assert not signature_matches("k", body, header)
