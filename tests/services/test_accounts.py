"""The account store on both backends: users, logins and their lockout, sessions, API tokens,
chat identities and deletion (on PostgreSQL, each test in its own schema)."""

from __future__ import annotations

import threading

import pytest

from core.errors import InvalidArgumentError
from integrations.chat.accounts import AuthError, Role
from integrations.chat.store import LOGIN_FAILURES, AccountStore
from tests.services.conftest import Location

PASSWORD = "correct horse battery"


@pytest.fixture
def accounts(location: Location) -> AccountStore:
    store = AccountStore(location("accounts.sqlite"))
    store.add_user("alice", PASSWORD, Role.TRADER)
    return store


def test_users_are_created_listed_and_authenticated(accounts: AccountStore):
    accounts.add_user("Bob", PASSWORD, Role.ADMIN)
    assert [(u.username, u.role) for u in accounts.users()] == [
        ("alice", Role.TRADER),
        ("bob", Role.ADMIN),
    ]
    assert accounts.count() == 2
    assert accounts.authenticate(" ALICE ", PASSWORD).username == "alice"
    with pytest.raises(InvalidArgumentError, match="already exists"):
        accounts.add_user("alice", PASSWORD, Role.TRADER)
    with pytest.raises(AuthError, match="wrong username or password"):
        accounts.authenticate("alice", "not the password")
    with pytest.raises(AuthError, match="wrong username or password"):
        accounts.authenticate("nobody", PASSWORD)
    assert accounts.set_role("alice", Role.VIEWER) and accounts.get("alice").role == Role.VIEWER
    assert accounts.set_disabled("alice", True)
    with pytest.raises(AuthError, match="wrong username or password"):
        accounts.authenticate("alice", PASSWORD)


def test_a_success_clears_the_failures_and_the_limit_locks_the_user_out(accounts: AccountStore):
    limit, _ = LOGIN_FAILURES
    for _ in range(limit - 1):
        with pytest.raises(AuthError):
            accounts.authenticate("alice", "wrong", client="10.0.0.1")
    accounts.authenticate("alice", PASSWORD, client="10.0.0.1")
    assert accounts.account("alice")["failed_logins"] == []
    for _ in range(limit):
        with pytest.raises(AuthError, match="wrong username or password"):
            accounts.authenticate("alice", "wrong")
    with pytest.raises(AuthError, match="too many failed logins for this user"):
        accounts.authenticate("alice", PASSWORD)


def test_parallel_wrong_passwords_from_several_workers_never_pass_the_lockout(
    location: Location, accounts: AccountStore
):
    workers = [AccountStore(location("accounts.sqlite")) for _ in range(4)]  # own connections
    answers: list[str] = []
    barrier = threading.Barrier(16)

    def guess(i: int) -> None:
        barrier.wait()
        try:
            workers[i % 4].authenticate("alice", f"wrong guess {i}")
        except AuthError as exc:
            answers.append(str(exc))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 16
    assert sum(a == "wrong username or password" for a in answers) == LOGIN_FAILURES[0]
    with pytest.raises(AuthError, match="too many failed logins"):
        accounts.authenticate("alice", PASSWORD)


def test_sessions_start_resolve_and_end(accounts: AccountStore):
    secret = accounts.new_session("alice", 3600)
    assert accounts.session_user(secret).username == "alice"
    expired = accounts.new_session("alice", -1)
    with pytest.raises(AuthError, match="expired"):
        accounts.session_user(expired)
    accounts.end_session(secret)
    with pytest.raises(AuthError):
        accounts.session_user(secret)
    other = accounts.new_session("alice", 3600)
    accounts.set_password("alice", "another good password")
    with pytest.raises(AuthError):
        accounts.session_user(other)


def test_tokens_are_stored_as_digests_resolved_listed_and_revoked(accounts: AccountStore):
    info, secret = accounts.new_token("alice", "laptop")
    assert accounts.token_user(secret).username == "alice"
    assert accounts.db.rows("SELECT COUNT(*) FROM tokens WHERE digest = ?", (secret,)) == [(0,)]
    (listed,) = accounts.tokens("alice")
    assert (listed.id, listed.name, listed.revoked) == (info.id, "laptop", None)
    assert listed.last_used is not None
    assert not accounts.revoke_token(info.id, "bob")  # only the owner (or an admin)
    assert accounts.revoke_token(info.id, "alice")
    with pytest.raises(AuthError, match="revoked"):
        accounts.token_user(secret)


def test_identities_map_one_chat_user_and_a_relink_replaces_it(accounts: AccountStore):
    accounts.add_user("bob", PASSWORD, Role.TRADER)
    accounts.link("alice", "slack", "U1")
    accounts.link("bob", "slack", "U1")
    assert accounts.identities("alice") == [] and accounts.identities("bob") == [("slack", "U1")]
    assert accounts.user_for("slack", "U1").username == "bob"
    assert accounts.unlink("slack", "U1") and accounts.user_for("slack", "U1") is None


def test_deleting_a_user_removes_their_account_rows_in_one_step(accounts: AccountStore):
    accounts.link("alice", "discord", "D1")
    accounts.new_session("alice", 3600)
    accounts.new_token("alice", "t")
    with pytest.raises(AuthError):
        accounts.authenticate("alice", "wrong")
    assert accounts.account("alice")["failed_logins"]
    assert accounts.delete_user("alice")
    assert accounts.account("alice") is None and accounts.get("alice") is None
    for table in ("identities", "sessions", "tokens", "login_failures"):
        assert accounts.db.rows(f"SELECT COUNT(*) FROM {table}") == [(0,)], table
    assert not accounts.delete_user("alice")
