"""Strategy authoring in chat: clarify, echo, save, find by paraphrase, per-user isolation."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.authoring import parse_strategy
from assistant.service import Assistant
from core.spec import StrategySpec
from integrations.storage.strategies import SqliteStrategyStore
from integrations.storage.vectors import VectorStore, make_client
from tools import ToolContext

ISSUE_EXAMPLE = (
    "Long SPY when it crosses the call trigger with a bullish ribbon before 11am, "
    "target the golden gate, stop at the close"
)


def test_the_issue_example_becomes_a_spec():
    draft = parse_strategy(ISSUE_EXAMPLE, "SPY")
    assert draft.question is None
    spec = StrategySpec.model_validate(draft.spec)
    assert spec.side == "long" and spec.symbol == "SPY"
    assert [c.kind for c in spec.entry] == ["level_cross", "ribbon", "time_window"]
    assert spec.entry[0].level == "+0.236" and spec.entry[0].direction == "up"
    assert (spec.entry[2].start, spec.entry[2].end) == ("09:30", "11:00")
    assert (spec.exit.target, spec.exit.stop) == ("+0.382", "0")


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("long spy when it crosses the call trigger, stop at pdc", "What is the target?"),
        ("short spx when it loses the put trigger, target -61.8%", "Where is the stop?"),
        ("buy spy when the ribbon turns bullish, target +1, stop pdc", "Which level"),
    ],
)
def test_missing_essentials_get_one_question(text, question):
    assert parse_strategy(text, "SPX").question.startswith(question)


@pytest.fixture
def store(tmp_path):
    return SqliteStrategyStore(tmp_path / "w.sqlite", VectorStore(make_client(tmp_path / "chroma")))


def _assistant(source, store, user):
    ctx = ToolContext(
        source=source, user_id=user, today=dt.date(2026, 2, 13), services={"strategies": store}
    )
    return Assistant(ctx, "offline")


def test_clarify_echo_save_find_and_isolation(source, store):
    alice = _assistant(source, store, "alice")
    first = alice.ask(ISSUE_EXAMPLE.replace(", stop at the close", ""), "t1")
    assert first.tool_calls == [] and first.answer.startswith("Where is the stop?")
    drafted = alice.ask("stop at the close", "t1")
    assert [c["name"] for c in drafted.tool_calls] == ["draft_strategy"]
    assert (
        "crosses above the call trigger (+23.6%)" in drafted.answer and "save it" in drafted.answer
    )
    assert store.list("alice") == []  # nothing saved before the user confirms
    saved = alice.ask("save it", "t1")
    assert [c["name"] for c in saved.tool_calls] == ["save_strategy"]
    assert [s.name for s in store.list("alice")] == ["SPY long +0.236 to +0.382"]
    found = alice.ask("find my strategy that buys the call trigger with the ribbon filter", "t2")
    assert found.tool_calls[0]["result"]["hits"][0]["name"] == "SPY long +0.236 to +0.382"
    bob = _assistant(source, store, "bob")
    assert (
        bob.ask("find my strategy that buys the call trigger", "t3").tool_calls[0]["result"]["hits"]
        == []
    )
    assert store.list("bob") == [] and store.get("bob", "SPY long +0.236 to +0.382") is None
    assert not store.delete("bob", "SPY long +0.236 to +0.382")


def test_versions_are_kept(store):
    spec = StrategySpec.model_validate(parse_strategy(ISSUE_EXAMPLE, "SPY").spec)
    v1 = store.save("u", spec)
    v2 = store.save(
        "u", spec.model_copy(update={"exit": spec.exit.model_copy(update={"target": "+0.618"})})
    )
    assert (v1.version, v2.version) == (1, 2)
    assert [s.exit.target for s in store.versions("u", spec.spec_id)] == ["+0.382", "+0.618"]
    assert (
        store.get("u", spec.spec_id).version == 2
        and store.get("u", spec.spec_id, 1).exit.target == "+0.382"
    )


def test_update_shows_then_saves_a_new_version(source, store):
    alice = _assistant(source, store, "alice")
    alice.ask(ISSUE_EXAMPLE, "t1")
    alice.ask("save it", "t1")
    name = store.list("alice")[0].name
    shown = alice.ask(f"change the target of {name} to +61.8%", "t2")
    assert shown.tool_calls[0]["name"] == "update_strategy"
    assert "Target the bullish midrange (+61.8%)" in shown.answer
    assert store.get("alice", name).version == 1  # not saved yet
    alice.ask("save it", "t2")
    assert [v.exit.target for v in store.versions("alice", name)] == ["+0.382", "+0.618"]
    assert store.get("alice", name).version == 2
