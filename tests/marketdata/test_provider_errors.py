"""Auth failures, expired tokens, rate limits and malformed payloads, each against a local
server speaking the provider's documented wire format; secrets never reach logs or messages."""

from __future__ import annotations

import datetime as dt
import logging
import os
import stat
from urllib.parse import parse_qs

import pytest

from integrations.marketdata.alpaca import AlpacaConfig, AlpacaSource
from integrations.marketdata.http import AuthError, ProviderError, Retry
from integrations.marketdata.polygon import PolygonConfig, PolygonSource
from integrations.marketdata.schwab import SchwabConfig, SchwabSource
from tests.marketdata.servers import FakePolygon, JsonServer

START, END = dt.datetime(2025, 6, 3), dt.datetime(2025, 6, 4)
NOW = 1_750_000_000.0
SECRETS = ("cid-secret-id", "csec-secret", "R-refresh-secret", "A-access-secret", "pk-secret")


class Schwab:
    """Routes of a local Schwab: the OAuth token endpoint and price history."""

    def __init__(self, session) -> None:
        self.candles = [
            {
                "datetime": int(t.value // 1_000_000),
                "open": r.open,
                "high": r.high,
                "low": r.low,
                "close": r.close,
                "volume": r.volume,
            }
            for t, r in session.iterrows()
        ]
        self.grants: list[str] = []
        self.history_status: list[tuple[int, dict, dict]] = []
        self.refresh_ok = True
        self.refresh_answer = {"access_token": "A2", "refresh_token": "R-refresh-secret"}

    def token(self, path, query, headers, body):
        form = parse_qs(body.decode())
        self.grants.append(form["grant_type"][0])
        if form["grant_type"] == ["authorization_code"]:
            answer = {"access_token": "A-access-secret", "refresh_token": "R-refresh-secret"}
            return 200, {**answer, "expires_in": 1800, "token_type": "Bearer"}, {}
        if not self.refresh_ok:
            return 400, {"error": "invalid_grant", "error_description": "expired"}, {}
        return 200, {**self.refresh_answer, "expires_in": 1800}, {}

    def history(self, path, query, headers, body):
        if self.history_status:
            return self.history_status.pop(0)
        return 200, {"symbol": query["symbol"][0], "empty": False, "candles": self.candles}, {}

    def routes(self):
        return {
            ("POST", "/v1/oauth/token"): self.token,
            ("GET", "/marketdata/v1/pricehistory"): self.history,
        }


@pytest.fixture(scope="module")
def session(source):
    return source.bars("SPY", "5m").loc["2025-06-03"]


def _schwab(server, tmp_path, slept=None, clock=lambda: NOW):
    cfg = SchwabConfig(
        client_id="cid-secret-id",
        client_secret="csec-secret",
        base_url=server.url,
        token_file=tmp_path / "whispr" / "schwab.json",
    )
    retry = Retry(attempts=3, sleep=(slept if slept is not None else []).append)
    src = SchwabSource(cfg, retry=retry, clock=clock)
    src.auth.exchange_code("https://127.0.0.1:8182/?code=C0DE%40&session=s")
    return src


def test_schwab_refresh_refused_by_the_server_says_how_to_sign_in_again(session, tmp_path):
    fake = Schwab(session)
    now = [NOW]
    with JsonServer(fake.routes()) as server:
        src = _schwab(server, tmp_path, clock=lambda: now[0])
        now[0] += 31 * 60
        fake.refresh_ok = False
        with pytest.raises(AuthError, match=r"refresh token was refused.*whispr data auth schwab"):
            src.fetch("SPY", "5m", START, END)
    assert fake.grants == ["authorization_code", "refresh_token"]  # asked once, not twice


def test_schwab_refresh_without_a_new_refresh_token_keeps_the_stored_one(session, tmp_path):
    fake = Schwab(session)
    fake.refresh_answer = {"access_token": "A2"}
    with JsonServer(fake.routes()) as server:
        src = _schwab(server, tmp_path)
        assert src.auth.access_token(force_refresh=True) == "A2"
        assert src.auth.store.load()["refresh_token"] == "R-refresh-secret"
        mode = stat.S_IMODE(os.stat(src.config.token_file).st_mode)
        assert mode == 0o600


def test_schwab_403_is_not_retried_with_a_refresh_but_429_is_backed_off(session, tmp_path):
    fake = Schwab(session)
    slept: list[float] = []
    with JsonServer(fake.routes()) as server:
        src = _schwab(server, tmp_path, slept)
        fake.history_status = [(403, {"errors": [{"title": "Forbidden"}]}, {})]
        with pytest.raises(AuthError, match="HTTP 403") as info:
            src.fetch("SPY", "5m", START, END)
        assert info.value.status == 403 and fake.grants == ["authorization_code"]
        fake.history_status = [(429, {"errors": []}, {"Retry-After": "3"})]
        assert len(src.fetch("SPY", "5m", START, END)) == 78 and slept == [3.0]
        fake.history_status = [(200, {"symbol": "SPY", "candles": None}, {})]
        with pytest.raises(ProviderError, match="unexpected price history"):
            src.fetch("SPY", "5m", START, END)
        fake.history_status = [(200, {"symbol": "SPY", "candles": [{"datetime": "x"}]}, {})]
        with pytest.raises(ProviderError, match="malformed candle for SPY"):
            src.fetch("SPY", "5m", START, END)


def test_schwab_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("WHISPR_SCHWAB_TOKEN_FILE", raising=False)
    monkeypatch.delenv("SCHWAB_CLIENT_ID", raising=False)
    assert SchwabConfig().token_file == tmp_path / ".config" / "whispr" / "schwab_token.json"
    monkeypatch.setenv("WHISPR_SCHWAB_TOKEN_FILE", "~/tokens/s.json")
    monkeypatch.setenv("SCHWAB_CLIENT_SECRET", "from-env")
    monkeypatch.setenv("WHISPR_SCHWAB_BASE_URL", "http://127.0.0.1:9/")
    cfg = SchwabConfig()
    assert cfg.token_file == tmp_path / "tokens" / "s.json" and cfg.base_url == "http://127.0.0.1:9"
    assert cfg.client_secret == "from-env" and "from-env" not in repr(cfg)
    with pytest.raises(AuthError, match="set SCHWAB_CLIENT_ID"):
        SchwabSource(cfg).auth.exchange_code("code")


def test_secrets_stay_out_of_logs_errors_and_reprs(session, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    fake = Schwab(session)
    errors = []
    with JsonServer(fake.routes()) as server:
        src = _schwab(server, tmp_path)
        src.fetch("SPY", "5m", START, END)
        fake.history_status = [(401, {"message": "bad token"}, {})] * 2
        with pytest.raises(AuthError) as info:
            src.fetch("SPY", "5m", START, END)
        errors.append(str(info.value))
        texts = [repr(src.config), repr(src.auth), repr(src.auth.store)]
    with FakePolygon(session, key="pk-secret") as server:
        poly = PolygonSource(PolygonConfig(api_key="pk-secret", base_url=server.url))
        assert len(poly.fetch("SPY", "5m", START, END)) == 78
        with pytest.raises(AuthError, match="Unknown API Key") as info:
            PolygonSource(PolygonConfig(api_key="wrong", base_url=server.url)).fetch(
                "SPY", "5m", START, END
            )
        errors.append(str(info.value))
        texts.append(repr(poly.config))
    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    assert "HTTP Request" in logged  # httpx did log the requests ...
    for secret in SECRETS:  # ... but no secret went into a URL, an error or a repr
        assert secret not in logged and all(secret not in t for t in errors + texts)


def test_alpaca_rate_limit_malformed_bars_and_a_failing_second_page(session):
    rows = [
        {"t": t.tz_convert("UTC").isoformat(), "o": r.open, "h": r.high, "l": r.low, "c": r.close}
        for t, r in session.iterrows()
    ]
    script: list = []

    def bars(path, query, headers, body):
        if script:
            return script.pop(0)
        if query.get("page_token") == ["p2"]:
            return 200, {"bars": rows[40:], "symbol": "SPY", "next_page_token": None}, {}
        return 200, {"bars": rows[:40], "symbol": "SPY", "next_page_token": "p2"}, {}

    slept: list[float] = []
    with JsonServer({("GET", "/v2/stocks/SPY/bars"): bars}) as server:
        cfg = AlpacaConfig(key_id="k", secret_key="s", base_url=server.url)
        src = AlpacaSource(cfg, retry=Retry(attempts=2, sleep=slept.append, clock=lambda: 100.0))
        script[:] = [(429, {"message": "too many requests"}, {"X-RateLimit-Reset": "104"})]
        assert len(src.fetch("SPY", "5m", START, END)) == 78 and slept == [4.0]
        script[:] = [(200, {"bars": rows[:40], "next_page_token": "p2"}, {})]
        script += [(500, {"message": "internal"}, {})] * 2
        with pytest.raises(ProviderError, match="failed on page 2; 40 bars"):
            src.fetch("SPY", "5m", START, END)
        script[:] = [(200, {"bars": [{**rows[0], "t": "yesterday"}]}, {})]
        with pytest.raises(ProviderError, match="malformed bar for SPY"):
            src.fetch("SPY", "5m", START, END)
        script[:] = [(200, ["not", "an", "object"], {})]
        with pytest.raises(ProviderError, match="unexpected answer"):
            src.fetch("SPY", "5m", START, END)
        script[:] = [(403, {"message": "forbidden"}, {})]
        with pytest.raises(AuthError, match="HTTP 403.*forbidden"):
            src.fetch("SPY", "5m", START, END)
    with pytest.raises(AuthError, match="APCA_API_KEY_ID"):
        AlpacaSource(AlpacaConfig(key_id="", secret_key="")).fetch("SPY", "5m", START, END)
