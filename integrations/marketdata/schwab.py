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
import websockets

from core.bars import EASTERN
from integrations.marketdata.http import AuthError, ProviderError, Retry, get_json
from integrations.marketdata.remote import Quote, RemoteSource, StreamBar, as_utc, frame_from_rows

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


@dataclass
class SchwabConfig:
    """Schwab app settings; every field falls back to its environment variable."""

    client_id: str = field(default="", repr=False)
    client_secret: str = field(default="", repr=False)
    redirect_uri: str = ""
    base_url: str = ""
    token_file: Path | None = None

    def __post_init__(self) -> None:
        env = os.environ
        self.client_id = self.client_id or env.get("SCHWAB_CLIENT_ID", "")
        self.client_secret = self.client_secret or env.get("SCHWAB_CLIENT_SECRET", "")
        self.redirect_uri = self.redirect_uri or env.get(
            "SCHWAB_REDIRECT_URI", "https://127.0.0.1:8182"
        )
        self.base_url = (
            self.base_url or env.get("WHISPR_SCHWAB_BASE_URL") or "https://api.schwabapi.com"
        ).rstrip("/")
        default = Path("~/.config/whispr/schwab_token.json").expanduser()
        self.token_file = Path(self.token_file or env.get("WHISPR_SCHWAB_TOKEN_FILE") or default)


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
            return json.loads(self.path.read_text())
        except ValueError as exc:
            raise AuthError(f"schwab: token file {self.path} is corrupt; {REAUTH}") from exc

    def save(self, tokens: dict[str, Any]) -> None:
        """Write the tokens atomically with owner-only permissions."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            json.dump(tokens, handle)
        os.replace(tmp, self.path)


class SchwabAuth:
    """OAuth2 authorization-code flow with automatic refresh."""

    def __init__(
        self, config: SchwabConfig, http: httpx.Client, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self.http = http
        self.store = TokenStore(config.token_file or Path())
        self.clock = clock

    def authorize_url(self) -> str:
        """Return the URL the user opens to sign in and approve the app."""
        query = urlencode(
            {"client_id": self.config.client_id, "redirect_uri": self.config.redirect_uri}
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
        if response.status_code in (400, 401):
            raise AuthError(
                f"schwab: the token request was refused (HTTP {response.status_code}); {REAUTH}"
            )
        if response.status_code != 200:
            raise ProviderError(f"schwab: token endpoint answered HTTP {response.status_code}")
        try:
            body = response.json()
            tokens = {
                "access_token": body["access_token"],
                "refresh_token": body["refresh_token"],
                "expires_in": int(body.get("expires_in", ACCESS_LIFETIME)),
            }
        except (ValueError, KeyError, TypeError) as exc:
            raise ProviderError("schwab: malformed token response") from exc
        return tokens

    def exchange_code(self, code_or_redirect: str) -> None:
        """Trade the code (or the whole redirect URL the browser landed on) for tokens; store them."""
        code = code_or_redirect
        if "code=" in code_or_redirect:
            code = httpx.URL(code_or_redirect).params.get("code", "")
        tokens = self._token_request(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": self.config.redirect_uri,
            }
        )
        now = self.clock()
        self.store.save({**tokens, "access_obtained": now, "refresh_obtained": now})

    def access_token(self, force_refresh: bool = False) -> str:
        """Return a valid access token, refreshing it when it is (about to be) expired."""
        stored = self.store.load()
        if not stored:
            raise AuthError(f"schwab: not signed in; {REAUTH}")
        now = self.clock()
        if now - stored.get("refresh_obtained", 0) >= REFRESH_LIFETIME:
            raise AuthError(f"schwab: the refresh token expired (7 days); {REAUTH}")
        expires = stored.get("access_obtained", 0) + stored.get("expires_in", ACCESS_LIFETIME) - 60
        if force_refresh or now >= expires:
            tokens = self._token_request(
                {"grant_type": "refresh_token", "refresh_token": stored["refresh_token"]}
            )
            # the 7-day refresh window counts from the sign-in, not from each refresh
            stored = {**stored, **tokens, "access_obtained": now}
            self.store.save(stored)
        return str(stored["access_token"])


class SchwabSource(RemoteSource):
    """Bars and live quotes from Schwab."""

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
        try:
            return get_json(
                self._http,
                "schwab",
                url,
                params=params,
                retry=self.retry,
                headers={"Authorization": f"Bearer {self.auth.access_token()}"},
            )
        except AuthError:  # the access token was revoked or expired early: refresh once
            token = self.auth.access_token(force_refresh=True)
            return get_json(
                self._http,
                "schwab",
                url,
                params=params,
                retry=self.retry,
                headers={"Authorization": f"Bearer {token}"},
            )

    def fetch(self, symbol: str, bar: str, start: dt.datetime, end: dt.datetime) -> pd.DataFrame:
        """Return validated bars from price history (regular hours only)."""
        name = self.check_bar(bar)
        sym = symbol.upper().lstrip("$^")
        kind, freq = _FREQ[name]
        params = {
            "symbol": _INDEX.get(sym, sym),
            "periodType": "day" if kind == "minute" else "year",
            "frequencyType": kind,
            "frequency": freq,
            "startDate": int(as_utc(start).timestamp() * 1000),
            "endDate": int(as_utc(end).timestamp() * 1000),
            "needExtendedHoursData": "false",
        }
        body = self._get("/marketdata/v1/pricehistory", params)
        if not isinstance(body, dict) or "candles" not in body:
            raise ProviderError(f"schwab: unexpected price history for {sym}: {str(body)[:200]}")
        times, rows = [], {k: [] for k in ("open", "high", "low", "close", "volume")}
        for candle in body["candles"]:
            try:
                times.append(candle["datetime"])
                for key in rows:
                    rows[key].append(float(candle[key]))
            except (KeyError, TypeError, ValueError) as exc:
                raise ProviderError(f"schwab: malformed candle for {sym}: {candle!r:.200}") from exc
        return frame_from_rows("schwab", times, rows, name)

    async def stream(self, symbols: Sequence[str]) -> AsyncIterator[Quote | StreamBar]:
        """Yield LEVELONE_EQUITIES quotes for ``symbols`` (ADMIN LOGIN, then SUBS)."""
        prefs = self._get("/trader/v1/userPreference", {})
        try:
            info = prefs["streamerInfo"][0]
            url = info["streamerSocketUrl"]
        except (KeyError, IndexError, TypeError) as exc:
            raise ProviderError("schwab: user preferences carry no streamer info") from exc
        ids = {
            "SchwabClientCustomerId": info.get("schwabClientCustomerId", ""),
            "SchwabClientCorrelId": info.get("schwabClientCorrelId", ""),
        }
        keys = ",".join(_INDEX.get(s.upper().lstrip("$^"), s.upper()) for s in symbols)
        async with websockets.connect(url) as ws:
            await ws.send(
                json.dumps(
                    {
                        "requests": [
                            {
                                "requestid": "0",
                                "service": "ADMIN",
                                "command": "LOGIN",
                                **ids,
                                "parameters": {
                                    "Authorization": self.auth.access_token(),
                                    "SchwabClientChannel": info.get("schwabClientChannel", "N9"),
                                    "SchwabClientFunctionId": info.get(
                                        "schwabClientFunctionId", "APIAPP"
                                    ),
                                },
                            }
                        ]
                    }
                )
            )
            async for raw in ws:
                msg = json.loads(raw)
                for resp in msg.get("response", []):
                    code = resp.get("content", {}).get("code")
                    if resp.get("command") == "LOGIN":
                        if code != 0:
                            raise AuthError(f"schwab stream: login denied (code {code}); {REAUTH}")
                        await ws.send(
                            json.dumps(
                                {
                                    "requests": [
                                        {
                                            "requestid": "1",
                                            "service": "LEVELONE_EQUITIES",
                                            "command": "SUBS",
                                            **ids,
                                            "parameters": {
                                                "keys": keys,
                                                "fields": "0,1,2,3,8,10,11,12,17,34,35",
                                            },
                                        }
                                    ]
                                }
                            )
                        )
                    elif code not in (0, None):
                        raise ProviderError(
                            f"schwab stream: {resp.get('command')} failed (code {code})"
                        )
                for data in msg.get("data", []):
                    if data.get("service") != "LEVELONE_EQUITIES":
                        continue
                    for item in data.get("content", []):
                        stamp = item.get("35") or item.get("34") or data.get("timestamp")
                        yield Quote(
                            str(item["key"]).lstrip("$"),
                            pd.Timestamp(stamp, unit="ms", tz="UTC").tz_convert(EASTERN),
                            _num(item.get("3")),
                            bid=_num(item.get("1")),
                            ask=_num(item.get("2")),
                            volume=_num(item.get("8")),
                        )


def _num(value: Any) -> float | None:
    return None if value is None else float(value)
