"""Storage of accounts: users, their sessions, and the login throttle.

Secrets never reach this module in clear except to be hashed: session ids arrive
already digested, passwords are hashed by ``broadsheet.accounts.auth`` before they come.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from broadsheet.errors import AccountError
from broadsheet.store.db import Database, as_utc, to_db_time, utcnow
from broadsheet.store.schema import api_tokens, login_throttle, sessions, users

PASSWORD_DERIVED = ("clientlogin",)
"""Kinds of API token issued for a password login: revoked when a password changes."""


@dataclass(frozen=True)
class User:
    """An account as the web layer sees it (no hashes)."""

    id: int
    name: str
    role: str
    created: dt.datetime
    has_api_password: bool = False


@dataclass(frozen=True)
class Session:
    """A logged-in browser: whose it is, its CSRF token and when it ends."""

    user: User
    csrf_token: str
    expires: dt.datetime


def _user(row: Any) -> User:
    return User(id=row.id, name=row.name, role=row.role, created=as_utc(row.created),  # type: ignore[arg-type]
                has_api_password=row.api_password_hash is not None)


def create_user(db: Database, name: str, role: str, password_hash: str) -> User:
    """Add a user; raise AccountError if the name is taken."""
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() or c in ":/" for c in name):
        raise AccountError("accounts: a user name is 1-64 characters, no spaces, ':' or '/'")
    with db.begin() as connection:
        taken = connection.scalar(sa.select(users.c.id).where(users.c.name == name))
        if taken:
            raise AccountError(f"accounts: user {name!r} already exists")
        user_id = connection.scalar(sa.insert(users).values(
            name=name, role=role, password_hash=password_hash, created=utcnow()
        ).returning(users.c.id))
    return get_user(db, int(user_id))  # type: ignore[arg-type]


def get_user(db: Database, user_id: int) -> User:
    """One user by id, or AccountError."""
    with db.begin() as connection:
        row = connection.execute(sa.select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise AccountError(f"accounts: no user with id {user_id}")
    return _user(row)


def find_user(db: Database, name: str) -> tuple[User, str, str | None] | None:
    """(user, password hash, API password hash) for a name, or None."""
    with db.begin() as connection:
        row = connection.execute(sa.select(users).where(users.c.name == name.strip())).first()
    return (_user(row), row.password_hash, row.api_password_hash) if row else None


def user_by_fever_key(db: Database, key_hash: str) -> User | None:
    """The user whose Fever key has this digest, or None."""
    with db.begin() as connection:
        row = connection.execute(sa.select(users).where(users.c.fever_key_hash == key_hash)
                                 ).first()
    return _user(row) if row else None


def list_users(db: Database) -> list[User]:
    """Every user, by name."""
    with db.begin() as connection:
        return [_user(r) for r in connection.execute(sa.select(users).order_by(users.c.name))]


def count_admins(db: Database) -> int:
    """How many admins exist (the last one may not be demoted or deleted)."""
    with db.begin() as connection:
        return int(connection.scalar(sa.select(sa.func.count()).select_from(users)
                                     .where(users.c.role == "admin")) or 0)


def update_user(db: Database, user_id: int, **values: Any) -> None:
    """Change a user's role, password hash or API password hashes."""
    allowed = {"role", "password_hash", "api_password_hash", "fever_key_hash"}
    if set(values) - allowed:
        raise AccountError(f"accounts: cannot change {sorted(set(values) - allowed)}")
    with db.begin() as connection:
        result = connection.execute(sa.update(users).where(users.c.id == user_id).values(**values))
        if "password_hash" in values or values.get("role"):
            connection.execute(sa.delete(sessions).where(sessions.c.user_id == user_id))
        if "password_hash" in values or "api_password_hash" in values:
            # Tokens a password login issued die with the password (either of them).
            connection.execute(sa.update(api_tokens).where(api_tokens.c.user_id == user_id)
                               .where(api_tokens.c.kind.in_(PASSWORD_DERIVED))
                               .where(api_tokens.c.revoked.is_(None)).values(revoked=utcnow()))
    if result.rowcount == 0:
        raise AccountError(f"accounts: no user with id {user_id}")


def delete_user(db: Database, user_id: int) -> None:
    """Remove a user with their sessions, tokens and reader state."""
    with db.begin() as connection:
        result = connection.execute(sa.delete(users).where(users.c.id == user_id))
    if result.rowcount == 0:
        raise AccountError(f"accounts: no user with id {user_id}")


# --- sessions ----------------------------------------------------------------------------

def create_session(db: Database, user_id: int, id_hash: str, csrf_token: str,
                   lifetime: dt.timedelta, address: str | None = None) -> None:
    """Record a new session, stored under the digest of its cookie value."""
    now = utcnow()
    with db.begin() as connection:
        connection.execute(sa.delete(sessions).where(sessions.c.expires < to_db_time(now)))
        connection.execute(sa.insert(sessions).values(
            id_hash=id_hash, user_id=user_id, csrf_token=csrf_token, address=address,
            created=now, expires=to_db_time(now + lifetime)))


def get_session(db: Database, id_hash: str) -> Session | None:
    """The live session with this digest, or None when unknown or expired."""
    query = (sa.select(sessions.c.csrf_token, sessions.c.expires, users)
             .select_from(sessions.join(users))
             .where(sessions.c.id_hash == id_hash)
             .where(sessions.c.expires > to_db_time(utcnow())))
    with db.begin() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    return Session(_user(row), row.csrf_token, as_utc(row.expires))  # type: ignore[arg-type]


def delete_session(db: Database, id_hash: str) -> None:
    """End one session (logout)."""
    with db.begin() as connection:
        connection.execute(sa.delete(sessions).where(sessions.c.id_hash == id_hash))


# --- login throttle ----------------------------------------------------------------------

def locked_until(db: Database, keys: list[str], now: dt.datetime | None = None
                 ) -> dt.datetime | None:
    """The latest lock among these keys (account, address), if any is still locked."""
    now = now or utcnow()
    with db.begin() as connection:
        value = connection.scalar(sa.select(sa.func.max(login_throttle.c.locked_until))
                                  .where(login_throttle.c.key.in_(keys)))
    value = as_utc(value)
    return value if value and value > now else None


def record_failure(db: Database, keys: list[str], lock_for: Any,
                   now: dt.datetime | None = None) -> dt.datetime:
    """Count a failed login against each key and lock it for ``lock_for(failures)`` seconds."""
    now = now or utcnow()
    latest = now
    with db.begin() as connection:
        for key in keys:
            failures = connection.scalar(sa.select(login_throttle.c.failures)
                                         .where(login_throttle.c.key == key))
            count = int(failures or 0) + 1
            until = now + dt.timedelta(seconds=lock_for(count))
            latest = max(latest, until)
            values = {"failures": count, "last_failure": to_db_time(now),
                      "locked_until": to_db_time(until)}
            if failures is None:
                connection.execute(sa.insert(login_throttle).values(key=key, **values))
            else:
                connection.execute(sa.update(login_throttle)
                                   .where(login_throttle.c.key == key).values(**values))
    return latest


def record_attempt(db: Database, keys: list[str], lock_for: Any,
                   now: dt.datetime | None = None) -> tuple[dt.datetime | None, dt.datetime]:
    """Count a login attempt as a failure *before* its password is checked.

    Returns (the lock that was already in force, or None; the lock this attempt leaves).
    The counter is raised first, inside one write transaction, so attempts racing each
    other each see the ones before them: a burst is locked out as a sequence would be.
    A successful check then calls ``clear_failures``.
    """
    now = now or utcnow()
    with db.begin() as connection:
        for key in keys:  # writing first takes the write lock: racing attempts queue here
            insert = db.insert(login_throttle).values(
                key=key, failures=1, last_failure=to_db_time(now), locked_until=None)
            connection.execute(insert.on_conflict_do_update(
                index_elements=[login_throttle.c.key],
                set_={"failures": login_throttle.c.failures + 1,
                      "last_failure": to_db_time(now)}))
        rows = connection.execute(sa.select(login_throttle.c.key, login_throttle.c.failures,
                                            login_throttle.c.locked_until)
                                  .where(login_throttle.c.key.in_(keys))).all()
        locks = [as_utc(r.locked_until) for r in rows if r.locked_until is not None]
        already = max((t for t in locks if t and t > now), default=None)
        latest = now
        for row in rows:
            seconds = lock_for(int(row.failures))
            # A free failure leaves no lock at all: a zero-length lock stamped with this
            # attempt's clock could still lie ahead of an attempt that read the clock earlier.
            until = now + dt.timedelta(seconds=seconds) if seconds > 0 else None
            latest = max(latest, until or now)
            connection.execute(sa.update(login_throttle).where(login_throttle.c.key == row.key)
                               .values(locked_until=to_db_time(until) if until else None))
    return already, latest


def clear_failures(db: Database, keys: list[str]) -> None:
    """Forget failures after a successful login."""
    with db.begin() as connection:
        connection.execute(sa.delete(login_throttle).where(login_throttle.c.key.in_(keys)))
