"""Live alerts: the session's levels from the provider's daily bars, then the provider's stream
through the monitor (``whispr watch`` and ``whispr serve --watch``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pandas as pd

from core.bars import EASTERN
from core.errors import DataError
from core.levels import compute_levels
from core.sources import BarSource, load_bars
from integrations.alerts.monitor import Monitor


def session_today() -> dt.date:
    """Return today's date in New York (the session date a live watch is for)."""
    return pd.Timestamp.now(tz=EASTERN).date()


def day_levels(
    source: BarSource, symbols: Sequence[str], day: dt.date
) -> dict[str, tuple[float, float]]:
    """Return each symbol's Day-mode (previous close, ATR) in force on ``day``, computed from
    daily bars strictly before ``day`` (a partial bar of ``day`` itself is never used)."""
    start = pd.Timestamp(day).tz_localize(EASTERN)
    out = {}
    for symbol in symbols:
        daily = load_bars(source, symbol, "1d")
        done = daily.loc[: start - pd.Timedelta(1, "ns")]
        if not len(done):
            raise DataError(f"no daily bars of {symbol} before {day} to build its levels")
        levels = compute_levels(done, start, "day")
        out[symbol] = (levels.previous_close, levels.atr)
    return out


def streaming(source: BarSource):  # noqa: ANN201 - a RemoteSource
    """Return the provider behind ``source`` that can stream, or raise saying how to get one."""
    remote = getattr(source, "remote", source)
    if not hasattr(remote, "stream"):
        raise DataError(
            "live alerts need a streaming provider: set WHISPR_DATA_PROVIDER to schwab, alpaca "
            "or polygon (with its keys); to try alerts offline use `whispr replay SYMBOL --date`"
        )
    return remote


async def watch_live(
    monitor: Monitor,
    source: BarSource,
    symbols: Sequence[str],
    day: dt.date,
    *,
    max_events: int | None = None,
) -> list[str]:
    """Watch ``symbols`` on the provider's stream for session ``day``; return the messages
    delivered when the stream ends (or after ``max_events`` events)."""
    remote = streaming(source)
    levels = day_levels(source, symbols, day)
    return await monitor.watch(remote.stream(list(levels)), day, levels, max_events=max_events)
