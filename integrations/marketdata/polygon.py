"""Polygon.io: REST aggregates (``/v2/aggs``, paginated by ``next_url``) and the WebSocket stream.

Settings: ``POLYGON_API_KEY`` (required), ``WHISPR_POLYGON_BASE_URL`` (default
https://api.polygon.io), ``WHISPR_POLYGON_WS_URL`` (stocks cluster, default
wss://socket.polygon.io/stocks), ``WHISPR_POLYGON_INDICES_WS_URL`` (default
wss://socket.polygon.io/indices). The key is sent as ``Authorization: Bearer``, never in a URL.
SPX is the index ticker ``I:SPX`` (an indices entitlement is needed for it); index streams carry
values (``V``) and minute aggregates (``AM``), stock streams trades (``T``) and ``AM``.
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
from core.errors import InvalidArgumentError
from integrations.marketdata.batches import TickBatch, polygon_frame, polygon_ticks
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

_SPANS = {
    "1m": (1, "minute"),
    "5m": (5, "minute"),
    "15m": (15, "minute"),
    "30m": (30, "minute"),
    "1h": (1, "hour"),
    "1d": (1, "day"),
}
INDEXES = {"SPX": "I:SPX", "NDX": "I:NDX", "VIX": "I:VIX", "RUT": "I:RUT", "DJI": "I:DJI"}


def ticker(symbol: str) -> str:
    """Return Polygon's ticker for a Whispr symbol (SPX -> ``I:SPX``, SPY -> ``SPY``)."""
    sym = symbol.upper().lstrip("$^")
    return INDEXES.get(sym, sym)


def _whispr_symbol(polygon_ticker: str) -> str:
    return polygon_ticker.removeprefix("I:")


def _ms_time(value: Any) -> pd.Timestamp:
    return pd.Timestamp(int(value), unit="ms", tz="UTC").tz_convert(EASTERN)


@dataclass
class PolygonConfig:
    """Polygon settings; ``api_key`` falls back to POLYGON_API_KEY, URLs to their env vars."""

    api_key: str = field(default="", repr=False)
    base_url: str = ""
    ws_url: str = ""
    indices_ws_url: str = ""

    def __post_init__(self) -> None:
        settings = get_settings()
        self.api_key = self.api_key or reveal(settings.polygon_api_key) or ""
        self.base_url = (self.base_url or settings.whispr_polygon_base_url).rstrip("/")
        self.ws_url = self.ws_url or settings.whispr_polygon_ws_url
        self.indices_ws_url = self.indices_ws_url or settings.whispr_polygon_indices_ws_url

    def headers(self) -> dict[str, str]:
        """Return the authentication header; raise ``AuthError`` when no key is set."""
        if not self.api_key:
            raise AuthError("polygon: set POLYGON_API_KEY")
        return {"Authorization": f"Bearer {self.api_key}"}


class PolygonSource(RemoteSource):
    """Bars and live data from Polygon. The constructor opens nothing."""

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
        """Return validated bars (regular hours, ET, labelled by start) from the aggregates
        endpoint, following ``next_url`` pages; raw (unadjusted) prices."""
        name = self.check_bar(bar)
        headers = self.config.headers()
        mult, span = _SPANS[name]
        tick = ticker(symbol)
        lo, hi = (int(as_utc(m).timestamp() * 1000) for m in (start, end))
        url = f"{self.config.base_url}/v2/aggs/ticker/{tick}/range/{mult}/{span}/{lo}/{hi}"
        params: dict[str, str] | None = {"adjusted": "false", "sort": "asc", "limit": "50000"}
        times: list[float] = []
        rows: dict[str, list[float]] = {k: [] for k in ("open", "high", "low", "close", "volume")}
        pages = 0
        while url:
            try:
                page = get_json(
                    self._http,
                    "polygon",
                    url,
                    params=params,
                    headers=headers,
                    retry=self.retry,
                    secrets=(self.config.api_key,),
                )
            except ProviderError as exc:
                failure = page_failure(exc, pages + 1, len(times))
                if failure is exc:
                    raise
                raise failure from exc
            pages += 1
            if not isinstance(page, dict) or page.get("status") not in ("OK", "DELAYED"):
                detail = (
                    page.get("error") or page.get("message") if isinstance(page, dict) else page
                )
                raise ProviderError(f"polygon: unexpected answer for {tick}: {str(detail)[:200]}")
            for item in page.get("results") or []:
                with wire_fields(f"polygon: malformed bar for {tick}", item):
                    times.append(int(item["t"]))
                    for key, src in (("open", "o"), ("high", "h"), ("low", "l"), ("close", "c")):
                        rows[key].append(float(item[src]))
                    rows["volume"].append(float(item.get("v", 0.0)))
            url, params = page.get("next_url") or "", None
        return frame_from_rows("polygon", times, rows, name)

    async def stream(
        self, symbols: Sequence[str], *, batches: bool = False
    ) -> AsyncIterator[Quote | StreamBar | TickBatch]:
        """Yield live events for ``symbols``: trades (``T``) or index values (``V``) as
        ``Quote`` (with ``batches``, each frame's as one ``TickBatch``), minute aggregates
        (``AM``) as ``StreamBar``; times in ET.

        Stocks and indices live on different Polygon clusters: stream them separately.
        """
        self.config.headers()  # fail fast without a key
        tickers = [ticker(s) for s in symbols]
        indices = {t.startswith("I:") for t in tickers}
        if len(indices) > 1:
            raise InvalidArgumentError(
                "polygon streams stocks and indices on separate connections; "
                f"stream {', '.join(t for t in tickers if t.startswith('I:'))} on its own"
            )
        index = indices == {True}
        url = self.config.indices_ws_url if index else self.config.ws_url
        channels = ("V", "AM") if index else ("T", "AM")
        params = ",".join(f"{c}.{t}" for t in tickers for c in channels)
        async with open_stream("polygon", url) as ws:
            await ws.send(json.dumps({"action": "auth", "params": self.config.api_key}))
            async for raw in ws:
                fast = polygon_frame(raw) if batches else None
                if fast is not None:  # a frame of trades only: decoded straight into columns
                    yield fast
                    continue
                messages = decode("polygon", raw)
                if not isinstance(messages, list):
                    raise ProviderError(f"polygon stream: malformed message {raw!r:.200}")
                if batches:  # the frame's trades as one batch, the rest message by message
                    with wire_fields("polygon stream: malformed trade in", raw):
                        ticks, messages = polygon_ticks(messages)
                    if len(ticks):
                        yield ticks
                for msg in messages:
                    with wire_fields("polygon stream: malformed message", msg):
                        event, status = msg.get("ev"), msg.get("status")
                        if event == "status" and status == "auth_success":
                            await ws.send(json.dumps({"action": "subscribe", "params": params}))
                            continue
                        if event == "status" and status in ("auth_failed", "auth_timeout"):
                            raise AuthError(f"polygon stream: authentication failed ({status})")
                        if event == "status" and status in ("error", "max_connections"):
                            raise ProviderError(f"polygon stream: {msg.get('message', status)}")
                        out = _event(msg)
                    if out is not None:
                        yield out


def _event(msg: dict[str, Any]) -> Quote | StreamBar | None:
    event = msg.get("ev")
    if event == "T":
        volume = float(msg.get("s", 0))
        return Quote(_whispr_symbol(msg["sym"]), _ms_time(msg["t"]), float(msg["p"]), volume=volume)
    if event == "V":
        return Quote(_whispr_symbol(msg["T"]), _ms_time(msg["t"]), float(msg["val"]))
    if event == "AM":
        return StreamBar(
            _whispr_symbol(msg["sym"]),
            _ms_time(msg["s"]),
            float(msg["o"]),
            float(msg["h"]),
            float(msg["l"]),
            float(msg["c"]),
            float(msg.get("v", 0)),
        )
    return None
