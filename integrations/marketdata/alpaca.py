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
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

import httpx
import pandas as pd
import websockets

from core.bars import EASTERN
from core.errors import UnknownSymbolError
from integrations.marketdata.http import AuthError, ProviderError, Retry, get_json
from integrations.marketdata.remote import Quote, RemoteSource, StreamBar, as_utc, frame_from_rows

_TIMEFRAMES = {
    "1m": "1Min",
    "5m": "5Min",
    "15m": "15Min",
    "30m": "30Min",
    "1h": "1Hour",
    "1d": "1Day",
}
INDEXES = {"SPX", "NDX", "VIX", "RUT", "DJI"}


@dataclass
class AlpacaConfig:
    """Alpaca settings; keys fall back to APCA_API_KEY_ID / APCA_API_SECRET_KEY."""

    key_id: str = field(default="", repr=False)
    secret_key: str = field(default="", repr=False)
    feed: str = ""
    base_url: str = ""
    ws_url: str = ""

    def __post_init__(self) -> None:
        self.key_id = self.key_id or os.environ.get("APCA_API_KEY_ID", "")
        self.secret_key = self.secret_key or os.environ.get("APCA_API_SECRET_KEY", "")
        self.feed = self.feed or os.environ.get("WHISPR_ALPACA_FEED", "iex")
        self.base_url = (
            self.base_url
            or os.environ.get("WHISPR_ALPACA_BASE_URL")
            or "https://data.alpaca.markets"
        ).rstrip("/")
        self.ws_url = (
            self.ws_url
            or os.environ.get("WHISPR_ALPACA_WS_URL")
            or "wss://stream.data.alpaca.markets"
        ).rstrip("/")

    def headers(self) -> dict[str, str]:
        """Return the authentication headers (raise when keys are missing)."""
        if not (self.key_id and self.secret_key):
            raise AuthError("alpaca: set APCA_API_KEY_ID and APCA_API_SECRET_KEY")
        return {"APCA-API-KEY-ID": self.key_id, "APCA-API-SECRET-KEY": self.secret_key}


class AlpacaSource(RemoteSource):
    """Bars and live data from Alpaca."""

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

    @staticmethod
    def _check_symbol(symbol: str) -> str:
        sym = symbol.upper().lstrip("$^")
        if sym in INDEXES:
            raise UnknownSymbolError(f"alpaca has no index data ({sym}); use an ETF such as SPY")
        return sym

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars, following ``next_page_token`` pages (raw, unadjusted prices)."""
        name = self.check_bar(bar)
        sym = self._check_symbol(symbol)
        params = {
            "timeframe": _TIMEFRAMES[name],
            "start": as_utc(start).isoformat(),
            "end": as_utc(end).isoformat(),
            "limit": "10000",
            "adjustment": "raw",
            "feed": self.config.feed,
            "sort": "asc",
        }
        times, rows = [], {k: [] for k in ("open", "high", "low", "close", "volume")}
        token = None
        while True:
            page = get_json(
                self._http,
                "alpaca",
                f"{self.config.base_url}/v2/stocks/{sym}/bars",
                params={**params, **({"page_token": token} if token else {})},
                headers=self.config.headers(),
                retry=self.retry,
            )
            if not isinstance(page, dict) or "bars" not in page:
                raise ProviderError(f"alpaca: unexpected answer for {sym}: {str(page)[:200]}")
            for item in page["bars"] or []:
                try:
                    times.append(pd.Timestamp(item["t"]).value // 1_000_000)
                    for key, src in (("open", "o"), ("high", "h"), ("low", "l"), ("close", "c")):
                        rows[key].append(float(item[src]))
                    rows["volume"].append(float(item.get("v", 0.0)))
                except (KeyError, TypeError, ValueError) as exc:
                    raise ProviderError(f"alpaca: malformed bar for {sym}: {item!r:.200}") from exc
            token = page.get("next_page_token")
            if not token:
                break
        return frame_from_rows("alpaca", times, rows, name)

    async def stream(self, symbols: Sequence[str]) -> AsyncIterator[Quote | StreamBar]:
        """Yield trades as quotes and minute bars as bars for ``symbols``."""
        syms = [self._check_symbol(s) for s in symbols]
        headers = self.config.headers()
        async with websockets.connect(f"{self.config.ws_url}/v2/{self.config.feed}") as ws:
            await ws.send(
                json.dumps(
                    {
                        "action": "auth",
                        "key": headers["APCA-API-KEY-ID"],
                        "secret": headers["APCA-API-SECRET-KEY"],
                    }
                )
            )
            async for raw in ws:
                for msg in json.loads(raw):
                    kind = msg.get("T")
                    if kind == "error":
                        raise AuthError(f"alpaca stream: {msg.get('msg')} (code {msg.get('code')})")
                    if kind == "success" and msg.get("msg") == "authenticated":
                        await ws.send(
                            json.dumps({"action": "subscribe", "trades": syms, "bars": syms})
                        )
                    elif kind == "t":
                        yield Quote(
                            msg["S"],
                            pd.Timestamp(msg["t"]).tz_convert(EASTERN),
                            float(msg["p"]),
                            volume=float(msg.get("s", 0)),
                        )
                    elif kind == "b":
                        yield StreamBar(
                            msg["S"],
                            pd.Timestamp(msg["t"]).tz_convert(EASTERN),
                            float(msg["o"]),
                            float(msg["h"]),
                            float(msg["l"]),
                            float(msg["c"]),
                            float(msg.get("v", 0)),
                        )
