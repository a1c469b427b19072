"""Columnar decoding of provider stream frames: one websocket frame → arrays of ticks.

A provider sends many trades per frame (Polygon and Alpaca a JSON list of messages, Schwab a
``data`` list of LEVELONE contents). Decoding them into ``TickBatch`` arrays (symbols, UTC
nanosecond times, prices) instead of one ``Quote`` object per trade is what lets the live engine
keep up with a full feed: the engine then evaluates the whole batch at once
(``LiveEngine.handle_batch``). Messages that are not trades (statuses, minute bars) are
returned as they are, in order, for the stream's own handling. A trade missing a field raises
``KeyError``/``TypeError``, which the streams turn into a ``ProviderError`` naming the frame.

The frames' formats are the providers' documented ones (the same the per-message decoders in
``polygon.py``, ``alpaca.py`` and ``schwab.py`` read; ``tests/marketdata/test_batches.py``
checks that both give the same ticks).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd

from core.bars import EASTERN
from integrations.marketdata.remote import Quote

_MS = 1_000_000


@dataclass
class TickBatch:
    """Trades of one frame, in the frame's order: symbol, time (UTC ns) and price columns."""

    symbols: np.ndarray
    times_ns: np.ndarray
    prices: np.ndarray

    def __len__(self) -> int:
        return len(self.prices)

    def quotes(self) -> Iterator[Quote]:
        """Yield the ticks one by one as ``Quote`` (times in US/Eastern), for per-tick readers."""
        local = pd.DatetimeIndex(self.times_ns, tz="UTC").tz_convert(EASTERN)
        for sym, moment, price in zip(self.symbols, local, self.prices, strict=True):
            yield Quote(str(sym), moment, float(price))


def _batch(symbols: list[str], times_ns: Any, prices: list[float]) -> TickBatch:
    return TickBatch(
        np.array(symbols, dtype=str),
        np.asarray(times_ns, dtype=np.int64),
        np.asarray(prices, dtype=np.float64),
    )


def loads(raw: str | bytes) -> Any:
    """Return a frame's JSON (orjson: about 3× the standard library on trade frames)."""
    return orjson.loads(raw)


def polygon_ticks(messages: list[dict[str, Any]]) -> tuple[TickBatch, list[dict[str, Any]]]:
    """Return Polygon trades (``T``) and index values (``V``) as a batch (``I:SPX`` → SPX), and
    the other messages in order."""
    kinds = [m.get("ev") for m in messages]
    trades = [m for m, ev in zip(messages, kinds, strict=True) if ev == "T" or ev == "V"]
    rest = (
        []
        if len(trades) == len(messages)
        else [m for m, ev in zip(messages, kinds, strict=True) if ev != "T" and ev != "V"]
    )
    syms = [(m["sym"] if m["ev"] == "T" else m["T"]).removeprefix("I:") for m in trades]
    prices = [m["p"] if m["ev"] == "T" else m["val"] for m in trades]
    times = np.fromiter((m["t"] for m in trades), dtype=np.int64, count=len(trades))
    return _batch(syms, times * _MS, prices), rest


def alpaca_ticks(messages: list[dict[str, Any]]) -> tuple[TickBatch, list[dict[str, Any]]]:
    """Return Alpaca trades (``T == "t"``; RFC 3339 UTC times) as a batch, and the other
    messages in order."""
    syms: list[str] = []
    stamps: list[str] = []
    prices: list[float] = []
    rest = []
    for m in messages:
        if m.get("T") == "t":
            syms.append(m["S"])
            stamps.append(m["t"])
            prices.append(m["p"])
        else:
            rest.append(m)
    parsed = pd.to_datetime(stamps, utc=True, format="ISO8601") if stamps else None
    times: Any = parsed.as_unit("ns").asi8 if parsed is not None else []  # units vary: ns
    return _batch(syms, times, prices), rest


def schwab_ticks(msg: dict[str, Any]) -> TickBatch:
    """Return the last prices of a Schwab frame's LEVELONE_EQUITIES contents as a batch (time:
    the trade time field 35, else the quote time 34, else the frame's timestamp; an item with
    no last price is skipped)."""
    syms: list[str] = []
    times: list[int] = []
    prices: list[float] = []
    for data in msg.get("data", []):
        if data.get("service") != "LEVELONE_EQUITIES":
            continue
        fallback = data.get("timestamp")
        for item in data.get("content", []):
            last = item.get("3")
            if last is None:
                continue
            syms.append(str(item["key"]).lstrip("$"))
            times.append(int(item.get("35") or item.get("34") or fallback))
            prices.append(float(last))
    return _batch(syms, np.asarray(times, dtype=np.int64) * _MS, prices)
