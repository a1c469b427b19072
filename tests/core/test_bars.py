"""Session-aware resampling against pandas on the real SPY 1-minute file, and bar validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.bars import make_bars, period_start, resample, timeframe, validate_bars
from core.errors import DataError, InvalidArgumentError

AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}


@pytest.fixture(scope="module")
def spy_1m(source):
    return source.bars("SPY", "1m")


def _pandas(bars, rule, **kw):
    return bars.resample(rule, **kw).agg(AGG).dropna(subset=["open"])


@pytest.mark.parametrize(
    ("tf", "rule", "kw"),
    [
        ("5m", "5min", {}),
        ("30m", "30min", {}),
        ("1h", "1h", {"offset": "30min"}),
    ],
)
def test_intraday_bins_match_pandas_anchored_at_0930(spy_1m, tf, rule, kw):
    ours = resample(spy_1m, tf, "1m")
    ref = _pandas(spy_1m, rule, **kw)
    pd.testing.assert_frame_equal(ours, ref, check_freq=False, check_names=False)


def test_4h_bins_are_0930_and_1330_local_across_dst(spy_1m):
    # pandas' 4h grid is fixed in absolute time and slides an hour at DST, so group by wall clock
    local = spy_1m.index.tz_localize(None)
    minutes = (local.hour * 60 + local.minute - 570) // 240
    ref = spy_1m.groupby([local.normalize(), minutes]).agg(AGG)
    ours = resample(spy_1m, "4h", "1m")
    np.testing.assert_allclose(ours.to_numpy(), ref.to_numpy())
    assert {t.strftime("%H:%M") for t in ours.index} == {"09:30", "13:30"}
    assert len(ours) == 2 * 63


def test_hourly_bins_start_0930_on_both_sides_of_dst(spy_1m):
    hourly = resample(spy_1m, "1h", "1m")
    starts = {t.strftime("%H:%M") for t in hourly.index}
    assert starts == {"09:30", "10:30", "11:30", "12:30", "13:30", "14:30", "15:30"}
    around_dst = hourly.loc["2024-03-08":"2024-03-11"]
    assert [t.utcoffset().total_seconds() / 3600 for t in around_dst.index[[0, -1]]] == [-5, -4]
    assert len(around_dst) == 14  # 7 bars a session, Friday and Monday


def test_daily_weekly_monthly_match_calendar_groupby(spy_1m):
    local = spy_1m.index.tz_localize(None)
    daily = resample(spy_1m, "1d", "1m")
    ref = spy_1m.groupby(local.normalize()).agg(AGG)
    np.testing.assert_allclose(daily.to_numpy(), ref.to_numpy())
    assert len(daily) == 63
    weekly = resample(spy_1m, "1w", "1m")
    monday = local.normalize() - pd.to_timedelta(local.day_of_week, unit="D")
    ref_w = spy_1m.groupby(monday).agg(AGG)
    np.testing.assert_allclose(weekly.to_numpy(), ref_w.to_numpy())
    assert all(t.weekday() == 0 for t in weekly.index)
    monthly = resample(daily, "1mo", "1d")
    ref_m = daily.groupby([daily.index.year, daily.index.month]).agg(AGG)
    np.testing.assert_allclose(monthly.to_numpy(), ref_m.to_numpy())
    assert [t.day for t in monthly.index] == [1, 1, 1, 1]


def test_quarter_and_year_labels(source):
    daily = source.bars("SPX", "1d")
    quarters = resample(daily, "1q", "1d")
    q3 = quarters.loc["2024-07-01"]
    sep = daily.loc["2024-07-01":"2024-09-30"]
    assert q3["close"] == sep["close"].iloc[-1] == 5762.48  # domain §10 ex. 3: PC of Q4 2024
    assert q3["high"] == sep["high"].max()
    years = resample(daily, "1y", "1d")
    assert years.index[0].strftime("%Y-%m-%d") == "1962-01-01"


def test_extended_hours_bars_are_dropped_before_intraday_resampling():
    idx = pd.DatetimeIndex(
        ["2024-03-01 09:25", "2024-03-01 09:30", "2024-03-01 15:59", "2024-03-01 16:00"]
    ).tz_localize("America/New_York")
    px = np.array([1.0, 2.0, 3.0, 4.0])
    bars = make_bars(idx, {"open": px, "high": px, "low": px, "close": px, "volume": px})
    out = resample(bars, "1d", "1m")
    assert out["open"].iloc[0] == 2.0 and out["close"].iloc[0] == 3.0 and out["volume"].iloc[0] == 5


def test_cannot_resample_to_a_finer_or_misaligned_size(spy_1m):
    with pytest.raises(InvalidArgumentError, match="cannot build 5m bars from 1d"):
        resample(spy_1m, "5m", "1d")
    with pytest.raises(InvalidArgumentError, match="whole multiple"):
        resample(spy_1m, "3m", "5m")


def test_unknown_timeframe_lists_accepted():
    with pytest.raises(InvalidArgumentError, match="accepted: 1m, 2m"):
        timeframe("7h")
    assert timeframe("weekly").name == "1w" and timeframe("1M").name == "1mo"


def test_period_start_of_a_moment():
    ts = pd.Timestamp("2024-03-13 14:05", tz="America/New_York")
    assert str(period_start(ts, "4h")) == "2024-03-13 13:30:00-04:00"
    assert str(period_start(ts, "1w")) == "2024-03-11 00:00:00-04:00"
    with pytest.raises(InvalidArgumentError, match="outside regular hours"):
        period_start(pd.Timestamp("2024-03-13 17:00", tz="America/New_York"), "1h")


def _frame(**cols):
    idx = pd.date_range("2024-01-02", periods=3, freq="D", tz="America/New_York")
    base = {
        "open": [10.0, 10, 10],
        "high": [11.0, 11, 11],
        "low": [9.0, 9, 9],
        "close": [10.0, 10, 10],
        "volume": [1.0, 1, 1],
    }
    base.update(cols)
    return make_bars(idx, {k: np.array(v) for k, v in base.items()})


@pytest.mark.parametrize(
    ("cols", "rule"),
    [
        ({"low": [9.0, 10.5, 9]}, "low <= min(open, close)"),
        ({"high": [11.0, 11, 9.5]}, "high >= max(open, close)"),
        ({"open": [10.0, -1, 10], "low": [9.0, -2, 9]}, "prices must be positive"),
        ({"close": [10.0, np.nan, 10]}, "prices must be numbers"),
        ({"volume": [1.0, -5, 1]}, "volume must be a number >= 0"),
    ],
)
def test_validation_names_source_row_and_rule(cols, rule):
    with pytest.raises(
        DataError, match=rf"test.csv: row \d+ .*{rule.replace('(', '.').replace(')', '.')}"
    ):
        validate_bars(_frame(**cols), "test.csv")


def test_validation_rejects_unsorted_and_duplicate_timestamps():
    bars = _frame()
    with pytest.raises(DataError, match="sorted ascending"):
        validate_bars(bars.iloc[[0, 2, 1]], "x")
    with pytest.raises(DataError, match="unique"):
        validate_bars(bars.iloc[[0, 1, 1]], "x")


def test_naive_timestamps_are_refused():
    with pytest.raises(DataError, match="timezone-aware"):
        make_bars(
            pd.DatetimeIndex(["2024-01-02"]),
            {c: np.ones(1) for c in ("open", "high", "low", "close", "volume")},
        )
