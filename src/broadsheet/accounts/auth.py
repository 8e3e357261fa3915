"""Pure helpers for accounts: password hashing, secrets, roles and login back-off.

Nothing here touches the database or the network, so every rule is easy to test.
Passwords use Argon2id; tokens and session ids are random and stored only as SHA-256
digests (they carry 256 bits of entropy, so a slow hash adds nothing); every comparison
of secrets is constant-time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

ROLES = ("reader", "editor", "admin")
"""Roles, weakest first: each can do everything the ones before it can."""
TOKEN_PREFIX = "bs_"
MIN_PASSWORD_LENGTH = 8
FREE_FAILURES = 3
"""Failed logins allowed before each further failure locks the key for a while."""
MAX_LOCK_SECONDS = 15 * 60
HASH_WAIT_SECONDS = 10.0
"""Longest wait for a hashing slot before a login is refused as busy."""

_hasher = PasswordHasher()  # Argon2id, RFC 9106 low-memory profile
_DUMMY_HASH = _hasher.hash("not a password of anyone")


def set_hash_cost(time_cost: int, memory_kib: int) -> None:
    """Change the Argon2id cost for new hashes (tests lower it; old hashes still verify)."""
    global _hasher
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)


class HashingBusy(Exception):
    """Every hashing slot stayed taken for HASH_WAIT_SECONDS."""


class _HashSlots:
    """A process-wide bound on Argon2id computations running at once.

    Each costs tens of MiB, so a burst of logins must queue rather than add up; the
    counters (running now, the most ever at once, how many ran) make the bound observable.
    """

    def __init__(self, size: int) -> None:
        self._lock = threading.Lock()
        self.resize(size)

    def resize(self, size: int) -> None:
        with self._lock:
            self.size = max(1, size)
            self._slots = threading.BoundedSemaphore(self.size)
            self.running = self.peak = self.total = 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        slots = self._slots
        if not slots.acquire(timeout=HASH_WAIT_SECONDS):
            raise HashingBusy("accounts: too many password checks at once")
        with self._lock:
            self.running += 1
            self.total += 1
            self.peak = max(self.peak, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1
            slots.release()


hash_slots = _HashSlots(2)


def set_hash_concurrency(size: int) -> None:
    """Bound how many password hashes run at once in this process (and reset the counters)."""
    hash_slots.resize(size)


def hash_password(password: str) -> str:
    """Hash a password with Argon2id (salted, encoded with its parameters)."""
    with hash_slots.slot():
        return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when the password matches; an unknown user costs the same time as a wrong one.

    At most ``hash_slots.size`` checks run at once; others wait (HashingBusy past a while).
    """
    with hash_slots.slot():
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) \
                and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def check_password_strength(password: str) -> str | None:
    """A reason the password is refused, or None when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
    return None


def new_secret(prefix: str = "") -> str:
    """A fresh random secret (256 bits), URL-safe, with an optional prefix."""
    return prefix + secrets.token_urlsafe(32)


def new_token() -> str:
    """A new API token: shown to its owner once, stored only as ``digest(token)``."""
    return new_secret(TOKEN_PREFIX)


def digest(secret: str) -> str:
    """SHA-256 hex digest of a high-entropy secret, as stored in the database."""
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    """Constant-time equality of two secrets; None never matches."""
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def fever_key(name: str, api_password: str) -> str:
    """The Fever API key a client sends: md5("name:api_password"), as the protocol fixes."""
    return hashlib.md5(f"{name}:{api_password}".encode()).hexdigest()  # noqa: S324


def role_at_least(role: str, needed: str) -> bool:
    """True when ``role`` is ``needed`` or stronger."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def lock_seconds(failures: int) -> float:
    """How long a key stays locked after this many consecutive failures: 0, then 1, 2, 4 s..."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(2 ** (failures - FREE_FAILURES), MAX_LOCK_SECONDS))
