"""Alpaca market data v2: historical bars (``/v2/stocks/{symbol}/bars``, paginated by
``next_page_token``) and the WebSocket stream (``/v2/{feed}``).

Settings: ``APCA_API_KEY_ID`` and ``APCA_API_SECRET_KEY`` (required), ``WHISPR_ALPACA_FEED``
(``iex`` free, ``sip`` paid; default iex), ``WHISPR_ALPACA_BASE_URL`` (default
https://data.alpaca.markets), ``WHISPR_ALPACA_WS_URL`` (default wss://stream.data.alpaca.markets).
Alpaca has no index data: ask for SPY, not SPX.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import pandas as pd

from assistant.settings import get_settings, reveal
from core.bars import EASTERN
from core.errors import UnknownSymbolError
from integrations.marketdata.batches import TickBatch, alpaca_frame, alpaca_ticks
from integrations.marketdata.http import (
    AuthError,
    ProviderError,
    Retry,
    get_json,
    page_failure,
)
from integrations.marketdata.remote import (
    Quote,
    RemoteSource,
    StreamBar,
    as_utc,
    decode,
    frame_from_rows,
    open_stream,
    wire_fields,
)

_TIMEFRAMES = {
    "1m": "1Min",
    "5m": "5Min",
    "15m": "15Min",
    "30m": "30Min",
    "1h": "1Hour",
    "1d": "1Day",
}
INDEXES = {"SPX", "NDX", "VIX", "RUT", "DJI"}
_AUTH_CODES = {401, 402, 404, 409}
"""Stream errors about credentials or entitlement: not authenticated, auth failed, auth
timeout, insufficient subscription. Others (405 symbol limit, 406 connection limit, ...) are
provider errors."""


@dataclass
class AlpacaConfig:
    """Alpaca settings; keys fall back to APCA_API_KEY_ID / APCA_API_SECRET_KEY."""

    key_id: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    feed: str = ""
    base_url: str = ""
    ws_url: str = ""

    def __post_init__(self) -> None:
        settings = get_settings()
        self.key_id = self.key_id or reveal(settings.apca_api_key_id) or ""
        self.secret_key = self.secret_key or reveal(settings.apca_api_secret_key) or ""
        self.feed = self.feed or settings.whispr_alpaca_feed
        self.base_url = (self.base_url or settings.whispr_alpaca_base_url).rstrip("/")
        self.ws_url = (self.ws_url or settings.whispr_alpaca_ws_url).rstrip("/")

    def headers(self) -> dict[str, str]:
        """Return the authentication headers; raise ``AuthError`` when keys are missing."""
        if not (self.key_id and self.secret_key):
            raise AuthError("alpaca: set APCA_API_KEY_ID and APCA_API_SECRET_KEY")
        return {"APCA-API-KEY-ID": self.key_id, "APCA-API-SECRET-KEY": self.secret_key}


def check_symbol(symbol: str) -> str:
    """Return Alpaca's symbol for a Whispr symbol; raise ``UnknownSymbolError`` for indexes."""
    sym = symbol.upper().lstrip("$^")
    if sym in INDEXES:
        raise UnknownSymbolError(
            f"alpaca has no index data ({sym}); use an ETF such as SPY, or the schwab or "
            "polygon provider for the index"
        )
    return sym


def _time(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise ValueError(f"timestamp without a UTC offset: {value!r}")
    return stamp.tz_convert(EASTERN)


class AlpacaSource(RemoteSource):
    """Bars and live data from Alpaca. The constructor opens nothing."""

    name = "alpaca"

    def __init__(
        self,
        config: AlpacaConfig | None = None,
        *,
        retry: Retry | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.config = config or AlpacaConfig()
        self.retry = retry or Retry()
        self._http = http or httpx.Client(timeout=30)

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars (regular hours, ET, labelled by start), following
        ``next_page_token`` pages; raw (unadjusted) prices."""
        name = self.check_bar(bar)
        sym = check_symbol(symbol)
        headers = self.config.headers()
        params = {
            "timeframe": _TIMEFRAMES[name],
            "start": as_utc(start).isoformat(),
            "end": as_utc(end).isoformat(),
            "limit": "10000",
            "adjustment": "raw",
            "feed": self.config.feed,
            "sort": "asc",
        }
        times: list[float] = []
        rows: dict[str, list[float]] = {k: [] for k in ("open", "high", "low", "close", "volume")}
        token, pages = None, 0
        while True:
            try:
                page = get_json(
                    self._http,
                    "alpaca",
                    f"{self.config.base_url}/v2/stocks/{sym}/bars",
                    params={**params, **({"page_token": token} if token else {})},
                    headers=headers,
                    retry=self.retry,
                )
            except ProviderError as exc:
                failure = page_failure(exc, pages + 1, len(times))
                if failure is exc:
                    raise
                raise failure from exc
            pages += 1
            if not isinstance(page, dict) or "bars" not in page:
                raise ProviderError(f"alpaca: unexpected answer for {sym}: {str(page)[:200]}")
            for item in page["bars"] or []:
                with wire_fields(f"alpaca: malformed bar for {sym}", item):
                    times.append(_time(item["t"]).value // 1_000_000)
                    for key, src in (("open", "o"), ("high", "h"), ("low", "l"), ("close", "c")):
                        rows[key].append(float(item[src]))
                    rows["volume"].append(float(item.get("v", 0.0)))
            token = page.get("next_page_token")
            if not token:
                break
        return frame_from_rows("alpaca", times, rows, name)

    async def stream(
        self, symbols: Sequence[str], *, batches: bool = False
    ) -> AsyncIterator[Quote | StreamBar | TickBatch]:
        """Yield trades as ``Quote`` (with ``batches``, each frame's as one ``TickBatch``) and
        minute bars as ``StreamBar`` for ``symbols`` (ET)."""
        syms = [check_symbol(s) for s in symbols]
        headers = self.config.headers()
        auth = {"action": "auth", "key": headers["APCA-API-KEY-ID"]}
        auth["secret"] = headers["APCA-API-SECRET-KEY"]
        async with open_stream("alpaca", f"{self.config.ws_url}/v2/{self.config.feed}") as ws:
            await ws.send(json.dumps(auth))
            async for raw in ws:
                fast = alpaca_frame(raw) if batches else None
                if fast is not None:  # a frame of trades only: decoded straight into columns
                    yield fast
                    continue
                messages = decode("alpaca", raw)
                if not isinstance(messages, list):
                    raise ProviderError(f"alpaca stream: malformed message {raw!r:.200}")
                if batches:  # the frame's trades as one batch, the rest message by message
                    with wire_fields("alpaca stream: malformed trade in", raw):
                        ticks, messages = alpaca_ticks(messages)
                    if len(ticks):
                        yield ticks
                for msg in messages:
                    with wire_fields("alpaca stream: malformed message", msg):
                        kind = msg.get("T")
                        if kind == "error":
                            code = msg.get("code")
                            text = f"alpaca stream: {msg.get('msg')} (code {code})"
                            raise AuthError(text) if code in _AUTH_CODES else ProviderError(text)
                        if kind == "success" and msg.get("msg") == "authenticated":
                            sub = {"action": "subscribe", "trades": syms, "bars": syms}
                            await ws.send(json.dumps(sub))
                            continue
                        out = _event(msg)
                    if out is not None:
                        yield out


def _event(msg: dict[str, Any]) -> Quote | StreamBar | None:
    kind = msg.get("T")
    if kind == "t":
        return Quote(msg["S"], _time(msg["t"]), float(msg["p"]), volume=float(msg.get("s", 0)))
    if kind == "b":
        return StreamBar(
            msg["S"],
            _time(msg["t"]),
            float(msg["o"]),
            float(msg["h"]),
            float(msg["l"]),
            float(msg["c"]),
            float(msg.get("v", 0)),
        )
    return None
