"""core.counts against an independent computation: a per-session Python loop over the CSV text in
exact decimals, with TA-Lib's ATR and the domain's rounding (2 decimals, half away from zero),
on every SPX and SPY daily session; plus sessions checked by hand from the CSV rows."""

from __future__ import annotations

import csv
import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from core.counts import average_true_range, count_sessions
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from integrations.marketdata.files import samples_dir

FILES = {
    "SPY": "spy_daily_1993-01-29_2026-02-12.csv",
    "SPX": "spx_daily_1962-01-02_2026-02-27.csv",
}
CENT = Decimal("0.01")


@dataclass
class Csv:
    """One daily CSV: dates as text, prices as exact decimals from the file's text."""

    dates: list[str]
    o: list[Decimal]
    h: list[Decimal]
    lo: list[Decimal]
    c: list[Decimal]

    def frame(self) -> pd.DataFrame:
        index = pd.DatetimeIndex(self.dates).tz_localize("America/New_York")
        cols = {"open": self.o, "high": self.h, "low": self.lo, "close": self.c}
        return pd.DataFrame({k: [float(x) for x in v] for k, v in cols.items()}, index=index)


def load_csv(symbol: str, folder: Path | None = None) -> Csv:
    """Return the shipped daily CSV of ``symbol`` read as text (no pandas parsing)."""
    with open((folder or samples_dir()) / FILES[symbol], newline="") as f:
        rows = list(csv.DictReader(f))
    return Csv(
        [r["timestamp"] for r in rows],
        *([Decimal(r[k]) for r in rows] for k in ("open", "high", "low", "close")),
    )


def naive_levels(data: Csv) -> list[tuple[Decimal, Decimal] | None]:
    """Per session: (previous close, ATR rounded half away from zero) or None in the warm-up.
    Session t uses TA-Lib's ATR(14) at t-1 (which holds t-1's true range) and close[t-1]."""
    floats = [np.array([float(x) for x in col]) for col in (data.h, data.lo, data.c)]
    atr = talib.ATR(*floats, timeperiod=14)
    out: list[tuple[Decimal, Decimal] | None] = [None]
    for t in range(1, len(data.dates)):
        a = atr[t - 1]
        if math.isnan(a):
            out.append(None)
            continue
        rounded = Decimal(f"{a:.9f}").quantize(CENT, rounding=ROUND_HALF_UP)
        out.append((data.c[t - 1], rounded))
    return out


def naive_hit(
    event: str, k: Decimal, side: str, ohlc: tuple[Decimal, ...], pc: Decimal, atr: Decimal
) -> bool:
    """The event rule for one session, in exact decimals (level = PC + k·ATR)."""
    o, h, lo, c = ohlc
    if event == "close_inside":
        return pc - k * atr < c < pc + k * atr
    if event == "open_beyond":
        above, below = o >= pc + k * atr, o <= pc - k * atr
        return above if side == "above" else below if side == "below" else above or below
    level = pc + k * atr
    if event == "close_above":
        return c > level
    if event == "close_below":
        return c < level
    if k > 0:
        return h >= level
    if k < 0:
        return lo <= level
    return lo <= pc <= h


def naive_count(
    data: Csv,
    levels: list[tuple[Decimal, Decimal] | None],
    event: str,
    level: str,
    side: str = "either",
    start: str = "0000",
    end: str = "9999",
) -> tuple[list[str], int]:
    """Return (matching dates, sessions with levels) in ``start``..``end`` (ISO text, inclusive)."""
    k = Decimal(level)
    dates, n = [], 0
    for t, day in enumerate(data.dates):
        if not start <= day <= end or levels[t] is None:
            continue
        pc, atr = levels[t]  # type: ignore[misc]
        n += 1
        ohlc = (data.o[t], data.h[t], data.lo[t], data.c[t])
        if naive_hit(event, k, side, ohlc, pc, atr):
            dates.append(day)
    return dates, n


@pytest.fixture(scope="module", params=["SPX", "SPY"])
def market(request):
    data = load_csv(request.param)
    return request.param, data, data.frame(), naive_levels(data)


CASES = [
    *(
        (event, level, "either")
        for event in ("close_above", "close_below", "touch")
        for level in ("0", "0.236", "-0.236", "0.5", "-0.5", "1", "-1", "2", "-1.618")
    ),
    *(("close_inside", level, "either") for level in ("0.236", "0.382", "0.5", "1")),
    *(
        ("open_beyond", level, side)
        for level in ("0.236", "0.382", "0.618", "1")
        for side in ("above", "below", "either")
    ),
]


def test_every_event_on_every_session_matches_the_naive_loop(market):
    symbol, data, frame, levels = market
    for event, level, side in CASES:
        r = count_sessions(frame, event, float(level), side=side)
        dates, n = naive_count(data, levels, event, level, side)
        assert [d.isoformat() for d in r.dates] == dates, (symbol, event, level, side)
        assert (r.count, r.sessions, r.excluded) == (len(dates), n, 15)
        assert r.share_pct == float(
            (Decimal(100 * len(dates)) / n).quantize(Decimal("0.1"), ROUND_HALF_UP)
        )


def test_a_year_range_matches_the_naive_loop_with_inclusive_ends(market):
    symbol, data, frame, levels = market
    for event, level, side in [("touch", "1", "either"), ("close_above", "0.236", "either")]:
        r = count_sessions(
            frame, event, float(level), start=dt.date(2025, 1, 2), end=dt.date(2025, 12, 31)
        )
        dates, n = naive_count(data, levels, event, level, side, "2025-01-02", "2025-12-31")
        assert [d.isoformat() for d in r.dates] == dates and r.sessions == n
        assert r.first_session == dt.date(2025, 1, 2) and r.last_session == dt.date(2025, 12, 31)
        assert r.excluded == 0 and r.gaps == ()


def test_spy_2017_05_15_closes_exactly_at_plus_one_atr():
    # spy_daily rows:
    #   2017-05-11,239.35,239.57,238.13,239.38,...
    #   2017-05-12,239.09,239.43,238.67,238.98,...
    #   2017-05-15,239.47,240.44,239.45,240.3,...
    # TR(05-12) = max(0.76, |239.43-239.38|, |238.67-239.38|) = 0.76; TA-Lib ATR(05-11) 1.36504041
    # ATR(05-12) = (13 * 1.36504041 + 0.76) / 14 = 1.32182324 -> 1.32; PC 238.98.
    # +1 ATR = 238.98 + 1.32 = 240.30 = the close (in floats 240.29999999999998): not above it,
    # not below it; the high 240.44 touched it. +0.5 = 239.64: closed above.
    frame = load_csv("SPY").frame()
    day = dt.date(2017, 5, 15)

    def hit(event: str, level: float) -> bool:
        return count_sessions(frame, event, level, start=day, end=day).count == 1

    assert not hit("close_above", 1) and not hit("close_below", 1)
    assert hit("touch", 1) and hit("close_above", 0.5)
    assert hit("close_inside", 1.236) and not hit("close_inside", 1)


def test_spx_2025_04_07_gap_down_session_by_hand():
    # spx_daily rows:
    #   2025-04-03,5492.74,5499.53,5390.83,5396.52,...
    #   2025-04-04,5292.14,5292.14,5069.90,5074.08,...
    #   2025-04-07,4953.79,5246.57,4835.04,5062.25,...
    # TR(04-04) = max(222.24, |5292.14-5396.52| = 104.38, |5069.90-5396.52| = 326.62) = 326.62;
    # TA-Lib ATR(04-03) 109.40350348 -> ATR(04-04) = (13 * 109.40350348 + 326.62) / 14
    # = 124.91896751 -> 124.92; PC 5074.08.
    # -0.382 = 5026.35856, -0.618 = 4996.87944, -1 = 4949.16, -2 = 4824.24, ±0.236 = 5044.59888 /
    # 5103.56112. Open 4953.79 is below -0.618 but above -1; low 4835.04 reached -1, not -2;
    # close 5062.25 is inside ±0.236.
    frame = load_csv("SPX").frame()
    day = dt.date(2025, 4, 7)

    def hit(event: str, level: float, side: str = "either") -> bool:
        return count_sessions(frame, event, level, side=side, start=day, end=day).count == 1

    assert hit("open_beyond", 0.618, "below") and hit("open_beyond", 0.618)
    assert not hit("open_beyond", 0.618, "above") and not hit("open_beyond", 1)
    assert hit("touch", -1) and not hit("touch", -2) and hit("touch", 0.236)
    assert hit("close_inside", 0.236) and hit("close_below", 0) and not hit("close_below", -0.236)


def test_no_look_ahead_truncated_data_gives_the_same_answers():
    frame = load_csv("SPY").frame()
    start, end = dt.date(2024, 1, 1), dt.date(2024, 6, 28)
    cut = frame.loc[: pd.Timestamp(end).tz_localize("America/New_York")]
    for event, level in [("touch", 1.0), ("close_inside", 0.382), ("open_beyond", 0.236)]:
        full = count_sessions(frame, event, level, start=start, end=end)
        part = count_sessions(cut, event, level, start=start, end=end)
        assert full == part


def test_gaps_name_missing_data_and_a_range_that_starts_before_the_data():
    frame = load_csv("SPY").frame()
    r = count_sessions(
        frame, "close_above", 0, start=dt.date(1990, 1, 1), end=dt.date(1993, 12, 31)
    )
    assert r.gaps == ((dt.date(1990, 1, 1), dt.date(1993, 1, 28)),)
    assert r.first_session == dt.date(1993, 2, 22) and r.excluded == 15  # 15 sessions of warm-up
    # 9/11: 2001-09-11..14 closed, 4 weekdays: not a gap
    assert count_sessions(frame, "touch", 0, start=dt.date(2001, 9, 1)).gaps == ()
    holed = frame.drop(frame.loc["2010-03-01":"2010-03-31"].index)
    r = count_sessions(holed, "touch", 0, start=dt.date(2010, 1, 1), end=dt.date(2010, 6, 30))
    # last session before: Fri 2010-02-26, next: Thu 2010-04-01
    assert r.gaps == ((dt.date(2010, 2, 27), dt.date(2010, 3, 31)),)


def test_errors_say_what_was_wrong_and_what_is_accepted():
    frame = load_csv("SPY").frame()
    with pytest.raises(DateOutOfRangeError, match="before the data; the data covers 1993-01-29"):
        count_sessions(frame, "touch", 1, start=dt.date(1980, 1, 1), end=dt.date(1980, 12, 31))
    with pytest.raises(DateOutOfRangeError, match="no session"):
        count_sessions(frame, "touch", 1, start=dt.date(2024, 6, 1), end=dt.date(2024, 6, 2))
    with pytest.raises(DataError, match="first with levels is 1993-02-22"):
        count_sessions(frame, "touch", 1, end=dt.date(1993, 2, 19))
    with pytest.raises(InvalidArgumentError, match="after it ends"):
        count_sessions(frame, "touch", 1, start=dt.date(2024, 6, 1), end=dt.date(2024, 5, 1))
    with pytest.raises(InvalidArgumentError, match=r"not on the ATR grid; accepted: -3, "):
        count_sessions(frame, "touch", 0.3)
    with pytest.raises(InvalidArgumentError, match="magnitude above 0"):
        count_sessions(frame, "close_inside", -0.236)
    with pytest.raises(InvalidArgumentError, match="open_beyond only"):
        count_sessions(frame, "touch", 1, side="above")
    with pytest.raises(InvalidArgumentError, match="Did you mean 'touch'"):
        count_sessions(frame, "touches", 1)


def test_average_true_range_matches_talib_and_a_hand_mean():
    data = load_csv("SPY")
    frame = data.frame()
    h, lo, c = (frame[k].to_numpy() for k in ("high", "low", "close"))
    for n in (2, 5, 14, 21, 250):
        for day in ("2008-10-10", "2019-06-12", "2026-02-12"):
            r = average_true_range(frame, n, dt.date.fromisoformat(day))
            i = data.dates.index(day)
            assert r.wilder_atr == pytest.approx(talib.ATR(h, lo, c, n)[i], abs=1e-9)
            trs = [
                max(
                    data.h[t] - data.lo[t],
                    abs(data.h[t] - data.c[t - 1]),
                    abs(data.lo[t] - data.c[t - 1]),
                )
                for t in range(i - n + 1, i + 1)
            ]
            assert r.mean_true_range == pytest.approx(float(sum(trs) / n), abs=1e-9)
            assert r.first_session.isoformat() == data.dates[i - n + 1]
            assert r.last_session.isoformat() == day and r.history_sessions == i + 1
    # rows 2017-05-11 C 239.38; 05-12 H 239.43 L 238.67 C 238.98; 05-15 H 240.44 L 239.45.
    # TR(05-12) = 0.76, TR(05-15) = max(0.99, |240.44-238.98| = 1.46, 0.47) = 1.46; mean 1.11
    r = average_true_range(frame, 2, dt.date(2017, 5, 15))
    assert r.mean_true_range == pytest.approx(1.11, abs=1e-12)
    assert r.first_session == dt.date(2017, 5, 12)
    # Saturday after the data's last session (Thu 2026-02-12 ... Fri 02-13 missing): refused
    with pytest.raises(DateOutOfRangeError, match="covers 1993-01-29 to 2026-02-12"):
        average_true_range(frame, 14, dt.date(2026, 2, 14))
    weekend = average_true_range(frame.loc[:"2026-02-06"], 14, dt.date(2026, 2, 8))
    assert weekend.last_session == dt.date(2026, 2, 6)
    with pytest.raises(DateOutOfRangeError, match="first date possible is 1993-02-19"):
        average_true_range(frame, 14, dt.date(1993, 2, 10))
    with pytest.raises(InvalidArgumentError, match="2 or more"):
        average_true_range(frame, 1)
