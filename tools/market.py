"""Shared helpers for tools: symbol names, the session calendar of the data, as-of slicing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from core.bars import EASTERN, bar_index
from core.calendar import holidays, next_session
from core.errors import DateOutOfRangeError, UnknownSymbolError, WhisprError
from core.sources import BarSource, load_bars
from tools.base import ToolContext

_SYMBOL_ALIASES = {
    "$SPX": "SPX",
    "^SPX": "SPX",
    "^GSPC": "SPX",
    "SPX500": "SPX",
    "SP500": "SPX",
    "SPXW": "SPX",
    "S&P": "SPX",
    "S&P500": "SPX",
    "ES": "SPX",
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


def last_bar_date(source: BarSource, symbol: str) -> dt.date:
    """Return the date of ``symbol``'s last daily bar (``daily_bars(source, symbol)``'s last
    label). A source with a ``last_bar_date`` method (the data directory: the files' last lines)
    answers without building the daily series; others build it."""
    quick = getattr(source, "last_bar_date", None)
    found = quick(symbol) if callable(quick) else daily_bars(source, symbol).index[-1].date()
    if not isinstance(found, dt.date):
        raise TypeError(f"{source.name}: last_bar_date returned {found!r}, not a date")
    return found


def session_days(daily: pd.DataFrame) -> np.ndarray:
    """Return the session dates of a daily frame as ``datetime64[D]``."""
    return bar_index(daily).tz_localize(None).to_numpy().astype("datetime64[D]")


def resolve_session(
    daily: pd.DataFrame,
    symbol: str,
    day: dt.date | None,
    *,
    today: dt.date | None = None,
    strict: bool = True,
) -> tuple[dt.date, bool]:
    """Return (session date, has_data) for a requested date.

    ``day`` None means the latest session: ``today`` when the data has it (live data), else the
    NYSE session after the last bar (the data is older than today, e.g. the shipped samples).

    With ``strict`` a date must be a trading session in the data or the NYSE session after its
    last bar; weekends, holidays and dates past that raise ``DateOutOfRangeError`` naming the
    nearest sessions. Without ``strict`` any date from the data's start to that session is
    accepted.
    """
    days = session_days(daily)
    first, last = days[0].astype(object), days[-1].astype(object)
    upcoming = next_session(last)
    if day is None:
        if today is not None and np.datetime64(today, "D") in days:
            return today, True
        return upcoming, False
    if day < first:
        raise DateOutOfRangeError(
            f"no {symbol} data for {day:%Y-%m-%d}: {symbol} data starts on {first:%Y-%m-%d}"
        )
    if day > upcoming:
        raise DateOutOfRangeError(
            f"no {symbol} data for {day:%Y-%m-%d} yet: {symbol} data ends on {last:%Y-%m-%d}, "
            f"and the latest session with levels is {upcoming:%Y-%m-%d}"
        )
    pos = int(np.searchsorted(days, np.datetime64(day, "D")))
    has = pos < days.size and days[pos].astype(object) == day
    if day == upcoming and not has:
        return day, False
    if not has and strict:
        before = days[pos - 1].astype(object) if pos else None
        after = days[pos].astype(object) if pos < days.size else upcoming
        what = (
            f"a {day:%A}"
            if day.weekday() >= 5
            else "an NYSE holiday"
            if day in holidays(day.year)
            else "missing from the data"
        )
        near = ", ".join(f"{d:%Y-%m-%d}" for d in (before, after) if d is not None)
        raise DateOutOfRangeError(
            f"{day:%Y-%m-%d} is {what}: no {symbol} session that day. Nearest sessions: {near}"
        )
    return day, has


def latest_session(ctx: ToolContext, symbol: str) -> dt.date | None:
    """Return the session "today" means for ``symbol``: ``ctx.today`` when its data has that
    session, else the session after its last bar (None for a symbol without data)."""
    try:
        sym = normalize_symbol(ctx.source, symbol)
        return resolve_session(daily_bars(ctx.source, sym), sym, None, today=ctx.today)[0]
    except WhisprError:
        return None


def day_start(day: dt.date) -> pd.Timestamp:
    """Return 00:00 America/New_York on ``day`` (the label of that date's daily bar)."""
    return pd.Timestamp(day).tz_localize(EASTERN)


def through_day(bars: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """Return the bars that start before the end of ``day`` (Eastern): what was known at its close."""
    end = day_start(day + dt.timedelta(days=1))
    return bars.iloc[: int(bars.index.searchsorted(end, side="left"))]


def save_chart(ctx: ToolContext, name: str, png: bytes) -> str | None:
    """Write a chart under ``ctx.services['charts_dir']`` and return its path (None if unset)."""
    folder = ctx.services.get("charts_dir")
    if folder is None:
        return None
    path = Path(folder) / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return str(path)
