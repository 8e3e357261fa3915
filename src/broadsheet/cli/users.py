"""``broadsheet users``: accounts and API tokens from the command line.

The first admin is made here: ``broadsheet users create NAME --admin``, with the
password prompted, or read from the file named by ``BROADSHEET_ADMIN_PASSWORD_FILE``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from broadsheet.errors import BroadsheetError

PASSWORD_FILE_ENV = "BROADSHEET_ADMIN_PASSWORD_FILE"


def _password(prompt: str) -> str:
    path = os.environ.get(PASSWORD_FILE_ENV)
    if path:
        try:
            return Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise click.ClickException(f"cannot read {PASSWORD_FILE_ENV}={path}: "
                                       f"{error.strerror}") from None
    return str(click.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _user(db: Any, name: str) -> Any:
    from broadsheet.store.users import find_user

    found = find_user(db, name)
    if found is None:
        raise click.ClickException(f"no user called {name!r}")
    return found[0]


def _fail(error: BroadsheetError) -> click.ClickException:
    return click.ClickException(str(error))


@click.group()
def users() -> None:
    """Manage accounts (admin, editor, reader) and their API tokens."""


@users.command("create")
@click.argument("name")
@click.option("--admin", "role", flag_value="admin", help="Can do everything.")
@click.option("--editor", "role", flag_value="editor", help="Manages sources and articles.")
@click.option("--reader", "role", flag_value="reader", default=True,
              help="Reads with apps (default).")
@click.pass_obj
def users_create(ctx: Any, name: str, role: str) -> None:
    """Create an account; the password is prompted or read from $BROADSHEET_ADMIN_PASSWORD_FILE."""
    from broadsheet.accounts.users import create_account
    from broadsheet.store.audit import record_action

    db = ctx.db()
    try:
        user = create_account(db, name, role, _password(f"Password for {name}"))
    except BroadsheetError as error:
        raise _fail(error) from None
    record_action(db, None, "user.create", user.name, role=role, via="cli")
    click.echo(f"created {user.role} {user.name} (id {user.id})")


@users.command("list")
@click.pass_obj
def users_list(ctx: Any) -> None:
    """List accounts."""
    from broadsheet.store.users import list_users

    for user in list_users(ctx.db()):
        click.echo(f"{user.id}\t{user.name}\t{user.role}\t{user.created:%Y-%m-%d}")


@users.command("password")
@click.argument("name")
@click.pass_obj
def users_password(ctx: Any, name: str) -> None:
    """Change an account's password (ends its sessions)."""
    from broadsheet.accounts.users import set_password
    from broadsheet.store.audit import record_action

    db = ctx.db()
    user = _user(db, name)
    try:
        set_password(db, user.id, _password(f"New password for {name}"))
    except BroadsheetError as error:
        raise _fail(error) from None
    record_action(db, None, "user.password", user.name, via="cli")
    click.echo(f"password changed for {name}")


@users.command("api-password")
@click.argument("name")
@click.option("--clear", is_flag=True, help="Remove it: Google Reader and Fever logins stop.")
@click.option("--no-fever", is_flag=True,
              help="Revoke only the Fever key: Fever logins stop, Google Reader ones go on.")
@click.pass_obj
def users_api_password(ctx: Any, name: str, clear: bool, no_fever: bool) -> None:
    """Set the separate password that Google Reader and Fever apps log in with.

    Changing or clearing it ends every Google Reader login made with the old one.
    """
    from broadsheet.accounts.users import revoke_fever_key, set_api_password
    from broadsheet.store.audit import record_action

    db = ctx.db()
    user = _user(db, name)
    try:
        if no_fever and not clear:
            revoke_fever_key(db, user)
            record_action(db, None, "user.fever_key", user.name, cleared=True, via="cli")
            click.echo(f"Fever key revoked for {name}")
            return
        set_api_password(db, user, None if clear else _password(f"API password for {name}"))
    except BroadsheetError as error:
        raise _fail(error) from None
    record_action(db, None, "user.api_password", user.name, cleared=clear, via="cli")
    click.echo(f"API password {'cleared' if clear else 'set'} for {name}")


@users.command("delete")
@click.argument("name")
@click.confirmation_option(prompt="Delete this account, its tokens and reading state?")
@click.pass_obj
def users_delete(ctx: Any, name: str) -> None:
    """Delete an account."""
    from broadsheet.accounts.users import delete_account
    from broadsheet.store.audit import record_action

    db = ctx.db()
    user = _user(db, name)
    try:
        delete_account(db, user)
    except BroadsheetError as error:
        raise _fail(error) from None
    record_action(db, None, "user.delete", user.name, via="cli")
    click.echo(f"deleted {name}")


@users.group("token")
def token() -> None:
    """API tokens: create (shown once), list, revoke."""


@token.command("create")
@click.argument("name")
@click.option("--label", default="cli", show_default=True, help="What the token is for.")
@click.pass_obj
def token_create(ctx: Any, name: str, label: str) -> None:
    """Create an API token for a user and print it, once."""
    from broadsheet.accounts.access import issue_token
    from broadsheet.store.audit import record_action

    db = ctx.db()
    user = _user(db, name)
    secret, token_id = issue_token(db, user, label)
    record_action(db, None, "token.create", str(token_id), owner=user.name, via="cli")
    click.echo(f"token {token_id} for {user.name} (shown only now):", err=True)
    click.echo(secret)


@token.command("list")
@click.argument("name", required=False)
@click.pass_obj
def token_list(ctx: Any, name: str | None) -> None:
    """List tokens (never their values), of one user or everyone."""
    from broadsheet.store.tokens import list_tokens

    db = ctx.db()
    user_id = _user(db, name).id if name else None
    for t in list_tokens(db, user_id):
        state = f"revoked {t.revoked:%Y-%m-%d}" if t.revoked else "live"
        used = f"{t.last_used:%Y-%m-%d %H:%M}" if t.last_used else "never"
        click.echo(f"{t.id}\t{t.user_name}\t{t.kind}\t{t.name}\t{t.prefix}…\t{state}\t"
                   f"last used {used}")


@token.command("revoke")
@click.argument("token_id", type=int)
@click.pass_obj
def token_revoke(ctx: Any, token_id: int) -> None:
    """Revoke a token by its id."""
    from broadsheet.store.audit import record_action
    from broadsheet.store.tokens import revoke_token

    db = ctx.db()
    try:
        revoke_token(db, token_id)
    except BroadsheetError as error:
        raise _fail(error) from None
    record_action(db, None, "token.revoke", str(token_id), via="cli")
    click.echo(f"revoked token {token_id}")
