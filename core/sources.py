"""Where bars come from: the ``BarSource`` protocol that every market-data provider implements,
and ``load_bars``, which builds any bar size from what a source has natively.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import pandas as pd

from core.bars import Timeframe, resample, timeframe
from core.errors import DataError, UnknownSymbolError


@runtime_checkable
class BarSource(Protocol):
    """A provider of historical OHLCV bars (files, Schwab, Alpaca, Polygon, a cache...)."""

    name: str

    def symbols(self) -> list[str]:
        """Return the symbols this source can serve, upper case."""
        ...

    def native_timeframes(self, symbol: str) -> list[str]:
        """Return the bar sizes this source holds for ``symbol`` without resampling."""
        ...

    def bars(self, symbol: str, timeframe: str) -> pd.DataFrame:
        """Return all bars of a native bar size as a validated bar frame (see ``core.bars``)."""
        ...


def load_bars(source: BarSource, symbol: str, to: str | Timeframe) -> pd.DataFrame:
    """Return ``symbol``'s bars at bar size ``to``, built from the source's native bar sizes.

    Rules, stated because they decide which numbers a user sees:
    - Where two native series cover the same period, the coarser one wins: a daily file carries
      the official close, intraday bars only the last regular-hours trade.
    - Finer series fill the periods the coarser one lacks (e.g. sessions after a daily file ends).
    - Weekly and longer bars are built from that merged daily series, so a week that the daily
      file covers only in part is completed from intraday sessions.
    Raises ``UnknownSymbolError`` for a symbol the source lacks and ``DataError`` when no native
    series can build ``to``.

    A source whose data never changes while it lives may offer a ``derived`` dict: built frames
    are then kept there per (symbol, bar size) and shared, so callers must not modify them.
    """
    tf = timeframe(to)
    sym = symbol.upper().lstrip("$^")
    memo: dict[tuple[str, str], pd.DataFrame] | None = getattr(source, "derived", None)
    if memo is not None and (sym, tf.name) in memo:
        return memo[(sym, tf.name)]
    out = _build(source, sym, symbol, tf)
    if memo is not None:
        memo[(sym, tf.name)] = out
    return out


def _build(source: BarSource, sym: str, symbol: str, tf: Timeframe) -> pd.DataFrame:
    if sym not in source.symbols():
        known = ", ".join(source.symbols()) or "none"
        raise UnknownSymbolError(
            f"no data for symbol {symbol!r} in {source.name}; available: {known}"
        )
    natives = sorted((timeframe(n) for n in source.native_timeframes(sym)), key=lambda t: -t.rank)
    if tf.intraday:
        usable = [n for n in natives if n.intraday and tf.minutes % n.minutes == 0]
        if not usable:
            have = ", ".join(n.name for n in natives)
            raise DataError(f"cannot build {tf.name} bars for {sym}: {source.name} has only {have}")
        return _merge([_at(source, sym, n, tf) for n in usable])
    daily_parts = [
        _at(source, sym, n, timeframe("1d"))
        for n in natives
        if n.rank <= tf.rank and n.rank <= timeframe("1d").rank
    ]
    exact = [source.bars(sym, tf.name)] if tf.name in {n.name for n in natives} else []
    if not daily_parts:
        if exact:
            return exact[0]
        have = ", ".join(n.name for n in natives)
        raise DataError(f"cannot build {tf.name} bars for {sym}: {source.name} has only {have}")
    daily = _merge(daily_parts)
    if tf.name == "1d":
        return daily
    return _merge([*exact, resample(daily, tf, "1d")])


def _at(source: BarSource, sym: str, native: Timeframe, tf: Timeframe) -> pd.DataFrame:
    part = source.bars(sym, native.name)
    return part if native.name == tf.name else resample(part, tf, native)


def _merge(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the union of bar frames; the earlier frame wins where labels coincide."""
    merged = parts[0]
    for part in parts[1:]:
        extra = part.index.difference(merged.index)
        if len(extra):
            merged = pd.concat([merged, part.loc[extra]]).sort_index()
    return merged
