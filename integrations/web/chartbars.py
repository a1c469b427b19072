"""Bars as they stood at a moment: what the dashboard chart may show while the live engine (or
the offline replay clock, which replays sessions the data already holds) is at ``until``.

Nothing traded after ``until`` leaks into a bar:

- intraday bars (5m, 1h, 4h) that had ended by ``until`` are kept whole; the bar in progress is
  rebuilt from the five-minute bars inside it that had ended by then (none: no bar yet);
- daily bars: sessions before ``until``'s date whole (the official daily bar); that date's own
  session from its ended five-minute bars while it trades, and its official bar from 16:00;
- weekly bars are resampled from those daily bars, as ``core.sources.load_bars`` builds them.

The page draws the ticks after the last ended five-minute bar itself (``static/chart.js``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from core.bars import EASTERN, local_ns, period_start, resample, rth_mask
from core.errors import DataError
from core.sources import BarSource, load_bars

BASE = "5m"
"""The bar size a bar in progress is rebuilt from (it divides 1h, 4h and a session)."""
_BASE_STEP = pd.Timedelta(minutes=5)
_CLOSE = 16 * 60


@dataclass(frozen=True)
class KnownBars:
    """Bars of one size known at a moment, and the latest session they draw on."""

    bars: pd.DataFrame
    """A bar frame (``core.bars``), oldest first, cut as the module docstring says."""
    last_day: dt.date | None
    """US/Eastern date of the latest data used (for weekly bars: the latest daily bar's), None
    when there is none."""


def eastern(moment: dt.datetime | pd.Timestamp) -> pd.Timestamp:
    """Return ``moment`` as a US/Eastern timestamp; a naive moment is read as Eastern time."""
    stamp = pd.Timestamp(moment)
    return stamp.tz_localize(EASTERN) if stamp.tzinfo is None else stamp.tz_convert(EASTERN)


def bars_until(
    source: BarSource, symbol: str, timeframe: str, until: pd.Timestamp | None = None
) -> KnownBars:
    """Return ``symbol``'s bars of ``timeframe`` (``5m``, ``1h``, ``4h``, ``1d`` or ``1w``) as
    known at ``until`` (tz-aware), or every bar when ``until`` is None."""
    if until is None:
        bars = load_bars(source, symbol, timeframe)
        daily = load_bars(source, symbol, "1d") if timeframe == "1w" else bars
        return KnownBars(bars, _last_day(daily))
    until = eastern(until)
    if timeframe in ("1d", "1w"):
        daily = _daily_until(source, symbol, until)
        bars = daily if timeframe == "1d" else resample(daily, "1w", "1d")
        return KnownBars(bars, _last_day(daily))
    bars = _intraday_until(source, symbol, timeframe, until)
    return KnownBars(bars, _last_day(bars))


def _last_day(bars: pd.DataFrame) -> dt.date | None:
    return bars.index[-1].date() if len(bars) else None


def _ended_base(
    source: BarSource, symbol: str, start: pd.Timestamp, until: pd.Timestamp
) -> pd.DataFrame:
    """Return the five-minute bars that began at or after ``start`` and had ended by ``until``."""
    try:
        base = load_bars(source, symbol, BASE)
    except DataError:  # no intraday series fine enough: no bar in progress
        return pd.DataFrame()
    lo = int(base.index.searchsorted(start, side="left"))
    hi = int(base.index.searchsorted(until - _BASE_STEP, side="right"))
    return base.iloc[lo:hi]


def _intraday_until(
    source: BarSource, symbol: str, timeframe: str, until: pd.Timestamp
) -> pd.DataFrame:
    full = load_bars(source, symbol, timeframe)
    if not rth_mask(local_ns(pd.DatetimeIndex([until])))[0]:
        return full.iloc[: int(full.index.searchsorted(until, side="left"))]  # all ended
    start = period_start(until, timeframe)
    done = full.iloc[: int(full.index.searchsorted(start, side="left"))]
    part = _ended_base(source, symbol, start, until)
    return pd.concat([done, resample(part, timeframe, BASE)]) if len(part) else done


def _daily_until(source: BarSource, symbol: str, until: pd.Timestamp) -> pd.DataFrame:
    daily = load_bars(source, symbol, "1d")
    day = eastern(until).normalize()
    minute = until.hour * 60 + until.minute
    if minute >= _CLOSE:
        return daily.iloc[: int(daily.index.searchsorted(day, side="right"))]
    done = daily.iloc[: int(daily.index.searchsorted(day, side="left"))]
    part = _ended_base(source, symbol, day, until)
    return pd.concat([done, resample(part, "1d", BASE)]) if len(part) else done
