"""The ask stream (issue #12, defect 4): it ends with an error event when answering fails
(before: keep-alives forever), and a cookie alone cannot drive it (it runs tools and can create
alerts, so it needs the CSRF header like every other acting call)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.channels.conftest import PASSWORD, PUT_TRIGGER_QUESTION, World, make_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(Path(tmp_path_factory.mktemp("stream")))


def _cookie_client(world: World) -> TestClient:
    client = TestClient(world.client.app)
    ok = client.post("/api/login", json={"username": "alice", "password": PASSWORD})
    assert ok.status_code == 200
    return client


def test_a_cookie_alone_cannot_drive_the_stream(world: World):
    client = _cookie_client(world)
    params = {"q": "alert me when spy loses the put trigger"}
    refused = client.get("/api/ask/stream", params=params)
    assert refused.status_code == 403 and "X-Whispr-CSRF" in refused.json()["error"]
    listed = world.client.get("/api/alerts", headers=world.auth("alice")).json()
    assert listed["alerts"] == []  # nothing was created by the refused call
    ok = client.get(
        "/api/ask/stream", params={"q": PUT_TRIGGER_QUESTION}, headers={"X-Whispr-CSRF": "1"}
    )
    assert ok.status_code == 200 and "288.08" in ok.text
    token = world.client.get(
        "/api/ask/stream", params={"q": PUT_TRIGGER_QUESTION}, headers=world.auth("bob")
    )
    assert token.status_code == 200 and "event: done" in token.text


def test_a_failing_answer_ends_the_stream_with_an_error_event(world: World, monkeypatch):
    # fault injection: the chat service fails the way a broken store or provider would
    def broken(*args, **kwargs):
        raise RuntimeError("database is locked")

    monkeypatch.setattr(world.service, "respond", broken)
    response = world.client.get(
        "/api/ask/stream", params={"q": "spx levels"}, headers=world.auth("alice")
    )
    assert response.status_code == 200
    events = [line for line in response.text.splitlines() if line.startswith("event: ")]
    assert events == ["event: thread", "event: error"]
    assert (
        "the answer failed; it was logged" in response.text
        and "database is locked" not in response.text
    )
