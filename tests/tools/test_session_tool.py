"""The session_outcome tool on the shipped data. The numbers are the ones worked out by hand from
the CSV rows in tests/core/test_outcome.py (quoted again where new), so the tool adds only the
session lookup, the levels, the bar choice, the official close and the formatting."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from assistant.grounding import check_grounding
from assistant.render import render_result
from core.bars import timeframe
from tools import ToolContext, ToolError, run_tool
from tools.market import day_start


@pytest.fixture
def ctx(source):
    return ToolContext(source=source)


def _touches(r):
    return [(t.key, t.time, t.at_open) for t in r.touches]


def test_spx_2025_06_03_on_five_minute_bars(ctx):
    r = run_tool(ctx, "session_outcome", {"symbol": "SPX", "date": "2025-06-03"})
    # PC 5935.94 = spx_daily 2025-06-02 close; ATR 90.11 (core test: TA-Lib ATR + one Wilder step)
    assert (r.previous_close, r.previous_close_date, r.atr) == (5935.94, dt.date(2025, 6, 2), 90.11)
    assert (r.bar_size, r.bars, r.times_available, r.as_of, r.complete) == (
        "5m",
        78,
        True,
        "16:00",
        True,
    )
    assert _touches(r) == [
        ("0", "09:30", False),
        ("+0.236", "11:00", False),
        ("+0.382", "12:15", False),
        ("+0.5", "13:20", False),
    ]
    assert [t.price for t in r.touches] == [5935.94, 5957.21, 5970.36, 5981.00]
    assert r.touches[1].name == "call trigger"
    assert (r.bull.status, r.bull.triggered_at, r.bull.trigger_bucket) == (
        "triggered",
        "12:15",
        "12",
    )
    assert r.bull.completed_at is None and r.bull.failed_at is None
    assert r.bull.completion_level == 5991.63 and r.bear.status == "not_triggered"
    # the official close (spx_daily 2025-06-03 C 5970.37), not the 15:55 bar's 5970.52
    assert (r.close, r.close_source) == (5970.37, "official close")
    assert (r.open, r.high, r.low) == (5938.56, 5981.35, 5929.00)
    assert (r.gap.points, r.gap.pct, r.gap.atr) == (2.62, 0.04, 0.029)
    assert (r.range_points, r.range_atr, r.range_pct) == (52.35, 0.581, 58)
    assert (r.change.points, r.change.pct, r.change.atr) == (34.43, 0.58, 0.382)
    assert (r.up_atr, r.down_atr, r.close_zone) == (0.504, -0.077, "0_to_+1")
    assert (r.above_close[0].key, r.above_close[0].price) == ("+0.5", 5981.00)
    assert (r.below_close[0].key, r.below_close[0].price) == ("+0.382", 5970.36)


def test_spy_2025_06_03_bull_gate_failed(ctx):
    # PC 592.71 (spy_daily 2025-06-02 C), ATR 9.15 (test_levels_tool): +0.236 594.8694,
    # +0.382 596.2053, +0.618 598.3647. spy_5min rows (O H L C):
    # 11:20 high 595.16 (highs to 11:15 <= 594.85): call trigger 11:20
    # 12:15 595.69 596.26 595.68 596.17 (highs to 12:10 <= 595.71): triggered 12:15
    # 14:10 595.54 595.59 594.80 595.19 (lows 12:20-14:05 >= 594.99): fell back, failed 14:10
    # session high 597.08 < 598.3647: never completed
    r = run_tool(ctx, "session_outcome", {"symbol": "SPY", "date": "2025-06-03"})
    assert (r.previous_close, r.atr) == (592.71, 9.15)
    assert (r.bull.status, r.bull.triggered_at, r.bull.failed_at) == ("failed", "12:15", "14:10")
    assert r.bull.completed_at is None and r.bull.failure_level == 594.87
    assert _touches(r) == [
        ("0", "09:30", False),
        ("+0.236", "11:20", False),
        ("+0.382", "12:15", False),
    ]
    assert (r.close, r.close_source) == (596.09, "official close")  # spy_daily 2025-06-03 C
    assert (r.range_points, r.range_pct) == (5.23, 57)  # domain §10 example 2: 5.23, 57 %
    text = render_result("session_outcome", r)
    assert "bull: triggered 12:15, failed at 14:10 (fell back through 594.87)" in text


def test_spy_2023_04_18_has_only_a_daily_bar(ctx):
    r = run_tool(ctx, "session_outcome", {"symbol": "SPY", "date": "2023-04-18"})
    assert (r.previous_close, r.atr, r.bar_size) == (413.94, 5.00, "1d")
    assert (r.times_available, r.as_of, r.complete) == (False, None, True)
    assert _touches(r) == [("+0.236", None, True), ("0", None, False)]
    assert (r.open, r.high, r.low, r.close) == (415.58, 415.72, 412.78, 414.21)
    assert (r.gap.points, r.range_points, r.range_pct, r.change.points) == (1.64, 2.94, 59, 0.27)
    assert r.bull.status == r.bear.status == "not_triggered" and r.bull.triggered_at is None
    text = render_result("session_outcome", r)
    assert "times not available (daily bars only)" in text
    assert "+0.236 call trigger 415.12 (opened beyond it)" in text


def test_weekly_levels_anchor_on_the_previous_week(ctx):
    # spx_daily 2025-05-30 (a Friday) C 5911.69: the multiday previous close for 2025-06-03
    r = run_tool(ctx, "session_outcome", {"symbol": "SPX", "date": "2025-06-03", "mode": "weekly"})
    assert r.mode == "multiday" and r.previous_close == 5911.69
    assert r.previous_close_date == dt.date(2025, 5, 30)
    assert r.change.points == round(5970.37 - 5911.69, 2)
    text = render_result("session_outcome", r)
    assert "open vs the previous close +26.87 pts" in text and "multiday (weekly)" in text


def test_default_is_the_latest_session_with_data_not_the_next_one(source):
    spy = run_tool(ToolContext(source=source), "session_outcome", {"symbol": "SPY"})
    assert spy.date == dt.date(2026, 3, 9) and spy.bar_size == "5m"  # last SPY 5-minute session
    spx = run_tool(ToolContext(source=source), "session_outcome", {"symbol": "SPX"})
    assert spx.date == dt.date(2026, 2, 27) and not spx.times_available  # daily file's last row
    # 'today' a Saturday: the Friday before, never a later session
    sat = ToolContext(source=source, today=dt.date(2025, 6, 7))
    assert run_tool(sat, "session_outcome", {"symbol": "SPX"}).date == dt.date(2025, 6, 6)


class _LiveSource:
    """The shipped data as a live feed would have it at ``cut``: bars that started before it,
    and no daily bar yet for the session in progress."""

    def __init__(self, inner, cut: pd.Timestamp) -> None:
        self.inner, self.cut, self.name = inner, cut, "live stub"

    def symbols(self):
        return self.inner.symbols()

    def native_timeframes(self, symbol):
        return self.inner.native_timeframes(symbol)

    def bars(self, symbol, name):
        frame = self.inner.bars(symbol, name)
        limit = self.cut if timeframe(name).intraday else day_start(self.cut.date())
        return frame[frame.index < limit]


def test_a_session_in_progress_is_answered_as_of_its_last_bar(source):
    live = _LiveSource(source, pd.Timestamp("2025-06-03 12:20", tz="America/New_York"))
    r = run_tool(ToolContext(source=live), "session_outcome", {"symbol": "SPX"})
    assert r.date == dt.date(2025, 6, 3) and (r.as_of, r.complete, r.bars) == ("12:20", False, 34)
    # the 12:15 bar (O 5967.28 H 5972.58 L 5967.28 C 5972.10) is the last one: its close
    assert (r.close, r.close_source) == (5972.10, "last 5m bar")
    assert (r.previous_close, r.atr) == (5935.94, 90.11)
    assert (r.bull.status, r.bull.triggered_at) == ("triggered", "12:15")
    assert [t.key for t in r.touches] == ["0", "+0.236", "+0.382"]  # +0.5 came at 13:20
    assert r.high == 5972.58 and r.change.points == round(5972.10 - 5935.94, 2)
    text = render_result("session_outcome", r)
    assert "as of 12:20 ET (session in progress)" in text
    assert "bull: triggered 12:15, not completed yet (midrange 5991.63)" in text
    assert text.splitlines()[2].startswith("Last 5972.10 (last 5m bar)")


def test_render_restates_the_request_and_shows_every_key_number(ctx):
    r = run_tool(ctx, "session_outcome", {"symbol": "SPX", "date": "2025-06-03"})
    text = render_result("session_outcome", r)
    first = text.splitlines()[0]
    assert first.startswith("SPX Tue 2025-06-03 vs its day levels, as of 16:00 ET (the close)")
    assert "previous close 5935.94 (2025-06-02), ATR 90.11" in first
    for piece in (
        "gap +2.62 pts (+0.04%, +0.029 ATR; up 2.62 pts / 0.04%)",
        "Range 5929.00-5981.35: 52.35 pts = 0.581 ATR (58% of ATR)",
        "high +0.504 ATR, low -0.077 ATR",
        "Close 5970.37 (official close): +34.43 pts (+0.58%, +0.382 ATR; up 34.43 pts / 0.58%)",
        "bull: triggered 12:15, not completed (midrange 5991.63)",
        "bear: not triggered (trigger 5901.52)",
        "11:00  +0.236 call trigger 5957.21",
        "13:20  +0.5 5981.00",
    ):
        assert piece in text, piece
    assert check_grounding(text, [r.model_dump(mode="json")], "").grounded  # all from the result


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"symbol": "SPY", "date": "2025-06-07"}, "no SPY session on 2025-06-07 (a Saturday)"),
        ({"symbol": "SPY", "date": "2025-07-04"}, "(an NYSE holiday)"),
        (
            {"symbol": "SPY", "date": "2026-03-10"},
            "(after the data ends): SPY data covers 1993-01-29 to 2026-03-09",
        ),
        ({"symbol": "SPX", "date": "1950-01-03"}, "SPX data covers 1962-01-02 to 2026-02-27"),
        ({"symbol": "QQQ"}, "no data for symbol 'QQQ'"),
        ({"symbol": "SPY", "mode": "scalp"}, "scalp (4h) levels change at 13:30"),
        ({"symbol": "SPY", "date": "1993-02-03"}, "needs 15 completed 1d bars"),
    ],
)
def test_bad_requests_are_clear_errors(ctx, args, message):
    r = run_tool(ctx, "session_outcome", args)
    assert isinstance(r, ToolError) and message in r.error, r
