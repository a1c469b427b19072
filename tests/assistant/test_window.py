"""Bounded conversations: what the model sees of a thread, the turn's token ceiling, and what is
kept on disk (issue #16, item 5)."""

from __future__ import annotations

import json
import sqlite3

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from assistant.providers.registry import build_model
from assistant.service import Assistant, sqlite_checkpointer
from assistant.window import Bounds, estimate_tokens, model_view
from tests.wire import ChatCompletionsServer, text_reply, tool_call_reply
from tools import ToolContext


def _turn(n: int, result_chars: int = 40) -> list:
    """One turn: question, a tool call, its result, the answer (ids as add_messages gives)."""
    return [
        HumanMessage(f"q{n}", id=f"h{n}"),
        AIMessage("", tool_calls=[{"name": "atr_levels", "args": {}, "id": f"c{n}"}], id=f"a{n}"),
        ToolMessage("x" * result_chars, tool_call_id=f"c{n}", id=f"t{n}"),
        AIMessage(f"answer {n}", id=f"r{n}"),
    ]


def test_the_model_sees_whole_recent_turns_within_both_bounds():
    thread = [m for n in range(10) for m in _turn(n)] + [HumanMessage("now", id="h10")]
    view = model_view(thread, Bounds(history_turns=4))
    assert [m.content for m in view if isinstance(m, HumanMessage)] == ["q7", "q8", "q9", "now"]
    # a turn is never cut: the view opens on a question and every call keeps its result
    assert isinstance(view[0], HumanMessage)
    calls = {c["id"] for m in view if isinstance(m, AIMessage) for c in m.tool_calls}
    assert calls == {m.tool_call_id for m in view if isinstance(m, ToolMessage)}

    # token bound: a budget with room for the current turn and two and a half old turns
    big = [m for n in range(10) for m in _turn(n, result_chars=4000)] + [HumanMessage("now")]
    per_turn = sum(estimate_tokens(m) for m in _turn(9, result_chars=4000))
    current = estimate_tokens(big[-1])
    budget = current + 2 * per_turn + per_turn // 2  # room for two old turns, not three
    view = model_view(big, Bounds(history_turns=12, max_prompt_tokens=budget))
    assert [m.content for m in view if isinstance(m, HumanMessage)] == ["q8", "q9", "now"]
    # the current turn is shown even when it alone is over the budget
    assert model_view(big, Bounds(max_prompt_tokens=1)) == [big[-1]]


def _llm_assistant(source, url, bounds, checkpointer=None):
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": url + "/v1", "LLM_MODEL": "gpt-4o-mini"}
    model = build_model("openai", env, max_retries=0, timeout=10)
    return Assistant(
        ToolContext(source=source), "openai", model=model, bounds=bounds, checkpointer=checkpointer
    )


def test_a_real_client_is_sent_only_the_window(source):
    def script(body):
        return text_reply("noted")

    with ChatCompletionsServer(script) as server:
        assistant = _llm_assistant(source, server.url, Bounds(history_turns=3))
        for n in range(6):
            assistant.ask(f"question {n}", thread_id="t")
    sent = [m["content"] for m in server.requests[-1]["messages"] if m["role"] == "user"]
    assert sent == ["question 3", "question 4", "question 5"]
    assert server.requests[-1]["messages"][0]["role"] == "system"


def test_the_turn_token_ceiling_stops_tool_rounds_and_renders_the_results(source):
    def script(body):  # a model that never stops calling tools; each reply reports 1,050 tokens
        return tool_call_reply(
            "atr_levels", {"symbol": "SPY", "date": "2019-06-12", "level": "-0.236"}
        )

    with ChatCompletionsServer(script) as server:
        reply = _llm_assistant(source, server.url, Bounds(max_turn_tokens=2000)).ask("put trig")
    # 1,050 after the first call (< 2,000: one tool round), 2,100 after the second: stop there
    assert len(server.requests) == 2
    assert reply.fallback_reason == "the turn's token ceiling was reached"
    assert "288.08" in reply.answer  # SPY 2019-06-12 put trigger (test_llm_wire, by hand)
    assert not reply.grounded


def test_the_stored_thread_keeps_recent_turns_and_one_checkpoint(source, tmp_path):
    path = tmp_path / "threads.sqlite"
    assistant = Assistant(
        ToolContext(source=source),
        "offline",
        checkpointer=sqlite_checkpointer(path),
        bounds=Bounds(keep_turns=4),
    )
    sizes = []
    for n in range(12):
        assistant.ask("spy day levels 6/12/19" if n % 2 == 0 else "day before?", thread_id="t")
        with sqlite3.connect(path) as db:
            (count, size), *_ = db.execute(
                "SELECT count(*), sum(length(checkpoint)) FROM checkpoints WHERE thread_id = 't'"
            )
        assert count == 1  # superseded checkpoints are deleted after each turn
        sizes.append(size)
    state = assistant.graph.get_state({"configurable": {"thread_id": "t"}}).values
    questions = [m.content for m in state["messages"] if isinstance(m, HumanMessage)]
    assert questions == ["spy day levels 6/12/19", "day before?"] * 2
    assert sizes[-1] <= sizes[5] * 1.1  # bounded: the state stopped growing once pruned
    # follow-ups still resolve against the kept turns: "day before?" → SPY 2019-06-11
    reply = assistant.ask("day before?", thread_id="t")
    assert [c["args"].get("date") for c in reply.tool_calls] == ["2019-06-10"]
    assert json.dumps(reply.tool_calls[0]["args"]).count("SPY") == 1


def test_the_bounds_come_from_the_environment_and_bad_values_are_named():
    import pytest

    from assistant.service import bounds_from_settings
    from core.errors import InvalidArgumentError

    assert bounds_from_settings({}) == Bounds()
    got = bounds_from_settings({"WHISPR_HISTORY_TURNS": "4", "WHISPR_TURN_TOKENS": "8000"})
    assert (got.history_turns, got.max_turn_tokens, got.keep_turns) == (4, 8000, 40)
    with pytest.raises(InvalidArgumentError, match="WHISPR_KEEP_TURNS must be a whole number"):
        bounds_from_settings({"WHISPR_KEEP_TURNS": "0"})
