"""GDPR: ``whispr users export`` holds everything of one user and nothing of another;
``whispr users delete --purge`` leaves nothing of theirs in any store and others' data intact;
``whispr users delete`` without ``--purge`` removes the account and keeps the audit log."""

from __future__ import annotations

import io
import json
import sqlite3
import stat
from pathlib import Path

import pytest

from integrations.cli import main
from tests.integrations.homes import fill, open_stores


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A home where alice and bob have data in every store, set as ``WHISPR_HOME``."""
    home = tmp_path / "home"
    fill(home)
    monkeypatch.setenv("WHISPR_HOME", str(home))
    return home


def _rows_of(db: Path, name: str) -> dict[str, int]:
    """Return, per table of ``db``, the rows whose any text column mentions ``name``."""
    out = {}
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            where = " OR ".join(f"CAST({c} AS TEXT) LIKE ?" for c in columns)
            count = conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE {where}", [f"%{name}%"] * len(columns)
            ).fetchone()[0]
            if count:
                out[table] = count
    return out


def test_export_holds_the_users_data_and_no_one_elses(home, tmp_path, capsys):
    _, secret = open_stores(home).accounts.new_token("alice", "second")
    out = tmp_path / "alice.json"
    assert main(["users", "export", "alice", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    text = out.read_text()
    data = json.loads(text)
    assert data["account"]["username"] == "alice" and data["account"]["role"] == "trader"
    assert data["account"]["identities"] == [{"channel": "slack", "external_id": "UALICE"}]
    assert {t["name"] for t in data["account"]["tokens"]} == {"alice-laptop", "second"}
    assert secret not in text and "password" not in text and "digest" not in text
    assert {e["username"] for e in data["audit"]} == {"alice"} and data["audit"]
    (thread,) = data["transcripts"]
    assert thread["thread_id"] == "alice-t1"
    assert [m["text"] for m in thread["messages"]][0] == "SPX day levels"
    assert [n["message"] for n in data["notifications"]] == ["alice's alert fired"]
    assert data["turns"]
    assert [a["rule_id"] for a in data["alerts"]] == ["a-alice"]
    assert [f["message"] for f in data["firings"]] == ["alice fired"]
    assert [s["name"] for s in data["strategies"]] == ["alice trigger long"]
    assert [m["text"] for m in data["memory"]] == ["alice trades SPX 0DTE"]
    assert data["threads"] == ["alice/alice-t1"]
    assert data["charts"] == ["alice-levels.png"]
    assert "bob" not in text.lower()


def test_export_to_standard_output_and_of_an_unknown_user(home, capsys):
    assert main(["users", "export", "bob"]) == 0
    assert json.loads(capsys.readouterr().out)["username"] == "bob"
    assert main(["users", "export", "carol"]) == 2
    assert "no user 'carol'" in capsys.readouterr().err


def _bob_is_intact(home: Path) -> None:
    s = open_stores(home)
    assert s.accounts.get("bob") is not None and s.accounts.tokens("bob")
    assert s.activity.audit_log("bob") and s.activity.messages("bob", "bob-t1")
    assert [a.rule.rule_id for a in s.alerts.alerts("bob")] == ["a-bob"]
    assert s.alerts.fired("2024-01-02") == {"a-bob"}
    assert [x.name for x in s.strategies.list("bob")] == ["bob trigger long"]
    assert len(s.vectors.items("strategies", "bob")) == 1
    assert [t for _, t in s.memory.list("bob")] == ["bob trades SPX 0DTE"]
    assert s.thread("bob/bob-t1") is not None
    assert (home / "charts" / "users" / "bob" / "bob-levels.png").is_file()


def test_purge_leaves_nothing_of_the_user_in_any_store(home, capsys):
    assert main(["users", "delete", "alice", "--purge", "--yes"]) == 0
    assert "purged alice" in capsys.readouterr().out
    for db in ("accounts.sqlite", "alerts.sqlite", "whispr.sqlite", "threads.sqlite"):
        assert _rows_of(home / db, "alice") == {}, db
    s = open_stores(home)
    assert s.accounts.get("alice") is None and s.accounts.user_for("slack", "UALICE") is None
    assert s.activity.audit_log("alice") == [] and s.activity.threads("alice") == []
    assert s.alerts.alerts("alice") == [] and s.strategies.list("alice") == []
    for collection in ("strategies", "user_context"):
        assert s.vectors.items(collection, "alice") == [], collection
    assert s.vectors.search("strategies", "alice trigger long", "bob", k=5)[0].id.startswith("bob")
    assert s.thread("alice/alice-t1") is None
    assert not (home / "charts" / "users" / "alice").exists()
    _bob_is_intact(home)


def test_purge_asks_first(home, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO("no\n"))
    assert main(["users", "delete", "alice", "--purge"]) == 1
    assert "cancelled" in capsys.readouterr().out
    assert open_stores(home).accounts.get("alice") is not None
    monkeypatch.setattr("sys.stdin", io.StringIO("alice\n"))
    assert main(["users", "delete", "alice", "--purge"]) == 0
    assert open_stores(home).accounts.get("alice") is None


def test_delete_without_purge_removes_the_account_and_keeps_the_audit(home, capsys):
    assert main(["users", "delete", "alice", "--yes"]) == 0
    assert "their audit log, transcripts" in capsys.readouterr().out
    s = open_stores(home)
    assert s.accounts.get("alice") is None and s.accounts.tokens("alice") == []
    assert s.accounts.user_for("slack", "UALICE") is None
    events = [e.event for e in s.activity.audit_log("alice")]
    assert events[0] == "account_deleted" and len(events) > 1
    assert [x.name for x in s.strategies.list("alice")] == ["alice trigger long"]
    # her alerts are kept but paused: nothing fires for a deleted account; bob's stay live
    assert s.alerts.alerts("alice") and all(a.paused for a in s.alerts.alerts("alice"))
    assert not any(a.paused for a in s.alerts.alerts("bob"))
    # what is left can still be exported, and purged later
    assert main(["users", "export", "alice"]) == 0
    assert json.loads(capsys.readouterr().out)["account"] is None
    assert main(["users", "delete", "alice", "--purge", "--yes"]) == 0
    assert _rows_of(home / "accounts.sqlite", "alice") == {}
    _bob_is_intact(home)
