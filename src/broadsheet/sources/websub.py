"""WebSub: a feed's hub pushes new content to us instead of waiting for the next poll.

::

    a poll records the feed's rel="hub" and rel="self" (pipeline) in the source's settings
        │
        ▼ renew_websub_leases (the workers' leader, every round)
    record "requested" with a fresh secret ─► POST hub.mode=subscribe to the hub
        │                                      (a hub that fails: "failed", retried later)
        ▼ the hub calls our callback (GET /websub/<source>/<token from the secret>):
    │ answered only for a pending request we made, on its topic and mode
    verify_intent ─► "active" until the lease runs out; renewed at 80% of the lease
        │
        ▼ the hub POSTs new content, signed with our secret (X-Hub-Signature)
    signature_matches ─► update.websub_push.receive_push stores it like a polled feed

Polling never stops: while a lease is active the source is polled at a relaxed
interval (``update.schedule.websub_interval``), and at its usual rate otherwise. With no
``base_url`` configured nobody can call us back, so WebSub stays off.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any

from broadsheet.errors import FetchError
from broadsheet.fetch import FetchConfig, Fetcher
from broadsheet.store import Database, utcnow
from broadsheet.store import websub as websub_store
from broadsheet.store.sources import sources_with_hub
from broadsheet.store.websub import Subscription
from broadsheet.types import Source

log = logging.getLogger("broadsheet.websub")

LEASE_SECONDS = 10 * 86400
"""The lease we ask for; hubs may grant another."""
MAX_LEASE_SECONDS = 365 * 86400
RENEW_AT = 0.8
"""Fraction of a lease after which it is renewed."""
RETRY_FAILED = dt.timedelta(hours=6)
"""A hub that failed or refused is asked again after this long."""
RETRY_UNVERIFIED = dt.timedelta(hours=1)
"""A request the hub never verified is sent again after this long."""
_DIGESTS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "sha384": hashlib.sha384,
            "sha512": hashlib.sha512}


def enabled(settings: Any) -> bool:
    """WebSub needs a public address for hubs to call back."""
    return bool(settings.base_url)


def callback_token(secret: str) -> str:
    """The unguessable last part of a subscription's callback address, derived from its
    secret: only the hub we sent it to knows where to confirm or push."""
    return hmac.new(secret.encode(), b"websub callback", hashlib.sha256).hexdigest()[:32]


def callback_url(settings: Any, source_id: int, secret: str) -> str:
    """Where the hub calls us for one subscription (verification and pushes)."""
    return f"{settings.base_url.rstrip('/')}/websub/{source_id}/{callback_token(secret)}"


def callback_matches(subscription: Subscription | None, token: str) -> bool:
    """True when ``token`` is the callback token of this subscription."""
    return subscription is not None and hmac.compare_digest(
        callback_token(subscription.secret), token)


def _wanted(source: Source) -> tuple[str, str] | None:
    hub = source.settings.get("hub")
    if not isinstance(hub, str) or not hub:
        return None
    topic = source.settings.get("topic")
    return hub, topic if isinstance(topic, str) and topic else source.url


def needs_request(source: Source, subscription: Subscription | None, now: dt.datetime) -> bool:
    """True when the source should (re)subscribe: new, moved hub, lease ageing, or a
    failure or unanswered request old enough to try again."""
    wanted = _wanted(source)
    if wanted is None or source.status != "active":
        return False
    if subscription is None or (subscription.hub, subscription.topic) != wanted:
        return True
    if subscription.state == "active" and subscription.lease_expires is not None:
        lease = subscription.lease_expires - subscription.requested
        return now >= subscription.requested + lease * RENEW_AT
    if subscription.state == "requested":
        return now - subscription.requested >= RETRY_UNVERIFIED
    return now - subscription.requested >= RETRY_FAILED


async def request_subscription(
    db: Database, settings: Any, fetcher: Fetcher, source: Source,
    subscription: Subscription | None, now: dt.datetime,
) -> bool:
    """Ask the source's hub for (or to renew) a subscription; True when the hub accepted.

    The request is stored before it is sent: a hub may call back before it answers.
    """
    wanted = _wanted(source)
    if wanted is None:
        return False
    hub, topic = wanted
    same_hub = subscription is not None and subscription.hub == hub
    secret = subscription.secret if same_hub and subscription else secrets.token_hex(32)
    websub_store.record_request(db, source.id, hub, topic, secret, now)
    form = {"hub.mode": "subscribe", "hub.topic": topic,
            "hub.callback": callback_url(settings, source.id, secret), "hub.secret": secret,
            "hub.lease_seconds": str(LEASE_SECONDS)}
    try:
        result = await fetcher.post_form(hub, form)
    except FetchError as error:
        websub_store.record_failure(db, source.id, f"websub: {error}")
        log.warning("hub refused", extra={"source_url": source.url, "error": str(error)})
        return False
    if result.status not in (200, 202, 204):
        websub_store.record_failure(db, source.id, f"websub: hub answered {result.status}")
        return False
    return True


def renew_websub_leases(db: Database, settings: Any, now: dt.datetime | None = None) -> int:
    """Subscribe sources whose feed names a hub, renew ageing leases, retry failed hubs.

    Called by the workers' leader; returns how many requests were sent.
    """
    if not enabled(settings):
        return 0
    now = now or utcnow()
    subscriptions = websub_store.all_subscriptions(db)
    due = [s for s in sources_with_hub(db) if needs_request(s, subscriptions.get(s.id), now)]
    if not due:
        return 0

    async def send() -> None:
        async with Fetcher(FetchConfig.from_settings(settings)) as fetcher:
            await asyncio.gather(*(request_subscription(db, settings, fetcher, s,
                                                        subscriptions.get(s.id), now)
                                   for s in due))

    asyncio.run(send())
    return len(due)


def verify_intent(db: Database, source_id: int, params: dict[str, str],
                  now: dt.datetime | None = None, *, token: str = "") -> str | None:
    """Answer a hub's verification call: the challenge to echo, or None to refuse.

    Only a call to the callback address we gave the hub (its token), for a subscription
    still pending, on the topic and in the mode we asked for, is confirmed; anyone else
    (who knows the feed and the source's number, but not the token) is refused. A hub's
    "denied" notice, on the same address, marks the subscription failed (polling goes on).
    """
    subscription = websub_store.get_subscription(db, source_id)
    mode = params.get("hub.mode", "")
    if not callback_matches(subscription, token):
        return None
    assert subscription is not None
    if params.get("hub.topic") != subscription.topic:
        return None
    if mode == "denied":
        reason = params.get("hub.reason", "")[:200]
        websub_store.record_failure(db, source_id, f"websub: hub denied the subscription {reason}")
        return ""
    challenge = params.get("hub.challenge", "")
    if mode != "subscribe" or subscription.state != "requested" or not challenge:
        return None
    lease = params.get("hub.lease_seconds", "")
    seconds = min(int(lease), MAX_LEASE_SECONDS) if lease.isdigit() else LEASE_SECONDS
    now = now or utcnow()
    websub_store.record_verified(db, source_id, now + dt.timedelta(seconds=seconds))
    log.info("websub subscription verified", extra={"source_id": source_id, "lease": seconds})
    return challenge


def signature_matches(secret: str, body: bytes, header: str | None) -> bool:
    """Check ``X-Hub-Signature: method=hexdigest`` (sha1, sha256, sha384, sha512)."""
    if not header or "=" not in header:
        return False
    method, _, digest = header.strip().partition("=")
    algorithm = _DIGESTS.get(method.lower())
    if algorithm is None:
        return False
    expected = hmac.new(secret.encode(), body, algorithm).hexdigest()
    return hmac.compare_digest(expected, digest.strip().lower())
