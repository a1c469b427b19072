"""Alerts from chat: the issue's phrasings become typed alerts for the asking user and channel."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from integrations.alerts.store import SqliteAlertStore
from tools import ToolContext


@pytest.fixture
def store(tmp_path):
    return SqliteAlertStore(tmp_path / "alerts.sqlite")


def _assistant(source, store, user, channel=None):
    services = {"alerts": store, **({"destination": channel} if channel else {})}
    return Assistant(
        ToolContext(source=source, user_id=user, today=dt.date(2026, 2, 13), services=services),
        "offline",
    )


@pytest.mark.parametrize(
    ("text", "args"),
    [
        (
            "alert me in #spx when SPY loses the -23.6% trigger with a bearish ribbon",
            {
                "symbol": "SPY",
                "level": "-0.236",
                "direction": "down",
                "ribbon": "bearish",
                "destination": "#spx",
            },
        ),
        (
            "tell me when SPY reaches the +100% level",
            {"symbol": "SPY", "level": "+1", "direction": "up"},
        ),
        (
            "alert me in this channel when SPY triggers a bullish golden gate",
            {"symbol": "SPY", "level": "+0.382", "direction": "up"},
        ),
        (
            "ping me if SPX loses the put trigger with the ribbon bearish",
            {"symbol": "SPX", "level": "-0.236", "direction": "down", "ribbon": "bearish"},
        ),
        (
            "alert me when SPY triggers a bullish golden gate after 1pm",
            {"symbol": "SPY", "level": "+0.382", "direction": "up", "after": "13:00"},
        ),
        (
            "tell me if SPX loses the put trigger between 10 and 11:30",
            {
                "symbol": "SPX",
                "level": "-0.236",
                "direction": "down",
                "after": "10:00",
                "before": "11:30",
            },
        ),
    ],
)
def test_phrasings(source, store, text, args):
    reply = _assistant(source, store, "alice", "slack:C123").ask(text)
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [("create_alert", args)]
    stored = store.alerts("alice")
    # "#spx" asked in Slack is that workspace's channel
    expected = {"#spx": "slack:#spx"}.get(args.get("destination"), "slack:C123")
    assert len(stored) == 1 and stored[0].rule.destination == expected


def test_list_pause_delete_are_per_user(source, store):
    alice, bob = _assistant(source, store, "alice"), _assistant(source, store, "bob")
    alice.ask("alert me when spy crosses the call trigger")
    alert_id = store.alerts("alice")[0].rule.rule_id
    assert bob.ask("list my alerts").tool_calls[0]["result"]["alerts"] == []
    assert "no alert" in bob.ask(f"delete alert {alert_id}").answer
    assert alice.ask(f"pause alert {alert_id}").tool_calls[0]["result"]["alerts"][0]["paused"]
    alice.ask(f"delete alert {alert_id}", "t-del")  # asks first (issue #12)
    assert len(store.alerts("alice")) == 1
    alice.ask("yes", "t-del")
    assert store.alerts("alice") == []


def test_a_follow_up_changes_the_alerts_hours_and_ribbon_in_place(source, store):
    alice, bob = _assistant(source, store, "alice"), _assistant(source, store, "bob")
    alice.ask("alert spy +1 crossed", "t-edit")
    alert_id = store.alerts("alice")[0].rule.rule_id
    alice.ask(f"pause alert {alert_id}", "t-other")
    reply = alice.ask("make it only after 2pm", "t-edit")
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("edit_alert", {"alert_id": alert_id, "after": "14:00"})
    ]
    (stored,) = store.alerts("alice")
    # the same alert, still paused, now 14:00 to the close; no second alert was created
    assert (stored.rule.rule_id, stored.window, stored.paused) == (
        alert_id,
        ("14:00", "16:00"),
        True,
    )
    alice.ask("only with a bullish ribbon", "t-edit")
    assert (store.alerts("alice")[0].ribbon, store.alerts("alice")[0].window) == (
        "bullish",
        ("14:00", "16:00"),
    )
    alice.ask("actually any time", "t-edit")
    assert store.alerts("alice")[0].window is None
    # a time outside the session is refused, naming what is accepted; nothing changes
    answer = alice.ask("change my spy +1 alert to before 9am").answer
    assert "09:30 to 16:00" in answer and store.alerts("alice")[0].window is None
    # bob cannot edit alice's alert
    assert "no alert" in bob.ask(f"change alert {alert_id} to only after 1pm").answer
    assert store.alerts("alice")[0].window is None


def test_all_alerts_at_once_touch_only_the_users_own_and_delete_asks_first(source, store):
    alice, bob = _assistant(source, store, "alice"), _assistant(source, store, "bob")
    alice.ask("alert me when spy crosses the call trigger", "t")
    alice.ask("also ping me when spx tags +1 atr after 2pm", "t")
    bob.ask("alert me when spy loses the put trigger")
    assert [c["name"] for c in alice.ask("list", "t").tool_calls] == ["list_alerts"]
    alice.ask("pause all", "t")
    assert [a.paused for a in store.alerts("alice")] == [True, True]
    alice.ask("resume all my spy alerts", "t")
    paused = {a.rule.symbol: a.paused for a in store.alerts("alice")}
    assert paused == {"SPY": False, "SPX": True}
    reply = alice.ask("delete all my alerts", "t")
    assert "Say 'yes'" in reply.answer and len(store.alerts("alice")) == 2
    alice.ask("yes", "t")
    assert store.alerts("alice") == []
    assert len(store.alerts("bob")) == 1 and not store.alerts("bob")[0].paused
    assert "no alerts" in alice.ask("delete all my alerts", "t").answer


def test_a_strategy_answer_can_be_watched_and_shown_by_its_typed_name(source, tmp_path):
    from eval.firstcontact import user_services

    services = {**user_services(tmp_path), "destination": "web:alice"}
    ctx = ToolContext(source=source, user_id="alice", today=dt.date(2026, 2, 13), services=services)
    alice = Assistant(ctx, "offline")
    alice.ask(
        "new strat: long when spx reclaims the call trigger, tgt +61.8, stop pdc, "
        "call it ctrig runner",
        "t",
    )
    alice.ask("save it", "t")
    reply = alice.ask("watch it on spx", "t")
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("watch_strategy", {"strategy": "ctrig runner", "symbol": "SPX"})
    ]
    assert [w.spec.name for w in services["watches"].watches("alice")] == ["ctrig runner"]
    # "paper trade it" after a backtest is a watch, not the backtest's "trades" again
    alice.ask("backtest gg bull", "u")
    reply = alice.ask("paper trade it", "u")
    assert [c["name"] for c in reply.tool_calls] == ["watch_strategy"]
    assert reply.tool_calls[0]["args"]["strategy"] == "Golden gate bull"
    # the name as typed: "ctrig" is not expanded to "call trigger" inside a strategy's name
    reply = alice.ask("show my ctrig runner strategy", "v")
    assert [(c["name"], c["args"]) for c in reply.tool_calls] == [
        ("show_strategy", {"ref": "ctrig runner"})
    ]
    assert "ctrig runner (v1)" in reply.answer
