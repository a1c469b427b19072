"""Renderers of the user's running objects: strategy watches, the paper journal, scheduled
briefings and an alert's firing history."""

from __future__ import annotations

from typing import Any

from assistant.render import renders, table

JOURNAL_ROWS = 20
"""Trades shown in a chat answer (the newest); the web page and CSV export have them all."""


@renders("watch_strategy")
@renders("list_watches")
@renders("change_watch")
def _watches(r: Any) -> str:
    rows = [
        [
            w.id,
            w.strategy,
            f"v{w.version}",
            w.symbol,
            w.bar,
            w.destination,
            (w.started or "not yet")[:16].replace("T", " "),
            "paused" if w.paused else "",
        ]
        for w in r.watches
    ]
    if not rows:
        return r.message
    header = ["id", "strategy", "ver", "sym", "bar", "to", "started ET", ""]
    return f"{r.message}\n{table(rows, header)}"


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:+,.2f}"


@renders("paper_journal")
def _journal(r: Any) -> str:
    trades = r.trades[-JOURNAL_ROWS:]
    if not trades:
        return r.message
    rows = [
        [
            str(t["entry_time"])[:16].replace("T", " "),
            t["symbol"],
            t["strategy"],
            f"{t['side']} {t['qty']}",
            f"{t['entry_price']:.2f}",
            "" if t["exit_price"] is None else f"{t['exit_price']:.2f}",
            (t["reason"] or "open").replace("_", " "),
            "" if t["r_multiple"] is None else f"{t['r_multiple']:+.2f}",
            _money(t["pnl"]),
        ]
        for t in trades
    ]
    header = ["entry ET", "sym", "strategy", "side", "entry", "exit", "how", "R", "P&L"]
    shown = f" (the last {JOURNAL_ROWS})" if len(r.trades) > JOURNAL_ROWS else ""
    chart = f"\nEquity chart: {r.chart}" if r.chart else ""
    return f"Paper journal{shown}: {r.message}\n{table(rows, header)}{chart}"


@renders("schedule_briefing")
@renders("list_briefings")
@renders("change_briefing")
def _briefings(r: Any) -> str:
    rows = [
        [b.id, b.symbol, b.at, ", ".join(b.modes), b.destination, "paused" if b.paused else ""]
        for b in r.briefings
    ]
    if not rows:
        return r.message
    return f"{r.message}\n{table(rows, ['id', 'sym', 'at ET', 'levels', 'to', ''])}"


@renders("alert_history")
def _alert_history(r: Any) -> str:
    rows = [
        [f.fired_at.replace("T", " "), f"{f.price:.2f}", f"{f.level_price:.2f}",
         "delivered" if f.delivered else "pending"]
        for f in r.firings
    ]  # fmt: skip
    if not rows:
        return r.message
    return f"{r.message}\n{table(rows, ['fired (ET)', 'price', 'level', ''])}"
