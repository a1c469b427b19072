"""The alert monitor on a replayed real session: exact firings, restart safety, delivery retries."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from websockets.asyncio.server import serve

from core.alerts import AlertRule
from core.levels import level_grid, session_levels
from integrations.alerts.engine import LiveEngine
from integrations.alerts.monitor import Monitor, tick_path
from integrations.alerts.store import SqliteAlertStore
from integrations.marketdata.polygon import PolygonConfig, PolygonSource

DAY = dt.date(2024, 3, 15)  # SPY gapped down, then rallied back through -0.786


def _rules():
    keys = [k for k in level_grid(0, 1)]
    return [
        AlertRule(
            rule_id=f"{k}{d}", owner="u", destination="terminal", symbol="SPY", level=k, direction=d
        )
        for k in keys
        for d in ("up", "down")
    ]


def _expected(source):
    bars = source.bars("SPY", "1m").loc["2024-03-15"]
    levels = session_levels(source.bars("SPY", "1d")).loc["2024-03-15"]
    grid = level_grid(float(levels["previous_close"]), float(levels["atr"]))
    prices, bar_of = tick_path(bars)
    fired = {}
    for i in range(1, len(prices)):  # independent scan: first crossing of each level and side
        p, q = prices[i - 1], prices[i]
        for key, lv in grid.items():
            for direction, hit in (("up", p <= lv < q), ("down", p >= lv > q)):
                if hit and f"{key}{direction}" not in fired:
                    fired[f"{key}{direction}"] = bars.index[bar_of[i]].strftime("%H:%M")
    return fired


@pytest.fixture
def store(tmp_path):
    s = SqliteAlertStore(tmp_path / "alerts.sqlite")
    for rule in _rules():
        s.add(rule)
    return s


def test_firings_equal_an_independent_scan(source, store):
    sent = []
    Monitor(store, source, lambda dest, msg: sent.append(msg)).replay("SPY", DAY)
    expected = _expected(source)
    assert len(sent) == len(expected) >= 3
    for rule_id, hhmm in expected.items():
        assert any(f"at {hhmm} ET" in m for m in sent), (rule_id, hhmm)
    assert all("2024-03-15" in m for m in sent)


def test_restart_mid_session_delivers_each_firing_once(source, store):
    sent = []
    Monitor(store, source, lambda dest, msg: sent.append(msg)).replay("SPY", DAY, until="10:00")
    first = len(sent)
    again = Monitor(store, source, lambda dest, msg: sent.append(msg))  # a fresh process
    again.replay("SPY", DAY)
    assert 0 < first < len(sent) == len(_expected(source))
    assert len(sent) == len(set(sent))


def test_failing_delivery_is_retried_with_backoff_and_recorded(source, store, tmp_path):
    waits, calls = [], []

    def flaky(dest, msg):
        calls.append(msg)
        if len(calls) <= 2:
            raise ConnectionError("channel down")

    delivered = Monitor(store, source, flaky, sleep=waits.append, backoff=0.5).replay("SPY", DAY)
    assert waits[:2] == [0.5, 1.0] and len(delivered) == len(_expected(source))

    def dead(dest, msg):
        raise ConnectionError("still down")

    other = SqliteAlertStore(tmp_path / "other.sqlite")
    other.add(
        AlertRule(
            rule_id="m", owner="u", destination="x", symbol="SPY", level="-0.786", direction="up"
        )
    )
    assert (
        Monitor(other, source, dead, sleep=lambda s: None, max_attempts=3).replay("SPY", DAY) == []
    )
    pending = other.pending()
    assert pending and pending[0].attempts == 3


def test_live_stream_through_the_polygon_client(source, tmp_path):
    """Quotes from a local server speaking Polygon's WebSocket protocol fire a stored alert once,
    at the session's call trigger (previous close + 0.236 × ATR, from the daily file)."""
    store = SqliteAlertStore(tmp_path / "live.sqlite")
    store.add(
        AlertRule(
            rule_id="live",
            owner="u",
            destination="terminal",
            symbol="SPY",
            level="+0.236",
            direction="up",
        )
    )
    daily = session_levels(source.bars("SPY", "1d")).loc[str(DAY)]
    trigger = float(daily["previous_close"]) + 0.236 * float(daily["atr"])
    prices = [round(trigger + d, 2) for d in (-1.0, -0.5, 0.3, -0.2, 0.6)]

    async def server(ws):
        json.loads(await ws.recv())
        await ws.send(json.dumps([{"ev": "status", "status": "auth_success"}]))
        await ws.recv()
        await ws.send(
            json.dumps(
                [
                    {"ev": "T", "sym": "SPY", "p": p, "s": 1, "t": 1_710_509_400_000 + i * 1000}
                    for i, p in enumerate(prices)
                ]
            )
        )
        await asyncio.sleep(1)

    async def main():
        async with serve(server, "127.0.0.1", 0) as ws_server:
            port = ws_server.sockets[0].getsockname()[1]
            client = PolygonSource(PolygonConfig(api_key="pk", ws_url=f"ws://127.0.0.1:{port}"))
            sent = []
            monitor = Monitor(store, source, lambda dest, msg: sent.append(msg))
            engine = LiveEngine(monitor, ["SPY"], client.stream)
            await asyncio.wait_for(engine.run(max_events=len(prices)), 10)
            return sent

    sent = asyncio.run(main())
    assert len(sent) == 1 and f"price {prices[2]:.2f}" in sent[0] and "(live)" in sent[0]
    assert f"at {trigger:.2f}" in sent[0]


def _all_crossings(source):
    """Every crossing of every level on DAY, per rule id, as bar times "HH:MM" (naive scan)."""
    bars = source.bars("SPY", "1m").loc["2024-03-15"]
    levels = session_levels(source.bars("SPY", "1d")).loc["2024-03-15"]
    grid = level_grid(float(levels["previous_close"]), float(levels["atr"]))
    prices, bar_of = tick_path(bars)
    times: dict[str, list[str]] = {}
    for i in range(1, len(prices)):
        p, q = prices[i - 1], prices[i]
        for key, lv in grid.items():
            for direction, hit in (("up", p <= lv < q), ("down", p >= lv > q)):
                if hit:
                    times.setdefault(f"{key}{direction}", []).append(
                        bars.index[bar_of[i]].strftime("%H:%M")
                    )
    return times


def test_a_time_window_skips_crossings_outside_it(source, tmp_path):
    """An alert limited to later hours fires on the first crossing inside its window."""
    times = _all_crossings(source)
    rule_id, seen = next((r, t) for r, t in times.items() if len(set(t)) >= 2)
    start = min(t for t in seen if t > seen[0])  # after the first crossing's minute
    store = SqliteAlertStore(tmp_path / "w.sqlite")
    key, direction = (
        rule_id[:-2] if rule_id.endswith("up") else rule_id[:-4],
        ("up" if rule_id.endswith("up") else "down"),
    )
    store.add(
        AlertRule(rule_id="w", owner="u", destination="terminal", symbol="SPY", level=key,
                  direction=direction),
        window=(start, "16:00"),
    )  # fmt: skip
    store.add(
        AlertRule(rule_id="early", owner="u", destination="terminal", symbol="SPY", level=key,
                  direction=direction),
        window=("09:30", seen[0]),  # ends at the first crossing's minute: never fires
    )  # fmt: skip
    sent = []
    Monitor(store, source, lambda dest, msg: sent.append(msg)).replay("SPY", DAY)
    assert len(sent) == 1 and f"at {start} ET" in sent[0], (rule_id, seen, sent)
    assert store.alerts("u")[0].window == (start, "16:00")


def test_an_alerts_file_from_before_windows_opens_and_keeps_its_alerts(tmp_path):
    import sqlite3

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.execute(
        "CREATE TABLE alerts (rule_id TEXT PRIMARY KEY, owner TEXT NOT NULL, destination TEXT "
        "NOT NULL, symbol TEXT NOT NULL, level TEXT NOT NULL, direction TEXT NOT NULL, ribbon "
        "TEXT, paused INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL)"
    )
    old.execute("INSERT INTO alerts VALUES ('a1','u','web:u','SPY','+0.382','up',NULL,0,1.0)")
    old.commit()
    old.close()
    (alert,) = SqliteAlertStore(path).alerts("u")
    assert alert.rule.level == "+0.382" and alert.window is None and alert.in_window("10:00")
