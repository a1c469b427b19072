"""The agent graph: the model plans, a tool node runs the calls, the model answers, and a
grounding node checks every number before the answer leaves.

    START → agent ─(tool calls, rounds and tokens left)→ tools → agent
                 └─(answer, or no rounds or tokens left)→ ground → prune → END

The model sees a bounded window of the thread and the stored thread is pruned after each turn
(``assistant.window``).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Literal

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from assistant.grounding import check_grounding
from assistant.render import render_json
from assistant.state import RunContext, State
from assistant.window import expired, model_view, turn_tokens
from tools.base import ToolError, run_tool

log = logging.getLogger(__name__)


def _turn_start(messages: list[Any]) -> int:
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return i
    return 0


def agent(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Call the model with the system prompt and the thread's recent turns; return its message."""
    ctx = runtime.context
    kwargs = (
        {"setting": ctx.setting}
        if ctx.setting and getattr(ctx.model, "accepts_setting", False)
        else {}
    )
    view = model_view(state["messages"], ctx.bounds)
    reply = ctx.model.invoke([SystemMessage(ctx.system_prompt), *view], **kwargs)
    return {"messages": [reply]}


def tools(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Run every tool call of the last AI message; errors become tool messages, not crashes."""
    ctx = runtime.context
    last = state["messages"][-1]
    out = []
    for call in getattr(last, "tool_calls", []):
        started = time.perf_counter()
        try:
            result = run_tool(ctx.tools, call["name"], call["args"])
        except Exception:  # a bug in a tool: log it, tell the model and the user plainly
            log.exception("tool %s failed on %s", call["name"], call["args"])
            result = ToolError(
                error="the tool failed unexpectedly; the error was logged", kind="internal"
            )
        status = "error" if isinstance(result, ToolError) else "success"
        if ctx.on_event:
            ctx.on_event(
                "tool_call",
                {
                    "name": call["name"],
                    "args": call["args"],
                    "status": status,
                    "seconds": time.perf_counter() - started,
                },
            )
        out.append(
            ToolMessage(
                content=result.model_dump_json(),
                tool_call_id=call["id"],
                name=call["name"],
                status=status,
            )
        )
    return {"messages": out, "rounds": state.get("rounds", 0) + 1}


def route(state: State, runtime: Runtime[RunContext]) -> Literal["tools", "ground"]:
    """Go to the tools while the model asks for them and rounds and the turn's token ceiling
    remain, else to grounding."""
    ctx = runtime.context
    last = state["messages"][-1]
    wants_tools = isinstance(last, AIMessage) and bool(last.tool_calls)
    within = turn_tokens(state["messages"]) < ctx.bounds.max_turn_tokens
    if wants_tools and within and state.get("rounds", 0) < ctx.max_rounds:
        return "tools"
    return "ground"


def ground(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Check the answer's numbers; replace a failing answer with the tool results' rendering."""
    messages = state["messages"]
    start = _turn_start(messages)
    user_text = str(messages[start].content) if messages else ""
    results = [m for m in messages[start:] if isinstance(m, ToolMessage)]
    last = messages[-1]
    answer = str(last.content) if isinstance(last, AIMessage) and not last.tool_calls else ""
    reason = ""
    own_reply = not results and isinstance(last, AIMessage) and "whispr" in last.additional_kwargs
    if own_reply and answer.strip():
        return {"grounded": True, "fallback_reason": ""}  # the offline planner's own question
    if not answer.strip():
        reason = "no answer" if not results else "tool rounds exhausted or empty answer"
        if turn_tokens(messages) >= runtime.context.bounds.max_turn_tokens:
            reason = "the turn's token ceiling was reached"
    else:
        verdict = check_grounding(answer, [str(m.content) for m in results], user_text)
        if not verdict.grounded:
            reason = "ungrounded numbers: " + ", ".join(verdict.ungrounded)
    if not reason:
        return {"grounded": True, "fallback_reason": ""}
    log.warning("grounding fallback: %s", reason)
    if runtime.context.on_event:
        runtime.context.on_event("grounding_fallback", {"reason": reason, "answer": answer})
    text = "\n\n".join(render_json(m.name or "", str(m.content)) for m in results)
    if not text:
        text = (
            answer
            if not any(ch.isdigit() for ch in answer)
            else ("I couldn't produce a grounded answer; please rephrase.")
        )
    replacement = AIMessage(content=text)
    if isinstance(last, AIMessage) and not last.tool_calls:
        replacement.id = last.id  # add_messages replaces the message with the same id
    return {"messages": [replacement], "grounded": False, "fallback_reason": reason}


def prune(state: State, runtime: Runtime[RunContext]) -> dict[str, Any]:
    """Remove the turns older than the bounds keep from the stored thread."""
    return {"messages": expired(state["messages"], runtime.context.bounds)}


def build_graph() -> StateGraph[State, RunContext, State, State]:
    """Return the uncompiled graph; compile it with a checkpointer (SQLite or in-memory)."""
    graph = StateGraph(State, context_schema=RunContext)
    graph.add_node("agent", agent)
    graph.add_node("tools", tools)
    graph.add_node("ground", ground)
    graph.add_node("prune", prune)
    graph.add_edge(START, "agent")
    graph.add_conditional_edges("agent", route, {"tools": "tools", "ground": "ground"})
    graph.add_edge("tools", "agent")
    graph.add_edge("ground", "prune")
    graph.add_edge("prune", END)
    return graph


def tool_records(messages: list[Any]) -> list[dict[str, Any]]:
    """Return this turn's tool calls as ``{name, args, result}`` (result parsed from JSON)."""
    start = _turn_start(messages)
    calls: dict[str | None, dict[str, Any]] = {}  # by tool-call id (optional in LangChain)
    order: list[str | None] = []
    for msg in messages[start:]:
        if isinstance(msg, AIMessage):
            for call in msg.tool_calls:
                calls[call["id"]] = {"name": call["name"], "args": call["args"], "result": None}
                order.append(call["id"])
        elif isinstance(msg, ToolMessage) and msg.tool_call_id in calls:
            calls[msg.tool_call_id]["result"] = json.loads(str(msg.content))
    return [calls[i] for i in order]
