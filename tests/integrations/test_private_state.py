"""State files are private: the home folder is 0700 and every SQLite store in it 0600 (their
journal files take the database's mode), also when the files existed with looser modes."""

from __future__ import annotations

import stat

from assistant.service import sqlite_checkpointer
from integrations.alerts.store import SqliteAlertStore
from integrations.chat.accounts import Role
from integrations.chat.store import AccountStore
from integrations.storage.strategies import SqliteStrategyStore


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_stores_are_created_owner_only(tmp_path):
    home = tmp_path / "home"
    AccountStore(home / "accounts.sqlite").add_user("alice", "a long password", Role.TRADER)
    SqliteAlertStore(home / "alerts.sqlite")
    SqliteStrategyStore(home / "whispr.sqlite")
    sqlite_checkpointer(home / "threads.sqlite")
    assert _mode(home) == 0o700
    for name in ("accounts.sqlite", "alerts.sqlite", "whispr.sqlite", "threads.sqlite"):
        assert _mode(home / name) == 0o600, name


def test_a_store_made_world_readable_earlier_is_tightened(tmp_path):
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    loose = home / "alerts.sqlite"
    loose.touch(mode=0o644)
    loose.chmod(0o644)
    SqliteAlertStore(loose)
    assert (_mode(home), _mode(loose)) == (0o700, 0o600)
