"""The audit log: who did what to which thing, from where, and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from broadsheet.store.db import Database, as_utc, utcnow
from broadsheet.store.schema import audit_log


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action."""

    id: int
    time: dt.datetime
    user_name: str
    action: str
    target: str
    address: str | None
    detail: dict[str, Any] = field(default_factory=dict)


def record_action(db: Database, user: Any, action: str, target: str = "",
                  address: str | None = None, **detail: Any) -> None:
    """Append an entry; ``user`` is a User or None (for the command line)."""
    with db.begin() as connection:
        connection.execute(sa.insert(audit_log).values(
            time=utcnow(), user_id=getattr(user, "id", None),
            user_name=getattr(user, "name", "(cli)"), action=action, target=str(target),
            address=address, detail=detail))


def recent_actions(db: Database, limit: int = 200) -> list[AuditEntry]:
    """The newest entries first."""
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    with db.begin() as connection:
        return [AuditEntry(id=r.id, time=as_utc(r.time), user_name=r.user_name,  # type: ignore[arg-type]
                           action=r.action, target=r.target, address=r.address,
                           detail=dict(r.detail or {}))
                for r in connection.execute(query)]
