"""Stream failures against local WebSocket servers: refused logins, provider error codes,
malformed messages, refused handshakes, and Polygon's separate indices cluster."""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus

import pytest
from websockets.asyncio.server import serve

from core.errors import InvalidArgumentError, UnknownSymbolError
from integrations.marketdata.alpaca import AlpacaConfig, AlpacaSource
from integrations.marketdata.http import AuthError, ProviderError
from integrations.marketdata.polygon import PolygonConfig, PolygonSource
from integrations.marketdata.remote import Quote, StreamBar
from integrations.marketdata.schwab import SchwabConfig, SchwabSource
from tests.marketdata.servers import JsonServer

T0 = 1_748_957_400_000  # 2025-06-03 09:30 ET


async def _take(stream, n):
    out = []
    async for event in stream:
        out.append(event)
        if len(out) == n:
            break
    return out


def _run(handler, make_stream, n=1, process_request=None):
    """Serve ``handler`` on a local port and return the first ``n`` events of the stream."""

    async def main():
        async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
            port = server.sockets[0].getsockname()[1]
            return await asyncio.wait_for(_take(make_stream(f"ws://127.0.0.1:{port}"), n), 10)

    return asyncio.run(main())


def _polygon_server(events, seen=None):
    async def handler(ws):
        await ws.send(json.dumps([{"ev": "status", "status": "connected"}]))
        await ws.recv()
        await ws.send(json.dumps([{"ev": "status", "status": "auth_success"}]))
        subscribe = json.loads(await ws.recv())
        if seen is not None:
            seen.append(subscribe)
        for frame in events:
            await ws.send(frame if isinstance(frame, str) else json.dumps(frame))
        await ws.wait_closed()

    return handler


def _polygon(url, key="pk"):
    return PolygonConfig(api_key=key, ws_url=url, indices_ws_url=url)


def test_polygon_index_stream_uses_values_and_minute_aggregates():
    seen: list = []
    events = [
        [{"ev": "V", "val": 5961.25, "T": "I:SPX", "t": T0}],
        [{"ev": "AM", "sym": "I:SPX", "o": 5960, "h": 5962, "l": 5959, "c": 5961, "s": T0}],
    ]
    value, bar = _run(
        _polygon_server(events, seen), lambda url: PolygonSource(_polygon(url)).stream(["SPX"]), 2
    )
    assert seen == [{"action": "subscribe", "params": "V.I:SPX,AM.I:SPX"}]
    assert isinstance(value, Quote) and (value.symbol, value.last) == ("SPX", 5961.25)
    assert str(value.time) == "2025-06-03 09:30:00-04:00"
    assert isinstance(bar, StreamBar) and (bar.symbol, bar.close, bar.volume) == ("SPX", 5961, 0)
    with pytest.raises(InvalidArgumentError, match="separate connections"):
        asyncio.run(_take(PolygonSource(_polygon("ws://x")).stream(["SPY", "SPX"]), 1))


@pytest.mark.parametrize(
    ("frame", "match"),
    [
        ("<html>bad gateway</html>", "malformed message"),
        ([{"ev": "T", "sym": "SPY", "t": T0}], "malformed message"),  # no price
        ([{"ev": "status", "status": "max_connections", "message": "Maximum number"}], "Maximum"),
    ],
)
def test_polygon_stream_bad_messages_raise_provider_errors(frame, match):
    with pytest.raises(ProviderError, match=match):
        _run(_polygon_server([frame]), lambda url: PolygonSource(_polygon(url)).stream(["SPY"]))


def test_a_refused_handshake_is_an_auth_error_and_a_dead_port_a_provider_error():
    def reject(connection, request):
        return connection.respond(HTTPStatus.UNAUTHORIZED, "bad key\n")

    with pytest.raises(AuthError, match="refused the connection \\(HTTP 401\\)"):
        _run(
            _polygon_server([]),
            lambda url: PolygonSource(_polygon(url)).stream(["SPY"]),
            process_request=reject,
        )
    with pytest.raises(ProviderError, match="cannot connect"):
        stream = PolygonSource(_polygon("ws://127.0.0.1:9")).stream(["SPY"])
        asyncio.run(_take(stream, 1))


def _alpaca_server(reply):
    async def handler(ws):
        await ws.send(json.dumps([{"T": "success", "msg": "connected"}]))
        await ws.recv()
        await ws.send(json.dumps([{"T": "success", "msg": "authenticated"}]))
        await ws.recv()
        await ws.send(reply if isinstance(reply, str) else json.dumps(reply))
        await ws.wait_closed()

    return handler


@pytest.mark.parametrize(
    ("reply", "error", "match"),
    [
        ([{"T": "error", "code": 405, "msg": "symbol limit exceeded"}], ProviderError, "405"),
        ([{"T": "error", "code": 409, "msg": "insufficient subscription"}], AuthError, "409"),
        ([{"T": "t", "S": "SPY", "p": 1.0, "t": "not a time"}], ProviderError, "malformed"),
        ({"T": "t"}, ProviderError, "malformed message"),
    ],
)
def test_alpaca_stream_errors(reply, error, match):
    def stream(url):
        return AlpacaSource(AlpacaConfig(key_id="k", secret_key="s", ws_url=url)).stream(["SPY"])

    with pytest.raises(error, match=match) as info:
        _run(_alpaca_server(reply), stream)
    assert error is AuthError or not isinstance(info.value, AuthError)


def test_alpaca_has_no_index_stream():
    with pytest.raises(UnknownSymbolError, match="no index data"):
        source = AlpacaSource(AlpacaConfig(key_id="k", secret_key="s"))
        asyncio.run(_take(source.stream(["SPX"]), 1))


def _schwab_stream(tmp_path, handler):
    async def main():
        async with serve(handler, "127.0.0.1", 0) as server:
            port = server.sockets[0].getsockname()[1]
            info = {"streamerSocketUrl": f"ws://127.0.0.1:{port}", "schwabClientCustomerId": "c"}
            routes = {
                ("POST", "/v1/oauth/token"): lambda *a: (
                    200,
                    {"access_token": "A", "refresh_token": "R", "expires_in": 1800},
                    {},
                ),
                ("GET", "/trader/v1/userPreference"): lambda *a: (
                    200,
                    {"streamerInfo": [info]},
                    {},
                ),
            }
            with JsonServer(routes) as rest:
                cfg = SchwabConfig(
                    client_id="c", client_secret="s", base_url=rest.url, token_file=tmp_path / "t"
                )
                src = SchwabSource(cfg)
                src.auth.exchange_code("code")
                return await asyncio.wait_for(_take(src.stream(["SPX"]), 1), 10)

    return asyncio.run(main())


def test_schwab_stream_login_denied_and_malformed_data(tmp_path):
    async def denied(ws):
        await ws.recv()
        content = {"code": 3, "msg": "Login Denied"}
        await ws.send(json.dumps({"response": [{"command": "LOGIN", "content": content}]}))
        await ws.wait_closed()

    with pytest.raises(AuthError, match="login denied \\(code 3\\).*whispr data auth schwab"):
        _schwab_stream(tmp_path, denied)

    async def garbled(ws):
        await ws.recv()
        content = {"code": 0, "msg": "ok"}
        await ws.send(json.dumps({"response": [{"command": "LOGIN", "content": content}]}))
        await ws.recv()
        item = {"key": "$SPX", "3": "not a price", "35": 1}
        await ws.send(json.dumps({"data": [{"service": "LEVELONE_EQUITIES", "content": [item]}]}))
        await ws.wait_closed()

    with pytest.raises(ProviderError, match="schwab stream: malformed message"):
        _schwab_stream(tmp_path, garbled)
