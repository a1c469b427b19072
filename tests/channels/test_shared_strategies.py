"""A strategy another user shares never replaces your own (issue #12, defect 1).

bob saves and shares a strategy under the very name alice uses. Before the fix, alice's look-up,
backtest and delete picked bob's newest version (and DELETE answered 200 with done: false)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.strategies import builtin_strategies
from tests.channels.conftest import World, make_world


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(Path(tmp_path_factory.mktemp("shared")))


def _spec(name: str, target: str) -> dict:
    base = next(s for s in builtin_strategies() if s.name == "Golden gate bull")
    data = base.model_dump(mode="json")
    data.update(name=name, spec_id=f"id-{target.strip('+')}")
    data["exit"]["target"] = target
    return data


def test_own_strategy_wins_and_shared_one_is_addressed_as_owner_slash_name(two: World):
    c = two.client
    mine = c.post(
        "/api/strategies", json={"spec": _spec("Trend rider", "+0.618")}, headers=two.auth("alice")
    )
    assert mine.status_code == 201
    bobs = c.post(
        "/api/strategies", json={"spec": _spec("Trend rider", "+1")}, headers=two.auth("bob")
    )
    assert bobs.status_code == 201
    for _ in range(2):  # two more versions: bob's is now "newer" than alice's
        c.post(
            "/api/strategies", json={"spec": _spec("Trend rider", "+1")}, headers=two.auth("bob")
        )
    assert c.post("/api/strategies/Trend rider/share", headers=two.auth("bob")).status_code == 200

    shown = c.get("/api/strategies/Trend rider", headers=two.auth("alice")).json()
    assert "midrange (+61.8%)" in shown["message"] and len(shown["versions"]) == 1
    theirs = c.get("/api/strategies/bob/Trend rider", headers=two.auth("alice"))
    assert theirs.status_code == 200 and len(theirs.json()["versions"]) == 3
    assert "midrange (+61.8%)" not in theirs.json()["message"]

    listed = c.get("/api/strategies", headers=two.auth("alice")).json()["strategies"]
    names = [s["name"] for s in listed]
    assert "Trend rider" in names and "bob/Trend rider" in names

    run = c.post(
        "/api/strategies/Trend rider/backtest", json={"symbol": "SPY"}, headers=two.auth("alice")
    )
    assert run.status_code == 200 and run.json()["strategy"] == "Trend rider"
    assert "midrange (+61.8%)" in run.json()["description"]  # alice's target, not bob's +1 ATR


def test_deleting_another_users_shared_strategy_is_refused(two: World):
    gone = two.client.delete("/api/strategies/bob/Trend rider", headers=two.auth("alice"))
    assert gone.status_code == 422 and "only its owner" in gone.json()["error"]
    own = two.client.get("/api/strategies/Trend rider", headers=two.auth("bob")).json()
    assert len(own["versions"]) == 3  # bob's strategy is untouched


def test_a_bare_name_never_finds_another_users_strategy(two: World):
    c = two.client
    c.post(
        "/api/strategies", json={"spec": _spec("Only bob has this", "+1")}, headers=two.auth("bob")
    )
    c.post("/api/strategies/Only bob has this/share", headers=two.auth("bob"))
    bare = c.post("/api/strategies/Only bob has this/backtest", json={}, headers=two.auth("alice"))
    assert bare.status_code == 422
    explicit = c.post(
        "/api/strategies/bob/Only bob has this/backtest", json={}, headers=two.auth("alice")
    )
    assert explicit.status_code == 200 and explicit.json()["strategy"] == "bob/Only bob has this"
