"""What every remote provider shares: the BarSource surface, symbol lists, frame building,
and the typed stream events."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson
import pandas as pd
import websockets
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosedError, InvalidStatus, WebSocketException

from assistant.settings import get_settings
from core.bars import EASTERN, local_ns, make_bars, rth_mask, timeframe, validate_bars
from integrations.marketdata.http import AuthError, ProviderError

DEFAULT_LOOKBACK = {"1d": dt.timedelta(days=365 * 20), "intraday": dt.timedelta(days=30)}


@dataclass(frozen=True)
class Quote:
    """A top-of-book / last-trade update from a stream."""

    symbol: str
    time: pd.Timestamp
    last: float | None
    bid: float | None = None
    ask: float | None = None
    volume: float | None = None


@dataclass(frozen=True)
class StreamBar:
    """A completed bar pushed by a stream."""

    symbol: str
    start: pd.Timestamp
    open: float
    high: float
    low: float
    close: float
    volume: float


def configured_symbols() -> list[str]:
    """Return the symbols a remote source offers: ``WHISPR_SYMBOLS`` (comma list) or SPX,SPY."""
    return get_settings().symbols


def frame_from_rows(
    provider: str, times_ms: Sequence[float], rows: Mapping[str, Sequence[float]], bar: str
) -> pd.DataFrame:
    """Return a validated bar frame from epoch-ms start times and OHLCV columns.

    Daily and longer bars are labelled at 00:00 ET of their date; intraday bars outside regular
    hours are dropped (Whispr works on the regular session only).
    """
    tf = timeframe(bar)
    if len(times_ms) == 0:
        return make_bars(pd.DatetimeIndex([], tz=EASTERN), {k: np.array([]) for k in rows})
    index = pd.DatetimeIndex(
        pd.to_datetime(np.asarray(times_ms, dtype="int64"), unit="ms", utc=True)
    )
    index = index.tz_convert(EASTERN)
    data = {k: np.asarray(v, dtype=np.float64) for k, v in rows.items()}
    if not tf.intraday:
        index = index.normalize()
    else:
        keep = rth_mask(local_ns(index))
        index = index[keep]
        data = {k: v[keep] for k, v in data.items()}
    frame = make_bars(index, data)
    frame = frame[~frame.index.duplicated(keep="last")].sort_index()
    return validate_bars(frame, f"{provider} {bar} bars")


class RemoteSource(ABC):
    """A remote provider as a ``BarSource``; subclasses implement ``fetch`` and ``stream``."""

    name = "remote"
    bar_sizes: tuple[str, ...] = ("1m", "5m", "15m", "30m", "1h", "1d")

    def symbols(self) -> list[str]:
        """Return the configured symbols (``WHISPR_SYMBOLS``)."""
        return configured_symbols()

    def native_timeframes(self, symbol: str) -> list[str]:
        """Return the bar sizes this provider serves directly."""
        return list(self.bar_sizes)

    def bars(self, symbol: str, timeframe_name: str) -> pd.DataFrame:
        """Return bars of the default lookback (20 years daily, 30 days intraday) up to now."""
        tf = timeframe(timeframe_name)
        end = dt.datetime.now(dt.UTC)
        start = end - DEFAULT_LOOKBACK["intraday" if tf.intraday else "1d"]
        return self.fetch(symbol, tf.name, start, end)

    def check_bar(self, bar: str) -> str:
        """Return the canonical bar name, or raise naming what this provider serves."""
        name = timeframe(bar).name
        if name not in self.bar_sizes:
            raise ProviderError(f"{self.name} serves {', '.join(self.bar_sizes)} bars, not {name}")
        return name

    @abstractmethod
    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars of ``symbol`` between two moments (tz-aware or UTC)."""

    @abstractmethod
    def stream(self, symbols: Sequence[str], *, batches: bool = False) -> AsyncIterator[Any]:
        """Yield live quotes and bars for ``symbols`` until cancelled (with ``batches``, each
        frame's trades as one ``integrations.marketdata.batches.TickBatch``)."""


def as_utc(moment: dt.datetime | dt.date) -> dt.datetime:
    """Return a tz-aware UTC datetime (a date means 00:00 ET that day; naive means ET)."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime.combine(moment, dt.time())
    stamp = pd.Timestamp(moment)
    stamp = stamp.tz_localize(EASTERN) if stamp.tzinfo is None else stamp
    return stamp.tz_convert("UTC").to_pydatetime()


@asynccontextmanager
async def open_stream(provider: str, url: str) -> AsyncIterator[ClientConnection]:
    """Yield an open WebSocket to ``url``; turn handshake and connection failures into
    ``AuthError`` (HTTP 401/403 at the handshake) or ``ProviderError`` naming the provider."""
    try:
        async with websockets.connect(url, open_timeout=10) as ws:
            yield ws
    except InvalidStatus as exc:
        status = exc.response.status_code
        kind = AuthError if status in (401, 403) else ProviderError
        raise kind(f"{provider} stream: {url} refused the connection (HTTP {status})") from exc
    except ConnectionClosedError as exc:
        raise ProviderError(f"{provider} stream: the connection was lost ({exc})") from exc
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise ProviderError(
            f"{provider} stream: cannot connect to {url} ({exc.__class__.__name__})"
        ) from exc


def decode(provider: str, raw: str | bytes) -> Any:
    """Return one decoded stream message; raise ``ProviderError`` if it is not JSON."""
    try:
        return orjson.loads(raw)
    except ValueError as exc:
        raise ProviderError(f"{provider} stream: malformed message {raw!r:.200}") from exc


@contextmanager
def wire_fields(what: str, payload: object) -> Iterator[None]:
    """Turn a missing or mistyped field read inside the block into a ``ProviderError`` saying
    ``what`` was malformed (e.g. "polygon: malformed bar for SPY") and showing the payload."""
    try:
        yield
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
        raise ProviderError(f"{what}: {payload!r:.200}") from exc
