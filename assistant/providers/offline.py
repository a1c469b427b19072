"""The offline planner as a LangChain chat model: the default provider when no LLM key is set.

The graph hands it the planner ``Setting`` (today per symbol, remembered defaults) through the
run's context as the ``setting`` keyword; without one (a bare ``invoke``) it reads the same
facts from the system prompt an LLM gets. It emits the same typed tool calls an LLM would and
writes the answer from the tool results with the deterministic renderers. No network, no
randomness. The rule that decided and any open question travel in the message's
``additional_kwargs['whispr']`` so the next turn and the evaluation can see them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.render import render_json
from assistant.understand.planner import Setting, Turn, plan


def setting_from_system(messages: Sequence[BaseMessage]) -> Setting:
    """Return the planner setting stated in the system prompt (today, symbols, default symbol)."""
    text = " ".join(str(m.content) for m in messages if isinstance(m, SystemMessage))
    today = re.search(r"Reference date \(today\): (\d{4}-\d{2}-\d{2})", text)
    symbols = re.search(r"Symbols with data: ([A-Z0-9., ]+)\.", text)
    default = re.search(r"Default symbol when none is named: ([A-Z0-9]+)", text)
    risk = re.search(r"Default risk %: ([0-9]+(?:\.[0-9]+)?)", text)
    account = re.search(r"Account size: ([0-9]+(?:\.[0-9]+)?(?:e\+?[0-9]+)?)", text)
    return Setting(
        default_risk=float(risk.group(1)) if risk else None,
        account=float(account.group(1)) if account else None,
        today=dt.date.fromisoformat(today.group(1)) if today else dt.date.today(),
        symbols=tuple(s.strip() for s in symbols.group(1).split(","))
        if symbols
        else ("SPX", "SPY"),
        default_symbol=default.group(1) if default else "SPX",
    )


def _result(msg: ToolMessage) -> dict[str, Any] | None:
    try:
        data = json.loads(str(msg.content))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def history(messages: Sequence[BaseMessage]) -> list[Turn]:
    """Return the earlier turns of the thread: each user text with the calls its first tool
    round made (and their results), and the question left open when it was answered by one."""
    turns: list[Turn] = []
    by_id: dict[str, dict[str, Any]] = {}
    for msg in messages[:-1]:
        if isinstance(msg, HumanMessage):
            turns.append(Turn(text=str(msg.content), earlier=turns[-1] if turns else None))
        elif not turns:
            continue
        elif isinstance(msg, AIMessage) and msg.tool_calls and not turns[-1].calls:
            for call in msg.tool_calls:
                record = {"name": call["name"], "args": dict(call["args"]), "result": None}
                by_id[call["id"] or ""] = record
                turns[-1].calls.append(record)
        elif isinstance(msg, ToolMessage) and msg.tool_call_id in by_id:
            by_id[msg.tool_call_id]["result"] = _result(msg)
        elif isinstance(msg, AIMessage) and not msg.tool_calls:
            turns[-1].pending = (msg.additional_kwargs.get("whispr") or {}).get("pending")
    return turns


class OfflinePlanner(BaseChatModel):
    """A deterministic chat model that plans tool calls from a trader's words."""

    accepts_setting: bool = True
    """The graph passes the planner ``Setting`` as the ``setting`` keyword of ``invoke``."""

    @property
    def _llm_type(self) -> str:
        return "whispr-offline"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> OfflinePlanner:  # type: ignore[override]
        """Return self: the planner knows Whispr's tools by name already."""
        return self

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        last = messages[-1]
        if isinstance(last, ToolMessage):
            message = AIMessage(content=self._answer(messages))
        else:
            setting = kwargs.get("setting") or setting_from_system(messages)
            decided = plan(str(last.content), history(messages), setting)
            meta = {
                "whispr": {"rule": decided.rule, "pending": decided.pending, "note": decided.note}
            }
            if decided.calls:
                calls = [
                    {
                        "name": c["name"],
                        "args": c["args"],
                        "id": f"call_{uuid.uuid4().hex[:12]}",
                        "type": "tool_call",
                    }
                    for c in decided.calls
                ]
                message = AIMessage(content="", tool_calls=calls, additional_kwargs=meta)
            else:
                message = AIMessage(content=decided.reply or "", additional_kwargs=meta)
        return ChatResult(generations=[ChatGeneration(message=message)])

    @staticmethod
    def _answer(messages: Sequence[BaseMessage]) -> str:
        results: list[ToolMessage] = []
        note = None
        for msg in reversed(messages):
            if isinstance(msg, ToolMessage):
                results.append(msg)
            elif isinstance(msg, AIMessage) and msg.tool_calls:
                note = (msg.additional_kwargs.get("whispr") or {}).get("note") or note
            elif isinstance(msg, HumanMessage):
                break
        text = "\n\n".join(render_json(m.name or "", str(m.content)) for m in reversed(results))
        return f"{text}\n\n{note}" if note else text
