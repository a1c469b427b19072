"""``whispr watch`` end to end on the real Polygon client: the session's levels from Polygon's
aggregates (REST), live trades from Polygon's WebSocket, firings into a web user's inbox."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pandas as pd
import pytest
from websockets.sync.server import serve

from integrations.chat.activity import ActivityStore
from integrations.cli import main
from integrations.marketdata.files import FileSource, samples_dir
from tests.channels.conftest import hand_wilder_atr
from tests.marketdata.servers import FakePolygon

DAY = dt.date(2024, 3, 15)


class DailyOnlyPolygon(FakePolygon):
    """Serves the daily aggregates it holds and no intraday bars (an honest empty answer)."""

    def answer(self, path, query, headers):
        """Return Polygon's reply: the held daily rows, or an empty result for other spans."""
        if path.split("/")[7:8] != ["day"]:
            return 200, {"status": "OK", "resultsCount": 0, "request_id": "r", "count": 0}, {}
        return super().answer(path, query, headers)


def _polygon_stream(trades: list[dict]) -> tuple[object, int]:
    """Start a WebSocket server speaking Polygon's stocks cluster: auth, subscribe, the trades,
    then close. Return (server, port)."""

    def handler(ws):
        assert json.loads(ws.recv()) == {"action": "auth", "params": "pk"}
        ws.send(json.dumps([{"ev": "status", "status": "auth_success"}]))
        subscribed = json.loads(ws.recv())
        assert subscribed["action"] == "subscribe" and "T.SPY" in subscribed["params"]
        ws.send(json.dumps(trades))

    server = serve(handler, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.socket.getsockname()[1]


def test_watch_command_fires_a_stored_alert_from_live_trades(tmp_path, monkeypatch, capsys):
    daily = FileSource(samples_dir()).bars("SPY", "1d")
    before = daily.loc[: str(DAY - dt.timedelta(days=1))]
    pc = float(before["close"].iloc[-1])
    atr = hand_wilder_atr(before)
    call_trigger = pc + 0.236 * round(atr, 2)  # by hand: Wilder ATR(14), rounded, × 0.236
    ten = int(pd.Timestamp(f"{DAY} 10:00", tz="America/New_York").value // 1_000_000)
    prices = [pc, call_trigger - 0.05, call_trigger + 0.10, call_trigger - 0.2, call_trigger + 0.3]
    trades = [
        {"ev": "T", "sym": "SPY", "p": round(p, 2), "s": 100, "t": ten + 1000 * i}
        for i, p in enumerate(prices)
    ]
    stream, port = _polygon_stream(trades)
    with DailyOnlyPolygon(before) as rest:
        for key, value in {
            "WHISPR_HOME": str(tmp_path),
            "WHISPR_CACHE_DIR": str(tmp_path / "cache"),
            "WHISPR_DATA_PROVIDER": "polygon",
            "POLYGON_API_KEY": "pk",
            "WHISPR_POLYGON_BASE_URL": rest.url,
            "WHISPR_POLYGON_WS_URL": f"ws://127.0.0.1:{port}",
            "WHISPR_SYMBOLS": "SPY",
        }.items():
            monkeypatch.setenv(key, value)
        for var in ("SLACK_BOT_TOKEN", "DISCORD_BOT_TOKEN"):
            monkeypatch.delenv(var, raising=False)
        assert main(["alerts", "add", "SPY", "+0.236", "--user", "alice", "--to", "web:alice"]) == 0
        try:
            assert main(["watch", "SPY", "--reconnects", "0"]) == 0
        finally:
            stream.shutdown()
    out = capsys.readouterr().out
    assert "1 message(s) delivered" in out
    (note,) = ActivityStore(tmp_path / "accounts.sqlite").notifications("alice")
    assert f"at {call_trigger:.2f}" in note["message"]  # the level, computed by hand above
    assert f"price {call_trigger + 0.10:.2f} at 10:00:02 ET on {DAY} (live)" in note["message"]
    assert ActivityStore(tmp_path / "accounts.sqlite").notifications("bob") == []


@pytest.mark.parametrize("symbols", [["QQQ"]])
def test_watch_refuses_symbols_without_daily_history(tmp_path, monkeypatch, capsys, symbols):
    with DailyOnlyPolygon(FileSource(samples_dir()).bars("SPY", "1d").iloc[:0]) as rest:
        monkeypatch.setenv("WHISPR_HOME", str(tmp_path))
        monkeypatch.setenv("WHISPR_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("WHISPR_DATA_PROVIDER", "polygon")
        monkeypatch.setenv("POLYGON_API_KEY", "pk")
        monkeypatch.setenv("WHISPR_POLYGON_BASE_URL", rest.url)
        monkeypatch.setenv("WHISPR_SYMBOLS", "SPY,QQQ")
        assert main(["watch", *symbols, "--reconnects", "0"]) == 2
    assert "QQQ" in capsys.readouterr().err
