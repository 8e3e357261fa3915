"""Politeness across the cluster: a host's request slots and Retry-After, in the database.

Each worker process limits its own requests per host; when several workers share the
work, this gate makes the limit hold for all of them together. A slot is a leased row in
``host_slots`` (a dead worker's slots expire), and a Retry-After answer is written to
``host_state`` so no worker asks that host again before the time it named.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from broadsheet.errors import FetchError
from broadsheet.store import Database, leases, utcnow

SHORT_WAIT = 5.0
"""A host asking for a pause at most this long is waited for; longer, the source is rescheduled."""


class DatabaseHostGate:
    """The fetch stage's HostGate, backed by ``store.leases``."""

    def __init__(self, db: Database, owner: str, *, slots: int, lease_seconds: float,
                 owner_silent_seconds: float | None = None, poll_seconds: float = 0.05):
        self.db = db
        self.owner = owner
        self.slots = slots
        self.lease_seconds = lease_seconds
        self.owner_silent_seconds = owner_silent_seconds
        self._prepared: set[str] = set()
        self.poll_seconds = poll_seconds

    async def enter(self, host: str) -> object:
        while True:
            not_before = await asyncio.to_thread(leases.host_not_before, self.db, host)
            wait = (not_before - utcnow()).total_seconds() if not_before else 0.0
            if wait > SHORT_WAIT:
                raise FetchError(f"fetch: {host} asked for no requests for {wait:.0f}s more",
                                 status=429, retry_after=wait)
            if wait > 0:
                await asyncio.sleep(wait)
                continue
            if host not in self._prepared:
                await asyncio.to_thread(leases.ensure_host_slots, self.db, host, self.slots)
                self._prepared.add(host)
            slot = await asyncio.to_thread(leases.claim_host_slot, self.db, host, self.owner,
                                           slots=self.slots, lease_seconds=self.lease_seconds,
                                           owner_silent_seconds=self.owner_silent_seconds)
            if slot is not None:
                return slot
            await asyncio.sleep(self.poll_seconds)

    async def leave(self, host: str, token: object) -> None:
        assert isinstance(token, int)
        await asyncio.to_thread(leases.release_host_slot, self.db, host, token, self.owner)

    async def defer(self, host: str, seconds: float) -> None:
        until = utcnow() + dt.timedelta(seconds=seconds)
        await asyncio.to_thread(leases.delay_host, self.db, host, until)
