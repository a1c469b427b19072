"""Charts: real PNGs for levels and equity, written where the channel asks."""

from __future__ import annotations

from tools import ToolContext, run_tool
from tools.charts import equity_chart, levels_chart


def test_png_bytes(source):
    bars = source.bars("SPY", "5m").loc["2025-06-03"]
    png = levels_chart(bars, {"0": 592.71, "+0.236": 594.87}, "SPY")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    equity = bars["close"] * 100
    assert equity_chart(equity, "x")[:4] == b"\x89PNG"


def test_tools_save_charts_when_asked(source, tmp_path):
    ctx = ToolContext(source=source, services={"charts_dir": tmp_path})
    levels = run_tool(ctx, "atr_levels", {"symbol": "SPY", "date": "2025-06-03"})
    assert levels.chart == str(tmp_path / "levels-SPY-day-2025-06-03.png")
    assert (tmp_path / "levels-SPY-day-2025-06-03.png").read_bytes()[:4] == b"\x89PNG"
    bt = run_tool(ctx, "backtest_strategy", {"strategy": "golden gate bull", "start": "2025-12-01"})
    assert bt.chart is not None and bt.chart.endswith(".png")
    assert run_tool(ToolContext(source=source), "atr_levels", {"symbol": "SPY"}).chart is None
