"""Scheduled briefings on the live engine: three replayed sessions with a restart; each briefing
posted once per session at its time, with that session's levels (checked by hand: previous
close and Wilder ATR from the CSV files) and the previous session's close."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pandas as pd

from integrations.alerts.briefings import BriefingRunner, SqliteBriefingStore
from integrations.alerts.engine import LiveEngine, LiveStatus
from integrations.alerts.monitor import Monitor
from integrations.alerts.replayclock import ReplayClock
from integrations.alerts.store import SqliteAlertStore
from integrations.marketdata.files import FileSource, samples_dir
from tests.integrations.test_live_engine import _daily, _hand_levels

SESSIONS = (dt.date(2026, 2, 11), dt.date(2026, 2, 12), dt.date(2026, 2, 13))


def test_briefings_post_once_per_session_with_that_sessions_levels(tmp_path: Path):
    source = FileSource(samples_dir())
    clock = ReplayClock(source, ["SPX", "SPY"], sessions=3, speed=0, loop=False)
    per_session = len(clock) // 3
    alerts = SqliteAlertStore(tmp_path / "alerts.sqlite")
    store = SqliteBriefingStore(tmp_path / "briefings.sqlite")
    store.add("bspx", "trader", "slack:C1", "SPX", ["day", "multiday"], "09:00")
    posted: list[tuple[str, str]] = []

    async def nap(seconds: float) -> None:
        return None

    def engine() -> LiveEngine:
        monitor = Monitor(alerts, source, lambda d, m: posted.append((d, m)), sleep=lambda s: 0)
        runner = BriefingRunner(store, source, refresh_seconds=0.0)
        return LiveEngine(
            monitor, ["SPX", "SPY"], clock.stream, status=LiveStatus(), briefings=runner,
            sleep=nap, max_reconnects=0,
        )  # fmt: skip

    first = engine()
    asyncio.run(first.run(max_events=per_session + per_session // 2))  # into session 2, ~12:40
    store.add("bspy", "trader", "web:trader", "SPY", ["day"], "14:00")  # added mid-session 2
    asyncio.run(engine().run())  # a restart: a new process on the same stores

    spx = [m for d, m in posted if d == "slack:C1"]
    spy = [m for d, m in posted if d == "web:trader"]
    assert len(spx) == 3 and len(spy) == 2  # once per session; SPY from session 2 on
    for day, message in zip(SESSIONS, spx, strict=True):
        assert message.startswith(f"SPX briefing for {day:%a %Y-%m-%d} (live)")
        pc, atr = _hand_levels("SPX", day)
        for key in (0.236, -0.236, 0.382, -0.382, 1.0, -1.0):
            assert f"{'+' if key > 0 else ''}{key:g} {pc + key * atr:.2f}" in message, (day, key)
        prev_close = _daily("spx").loc[: pd.Timestamp(day) - pd.Timedelta(days=1), "close"].iloc[-1]
        assert f"close {prev_close:.2f}" in message
        assert "Weekly (from" in message and "Golden gate completion odds" in message
    for day, message in zip(SESSIONS[1:], spy, strict=True):
        pc, atr = _hand_levels("SPY", day)
        assert message.startswith(f"SPY briefing for {day:%a %Y-%m-%d}")
        assert f"+0.236 {pc + 0.236 * atr:.2f}" in message
    assert store.posted("2026-02-12") == {"bspx", "bspy"}
    assert store.pending() == []  # every posting delivered


def test_a_paused_briefing_is_not_posted_and_times_wait_for_their_hour(tmp_path: Path):
    source = FileSource(samples_dir())
    store = SqliteBriefingStore(tmp_path / "b.sqlite")
    store.add("b1", "trader", "web:trader", "SPX", ["day"], "10:00")
    runner = BriefingRunner(store, source, refresh_seconds=0.0)
    at = pd.Timestamp("2026-02-12 09:45", tz="America/New_York")
    assert runner.on_event(at) == 0  # before its time
    store.set_paused("trader", "b1", True)
    assert runner.on_event(at + pd.Timedelta(minutes=30)) == 0  # paused
    store.set_paused("trader", "b1", False)
    assert runner.on_event(at + pd.Timedelta(minutes=31)) == 1
    assert runner.on_event(at + pd.Timedelta(minutes=32)) == 0  # once a session
    saturday = pd.Timestamp("2026-02-14 10:30", tz="America/New_York")
    assert runner.on_event(saturday) == 0  # not a session
