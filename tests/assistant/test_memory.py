"""User context: stated facts are remembered per user, used as defaults, listed and forgotten."""

from __future__ import annotations

import datetime as dt

from assistant.service import Assistant
from integrations.storage.memory import VectorMemory
from integrations.storage.vectors import VectorStore, make_client
from tools import ToolContext


def test_remember_use_recall_forget_and_isolation(source, tmp_path):
    memory = VectorMemory(VectorStore(make_client(tmp_path)))

    def assistant(user):
        ctx = ToolContext(
            source=source, user_id=user, today=dt.date(2026, 2, 13), services={"memory": memory}
        )
        return Assistant(ctx, "offline")

    alice = assistant("alice")
    assert alice.ask("I trade SPY").tool_calls[0]["name"] == "remember"
    alice.ask("my account is 50k")
    alice.ask("I risk 0.5% per trade")
    assert "Default symbol when none is named: SPY" in alice.system_prompt()
    levels = alice.ask("put trigger for 2019-06-12")
    assert levels.tool_calls[0]["args"]["symbol"] == "SPY"  # the remembered default, not SPX
    sized = alice.ask("size it: entry 450 stop 441")
    args = sized.tool_calls[0]["args"]
    assert (args["account_size"], args["risk_pct"]) == (50000, 0.5)
    assert sized.tool_calls[0]["result"]["units"] == 27  # floor(250 / 9)
    recalled = alice.ask("what do you remember about me?")
    assert [f["text"] for f in recalled.tool_calls[0]["result"]["facts"]] == [
        "i trade spy",
        "my account is 50k",
        "i risk 0.5% per trade",
    ]
    bob = assistant("bob")
    assert bob.ask("what do you remember about me?").tool_calls[0]["result"]["facts"] == []
    assert "Default symbol when none is named: SPX" in bob.system_prompt()
    assert alice.ask("forget everything", "t-f").tool_calls[0]["result"]["done"] is False
    assert len(memory.list("alice")) == 3  # nothing forgotten before the "yes"
    assert alice.ask("yes", "t-f").tool_calls[0]["result"]["facts"] == []
    assert memory.list("alice") == []
