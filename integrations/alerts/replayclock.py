"""The offline clock: the latest shipped sessions replayed as a live stream.

With no streaming provider configured, ``whispr serve`` runs the live engine on this clock, so
alerts, levels and the live status move on a fresh machine with no keys. Each bar becomes four
quotes (open, low, high, close for an up bar; open, high, low, close for a down bar: the same
assumed path as ``whispr replay``), stamped at 0, ¼, ½ and ¾ of the bar, symbols interleaved by
time. ``speed`` is a multiple of real time (60: a five-minute bar every five seconds); 0 sends
as fast as it can (tests). Nights and weekends between sessions are skipped, not waited out.

The clock keeps its place: a stream opened again (after a disconnect) goes on from the next
quote, as a provider would. With ``loop`` the sessions start over after the last one (alerts
already recorded for a session do not fire again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import numpy as np
import pandas as pd

from core.bars import EASTERN, session_dates
from core.calendar import previous_session
from core.errors import DataError
from core.sources import BarSource, load_bars
from integrations.alerts.monitor import tick_path
from integrations.marketdata.remote import Quote

INTRADAY = ("1m", "5m")


def _intraday(source: BarSource, symbol: str) -> list[pd.DataFrame]:
    """Return the symbol's intraday series, finest first (those the source has)."""
    out = []
    for bar in INTRADAY:
        try:
            out.append(load_bars(source, symbol, bar))
        except DataError:
            continue
    return out


def _finest(series: list[pd.DataFrame], day: dt.date) -> pd.DataFrame:
    """Return the bars of ``day`` from the finest series that has them."""
    start = pd.Timestamp(day).tz_localize(EASTERN)
    for bars in series:
        part = bars.loc[start : start + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")]
        if len(part):
            return part
    raise DataError(f"no intraday bars on {day}")


def replay_days(source: BarSource, symbols: Sequence[str], sessions: int) -> list[dt.date]:
    """Return the latest ``sessions`` dates on which every symbol has intraday bars and a daily
    bar for the session before (so its levels are known). Raises ``DataError`` if none."""
    common: set[dt.date] | None = None
    for symbol in symbols:
        days: set[dt.date] = set()
        for bars in _intraday(source, symbol):
            days |= {pd.Timestamp(d).date() for d in session_dates(bars)}
        daily = {t.date() for t in load_bars(source, symbol, "1d").index}
        days = {d for d in days if previous_session(d) in daily}
        common = days if common is None else common & days
    if not common:
        raise DataError(
            f"no session with intraday bars and levels for all of {', '.join(symbols)} to replay"
        )
    return sorted(common)[-sessions:]


class ReplayClock:
    """Quotes of the latest shipped sessions, at ``speed`` times real time."""

    def __init__(
        self,
        source: BarSource,
        symbols: Sequence[str],
        *,
        sessions: int = 3,
        speed: float = 60.0,
        loop: bool = True,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.symbols = [s.upper() for s in symbols]
        self.days = replay_days(source, self.symbols, sessions)
        self.speed = speed
        self.loop = loop
        self.sleep = sleep
        self.position = 0
        """Index of the next quote to send."""
        self.laps = 0
        times, codes, prices = [], [], []
        for code, symbol in enumerate(self.symbols):
            series = _intraday(source, symbol)
            for day in self.days:
                bars = _finest(series, day)
                path, bar_of = tick_path(bars)
                start_ns = pd.DatetimeIndex(bars.index).asi8  # UTC nanoseconds
                step = int(start_ns[1] - start_ns[0]) if len(bars) > 1 else 60 * 10**9
                times.append(start_ns[bar_of] + np.tile(np.arange(4), len(bars)) * (step // 4))
                codes.append(np.full(len(path), code))
                prices.append(path)
        t = np.concatenate(times)
        order = np.argsort(t, kind="stable")
        self.times = t[order]
        self.codes = np.concatenate(codes)[order]
        self.prices = np.concatenate(prices)[order]

    def __len__(self) -> int:
        return len(self.prices)

    def quote(self, i: int) -> Quote:
        """Return quote ``i`` of the replay."""
        moment = pd.Timestamp(int(self.times[i]), tz="UTC").tz_convert(EASTERN)
        return Quote(self.symbols[self.codes[i]], moment, float(self.prices[i]))

    async def stream(self, symbols: Sequence[str]) -> AsyncIterator[Quote]:
        """Yield quotes from the clock's current place (``symbols`` must be the clock's)."""
        unknown = sorted({s.upper() for s in symbols} - set(self.symbols))
        if unknown:
            raise DataError(f"the replay clock has no {', '.join(unknown)}")
        while True:
            while self.position < len(self):
                i = self.position
                if self.speed > 0 and i:
                    wait = (self.times[i] - self.times[i - 1]) / 1e9
                    if 0 < wait < 6 * 3600:  # within a session; nights are skipped
                        await self.sleep(wait / self.speed)
                self.position = i + 1
                yield self.quote(i)
            if not self.loop:
                return
            self.position, self.laps = 0, self.laps + 1
