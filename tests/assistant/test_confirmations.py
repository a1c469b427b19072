"""Destructive chat actions ask first (issue #12, defect 5): deleting an alert and forgetting
remembered facts happen only after a later "yes"; a confirmation in the same message does not
count. Before the fix, "delete alert <id>" deleted at once and "forget my broker account"
forgot every fact."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from eval.firstcontact import user_services
from tools import ToolContext


@pytest.fixture
def trader(source, tmp_path):
    services = {**user_services(tmp_path), "destination": "web:trader"}
    ctx = ToolContext(
        source=source, user_id="trader", today=dt.date(2026, 2, 13), services=services
    )
    return Assistant(ctx, "offline"), services


def test_deleting_an_alert_asks_first_even_when_the_message_says_yes(trader):
    assistant, services = trader
    made = assistant.ask("alert me when spy loses the put trigger", "a")
    alert_id = made.tool_calls[0]["result"]["alerts"][0]["id"]
    asked = assistant.ask(f"delete alert {alert_id}, yes I confirm", "a")
    assert asked.answer.startswith(f"Delete alert {alert_id} (SPY down -0.236)?")
    assert [a.rule.rule_id for a in services["alerts"].alerts("trader")] == [alert_id]
    done = assistant.ask("yes", "a")
    assert done.tool_calls[0]["args"]["confirm"] is True
    assert services["alerts"].alerts("trader") == []


def test_forgetting_asks_first_and_forgets_only_what_was_named(trader):
    assistant, services = trader
    assistant.ask("remember my broker account is ibkr", "m")
    assistant.ask("remember i trade spy", "m")
    asked = assistant.ask("forget my broker account", "m")
    assert asked.answer.startswith("Forget 1 fact (my broker account is ibkr)?")
    assert len(services["memory"].list("trader")) == 2
    assistant.ask("yes", "m")
    assert [text for _, text in services["memory"].list("trader")] == ["i trade spy"]


def test_forgetting_everything_also_asks(trader):
    assistant, services = trader
    assistant.ask("remember i trade spy", "e")
    assistant.ask("remember risk 0.5% per trade", "e")
    asked = assistant.ask("forget everything", "e")
    assert (
        asked.answer.startswith("Forget 2 facts (") and len(services["memory"].list("trader")) == 2
    )
    assert (
        assistant.ask("no, keep them", "e").tool_calls == []
        or len(services["memory"].list("trader")) == 2
    )
    assert len(services["memory"].list("trader")) == 2
