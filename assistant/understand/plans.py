"""What the planner decides for one message (``Plan``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Plan:
    """What the planner decided: tool calls to make, or a direct reply (maybe a question)."""

    calls: list[dict[str, Any]] = field(default_factory=list)
    reply: str | None = None
    rule: str = ""
    pending: dict[str, Any] | None = None
    """Set when ``reply`` is a question: what to complete with the user's answer."""
    note: str | None = None
    """A sentence shown after the answer to ``calls`` (conditions the tools did not apply)."""
