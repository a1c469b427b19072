"""Bounded conversations: how much of a thread the model sees, and how much of it is kept.

A thread is a list of turns; a turn starts at a trader's message and holds the planner's tool
calls, the tool results and the answer. Turns are never split: a tool call without its result
(or a result without its call) is an error for every chat model API.

- The model sees the last ``history_turns`` turns, fewer when they would exceed
  ``max_prompt_tokens`` (the current turn is always shown whole).
- The stored thread keeps the last ``keep_turns`` turns; older ones are removed after each turn.

Token counts are estimates (four characters per token, the usual figure for English and JSON):
they bound cost and latency, they are not a billing figure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, RemoveMessage

CHARS_PER_TOKEN = 4


@dataclass(frozen=True)
class Bounds:
    """How much of a thread is shown to the model and kept on disk."""

    history_turns: int = 12
    """Turns the model sees, the current one included."""
    max_prompt_tokens: int = 24_000
    """Estimated tokens of thread shown to the model per call (the system prompt excluded)."""
    max_turn_tokens: int = 60_000
    """Model tokens (input + output, as the provider reports them) one turn may spend; when
    reached, no further tool round is taken and the tool results are rendered as they are."""
    keep_turns: int = 40
    """Turns kept in the stored thread."""


def estimate_tokens(message: BaseMessage) -> int:
    """Return the estimated token count of one message: its text and its tool calls."""
    size = len(str(message.content))
    if isinstance(message, AIMessage) and message.tool_calls:
        size += len(json.dumps([c["args"] for c in message.tool_calls], default=str))
    return size // CHARS_PER_TOKEN + 1


def turn_starts(messages: Sequence[BaseMessage]) -> list[int]:
    """Return the index of each turn's first message (a trader's message)."""
    return [i for i, m in enumerate(messages) if isinstance(m, HumanMessage)]


def model_view(messages: Sequence[BaseMessage], bounds: Bounds) -> list[BaseMessage]:
    """Return the part of the thread the model sees: the newest whole turns within
    ``bounds.history_turns`` and ``bounds.max_prompt_tokens``; the current turn always."""
    starts = turn_starts(messages)
    if not starts:
        return list(messages)
    first = starts[-1]
    budget = bounds.max_prompt_tokens - sum(estimate_tokens(m) for m in messages[first:])
    for start in reversed(starts[-bounds.history_turns : -1]):
        cost = sum(estimate_tokens(m) for m in messages[start:first])
        if cost > budget:
            break
        budget -= cost
        first = start
    return list(messages[first:])


def turn_tokens(messages: Sequence[BaseMessage]) -> int:
    """Return the model tokens (input + output) the current turn has spent so far, as the
    provider reported them (0 for a provider that reports none, such as the offline planner)."""
    starts = turn_starts(messages)
    total = 0
    for msg in messages[starts[-1] if starts else 0 :]:
        usage = getattr(msg, "usage_metadata", None) if isinstance(msg, AIMessage) else None
        if usage:
            total += int(usage.get("input_tokens", 0)) + int(usage.get("output_tokens", 0))
    return total


def expired(messages: Sequence[BaseMessage], bounds: Bounds) -> list[RemoveMessage]:
    """Return removals for every message of the turns older than the last ``keep_turns``."""
    starts = turn_starts(messages)
    if len(starts) <= bounds.keep_turns:
        return []
    cut = starts[-bounds.keep_turns]
    return [RemoveMessage(id=m.id) for m in messages[:cut] if m.id]
