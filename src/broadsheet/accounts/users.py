"""Account operations shared by the command line and the admin area.

Each checks its input, hashes secrets with ``broadsheet.accounts.auth`` and writes through
``broadsheet.store``; errors are ``AccountError`` with a message fit to show.
"""

from __future__ import annotations

from broadsheet.accounts import auth
from broadsheet.errors import AccountError
from broadsheet.store import Database
from broadsheet.store import users as user_store
from broadsheet.store.users import User


def _checked(password: str) -> str:
    problem = auth.check_password_strength(password)
    if problem:
        raise AccountError(f"accounts: {problem}")
    return password


def create_account(db: Database, name: str, role: str, password: str) -> User:
    """Create a user with a role and an Argon2id-hashed password."""
    if role not in auth.ROLES:
        raise AccountError(f"accounts: role must be one of {', '.join(auth.ROLES)}")
    return user_store.create_user(db, name, role, auth.hash_password(_checked(password)))


def set_password(db: Database, user_id: int, password: str) -> None:
    """Change a user's password (their sessions end)."""
    user_store.update_user(db, user_id, password_hash=auth.hash_password(_checked(password)))


def set_api_password(db: Database, user: User, api_password: str | None) -> None:
    """Set (or clear, with None) the separate password of the Google Reader and Fever APIs;
    Google Reader logins made with the previous one end.

    Fever clients send md5("name:password") with every request, so that key is all the
    server can check: it is kept as an unsalted SHA-256 digest of the key, the most the
    protocol allows (see docs/deployment.md). ``revoke_fever_key`` forgets it alone.
    """
    if api_password is None:
        user_store.update_user(db, user.id, api_password_hash=None, fever_key_hash=None)
        return
    _checked(api_password)
    user_store.update_user(db, user.id, api_password_hash=auth.hash_password(api_password),
                           fever_key_hash=auth.digest(auth.fever_key(user.name, api_password)))


def revoke_fever_key(db: Database, user: User) -> None:
    """Forget a user's Fever key: Fever logins stop, the Google Reader password stays."""
    user_store.update_user(db, user.id, fever_key_hash=None)


def change_role(db: Database, user: User, role: str) -> None:
    """Give a user another role; the last admin keeps theirs."""
    if role not in auth.ROLES:
        raise AccountError(f"accounts: role must be one of {', '.join(auth.ROLES)}")
    if user.role == "admin" and role != "admin" and user_store.count_admins(db) <= 1:
        raise AccountError("accounts: the last admin cannot stop being one")
    user_store.update_user(db, user.id, role=role)


def delete_account(db: Database, user: User) -> None:
    """Delete a user; the last admin cannot be deleted."""
    if user.role == "admin" and user_store.count_admins(db) <= 1:
        raise AccountError("accounts: the last admin cannot be deleted")
    user_store.delete_user(db, user.id)
