"""Storage of API tokens: kept only as digests, shown once, revocable, per user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from broadsheet.errors import AccountError
from broadsheet.store.db import Database, as_utc, utcnow
from broadsheet.store.schema import api_tokens, users
from broadsheet.store.users import User, _user

KEEP_CLIENT_LOGINS = 10
"""Google Reader ClientLogin tokens kept per user; older ones are revoked."""


@dataclass(frozen=True)
class Token:
    """A token's public facts: never the token itself."""

    id: int
    user_id: int
    user_name: str
    name: str
    kind: str
    prefix: str
    created: dt.datetime
    last_used: dt.datetime | None
    revoked: dt.datetime | None


def _token(row: Any) -> Token:
    return Token(id=row.id, user_id=row.user_id, user_name=row.user_name, name=row.name,
                 kind=row.kind, prefix=row.prefix, created=as_utc(row.created),  # type: ignore[arg-type]
                 last_used=as_utc(row.last_used), revoked=as_utc(row.revoked))


def _select() -> sa.Select[Any]:
    return (sa.select(api_tokens, users.c.name.label("user_name"))
            .select_from(api_tokens.join(users)))


def add_token(db: Database, user_id: int, token_hash: str, prefix: str, name: str = "",
              kind: str = "api", *, api_password_hash: str | None = None) -> Token:
    """Store a token's digest for a user and return its public facts.

    With ``api_password_hash`` (the hash a login just matched), the token is stored only
    if the user's API password is still that one: a login racing a password change gets
    no token that would outlive the password.
    """
    with db.begin() as connection:
        token_id = connection.scalar(sa.insert(api_tokens).values(
            user_id=user_id, token_hash=token_hash, prefix=prefix, name=name[:100], kind=kind,
            created=utcnow()).returning(api_tokens.c.id))
        if api_password_hash is not None:
            # Checked after the insert, under its write lock (SQLite) or against a locked
            # row (PostgreSQL): a password change cannot commit in between unseen.
            current = connection.scalar(sa.select(users.c.api_password_hash)
                                        .where(users.c.id == user_id).with_for_update())
            if current != api_password_hash:
                raise AccountError("accounts: the API password changed during the login")
        if kind == "clientlogin":
            old = list(connection.scalars(
                sa.select(api_tokens.c.id).where(api_tokens.c.user_id == user_id)
                .where(api_tokens.c.kind == kind).where(api_tokens.c.revoked.is_(None))
                .order_by(api_tokens.c.id.desc()).offset(KEEP_CLIENT_LOGINS)))
            if old:
                connection.execute(sa.update(api_tokens).where(api_tokens.c.id.in_(old))
                                   .values(revoked=utcnow()))
        row = connection.execute(_select().where(api_tokens.c.id == token_id)).one()
    return _token(row)


def user_for_token(db: Database, token_hash: str) -> User | None:
    """The owner of a live (unrevoked) token with this digest, noting its use; else None."""
    query = (sa.select(users, api_tokens.c.id.label("token_id"))
             .select_from(api_tokens.join(users))
             .where(api_tokens.c.token_hash == token_hash)
             .where(api_tokens.c.revoked.is_(None)))
    with db.begin() as connection:
        row = connection.execute(query).first()
        if row is None:
            return None
        connection.execute(sa.update(api_tokens).where(api_tokens.c.id == row.token_id)
                           .values(last_used=utcnow()))
    return _user(row)


def list_tokens(db: Database, user_id: int | None = None) -> list[Token]:
    """Tokens of one user (or everyone's), newest first, revoked ones included."""
    query = _select().order_by(api_tokens.c.id.desc())
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    with db.begin() as connection:
        return [_token(r) for r in connection.execute(query)]


def get_token(db: Database, token_id: int) -> Token:
    """One token's public facts, or AccountError."""
    with db.begin() as connection:
        row = connection.execute(_select().where(api_tokens.c.id == token_id)).first()
    if row is None:
        raise AccountError(f"accounts: no token with id {token_id}")
    return _token(row)


def revoke_token(db: Database, token_id: int) -> None:
    """Revoke a token for good; it stays listed as revoked."""
    with db.begin() as connection:
        result = connection.execute(sa.update(api_tokens).where(api_tokens.c.id == token_id)
                                    .where(api_tokens.c.revoked.is_(None))
                                    .values(revoked=utcnow()))
    if result.rowcount == 0:
        raise AccountError(f"accounts: no live token with id {token_id}")
