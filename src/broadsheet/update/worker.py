"""Workers: any number of processes, on any number of machines, sharing one database.

Each round a worker leases a batch of due sources (``store.leases``), runs the update
pipeline on them while a heartbeat keeps the leases alive, and gives them back. A worker
that dies simply stops heartbeating; its leases expire and others pick the sources up.
One worker at a time, whoever holds the "maintenance" leader lease, also tidies up after
dead workers. Stories are placed in a background thread, by whichever worker holds the
"stories" leader lease, from the placement queue: polling never waits for placement,
and a placer that dies leaves its batch queued for the next holder. Embedded mode (``broadsheet run`` on SQLite) runs exactly this loop in a
child process beside the web server.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

from broadsheet.store import Database
from broadsheet.sources.websub import renew_websub_leases
from broadsheet.store import leases
from broadsheet.store.placement_queue import count_queued
from broadsheet.update.host_gate import DatabaseHostGate
from broadsheet.update.pipeline import UpdateSummary, place_queued_articles, update_sources

log = logging.getLogger("broadsheet.worker")

PLACE_IDLE_SECONDS = 1.0
"""How often an idle placer looks at the queue (and tries for the stories lease)."""


def new_worker_id() -> str:
    """A name unique across machines and restarts: host, process and a random part."""
    return leases.process_owner_id()


class Worker:
    """Claims due sources in batches and polls them, until told to stop."""

    def __init__(self, db: Database, settings: Any, *, worker_id: str | None = None,
                 batch: int = 20, lease_seconds: float = 120.0, idle_seconds: float = 5.0,
                 place: bool = True):
        self.db = db
        self.place = place
        self.settings = settings
        self.id = worker_id or new_worker_id()
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.idle_seconds = idle_seconds
        self.stopping = threading.Event()
        # Several processes may share a PostgreSQL database: their politeness must add up.
        self.gate = DatabaseHostGate(
            db, self.id, slots=settings.per_host_concurrency,
            lease_seconds=2 * settings.fetch_timeout + 10, owner_silent_seconds=lease_seconds,
        ) if db.dialect == "postgresql" else None

    def run(self, *, once: bool = False) -> UpdateSummary:
        """Work until stopped (or, with ``once``, until nothing is due); return the totals."""
        leases.register_worker(self.db, self.id)
        total = UpdateSummary()
        polling = threading.Event()
        placer = threading.Thread(target=self._place_loop, args=(polling,),
                                  name="placer", daemon=True) if self.place else None
        if placer:
            placer.start()
        try:
            while not self.stopping.is_set():
                self._maintain()
                summary = asyncio.run(self.round())
                total.outcomes.extend(summary.outcomes)
                if summary.polled == 0:
                    # --once ends when nothing is due, leased ones included: a dead
                    # worker's batch stays due until its lease is given back or expires.
                    if once and leases.leased_due_count(self.db) == 0:
                        break
                    self.stopping.wait(self.idle_seconds)
        finally:
            polling.set()
            if placer:
                placer.join()
            leases.forget_worker(self.db, self.id)
        if once and self.place:
            total.placed = self._drain()
        return total

    def _drain(self) -> int:
        """--once ends with nothing awaiting placement: place what is queued, or wait
        while the holder of the stories lease (another worker finishing) does."""
        placed = 0
        while not self.stopping.is_set():
            placed += place_queued_articles(self.db, self.settings, self.id,
                                            self.lease_seconds)
            if count_queued(self.db) == 0:
                break
            self.stopping.wait(PLACE_IDLE_SECONDS)
        return placed

    def _place_loop(self, done: threading.Event) -> None:
        """The background placer: while this worker holds the stories lease, place
        queued articles batch by batch; look again every second when idle."""
        while not done.is_set():
            placed = 0
            try:
                placed = place_queued_articles(self.db, self.settings, self.id,
                                               self.lease_seconds,
                                               keep_going=lambda: not done.is_set())
            except Exception:  # boundary of the thread: log, wait, try again
                log.exception("placing stories failed")
            if not placed:
                done.wait(PLACE_IDLE_SECONDS)

    async def round(self) -> UpdateSummary:
        """Claim one batch, poll it with heartbeats running, release it."""
        claimed = leases.claim_due_sources(self.db, self.id, limit=self.batch,
                                           lease_seconds=self.lease_seconds)
        if not claimed:
            return UpdateSummary()
        ids = [s.id for s in claimed]
        heartbeat = asyncio.create_task(self._heartbeat(ids))
        try:
            return await update_sources(self.db, self.settings, claimed, gate=self.gate)
        finally:
            heartbeat.cancel()
            leases.release_sources(self.db, self.id, ids)

    async def _heartbeat(self, ids: list[int]) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            await asyncio.to_thread(leases.extend_leases, self.db, self.id, ids,
                                    self.lease_seconds)

    def _maintain(self) -> None:
        """Free the leases of dead workers of this machine at once (elsewhere they
        expire), then the leader's duties: forget dead workers, renew WebSub."""
        freed = leases.release_dead_local_owners(self.db)
        if freed:
            log.warning("freed the leases of a dead worker", extra={"count": freed})
        if leases.acquire_leader(self.db, "maintenance", self.id, self.lease_seconds):
            reaped = leases.reap_dead_workers(self.db, older_than=self.lease_seconds * 3)
            if reaped:
                log.info("reaped dead workers", extra={"count": reaped})
            renew_websub_leases(self.db, self.settings)
