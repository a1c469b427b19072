"""Durability after a crash or restart (issue #12, defect 9): a strategy committed to SQLite but
not indexed is found by search after a restart, and a Slack retry delivered after a restart is
recognised as already handled."""

from __future__ import annotations

from core.strategies import builtin_strategies
from integrations.chat.activity import ActivityStore
from integrations.storage.strategies import SqliteStrategyStore
from integrations.storage.vectors import VectorStore, make_client


def test_a_strategy_saved_but_not_indexed_is_indexed_at_start(tmp_path):
    spec = next(s for s in builtin_strategies() if s.name == "Vomy").model_copy(
        update={"name": "Quiet squeeze fade", "spec_id": "fade1"}
    )
    # the crash: the SQLite commit happened, the index write never did
    SqliteStrategyStore(tmp_path / "whispr.sqlite").save("alice", spec)
    vectors = VectorStore(make_client(tmp_path / "chroma"))
    assert vectors.items("strategies", "alice") == []
    store = SqliteStrategyStore(tmp_path / "whispr.sqlite", vectors)  # the restart
    hits = store.search("alice", "quiet squeeze fade", k=1)
    assert [s.name for s, _ in hits] == ["Quiet squeeze fade"]
    assert store.reconcile() == 0  # nothing left to add


def test_delivery_ids_survive_a_restart(tmp_path):
    first = ActivityStore(tmp_path / "activity.sqlite")
    assert first.first_delivery("slack", "Ev001") is True
    assert first.first_delivery("slack", "Ev001") is False
    restarted = ActivityStore(tmp_path / "activity.sqlite")
    assert restarted.first_delivery("slack", "Ev001") is False
    assert restarted.first_delivery("discord", "Ev001") is True
