"""The alert, watch and briefing stores on both backends: their rules, and the steps recorded
once (a firing per rule and session, a paper trade's signal, a briefing per session) also when
several workers record the same thing at once."""

from __future__ import annotations

from core.alerts import AlertRule
from core.strategies import builtin_strategies
from integrations.alerts.briefings import SqliteBriefingStore
from integrations.alerts.store import SqliteAlertStore
from integrations.alerts.watchstore import SqliteWatchStore
from tests.concurrency import together
from tests.services.conftest import Location


def _rule(rule_id: str, owner: str = "alice") -> AlertRule:
    return AlertRule(
        rule_id=rule_id, owner=owner, destination="web:alice", symbol="SPY", level="+0.236",
        direction="up",
    )  # fmt: skip


def test_alerts_are_added_replaced_filtered_paused_and_deleted(location: Location):
    store = SqliteAlertStore(location("alerts.sqlite"))
    store.add(_rule("r1"))
    store.add(_rule("r2", owner="bob"))
    assert store.set_paused("alice", "r1", True)
    store.add(_rule("r1"), ribbon="bullish", window=("09:30", "11:00"))  # replaces, unpaused
    (mine,) = store.alerts("alice")
    assert (mine.ribbon, mine.paused, mine.window) == ("bullish", False, ("09:30", "11:00"))
    assert store.set_filters("alice", "r1", ribbon=None, window=None)
    assert store.alerts("alice")[0].window is None and store.alerts("alice")[0].ribbon is None
    assert not store.set_paused("alice", "r2", True)  # bob's
    assert store.set_paused("bob", "r2", True)
    assert [a.rule.rule_id for a in store.alerts(active_only=True)] == ["r1"]
    assert not store.delete("alice", "r2") and store.delete("bob", "r2")
    assert [a.rule.rule_id for a in store.alerts()] == ["r1"]


def test_a_firing_is_recorded_once_delivered_and_purged(location: Location):
    store = SqliteAlertStore(location("alerts.sqlite"))
    store.add(_rule("r1"))
    assert store.record("r1", "2026-02-10", "2026-02-10T10:00", 601.5, 601.2, "SPY up")
    assert not store.record("r1", "2026-02-10", "2026-02-10T11:00", 602.0, 601.2, "again")
    rows = [("r1", "2026-02-10", "t", 1.0, 1.0, "dup"), ("r1", "2026-02-11", "t", 1.0, 1.0, "new")]
    assert store.record_many(rows) == 1
    assert store.fired("2026-02-10") == {"r1"} and store.fired("2026-02-12") == set()
    assert [p.session for p in store.pending()] == ["2026-02-10", "2026-02-11"]
    store.mark("r1", "2026-02-10", "slack down")
    assert store.pending()[0].attempts == 1
    store.mark("r1", "2026-02-10", None)
    assert [p.session for p in store.pending()] == ["2026-02-11"]
    history = store.history("alice", "r1")
    assert [(h["session"], h["delivered"]) for h in history] == [
        ("2026-02-11", False),
        ("2026-02-10", True),
    ]
    assert store.history("bob", "r1") == []
    records = store.owner_records("alice")
    assert records["alerts"][0]["rule_id"] == "r1" and len(records["firings"]) == 2
    assert records["firings"][0]["message"] == "SPY up"
    assert store.purge_owner("alice") == 3 and store.alerts() == []


def test_workers_seeing_the_same_crossing_record_one_firing(location: Location):
    workers = [SqliteAlertStore(location("alerts.sqlite")) for _ in range(4)]
    workers[0].add(_rule("r1"))
    new = together(8, lambda i: workers[i % 4].record("r1", "s1", f"t{i}", 1.0, 1.0, f"m{i}"))
    assert sorted(new) == [False] * 7 + [True]
    assert len(workers[0].pending()) == 1


def _watches(location: Location) -> tuple[SqliteWatchStore, object]:
    store = SqliteWatchStore(location("watches.sqlite"))
    spec = next(s for s in builtin_strategies("SPY") if s.name == "Call trigger to midrange")
    store.add("w1", "alice", "web:alice", "SPY", spec)
    return store, spec


TRADE = {"entry_time": "2026-02-18T10:05:00-05:00", "side": "long", "qty": 1,
         "entry_price": 690.5, "stop": 689.0, "exit_time": "2026-02-18T11:00:00-05:00",
         "exit_price": 692.0, "reason": "target", "pnl": 1.5, "r_multiple": 1.0}  # fmt: skip


def test_watches_are_added_started_once_paused_and_deleted(location: Location):
    store, spec = _watches(location)
    (watch,) = store.watches("alice")
    assert (watch.symbol, watch.spec.name) == ("SPY", spec.name)
    assert (watch.start, watch.paused) == ("", False)
    store.start("w1", "2026-02-10T09:30", "2026-02-18T10:00")
    store.start("w1", "later", "later")  # set once
    assert store.watches()[0].start == "2026-02-18T10:00"
    assert store.set_paused("alice", "w1", True) and store.watches(active_only=True) == []
    store.add("w1", "alice", "web:alice", "SPY", spec)  # replaces: unpaused, not started
    assert store.watches()[0].start == "" and not store.watches()[0].paused
    assert not store.delete("bob", "w1") and store.delete("alice", "w1")


def test_a_paper_trade_and_its_signals_are_recorded_once(location: Location):
    store, _ = _watches(location)
    watch = store.watches()[0]
    assert store.record_entry(watch, TRADE, "entered")
    assert not store.record_entry(watch, TRADE, "entered again")
    assert store.record_exit(watch, TRADE, "exited")
    assert not store.record_exit(watch, TRADE, "exited again")
    (trade,) = store.journal("alice")
    assert (trade["entry_price"], trade["exit_price"], trade["reason"]) == (690.5, 692.0, "target")
    pending = store.pending()
    assert [p.message for p in pending] == ["entered", "exited"]
    store.mark("w1", pending[0].session, None)
    assert [p.message for p in store.pending()] == ["exited"]
    records = store.owner_records("alice")
    assert records["watches"][0]["watch_id"] == "w1" and len(records["paper_trades"]) == 1
    assert store.purge_owner("alice") == 2 + 1 + 1  # signals, trade, watch
    assert store.journal("alice") == [] and store.pending() == []


def test_workers_recording_the_same_entry_post_one_signal(location: Location):
    workers = [_watches(location)[0] for _ in range(4)]
    watch = workers[0].watches()[0]
    new = together(8, lambda i: workers[i % 4].record_entry(watch, TRADE, f"entered {i}"))
    assert sorted(new) == [False] * 7 + [True]
    assert len(workers[0].pending()) == 1 and len(workers[0].journal("alice")) == 1


def test_briefings_are_stored_and_posted_once_per_session(location: Location):
    store = SqliteBriefingStore(location("briefings.sqlite"))
    store.add("b1", "alice", "web:alice", "SPY", ["day", "multiday"], "09:00")
    store.add("b1", "alice", "web:alice", "SPY", ["day"], "09:05")  # replaces
    store.add("b2", "bob", "slack:C1", "SPX", ["day"], "08:30")
    (mine,) = store.briefings("alice")
    assert (mine["modes"], mine["at"], mine["paused"]) == (["day"], "09:05", False)
    assert store.set_paused("bob", "b2", True)
    assert [b["id"] for b in store.briefings(active_only=True)] == ["b1"]
    workers = [SqliteBriefingStore(location("briefings.sqlite")) for _ in range(4)]
    new = together(8, lambda i: workers[i % 4].record("b1", "2026-02-18", f"text {i}"))
    assert sorted(new) == [False] * 7 + [True]
    assert store.posted("2026-02-18") == {"b1"} and store.posted("2026-02-19") == set()
    (pending,) = store.pending()
    store.mark(pending.rule_id, pending.session, "down")
    assert store.pending()[0].attempts == 1
    store.mark(pending.rule_id, pending.session, None)
    assert store.pending() == []
    assert store.owner_records("alice")["briefings"][0]["id"] == "b1"
    assert store.purge_owner("alice") == 2 and store.briefings("alice") == []
    assert store.delete("bob", "b2") and store.briefings() == []
