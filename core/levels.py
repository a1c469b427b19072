"""Saty ATR Levels: modes, the 37-level grid, and the levels in force for a period.

Follows the ThinkScript (domain spec §1, §11.1): the previous close (PC) is the close of the last
*completed* period bar, the ATR is Wilder's ATR(14) of the period bars as of that bar, rounded to
2 decimals half away from zero, and every level is PC + k·ATR at full precision with the rounded ATR.
Extensions are built from ±1 ATR (``(PC ± ATR) ± f·ATR``), and ±2/±3 from ±2 ATR, exactly as the
script adds them. Display rounding (``round_price``) is a separate, explicit step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from core.bars import period_start as _period_start
from core.checks import one_of, positive_int
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.ta import atr as wilder_atr

FIBS = (0.236, 0.382, 0.5, 0.618, 0.786)
"""The fixed Fibonacci fractions used for the grid and for every extension."""


@dataclass(frozen=True)
class Mode:
    """An ATR-levels mode: the period bar it is built from and the chart bar sizes it pairs with."""

    name: str
    label: str
    timeframe: str
    chart_timeframes: tuple[str, ...]
    trend_timeframe: str


MODES: dict[str, Mode] = {
    m.name: m
    for m in (
        Mode("scalp", "Scalp", "4h", ("1m", "3m", "5m", "10m", "15m", "30m"), "10m"),
        Mode("day", "Day", "1d", ("1h", "4h"), "1h"),
        Mode("multiday", "Multiday", "1w", ("1d",), "1d"),
        Mode("swing", "Swing", "1mo", ("1w",), "1w"),
        Mode("position", "Position", "1q", ("1mo",), "1mo"),
        Mode("longterm", "Long-term", "1y", ("1mo",), "1mo"),
    )
}
_MODE_ALIASES = {
    "4h": "scalp",
    "daily": "day",
    "1d": "day",
    "d": "day",
    "weekly": "multiday",
    "week": "multiday",
    "1w": "multiday",
    "multi-day": "multiday",
    "monthly": "swing",
    "month": "swing",
    "1mo": "swing",
    "quarterly": "position",
    "quarter": "position",
    "1q": "position",
    "yearly": "longterm",
    "year": "longterm",
    "long-term": "longterm",
    "long_term": "longterm",
    "1y": "longterm",
    "annual": "longterm",
}


def mode(name: str | Mode) -> Mode:
    """Return the ``Mode`` for a name or alias (``day``, ``weekly``, ``long-term``...)."""
    if isinstance(name, Mode):
        return name
    key = str(name).strip().lower().replace(" ", "")
    key = _MODE_ALIASES.get(key, key)
    return MODES[one_of(key, MODES, "mode")]


def level_key(fraction: float) -> str:
    """Return the canonical key of an ATR fraction: ``+0.382``, ``-1.236``, ``+1``, ``0``."""
    if fraction == 0:
        return "0"
    return f"{fraction:+.3f}".rstrip("0").rstrip(".")


def grid_fractions(trigger_percentage: float = 0.236) -> list[float]:
    """Return the 37 signed ATR fractions of the grid, ascending (-3 ... 0 ... +3)."""
    inner = sorted({trigger_percentage, *FIBS, 1.0})
    upper = [*inner, *(1 + f for f in FIBS), 2.0, *(2 + f for f in FIBS), 3.0]
    return [*(-f for f in reversed(upper)), 0.0, *upper]


def level_grid(
    previous_close: float, atr: float, trigger_percentage: float = 0.236
) -> dict[str, float]:
    """Return every level keyed by fraction (``"+0.382"``), ascending by price.

    ``atr`` is used as given (pass the rounded ATR). Values are unrounded.
    """
    if not atr > 0:
        raise InvalidArgumentError(f"ATR must be positive, got {atr}")
    pc = float(previous_close)
    out: dict[str, float] = {}
    for sign in (-1.0, 1.0):
        one = pc + sign * atr
        two = one + sign * atr
        inner = {**{f: pc + sign * f * atr for f in (*FIBS, trigger_percentage)}, 1.0: one}
        ext = {**{1 + f: one + sign * f * atr for f in FIBS}, 2.0: two}
        ext2 = {**{2 + f: two + sign * f * atr for f in FIBS}, 3.0: two + sign * atr}
        for frac, value in {**inner, **ext, **ext2}.items():
            out[level_key(sign * frac)] = value
    out["0"] = pc
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def parse_level_key(text: str, trigger_percentage: float = 0.236) -> str:
    """Return the canonical key for user text such as ``+38.2%``, ``-0.236``, ``1``, ``-100%``.

    Raises ``InvalidArgumentError`` naming the accepted keys when the text is not a grid level.
    """
    raw = str(text).strip().replace(" ", "").rstrip("%")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidArgumentError(
            f"level {text!r} is not a number; give an ATR fraction such as +0.382 or a percent "
            "such as -61.8%"
        ) from None
    if str(text).strip().endswith("%") or abs(value) > 3.0001:
        value /= 100.0
    key = level_key(round(value, 3))
    keys = [level_key(f) for f in grid_fractions(trigger_percentage)]
    if key not in keys:
        raise InvalidArgumentError(
            f"level {text!r} is not on the grid; accepted: {', '.join(keys)}"
        )
    return key


def round_half_up(value: float, places: int = 2) -> float:
    """Return ``value`` rounded half away from zero (6010.045 → 6010.05, -9.165 → -9.17).

    The value is first snapped to 9 decimals, so binary noise such as 6010.044999999999 (the float
    sum for an exact 6010.045) rounds like the decimal it stands for.
    """
    quantum = Decimal(1).scaleb(-places)
    snapped = Decimal(repr(round(float(value), 9)))
    return float(snapped.quantize(quantum, rounding=ROUND_HALF_UP))


def round_half_up_array(values: np.ndarray, places: int = 2) -> np.ndarray:
    """Return ``values`` rounded half away from zero, vectorised, with the same 1e-9 snapping as
    ``round_half_up`` (a scaled value within 1e-7 of a half rounds away from zero). NaN stays NaN."""
    x = np.asarray(values, dtype=np.float64)
    scale = 10.0**places
    return np.sign(x) * np.floor(np.abs(x) * scale + 0.5 + 1e-7) / scale


def round_price(value: float) -> float:
    """Return a price rounded for display: 2 decimals, half away from zero."""
    return round_half_up(value, 2)


@dataclass(frozen=True)
class LevelSet:
    """The ATR levels in force for one period, with the facts behind them."""

    mode: str
    period_start: pd.Timestamp
    """Start of the current period (bar 0)."""
    previous_period_start: pd.Timestamp
    """Start of the completed period whose close is the previous close."""
    previous_close: float
    atr: float
    """ATR rounded to 2 decimals: the one every level uses."""
    atr_unrounded: float
    trigger_percentage: float
    levels: dict[str, float]
    current: dict[str, float] | None = None
    """Open/high/low/close of the current period so far, None before it has a bar."""
    use_current_close: bool = False
    history_bars: int = 0
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def range(self) -> float | None:
        """Return high - low of the current period so far, or None pre-market."""
        return None if self.current is None else self.current["high"] - self.current["low"]

    @property
    def range_pct(self) -> int | None:
        """Return the current range as a whole percent of the ATR (half-up), or None."""
        rng = self.range
        return None if rng is None else int(round_half_up(rng / self.atr * 100, 0))

    @property
    def range_color(self) -> str | None:
        """Return green (≤ 70 %), orange, or red (≥ 90 %) for the range label, None pre-market."""
        pct = self.range_pct
        if pct is None:
            return None
        return "green" if pct <= 70 else "red" if pct >= 90 else "orange"

    def level(self, key: str) -> float:
        """Return one level by key; raise ``InvalidArgumentError`` listing the keys if unknown."""
        if key not in self.levels:
            raise InvalidArgumentError(f"no level {key!r}; accepted: {', '.join(self.levels)}")
        return self.levels[key]


def compute_levels(
    period_bars: pd.DataFrame,
    current_start: pd.Timestamp,
    mode_name: str | Mode = "day",
    *,
    atr_length: int = 14,
    trigger_percentage: float = 0.236,
    use_current_close: bool = False,
) -> LevelSet:
    """Return the levels for the period starting at ``current_start``.

    ``period_bars`` are bars of the mode's period size known *as of* the moment of interest:
    the caller drops anything later, so a current bar holds only what had traded by then.
    Bars before ``current_start`` are completed periods; the one at ``current_start`` (if any) is
    bar 0. ATR uses the full completed history (never a short buffer: the Wilder seed must decay).
    """
    positive_int(atr_length, "atr_length")
    if not 0 < trigger_percentage < 1:
        raise InvalidArgumentError(
            f"trigger_percentage must be in (0, 1), got {trigger_percentage}"
        )
    m = mode(mode_name)
    index = period_bars.index
    n_done = int(index.searchsorted(current_start, side="left"))
    has_current = n_done < len(index) and index[n_done] == current_start
    use = n_done + 1 if use_current_close else n_done
    if use_current_close and not has_current:
        raise DateOutOfRangeError(
            f"use_current_close needs a bar for the period starting {current_start:%Y-%m-%d}; "
            "there is none yet"
        )
    if use < atr_length + 1:
        raise DateOutOfRangeError(
            f"not enough history for {m.label} levels at {current_start:%Y-%m-%d}: ATR({atr_length}) "
            f"needs {atr_length + 1} completed {m.timeframe} bars before it, the data has {use}"
        )
    hist = period_bars.iloc[:use]
    atr_series = wilder_atr(hist["high"], hist["low"], hist["close"], atr_length)
    raw_atr = float(atr_series[-1])
    if not np.isfinite(raw_atr):
        raise DataError(f"ATR is undefined at {hist.index[-1]:%Y-%m-%d}")
    rounded = round_half_up(raw_atr, 2)
    pc = float(hist["close"].iloc[-1])
    current = None
    if has_current:
        row = period_bars.iloc[n_done]
        current = {k: float(row[k]) for k in ("open", "high", "low", "close")}
    return LevelSet(
        mode=m.name,
        period_start=current_start,
        previous_period_start=index[n_done - 1] if n_done else current_start,
        previous_close=pc,
        atr=rounded,
        atr_unrounded=raw_atr,
        trigger_percentage=trigger_percentage,
        levels=level_grid(pc, rounded, trigger_percentage),
        current=current,
        use_current_close=use_current_close,
        history_bars=use,
    )


def current_period_start(moment: pd.Timestamp, mode_name: str | Mode) -> pd.Timestamp:
    """Return the start of the mode's period that contains ``moment`` (a date means its 09:30)."""
    m = mode(mode_name)
    stamp = pd.Timestamp(moment)
    if m.timeframe == "4h" and stamp.hour == 0 and stamp.minute == 0:
        stamp = stamp + pd.Timedelta(hours=9, minutes=30)
    return _period_start(stamp, m.timeframe)


def session_levels(daily: pd.DataFrame, atr_length: int = 14) -> pd.DataFrame:
    """Return, for every daily bar, the Day-mode previous close and rounded ATR in force that day.

    Row t uses close[t-1] and round2(ATR[t-1]); rows without enough history are NaN. This is the
    vectorised form of ``compute_levels`` for statistics over many sessions.
    """
    atr_values = wilder_atr(daily["high"], daily["low"], daily["close"], atr_length)
    rounded = round_half_up_array(atr_values, 2)
    prev_close = np.r_[np.nan, daily["close"].to_numpy()[:-1]]
    prev_atr = np.r_[np.nan, rounded[:-1]]
    return pd.DataFrame({"previous_close": prev_close, "atr": prev_atr}, index=daily.index)


def zone(price: float, previous_close: float, atr: float) -> str:
    """Return the §1.5 zone of ``price`` by m = (price - PC)/ATR: ``above_+2`` (m > 2),
    ``+1_to_+2`` (1, 2], ``0_to_+1`` (0, 1], ``-1_to_0`` (-1, 0], ``-2_to_-1`` (-2, -1],
    ``below_-2`` (m ≤ -2)."""
    m = (price - previous_close) / atr
    if m > 2:
        return "above_+2"
    if m > 1:
        return "+1_to_+2"
    if m > 0:
        return "0_to_+1"
    if m > -1:
        return "-1_to_0"
    if m > -2:
        return "-2_to_-1"
    return "below_-2"


def nearest_levels(
    levels: dict[str, float], price: float, count: int = 3
) -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """Return (up to ``count`` levels strictly above ``price`` nearest first, same strictly below)."""
    ordered = sorted(levels.items(), key=lambda kv: kv[1])
    above = [kv for kv in ordered if kv[1] > price][:count]
    below = [kv for kv in reversed(ordered) if kv[1] < price][:count]
    return above, below
