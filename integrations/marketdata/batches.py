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
from typing import Any, cast

import msgspec
import numpy as np
import orjson
import pandas as pd

from core.bars import EASTERN, NS_PER_DAY
from integrations.marketdata.remote import Quote

_MS = 1_000_000


@dataclass
class TickBatch:
    """Trades of one frame, in the frame's order: symbol (strings), time (UTC ns) and price
    columns."""

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
        np.array(symbols, dtype=object),  # Python strings: cheaper to build and to factorize
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


class _PolygonTrade(msgspec.Struct, gc=False):  # no cycles: skip the GC bookkeeping
    ev: str
    sym: str | None = None
    T: str | None = None
    p: float | None = None
    val: float | None = None
    t: int | None = None


class _AlpacaTrade(msgspec.Struct, gc=False):
    T: str
    S: str | None = None
    p: float | None = None
    t: str | None = None


_POLYGON = msgspec.json.Decoder(list[_PolygonTrade])
_ALPACA = msgspec.json.Decoder(list[_AlpacaTrade])


def polygon_frame(raw: str | bytes) -> TickBatch | None:
    """Return a raw Polygon frame's trades as a batch when the frame holds only trades and index
    values with every field present (a full feed's frames), decoded straight into the fields
    read (about 3x ``polygon_ticks(loads(raw))``); None for any other frame (statuses, minute
    bars, a malformed trade), which the stream then reads with ``polygon_ticks``."""
    try:
        events = _POLYGON.decode(raw)
    except msgspec.DecodeError:  # not a list of objects of these field types
        return None
    if not events or any(e.ev != "T" and e.ev != "V" for e in events):
        return None
    syms = [e.sym if e.ev == "T" else e.T for e in events]
    prices = [e.p if e.ev == "T" else e.val for e in events]
    times = [e.t for e in events]
    if None in syms or None in prices or None in times:
        return None
    names = [s[2:] if s.startswith("I:") else s for s in cast(list[str], syms)]
    return _batch(names, np.asarray(times, dtype=np.int64) * _MS, cast(list[float], prices))


def alpaca_frame(raw: str | bytes) -> TickBatch | None:
    """Return a raw Alpaca frame's trades as a batch when it holds only trades with every field
    present and UTC (``Z``) times; None for any other frame, read then with ``alpaca_ticks``."""
    try:
        events = _ALPACA.decode(raw)
    except msgspec.DecodeError:
        return None
    if not events or any(e.T != "t" for e in events):
        return None
    syms = [e.S for e in events]
    prices = [e.p for e in events]
    stamps = [e.t for e in events]
    if None in syms or None in prices or None in stamps:
        return None
    times = utc_ns(cast(list[str], stamps))
    if times is None:
        return None
    return _batch(cast(list[str], syms), times, cast(list[float], prices))


def utc_ns(stamps: list[str]) -> np.ndarray | None:
    """Return RFC 3339 UTC times ("2026-02-13T14:30:00.123456Z") as int64 nanoseconds, or None
    when one is not of that form. A frame's stamps usually share one width: their digits are
    then read as a byte matrix (dates looked up once each); mixed widths go through numpy's
    parser."""
    width = len(stamps[0])
    raw = np.array(stamps, dtype=f"S{width}") if all(len(x) == width for x in stamps) else None
    if raw is None or width < 20 or (width > 20 and width < 22) or width > 30:
        return _parsed(stamps)
    u = raw.view(np.uint8).reshape(len(stamps), width)
    marks = {4: b"-", 7: b"-", 10: b"T", 13: b":", 16: b":", width - 1: b"Z"}
    if width > 20:
        marks[19] = b"."
    digits = u.astype(np.int64) - 48
    body = np.ones(width, dtype=bool)
    body[list(marks)] = False
    if (
        any((u[:, k] != ord(c)).any() for k, c in marks.items())
        or ((digits[:, body] < 0) | (digits[:, body] > 9)).any()
    ):
        return _parsed(stamps)
    hours, minutes = digits[:, 11] * 10 + digits[:, 12], digits[:, 14] * 10 + digits[:, 15]
    seconds = digits[:, 17] * 10 + digits[:, 18]
    if (hours > 23).any() or (minutes > 59).any() or (seconds > 59).any():
        return _parsed(stamps)
    days, which = np.unique(raw.astype("S10"), return_inverse=True)
    try:
        day_ns = np.array(days.astype(str), dtype="datetime64[D]").astype(np.int64) * NS_PER_DAY
    except ValueError:  # "2021-13-22": not a date
        return None
    out = day_ns[which.ravel()] + (hours * 3600 + minutes * 60 + seconds) * 10**9
    if width > 20:
        places = width - 21  # fraction digits
        scale = 10 ** np.arange(8, 8 - places, -1, dtype=np.int64)
        out += digits[:, 20 : 20 + places] @ scale
    return out


def _parsed(stamps: list[str]) -> np.ndarray | None:
    if not all(x.endswith("Z") for x in stamps):
        return None
    try:  # numpy reads RFC 3339 without the zone; the Z was checked above
        return np.array([x[:-1] for x in stamps], dtype="datetime64[ns]").astype(np.int64)
    except ValueError:
        return None
