"""Charles Schwab Trader API: OAuth2 (authorization code, refresh token stored in a file),
price history (``/marketdata/v1/pricehistory``) and the streamer (LEVELONE_EQUITIES).

Settings: ``SCHWAB_CLIENT_ID``, ``SCHWAB_CLIENT_SECRET``, ``SCHWAB_REDIRECT_URI`` (default
https://127.0.0.1:8182), ``WHISPR_SCHWAB_TOKEN_FILE`` (default ``~/.config/whispr/schwab_token.json``,
written with mode 0600, outside the repo), ``WHISPR_SCHWAB_BASE_URL`` (default
https://api.schwabapi.com). Access tokens live 30 minutes and are refreshed automatically;
refresh tokens live 7 days, after which ``whispr data auth schwab`` must be run again.
Symbols: SPX is ``$SPX``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pandas as pd

from assistant.settings import get_settings, reveal
from core.bars import EASTERN
from integrations.marketdata.batches import TickBatch, schwab_ticks
from integrations.marketdata.http import AuthError, ProviderError, Retry, get_json
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

ACCESS_LIFETIME = 30 * 60
REFRESH_LIFETIME = 7 * 24 * 3600
_FREQ = {
    "1m": ("minute", 1),
    "5m": ("minute", 5),
    "10m": ("minute", 10),
    "15m": ("minute", 15),
    "30m": ("minute", 30),
    "1d": ("daily", 1),
    "1w": ("weekly", 1),
    "1mo": ("monthly", 1),
}
_INDEX = {"SPX": "$SPX", "VIX": "$VIX", "NDX": "$NDX", "DJI": "$DJI"}
REAUTH = "run `whispr data auth schwab` to sign in again"
_LEVELONE_FIELDS = "0,1,2,3,8,10,11,12,17,34,35"


def schwab_symbol(symbol: str) -> str:
    """Return Schwab's symbol for a Whispr symbol (SPX -> ``$SPX``, SPY -> ``SPY``)."""
    sym = symbol.upper().lstrip("$^")
    return _INDEX.get(sym, sym)


@dataclass
class SchwabConfig:
    """Schwab app settings; every field falls back to its environment variable. The client id
    and secret are hidden from ``repr``."""

    client_id: str = field(default="", repr=False)
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = ""
    base_url: str = ""
    token_file: Path | None = None

    def __post_init__(self) -> None:
        settings = get_settings()
        self.client_id = self.client_id or reveal(settings.schwab_client_id) or ""
        self.client_secret = self.client_secret or reveal(settings.schwab_client_secret) or ""
        self.redirect_uri = self.redirect_uri or settings.schwab_redirect_uri
        self.base_url = (self.base_url or settings.whispr_schwab_base_url).rstrip("/")
        chosen = self.token_file or settings.whispr_schwab_token_file
        self.token_file = Path(chosen).expanduser()


class TokenStore:
    """The OAuth tokens on disk (JSON, mode 0600). Never logged; ``repr`` hides the values."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"TokenStore({self.path})"

    def load(self) -> dict[str, Any] | None:
        """Return the stored tokens, or None when the file does not exist."""
        if not self.path.exists():
            return None
        try:
            tokens = json.loads(self.path.read_text())
        except ValueError:
            tokens = None
        if not isinstance(tokens, dict) or not tokens.get("refresh_token"):
            raise AuthError(f"schwab: token file {self.path} is corrupt; {REAUTH}")
        return tokens

    def save(self, tokens: dict[str, Any]) -> None:
        """Write the tokens atomically, readable and writable by the owner only (0600)."""
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # a stale tmp file may have been created with other permissions
        with os.fdopen(fd, "w") as handle:
            json.dump(tokens, handle)
        os.replace(tmp, self.path)


class SchwabAuth:
    """OAuth2 authorization-code flow with automatic refresh. Opens nothing until called."""

    def __init__(
        self, config: SchwabConfig, http: httpx.Client, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self.http = http
        self.store = TokenStore(config.token_file or Path())
        self.clock = clock

    def __repr__(self) -> str:
        return f"SchwabAuth({self.config.base_url}, {self.store!r})"

    def authorize_url(self) -> str:
        """Return the URL the user opens to sign in to Schwab and approve the app."""
        query = urlencode(
            {
                "client_id": self.config.client_id,
                "redirect_uri": self.config.redirect_uri,
                "response_type": "code",
            }
        )
        return f"{self.config.base_url}/v1/oauth/authorize?{query}"

    def _token_request(self, form: dict[str, str]) -> dict[str, Any]:
        if not (self.config.client_id and self.config.client_secret):
            raise AuthError("schwab: set SCHWAB_CLIENT_ID and SCHWAB_CLIENT_SECRET")
        try:
            response = self.http.post(
                f"{self.config.base_url}/v1/oauth/token",
                data=form,
                auth=(self.config.client_id, self.config.client_secret),
            )
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"schwab: cannot reach the token endpoint ({exc.__class__.__name__})"
            ) from exc
        status = response.status_code
        if status in (400, 401, 403):
            what = (
                "the refresh token was refused (expired after 7 days, or revoked)"
                if form["grant_type"] == "refresh_token"
                else "the sign-in code was refused (codes expire within minutes; use a fresh one)"
            )
            raise AuthError(f"schwab: {what} (HTTP {status}); {REAUTH}", status)
        if status != 200:
            raise ProviderError(f"schwab: token endpoint answered HTTP {status}")
        try:
            body = response.json()
            return {
                "access_token": str(body["access_token"]),
                "refresh_token": str(body.get("refresh_token") or form.get("refresh_token", "")),
                "expires_in": int(body.get("expires_in", ACCESS_LIFETIME)),
            }
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ProviderError("schwab: malformed token response") from exc

    def exchange_code(self, code_or_redirect: str) -> None:
        """Trade the code (or the whole redirect URL the browser landed on) for tokens and
        store them in the token file."""
        code = code_or_redirect.strip()
        if "code=" in code:
            code = httpx.URL(code).params.get("code", "")
        form = {"grant_type": "authorization_code", "code": code}
        tokens = self._token_request({**form, "redirect_uri": self.config.redirect_uri})
        if not tokens["refresh_token"]:
            raise ProviderError("schwab: the token response carried no refresh token")
        now = self.clock()
        self.store.save({**tokens, "access_obtained": now, "refresh_obtained": now})

    def access_token(self, force_refresh: bool = False) -> str:
        """Return a valid access token, refreshing it when it is expired (or within a minute
        of it) or when ``force_refresh``; raise ``AuthError`` saying how to sign in again when
        the 7-day refresh token has expired or was refused."""
        stored = self.store.load()
        if not stored:
            raise AuthError(f"schwab: not signed in; {REAUTH}")
        now = self.clock()
        if now - float(stored.get("refresh_obtained", 0)) >= REFRESH_LIFETIME:
            raise AuthError(f"schwab: the refresh token expired (7 days); {REAUTH}")
        lifetime = float(stored.get("expires_in", ACCESS_LIFETIME))
        if force_refresh or now >= float(stored.get("access_obtained", 0)) + lifetime - 60:
            tokens = self._token_request(
                {"grant_type": "refresh_token", "refresh_token": str(stored["refresh_token"])}
            )
            # the 7-day refresh window counts from the sign-in, not from each refresh
            stored = {**stored, **tokens, "access_obtained": now}
            self.store.save(stored)
        return str(stored["access_token"])


class SchwabSource(RemoteSource):
    """Bars and live quotes from Schwab. The constructor opens nothing."""

    name = "schwab"
    bar_sizes = ("1m", "5m", "10m", "15m", "30m", "1d", "1w", "1mo")

    def __init__(
        self,
        config: SchwabConfig | None = None,
        *,
        retry: Retry | None = None,
        http: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config or SchwabConfig()
        self.retry = retry or Retry()
        self._http = http or httpx.Client(timeout=30)
        self.auth = SchwabAuth(self.config, self._http, clock)

    def _get(self, path: str, params: dict[str, Any]) -> Any:
        url = f"{self.config.base_url}{path}"

        def call(token: str) -> Any:
            headers = {"Authorization": f"Bearer {token}"}
            return get_json(
                self._http, "schwab", url, params=params, headers=headers, retry=self.retry
            )

        token = self.auth.access_token()
        try:
            return call(token)
        except AuthError as exc:
            if exc.status != 401:
                raise
        # the access token was revoked or expired early: refresh once and retry
        return call(self.auth.access_token(force_refresh=True))

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars from price history (regular hours, ET, labelled by start)."""
        name = self.check_bar(bar)
        sym = schwab_symbol(symbol)
        kind, freq = _FREQ[name]
        params = {
            "symbol": sym,
            "periodType": "day" if kind == "minute" else "year",
            "frequencyType": kind,
            "frequency": freq,
            "startDate": int(as_utc(start).timestamp() * 1000),
            "endDate": int(as_utc(end).timestamp() * 1000),
            "needExtendedHoursData": "false",
        }
        body = self._get("/marketdata/v1/pricehistory", params)
        if not isinstance(body, dict) or not isinstance(body.get("candles"), list):
            raise ProviderError(f"schwab: unexpected price history for {sym}: {str(body)[:200]}")
        times: list[float] = []
        rows: dict[str, list[float]] = {k: [] for k in ("open", "high", "low", "close", "volume")}
        for candle in body["candles"]:
            with wire_fields(f"schwab: malformed candle for {sym}", candle):
                times.append(int(candle["datetime"]))
                for key, values in rows.items():
                    values.append(float(candle[key]))
        return frame_from_rows("schwab", times, rows, name)

    def _streamer_info(self) -> dict[str, Any]:
        prefs = self._get("/trader/v1/userPreference", {})
        with wire_fields("schwab: user preferences carry no streamer info", prefs):
            info = dict(prefs["streamerInfo"][0])
            if not str(info["streamerSocketUrl"]).startswith(("ws://", "wss://")):
                raise ValueError("not a WebSocket URL")
        return info

    async def stream(
        self, symbols: Sequence[str], *, batches: bool = False
    ) -> AsyncIterator[Quote | StreamBar | TickBatch]:
        """Yield LEVELONE_EQUITIES quotes (last, bid, ask, volume; ET; with ``batches``, each
        frame's last prices as one ``TickBatch``) for ``symbols``:
        ADMIN LOGIN with the access token, then SUBS once the login is accepted."""
        info = self._streamer_info()
        ids = {
            "SchwabClientCustomerId": info.get("schwabClientCustomerId", ""),
            "SchwabClientCorrelId": info.get("schwabClientCorrelId", ""),
        }

        def request(rid: str, service: str, command: str, parameters: dict[str, str]) -> str:
            one = {"requestid": rid, "service": service, "command": command, **ids}
            return json.dumps({"requests": [{**one, "parameters": parameters}]})

        login = {
            "Authorization": self.auth.access_token(),
            "SchwabClientChannel": info.get("schwabClientChannel", "N9"),
            "SchwabClientFunctionId": info.get("schwabClientFunctionId", "APIAPP"),
        }
        keys = ",".join(schwab_symbol(s) for s in symbols)
        subs = {"keys": keys, "fields": _LEVELONE_FIELDS}
        async with open_stream("schwab", info["streamerSocketUrl"]) as ws:
            await ws.send(request("0", "ADMIN", "LOGIN", login))
            async for raw in ws:
                msg = decode("schwab", raw)
                with wire_fields("schwab stream: malformed message", msg):
                    for resp in msg.get("response", []):
                        code = resp.get("content", {}).get("code")
                        if resp.get("command") == "LOGIN":
                            if code != 0:
                                raise AuthError(
                                    f"schwab stream: login denied (code {code}); {REAUTH}"
                                )
                            await ws.send(request("1", "LEVELONE_EQUITIES", "SUBS", subs))
                        elif code not in (0, None):
                            text = resp.get("content", {}).get("msg", "")
                            raise ProviderError(
                                f"schwab stream: {resp.get('command')} failed (code {code}) {text}"
                            )
                    if batches:  # the frame's last prices as one batch
                        ticks = schwab_ticks(msg)
                        quotes = []
                    else:
                        quotes = [
                            _quote(item, data.get("timestamp"))
                            for data in msg.get("data", [])
                            if data.get("service") == "LEVELONE_EQUITIES"
                            for item in data.get("content", [])
                        ]
                if batches and len(ticks):
                    yield ticks
                for quote in quotes:
                    yield quote


def _quote(item: dict[str, Any], fallback_ms: Any) -> Quote:
    stamp = item.get("35") or item.get("34") or fallback_ms
    return Quote(
        str(item["key"]).lstrip("$"),
        pd.Timestamp(int(stamp), unit="ms", tz="UTC").tz_convert(EASTERN),
        _num(item.get("3")),
        bid=_num(item.get("1")),
        ask=_num(item.get("2")),
        volume=_num(item.get("8")),
    )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)
