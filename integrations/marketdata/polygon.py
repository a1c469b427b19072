"""Polygon.io: REST aggregates (``/v2/aggs``, paginated by ``next_url``) and the WebSocket stream.

Settings: ``POLYGON_API_KEY`` (required), ``WHISPR_POLYGON_BASE_URL`` (default
https://api.polygon.io), ``WHISPR_POLYGON_WS_URL`` (default wss://socket.polygon.io/stocks).
SPX is the index ticker ``I:SPX`` (an indices entitlement is needed for it).
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
from integrations.marketdata.http import AuthError, ProviderError, Retry, get_json
from integrations.marketdata.remote import Quote, RemoteSource, StreamBar, as_utc, frame_from_rows

_SPANS = {
    "1m": (1, "minute"),
    "5m": (5, "minute"),
    "15m": (15, "minute"),
    "30m": (30, "minute"),
    "1h": (1, "hour"),
    "1d": (1, "day"),
}
_INDEX = {"SPX": "I:SPX"}


@dataclass
class PolygonConfig:
    """Polygon settings; ``api_key`` falls back to POLYGON_API_KEY."""

    api_key: str = field(default="", repr=False)
    base_url: str = ""
    ws_url: str = ""

    def __post_init__(self) -> None:
        self.api_key = self.api_key or os.environ.get("POLYGON_API_KEY", "")
        self.base_url = (
            self.base_url or os.environ.get("WHISPR_POLYGON_BASE_URL") or "https://api.polygon.io"
        ).rstrip("/")
        self.ws_url = (
            self.ws_url
            or os.environ.get("WHISPR_POLYGON_WS_URL")
            or "wss://socket.polygon.io/stocks"
        )


class PolygonSource(RemoteSource):
    """Bars and live data from Polygon."""

    name = "polygon"

    def __init__(
        self,
        config: PolygonConfig | None = None,
        *,
        retry: Retry | None = None,
        http: httpx.Client | None = None,
    ) -> None:
        self.config = config or PolygonConfig()
        self.retry = retry or Retry()
        self._http = http or httpx.Client(timeout=30)

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars from the aggregates endpoint, following ``next_url`` pages."""
        name = self.check_bar(bar)
        mult, span = _SPANS[name]
        ticker = _INDEX.get(symbol.upper().lstrip("$^"), symbol.upper())
        lo = as_utc(start).astimezone(dt.timezone.utc)
        hi = as_utc(end).astimezone(dt.timezone.utc)
        url = (
            f"{self.config.base_url}/v2/aggs/ticker/{ticker}/range/{mult}/{span}/"
            f"{int(lo.timestamp() * 1000)}/{int(hi.timestamp() * 1000)}"
        )
        params: dict[str, str] | None = {"adjusted": "false", "sort": "asc", "limit": "50000"}
        times, rows = [], {k: [] for k in ("open", "high", "low", "close", "volume")}
        if not self.config.api_key:
            raise AuthError("polygon: set POLYGON_API_KEY")
        while url:
            page = get_json(
                self._http,
                "polygon",
                url,
                params={**(params or {}), "apiKey": self.config.api_key},
                retry=self.retry,
                secrets=(self.config.api_key,),
            )
            if not isinstance(page, dict) or page.get("status") not in ("OK", "DELAYED"):
                raise ProviderError(
                    f"polygon: unexpected answer for {ticker}: "
                    f"{str(page.get('error') if isinstance(page, dict) else page)[:200]}"
                )
            for item in page.get("results") or []:
                try:
                    times.append(item["t"])
                    for key, src in (("open", "o"), ("high", "h"), ("low", "l"), ("close", "c")):
                        rows[key].append(float(item[src]))
                    rows["volume"].append(float(item.get("v", 0.0)))
                except (KeyError, TypeError, ValueError) as exc:
                    raise ProviderError(
                        f"polygon: malformed bar for {ticker}: {item!r:.200}"
                    ) from exc
            url, params = page.get("next_url") or "", None
        return frame_from_rows("polygon", times, rows, name)

    async def stream(self, symbols: Sequence[str]) -> AsyncIterator[Quote | StreamBar]:
        """Yield trades (``T``) as quotes and minute aggregates (``AM``) as bars."""
        if not self.config.api_key:
            raise AuthError("polygon: set POLYGON_API_KEY")
        async with websockets.connect(self.config.ws_url) as ws:
            await ws.send(json.dumps({"action": "auth", "params": self.config.api_key}))
            async for raw in ws:
                for msg in json.loads(raw):
                    event = msg.get("ev")
                    if event == "status":
                        if msg.get("status") == "auth_failed":
                            raise AuthError("polygon: stream authentication failed")
                        if msg.get("status") == "auth_success":
                            params = ",".join(f"{p}.{s}" for s in symbols for p in ("T", "AM"))
                            await ws.send(json.dumps({"action": "subscribe", "params": params}))
                    elif event == "T":
                        yield Quote(
                            msg["sym"],
                            pd.Timestamp(msg["t"], unit="ms", tz="UTC").tz_convert(EASTERN),
                            float(msg["p"]),
                            volume=float(msg.get("s", 0)),
                        )
                    elif event == "AM":
                        yield StreamBar(
                            msg["sym"],
                            pd.Timestamp(msg["s"], unit="ms", tz="UTC").tz_convert(EASTERN),
                            float(msg["o"]),
                            float(msg["h"]),
                            float(msg["l"]),
                            float(msg["c"]),
                            float(msg.get("v", 0)),
                        )
