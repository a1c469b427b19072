"""The backtester: backtesting.py agrees on real SPY daily data; hand-made bars pin every fill rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from backtesting import Backtest, Strategy
from backtesting.test import SMA

from core.backtest import backtest
from core.spec import DayOfWeek, Exits, LevelCross, MovingAverageCross, Sizing, StrategySpec
from core.stats import metrics
from core.strategies import builtin_strategies


class _Cross(Strategy):
    """SMA 10/20, long only, fills at the next open; the same crossing rule as ours
    (up when the previous difference is ≤ 0 and the current one > 0)."""

    def init(self):
        self.fast = self.I(SMA, self.data.Close, 10)
        self.slow = self.I(SMA, self.data.Close, 20)

    def next(self):
        now, before = self.fast[-1] - self.slow[-1], self.fast[-2] - self.slow[-2]
        if before <= 0 < now and not self.position:
            self.buy(size=10)
        elif before >= 0 > now and self.position:
            self.position.close()


def test_same_trades_as_backtesting_py_on_real_spy_daily(source):
    daily = source.bars("SPY", "1d")
    frame = daily.rename(columns=str.title).tz_localize(None)
    ref = Backtest(frame, _Cross, cash=1e7, commission=0, finalize_trades=True).run()._trades
    spec = StrategySpec(
        name="sma cross",
        symbol="SPY",
        bar="1d",
        entry=[MovingAverageCross(fast=10, slow=20, average="sma")],
        exit=Exits(
            session_end=False,
            when=[MovingAverageCross(fast=10, slow=20, average="sma", direction="down")],
        ),
        sizing=Sizing(units=10),
    )
    ours = backtest(spec, daily, daily, capital=1e7).trades
    assert len(ours) == len(ref) > 150
    np.testing.assert_array_equal(ours["entry_bar"], ref["EntryBar"])
    np.testing.assert_array_equal(ours["exit_bar"], ref["ExitBar"])
    np.testing.assert_allclose(ours["entry_price"], ref["EntryPrice"])
    closed = ours["reason"] != "end_of_data"  # the last trade is still open at the end
    np.testing.assert_allclose(ours.loc[closed, "exit_price"], ref["ExitPrice"][closed.to_numpy()])


DAY = pd.Timestamp("2024-03-13", tz="America/New_York")


def _world(rows):
    """Daily history with PC 4500 and ATR 40 for 2024-03-13, plus 5-minute bars from rows
    [(HH:MM, open, high, low, close)] that day."""
    days = pd.date_range("2024-01-02", "2024-03-12", freq="B", tz="America/New_York")
    n = len(days)
    close = np.full(n, 4500.0)
    daily = pd.DataFrame(
        {"open": close, "high": close + 20, "low": close - 20, "close": close, "volume": 0.0},
        index=days,
    )  # TR 40 every day → ATR 40
    idx = pd.DatetimeIndex(
        [DAY + pd.Timedelta(hours=int(t[:2]), minutes=int(t[3:])) for t, *_ in rows]
    )
    o, h, lo, c = (np.array(col, float) for col in list(zip(*rows, strict=True))[1:])
    return daily, pd.DataFrame(
        {"open": o, "high": h, "low": lo, "close": c, "volume": 0.0}, index=idx
    )


GG = StrategySpec(
    name="gg", entry=[LevelCross(level="+0.382")], exit=Exits(target="+0.618", stop="+0.236")
)


def test_golden_gate_round_trip_to_the_target():
    daily, bars = _world(
        [
            ("09:30", 4505, 4510, 4504, 4508),
            ("09:35", 4508, 4517, 4507, 4516),
            ("09:40", 4516, 4518, 4512, 4517),
            ("09:45", 4517, 4526, 4516, 4525),
            ("09:50", 4525, 4526, 4520, 4521),
        ]
    )
    t = backtest(GG, bars, daily).trades
    assert len(t) == 1
    trade = t.iloc[0]
    assert (
        trade["entry_bar"] == 2 and trade["entry_price"] == 4516
    )  # signal 09:35 close → 09:40 open
    assert trade["reason"] == "target" and trade["exit_price"] == pytest.approx(4524.72)
    assert trade["r_multiple"] == pytest.approx((4524.72 - 4516) / (4516 - 4509.44))


def test_gap_through_the_stop_fills_at_the_open_and_both_in_one_bar_is_a_stop():
    daily, bars = _world(
        [
            ("09:30", 4505, 4510, 4504, 4508),
            ("09:35", 4508, 4517, 4507, 4516),
            ("09:40", 4516, 4518, 4512, 4517),
            ("09:45", 4505, 4506, 4500, 4501),
        ]
    )
    gap = backtest(GG, bars, daily).trades.iloc[0]
    assert gap["reason"] == "stop" and gap["exit_price"] == 4505  # opened below the 4509.44 stop
    daily, bars = _world(
        [
            ("09:30", 4505, 4510, 4504, 4508),
            ("09:35", 4508, 4517, 4507, 4516),
            ("09:40", 4516, 4530, 4505, 4520),
        ]
    )
    both = backtest(GG, bars, daily).trades.iloc[0]
    assert both["reason"] == "stop" and both["exit_price"] == pytest.approx(4509.44)


def test_session_end_exit_and_no_entry_on_the_last_bar():
    daily, bars = _world(
        [
            ("15:45", 4505, 4510, 4504, 4508),
            ("15:50", 4508, 4517, 4507, 4516),
            ("15:55", 4516, 4518, 4512, 4517),
        ]
    )
    t = backtest(GG, bars, daily).trades.iloc[0]
    assert t["reason"] == "session_end" and t["exit_price"] == 4517
    daily, bars = _world([("15:50", 4505, 4510, 4504, 4508), ("15:55", 4508, 4517, 4507, 4516)])
    assert backtest(GG, bars, daily).trades.empty  # the 15:55 signal would fill tomorrow


def test_risk_percent_sizing_example_10():
    # domain §10 ex. 10: capital 100 000, entry 450, stop 441, 2 % → floor(2000 / 9) = 222
    idx = pd.date_range("2024-01-02", periods=40, freq="B", tz="America/New_York")
    flat = np.full(40, 450.0)
    daily = pd.DataFrame(
        {"open": flat, "high": flat + 4.5, "low": flat - 4.5, "close": flat, "volume": 0.0},
        index=idx,
    )  # TR 9 every day → ATR 9.00
    spec = StrategySpec(
        name="x",
        symbol="SPY",
        bar="1d",
        entry=[DayOfWeek(days=["wed"])],
        exit=Exits(stop_atr=1.0, session_end=False, max_bars=1),
        sizing=Sizing(mode="risk_pct", risk_pct=2.0),
    )
    t = backtest(spec, daily, daily).trades
    assert len(t) >= 5 and (t["entry_time"].dt.day_name() == "Thursday").all()
    first = t.iloc[0]
    assert first["entry_price"] == 450 and first["stop"] == pytest.approx(441)
    assert first["qty"] == 222 and first["reason"] == "max_bars"


def test_no_look_ahead_on_real_spx_5m(source):
    bars, daily = source.bars("SPX", "5m"), source.bars("SPX", "1d")
    spec = builtin_strategies("SPX")[0]
    full = backtest(spec, bars, daily).trades
    cut = len(bars) * 2 // 3
    part = backtest(spec, bars.iloc[:cut], daily).trades
    done = part[part["reason"] != "end_of_data"]
    pd.testing.assert_frame_equal(
        done.reset_index(drop=True), full.iloc[: len(done)].reset_index(drop=True)
    )
    assert len(full) > 50


def test_metrics_on_a_real_run(source):
    res = backtest(builtin_strategies("SPX")[2], source.bars("SPX", "5m"), source.bars("SPX", "1d"))
    m = metrics(res)
    t = res.trades
    assert m["trades"] == len(t) == m["wins"] + m["losses"] + int((t["pnl"] == 0).sum())
    assert m["total_pnl"] == pytest.approx(t["pnl"].sum())
    assert m["total_return_pct"] == pytest.approx(100 * (res.equity.iloc[-1] / 100_000 - 1))
    assert 0 <= m["max_drawdown_pct"] <= 100 and 0 < m["exposure_pct"] < 100
    assert sum(v["trades"] for v in m["by_hour"].values()) == len(t)
    assert set(t["reason"]) <= {"target", "stop", "session_end", "end_of_data"}


def test_a_fill_already_beyond_the_target_is_skipped():
    # the 09:30 close crosses +0.382; the 09:35 bar opens above the +0.618 target (4524.72)
    daily, bars = _world(
        [
            ("09:30", 4505, 4516, 4504, 4516),
            ("09:35", 4530, 4531, 4526, 4527),
            ("09:40", 4527, 4528, 4520, 4521),
        ]
    )
    assert backtest(GG, bars, daily).trades.empty


def test_first_signals_keeps_the_first_of_each_session():
    from core.backtest import first_signals

    entry = np.array([0, 1, 1, 0, 1, 1, 1, 0, 0, 1], dtype=bool)
    last = np.array([0, 0, 0, 1, 0, 0, 1, 0, 0, 1], dtype=bool)  # sessions: 0-3, 4-6, 7-9
    assert first_signals(entry, last, 1).tolist() == [0, 1, 0, 0, 1, 0, 0, 0, 0, 1]
    assert first_signals(entry, last, 2).tolist() == [0, 1, 1, 0, 1, 1, 0, 0, 0, 1]


def test_golden_gate_builtins_trade_once_a_session(source):
    """Issue #12 defect 11: the built-in golden gates re-entered after each exit (up to four
    trades a session); the gate triggers once a session."""
    from core.sources import load_bars
    from core.strategies import builtin_strategies

    bars, daily = load_bars(source, "SPX", "5m"), load_bars(source, "SPX", "1d")
    for name in ("Golden gate bull", "Golden gate bear"):
        spec = next(s for s in builtin_strategies() if s.name == name)
        once = backtest(spec, bars, daily).trades
        every = backtest(spec.model_copy(update={"entries_per_session": None}), bars, daily).trades
        per_day = once.groupby(once.entry_time.dt.date).size()
        assert per_day.max() == 1 and len(once) > 20
        assert every.groupby(every.entry_time.dt.date).size().max() > 1  # the defect, unrestricted
        first = every.groupby(every.entry_time.dt.date).entry_time.first()
        # a day's single trade is the unrestricted run's first trade that day (a day can have
        # none: its first signal filled beyond the target and was skipped, and no later one counts)
        assert all(first[t.date()] == t for t in once.entry_time)
