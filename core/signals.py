"""Turn a strategy spec into per-bar arrays: entry and exit signals on bar close, the ATR levels
in force at each bar, and the bar's session facts. Everything at bar t uses data up to t only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict, TypeVar, cast

import numba
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core.bars import (
    NS_PER_DAY,
    NS_PER_MIN,
    bar_index,
    bin_keys,
    local_ns,
    offset_segments,
    resample,
    timeframe,
)
from core.levels import mode as level_mode
from core.levels import round_half_up_array, session_levels
from core.phase import phase_oscillator
from core.ribbon import ribbon, vomy_signals
from core.spec import (
    ConvictionArrow,
    DayOfWeek,
    LevelCross,
    MovingAverageCross,
    PhaseDot,
    PhaseZone,
    PriceVsLevel,
    Ribbon,
    StrategySpec,
    TimeWindow,
    Vomy,
)
from core.ta import atr as wilder_atr
from core.ta import ema, sma

_DAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}
_T = TypeVar("_T")


@dataclass(frozen=True)
class BarLevels:
    """The mode's previous close and rounded ATR in force at each bar (NaN before history)."""

    previous_close: np.ndarray
    atr: np.ndarray

    def price(self, key: str) -> np.ndarray:
        """Return the price of level ``key`` at each bar."""
        return self.previous_close + float(key) * self.atr


def bar_levels(bars: pd.DataFrame, daily: pd.DataFrame, mode_name: str = "day") -> BarLevels:
    """Return the levels in force at every bar of ``bars`` for a levels mode.

    Period bars come from ``daily`` (Scalp: from ``bars`` resampled to 4h); each bar takes the
    levels of its own period, which use only completed earlier periods.
    """
    m = level_mode(mode_name)
    if m.timeframe == "4h":
        periods = resample(bars, "4h")
    elif m.timeframe == "1d":
        periods = daily
    else:
        periods = resample(daily, m.timeframe, "1d")
    lv = session_levels(periods)
    _, labels = bin_keys(local_ns(bar_index(bars)), timeframe(m.timeframe))
    period_local = local_ns(bar_index(periods))
    pos = np.searchsorted(period_local, labels)
    found = (pos < period_local.size) & (
        period_local[np.minimum(pos, period_local.size - 1)] == labels
    )
    safe = np.minimum(pos, period_local.size - 1)
    pc = np.where(found, lv["previous_close"].to_numpy()[safe], np.nan)
    atr = np.where(found, lv["atr"].to_numpy()[safe], np.nan)
    # a period after the last period bar (today's session before its daily bar exists) is anchored
    # on the last completed period: its close and its rounded ATR
    after = labels > period_local[-1]
    if after.any():
        last_atr = wilder_atr(periods["high"], periods["low"], periods["close"])[-1]
        pc[after] = periods["close"].iloc[-1]
        atr[after] = round_half_up_array(np.array([last_atr]))[0]
    return BarLevels(pc, atr)


@numba.njit(cache=True, nogil=True)
def _day_ends(
    utc: np.ndarray, seg_start: np.ndarray, seg_offset: np.ndarray
) -> np.ndarray:  # pragma: no cover - jit
    """Flag each bar whose next bar falls on another Eastern date; the division runs only when
    a bar passes the current day's end."""
    out = np.zeros(utc.size, dtype=np.bool_)
    seg = 0
    day_end = np.iinfo(np.int64).min  # UTC instant where the current Eastern day ends
    for i in range(utc.size):
        if utc[i] >= day_end:
            while seg + 1 < seg_start.size and seg_start[seg + 1] <= i:
                seg += 1
            off = seg_offset[seg]
            day = (utc[i] + off) // NS_PER_DAY
            day_end = (day + 1) * NS_PER_DAY - off
            if i > 0:
                out[i - 1] = True
    if utc.size:
        out[utc.size - 1] = True
    return out


def session_last(bars: pd.DataFrame) -> np.ndarray:
    """Return True on the last bar of each session (Eastern date)."""
    utc = bar_index(bars).as_unit("ns").asi8
    if utc.size == 0:
        return np.zeros(0, dtype=bool)
    starts, offsets = offset_segments(utc)
    return _day_ends(utc, starts, offsets)


def _crossed(prev: np.ndarray, cur: np.ndarray, level: np.ndarray, up: bool) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return (prev <= level) & (level < cur) if up else (prev >= level) & (level > cur)


@numba.njit(cache=True, nogil=True)
def _cross(fast: np.ndarray, slow: np.ndarray, up: bool) -> np.ndarray:  # pragma: no cover - jit
    """Return where fast - slow crosses zero: up when the previous difference is ≤ 0 and the
    current > 0 (down mirrors); undefined (NaN) differences never cross."""
    out = np.zeros(fast.size, dtype=np.bool_)
    for i in range(1, fast.size):
        now = fast[i] - slow[i]
        before = fast[i - 1] - slow[i - 1]
        if up:
            out[i] = before <= 0.0 < now
        else:
            out[i] = before >= 0.0 > now
    return out


def _cached(cache: dict[str, object], key: str, compute: Callable[[], _T]) -> _T:
    if key not in cache:
        cache[key] = compute()
    return cast(_T, cache[key])  # a key always holds what its ``compute`` returns


def _condition(
    cond: object, bars: pd.DataFrame, levels: BarLevels, cache: dict[str, object]
) -> np.ndarray:
    close = bars["close"].to_numpy()
    if isinstance(cond, LevelCross):
        prev = _cached(cache, "prev_close", lambda: np.r_[np.nan, close[:-1]])
        return _crossed(prev, close, levels.price(cond.level), cond.direction == "up")
    if isinstance(cond, PriceVsLevel):
        lv = levels.price(cond.level)
        with np.errstate(invalid="ignore"):
            return close > lv if cond.relation == "above" else close < lv
    if isinstance(cond, (Ribbon, ConvictionArrow)):
        rib = _cached(cache, "ribbon", lambda: ribbon(close))
        if isinstance(cond, Ribbon):
            return (rib["spine"] == cond.state).to_numpy()
        want = 1 if cond.direction == "bullish" else -1
        return (rib["conviction_arrow"] == want).to_numpy()
    if isinstance(cond, (PhaseZone, PhaseDot)):
        po = _cached(cache, "po", lambda: phase_oscillator(bars["high"], bars["low"], close))
        if isinstance(cond, PhaseZone):
            return po["zone"].isin(cond.zones).to_numpy()
        if cond.dot == "bullish":
            return (po["leaving_accumulation"] | po["leaving_extreme_down"]).to_numpy()
        if cond.dot == "bearish":
            return (po["leaving_distribution"] | po["leaving_extreme_up"]).to_numpy()
        return po[cond.dot].to_numpy()
    if isinstance(cond, MovingAverageCross):
        avg = ema if cond.average == "ema" else sma
        fast = _cached(cache, f"{cond.average}{cond.fast}", lambda: avg(close, cond.fast))
        slow = _cached(cache, f"{cond.average}{cond.slow}", lambda: avg(close, cond.slow))
        return _cross(fast, slow, cond.direction == "up")
    if isinstance(cond, Vomy):
        sig = vomy_signals(close)["signal"].to_numpy()
        formed: NDArray[np.bool_] = sig == (-1 if cond.variant == "vomy" else 1)
        return formed
    local = local_ns(bar_index(bars))
    if isinstance(cond, TimeWindow):
        minute = (local % NS_PER_DAY) // NS_PER_MIN
        start = int(cond.start[:2]) * 60 + int(cond.start[3:])
        end = int(cond.end[:2]) * 60 + int(cond.end[3:])
        return (minute >= start) & (minute < end)
    if isinstance(cond, DayOfWeek):
        weekday = ((local // NS_PER_DAY) + 3) % 7  # 1970-01-01 was a Thursday (3)
        return np.isin(weekday, [_DAYS[d] for d in cond.days])
    raise TypeError(f"unknown condition {cond!r}")  # pragma: no cover - the union is closed


def all_of(
    conditions: list[object],
    bars: pd.DataFrame,
    levels: BarLevels,
    cache: dict[str, object] | None = None,
) -> np.ndarray:
    """Return True where every condition holds on the bar's close (``cache`` shares indicators
    between calls on the same bars)."""
    cache = {} if cache is None else cache
    out = None
    for cond in conditions:
        hold = np.asarray(_condition(cond, bars, levels, cache), dtype=bool)
        out = hold if out is None else out & hold
    return np.ones(len(bars), dtype=bool) if out is None else out


class Signals(TypedDict):
    """Per-bar arrays (and two constants) that ``core.backtest`` reads."""

    entry: NDArray[np.bool_]
    """Enter on this bar's close (only where the levels are defined, if the spec uses them)."""
    exit: NDArray[np.bool_]
    """The exit conditions hold on this bar's close."""
    target_px: NDArray[np.float64] | None
    """Target level price per bar; None unless the target is a level key."""
    stop_px: NDArray[np.float64] | None
    """Stop level price per bar; None unless the stop is a level key."""
    target_atr: float
    """Target as a fraction of ATR from the fill; NaN if none."""
    stop_atr: float
    """Stop as a fraction of ATR from the fill; NaN if none."""
    atr: NDArray[np.float64]
    """Rounded ATR in force at each bar."""
    session_last: NDArray[np.bool_]
    """The bar is the last of its session."""


def signals(spec: StrategySpec, bars: pd.DataFrame, daily: pd.DataFrame) -> Signals:
    """Return the arrays the backtester needs: entry, exit, level prices, ATR, session ends."""
    uses_levels = _uses_levels(spec)
    nan = np.full(1, np.nan)  # no per-bar levels needed: the loop never reads them
    levels = bar_levels(bars, daily, spec.mode) if uses_levels else BarLevels(nan, nan)
    cache: dict[str, object] = {}
    entry = all_of(list(spec.entry), bars, levels, cache)
    exit_ = (
        all_of(list(spec.exit.when), bars, levels, cache)
        if spec.exit.when
        else np.zeros(len(bars), bool)
    )
    ex = spec.exit
    return {
        "entry": entry & np.isfinite(levels.atr) if uses_levels else entry,
        "exit": exit_,
        "target_px": levels.price(ex.target) if ex.target else None,
        "stop_px": levels.price(ex.stop) if ex.stop else None,
        "target_atr": ex.target_atr or np.nan,
        "stop_atr": ex.stop_atr or np.nan,
        "atr": levels.atr,
        "session_last": session_last(bars),
    }


def _uses_levels(spec: StrategySpec) -> bool:
    ex = spec.exit
    return bool(ex.target or ex.stop or ex.target_atr or ex.stop_atr) or any(
        isinstance(c, (LevelCross, PriceVsLevel)) for c in spec.entry
    )
