"""The main job on the embedded default: a briefing for every symbol in the data directory."""

from __future__ import annotations

from assistant.render import render_result
from tools import TOOLS, ToolContext, run_tool
from tools.market import daily_bars

SECTIONS: tuple[tuple[str, dict[str, str]], ...] = (
    ("atr_levels", {}),
    ("indicator_state", {}),
    ("price_context", {"date": "last"}),
    ("golden_gate_stats", {"direction": "both"}),
)


def briefing(ctx: ToolContext) -> str:
    """Return the text briefing: levels, indicator state, price context and golden-gate stats."""
    parts = []
    for symbol in ctx.source.symbols():
        parts.append(f"=== {symbol} ===")
        last_session = daily_bars(ctx.source, symbol).index[-1].date().isoformat()
        for name, extra in SECTIONS:
            if name not in TOOLS:
                continue
            args = {"symbol": symbol, **extra}
            if args.get("date") == "last":  # where price closed in the newest session
                args["date"] = last_session
            parts.append(render_result(name, run_tool(ctx, name, args)))
        parts.append("")
    return "\n\n".join(parts).rstrip() + "\n"
