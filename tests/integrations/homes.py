"""A state folder filled through the real stores: two users, each with an account and API
token, an audited chat turn (transcript and checkpointed thread), an alert with a firing, a
strategy, a remembered fact and a chart. Used by the backup and GDPR tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from chromadb.api.shared_system_client import SharedSystemClient

from assistant.providers.registry import build_model
from assistant.service import sqlite_checkpointer
from core.alerts import AlertRule
from core.spec import Exits, LevelCross, StrategySpec
from integrations.alerts.store import SqliteAlertStore
from integrations.chat.accounts import Role
from integrations.chat.activity import ActivityStore
from integrations.chat.service import ChatService
from integrations.chat.settings import ChannelSettings
from integrations.chat.setup import build_service
from integrations.chat.store import AccountStore
from integrations.marketdata.files import FileSource, samples_dir
from integrations.storage.memory import VectorMemory
from integrations.storage.strategies import SqliteStrategyStore
from integrations.storage.vectors import VectorStore, make_client

PASSWORD = "correct horse battery"


@dataclass
class Stores:
    """Every store of one home, opened afresh."""

    accounts: AccountStore
    activity: ActivityStore
    alerts: SqliteAlertStore
    strategies: SqliteStrategyStore
    memory: VectorMemory
    vectors: VectorStore
    home: Path

    def thread(self, thread_id: str) -> object:
        """Return the checkpoint of ``thread_id`` (None when there is none)."""
        saver = sqlite_checkpointer(self.home / "threads.sqlite")
        return saver.get_tuple({"configurable": {"thread_id": thread_id}})


def open_stores(home: Path) -> Stores:
    """Open every store of ``home``; Chroma's per-path client cache is dropped first, so a
    folder replaced on disk (restored, wiped) is read anew."""
    SharedSystemClient.clear_system_cache()
    vectors = VectorStore(make_client(home / "chroma"))
    return Stores(
        AccountStore(home / "accounts.sqlite"),
        ActivityStore(home / "accounts.sqlite"),
        SqliteAlertStore(home / "alerts.sqlite"),
        SqliteStrategyStore(home / "whispr.sqlite", vectors),
        VectorMemory(vectors),
        vectors,
        home,
    )


def _service(stores: Stores) -> ChatService:
    settings = ChannelSettings(home=stores.home, provider="offline")
    services = {"alerts": stores.alerts, "strategies": stores.strategies, "memory": stores.memory}
    return build_service(
        settings, source=FileSource(samples_dir()), services=services, model=build_model("offline")
    )


def fill(home: Path, names: tuple[str, ...] = ("alice", "bob")) -> Stores:
    """Give each of ``names`` data in every store of ``home``; return the open stores."""
    stores = open_stores(home)
    service = _service(stores)
    for name in names:
        user = stores.accounts.add_user(name, PASSWORD, Role.TRADER)
        stores.accounts.new_token(name, f"{name}-laptop")
        stores.accounts.link(name, "slack", f"U{name.upper()}")
        reply = service.respond(user, "web", "SPX day levels", f"{name}-t1")
        assert reply.status == "ok", reply.text
        rule = AlertRule(
            rule_id=f"a-{name}", owner=name, destination=f"web:{name}", symbol="SPY",
            level="+0.236", direction="up",
        )  # fmt: skip
        stores.alerts.add(rule)
        stores.alerts.record(rule.rule_id, "2024-01-02", "10:00", 470.0, 469.5, f"{name} fired")
        stores.activity.add_notification(name, f"{name}'s alert fired")
        spec = StrategySpec(
            name=f"{name} trigger long", entry=[LevelCross(level="+0.236")], exit=Exits()
        )
        stores.strategies.save(name, spec)
        stores.memory.add(name, f"{name} trades SPX 0DTE")
        charts = home / "charts" / "users" / name
        charts.mkdir(parents=True, exist_ok=True)
        (charts / f"{name}-levels.png").write_bytes(b"\x89PNG fake " + name.encode())
    return stores
