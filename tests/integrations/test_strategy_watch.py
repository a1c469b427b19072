"""Strategy watches on the live engine: three replayed sessions with a disconnect and a restart,
a watch added mid-session, and every paper trade equal to the backtester's over the same bars.

The issue's proof: "replaying a session through a watch gives exactly the backtester's trades
for that session". The expected trades come from one ``core.backtest`` run over all the bars the
watch had completed by the last tick (not bar by bar, as the watch runs), so the check fails if
the watch looks ahead, misses a bar, closes an open trade early or posts a trade twice.
"""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pandas as pd

from core.backtest import backtest
from core.sources import load_bars
from core.strategies import builtin_strategies
from integrations.alerts.engine import LiveEngine, LiveStatus
from integrations.alerts.monitor import Monitor
from integrations.alerts.replayclock import ReplayClock
from integrations.alerts.store import SqliteAlertStore
from integrations.alerts.strategywatch import WARMUP_BARS, WatchRunner
from integrations.alerts.watchstore import SqliteWatchStore
from integrations.marketdata.files import FileSource, samples_dir
from tests.integrations.test_live_engine import Flaky

ET = "America/New_York"


def _spec(symbol: str, name: str):
    return next(s for s in builtin_strategies(symbol) if s.name == name)


def _expected(source: FileSource, watch, last_tick: pd.Timestamp) -> list[dict]:
    """The backtester's trades entered from the watch's start, over every bar completed by the
    last tick, from the watch's anchor; a trade the data cuts off is still open."""
    spec = watch.spec
    step = pd.Timedelta(minutes={"5m": 5, "1h": 60}[spec.bar])
    bars = load_bars(source, watch.symbol, spec.bar)
    window = bars.loc[pd.Timestamp(watch.anchor).tz_convert(ET) : last_tick - step]
    daily = load_bars(source, watch.symbol, "1d")
    trades = backtest(spec, window, daily).trades
    out = []
    for t in trades[trades["entry_time"] >= pd.Timestamp(watch.start)].itertuples():
        cut = int(t.exit_bar) == len(window) - 1 and t.reason in ("end_of_data", "session_end")
        out.append(
            {
                "entry_time": pd.Timestamp(t.entry_time).isoformat(),
                "qty": int(t.qty),
                "entry_price": round(float(t.entry_price), 2),
                "exit_price": None if cut else round(float(t.exit_price), 2),
                "reason": None if cut else str(t.reason),
                "r_multiple": None if cut or math.isnan(t.r_multiple) else round(t.r_multiple, 2),
            }
        )
    return out


def test_watches_over_three_sessions_post_the_backtesters_trades_exactly_once(tmp_path: Path):
    source = FileSource(samples_dir())
    clock = ReplayClock(source, ["SPX", "SPY"], sessions=3, speed=0, loop=False)
    per_session = len(clock) // 3
    flaky = Flaky(clock, drops=[300], skip=24)
    alerts = SqliteAlertStore(tmp_path / "alerts.sqlite")
    watches = SqliteWatchStore(tmp_path / "watches.sqlite")
    watches.add("wspy", "trader", "web:trader", "SPY", _spec("SPY", "Put trigger to midrange"))
    watches.add("wspx", "trader", "slack:C1", "SPX", _spec("SPX", "Call trigger to midrange"))
    watches.add("wopen", "trader", "slack:C1", "SPX", _spec("SPX", "Vomy"))
    delivered: list[tuple[str, str]] = []
    failures = {"left": 1}

    def deliver(destination: str, message: str) -> None:
        if failures["left"]:  # the first signal's delivery fails once: retried, posted once
            failures["left"] -= 1
            raise ConnectionError("slack down")
        delivered.append((destination, message))

    async def nap(seconds: float) -> None:
        return None

    def engine(reconnects: int) -> LiveEngine:
        monitor = Monitor(alerts, source, deliver, sleep=lambda s: None)
        runner = WatchRunner(watches, source, refresh_seconds=0.0)
        return LiveEngine(
            monitor,
            ["SPX", "SPY"],
            flaky.stream,
            status=LiveStatus(),
            watches=runner,
            sleep=nap,
            max_reconnects=reconnects,
        )

    first = engine(1)
    asyncio.run(first.run(max_events=per_session // 2))
    # added mid-session 1: an hourly strategy on SPY
    watches.add("whour", "trader", "web:trader", "SPY", _spec("SPY", "Vomy"))
    asyncio.run(first.run(max_events=per_session))
    # the restart: a new process (new runner) on the same stores, ticks lost while it was down
    clock.position += 24
    second = engine(0)
    asyncio.run(second.run())
    last_tick = pd.Timestamp(flaky.sent[-1].time).tz_convert(ET)

    stored = {w.watch_id: w for w in watches.watches()}
    journal = watches.journal("trader")
    assert stored["whour"].start > stored["wspy"].start  # started when the engine first saw it
    for watch in stored.values():
        bars = load_bars(source, watch.symbol, watch.spec.bar)
        step = pd.Timedelta(minutes={"5m": 5, "1h": 60}[watch.spec.bar])
        first_done = bars.loc[: pd.Timestamp(watch.start).tz_convert(ET) - step]
        # the anchor is WARMUP_BARS bars before the last bar completed when the watch started
        assert bars.index.get_loc(pd.Timestamp(watch.anchor)) == len(first_done) - WARMUP_BARS
        want = _expected(source, watch, last_tick)
        got = [
            {k: t[k] for k in ("entry_time", "qty", "entry_price", "exit_price", "reason")}
            | {"r_multiple": t["r_multiple"]}
            for t in journal
            if t["watch_id"] == watch.watch_id
        ]
        assert got == want, watch.watch_id
    by_watch = {w: [t for t in journal if t["watch_id"] == w] for w in stored}
    # the check has teeth: stops, a target, and hourly trades still open at the last tick
    assert len(by_watch["wspx"]) == 4 and {t["reason"] for t in by_watch["wspx"]} == {"stop"}
    assert [t["reason"] for t in by_watch["wspy"]] == ["stop", "target"]
    assert [t["exit_time"] for t in by_watch["whour"]] == [None]  # added mid-session
    assert [t["exit_time"] for t in by_watch["wopen"]] == [None]
    # every entry and every exit posted exactly once, to the watch's own destination
    signals = sum(1 + (t["exit_time"] is not None) for t in journal)
    assert len(delivered) == signals == len(set(delivered))
    for t in journal:
        dest = stored[t["watch_id"]].destination
        entry = [
            m
            for d, m in delivered
            if d == dest
            and f"at {t['entry_price']:.2f}" in m
            and f"Paper entry · {t['symbol']}" in m
            and t["watch_id"] in m
            and pd.Timestamp(t["entry_time"]).strftime("%Y-%m-%d %H:%M") in m
        ]
        assert len(entry) == 1, t
        if t["exit_time"] is not None:
            exits = [
                m
                for d, m in delivered
                if d == dest
                and "Paper exit" in m
                and f"at {t['exit_price']:.2f}" in m
                and t["watch_id"] in m
                and pd.Timestamp(t["exit_time"]).strftime("%Y-%m-%d %H:%M") in m
            ]
            assert len(exits) == 1, t
            if t["r_multiple"] is not None:
                assert f"{t['r_multiple']:+.2f} R" in exits[0]


def test_a_session_end_exit_waits_for_the_sessions_last_bar(tmp_path: Path):
    """SPY call trigger to midrange entered 2026-02-18 15:05 is closed by the session end: at
    15:30 it is open (the window ends early, not the session); at 16:00 it is closed at 15:55's
    close, as in a backtest over the whole data."""
    source = FileSource(samples_dir())
    watches = SqliteWatchStore(tmp_path / "w.sqlite")
    spec = _spec("SPY", "Call trigger to midrange")
    watches.add("w1", "trader", "web:trader", "SPY", spec)
    runner = WatchRunner(watches, source, refresh_seconds=0.0)
    runner.on_event("SPY", pd.Timestamp("2026-02-18 09:30", tz=ET))
    runner.on_event("SPY", pd.Timestamp("2026-02-18 15:30", tz=ET))
    (open_trade,) = [t for t in watches.journal("trader") if t["entry_time"] >= "2026-02-18T15"]
    assert open_trade["exit_time"] is None
    runner.on_event("SPY", pd.Timestamp("2026-02-18 16:00", tz=ET))
    bars = load_bars(source, "SPY", "5m")
    full = backtest(spec, bars, load_bars(source, "SPY", "1d")).trades
    (want,) = full[full["entry_time"] == pd.Timestamp("2026-02-18 15:05", tz=ET)].itertuples()
    (closed,) = [t for t in watches.journal("trader") if t["entry_time"] >= "2026-02-18T15"]
    assert closed["reason"] == want.reason == "session_end"
    assert closed["exit_price"] == round(want.exit_price, 2)
    assert closed["exit_price"] == bars.loc["2026-02-18 15:55", "close"].item()


def test_a_resumed_watch_journals_what_it_missed_but_posts_only_fresh_signals(tmp_path: Path):
    source = FileSource(samples_dir())
    watches = SqliteWatchStore(tmp_path / "w.sqlite")
    watches.add("w1", "trader", "web:trader", "SPY", _spec("SPY", "Call trigger to midrange"))
    runner = WatchRunner(watches, source, refresh_seconds=0.0)
    runner.on_event("SPY", pd.Timestamp("2026-02-11 09:30", tz=ET))  # starts at the open
    watches.set_paused("trader", "w1", True)
    late = pd.Timestamp("2026-02-11 15:59", tz=ET)
    assert runner.on_event("SPY", late) == 0 and watches.journal("trader") == []
    watches.set_paused("trader", "w1", False)
    recorded = runner.on_event("SPY", late)
    trades = watches.journal("trader")
    assert recorded == sum(1 + (t["exit_time"] is not None) for t in trades) > 0
    # only signals whose bar ended within 30 minutes of 15:59 are posted
    cutoff = late - pd.Timedelta(minutes=30)
    times = [t["entry_time"] for t in trades] + [t["exit_time"] for t in trades if t["exit_time"]]
    fresh = [x for x in times if pd.Timestamp(x) + pd.Timedelta(minutes=5) >= cutoff]
    assert len(watches.pending()) == len(fresh) < len(times)
    assert runner.on_event("SPY", late + pd.Timedelta(minutes=1)) == 0  # nothing twice


def test_the_paper_journal_totals_and_charts_the_closed_trades(tmp_path: Path):
    from tools import ToolContext, run_tool

    source = FileSource(samples_dir())
    watches = SqliteWatchStore(tmp_path / "w.sqlite")
    watches.add("w1", "trader", "web:trader", "SPY", _spec("SPY", "Call trigger to midrange"))
    runner = WatchRunner(watches, source, refresh_seconds=0.0)
    runner.on_event("SPY", pd.Timestamp("2026-02-09 09:30", tz=ET))
    runner.on_event("SPY", pd.Timestamp("2026-02-13 15:59", tz=ET))
    closed = [t for t in watches.journal("trader") if t["exit_time"] is not None]
    assert closed, "the shipped week has closed trades for this strategy"
    services = {"watches": watches, "charts_dir": tmp_path / "charts"}
    out = run_tool(ToolContext(source=source, user_id="trader", services=services),
                   "paper_journal", {})  # fmt: skip
    assert out.closed == len(closed)
    assert out.total_pnl == round(sum(t["pnl"] for t in closed), 2)
    assert out.wins == sum(t["pnl"] > 0 for t in closed)
    png = Path(out.chart or "")
    assert png.name == "paper-journal.png" and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # another user's journal is empty and draws nothing
    other = run_tool(ToolContext(source=source, user_id="bob", services=services),
                     "paper_journal", {})  # fmt: skip
    assert other.trades == [] and other.chart is None
