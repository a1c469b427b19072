"""One-minute bars built from live ticks, kept so a session watched live can be replayed later.

A bar is kept only when the stream was seen without a break from before its minute began until
after it ended: the minute in progress at a disconnect and the first minute after a (re)connect
are dropped, because ticks are missing from them. Bars are built from trade/last prices; their
volume is 0 (quotes do not all carry sizes). Completed bars go to a sink, which for a provider
is its Parquet cache (``CachedSource.record_bars``), marked as covered so they are not fetched
again.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from core.bars import make_bars

Sink = Callable[[str, pd.DataFrame], None]
"""Receives (symbol, completed one-minute bars) at each flush."""

_MINUTE = 60 * 10**9


class MinuteBars:
    """Aggregates ticks into one-minute OHLC bars per symbol."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self._open: dict[str, list[float]] = {}
        """symbol → [minute start (UTC ns), open, high, low, close, whole] of the bar in progress;
        ``whole`` is 0 when the bar began before the stream was seen."""
        self._done: dict[str, list[list[float]]] = {}

    def add(self, symbol: str, moment: pd.Timestamp, price: float) -> None:
        """Add one tick (``moment`` tz-aware)."""
        minute = moment.value - moment.value % _MINUTE
        bar = self._open.get(symbol)
        if bar is None:
            self._open[symbol] = [minute, price, price, price, price, 0]
            return
        if minute != bar[0]:
            if bar[5]:
                self._done.setdefault(symbol, []).append(bar[:5])
            self._open[symbol] = [minute, price, price, price, price, 1]
            return
        bar[2], bar[3], bar[4] = max(bar[2], price), min(bar[3], price), price

    def add_many(self, symbol: str, times_ns: np.ndarray, prices: np.ndarray) -> None:
        """Add a batch of one symbol's ticks in time order (UTC nanoseconds): the same bars as
        ``add`` on each tick."""
        if not len(prices):
            return
        minutes = times_ns - times_ns % _MINUTE
        starts = np.flatnonzero(np.r_[True, minutes[1:] != minutes[:-1]])
        ends = np.r_[starts[1:], len(prices)]
        highs = np.maximum.reduceat(prices, starts)
        lows = np.minimum.reduceat(prices, starts)
        for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
            minute, o, c = int(minutes[a]), float(prices[a]), float(prices[b - 1])
            bar = self._open.get(symbol)
            if bar is not None and bar[0] == minute:  # the bar in progress goes on
                bar[2], bar[3], bar[4] = max(bar[2], highs[k]), min(bar[3], lows[k]), c
                continue
            if bar is not None and bar[5]:
                self._done.setdefault(symbol, []).append(bar[:5])
            whole = 1 if bar is not None else 0  # a minute is whole only after one was seen
            self._open[symbol] = [minute, o, float(highs[k]), float(lows[k]), c, whole]

    def gap(self) -> None:
        """The stream broke: the bars in progress are incomplete and are dropped."""
        self._open.clear()

    def flush(self) -> None:
        """Send the completed bars to the sink (the bar in progress stays)."""
        done, self._done = self._done, {}
        for symbol, rows in done.items():
            data = np.array(rows)
            index = pd.DatetimeIndex(data[:, 0].astype("int64"), tz="UTC")
            frame = make_bars(
                index,
                {
                    "open": data[:, 1],
                    "high": data[:, 2],
                    "low": data[:, 3],
                    "close": data[:, 4],
                    "volume": np.zeros(len(data), dtype=np.int64),
                },
            )
            self.sink(symbol, frame)
