"""Fixtures: a real chat service (SQLite in a temp folder, offline planner, shipped data), the
FastAPI app over it, and users of every role with API tokens.

Module-scoped: scrypt hashing costs ~50 ms per password, so each test module makes its users
once. Tests use their own thread ids, so they do not see each other's conversations.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.providers.registry import build_model
from integrations.alerts.briefings import SqliteBriefingStore
from integrations.alerts.store import SqliteAlertStore
from integrations.alerts.watchstore import SqliteWatchStore
from integrations.chat.accounts import Role, User
from integrations.chat.service import ChatService
from integrations.chat.settings import ChannelSettings
from integrations.chat.setup import build_service
from integrations.marketdata.files import FileSource, samples_dir
from integrations.storage.strategies import SqliteStrategyStore
from integrations.web.app import create_app

PASSWORD = "correct horse battery"
USERS = {"root": Role.ADMIN, "alice": Role.TRADER, "bob": Role.TRADER, "vera": Role.VIEWER}


@dataclass
class World:
    """A running service with its app, client and one API token per user."""

    service: ChatService
    settings: ChannelSettings
    client: TestClient
    tokens: dict[str, str]
    home: Path

    def auth(self, name: str) -> dict[str, str]:
        """Return the Authorization header of user ``name``."""
        return {"Authorization": f"Bearer {self.tokens[name]}"}

    def user(self, name: str) -> User:
        """Return the user named ``name``."""
        user = self.service.accounts.get(name)
        assert user is not None
        return user


def make_service(
    home: Path,
    rate_limit: tuple[int, float] = (1000, 60.0),
    abuse_limit: tuple[int, float] = (1000, 60.0),
) -> tuple[ChatService, ChannelSettings]:
    """Return a real service on ``home`` with the offline planner and the shipped data."""
    settings = replace(
        ChannelSettings(home=home, provider="offline"),
        rate_limit=rate_limit,
        abuse_limit=abuse_limit,
    )
    services = {
        "alerts": SqliteAlertStore(home / "alerts.sqlite"),
        "strategies": SqliteStrategyStore(home / "whispr.sqlite"),
        "watches": SqliteWatchStore(home / "watches.sqlite"),
        "briefings": SqliteBriefingStore(home / "briefings.sqlite"),
    }
    service = build_service(
        settings,
        source=FileSource(samples_dir()),
        services=services,
        model=build_model("offline"),
    )
    return service, settings


def make_world(
    home: Path,
    rate_limit: tuple[int, float] = (1000, 60.0),
    abuse_limit: tuple[int, float] = (1000, 60.0),
) -> World:
    """Return a world with the four users of ``USERS`` and their API tokens."""
    service, settings = make_service(home, rate_limit, abuse_limit)
    tokens = {}
    for name, role in USERS.items():
        service.accounts.add_user(name, PASSWORD, role)
        tokens[name] = service.accounts.new_token(name, "tests")[1]
    client = TestClient(create_app(service, settings))
    return World(service, settings, client, tokens, home)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    """A world shared by the tests of one module."""
    return make_world(tmp_path_factory.mktemp("whispr-home"))


PUT_TRIGGER_QUESTION = "what's the SPY put trigger for June 12, 2019?"
REFERENCE_DAY = dt.date(2026, 2, 13)


def hand_wilder_atr(daily) -> float:
    """Return Wilder's ATR(14) at the last bar of ``daily``, by the textbook loop: true range,
    a simple mean of the first 14, then ``(atr * 13 + tr) / 14`` (an independent check)."""
    h, lo, c = (daily[k].to_numpy() for k in ("high", "low", "close"))
    tr = [h[0] - lo[0]] + [
        max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1])) for i in range(1, len(c))
    ]
    atr = sum(tr[:14]) / 14
    for value in tr[14:]:
        atr = (atr * 13 + value) / 14
    return atr
