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
    args = {"symbol": "SPY", "date": "2025-06-03"}
    assert run_tool(ctx, "atr_levels", args).chart is None  # drawn only when asked for
    levels = run_tool(ctx, "atr_levels", {**args, "chart": True})
    path = tmp_path / "levels-SPY-day-2025-06-03.png"
    assert levels.chart == str(path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    stamp = path.stat().st_mtime_ns
    assert run_tool(ctx, "atr_levels", {**args, "chart": True}).chart == str(path)
    assert path.stat().st_mtime_ns == stamp  # a settled session's chart is drawn once
    bt = run_tool(ctx, "backtest_strategy", {"strategy": "golden gate bull", "start": "2025-12-01"})
    assert bt.chart is not None and bt.chart.endswith(".png")
    no_folder = ToolContext(source=source)
    assert run_tool(no_folder, "atr_levels", {"symbol": "SPY", "chart": True}).chart is None


def test_charts_drawn_on_many_threads_at_once_are_all_valid(source, tmp_path):
    """The web app, Slack and Discord draw on worker threads: no shared pyplot state."""
    from concurrent.futures import ThreadPoolExecutor

    days = ["2025-06-02", "2025-06-03", "2025-06-04", "2025-06-05", "2025-06-06", "2025-06-09"]

    def draw(day: str) -> bytes:
        ctx = ToolContext(source=source, services={"charts_dir": tmp_path / day})
        result = run_tool(ctx, "atr_levels", {"symbol": "SPY", "date": day, "chart": True})
        return (tmp_path / day / f"levels-SPY-day-{day}.png").read_bytes() if result.chart else b""

    with ThreadPoolExecutor(6) as pool:
        pngs = list(pool.map(draw, days))
    assert all(p[:8] == b"\x89PNG\r\n\x1a\n" and len(p) > 10_000 for p in pngs)
    assert len(set(pngs)) == len(days)  # each its own picture, no figure mixed up
