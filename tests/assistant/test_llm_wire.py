"""The OpenAI and Groq code paths, for real, against a local chat-completions server."""

from __future__ import annotations

import json

import pytest

from assistant.providers.registry import MissingKeyError, build_model, choose_provider
from assistant.service import Assistant, ProviderError
from tests.wire import ChatCompletionsServer, text_reply, tool_call_reply
from tools import ToolContext

QUESTION = "what's the SPY put trigger for June 12, 2019?"
# SPY 2019-06-12: PC = 288.90 (2019-06-11 close), ATR(14) as of 06-11 = 3.48729 → 3.49;
# put trigger = 288.90 - 0.236 * 3.49 = 288.07636 → 288.08 (checked by hand in test_levels_tool)
PUT_TRIGGER = "288.08"


def _script(answer_from_tool):
    def script(body):
        last = body["messages"][-1]
        if last["role"] == "user":
            return tool_call_reply(
                "atr_levels", {"symbol": "SPY", "date": "2019-06-12", "level": "-0.236"}
            )
        result = json.loads(last["content"])
        return text_reply(answer_from_tool(result))

    return script


def _assistant(source, provider, url, **env):
    keys = {
        "openai": {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": url + "/v1"},
        "groq": {"GROQ_API_KEY": "gsk-test", "GROQ_BASE_URL": url},
        "openai-compatible": {"WHISPR_LLM_BASE_URL": url + "/v1"},
    }[provider]
    env = {**keys, "LLM_MODEL": "gpt-4o-mini", **env}
    model = build_model(provider, env, max_retries=0, timeout=10)
    return Assistant(ToolContext(source=source), provider, model=model)


@pytest.mark.parametrize(
    ("provider", "path"),
    [
        ("openai", "/v1/chat/completions"),
        ("groq", "/openai/v1/chat/completions"),
        ("openai-compatible", "/v1/chat/completions"),
    ],
)
def test_tool_call_round_trip_through_the_real_client(source, provider, path):
    script = _script(lambda r: f"The SPY put trigger for 2019-06-12 is {r['level_value']:.2f}.")
    with ChatCompletionsServer(script) as server:
        reply = _assistant(source, provider, server.url).ask(QUESTION)
    assert server.paths == [path, path]
    first, second = server.requests
    # what our code sent: the system prompt, the question, and every tool's JSON schema
    assert first["messages"][0]["role"] == "system"
    assert "Reference date (today)" in first["messages"][0]["content"]
    assert first["messages"][-1] == {"role": "user", "content": QUESTION}
    tools = {t["function"]["name"]: t["function"] for t in first["tools"]}
    assert {"atr_levels", "position_size", "explain_term"} <= set(tools)
    assert tools["atr_levels"]["parameters"]["required"] == ["symbol"]
    assert "golden gate" in tools["atr_levels"]["parameters"]["properties"]["level"]["description"]
    # what it did with the reply: ran the tool and sent the result back as a tool message
    tool_msg = second["messages"][-1]
    assert tool_msg["role"] == "tool" and tool_msg["tool_call_id"] == "call_1"
    assert json.loads(tool_msg["content"])["level_value"] == float(PUT_TRIGGER)
    assert reply.answer == f"The SPY put trigger for 2019-06-12 is {PUT_TRIGGER}."
    assert reply.grounded and reply.provider == provider
    assert reply.tool_calls[0]["args"] == {"symbol": "SPY", "date": "2019-06-12", "level": "-0.236"}
    assert reply.usage == {"input_tokens": 2000, "output_tokens": 100}
    assert reply.cost_usd == pytest.approx((2000 * 0.15 + 100 * 0.60) / 1e6)


def test_ungrounded_answer_is_replaced_by_the_tool_rendering(source):
    script = _script(lambda r: "The put trigger is 287.50, and SPY will bounce to 312.")
    with ChatCompletionsServer(script) as server:
        reply = _assistant(source, "openai", server.url).ask(QUESTION)
    assert not reply.grounded
    assert "287.50" not in reply.answer and PUT_TRIGGER in reply.answer
    assert "ungrounded numbers: 287.50, 312" == reply.fallback_reason


def test_tool_error_goes_back_to_the_model_as_a_tool_message(source):
    def script(body):
        last = body["messages"][-1]
        if last["role"] == "user":
            return tool_call_reply("atr_levels", {"symbol": "AAPL"})
        return text_reply("No data for that symbol; try SPX or SPY.")

    with ChatCompletionsServer(script) as server:
        reply = _assistant(source, "openai", server.url).ask("aapl levels")
    error = json.loads(server.requests[1]["messages"][-1]["content"])
    assert error["kind"] == "data" and "available: SPX, SPY" in error["error"]
    assert reply.answer == "No data for that symbol; try SPX or SPY."


def test_auth_failure_is_a_clear_error_not_a_stack_trace(source):
    with ChatCompletionsServer(lambda b: text_reply("x"), status=401) as server:
        assistant = _assistant(source, "openai", server.url)
        with pytest.raises(
            ProviderError, match=r"AuthenticationError \(401\).*OPENAI_API_KEY|API key"
        ):
            assistant.ask(QUESTION)


def test_provider_choice_and_missing_keys():
    assert choose_provider(None, {}) == "offline"
    assert choose_provider(None, {"GROQ_API_KEY": "k"}) == "groq"
    assert choose_provider(None, {"OPENAI_API_KEY": "k", "GROQ_API_KEY": "k"}) == "openai"
    assert choose_provider("groq", {}) == "groq"
    with pytest.raises(MissingKeyError, match="OPENAI_API_KEY"):
        build_model("openai", {})
    with pytest.raises(MissingKeyError, match="WHISPR_LLM_BASE_URL"):
        build_model("openai-compatible", {})
