"""Fixtures of the assistant tests: a signed-in trader asking whole conversations offline."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from assistant.service import Assistant
from tools import ToolContext

Calls = list[tuple[str, dict]]


@pytest.fixture
def ask(source, tmp_path) -> Callable[..., Calls]:
    """Return ``ask(*turns)``: the turns asked in order on a new thread by a trader with every
    store (alerts, strategies, memory, watches, briefings) and "today" Friday 2026-02-13; it
    returns the last turn's tool calls as (name, args)."""
    from eval.firstcontact import user_services

    services = {**user_services(tmp_path), "destination": "web:trader"}
    ctx = ToolContext(
        source=source, user_id="trader", today=dt.date(2026, 2, 13), services=services
    )
    assistant = Assistant(ctx, "offline")
    threads = itertools.count()

    def run(*turns: str) -> Calls:
        thread = f"t{next(threads)}"
        reply = None
        for text in turns:
            reply = assistant.ask(text, thread)
        assert reply is not None
        return [(c["name"], c["args"]) for c in reply.tool_calls]

    return run
