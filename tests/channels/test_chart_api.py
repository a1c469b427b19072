"""GET /api/chart/{symbol}: the dashboard chart's candles, levels, ribbon EMAs and phase
oscillator. Expected values are computed here independently of the app: candles by grouping the
shipped five-minute CSV with pandas, EMAs and the oscillator with pandas' ``ewm``, chart times
with ``calendar.timegm`` on the Eastern wall clock, and levels from domain.md §10's worked
examples or ``python -m eval.calltool atr_levels`` output."""

from __future__ import annotations

import calendar
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from integrations.marketdata.files import samples_dir
from tests.channels.conftest import World

SPX_5M = samples_dir() / "spx_5min_rth_2025-02-10_2026-02-13.csv"


def wall(*parts: int) -> int:
    """Return the chart time of an Eastern wall-clock moment: those digits read as UTC."""
    return calendar.timegm(dt.datetime(*parts).timetuple())


@pytest.fixture(scope="module")
def spx_5m() -> pd.DataFrame:
    """The shipped SPX five-minute bars, indexed by their Eastern wall-clock start (naive)."""
    raw = pd.read_csv(SPX_5M)
    stamps = pd.to_datetime(raw["timestamp"].str.slice(0, 19))  # drop the offset: wall clock
    return raw.drop(columns="timestamp").set_index(stamps)


def hourly(bars: pd.DataFrame) -> pd.DataFrame:
    """Return 1h bars anchored at 09:30 (09:30, 10:30 … 15:30), by plain pandas grouping."""
    minutes = bars.index.hour * 60 + bars.index.minute
    slot = (minutes - 570) // 60
    label = bars.index.normalize() + pd.to_timedelta(570 + slot * 60, unit="min")
    grouped = bars.groupby(label)
    return pd.DataFrame(
        {
            "open": grouped["open"].first(),
            "high": grouped["high"].max(),
            "low": grouped["low"].min(),
            "close": grouped["close"].last(),
        }
    )


def get(world: World, path: str, user: str = "alice"):
    return world.client.get(path, headers=world.auth(user))


def test_hourly_candles_match_the_five_minute_csv_grouped_by_hand(world: World, spx_5m):
    response = get(world, "/api/chart/SPX?tf=1h&bars=50")
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["symbol"] == "SPX" and data["timeframe"] == "1h" and len(data["candles"]) == 50
    want = hourly(spx_5m)
    by_time = {c["time"]: c for c in data["candles"]}
    candle = by_time[wall(2026, 2, 13, 10, 30)]  # 10:30 ET, not 15:30 UTC
    row = want.loc[pd.Timestamp("2026-02-13 10:30")]
    for key in ("open", "high", "low", "close"):
        assert candle[key] == pytest.approx(row[key], abs=1e-9), key
    last = data["candles"][-1]
    assert last["time"] == wall(2026, 2, 13, 15, 30)  # the half bar 15:30-16:00
    assert last["close"] == pytest.approx(spx_5m["close"].iloc[-1])


def test_ribbon_and_phase_oscillator_match_pandas_ewm(world: World, spx_5m):
    data = get(world, "/api/chart/SPX?tf=1h&bars=20").json()
    close = hourly(spx_5m)["close"]
    bars = hourly(spx_5m)
    for n in (8, 21, 48, 200):
        want = close.ewm(span=n, adjust=False).mean().iloc[-1]  # seeds differ; 1776 bars decay it
        assert data["ribbon"][f"ema{n}"][-1]["value"] == pytest.approx(want, abs=1e-3), n
    assert [p["time"] for p in data["ribbon"]["ema8"]] == [c["time"] for c in data["candles"]]
    prev = bars["close"].shift()
    tr = pd.concat(
        [bars["high"] - bars["low"], (bars["high"] - prev).abs(), (bars["low"] - prev).abs()],
        axis=1,
    ).max(axis=1)
    atr = tr.iloc[1:].ewm(alpha=1 / 14, adjust=False).mean()
    raw = (close - close.ewm(span=21, adjust=False).mean()) / (3 * atr) * 100
    po = raw.dropna().ewm(span=3, adjust=False).mean()
    assert data["phase"][-1]["value"] == pytest.approx(po.iloc[-1], abs=1e-2)
    assert data["phase"][-1]["color"] in ("green", "red", "magenta")
    assert data["phase_lines"] == [100, 61.8, 23.6, 0, -23.6, -61.8, -100]


def test_latest_session_levels_are_labelled_as_the_levels_tool_gives_them(world: World):
    data = get(world, "/api/chart/SPX?tf=5m").json()
    levels = data["levels"]
    # python -m eval.calltool atr_levels '{"symbol": "SPX", "date": "2026-02-13"}':
    # previous_close 6832.76, atr 82.56, "+0.236": 6852.24, "-0.236": 6813.28
    assert levels["session"] == "2026-02-13"
    assert (levels["previous_close"], levels["atr"]) == (6832.76, 82.56)
    lines = {line["key"]: line for line in levels["lines"]}
    assert lines["+0.236"]["label"] == "call trigger +0.236 6852.24"
    assert lines["-0.236"]["price"] == 6813.28
    assert lines["0"]["label"] == "previous close 6832.76"
    assert list(lines) == [
        "-1", "-0.786", "-0.618", "-0.5", "-0.382", "-0.236", "0",
        "+0.236", "+0.382", "+0.5", "+0.618", "+0.786", "+1",
    ]  # fmt: skip
    assert data["candles"][-1]["time"] == wall(2026, 2, 13, 15, 55)


def test_worked_examples_of_domain_section_10(world: World):
    """§10.1 SPY Day 2023-04-18 (PC 413.94, ATR 5.00) and §10.3 SPX Position 2024-11-01 (PC
    5762.48, ATR 495.13), asked as the chart stood during those sessions."""
    spy = get(world, "/api/chart/SPY?tf=D&until=2023-04-18T11:00:00-04:00").json()
    lv = spy["levels"]
    assert (lv["session"], lv["previous_close"], lv["atr"]) == ("2023-04-18", 413.94, 5.0)
    prices = {line["key"]: line["price"] for line in lv["lines"]}
    assert prices == {
        "-1": 408.94, "-0.786": 410.01, "-0.618": 410.85, "-0.5": 411.44, "-0.382": 412.03,
        "-0.236": 412.76, "0": 413.94, "+0.236": 415.12, "+0.382": 415.85, "+0.5": 416.44,
        "+0.618": 417.03, "+0.786": 417.87, "+1": 418.94,
    }  # fmt: skip
    assert spy["candles"][-1]["time"] == wall(2023, 4, 17, 0, 0)  # no SPY 5m bars in 2023
    spx = get(world, "/api/chart/SPX?tf=W&mode=position&until=2024-11-01T10:41").json()
    lv = spx["levels"]
    assert (lv["previous_close"], lv["atr"]) == (5762.48, 495.13)
    assert lv["period_start"].startswith("2024-10-01")  # Q4 2024: the close of Q3 anchors it
    prices = {line["key"]: line["price"] for line in lv["lines"]}
    assert (prices["+0.236"], prices["-0.236"]) == (5879.33, 5645.63)
    assert (prices["+0.5"], prices["-0.5"]) == (6010.05, 5514.92)  # 6010.045 rounds half up
    assert (prices["+1"], prices["-1"]) == (6257.61, 5267.35)


def test_until_shows_the_session_as_it_stood_then(world: World, spx_5m):
    """At 10:07 ET on 2026-02-12 the 1h bar in progress holds the 5m bars 09:30-10:00 (ended by
    10:05), the daily candle the same, and the levels are that session's."""
    until = "2026-02-12T10:07:00-05:00"
    hour = get(world, f"/api/chart/SPX?tf=1h&until={until.replace('+', '%2B')}").json()
    part = spx_5m.loc["2026-02-12 09:30":"2026-02-12 10:00"]
    want = {
        "time": wall(2026, 2, 12, 9, 30),
        "open": part["open"].iloc[0],
        "high": part["high"].max(),
        "low": part["low"].min(),
        "close": part["close"].iloc[-1],
    }
    assert hour["candles"][-1] == pytest.approx(want)
    day = get(world, f"/api/chart/SPX?tf=D&until={until}").json()
    assert day["candles"][-1] == pytest.approx({**want, "time": wall(2026, 2, 12, 0, 0)})
    daily = pd.read_csv(samples_dir() / "spx_daily_1962-01-02_2026-02-27.csv", index_col=0)
    assert hour["levels"]["session"] == day["levels"]["session"] == "2026-02-12"
    assert hour["levels"]["previous_close"] == daily.loc["2026-02-11", "close"]
    five = get(world, f"/api/chart/SPX?tf=5m&until={until}").json()
    assert five["candles"][-1]["time"] == wall(2026, 2, 12, 10, 0)  # 10:05 has not ended


def test_summer_bars_are_labelled_with_eastern_daylight_time(world: World, spx_5m):
    data = get(world, "/api/chart/SPX?tf=5m&bars=10&until=2025-07-01T11:00:00-04:00").json()
    assert data["candles"][-1]["time"] == wall(2025, 7, 1, 10, 55)  # 14:55 UTC
    assert data["candles"][-1]["open"] == spx_5m.loc["2025-07-01 10:55", "open"]
    scalp = get(world, "/api/chart/SPX?tf=5m&mode=scalp&until=2025-07-01T14:00:00-04:00").json()
    assert scalp["levels"]["period_start"] == "2025-07-01T13:30:00-04:00"
    four = hourly(spx_5m)  # the 09:30-13:30 4h bar's close anchors the 13:30 period
    assert scalp["levels"]["previous_close"] == four.loc["2025-07-01 12:30", "close"]


def test_bad_input_is_a_4xx_that_says_what_is_accepted(world: World):
    bad_tf = get(world, "/api/chart/SPX?tf=2m")
    assert bad_tf.status_code == 422
    assert bad_tf.json()["error"] == "unknown timeframe '2m'; accepted: 5m, 1h, 4h, D, W"
    bad_mode = get(world, "/api/chart/SPX?mode=hourly")
    assert bad_mode.status_code == 422 and "accepted: scalp, day, multiday" in bad_mode.text
    unknown = get(world, "/api/chart/QQQ")
    assert unknown.status_code == 404 and "available: SPX, SPY" in unknown.text
    assert get(world, "/api/chart/SPX?bars=5").status_code == 422
    assert get(world, "/api/chart/SPX?bars=2001").status_code == 422
    early = get(world, "/api/chart/SPX?tf=1h&until=2020-01-02T10:00")
    assert early.status_code == 404 and "no SPX 1h bars before 2020-01-02 10:00 ET" in early.text
    assert world.client.get("/api/chart/SPX").status_code == 401


def test_every_role_may_read_it_and_lowercase_sizes_work(world: World):
    data = get(world, "/api/chart/spx?tf=w&bars=10", user="vera").json()
    assert data["timeframe"] == "W" and len(data["candles"]) == 10
    times = np.diff([c["time"] for c in data["candles"]])
    assert set(times.tolist()) <= {7 * 86400, 14 * 86400}  # Mondays at 00:00
