"""Who is calling: password logins with back-off, bearer tokens, and the caller's address.

Shared by the JSON API, the reader-client APIs and the admin area, so each applies
the same throttle and the same constant-time checks.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from starlette.requests import Request

from broadsheet.accounts import auth
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
    """The caller's address: the socket's peer, or, only when that peer is one of the
    ``trusted_proxies``, the address its X-Forwarded-For names (uvicorn resolves it before
    the application runs; see ``broadsheet.server``). Lockouts and the audit log use it."""
    return request.client.host if request.client else "unknown"


def _throttle_keys(name: str, address: str) -> list[str]:
    return [f"user:{name.strip().lower()}", f"addr:{address}"]


def _retry_after(until: dt.datetime) -> int:
    return max(1, math.ceil((until - utcnow()).total_seconds()))


class _KeyTurns:
    """Attempts sharing a throttle key (an account, an address) take turns in this process.

    So a burst from one address is decided one attempt at a time: once a few have failed,
    the lock they left refuses the rest before any of them is hashed. The set of busy keys
    holds only attempts in progress, so it cannot grow with the names an attacker tries.
    """

    def __init__(self) -> None:
        self._busy: set[str] = set()
        self._changed = threading.Condition()

    @contextmanager
    def turn(self, keys: list[str], timeout: float) -> Iterator[None]:
        wanted = set(keys)
        with self._changed:
            if not self._changed.wait_for(lambda: not wanted & self._busy, timeout):
                raise auth.HashingBusy("accounts: too many logins at once")
            self._busy |= wanted
        try:
            yield
        finally:
            with self._changed:
                self._busy -= wanted
                self._changed.notify_all()


_turns = _KeyTurns()


def check_login(db: Database, keys: list[str], verify: Callable[[], User | None]) -> User:
    """The one path of every secret check by password or key (admin login, Google Reader
    ClientLogin, Miniflux Basic auth, Fever's ``api_key``): throttled, counted first.

    The attempt is counted as a failure before ``verify`` runs (and forgiven if it
    succeeds), so attempts racing each other cannot all slip under the lock; while any
    key is locked, ``verify`` is not even called (guessing gains nothing) and the attempt
    lengthens the lock. Past a few failures each key is locked for a time that doubles
    with every further failure. Raises LoginRefused.
    """
    try:
        with _turns.turn(keys, auth.HASH_WAIT_SECONDS):
            already, until = user_store.record_attempt(db, keys, auth.lock_seconds)
            if already is not None:
                raise LoginRefused("too many failed logins; wait and try again",
                                   _retry_after(until))
            user = verify()
            if user is not None:
                user_store.clear_failures(db, keys)
                return user
    except auth.HashingBusy:
        raise LoginRefused("too many logins at once; wait and try again", 1) from None
    raise LoginRefused("wrong name or password", _retry_after(until) if until > utcnow() else None)


def check_password_login(db: Database, name: str, password: str, address: str,
                         *, api_password: bool = False) -> User:
    """Verify a name and password (or the user's separate API password) with back-off;
    failures count against the account and the address (see ``check_login``)."""
    return _password_login(db, name, password, address, api_password)[0]


def check_api_password(db: Database, name: str, password: str, address: str
                       ) -> tuple[User, str]:
    """Verify a name and API password as ``check_password_login`` does; also return the
    stored hash it matched, which the tokens issued for this login are tied to."""
    return _password_login(db, name, password, address, True)


def _password_login(db: Database, name: str, password: str, address: str,
                    api_password: bool) -> tuple[User, str]:
    matched: list[str] = []

    def verify() -> User | None:
        found = user_store.find_user(db, name) if name.strip() else None
        stored = None
        if found is not None:
            stored = found[2] if api_password else found[1]
        if auth.verify_password(stored, password) and found and stored:
            matched.append(stored)
            return found[0]
        return None

    return check_login(db, _throttle_keys(name, address), verify), matched[0]


def user_for_token(db: Database, token: str | None) -> User | None:
    """The owner of a live API token, or None (unknown, revoked or empty)."""
    if not token:
        return None
    return token_store.user_for_token(db, auth.digest(token.strip()))


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer ...`` header, if any."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return (value.strip() or None) if scheme.lower() == "bearer" else None


def issue_token(db: Database, user: User, name: str, kind: str = "api",
                *, api_password_hash: str | None = None) -> tuple[str, int]:
    """Create a token for a user; return (the token, shown only now, and its id).

    A token issued for a password login passes the hash that password matched: if the
    password changed meanwhile, no token is issued (AccountError); once issued, changing
    or clearing the password revokes it (``broadsheet.store.users.update_user``).
    """
    token = auth.new_token()
    stored = token_store.add_token(db, user.id, auth.digest(token), token[:10], name, kind,
                                   api_password_hash=api_password_hash)
    return token, stored.id
