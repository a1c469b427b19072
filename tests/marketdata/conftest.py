"""Market-data tests never see the developer's keys, tokens, cache or provider choice."""

from __future__ import annotations

import pytest

_ENV = (
    "APCA_API_KEY_ID",
    "APCA_API_SECRET_KEY",
    "POLYGON_API_KEY",
    "SCHWAB_CLIENT_ID",
    "SCHWAB_CLIENT_SECRET",
    "SCHWAB_REDIRECT_URI",
    "WHISPR_ALPACA_BASE_URL",
    "WHISPR_ALPACA_WS_URL",
    "WHISPR_ALPACA_FEED",
    "WHISPR_POLYGON_BASE_URL",
    "WHISPR_POLYGON_WS_URL",
    "WHISPR_POLYGON_INDICES_WS_URL",
    "WHISPR_SCHWAB_BASE_URL",
    "WHISPR_DATA_PROVIDER",
    "WHISPR_DATA_DIR",
    "WHISPR_SYMBOLS",
)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path_factory):
    for name in _ENV:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("WHISPR_CACHE_DIR", str(home / "cache"))
    monkeypatch.setenv("WHISPR_SCHWAB_TOKEN_FILE", str(home / "schwab_token.json"))
