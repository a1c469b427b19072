"""The storage seam itself: the SQLite-to-PostgreSQL rewrite, URL redaction, and versioned
migrations (idempotent, concurrent, on old SQLite files) on both backends."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import psycopg
import pytest

from core.errors import InvalidArgumentError
from integrations.chat.settings import load_settings
from integrations.chat.store import AccountStore
from integrations.storage.sql import (
    Migration,
    PostgresDatabase,
    SqliteDatabase,
    migrate,
    open_database,
    redact,
    to_postgres,
)
from tests.services.conftest import Location

STEPS = (
    Migration(1, ("CREATE TABLE IF NOT EXISTS things (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                  "name TEXT NOT NULL UNIQUE, weight REAL NOT NULL)",)),
    Migration(2, ("CREATE INDEX IF NOT EXISTS things_weight ON things (weight)",)),
)  # fmt: skip


@pytest.mark.parametrize(
    ("sqlite", "postgres"),
    [
        ("SELECT a FROM t WHERE b = ? AND c > ?", "SELECT a FROM t WHERE b = %s AND c > %s"),
        ("INSERT OR IGNORE INTO t VALUES (?, ?)", "INSERT INTO t VALUES (%s, %s) ON CONFLICT DO NOTHING"),
        ("CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, ts REAL NOT NULL)",
         "CREATE TABLE t (id BIGSERIAL PRIMARY KEY, ts DOUBLE PRECISION NOT NULL)"),
        ("SELECT substr(u, instr(u, ':') + 1) FROM t", "SELECT substr(u, strpos(u, ':') + 1) FROM t"),
        ("DELETE FROM t WHERE rowid = (SELECT MAX(rowid) FROM t)",
         "DELETE FROM t WHERE ctid = (SELECT MAX(ctid) FROM t)"),
        ("INSERT INTO w VALUES (?,'?',0,'50% REAL')", "INSERT INTO w VALUES (%s,'?',0,'50% REAL')"),
        ("SELECT 'it''s ?', ? FROM t WHERE x LIKE '%a'", "SELECT 'it''s ?', %s FROM t WHERE x LIKE '%a'"),
        ("SELECT 5 % 2, ?", "SELECT 5 %% 2, %s"),
    ],
)  # fmt: skip
def test_statements_are_rewritten_for_postgres_outside_quoted_literals(sqlite, postgres):
    assert to_postgres(sqlite) == postgres


@pytest.mark.parametrize(
    "sql", ["INSERT OR REPLACE INTO t VALUES (?)", "PRAGMA table_info(t)", "BEGIN IMMEDIATE"]
)
def test_sqlite_only_statements_without_a_rewrite_are_refused(sql):
    with pytest.raises(ValueError, match="write it portably"):
        to_postgres(sql)


def test_a_password_in_a_url_is_redacted_and_nothing_else_changes():
    assert redact("postgresql://app:s3cret@db:5432/whispr") == "postgresql://app:***@db:5432/whispr"
    assert redact("redis://:hunter2@cache:6379/0") == "redis://:***@cache:6379/0"
    assert redact("postgresql://root@127.0.0.1/test") == "postgresql://root@127.0.0.1/test"


def _open(location: Location) -> SqliteDatabase | PostgresDatabase:
    where = location("things.sqlite")
    if isinstance(where, Path):
        return SqliteDatabase(where, name="things")
    return PostgresDatabase(where, name="things")


def test_migrations_apply_once_in_version_order_and_are_recorded(location: Location):
    db = _open(location)
    assert migrate(db, "things", STEPS[:1]) == [1]
    assert migrate(db, "things", STEPS) == [2]
    assert migrate(db, "things", STEPS) == []
    rows = db.rows("SELECT component, version FROM schema_migrations ORDER BY version")
    assert rows == [("things", 1), ("things", 2)]
    new = db.insert("INSERT INTO things (name, weight) VALUES (?, ?)", ("a", 1.5))
    assert db.rows("SELECT id, weight FROM things") == [(new, 1.5)]


def test_four_connections_migrating_at_once_apply_each_version_once(location: Location):
    """As several worker processes starting together: each has its own connection."""
    databases = [_open(location) for _ in range(4)]
    barrier = threading.Barrier(len(databases))
    applied: list[list[int]] = []
    errors: list[BaseException] = []

    def start(db) -> None:
        barrier.wait()
        try:
            applied.append(migrate(db, "things", STEPS))
        except BaseException as exc:  # reported below: a race shows up as a failed start
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(db,)) for db in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(applied) == [[], [], [], [1, 2]]
    assert databases[0].rows("SELECT COUNT(*) FROM schema_migrations") == [(2,)]


def test_an_accounts_file_made_before_migrations_keeps_its_rows(tmp_path: Path):
    path = tmp_path / "accounts.sqlite"
    with sqlite3.connect(path) as old:
        old.execute(
            "CREATE TABLE users (username TEXT PRIMARY KEY, password_hash TEXT NOT NULL, "
            "role TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)"
        )
        old.execute("INSERT INTO users VALUES ('old', 'x', 'trader', 0, 1.0)")
    store = AccountStore(path)
    assert [u.username for u in store.users()] == ["old"]
    assert store.db.rows("SELECT component, version FROM schema_migrations") == [("accounts", 1)]
    AccountStore(path)  # a restart applies nothing more
    assert store.db.rows("SELECT COUNT(*) FROM schema_migrations") == [(1,)]


def test_an_atomic_block_that_raises_leaves_nothing_behind(location: Location):
    db = open_database(location("things.sqlite"), "things", STEPS)
    with pytest.raises(RuntimeError), db.atomic() as tx:
        tx.execute("INSERT INTO things (name, weight) VALUES (?, ?)", ("gone", 1.0))
        raise RuntimeError("stop")
    assert db.rows("SELECT COUNT(*) FROM things") == [(0,)]


def test_postgres_text_keeps_what_postgres_can_hold_and_replaces_nul(pg_url: str):
    db = open_database(pg_url, "things", STEPS)
    db.run("INSERT INTO things (name, weight) VALUES (?, ?)", ("a\x00b ünï 😀", 2.0))
    assert db.rows("SELECT name FROM things") == [("a\ufffdb ünï 😀",)]


def test_a_dropped_postgres_connection_is_opened_again_on_the_next_call(pg_url: str):
    db = open_database(pg_url, "things", STEPS)
    pid = db.rows("SELECT pg_backend_pid()")[0][0]
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises(psycopg.OperationalError):
        db.rows("SELECT 1")  # the statement in flight fails; it is not retried
    assert db.rows("SELECT COUNT(*) FROM things") == [(0,)]
    db.ping()


def test_settings_take_the_urls_from_the_environment_and_never_show_a_password(tmp_path: Path):
    env = {"WHISPR_HOME": str(tmp_path)}
    embedded = load_settings(env)
    assert embedded.database_url is None and embedded.redis_url is None
    assert embedded.accounts_location == tmp_path / "accounts.sqlite"
    assert embedded.store_location("alerts.sqlite") == tmp_path / "alerts.sqlite"
    shared = load_settings(
        env
        | {
            "WHISPR_DATABASE_URL": " postgresql://app:s3cret@db/whispr ",
            "WHISPR_REDIS_URL": "redis://:hunter2@cache:6379/0",
        }
    )
    assert shared.accounts_location == shared.store_location("alerts.sqlite")
    assert shared.accounts_location == "postgresql://app:s3cret@db/whispr"
    shown = repr(shared) + shared.storage_summary()
    assert "s3cret" not in shown and "hunter2" not in shown and "app:***@db" in shown
    with pytest.raises(InvalidArgumentError, match="WHISPR_DATABASE_URL must start with") as exc:
        load_settings(env | {"WHISPR_DATABASE_URL": "mysql://app:s3cret@db/whispr"})
    assert "s3cret" not in str(exc.value)
    with pytest.raises(InvalidArgumentError, match="WHISPR_REDIS_URL"):
        load_settings(env | {"WHISPR_REDIS_URL": "localhost:6379"})
