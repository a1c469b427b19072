"""Two traders on one server: nothing alice makes is visible to, or changeable by, bob — through
any endpoint or any chat tool, in SQLite or in the vector store.

The world here uses the real default stores (Chroma with the offline embedding for strategies,
memory and the glossary), as ``whispr serve`` does.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.providers.registry import build_model
from integrations.alerts.delivery import ChannelRouter
from integrations.chat.accounts import Role
from integrations.chat.settings import ChannelSettings
from integrations.chat.setup import build_service
from integrations.marketdata.files import FileSource, samples_dir
from integrations.storage.vectors import make_client
from integrations.web.app import create_app
from tests.channels.conftest import PASSWORD

SPEC_TEXT = "long SPY when it crosses the +23.6% trigger, target +61.8%, stop at the close"


@dataclass
class Two:
    """The app, and what alice made that bob must never reach."""

    client: TestClient
    headers: dict[str, dict[str, str]]
    spec_id: str
    alert_id: str
    chart: str
    token_id: str
    home: Path
    watch_id: str = ""
    briefing_id: str = ""


def ask(two: Two, who: str, question: str, thread: str) -> dict:
    """Return the JSON reply of ``who`` asking ``question`` on ``thread``."""
    r = two.client.post(
        "/api/ask", json={"question": question, "thread": thread}, headers=two.headers[who]
    )
    assert r.status_code == 200, r.text
    return r.json()


@pytest.fixture(scope="module")
def two(tmp_path_factory: pytest.TempPathFactory) -> Two:
    home = tmp_path_factory.mktemp("iso-home")
    settings = replace(ChannelSettings(home=home, provider="offline"), rate_limit=(1000, 60.0))
    service = build_service(
        settings, source=FileSource(samples_dir()), model=build_model("offline")
    )
    headers = {}
    for name in ("alice", "bob"):
        service.accounts.add_user(name, PASSWORD, Role.TRADER)
        headers[name] = {"Authorization": f"Bearer {service.accounts.new_token(name, 't')[1]}"}
    client = TestClient(create_app(service, settings))
    a = headers["alice"]
    draft = client.post("/api/strategies/draft", json={"text": SPEC_TEXT}, headers=a).json()
    spec = {**draft["spec"], "id": "alice-trigger-run", "name": "Alice trigger run"}
    saved = client.post("/api/strategies", json={"spec": spec}, headers=a)
    assert saved.status_code == 201, saved.text
    alert = client.post(
        "/api/alerts", json={"symbol": "SPY", "level": "-0.236", "direction": "down"}, headers=a
    ).json()["alerts"][0]
    two = Two(client, headers, saved.json()["id"], alert["id"], "", "", home)
    ask(two, "alice", "remember my account size is 25000", "alice-main")
    ask(two, "alice", "what's the SPY put trigger for June 12, 2019?", "alice-main")
    charted = ask(two, "alice", "chart SPY levels for June 12, 2019", "alice-chart")
    assert re.search(r"^Chart: [\w.+-]+\.png$", charted["answer"], re.M)  # no server path
    images = [b["name"] for b in charted["blocks"] if b["kind"] == "image"]
    assert images, charted
    two.chart = images[0]
    two.token_id = client.post("/api/tokens", json={"name": "alice"}, headers=a).json()["id"]
    ChannelRouter(inbox=service.activity)("web:alice", "SPY lost the put trigger at 288.08")
    alice = service.accounts.get("alice")
    watched = service.run_tool(alice, "api", "watch_strategy", {"strategy": two.spec_id})
    two.watch_id = watched.watches[0].id
    store = service.services["watches"]
    (watch,) = store.watches("alice")
    trade = {"entry_time": "2026-02-12T10:00:00-05:00", "side": "long", "qty": 3,
             "entry_price": 681.25, "stop": 679.5}  # fmt: skip
    assert store.record_entry(watch, trade, "Paper entry · SPY Alice trigger run")
    briefed = service.run_tool(alice, "api", "schedule_briefing", {"symbol": "SPY", "at": "08:31"})
    two.briefing_id = briefed.briefings[0].id
    return two


def test_alice_sees_her_own_things(two: Two):
    a = two.headers["alice"]
    ids = [s["id"] for s in two.client.get("/api/strategies", headers=a).json()["strategies"]]
    assert two.spec_id in ids
    assert [x["id"] for x in two.client.get("/api/alerts", headers=a).json()["alerts"]] == [
        two.alert_id
    ]
    assert two.client.get(f"/api/charts/{two.chart}", headers=a).status_code == 200
    assert len(two.client.get("/api/notifications", headers=a).json()) == 1
    recall = ask(two, "alice", "what do you remember about me?", "alice-recall")
    assert "25000" in recall["answer"].replace(",", "")


def test_bob_cannot_read_alices_data_through_any_endpoint(two: Two):
    b, c = two.headers["bob"], two.client
    listed = c.get("/api/strategies", headers=b).json()["strategies"]
    assert two.spec_id not in [s["id"] for s in listed]
    assert c.get(f"/api/strategies/{two.spec_id}", headers=b).status_code == 422
    found = c.get("/api/strategies/search", params={"q": "Alice trigger run"}, headers=b).json()
    assert two.spec_id not in [h["id"] for h in found["hits"]]
    assert c.post(f"/api/strategies/{two.spec_id}/backtest", json={}, headers=b).status_code == 422
    assert c.get("/api/alerts", headers=b).json()["alerts"] == []
    assert c.get("/api/threads", headers=b).json() == []
    assert c.get("/api/threads/alice-main", headers=b).status_code == 404
    assert c.get(f"/api/charts/{two.chart}", headers=b).status_code == 404
    assert c.get("/api/notifications", headers=b).json() == []
    assert {e["username"] for e in c.get("/api/audit", headers=b).json()} <= {"bob"}
    assert two.token_id not in [t["id"] for t in c.get("/api/tokens", headers=b).json()]


def test_bob_cannot_change_or_delete_alices_things(two: Two):
    b, a, c = two.headers["bob"], two.headers["alice"], two.client
    assert c.delete(f"/api/strategies/{two.spec_id}", headers=b).status_code == 422
    assert c.post(f"/api/strategies/{two.spec_id}/share", headers=b).status_code == 422
    assert (
        c.patch(f"/api/alerts/{two.alert_id}", json={"paused": True}, headers=b).status_code == 422
    )
    edit = {"after": "14:00", "ribbon": "bullish"}
    assert c.patch(f"/api/alerts/{two.alert_id}", json=edit, headers=b).status_code == 422
    assert c.delete(f"/api/alerts/{two.alert_id}", headers=b).status_code == 422
    assert c.delete("/api/threads/alice-main", headers=b).status_code == 404
    assert c.delete(f"/api/tokens/{two.token_id}", headers=b).status_code == 404
    assert c.post("/api/notifications/read", json={"up_to": 10**9}, headers=b).json() == {
        "marked": 0
    }
    # all still there and unchanged for alice
    alerts = c.get("/api/alerts", headers=a).json()["alerts"]
    assert [(x["id"], x["paused"], x["window"]) for x in alerts] == [(two.alert_id, False, None)]
    assert c.get(f"/api/strategies/{two.spec_id}", headers=a).status_code == 200
    assert c.get("/api/threads/alice-main", headers=a).status_code == 200
    assert c.get("/api/me", headers=a).status_code == 200
    assert c.get("/api/notifications", headers=a).json()[0]["read"] is False


def test_bob_cannot_reach_alices_data_through_chat_tools(two: Two):
    recall = ask(two, "bob", "what do you remember about me?", "bob-1")
    assert "25000" not in recall["answer"].replace(",", "")
    alerts = ask(two, "bob", "list my alerts", "bob-1")
    assert two.alert_id not in alerts["answer"]
    tested = ask(two, "bob", f"backtest {two.spec_id}", "bob-1")
    assert [c["status"] for c in tested["tool_calls"]] == ["error"], tested
    assert "Alice trigger run" not in tested["answer"]
    deleted = ask(two, "bob", f"delete alert {two.alert_id}", "bob-1")
    assert all(c["status"] == "error" for c in deleted["tool_calls"])
    a = two.headers["alice"]
    assert [x["id"] for x in two.client.get("/api/alerts", headers=a).json()["alerts"]] == [
        two.alert_id
    ]


def test_same_thread_id_is_a_different_conversation_per_user(two: Two):
    """Bob using alice's thread id neither sees her transcript nor continues her context."""
    follow = ask(two, "bob", "and the call trigger?", "alice-main")
    assert "289.72" not in follow["answer"]  # alice's context would give SPY 2019-06-12's
    mine = two.client.get("/api/threads/alice-main", headers=two.headers["bob"]).json()
    texts = [m["text"] for m in mine["messages"]]
    assert "what's the SPY put trigger for June 12, 2019?" not in texts
    theirs = two.client.get("/api/threads/alice-main", headers=two.headers["alice"]).json()
    assert "and the call trigger?" not in [m["text"] for m in theirs["messages"]]


def test_vector_store_rows_carry_their_owner(two: Two):
    """Below the API: every memory and private strategy row in Chroma is tagged with its user."""
    client = make_client(two.home / "chroma")
    owners = set()
    for collection in client.list_collections():
        got = client.get_collection(collection.name).get(include=["metadatas"])
        for meta in got["metadatas"] or []:
            if meta and "owner" in meta:
                owners.add(meta["owner"])
    assert "alice" in owners and "bob" not in owners


def _strings(value: object) -> list[str]:
    """Return every string inside ``value`` (nested dicts and lists), longest first."""
    if isinstance(value, str):
        return [value]
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return sorted((s for v in items for s in _strings(v)), key=len, reverse=True)


MARKET_TOOLS = {
    "atr_levels",
    "level_distance",
    "price_context",
    "explain_term",
    "indicator_state",
    "position_size",
    "golden_gate_stats",
    "level_to_level",
    "draft_strategy",
    "session_outcome",
    "session_counts",
    "average_true_range",
}
"""Tools that read market data or echo their input only: no user data to leak."""


def test_every_user_data_tool_run_as_bob_on_alices_things_leaks_nothing(two: Two):
    """Each tool that touches stored user data, called by bob with alice's ids and names."""
    from tools import TOOLS

    service = two.client.app.state.service
    bob = service.accounts.get("bob")
    alice_fact = next(
        f for f, _ in service.services["memory"].list("alice") if "25000" in _
    )  # (id, text) of alice's remembered fact
    calls = {
        "list_alerts": {},
        "change_alert": {"alert_id": two.alert_id, "action": "delete"},
        "edit_alert": {"alert_id": two.alert_id, "after": "14:00", "ribbon": "bullish"},
        "alert_history": {"alert_id": two.alert_id},
        "create_alert": {
            "symbol": "SPY", "level": "+0.382", "direction": "up", "destination": "web:alice"
        },
        "list_strategies": {},
        "search_strategies": {"query": "Alice trigger run"},
        "show_strategy": {"ref": two.spec_id},
        "delete_strategy": {"ref": two.spec_id, "confirm": True},
        "share_strategy": {"ref": two.spec_id},
        "update_strategy": {"ref": two.spec_id, "target": "+1", "save": True},
        "save_strategy": None,  # saving writes bob's own copy: checked below
        "backtest_strategy": {"strategy": two.spec_id},
        "compare_strategies": {"strategies": [two.spec_id, "golden gate bull"]},
        "recall": {},
        "forget": {"fact_id": alice_fact},
        "remember": {"fact": "I trade ES"},
        "watch_strategy": {"strategy": two.spec_id},
        "list_watches": {},
        "change_watch": {"watch_id": two.watch_id, "action": "delete"},
        "paper_journal": {"watch_id": two.watch_id},
        "schedule_briefing": {"symbol": "SPY", "destination": "web:alice"},
        "list_briefings": {},
        "change_briefing": {"briefing_id": two.briefing_id, "action": "delete"},
    }  # fmt: skip
    assert set(TOOLS) == MARKET_TOOLS | set(calls), "classify every new tool here"
    for name, args in calls.items():
        if args is None:
            continue
        result = service.run_tool(bob, "api", name, args).model_dump_json()
        for value in _strings(args):  # a tool may quote bob's own arguments back to him
            result = result.replace(json.dumps(value)[1:-1], "<arg>")
        secrets = (two.alert_id, two.spec_id, "Alice trigger run", "25000", "web:alice", "681.25")
        for secret in (*secrets, two.watch_id, two.briefing_id, "08:31"):
            assert secret not in result, (name, secret, result)
    # alice's things are all intact
    a = two.headers["alice"]
    assert [x["id"] for x in two.client.get("/api/alerts", headers=a).json()["alerts"]] == [
        two.alert_id
    ]
    shown = two.client.get(f"/api/strategies/{two.spec_id}", headers=a).json()
    assert len(shown["versions"]) == 1 and "+1" not in shown["message"]
    assert any("25000" in text for _, text in service.services["memory"].list("alice"))
    assert not any("ES" in text for _, text in service.services["memory"].list("alice"))
    assert [w.watch_id for w in service.services["watches"].watches("alice")] == [two.watch_id]
    assert service.services["watches"].journal("alice")[0]["entry_price"] == 681.25
    assert [b["id"] for b in service.services["briefings"].briefings("alice")] == [two.briefing_id]


def test_users_asking_at_the_same_time_get_their_own_answers_and_threads(tmp_path):
    """Channels answer on worker threads: 40 concurrent turns of two users never cross."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.channels.conftest import make_world

    world = make_world(tmp_path)
    service = world.service
    ask = {  # by hand: previous close 288.90, ATR 3.49
        "alice": ("what's the SPY put trigger for June 12, 2019?", "288.08"),
        "bob": ("what's the SPY call trigger for June 12, 2019?", "289.72"),
    }

    def turn(i: int) -> tuple[str, str, str]:
        who = "alice" if i % 2 else "bob"
        reply = service.respond(world.user(who), "web", ask[who][0], f"t{i % 4}")
        return who, reply.text, reply.thread

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(turn, range(40)))
    for who, text, _ in results:
        other = "bob" if who == "alice" else "alice"
        assert ask[who][1] in text and ask[other][1] not in text
    for who in ("alice", "bob"):
        for thread in {t for w, _, t in results if w == who}:
            texts = [m["text"] for m in service.activity.messages(who, thread)]
            assert texts and all(ask[who][1] in t or t == ask[who][0] for t in texts), (who, thread)


def test_an_alert_is_edited_through_the_api(two: Two):
    a, c = two.headers["alice"], two.client
    edited = c.patch(
        f"/api/alerts/{two.alert_id}", json={"after": "13:30", "ribbon": "bearish"}, headers=a
    )
    assert edited.status_code == 200, edited.text
    (line,) = [x for x in edited.json()["alerts"] if x["id"] == two.alert_id]
    assert (line["window"], line["ribbon"], line["paused"]) == ("13:30-16:00", "bearish", False)
    bad = c.patch(f"/api/alerts/{two.alert_id}", json={"before": "17:00"}, headers=a)
    assert bad.status_code == 422 and "09:30 to 16:00" in bad.text
    assert c.patch(f"/api/alerts/{two.alert_id}", json={}, headers=a).status_code == 422
    cleared = c.patch(
        f"/api/alerts/{two.alert_id}", json={"any_time": True, "any_ribbon": True}, headers=a
    ).json()
    (line,) = [x for x in cleared["alerts"] if x["id"] == two.alert_id]
    assert (line["window"], line["ribbon"]) == (None, None)
