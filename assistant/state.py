"""The graph's state and run context."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.messages import AIMessage, AnyMessage
from langchain_core.runnables import Runnable
from langgraph.graph.message import add_messages
from typing_extensions import TypedDict

from assistant.window import Bounds
from tools.base import ToolContext


class State(TypedDict, total=False):
    """Conversation state, checkpointed per thread."""

    messages: Annotated[list[AnyMessage], add_messages]
    """The thread's last turns (``assistant.window`` bounds them); the system prompt is added
    per call."""
    rounds: int
    """Tool rounds taken in the current turn."""
    grounded: bool
    """Whether the current turn's answer passed the grounding check."""
    fallback_reason: str
    """Why the deterministic rendering replaced the model's answer (empty if it did not)."""


@dataclass
class RunContext:
    """Per-run dependencies: never checkpointed, never visible to the model as arguments."""

    tools: ToolContext
    model: Runnable[LanguageModelInput, AIMessage]
    """The chat model with the tools already bound (``bind_tools`` returns a ``Runnable``)."""
    system_prompt: str
    max_rounds: int = 3
    on_event: Any = None
    """Optional callable(event: str, data: dict) for audit logging."""
    setting: Any = None
    """The offline planner's ``Setting`` (today per symbol, remembered defaults), if any."""
    bounds: Bounds = field(default_factory=Bounds)
    """How much of the thread the model sees and how much is kept (``assistant.window``)."""
