"""Accounts: hashing, the login throttle, tokens, and the ``broadsheet users`` commands."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from broadsheet.accounts import access, auth
from broadsheet.accounts.users import change_role, delete_account, set_api_password
from broadsheet.errors import AccountError
from broadsheet.store import tokens as token_store
from broadsheet.store import users as user_store
from tests.webserver import make_token, make_user


def test_passwords_are_argon2id_and_checked_in_constant_time_helpers():
    stored = auth.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert auth.verify_password(stored, "correct horse battery")
    assert not auth.verify_password(stored, "wrong")
    assert not auth.verify_password(None, "not a password of anyone")
    assert auth.same("abc", "abc") and not auth.same("abc", "abd") and not auth.same(None, None)


def test_lock_grows_with_failures():
    delays = [auth.lock_seconds(n) for n in range(1, 9)]
    assert delays[:2] == [0, 0] and delays[2:] == [1, 2, 4, 8, 16, 32]
    assert auth.lock_seconds(100) == auth.MAX_LOCK_SECONDS


def test_login_throttle_locks_account_and_address(db):
    make_user(db, "alice", "admin")
    for _ in range(3):
        with pytest.raises(access.LoginRefused):
            access.check_password_login(db, "alice", "bad guess", "192.0.2.1")
    with pytest.raises(access.LoginRefused) as refused:  # right password, but locked
        access.check_password_login(db, "alice", "correct horse battery", "192.0.2.7")
    assert refused.value.retry_after and refused.value.retry_after >= 1
    with pytest.raises(access.LoginRefused):  # the address is locked for other names too
        access.check_password_login(db, "bob", "whatever", "192.0.2.1")
    user_store.clear_failures(db, ["user:alice", "addr:192.0.2.7"])
    assert access.check_password_login(db, "alice", "correct horse battery", "192.0.2.7").name \
        == "alice"


def test_lock_durations_grow(db):
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    locks = [user_store.record_failure(db, ["user:x"], auth.lock_seconds, now) - now
             for _ in range(6)]
    assert [s.total_seconds() for s in locks] == [0, 0, 1, 2, 4, 8]


def test_tokens_are_stored_hashed_and_revocable(db):
    user = make_user(db, "tess", "editor")
    token = make_token(db, user)
    assert token.startswith("bs_") and len(token) > 40
    from broadsheet.store.schema import api_tokens

    with db.begin() as connection:
        stored = connection.execute(api_tokens.select()).one()
    assert token not in (stored.token_hash, stored.prefix) and stored.token_hash == \
        auth.digest(token)
    assert access.user_for_token(db, token).name == "tess"
    token_store.revoke_token(db, stored.id)
    assert access.user_for_token(db, token) is None
    with pytest.raises(AccountError):
        token_store.revoke_token(db, stored.id)


def test_api_password_is_separate_from_the_account_password(db):
    user = make_user(db, "fay", "reader")
    set_api_password(db, user, "an api password")
    key = auth.fever_key("fay", "an api password")
    assert user_store.user_by_fever_key(db, auth.digest(key)).name == "fay"
    assert user_store.user_by_fever_key(db, auth.digest(auth.fever_key(
        "fay", "correct horse battery"))) is None
    with pytest.raises(access.LoginRefused):
        access.check_password_login(db, "fay", "correct horse battery", "198.51.100.1",
                                    api_password=True)
    assert access.check_password_login(db, "fay", "an api password", "198.51.100.1",
                                       api_password=True).id == user.id


def test_last_admin_is_kept(db):
    admin = make_user(db, "root", "admin")
    with pytest.raises(AccountError):
        change_role(db, admin, "editor")
    with pytest.raises(AccountError):
        delete_account(db, admin)
    with pytest.raises(AccountError):
        make_user(db, "root", "reader")
    with pytest.raises(AccountError):
        make_user(db, "short", "reader", password="short")


def test_cli_creates_the_first_admin_and_manages_tokens(tmp_path, monkeypatch):
    from broadsheet.cli import cli

    secret = tmp_path / "password"
    secret.write_text("a long admin password\n")
    monkeypatch.setenv("BROADSHEET_ADMIN_PASSWORD_FILE", str(secret))
    home = ["--home", str(tmp_path / "home")]
    runner = CliRunner()
    created = runner.invoke(cli, [*home, "users", "create", "boss", "--admin"])
    assert created.exit_code == 0, created.output
    assert "created admin boss" in created.output
    made = runner.invoke(cli, [*home, "users", "token", "create", "boss", "--label", "ci"])
    assert made.exit_code == 0, made.output
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("bs_")
    listed = runner.invoke(cli, [*home, "users", "token", "list"])
    assert "boss" in listed.output and token not in listed.output and "live" in listed.output
    revoked = runner.invoke(cli, [*home, "users", "token", "revoke", "1"])
    assert revoked.exit_code == 0 and "revoked" in runner.invoke(
        cli, [*home, "users", "token", "list"]).output
    again = runner.invoke(cli, [*home, "users", "create", "boss", "--editor"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_cli_prompts_for_the_password(tmp_path, monkeypatch):
    from broadsheet.cli import cli

    monkeypatch.delenv("BROADSHEET_ADMIN_PASSWORD_FILE", raising=False)
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "users", "create", "ann",
                                      "--editor"], input="typed password\ntyped password\n")
    assert result.exit_code == 0, result.output
    assert "created editor ann" in result.output


def test_login_attempts_racing_each_other_are_each_counted_before_checking(db):
    from concurrent.futures import ThreadPoolExecutor

    keys = ["user:racer", "addr:192.0.2.50"]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(
            lambda _: user_store.record_attempt(db, keys, auth.lock_seconds), range(16)))
    # Each attempt saw the ones committed before it: the first few found no lock, every
    # later one found the lock those left, so none of them would be hashed.
    assert sum(1 for already, _ in results if already is None) == auth.FREE_FAILURES
    with db.begin() as connection:
        from broadsheet.store.schema import login_throttle

        counts = dict(connection.execute(
            login_throttle.select().with_only_columns(login_throttle.c.key,
                                                      login_throttle.c.failures)).all())
    assert counts == {key: 16 for key in keys}
