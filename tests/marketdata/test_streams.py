"""Streaming clients against local WebSocket servers speaking each provider's protocol."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.server import serve

from integrations.marketdata.alpaca import AlpacaConfig, AlpacaSource
from integrations.marketdata.http import AuthError
from integrations.marketdata.polygon import PolygonConfig, PolygonSource
from integrations.marketdata.remote import Quote, StreamBar
from integrations.marketdata.schwab import SchwabConfig, SchwabSource
from tests.marketdata.servers import JsonServer

T0 = 1_748_957_400_000  # 2025-06-03 13:30:00 UTC = 09:30 ET


async def _collect(stream, n):
    out = []
    async for event in stream:
        out.append(event)
        if len(out) == n:
            break
    return out


def _run(handler, client_factory, n):
    async def main():
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            return await asyncio.wait_for(_collect(client_factory(f"ws://127.0.0.1:{port}"), n), 10)

    return asyncio.run(main())


def test_polygon_stream_auth_subscribe_and_events():
    seen = []

    async def handler(ws):
        seen.append(json.loads(await ws.recv()))
        if seen[0]["params"] != "pk":
            await ws.send(json.dumps([{"ev": "status", "status": "auth_failed"}]))
            return
        await ws.send(json.dumps([{"ev": "status", "status": "auth_success"}]))
        seen.append(json.loads(await ws.recv()))
        await ws.send(
            json.dumps(
                [
                    {"ev": "T", "sym": "SPY", "p": 596.11, "s": 100, "t": T0},
                    {
                        "ev": "AM",
                        "sym": "SPY",
                        "o": 596.0,
                        "h": 596.5,
                        "l": 595.9,
                        "c": 596.11,
                        "v": 1e5,
                        "s": T0,
                        "e": T0 + 60_000,
                    },
                ]
            )
        )
        await ws.wait_closed()

    events = _run(
        handler,
        lambda url: PolygonSource(PolygonConfig(api_key="pk", ws_url=url)).stream(["SPY"]),
        2,
    )
    assert seen[1] == {"action": "subscribe", "params": "T.SPY,AM.SPY"}
    quote, bar = events
    assert isinstance(quote, Quote) and quote.last == 596.11
    assert str(quote.time) == "2025-06-03 09:30:00-04:00"
    assert isinstance(bar, StreamBar) and bar.high == 596.5
    with pytest.raises(AuthError, match="authentication failed"):
        seen.clear()
        _run(
            handler,
            lambda url: PolygonSource(PolygonConfig(api_key="bad", ws_url=url)).stream(["SPY"]),
            1,
        )


def test_alpaca_stream():
    async def handler(ws):
        await ws.send(json.dumps([{"T": "success", "msg": "connected"}]))
        auth = json.loads(await ws.recv())
        if auth["secret"] != "sec":
            await ws.send(json.dumps([{"T": "error", "code": 402, "msg": "auth failed"}]))
            return
        await ws.send(json.dumps([{"T": "success", "msg": "authenticated"}]))
        sub = json.loads(await ws.recv())
        assert sub == {"action": "subscribe", "trades": ["SPY"], "bars": ["SPY"]}
        await ws.send(
            json.dumps(
                [
                    {"T": "t", "S": "SPY", "p": 596.1, "s": 5, "t": "2025-06-03T13:30:01Z"},
                    {
                        "T": "b",
                        "S": "SPY",
                        "o": 1,
                        "h": 2,
                        "l": 0.5,
                        "c": 1.5,
                        "v": 9,
                        "t": "2025-06-03T13:30:00Z",
                    },
                ]
            )
        )
        await ws.wait_closed()

    def client(url, secret="sec"):
        return AlpacaSource(AlpacaConfig(key_id="kid", secret_key=secret, ws_url=url)).stream(
            ["SPY"]
        )

    quote, bar = _run(handler, client, 2)
    assert quote.symbol == "SPY" and quote.last == 596.1 and bar.close == 1.5
    with pytest.raises(AuthError, match="auth failed"):
        _run(handler, lambda url: client(url, "nope"), 1)


def test_schwab_streamer_login_and_levelone(tmp_path):
    requests = []

    async def handler(ws):
        login = json.loads(await ws.recv())["requests"][0]
        requests.append(login)
        ok = login["parameters"]["Authorization"] == "A"
        await ws.send(
            json.dumps(
                {
                    "response": [
                        {
                            "service": "ADMIN",
                            "command": "LOGIN",
                            "content": {"code": 0 if ok else 3, "msg": "x"},
                        }
                    ]
                }
            )
        )
        if not ok:
            return
        requests.append(json.loads(await ws.recv())["requests"][0])
        await ws.send(
            json.dumps(
                {
                    "data": [
                        {
                            "service": "LEVELONE_EQUITIES",
                            "timestamp": T0,
                            "command": "SUBS",
                            "content": [
                                {"key": "$SPX", "1": 5961.0, "2": 5962.0, "3": 5961.5, "35": T0}
                            ],
                        }
                    ]
                }
            )
        )
        await ws.wait_closed()

    async def main():
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            prefs = {
                "streamerInfo": [
                    {
                        "streamerSocketUrl": f"ws://127.0.0.1:{port}",
                        "schwabClientCustomerId": "cust",
                        "schwabClientCorrelId": "corr",
                        "schwabClientChannel": "N9",
                        "schwabClientFunctionId": "APIAPP",
                    }
                ]
            }
            routes = {
                ("POST", "/v1/oauth/token"): lambda *a: (
                    200,
                    {"access_token": "A", "refresh_token": "R", "expires_in": 1800},
                    {},
                ),
                ("GET", "/trader/v1/userPreference"): lambda *a: (200, prefs, {}),
            }
            with JsonServer(routes) as rest:
                cfg = SchwabConfig(
                    client_id="c",
                    client_secret="s",
                    base_url=rest.url,
                    token_file=tmp_path / "t.json",
                )
                src = SchwabSource(cfg)
                src.auth.exchange_code("code")
                return await asyncio.wait_for(_collect(src.stream(["SPX"]), 1), 10)

    (quote,) = asyncio.run(main())
    assert requests[0]["service"] == "ADMIN" and requests[0]["SchwabClientCustomerId"] == "cust"
    assert requests[1]["parameters"]["keys"] == "$SPX" and requests[1]["command"] == "SUBS"
    assert quote.symbol == "SPX" and quote.last == 5961.5 and quote.bid == 5961.0
