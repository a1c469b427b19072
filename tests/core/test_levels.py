"""ATR levels against the domain spec's worked examples (§10) and hand-checked real sessions."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DateOutOfRangeError, InvalidArgumentError
from core.levels import (
    compute_levels,
    grid_fractions,
    level_grid,
    mode,
    nearest_levels,
    parse_level_key,
    round_half_up,
    round_half_up_array,
    round_price,
    zone,
)
from core.ta import atr

TOL = 1e-9


def test_grid_has_37_levels_ascending_and_symmetric():
    grid = level_grid(4500, 40)
    assert len(grid) == 37 == len(grid_fractions())
    values = list(grid.values())
    assert values == sorted(values)
    assert grid["0"] == 4500


@pytest.mark.parametrize(
    ("key", "expected"),
    [  # domain §10 example 4: PC 4500, ATR 40
        ("+0.236", 4509.44),
        ("-0.236", 4490.56),
        ("+0.382", 4515.28),
        ("-0.382", 4484.72),
        ("+0.618", 4524.72),
        ("-0.618", 4475.28),
        ("+0.786", 4531.44),
        ("-0.786", 4468.56),
        ("+1.236", 4549.44),
        ("-1.236", 4450.56),
        ("+1.618", 4564.72),
        ("-1.618", 4435.28),
        ("+1.786", 4571.44),
        ("-1.786", 4428.56),
        ("+2.382", 4595.28),
        ("-2.382", 4404.72),
        ("+2.786", 4611.44),
        ("-2.786", 4388.56),
        ("+3", 4620.0),
        ("-3", 4380.0),
    ],
)
def test_example_4_grid(key, expected):
    assert level_grid(4500, 40)[key] == pytest.approx(expected, abs=TOL)


def test_example_1_spy_2023_04_18():
    grid = level_grid(413.94, 5.00)
    expected = {
        "-1": 408.94,
        "-0.786": 410.01,
        "-0.618": 410.85,
        "-0.5": 411.44,
        "-0.382": 412.03,
        "-0.236": 412.76,
        "+0.236": 415.12,
        "+0.382": 415.85,
        "+0.5": 416.44,
        "+0.618": 417.03,
        "+0.786": 417.87,
        "+1": 418.94,
    }
    for key, value in expected.items():
        assert round_price(grid[key]) == value, key


def test_example_2_spy_2025_06_03_exact_decimals():
    grid = level_grid(592.71, 9.16)
    exact = {
        "+0.236": 594.87176,
        "-0.236": 590.54824,
        "+0.382": 596.20912,
        "-0.382": 589.21088,
        "+0.618": 598.37088,
        "-0.618": 587.04912,
        "+1": 601.87,
        "-1": 583.55,
    }
    for key, value in exact.items():
        assert grid[key] == pytest.approx(value, abs=TOL), key


def test_example_3_spx_position_rounding_half_up():
    grid = level_grid(5762.48, 495.13)
    assert grid["+0.236"] == pytest.approx(5879.33068, abs=TOL)
    assert grid["-0.236"] == pytest.approx(5645.62932, abs=TOL)
    assert grid["+0.5"] == pytest.approx(6010.045, abs=TOL)
    assert round_price(grid["+0.5"]) == 6010.05
    assert round_price(grid["-0.5"]) == 5514.92
    assert grid["+0.618"] == pytest.approx(6068.47034, abs=TOL)
    assert round_price(grid["+1"]) == 6257.61 and round_price(grid["-1"]) == 5267.35


def _bars(rows):
    index = pd.date_range("2024-01-01", periods=len(rows), freq="D", tz="America/New_York")
    h, lo, c = (np.array(col, dtype=float) for col in zip(*rows, strict=True))
    return pd.DataFrame({"open": c, "high": h, "low": lo, "close": c, "volume": 0.0}, index=index)


EX5 = [
    (102, 98, 100),
    (104, 99, 103),
    (103.5, 100.5, 101),
    (101.5, 97, 98),
    (99, 95.5, 96),
    (100, 96.5, 99.5),
    (101, 99, 100.25),
]


def test_example_5_previous_close_mode():
    bars = _bars(EX5)
    ls = compute_levels(bars, bars.index[-1], "day", atr_length=3)
    assert ls.previous_close == 99.5
    assert ls.atr_unrounded == pytest.approx(107 / 27, abs=TOL)
    assert ls.atr == 3.96
    assert ls.levels["+0.236"] == pytest.approx(100.43456, abs=TOL)
    assert ls.levels["-0.236"] == pytest.approx(98.56544, abs=TOL)
    assert ls.levels["+0.382"] == pytest.approx(101.01272, abs=TOL)
    assert ls.levels["+0.618"] == pytest.approx(101.94728, abs=TOL)
    assert ls.levels["+1"] == pytest.approx(103.46, abs=TOL)
    assert ls.levels["-1"] == pytest.approx(95.54, abs=TOL)
    assert ls.range == 2 and ls.range_pct == 51 and ls.range_color == "green"


def test_example_5_current_close_mode():
    bars = _bars(EX5)
    ls = compute_levels(bars, bars.index[-1], "day", atr_length=3, use_current_close=True)
    assert ls.previous_close == 100.25
    assert ls.atr_unrounded == pytest.approx(268 / 81, abs=TOL)
    assert ls.atr == 3.31
    assert ls.levels["+1"] == pytest.approx(103.56, abs=TOL)
    assert ls.levels["-1"] == pytest.approx(96.94, abs=TOL)
    assert ls.range_pct == 60


def test_pre_market_period_has_no_range():
    bars = _bars(EX5)
    after = bars.index[-1] + pd.Timedelta(days=1)
    ls = compute_levels(bars, after, "day", atr_length=3)
    assert ls.previous_close == 100.25 and ls.range is None and ls.range_pct is None


def test_too_little_history_is_a_clear_error():
    bars = _bars(EX5)
    with pytest.raises(DateOutOfRangeError, match="needs 15 completed 1d bars"):
        compute_levels(bars, bars.index[-1], "day")


def test_round_half_up_is_away_from_zero_on_the_decimal():
    assert round_half_up(9.165) == 9.17  # 9.165 * 100 is 916.4999... in binary
    assert round_half_up(-9.165) == -9.17
    assert round_half_up(2.675) == 2.68
    assert round_half_up(50.505, 0) == 51


def test_mode_aliases_and_unknown_mode():
    assert mode("weekly").name == "multiday"
    assert mode("Long-term").name == "longterm"
    assert mode("4h").timeframe == "4h"
    with pytest.raises(InvalidArgumentError, match="accepted: scalp, day"):
        mode("hourly")
    with pytest.raises(InvalidArgumentError, match="Did you mean 'swing'"):
        mode("swng")


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("+38.2%", "+0.382"),
        ("-23.6%", "-0.236"),
        ("0.618", "+0.618"),
        ("-1", "-1"),
        ("161.8%", "+1.618"),
        ("0", "0"),
        ("+300%", "+3"),
    ],
)
def test_parse_level_key(text, key):
    assert parse_level_key(text) == key


def test_parse_level_key_rejects_off_grid():
    with pytest.raises(InvalidArgumentError, match="not on the grid"):
        parse_level_key("0.3")
    with pytest.raises(InvalidArgumentError, match="not a number"):
        parse_level_key("golden")


@pytest.mark.parametrize(
    ("price", "expected"),
    [
        (4581, "above_+2"),
        (4580, "+1_to_+2"),
        (4540, "0_to_+1"),
        (4500.01, "0_to_+1"),
        (4500, "-1_to_0"),
        (4460, "-2_to_-1"),
        (4420, "below_-2"),
    ],
)
def test_zone_boundaries(price, expected):
    assert zone(price, 4500, 40) == expected


def test_nearest_levels_are_strict():
    above, below = nearest_levels(level_grid(4500, 40), 4515.28)
    assert [k for k, _ in above] == ["+0.5", "+0.618", "+0.786"]
    assert [k for k, _ in below] == ["+0.236", "0", "-0.236"]


def test_vectorised_rounding_equals_the_decimal_rounding(source):
    daily = source.bars("SPX", "1d")
    values = atr(daily["high"], daily["low"], daily["close"])[14:]
    fast = round_half_up_array(values)
    slow = np.array([round_half_up(v) for v in values])
    np.testing.assert_array_equal(fast, slow)
    edge = np.array([9.165, -9.165, 2.675, 6010.044999999999, 0.004999, 1.0])
    assert list(round_half_up_array(edge)) == [9.17, -9.17, 2.68, 6010.05, 0.0, 1.0]
