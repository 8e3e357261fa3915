"""Leases: how many worker processes share one database without doing work twice.

A worker claims due sources by writing its id and a lease expiry on them in one
statement (``FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite's single writer gives the
same guarantee). It extends its leases while it works (heartbeats); a worker that dies
stops extending them, and once they expire any other worker may claim the sources.
The same lease idea guards per-host request slots and the leader's maintenance duties.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid
from typing import Any

import sqlalchemy as sa

from broadsheet.store.db import Database, to_db_time, utcnow
from broadsheet.store.schema import host_slots, host_state, leader_locks, sources, workers
from broadsheet.store.sources import IDLE_STATUSES, _source
from broadsheet.types import Source


def register_worker(db: Database, worker_id: str) -> None:
    """Record a worker process, so operators can see who is working."""
    now = utcnow()
    with db.begin() as connection:
        connection.execute(db.insert(workers).values(
            id=worker_id, hostname=socket.gethostname(), pid=os.getpid(), started=now,
            heartbeat=now).on_conflict_do_nothing(index_elements=["id"]))


def claim_due_sources(
    db: Database, worker_id: str, *, limit: int, lease_seconds: float,
    now: dt.datetime | None = None,
) -> list[Source]:
    """Lease up to ``limit`` due sources that nobody else holds, and return them."""
    now = now or utcnow()
    until = now + dt.timedelta(seconds=lease_seconds)
    due = (
        sa.select(sources.c.id)
        # A gone (410) source is still retried at its back-off, at most a day apart.
        .where(sources.c.status.not_in(IDLE_STATUSES))
        .where(sa.or_(sources.c.next_poll.is_(None), sources.c.next_poll <= to_db_time(now)))
        .where(sa.or_(sources.c.lease_until.is_(None), sources.c.lease_until < to_db_time(now)))
        .order_by(sources.c.next_poll.is_(None).desc(), sources.c.next_poll, sources.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    statement = (
        sa.update(sources)
        .where(sources.c.id.in_(due.scalar_subquery()))
        .values(lease_owner=worker_id, lease_until=to_db_time(until))
        .returning(*sources.c)
    )
    with db.begin() as connection:
        rows = connection.execute(statement).all()
        connection.execute(sa.update(workers).where(workers.c.id == worker_id)
                           .values(heartbeat=now, polls=workers.c.polls + len(rows)))
    return sorted((_source(r) for r in rows), key=lambda s: s.id)


def extend_leases(db: Database, worker_id: str, source_ids: list[int], lease_seconds: float) -> int:
    """Heartbeat: push the expiry of leases this worker still holds; return how many."""
    now = utcnow()
    with db.begin() as connection:
        connection.execute(sa.update(workers).where(workers.c.id == worker_id)
                           .values(heartbeat=now))
        if not source_ids:
            return 0
        result = connection.execute(
            sa.update(sources)
            .where(sources.c.id.in_(source_ids))
            .where(sources.c.lease_owner == worker_id)
            .values(lease_until=to_db_time(now + dt.timedelta(seconds=lease_seconds))))
    return result.rowcount


def release_sources(db: Database, worker_id: str, source_ids: list[int]) -> None:
    """Give leases back once the work is recorded."""
    if not source_ids:
        return
    with db.begin() as connection:
        connection.execute(
            sa.update(sources).where(sources.c.id.in_(source_ids))
            .where(sources.c.lease_owner == worker_id)
            .values(lease_owner=None, lease_until=None))


def forget_worker(db: Database, worker_id: str) -> None:
    """A worker leaving cleanly releases everything it held."""
    with db.begin() as connection:
        connection.execute(sa.update(sources).where(sources.c.lease_owner == worker_id)
                           .values(lease_owner=None, lease_until=None))
        connection.execute(sa.update(host_slots).where(host_slots.c.owner == worker_id)
                           .values(owner=None, lease_until=None))
        connection.execute(sa.delete(workers).where(workers.c.id == worker_id))


def release_dead_local_owners(db: Database) -> int:
    """Give back at once the source and host-slot leases of processes of this machine
    that died (SIGKILL, OOM) instead of waiting for the leases to expire; return how
    many sources were freed. Owners on other machines are left to their expiry."""
    now = to_db_time(utcnow())
    with db.begin() as connection:
        owners = set(connection.scalars(
            sa.select(sources.c.lease_owner).distinct()
            .where(sources.c.lease_owner.is_not(None)).where(sources.c.lease_until >= now)))
        owners |= set(connection.scalars(
            sa.select(host_slots.c.owner).distinct()
            .where(host_slots.c.owner.is_not(None)).where(host_slots.c.lease_until >= now)))
        dead = sorted(o for o in owners if owner_is_dead_here(o))
        if not dead:
            return 0
        freed = connection.execute(sa.update(sources).where(sources.c.lease_owner.in_(dead))
                                   .values(lease_owner=None, lease_until=None)).rowcount
        connection.execute(sa.update(host_slots).where(host_slots.c.owner.in_(dead))
                           .values(owner=None, lease_until=None))
    return max(freed, 0)


def leased_due_count(db: Database, now: dt.datetime | None = None) -> int:
    """Due sources that someone holds a live lease on: in flight, or held by a dead
    worker until the lease expires. Nothing is finished while this is above zero."""
    now = now or utcnow()
    with db.begin() as connection:
        return int(connection.scalar(
            sa.select(sa.func.count()).select_from(sources)
            .where(sources.c.status.not_in(IDLE_STATUSES))
            .where(sa.or_(sources.c.next_poll.is_(None), sources.c.next_poll <= to_db_time(now)))
            .where(sources.c.lease_until >= to_db_time(now))) or 0)


def reap_dead_workers(db: Database, older_than: float) -> int:
    """Delete worker rows whose heartbeat stopped; their leases expire on their own."""
    cutoff = to_db_time(utcnow() - dt.timedelta(seconds=older_than))
    with db.begin() as connection:
        return connection.execute(sa.delete(workers).where(workers.c.heartbeat < cutoff)).rowcount


def process_owner_id() -> str:
    """An owner id unique across machines and restarts: host, process id, random part.
    Leases held under such an id can be taken over as soon as that process is gone."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_is_dead_here(owner: str) -> bool:
    """True when ``owner`` (see ``process_owner_id``) names a process of this machine
    that no longer runs: its leases need not wait to expire."""
    host, _, rest = owner.partition(":")
    pid_text = rest.split(":", 1)[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, someone else's
        return False
    return False


def acquire_leader(db: Database, name: str, owner: str, lease_seconds: float) -> bool:
    """Take or keep the named leadership for a while; True when ``owner`` holds it.

    A leadership whose holder died on this machine is taken over at once (a killed
    ``update`` must not keep the stories stage waiting for its lease to run out);
    elsewhere, once its lease has expired.
    """
    now = utcnow()
    until = to_db_time(now + dt.timedelta(seconds=lease_seconds))
    with db.begin() as connection:
        connection.execute(db.insert(leader_locks).values(
            name=name, owner=owner, lease_until=until).on_conflict_do_nothing(
            index_elements=["name"]))
        taken = connection.execute(
            sa.update(leader_locks).where(leader_locks.c.name == name)
            .where(sa.or_(leader_locks.c.owner == owner,
                          leader_locks.c.lease_until < to_db_time(now)))
            .values(owner=owner, lease_until=until))
        if taken.rowcount == 1:
            return True
        holder = connection.scalar(sa.select(leader_locks.c.owner)
                                   .where(leader_locks.c.name == name))
        if holder is None or not owner_is_dead_here(holder):
            return False
        taken = connection.execute(
            sa.update(leader_locks).where(leader_locks.c.name == name)
            .where(leader_locks.c.owner == holder).values(owner=owner, lease_until=until))
    return taken.rowcount == 1


def release_leader(db: Database, name: str, owner: str) -> None:
    """Give up a leadership early, so the next claimant need not wait for the lease."""
    with db.begin() as connection:
        connection.execute(sa.delete(leader_locks).where(leader_locks.c.name == name)
                           .where(leader_locks.c.owner == owner))


def ensure_host_slots(db: Database, host: str, slots: int) -> None:
    """Create a host's slot rows once; claiming then needs a single statement."""
    with db.begin() as connection:
        for slot in range(slots):
            connection.execute(db.insert(host_slots).values(host=host, slot=slot)
                               .on_conflict_do_nothing(index_elements=["host", "slot"]))


def claim_host_slot(
    db: Database, host: str, owner: str, *, slots: int, lease_seconds: float,
    owner_silent_seconds: float | None = None,
) -> int | None:
    """Take one of a host's ``slots`` request slots, cluster-wide; None when all are busy.

    A slot is free when nobody holds it, its lease ran out, or (with
    ``owner_silent_seconds``) its holder stopped heartbeating or is gone. One statement;
    call ``ensure_host_slots`` once per host first. A slot is only politeness state, so
    on PostgreSQL its commit does not wait for the disk.
    """
    now = utcnow()
    free = [host_slots.c.owner.is_(None), host_slots.c.lease_until < to_db_time(now)]
    if owner_silent_seconds is not None:
        alive = sa.select(workers.c.id).where(workers.c.heartbeat >= to_db_time(
            now - dt.timedelta(seconds=owner_silent_seconds)))
        free.append(host_slots.c.owner.not_in(alive.scalar_subquery()))
    candidate = (sa.select(host_slots.c.slot).where(host_slots.c.host == host)
                 .where(host_slots.c.slot < slots).where(sa.or_(*free))
                 .order_by(host_slots.c.slot).limit(1).with_for_update(skip_locked=True))
    statement = (sa.update(host_slots).where(host_slots.c.host == host)
                 .where(host_slots.c.slot == candidate.scalar_subquery())
                 .values(owner=owner,
                         lease_until=to_db_time(now + dt.timedelta(seconds=lease_seconds)))
                 .returning(host_slots.c.slot))
    with db.begin() as connection:
        _relaxed_commit(db, connection)
        return connection.scalar(statement)


def release_host_slot(db: Database, host: str, slot: int, owner: str) -> None:
    """Free a request slot taken with ``claim_host_slot``."""
    with db.begin() as connection:
        _relaxed_commit(db, connection)
        connection.execute(
            sa.update(host_slots).where(host_slots.c.host == host)
            .where(host_slots.c.slot == slot).where(host_slots.c.owner == owner)
            .values(owner=None, lease_until=None))


def _relaxed_commit(db: Database, connection: Any) -> None:
    if db.dialect == "postgresql":
        connection.execute(sa.text("SET LOCAL synchronous_commit = off"))


def host_not_before(db: Database, host: str) -> dt.datetime | None:
    """When the host may next be contacted (a Retry-After shared by every worker)."""
    from broadsheet.store.db import as_utc

    with db.begin() as connection:
        return as_utc(connection.scalar(
            sa.select(host_state.c.not_before).where(host_state.c.host == host)))


def delay_host(db: Database, host: str, until: dt.datetime) -> None:
    """Record that nobody may contact ``host`` before ``until``."""
    with db.begin() as connection:
        connection.execute(db.insert(host_state).values(host=host, not_before=to_db_time(until))
                           .on_conflict_do_update(index_elements=["host"],
                                                  set_={"not_before": to_db_time(until)}))
