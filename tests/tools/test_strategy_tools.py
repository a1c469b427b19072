"""Strategy tools: list, find by name, backtest built-ins on the shipped data, through chat."""

from __future__ import annotations

import datetime as dt

from assistant.service import Assistant
from core.backtest import backtest
from core.stats import metrics
from core.strategies import builtin_strategies
from tools import ToolContext, ToolError, run_tool


def test_list_and_unknown_strategy(source):
    ctx = ToolContext(source=source)
    names = [s.name for s in run_tool(ctx, "list_strategies", {}).strategies]
    assert "Golden gate bull" in names and "Vomy" in names
    err = run_tool(ctx, "backtest_strategy", {"strategy": "moon shot"})
    assert isinstance(err, ToolError) and "available: Golden gate bull" in err.error


def test_backtest_tool_equals_the_core_run(source):
    ctx = ToolContext(source=source)
    out = run_tool(
        ctx, "backtest_strategy", {"strategy": "golden gate bull", "start": "2025-06-01"}
    )
    spec = builtin_strategies()[0]
    bars = source.bars("SPX", "5m").loc["2025-06-01":]
    direct = metrics(backtest(spec, bars, source.bars("SPX", "1d")))
    assert out.metrics["trades"] == direct["trades"] > 20
    assert out.metrics["wins"] == direct["wins"]
    assert out.first_bar == "2025-06-02" and out.bars == len(bars)


def test_backtest_through_the_assistant(source):
    assistant = Assistant(ToolContext(source=source, today=dt.date(2026, 2, 13)), "offline")
    reply = assistant.ask("backtest the call trigger to midrange strategy on spy")
    assert [c["name"] for c in reply.tool_calls] == ["backtest_strategy"]
    assert reply.tool_calls[0]["args"] == {"strategy": "Call trigger to midrange", "symbol": "SPY"}
    result = reply.tool_calls[0]["result"]
    assert result["symbol"] == "SPY" and f"{result['metrics']['trades']} trades" in reply.answer
    assert reply.grounded


def test_compare_runs_every_strategy_on_the_same_data(source):
    assistant = Assistant(ToolContext(source=source, today=dt.date(2026, 2, 13)), "offline")
    reply = assistant.ask("compare golden gate bull and call trigger to midrange on spx")
    call = reply.tool_calls[0]
    assert call["name"] == "compare_strategies"
    assert call["args"]["strategies"] == ["Golden gate bull", "Call trigger to midrange"]
    rows = call["result"]["rows"]
    assert [r["strategy"] for r in rows] == ["Golden gate bull", "Call trigger to midrange"]
    assert rows[0]["first_bar"] == rows[1]["first_bar"] and rows[0]["bars"] == rows[1]["bars"]
    assert reply.grounded


def test_a_backtest_says_when_the_data_covers_less_than_the_period_asked(source):
    ctx = ToolContext(source=source)
    first = source.bars("SPX", "5m").index[0].date()  # the shipped SPX 5m history's first day
    asked = first - dt.timedelta(days=365)
    out = run_tool(
        ctx, "backtest_strategy", {"strategy": "golden gate bull", "start": asked.isoformat()}
    )
    assert out.first_bar == first.isoformat()
    assert out.data_note == (
        f"SPX 5m bars start {first}, not {asked}: tested {first} to {out.last_bar} only"
    )
    # a start on a weekend before the first session is not a gap worth a note
    out = run_tool(
        ctx, "backtest_strategy", {"strategy": "golden gate bull", "start": "2025-06-01"}
    )
    assert out.data_note is None
