"""Level-to-level odds on hand-made sessions (domain §4.2) and the shared session scan."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from core.errors import InvalidArgumentError
from core.levels import grid_fractions, level_grid, level_key, session_levels
from core.levelstats import level_prices, level_to_level, scan_sessions
from core.sources import load_bars
from tests.core.synthetic import ET, combine, levels_for, session

LEVELS = levels_for(["2024-03-13"])
PC_QUIET = (4502.0, 4503.0, 4501.0, 4502.0)
"""A bar just above the previous close (4500), below the call trigger."""


def _odds(bars: pd.DataFrame, a: str, b: str, levels: pd.DataFrame = LEVELS):
    return level_to_level(bars, levels, a, b)


def test_continuation_counts_in_the_touching_bar():
    bars = session(quiet=PC_QUIET, bars={"10:00": (4508.0, 4516.0, 4507.0, 4515.0)})
    odds = _odds(bars, "+0.236", "+0.382")
    assert (odds.touched, odds.reached, odds.direction) == (1, 1, "up")
    assert odds.by_touch_bucket["10"] == (1, 1) and odds.median_minutes_to_reach == 0.0


def test_reversal_in_the_touching_bar_counts_only_when_the_open_shows_the_order():
    one_bar = session(bars={"10:00": (4505.0, 4516.0, 4499.0, 4500.0)})  # opened below +0.382
    assert (_odds(one_bar, "+0.382", "0").touched, _odds(one_bar, "+0.382", "0").reached) == (1, 0)
    gapped = session(bars={"10:00": (4516.0, 4517.0, 4499.0, 4500.0)})  # opened above it
    odds = _odds(gapped, "+0.382", "0")
    assert (odds.touched, odds.reached, odds.direction) == (1, 1, "down")
    later = session(
        bars={"10:00": (4512.0, 4516.0, 4510.0, 4512.0), "11:00": (4505.0, 4505.0, 4499.0, 4500.0)}
    )
    odds = _odds(later, "+0.382", "0")
    assert (odds.touched, odds.reached, odds.median_minutes_to_reach) == (1, 1, 60.0)
    assert odds.by_touch_bucket["10"] == (1, 1)


def test_level_equalities_count_as_touches():
    at_a = session(bars={"10:00": (4512.0, 4515.28, 4499.0, 4500.0)})  # high exactly +0.382
    assert _odds(at_a, "+0.382", "0").reached == 0  # opened below A: order unknown
    opened_at_a = session(
        bars={
            "09:55": (4512.0, 4515.0, 4511.0, 4515.28),
            "10:00": (4515.28, 4516.0, 4500.0, 4501.0),
        }
    )
    odds = _odds(opened_at_a, "+0.382", "0")
    assert (odds.touched, odds.reached) == (1, 1) and odds.by_touch_bucket["10"] == (1, 1)
    high_at_pc = session(
        quiet=(4490.0, 4495.0, 4488.0, 4490.0),
        first_open=4490.0,
        bars={"11:00": (4495.0, 4500.0, 4494.0, 4499.0)},
    )
    assert _odds(high_at_pc, "0", "+0.236").by_touch_bucket["11"] == (1, 0)


def test_previous_close_is_touched_only_when_a_bar_spans_it():
    above = session(quiet=PC_QUIET, first_open=4506.0)  # opens above PC, never comes back
    assert _odds(above, "0", "+1").touched == 0
    back = session(
        quiet=PC_QUIET,
        first_open=4506.0,
        bars={"11:00": (4501.0, 4501.0, 4499.5, 4500.5), "13:00": (4530.0, 4541.0, 4529.0, 4540.0)},
    )
    odds = _odds(back, "0", "+1")
    assert (odds.touched, odds.reached) == (1, 1) and odds.by_touch_bucket["11"] == (1, 1)
    at_open = session(quiet=PC_QUIET, first_open=4500.0)
    assert _odds(at_open, "0", "-0.236").by_touch_bucket["open"] == (1, 0)


def test_from_the_previous_close_a_same_bar_reach_needs_an_open_on_the_near_side():
    up_through = session(quiet=PC_QUIET, bars={"10:00": (4499.0, 4541.0, 4498.0, 4540.0)})
    assert _odds(up_through, "0", "+1").reached == 1
    ambiguous = session(quiet=PC_QUIET, bars={"10:00": (4501.0, 4541.0, 4499.0, 4540.0)})
    assert (_odds(ambiguous, "0", "+1").touched, _odds(ambiguous, "0", "+1").reached) == (1, 0)


def test_sessions_opening_beyond_both_levels_are_excluded():
    gap = session(first_open=4530.0, bars={"11:00": (4512.0, 4512.0, 4509.0, 4510.0)})
    cont = _odds(gap, "+0.382", "+0.618")
    assert (cont.excluded, cont.touched, cont.reached) == (1, 0, 0)
    rev = _odds(gap, "+0.382", "+0.236")  # a reversal: touched at the open, not excluded
    assert (rev.excluded, rev.touched, rev.by_touch_bucket["open"]) == (0, 1, (1, 1))


def test_level_keys_are_parsed_and_checked():
    bars = session()
    assert _odds(bars, "38.2%", "61.8%").from_level == "+0.382"
    assert _odds(bars, "-0.382", "-0.618").direction == "down"
    with pytest.raises(InvalidArgumentError, match="same level"):
        _odds(bars, "+0.382", "38.2%")
    with pytest.raises(InvalidArgumentError, match="accepted"):
        _odds(bars, "+0.4", "+0.618")


def test_level_prices_equal_the_grid_to_the_bit():
    pc = np.array([4500.0, 6025.99, 5762.48, 99.5])
    atr = np.array([40.0, 70.62, 495.13, 3.96])
    for i in range(pc.size):
        grid = level_grid(pc[i], atr[i])
        for f in grid_fractions():
            assert level_prices(pc, atr, f)[i] == grid[level_key(f)]


def test_multiday_mode_spans_the_week():
    monday = session("2024-03-11", {"15:00": (4513.0, 4516.0, 4512.0, 4515.0)})
    tuesday = session("2024-03-12", {"10:00": (4520.0, 4526.0, 4519.0, 4525.0)})
    bars = combine(monday, tuesday)
    weekly = pd.DataFrame(
        {"previous_close": [4500.0], "atr": [40.0]},
        index=pd.DatetimeIndex(["2024-03-11"]).tz_localize(ET),
    )
    week = level_to_level(bars, weekly, "+0.382", "+0.618", mode="multiday")
    assert (week.sessions, week.touched, week.reached, week.mode) == (1, 1, 1, "multiday")
    assert week.median_minutes_to_reach == pd.Timedelta("19h").total_seconds() / 60
    day = level_to_level(bars, levels_for(["2024-03-11", "2024-03-12"]), "+0.382", "+0.618")
    assert (day.sessions, day.touched, day.reached) == (2, 2, 1)
    with pytest.raises(InvalidArgumentError, match="one row per Multiday period"):
        level_to_level(bars, levels_for(["2024-03-11", "2024-03-12"]), "0", "+1", mode="week")


def test_scan_counts_sessions_without_levels():
    bars = combine(session("2024-03-12"), session("2024-03-13"))
    scan = scan_sessions(bars, LEVELS)
    assert scan.without_levels == 1 and [str(d) for d in scan.dates] == ["2024-03-13"]
    odds = level_to_level(bars, LEVELS, "+0.236", "+0.382")
    assert (odds.sessions, odds.sessions_without_levels) == (1, 1)


def test_real_weekly_levels_scan_whole_weeks(source):
    bars = source.bars("SPX", "5m")
    weekly = session_levels(load_bars(source, "SPX", "1w"))
    scan = scan_sessions(bars, weekly, mode="multiday")
    first_days = pd.DatetimeIndex(scan.dates.astype("datetime64[ns]"))
    assert 50 <= scan.pc.size <= 54 and (first_days.day_of_week <= 1).all()
    odds = level_to_level(bars, weekly, "+0.236", "+0.382", mode="multiday")
    assert 0 < odds.reached <= odds.touched <= odds.sessions


def test_result_is_json_ready():
    bars = session(quiet=PC_QUIET, bars={"10:00": (4508.0, 4516.0, 4507.0, 4515.0)})
    odds = _odds(bars, "+0.236", "+0.382")
    data = json.loads(json.dumps(odds.to_dict()))
    assert data["rate"] == 100.0 and data["by_touch_bucket"]["10"] == [1, 1]
    assert (data["first_date"], data["last_date"]) == ("2024-03-13", "2024-03-13")
