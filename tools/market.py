"""Shared helpers for tools: symbol names, the session calendar of the data, as-of slicing."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from core.bars import EASTERN
from core.errors import DateOutOfRangeError, UnknownSymbolError
from core.sources import BarSource, load_bars

_SYMBOL_ALIASES = {
    "$SPX": "SPX", "^SPX": "SPX", "^GSPC": "SPX", "SPX500": "SPX", "SP500": "SPX", "SPXW": "SPX",
    "S&P": "SPX", "S&P500": "SPX", "ES": "SPX",
}


def normalize_symbol(source: BarSource, symbol: str) -> str:
    """Return the source's spelling of ``symbol`` (``$spx`` → ``SPX``); raise if it has no data."""
    raw = str(symbol).strip().upper().replace(" ", "")
    sym = _SYMBOL_ALIASES.get(raw, raw.lstrip("$^"))
    known = source.symbols()
    if sym not in known:
        raise UnknownSymbolError(
            f"no data for symbol {symbol!r}; available: {', '.join(known) or 'none'} "
            "(add <symbol>_daily_*.csv or _5min_*.csv files to WHISPR_DATA_DIR for more)"
        )
    return sym


def daily_bars(source: BarSource, symbol: str) -> pd.DataFrame:
    """Return the merged daily bars of ``symbol`` (official daily file first, intraday after)."""
    return load_bars(source, symbol, "1d")


def session_days(daily: pd.DataFrame) -> np.ndarray:
    """Return the session dates of a daily frame as ``datetime64[D]``."""
    return daily.index.tz_localize(None).to_numpy().astype("datetime64[D]")


def next_weekday(day: dt.date) -> dt.date:
    """Return the first Monday-Friday date after ``day`` (exchange holidays are not known)."""
    nxt = day + dt.timedelta(days=1)
    while nxt.weekday() >= 5:
        nxt += dt.timedelta(days=1)
    return nxt


def resolve_session(daily: pd.DataFrame, symbol: str, day: dt.date | None, *, strict: bool = True
                    ) -> tuple[dt.date, bool]:
    """Return (session date, has_data) for a requested date; None means the next session.

    With ``strict`` a date must be a trading session in the data or the first weekday after it;
    weekends, holidays and dates past that raise ``DateOutOfRangeError`` naming the nearest
    sessions. Without ``strict`` any date from the data's start to that weekday is accepted.
    """
    days = session_days(daily)
    first, last = days[0].astype(object), days[-1].astype(object)
    upcoming = next_weekday(last)
    if day is None:
        return upcoming, False
    if day < first:
        raise DateOutOfRangeError(
            f"{symbol} data starts on {first:%Y-%m-%d}; {day:%Y-%m-%d} is before it"
        )
    if day > upcoming:
        raise DateOutOfRangeError(
            f"{symbol} data ends on {last:%Y-%m-%d}; the latest session with levels is "
            f"{upcoming:%Y-%m-%d} ({day:%Y-%m-%d} is later)"
        )
    pos = int(np.searchsorted(days, np.datetime64(day, "D")))
    has = pos < days.size and days[pos].astype(object) == day
    if day == upcoming and not has:
        if day.weekday() >= 5 and strict:
            raise DateOutOfRangeError(f"{day:%Y-%m-%d} is a {day:%A}, not a trading session")
        return day, False
    if not has and strict:
        before = days[pos - 1].astype(object) if pos else None
        after = days[pos].astype(object) if pos < days.size else upcoming
        what = f"a {day:%A}" if day.weekday() >= 5 else "a market holiday or missing from the data"
        near = ", ".join(f"{d:%Y-%m-%d}" for d in (before, after) if d is not None)
        raise DateOutOfRangeError(
            f"{day:%Y-%m-%d} is {what}: no {symbol} session that day. Nearest sessions: {near}"
        )
    return day, has


def day_start(day: dt.date) -> pd.Timestamp:
    """Return 00:00 America/New_York on ``day`` (the label of that date's daily bar)."""
    return pd.Timestamp(day).tz_localize(EASTERN)


def through_day(bars: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Return the bars that start before the end of ``day`` (Eastern): what was known at its close."""
    end = day_start(day + dt.timedelta(days=1))
    return bars.iloc[: int(bars.index.searchsorted(end, side="left"))]
