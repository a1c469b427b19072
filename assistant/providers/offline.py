"""The offline planner as a LangChain chat model: the default provider when no LLM key is set.

It reads the same system prompt an LLM gets (reference date, symbols, default symbol), emits the
same typed tool calls, and writes the answer from the tool results with the deterministic
renderers. No network, no randomness.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.planner import Setting, plan
from assistant.render import render_json


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


def _turns(messages: Sequence[BaseMessage]) -> list[list[dict[str, Any]]]:
    """Return the tool calls each earlier turn made (first tool-calling AI message per turn;
    an empty list for a turn answered without tools)."""
    turns: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] | None = None
    for msg in messages[:-1]:
        if isinstance(msg, HumanMessage):
            if current is not None:
                turns.append(current)
            current = []
        elif isinstance(msg, AIMessage) and msg.tool_calls and current == []:
            current = [{"name": c["name"], "args": dict(c["args"])} for c in msg.tool_calls]
    if current is not None:
        turns.append(current)
    return turns


class OfflinePlanner(BaseChatModel):
    """A deterministic chat model that plans tool calls from a trader's words."""

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
            humans = [str(m.content) for m in messages[:-1] if isinstance(m, HumanMessage)]
            decided = plan(
                str(last.content),
                _turns(messages),
                setting_from_system(messages),
                humans[-1] if humans else "",
            )
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
                message = AIMessage(content="", tool_calls=calls)
            else:
                message = AIMessage(content=decided.reply or "")
        return ChatResult(generations=[ChatGeneration(message=message)])

    @staticmethod
    def _answer(messages: Sequence[BaseMessage]) -> str:
        results: list[ToolMessage] = []
        for msg in reversed(messages):
            if isinstance(msg, ToolMessage):
                results.append(msg)
            elif isinstance(msg, HumanMessage):
                break
        return "\n\n".join(render_json(m.name or "", str(m.content)) for m in reversed(results))
