"""Who is calling: password logins with back-off, bearer tokens, and the caller's address.

Shared by the JSON API, the reader-client APIs and the admin area, so each applies
the same throttle and the same constant-time checks.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from starlette.requests import Request

from broadsheet.api import auth
from broadsheet.store import Database, utcnow
from broadsheet.store import tokens as token_store
from broadsheet.store import users as user_store
from broadsheet.store.users import User


@dataclass
class LoginRefused(Exception):
    """A login failed; ``retry_after`` is set when the account or address is locked."""

    message: str
    retry_after: int | None = None

    def __str__(self) -> str:
        return self.message


def client_address(request: Request) -> str:
    """The peer's address as the socket saw it; forwarded headers are never trusted."""
    return request.client.host if request.client else "unknown"


def _throttle_keys(name: str, address: str) -> list[str]:
    return [f"user:{name.strip().lower()}", f"addr:{address}"]


def _retry_after(until: dt.datetime) -> int:
    return max(1, math.ceil((until - utcnow()).total_seconds()))


def check_password_login(db: Database, name: str, password: str, address: str,
                         *, api_password: bool = False) -> User:
    """Verify a name and password (or the user's separate API password) with back-off.

    Each failure counts against the account and the address; past a few failures each
    key is locked for a time that doubles with every further failure. While locked, no
    password is even checked (so guessing gains nothing) and the attempt counts as one
    more failure.
    """
    keys = _throttle_keys(name, address)
    if user_store.locked_until(db, keys) is not None:
        # Trying again while locked counts as another failure: hammering only lengthens it.
        until = user_store.record_failure(db, keys, auth.lock_seconds)
        raise LoginRefused("too many failed logins; wait and try again", _retry_after(until))
    found = user_store.find_user(db, name) if name.strip() else None
    stored = None
    if found is not None:
        stored = found[2] if api_password else found[1]
    if not auth.verify_password(stored, password) or found is None:
        until = user_store.record_failure(db, keys, auth.lock_seconds)
        retry = _retry_after(until) if until > utcnow() else None
        raise LoginRefused("wrong name or password", retry)
    user_store.clear_failures(db, keys)
    return found[0]


def user_for_token(db: Database, token: str | None) -> User | None:
    """The owner of a live API token, or None (unknown, revoked or empty)."""
    if not token:
        return None
    return token_store.user_for_token(db, auth.digest(token.strip()))


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if any."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def issue_token(db: Database, user: User, name: str, kind: str = "api") -> tuple[str, int]:
    """Create a token for a user; return (the token, shown only now, and its id)."""
    token = auth.new_token()
    stored = token_store.add_token(db, user.id, auth.digest(token), token[:10], name, kind)
    return token, stored.id
