"""core.outcome: one session against its levels, by hand and on synthetic bars.

1. By hand from the shipped CSV rows (quoted in the comments): an SPX 5-minute session and a
   daily-only SPY session.
2. On synthetic bars (tests/core/synthetic.py: PC 4500, ATR 40) for the gate cases real data
   rarely isolates: failure, fall back then complete, opened beyond, ambiguous bars.
The naive per-bar reference over every real session is in test_outcome_reference.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from core.errors import DataError, InvalidArgumentError
from core.levels import level_grid
from core.outcome import session_outcome
from tests.core.synthetic import ATR, ET, PC, session


def _touched(out):
    """{key: ("HH:MM", at_open)} of the touched levels."""
    return {k: (f"{t.time:%H:%M}", t.at_open) for k, t in out.touches.items() if t is not None}


def _hhmm(ts):
    return None if ts is None else f"{ts:%H:%M}"


# ---- 1. by hand ----------------------------------------------------------------------------


def test_spx_2025_06_03_five_minute_session_by_hand(source):
    # spx_daily rows: 2025-05-30 C 5911.69; 2025-06-02 H 5937.40 L 5861.43 C 5935.94;
    # 2025-06-03 O 5938.56 H 5981.35 L 5929.00 C 5970.37 (the official close).
    # TR(06-02) = max(75.97, |5937.40-5911.69| = 25.71, |5861.43-5911.69| = 50.26) = 75.97;
    # ATR(05-30) = 91.19988683 (TA-Lib ATR 14); ATR(06-02) = (13 * 91.19988683 + 75.97) / 14
    # = 90.1120378 -> 90.11. Levels: +0.236 = 5935.94 + 21.26596 = 5957.20596,
    # +0.382 = 5970.36202, +0.5 = 5980.995, +0.618 = 5991.62798, -0.236 = 5914.67404,
    # -0.382 = 5901.51798.
    pc, atr = 5935.94, 90.11
    bars = source.bars("SPX", "5m").loc["2025-06-03"]
    out = session_outcome(pc, atr, level_grid(pc, atr), bars, bar_minutes=5, close=5970.37)
    # spx_5min rows (O H L C):
    # 09:30 5938.56 5941.80 5930.18 5933.42  opens above PC, its low 5930.18 <= PC: PC at 09:30
    # 10:55 5952.29 5954.39 5950.73 5954.16  highest high from 09:30 to 10:55 is 5954.39
    # 11:00 5954.21 5958.32 5954.21 5956.21  high >= 5957.20596: call trigger at 11:00
    # 12:00 5967.05 5967.44 5964.99 5965.63  highest high from 09:30 to 12:10 is 5967.44
    # 12:15 5967.28 5972.58 5967.28 5972.10  high >= 5970.36202: bull gate triggered 12:15
    # 13:15 5978.20 5980.41 5978.00 5979.74  highest high before 13:20
    # 13:20 5979.69 5981.35 5978.78 5980.21  session high, >= 5980.995: +0.5 at 13:20
    # 14:10 5966.00 5966.00 5959.26 5962.16  lowest low from 12:15 on: 5959.26 > 5957.20596
    # 10:05 5939.50 5942.14 5929.00 5936.99  session low 5929.00 > -0.236 5914.67404
    assert _touched(out) == {
        "0": ("09:30", False),
        "+0.236": ("11:00", False),
        "+0.382": ("12:15", False),
        "+0.5": ("13:20", False),
    }
    bull, bear = out.bull, out.bear
    assert (bull.status, _hhmm(bull.trigger_time), bull.trigger_bucket) == (
        "triggered",
        "12:15",
        "12",
    )
    assert bull.completion_time is None and bull.failure_time is None  # 5981.35 < 5991.62798
    assert (bull.trigger_level, bull.completion_level, bull.failure_level) == (
        5970.36,
        5991.63,
        5957.21,
    )
    assert bear.status == "not_triggered" and bear.trigger_time is None
    assert (out.open, out.high, out.low, out.close) == (5938.56, 5981.35, 5929.00, 5970.37)
    assert f"{out.as_of:%H:%M}" == "16:00" and out.bar_count == 78 and out.intraday
    # gap 5938.56 - 5935.94 = 2.62 = 0.04414 % = 0.02908 ATR
    assert (out.gap.points, out.gap.pct, out.gap.atr) == (2.62, 0.04, 0.029)
    # range 5981.35 - 5929.00 = 52.35 = 0.58096 ATR -> 58 %
    assert (out.range_points, out.range_atr, out.range_pct) == (52.35, 0.581, 58)
    # change 5970.37 - 5935.94 = 34.43 = 0.58003 % = 0.382088 ATR: closed just over the gate
    assert (out.change.points, out.change.pct, out.change.atr) == (34.43, 0.58, 0.382)
    # up (5981.35 - 5935.94) / 90.11 = 0.503940; down (5929.00 - 5935.94) / 90.11 = -0.077017
    assert (out.up_atr, out.down_atr) == (0.504, -0.077)
    assert out.close_zone == "0_to_+1"
    # +0.5 = 5980.995 rounds half up to 5981.00 at the boundary; 5970.36202 < 5970.37 is below
    assert out.above_close == [("+0.5", 5981.00), ("+0.618", 5991.63), ("+0.786", 6006.77)]
    assert out.below_close == [("+0.382", 5970.36), ("+0.236", 5957.21), ("0", 5935.94)]
    # without the official close, the last 5-minute bar's (15:55 C 5970.52) is the close
    last = session_outcome(pc, atr, level_grid(pc, atr), bars, bar_minutes=5)
    assert last.close == 5970.52 and last.change.points == 34.58


def test_spy_2023_04_18_daily_bar_by_hand(source):
    # spy_daily rows: 2023-04-14 C 412.46; 2023-04-17 H 413.96 L 411.09 C 413.94;
    # 2023-04-18 O 415.58 H 415.72 L 412.78 C 414.21 (no intraday SPY bars before 2024-02-20).
    # TR(04-17) = max(2.87, 1.50, 1.37) = 2.87; ATR(04-14) = 5.16318823 (TA-Lib);
    # ATR(04-17) = (13 * 5.16318823 + 2.87) / 14 = 4.99938907 -> 5.00 (domain §10 example 1).
    # Levels: +0.236 415.12, +0.382 415.85, +0.618 417.03, -0.236 412.76, -0.382 412.03.
    pc, atr = 413.94, 5.00
    bar = source.bars("SPY", "1d").loc["2023-04-18":"2023-04-18"]
    out = session_outcome(pc, atr, level_grid(pc, atr), bar)
    assert not out.intraday and out.bar_count == 1
    # open 415.58 >= 415.12: the call trigger at the open; the low 412.78 <= PC 413.94 but
    # > 412.76 (the put trigger, missed by 2 cents); high 415.72 < 415.85 (the bull gate)
    touched = {k: t.at_open for k, t in out.touches.items() if t is not None}
    assert touched == {"+0.236": True, "0": False}
    assert out.bull.status == out.bear.status == "not_triggered"
    # gap 1.64 = 0.39619 % = 0.328 ATR; range 2.94 = 0.588 ATR = 59 % (domain: 58.8 -> 59)
    assert (out.gap.points, out.gap.pct, out.gap.atr) == (1.64, 0.40, 0.328)
    assert (out.range_points, out.range_atr, out.range_pct) == (2.94, 0.588, 59)
    # change 414.21 - 413.94 = 0.27 = 0.065227 % = 0.054 ATR; up 1.78 / 5, down -1.16 / 5
    assert (out.change.points, out.change.pct, out.change.atr) == (0.27, 0.07, 0.054)
    assert (out.up_atr, out.down_atr) == (0.356, -0.232)
    assert out.close_zone == "0_to_+1"
    assert out.above_close[0] == ("+0.236", 415.12) and out.below_close[0] == ("0", 413.94)


# ---- 2. synthetic sessions (PC 4500, ATR 40: +0.236 4509.44, +0.382 4515.28, +0.618 4524.72)


def _synthetic(bars=None, **kw):
    frame = session(bars=bars, **kw)
    return session_outcome(PC, ATR, level_grid(PC, ATR), frame, bar_minutes=5)


def _gate_times(gate):
    return (
        gate.status,
        _hhmm(gate.trigger_time),
        _hhmm(gate.completion_time),
        _hhmm(gate.failure_time),
    )


def test_a_trigger_that_falls_back_through_the_call_trigger_fails():
    out = _synthetic(
        {"10:15": (4513.0, 4516.0, 4512.0, 4515.0), "11:20": (4512.0, 4512.5, 4509.0, 4510.0)},
        first_open=4505.0,
        quiet=(4512.0, 4513.0, 4511.0, 4512.0),
    )
    assert _gate_times(out.bull) == ("failed", "10:15", None, "11:20")
    assert out.bull.trigger_bucket == "10"


def test_falling_back_then_completing_is_completed_with_the_failure_time_kept():
    out = _synthetic(
        {
            "10:15": (4513.0, 4516.0, 4512.0, 4515.0),
            "11:20": (4512.0, 4512.5, 4509.0, 4510.0),
            "13:40": (4520.0, 4525.0, 4519.0, 4524.0),
        }
    )
    assert _gate_times(out.bull) == ("completed", "10:15", "13:40", "11:20")


def test_opening_beyond_the_midrange_is_no_gate_and_every_level_passed_is_touched_at_the_open():
    out = _synthetic(first_open=4526.0)  # above +0.618 4524.72
    assert _gate_times(out.bull) == ("opened_beyond", None, None, None)
    at_open = {k for k, t in out.touches.items() if t is not None and t.at_open}
    assert at_open == {"+0.236", "+0.382", "+0.5", "+0.618"}
    assert out.touches["0"] is None and out.low == 4511.0  # never back down to PC


def test_opening_beyond_the_trigger_triggers_at_the_open_and_its_bar_can_fail():
    # opens 4516 (>= +0.382 4515.28) and dips to 4509 (<= +0.236 4509.44) inside the first bar:
    # the open came first, so this is a failure at 09:30
    out = _synthetic({"09:30": (4516.0, 4517.0, 4509.0, 4512.0)})
    assert _gate_times(out.bull) == ("failed", "09:30", None, "09:30")
    assert out.bull.trigger_at_open and out.bull.trigger_bucket == "open"
    assert out.touches["+0.382"].at_open and not out.touches["+0.5"]


def test_a_trigger_bar_that_also_dips_is_not_a_failure_when_it_opened_below_the_trigger():
    # 10:15 opens 4512, spans 4509-4516: whether the dip came before the trigger is unknown
    out = _synthetic({"10:15": (4512.0, 4516.0, 4509.0, 4513.0)})
    assert _gate_times(out.bull) == ("triggered", "10:15", None, None)


def test_trigger_and_completion_in_one_bar_count_as_completed():
    out = _synthetic({"10:15": (4512.0, 4526.0, 4511.0, 4525.0)})
    assert _gate_times(out.bull) == ("completed", "10:15", "10:15", None)


def test_a_bar_that_both_falls_back_and_completes_is_a_completion():
    out = _synthetic(
        {"10:15": (4513.0, 4516.0, 4512.0, 4515.0), "11:00": (4512.0, 4526.0, 4508.0, 4520.0)}
    )
    assert _gate_times(out.bull) == ("completed", "10:15", "11:00", None)


def test_bear_gate_mirrors_with_lows():
    # -0.236 4490.56, -0.382 4484.72, -0.618 4475.28
    out = _synthetic(
        {"10:15": (4487.0, 4488.0, 4484.0, 4485.0), "14:05": (4485.0, 4491.0, 4484.0, 4490.0)},
        quiet=(4487.0, 4488.0, 4486.0, 4487.0),
    )
    assert _gate_times(out.bear) == ("failed", "10:15", None, "14:05")
    assert out.bull.status == "not_triggered"


def _daily(o, h, lo, c):
    index = pd.DatetimeIndex(["2024-03-13"]).tz_localize(ET)
    frame = pd.DataFrame({"open": [o], "high": [h], "low": [lo], "close": [c]}, index=index)
    return session_outcome(PC, ATR, level_grid(PC, ATR), frame)


@pytest.mark.parametrize(
    ("bar", "status"),
    [
        ((4516.0, 4520.0, 4509.0, 4512.0), "failed"),  # opened past the trigger, then dipped
        ((4512.0, 4520.0, 4509.0, 4512.0), "triggered"),  # order inside the bar unknown
        ((4516.0, 4526.0, 4509.0, 4512.0), "completed"),  # completion wins the bar
        ((4526.0, 4530.0, 4520.0, 4525.0), "opened_beyond"),
        ((4500.0, 4515.0, 4495.0, 4510.0), "not_triggered"),
    ],
)
def test_one_daily_bar_resolves_the_gate_without_times(bar, status):
    out = _daily(*bar)
    assert out.bull.status == status and not out.intraday
    assert out.bull.trigger_bucket == (
        "open" if bar[0] >= 4515.28 and status != "opened_beyond" else None
    )


def test_the_previous_close_is_touched_at_the_open_only_when_opening_exactly_on_it():
    assert _daily(4500.0, 4505.0, 4498.0, 4501.0).touches["0"].at_open
    above = _daily(4502.0, 4505.0, 4499.0, 4501.0).touches["0"]
    assert above is not None and not above.at_open
    assert _daily(4502.0, 4505.0, 4501.0, 4503.0).touches["0"] is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"atr": 0.0}, InvalidArgumentError, "ATR must be positive"),
        ({"levels": {"+0.382": 4516.0}}, InvalidArgumentError, "level \\+0.382 is 4516.0, but"),
        ({"levels": {"gate": 4515.28}}, InvalidArgumentError, "ATR fractions"),
        ({"bar_minutes": None}, InvalidArgumentError, "one daily bar, got 78 bars"),
        ({"bar_minutes": 0}, InvalidArgumentError, "bar_minutes must be a whole number"),
    ],
)
def test_bad_inputs_are_clear_errors(kwargs, error, message):
    args = {"atr": ATR, "levels": level_grid(PC, ATR), "bar_minutes": 5, **kwargs}
    with pytest.raises(error, match=message):
        session_outcome(PC, args["atr"], args["levels"], session(), bar_minutes=args["bar_minutes"])


def test_bad_bars_are_data_errors():
    two_days = pd.concat([session("2024-03-13"), session("2024-03-14")])
    with pytest.raises(InvalidArgumentError, match="more than one ET date"):
        session_outcome(PC, ATR, level_grid(PC, ATR), two_days, bar_minutes=5)
    naive = session().tz_localize(None)
    with pytest.raises(DataError, match="timezone-aware"):
        session_outcome(PC, ATR, level_grid(PC, ATR), naive, bar_minutes=5)
    broken = session()
    broken.iloc[3, 1] = np.nan
    with pytest.raises(DataError, match="non-finite"):
        session_outcome(PC, ATR, level_grid(PC, ATR), broken, bar_minutes=5)
    with pytest.raises(DataError, match="no bars"):
        session_outcome(PC, ATR, level_grid(PC, ATR), session().iloc[:0], bar_minutes=5)


def test_only_regular_hours_count():
    # a 09:25 pre-market bar at 4530 (beyond the midrange) must not make the session open there
    pre = pd.DataFrame(
        {"open": [4530.0], "high": [4531.0], "low": [4529.0], "close": [4530.0], "volume": [0.0]},
        index=pd.DatetimeIndex(["2024-03-13 09:25"]).tz_localize(ET).as_unit("ns"),
    )
    out = session_outcome(PC, ATR, level_grid(PC, ATR), pd.concat([pre, session()]), bar_minutes=5)
    assert (out.open, out.high, out.bar_count) == (4512.0, 4513.0, 78)
    assert out.bull.status == "not_triggered"
    with pytest.raises(DataError, match="no regular-hours bars"):
        session_outcome(PC, ATR, level_grid(PC, ATR), pre, bar_minutes=5)
