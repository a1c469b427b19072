"""Polygon, Alpaca and Schwab REST clients against local servers speaking their wire formats,
carrying a real SPY session from the shipped data."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from urllib.parse import parse_qs

import pandas as pd
import pytest

from core.errors import UnknownSymbolError
from integrations.marketdata.alpaca import AlpacaConfig, AlpacaSource
from integrations.marketdata.cache import CachedSource
from integrations.marketdata.http import AuthError, ProviderError, Retry
from integrations.marketdata.polygon import PolygonConfig, PolygonSource
from integrations.marketdata.schwab import SchwabConfig, SchwabSource
from tests.marketdata.servers import JsonServer

START, END = dt.datetime(2025, 6, 3), dt.datetime(2025, 6, 4)


@pytest.fixture(scope="module")
def session(source):
    return source.bars("SPY", "5m").loc["2025-06-03"]


def _ms(ts) -> int:
    return int(ts.value // 1_000_000)


def _no_sleep(log):
    return Retry(attempts=3, sleep=log.append)


# ---- Polygon --------------------------------------------------------------------------------


def _polygon_routes(session, state):
    rows = [
        {"t": _ms(t), "o": r.open, "h": r.high, "l": r.low, "c": r.close, "v": r.volume}
        for t, r in session.iterrows()
    ]
    half = len(rows) // 2

    def aggs(path, query, headers, body):
        state["calls"] += 1
        assert "apiKey" not in query  # the key travels in a header, never in a (logged) URL
        if headers.get("authorization") != "Bearer pk":
            return 403, {"status": "NOT_AUTHORIZED", "message": "bad key"}, {}
        if state.get("throttle"):
            state["throttle"] -= 1
            return 429, {"status": "ERROR"}, {"Retry-After": "7"}
        if "cursor" in query:
            return 200, {"status": "OK", "results": rows[half:]}, {}
        nxt = f"{state['url']}/v2/aggs/ticker/SPY/range/5/minute/p2?cursor=abc"
        return 200, {"status": "OK", "results": rows[:half], "next_url": nxt}, {}

    def page2(path, query, headers, body):
        return aggs(path, {**query, "cursor": ["abc"]}, headers, body)

    return aggs, page2


def test_polygon_pages_rate_limit_and_cache(session, tmp_path):
    state = {"calls": 0, "throttle": 1}
    aggs, page2 = _polygon_routes(session, state)
    routes = {}
    with JsonServer(routes) as server:
        state["url"] = server.url
        slept: list[float] = []
        src = PolygonSource(
            PolygonConfig(api_key="pk", base_url=server.url), retry=_no_sleep(slept)
        )
        lo, hi = (_ms(pd.Timestamp(m, tz="America/New_York")) for m in (START, END))
        routes[("GET", f"/v2/aggs/ticker/SPY/range/5/minute/{lo}/{hi}")] = aggs
        routes[("GET", "/v2/aggs/ticker/SPY/range/5/minute/p2")] = page2
        cached = CachedSource(src, tmp_path)
        bars = cached.fetch("SPY", "5m", START, END)
        assert slept == [7.0]  # honoured Retry-After
        assert len(bars) == 78 and bars["close"].iloc[-1] == session["close"].iloc[-1]
        assert str(bars.index[0]) == "2025-06-03 09:30:00-04:00"
        calls = state["calls"]
        again = cached.fetch("SPY", "5m", START, END)
        assert state["calls"] == calls  # served from the cache: the server saw nothing new
        assert again.equals(bars)
        assert "pk" not in repr(src.config)
        with pytest.raises(AuthError, match="credentials rejected"):
            PolygonSource(PolygonConfig(api_key="wrong", base_url=server.url)).fetch(
                "SPY", "5m", START, END
            )


def test_polygon_malformed_and_missing_key():
    def bad(path, query, headers, body):
        return 200, {"status": "OK", "results": [{"t": 1, "o": "x"}]}, {}

    with JsonServer({}) as server:
        server.routes[("GET", "/v2/aggs/ticker/I:SPX/range/1/day/0/1")] = bad
        src = PolygonSource(PolygonConfig(api_key="pk", base_url=server.url))
        with pytest.raises(ProviderError, match="malformed bar for I:SPX"):
            src.fetch(
                "SPX",
                "1d",
                dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
                dt.datetime(1970, 1, 1, 0, 0, 0, 1000, tzinfo=dt.UTC),
            )
    with pytest.raises(AuthError, match="POLYGON_API_KEY"):
        PolygonSource(PolygonConfig(api_key="", base_url="http://127.0.0.1:9")).fetch(
            "SPY", "5m", START, END
        )


# ---- Alpaca ---------------------------------------------------------------------------------


def test_alpaca_pagination_headers_and_rth_filter(session):
    rows = [
        {
            "t": t.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
            "o": r.open,
            "h": r.high,
            "l": r.low,
            "c": r.close,
            "v": r.volume,
            "n": 1,
            "vw": r.close,
        }
        for t, r in session.iterrows()
    ]
    premarket = dict(rows[0], t="2025-06-03T12:00:00Z")  # 08:00 ET: must be dropped

    def bars(path, query, headers, body):
        if headers.get("apca-api-key-id") != "kid" or headers.get("apca-api-secret-key") != "sec":
            return 401, {"message": "unauthorized"}, {}
        assert query["timeframe"] == ["5Min"] and query["adjustment"] == ["raw"]
        if query.get("page_token") == ["n2"]:
            return 200, {"bars": rows[40:], "symbol": "SPY", "next_page_token": None}, {}
        return 200, {"bars": [premarket, *rows[:40]], "symbol": "SPY", "next_page_token": "n2"}, {}

    with JsonServer({("GET", "/v2/stocks/SPY/bars"): bars}) as server:
        src = AlpacaSource(AlpacaConfig(key_id="kid", secret_key="sec", base_url=server.url))
        frame = src.fetch("SPY", "5m", START, END)
        assert len(frame) == 78 and frame["open"].iloc[0] == session["open"].iloc[0]
        assert len(server.requests) == 2
        with pytest.raises(AuthError):
            AlpacaSource(AlpacaConfig(key_id="kid", secret_key="x", base_url=server.url)).fetch(
                "SPY", "5m", START, END
            )
    with pytest.raises(UnknownSymbolError, match="no index data"):
        AlpacaSource(AlpacaConfig(key_id="k", secret_key="s")).fetch("SPX", "5m", START, END)


# ---- Schwab ---------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_750_000_000.0

    def __call__(self) -> float:
        return self.now


def _schwab_routes(session, state):
    candles = [
        {
            "datetime": _ms(t),
            "open": r.open,
            "high": r.high,
            "low": r.low,
            "close": r.close,
            "volume": r.volume,
        }
        for t, r in session.iterrows()
    ]

    def token(path, query, headers, body):
        form = parse_qs(body.decode())
        assert headers["authorization"].startswith("Basic ")
        state["grants"].append(form["grant_type"][0])
        if form["grant_type"] == ["authorization_code"]:
            if form["code"] != ["good-code"]:
                return 400, {"error": "invalid_grant"}, {}
            return 200, {"access_token": "A1", "refresh_token": "R1", "expires_in": 1800}, {}
        if form["refresh_token"] != ["R1"] or state.get("refresh_dead"):
            return 400, {"error": "invalid_grant"}, {}
        state["n"] += 1
        return (
            200,
            {"access_token": f"A{state['n'] + 1}", "refresh_token": "R1", "expires_in": 1800},
            {},
        )

    def history(path, query, headers, body):
        state["auth_seen"].append(headers.get("authorization"))
        if headers.get("authorization") in state["revoked"]:
            return 401, {"errors": [{"title": "Unauthorized"}]}, {}
        assert query["symbol"] in (["SPY"], ["$SPX"]) and query["frequency"] == ["5"]
        assert query["needExtendedHoursData"] == ["false"]
        return 200, {"symbol": query["symbol"][0], "empty": False, "candles": candles}, {}

    return {("POST", "/v1/oauth/token"): token, ("GET", "/marketdata/v1/pricehistory"): history}


def test_schwab_oauth_refresh_and_price_history(session, tmp_path):
    state = {"grants": [], "n": 0, "auth_seen": [], "revoked": set()}
    clock = Clock()
    with JsonServer(_schwab_routes(session, state)) as server:
        cfg = SchwabConfig(
            client_id="cid",
            client_secret="csec",
            base_url=server.url,
            token_file=tmp_path / "tok.json",
        )
        src = SchwabSource(cfg, clock=clock, retry=Retry(attempts=1))
        assert src.auth.authorize_url().startswith(f"{server.url}/v1/oauth/authorize?client_id=cid")
        with pytest.raises(AuthError, match="not signed in"):
            src.fetch("SPY", "5m", START, END)
        with pytest.raises(AuthError, match="refused"):
            src.auth.exchange_code("bad-code")
        src.auth.exchange_code("https://127.0.0.1:8182/?code=good-code&session=x")
        mode = stat.S_IMODE(os.stat(tmp_path / "tok.json").st_mode)
        assert mode == 0o600
        frame = src.fetch("SPY", "5m", START, END)
        assert len(frame) == 78 and state["auth_seen"][-1] == "Bearer A1"
        clock.now += 31 * 60  # access token expired: refreshed before the call
        src.fetch("SPY", "5m", START, END)
        assert state["grants"][-1] == "refresh_token" and state["auth_seen"][-1] == "Bearer A2"
        state["revoked"].add("Bearer A2")  # revoked early: 401 → refresh once → retry
        src.fetch("SPX", "5m", START, END)
        assert state["auth_seen"][-2:] == ["Bearer A2", "Bearer A3"]
        clock.now += 8 * 24 * 3600  # the 7-day refresh token has expired
        with pytest.raises(AuthError, match="refresh token expired.*whispr data auth schwab"):
            src.fetch("SPY", "5m", START, END)
        token_text = (tmp_path / "tok.json").read_text()
        assert "csec" not in token_text and "csec" not in repr(cfg)


def test_schwab_malformed_history(tmp_path):
    clock = Clock()

    def token(path, query, headers, body):
        return 200, {"access_token": "A", "refresh_token": "R", "expires_in": 1800}, {}

    def history(path, query, headers, body):
        return 200, "<html>maintenance</html>", {}

    with JsonServer(
        {("POST", "/v1/oauth/token"): token, ("GET", "/marketdata/v1/pricehistory"): history}
    ) as server:
        cfg = SchwabConfig(
            client_id="c", client_secret="s", base_url=server.url, token_file=tmp_path / "t.json"
        )
        src = SchwabSource(cfg, clock=clock, retry=Retry(attempts=1))
        src.auth.exchange_code("x")
        with pytest.raises(ProviderError, match="malformed JSON"):
            src.fetch("SPY", "5m", START, END)
    assert json.loads((tmp_path / "t.json").read_text())["access_token"] == "A"
