"""The web channel on a real LLM client (OpenAI's, against a local chat-completions server): the
model plans, our tools compute, the answer is grounded, every call audited; a provider failure
becomes a polite reply, never a 500 or a stack trace."""

from __future__ import annotations

import json
from dataclasses import replace

from fastapi.testclient import TestClient

from assistant.providers.registry import build_model
from integrations.alerts.store import SqliteAlertStore
from integrations.chat.accounts import Role
from integrations.chat.settings import ChannelSettings
from integrations.chat.setup import build_service
from integrations.marketdata.files import FileSource, samples_dir
from integrations.web.app import create_app
from tests.channels.conftest import PUT_TRIGGER_QUESTION
from tests.wire import ChatCompletionsServer, text_reply, tool_call_reply


def _client(tmp_path, url: str, rate_limit: tuple[int, float] = (100, 60.0)) -> TestClient:
    env = {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": url + "/v1", "LLM_MODEL": "gpt-4o-mini"}
    settings = replace(ChannelSettings(home=tmp_path, provider="openai"), rate_limit=rate_limit)
    service = build_service(
        settings,
        source=FileSource(samples_dir()),
        services={"alerts": SqliteAlertStore(tmp_path / "alerts.sqlite")},
        model=build_model("openai", env, max_retries=0, timeout=10),
    )
    service.accounts.add_user("alice", "alice's password", Role.TRADER)
    token = service.accounts.new_token("alice", "t")[1]
    client = TestClient(create_app(service, settings))
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def _script(body: dict) -> dict:
    last = body["messages"][-1]
    if last["role"] == "user":
        return tool_call_reply(
            "atr_levels", {"symbol": "SPY", "date": "2019-06-12", "level": "-0.236"}
        )
    value = json.loads(last["content"])["level_value"]
    return text_reply(f"SPY's put trigger on 2019-06-12 is {value:.2f}.")


def test_llm_plans_tools_compute_and_the_turn_is_audited(tmp_path):
    with ChatCompletionsServer(_script) as server:
        client = _client(tmp_path, server.url)
        reply = client.post("/api/ask", json={"question": PUT_TRIGGER_QUESTION}).json()
    assert reply["answer"] == "SPY's put trigger on 2019-06-12 is 288.08."  # 288.90-0.236*3.49
    assert reply["grounded"] is True and reply["provider"] == "openai"
    assert server.paths == ["/v1/chat/completions"] * 2
    (entry,) = [e for e in client.get("/api/audit").json() if e["event"] == "tool_call"]
    assert entry["tool"] == "atr_levels" and entry["outcome"] == "success"
    assert entry["args"] == {"symbol": "SPY", "date": "2019-06-12", "level": "-0.236"}


def test_a_made_up_number_from_the_model_never_reaches_the_user(tmp_path):
    def liar(body: dict) -> dict:
        if body["messages"][-1]["role"] == "user":
            return _script(body)
        return text_reply("The put trigger is 287.50; SPY will bounce to 312.")

    with ChatCompletionsServer(liar) as server:
        reply = (
            _client(tmp_path, server.url)
            .post("/api/ask", json={"question": PUT_TRIGGER_QUESTION})
            .json()
        )
    assert reply["grounded"] is False
    assert "288.08" in reply["answer"] and "287.50" not in reply["answer"]


def test_provider_failure_is_a_polite_reply_not_a_500(tmp_path):
    with ChatCompletionsServer(_script, status=401) as server:
        client = _client(tmp_path, server.url)
        r = client.post("/api/ask", json={"question": PUT_TRIGGER_QUESTION})
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "error" and "openai provider failed" in body["answer"]
    assert "Traceback" not in body["answer"] and "sk-test" not in body["answer"]
    turns = [e for e in client.get("/api/audit").json() if e["event"] == "turn"]
    assert turns and turns[0]["outcome"].startswith("error")


def test_model_turns_warn_before_the_quota_and_stop_at_it(tmp_path):
    # quota 3 model turns: the 3rd answer warns that 0 are left (90 % used), the 4th is refused
    with ChatCompletionsServer(_script) as server:
        client = _client(tmp_path, server.url, rate_limit=(3, 3600.0))
        answers = [
            client.post("/api/ask", json={"question": PUT_TRIGGER_QUESTION}) for _ in range(4)
        ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert "left" not in answers[0].json()["answer"]
    assert "0 of your 3 language-model questions per 60 minutes left" in answers[2].json()["answer"]
    assert "limit of 3 questions per 60 minutes" in answers[3].json()["error"]
