"""Renaming and deleting conversations (issue #15, item 4): ``PATCH /api/threads/{id}`` sets the
title, ``DELETE /api/threads/{id}`` removes the transcript and the assistant's checkpoints of
``<user>/<thread>``; both only for the owner (404 for anyone else), both audited."""

from __future__ import annotations

from typing import Any

import pytest

from tests.channels.conftest import PASSWORD, PUT_TRIGGER_QUESTION, World, make_world


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return make_world(tmp_path_factory.mktemp("threads-api"))


def ask(world: World, who: str, thread: str, question: str = PUT_TRIGGER_QUESTION) -> None:
    r = world.client.post(
        "/api/ask", json={"question": question, "thread": thread}, headers=world.auth(who)
    )
    assert r.status_code == 200, r.text


def listed(world: World, who: str) -> dict[str, str]:
    r = world.client.get("/api/threads", headers=world.auth(who))
    assert r.status_code == 200, r.text
    return {t["thread"]: t["title"] for t in r.json()}


def checkpoint(world: World, key: str) -> Any:
    saver = world.service.checkpointer
    assert saver is not None
    return saver.get_tuple({"configurable": {"thread_id": key, "checkpoint_ns": ""}})


def audit_events(world: World, who: str) -> list[dict[str, Any]]:
    r = world.client.get("/api/audit", headers=world.auth(who))
    return [e for e in r.json() if e["event"].startswith("thread_")]


def test_rename_sets_the_trimmed_title_and_keeps_it_after_more_messages(world: World):
    ask(world, "alice", "t-rename")
    assert listed(world, "alice")["t-rename"] == PUT_TRIGGER_QUESTION
    r = world.client.patch(
        "/api/threads/t-rename", json={"title": "  SPY put trigger  "}, headers=world.auth("alice")
    )
    assert r.status_code == 200, r.text
    assert r.json()["thread"] == "t-rename" and r.json()["title"] == "SPY put trigger"
    assert listed(world, "alice")["t-rename"] == "SPY put trigger"
    detail = world.client.get("/api/threads/t-rename", headers=world.auth("alice")).json()
    assert detail["title"] == "SPY put trigger" and len(detail["messages"]) == 2
    ask(world, "alice", "t-rename", "and the call trigger?")  # a new message keeps the title
    assert listed(world, "alice")["t-rename"] == "SPY put trigger"
    long = "é" * 120  # the limit counts characters, not bytes
    r = world.client.patch(
        "/api/threads/t-rename", json={"title": long}, headers=world.auth("alice")
    )
    assert r.status_code == 200 and r.json()["title"] == long
    entry = audit_events(world, "alice")[0]
    assert entry["event"] == "thread_renamed" and entry["outcome"] == "success"
    assert entry["args"] == {"thread": "t-rename", "title": long}


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"title": ""}, "1-120 characters"),
        ({"title": "   \t\n "}, "1-120 characters"),
        ({"title": "x" * 121}, "1-120 characters"),
        ({"title": " " + "x" * 121 + " "}, "1-120 characters"),
        ({"title": None}, "title"),
        ({"title": 5}, "title"),
        ({}, "title"),
        ({"title": "ok", "extra": 1}, "extra"),
    ],
)
def test_bad_titles_get_a_422_naming_the_rule(world: World, body: dict, mentions: str):
    ask(world, "alice", "t-bad")
    r = world.client.patch("/api/threads/t-bad", json=body, headers=world.auth("alice"))
    assert r.status_code == 422, r.text
    assert mentions in r.json()["error"] and "title" in r.json()["error"] + str(body)
    assert listed(world, "alice")["t-bad"] == PUT_TRIGGER_QUESTION


def test_a_lone_surrogate_in_a_title_is_stored_without_a_500(world: World):
    ask(world, "alice", "t-odd")
    r = world.client.patch(
        "/api/threads/t-odd",
        content=b'{"title": "x\\ud800y"}',
        headers={**world.auth("alice"), "Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    title = listed(world, "alice")["t-odd"]
    assert title[0] == "x" and title[-1] == "y" and len(title) == 3  # the surrogate replaced


def test_delete_removes_the_transcript_and_the_checkpoints(world: World):
    ask(world, "alice", "t-delete")
    ask(world, "alice", "t-keep")
    assert checkpoint(world, "alice/t-delete") is not None
    r = world.client.delete("/api/threads/t-delete", headers=world.auth("alice"))
    assert r.status_code == 204, r.text
    threads = listed(world, "alice")
    assert "t-delete" not in threads and "t-keep" in threads
    assert world.client.get("/api/threads/t-delete", headers=world.auth("alice")).status_code == 404
    assert world.service.activity.messages("alice", "t-delete") == []
    assert checkpoint(world, "alice/t-delete") is None
    assert checkpoint(world, "alice/t-keep") is not None  # only that thread's memory went
    entry = audit_events(world, "alice")[0]
    assert entry["event"] == "thread_deleted" and entry["outcome"] == "success"
    assert entry["args"] == {"thread": "t-delete", "checkpoints": "deleted"}
    again = world.client.delete("/api/threads/t-delete", headers=world.auth("alice"))
    assert again.status_code == 404 and "t-delete" in again.json()["error"]
    # the id can be used again: a fresh conversation without the old memory
    ask(world, "alice", "t-delete", "and the call trigger?")
    detail = world.client.get("/api/threads/t-delete", headers=world.auth("alice")).json()
    assert len(detail["messages"]) == 2


def test_a_checkpointer_that_cannot_delete_threads_still_lets_the_transcript_go(
    world: World, monkeypatch: pytest.MonkeyPatch
):
    ask(world, "alice", "t-nodelete")
    saver = world.service.checkpointer
    assert saver is not None

    def unsupported(thread_id: str) -> None:
        raise NotImplementedError

    monkeypatch.setattr(saver, "delete_thread", unsupported)
    r = world.client.delete("/api/threads/t-nodelete", headers=world.auth("alice"))
    assert r.status_code == 204, r.text
    assert "t-nodelete" not in listed(world, "alice")
    assert audit_events(world, "alice")[0]["args"]["checkpoints"] == "unsupported"


def test_bob_cannot_rename_or_delete_alices_thread(world: World):
    ask(world, "alice", "t-alice")
    bob = world.auth("bob")
    r = world.client.patch("/api/threads/t-alice", json={"title": "mine now"}, headers=bob)
    assert r.status_code == 404 and "t-alice" in r.json()["error"]
    r = world.client.delete("/api/threads/t-alice", headers=bob)
    assert r.status_code == 404
    for path in ("/api/threads/no-such-thread", "/api/threads/x%20y"):
        assert world.client.patch(path, json={"title": "t"}, headers=bob).status_code == 404
        assert world.client.delete(path, headers=bob).status_code == 404
    assert listed(world, "alice")["t-alice"] == PUT_TRIGGER_QUESTION
    assert checkpoint(world, "alice/t-alice") is not None
    assert audit_events(world, "bob") == []


def test_cookie_writes_need_the_csrf_header_like_the_other_write_routes(world: World):
    ask(world, "alice", "t-csrf")
    client = world.client
    login = client.post("/api/login", json={"username": "alice", "password": PASSWORD})
    assert login.status_code == 200, login.text
    try:
        r = client.patch("/api/threads/t-csrf", json={"title": "via cookie"})
        assert r.status_code == 403 and "X-Whispr-CSRF" in r.json()["error"]
        assert client.delete("/api/threads/t-csrf").status_code == 403
        assert listed(world, "alice")["t-csrf"] == PUT_TRIGGER_QUESTION
        csrf = {"X-Whispr-CSRF": "1"}
        r = client.patch("/api/threads/t-csrf", json={"title": "via cookie"}, headers=csrf)
        assert r.status_code == 200 and r.json()["title"] == "via cookie"
        assert client.delete("/api/threads/t-csrf", headers=csrf).status_code == 204
    finally:
        client.post("/api/logout", headers={"X-Whispr-CSRF": "1"})
        client.cookies.clear()
    unauthenticated = client.patch("/api/threads/t-alice", json={"title": "t"})
    assert unauthenticated.status_code == 401
