"""Bad numbers are refused or asked about, naming the value, never silently rewritten (issue #12,
defect 6). Before: an account of -50000 became 50000, risk -2 % became 2 %, 1e308 became 308,
2019-02-30 was answered for another date, and "vomy on ZZZZ" ran on SPX."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.service import Assistant
from tools import ToolContext


@pytest.fixture(scope="module")
def assistant(source):
    return Assistant(ToolContext(source=source, today=dt.date(2026, 2, 13)), "offline")


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("size: account -50000, risk 1%, long spy 450 stop 447", "an account of -50000"),
        ("size: account 50000, risk -2%, long spy 450 stop 447", "risk of -2%"),
        ("size: account 1e308, risk 1%, long spy 450 stop 447", "an account of 1e308"),
        ("spy put trigger 2019-02-30", "'2019-02-30'"),
    ],
)
def test_bad_values_are_asked_about_by_name(assistant, text, named):
    reply = assistant.ask(text)
    assert reply.tool_calls == []
    assert named in reply.answer.lower() and reply.answer.rstrip().endswith("?")


@pytest.mark.parametrize("text", ["vomy on ZZZZ", "backtest vomy on ZZZZ"])
def test_an_unknown_symbol_is_named_not_replaced(assistant, text):
    reply = assistant.ask(text)
    assert {c["args"].get("symbol") for c in reply.tool_calls} == {"ZZZZ"}
    assert "no data for symbol 'ZZZZ'" in reply.answer
