"""The live engine's integer Eastern clock agrees with pandas' time-zone conversion, across both
DST transitions and batches that straddle them, and the firing odds kept per session equal a
fresh computation."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from integrations.alerts.batchclock import EasternClock, Moments, day_of, minute_of_day
from integrations.alerts.odds import SetupOdds


def _pandas_local(utc: np.ndarray) -> np.ndarray:
    stamps = pd.DatetimeIndex(utc, tz="UTC").tz_convert("America/New_York")
    return stamps.tz_localize(None).as_unit("ns").asi8


def test_local_times_match_pandas_across_dst():
    clock = EasternClock()
    rng = np.random.default_rng(5)
    for start in ("2025-03-09 05:00", "2025-11-02 04:30", "2026-02-13 14:30", "2024-03-10 06:59"):
        first = pd.Timestamp(start, tz="UTC").value
        for _ in range(20):  # batches of up to 3 hours, some across the 2 am change
            utc = np.sort(first + rng.integers(0, 3 * 3600 * 10**9, size=50))
            assert (clock.local(utc) == _pandas_local(utc)).all(), start
            first = int(utc[-1])


def test_days_minutes_and_moments():
    utc = np.array([pd.Timestamp("2026-02-13 14:30:05", tz="UTC").value])
    local = EasternClock().local(utc)
    assert day_of(int(local[0])) == dt.date(2026, 2, 13)
    assert int(minute_of_day(local)[0]) == 9 * 60 + 30  # 09:30 ET
    moment = Moments(utc)[0]
    assert moment == pd.Timestamp("2026-02-13 09:30:05", tz="America/New_York")


def test_kept_odds_equal_a_fresh_computation(source):
    kept = SetupOdds(source)
    day = dt.date(2026, 2, 12)
    kept.warm("SPX", day, "+0.382", "up")
    kept.warm("SPX", day, "-0.236", "down")
    for key, way, minute in (("+0.382", "up", 13 * 60 + 5), ("-0.236", "down", 600)):
        fresh = SetupOdds(source).sentence("SPX", day, key, way, minute)
        assert kept.sentence("SPX", day, key, way, minute) == fresh
        assert "%" in fresh  # the history holds such touches: a sentence with a rate
