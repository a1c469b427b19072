"""Results kept per source (tools.memo): a kept answer equals a fresh one, cannot be changed by a
caller, and is kept only where the data cannot change (a source without ``derived``)."""

from __future__ import annotations

from typing import Any

from integrations.marketdata.files import FileSource
from tools import ToolContext, run_tool
from tools.memo import _memo_of


class Growing:
    """A source that may gain bars while it lives (like a live cache): it offers no ``derived``."""

    name = "growing"

    def __init__(self, inner: FileSource) -> None:
        self.inner = inner
        self.reads = 0

    def symbols(self) -> list[str]:
        return self.inner.symbols()

    def native_timeframes(self, symbol: str) -> list[str]:
        return self.inner.native_timeframes(symbol)

    def bars(self, symbol: str, timeframe: str) -> Any:
        self.reads += 1
        return self.inner.bars(symbol, timeframe)


def test_kept_result_equals_a_fresh_one_and_is_a_copy(sample_path):
    kept_source, fresh_source = FileSource(sample_path), FileSource(sample_path)
    args = {"symbol": "SPY", "date": "2019-06-12"}
    first = run_tool(ToolContext(source=kept_source), "atr_levels", args)
    first.levels["+0.236"] = -1.0  # a caller changing its answer must not change the kept one
    again = run_tool(ToolContext(source=kept_source), "atr_levels", args)
    fresh = run_tool(ToolContext(source=fresh_source), "atr_levels", args)
    assert (
        again.levels["+0.236"] == 289.72
    )  # the domain's worked example (tests/tools/test_levels_tool.py)
    assert again == fresh
    assert len(_memo_of(kept_source) or {}) == 1


def test_today_and_arguments_are_part_of_the_key(sample_path):
    import datetime as dt

    source = FileSource(sample_path)
    a = run_tool(
        ToolContext(source=source, today=dt.date(2019, 6, 12)), "atr_levels", {"symbol": "SPY"}
    )
    b = run_tool(
        ToolContext(source=source, today=dt.date(2019, 6, 13)), "atr_levels", {"symbol": "SPY"}
    )
    assert a.date == dt.date(2019, 6, 12) and b.date == dt.date(2019, 6, 13)
    c = run_tool(ToolContext(source=source), "atr_levels", {"symbol": "SPY", "mode": "multiday"})
    assert c.mode == "multiday"


def test_a_source_that_can_change_is_never_memoised(source):
    growing = Growing(source)
    ctx = ToolContext(source=growing)
    run_tool(ctx, "atr_levels", {"symbol": "SPY", "date": "2019-06-12"})
    reads = growing.reads
    run_tool(ctx, "atr_levels", {"symbol": "SPY", "date": "2019-06-12"})
    assert growing.reads > reads
    assert _memo_of(growing) is None


def test_errors_and_unmarked_tools_are_not_kept(sample_path):
    source = FileSource(sample_path)
    ctx = ToolContext(source=source)
    run_tool(ctx, "atr_levels", {"symbol": "NOPE"})
    run_tool(ctx, "explain_term", {"term": "golden gate"})
    assert not _memo_of(source)
