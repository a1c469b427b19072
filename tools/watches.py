"""Tools: watch a strategy live (paper trades only), manage watches, read the paper journal.

A watch takes a snapshot of the strategy's spec and runs it on the live engine's completed bars
with the backtester's own code (``integrations.alerts.strategywatch``); entries and exits are
posted to the channel the watch was asked from. Nothing places real orders.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, Field

from core.bars import EASTERN
from core.errors import InvalidArgumentError, WhisprError
from core.sources import load_bars
from tools.alerts import NoArgs, apply_action, resolve_destination
from tools.base import ToolContext, tool
from tools.charts import chart_theme, equity_chart
from tools.market import normalize_symbol, save_chart
from tools.ports import WatchLine, WatchStore
from tools.strategies import find_strategy


def _store(ctx: ToolContext) -> WatchStore:
    store: WatchStore | None = ctx.services.get("watches")
    if store is None:
        raise WhisprError("strategy watches are not available here (no watch store configured)")
    return store


class WatchInfo(BaseModel):
    """One watch as the user sees it."""

    id: str
    strategy: str
    version: int
    symbol: str
    bar: str
    destination: str
    started: str | None = Field(description="When the live engine first ran it (ET), if yet.")
    paused: bool


class WatchesResult(BaseModel):
    """The outcome of a watch action, with the user's watches after it."""

    message: str
    watches: list[WatchInfo]


def _info(w: WatchLine) -> WatchInfo:
    return WatchInfo(
        id=w.watch_id,
        strategy=w.spec.name,
        version=w.spec.version,
        symbol=w.symbol,
        bar=w.spec.bar,
        destination=w.destination,
        started=w.start or None,
        paused=w.paused,
    )


def _lines(ctx: ToolContext) -> list[WatchInfo]:
    return [_info(w) for w in _store(ctx).watches(ctx.user_id)]


class WatchArgs(BaseModel):
    """Arguments of ``watch_strategy``."""

    strategy: str = Field(description="Strategy name or id, e.g. 'Golden gate bull'.")
    symbol: str | None = Field(default=None, description="Watch on this symbol instead.")
    destination: str | None = Field(
        default=None, description="Where to post ('#channel'); default: where it was asked."
    )


@tool("watch_strategy", WatchArgs, WatchesResult)
def watch_strategy(ctx: ToolContext, args: WatchArgs) -> WatchesResult:
    """Watch a strategy live on a symbol: each completed bar runs the saved spec with the
    backtester's rules and posts paper entries and exits (level, time, R) to the channel; no
    real orders. Returns the user's watches."""
    spec = find_strategy(ctx, args.strategy)
    symbol = normalize_symbol(ctx.source, args.symbol or spec.symbol)
    load_bars(ctx.source, symbol, spec.bar)  # raises, naming what exists, when it cannot run
    spec = spec.model_copy(update={"symbol": symbol})
    destination = resolve_destination(ctx, args.destination)
    watch_id = f"w{uuid.uuid4().hex[:8]}"
    _store(ctx).add(watch_id, ctx.user_id, destination, symbol, spec)
    return WatchesResult(
        message=f"Watch {watch_id}: {spec.name} (v{spec.version}, {spec.bar} bars) on {symbol}; "
        f"paper entries and exits go to {destination} as its bars complete. Paper trades only: "
        "nothing is sent to a broker.",
        watches=_lines(ctx),
    )


@tool("list_watches", NoArgs, WatchesResult)
def list_watches(ctx: ToolContext, args: NoArgs) -> WatchesResult:
    """List the user's strategy watches."""
    lines = _lines(ctx)
    return WatchesResult(
        message="Your strategy watches:" if lines else "You are not watching any strategy.",
        watches=lines,
    )


class WatchRef(BaseModel):
    """Which watch (its id, or a strategy name and/or symbol matching exactly one) and what to
    do with it."""

    watch_id: str | None = Field(default=None, description="The watch's id, e.g. 'w1a2b3c4'.")
    strategy: str | None = Field(default=None, description="Pick the watch by strategy name.")
    symbol: str | None = Field(default=None, description="Pick the watch by symbol.")
    action: Literal["pause", "resume", "delete"]


def _pick(ctx: ToolContext, ref: WatchRef) -> WatchInfo:
    """Return the one watch ``ref`` names; raise naming the candidates."""
    lines = _lines(ctx)
    if ref.watch_id:
        hits = [w for w in lines if w.id == ref.watch_id]
    else:
        name = find_strategy(ctx, ref.strategy).name if ref.strategy else None
        sym = normalize_symbol(ctx.source, ref.symbol) if ref.symbol else None
        hits = [w for w in lines if name in (None, w.strategy) and sym in (None, w.symbol)]
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise InvalidArgumentError("you have no such watch; ask for 'my watches' to see them")
    listed = "; ".join(f"{w.id} ({w.strategy} on {w.symbol})" for w in hits)
    raise InvalidArgumentError(f"{len(hits)} watches match: {listed}. Which one?")


@tool("change_watch", WatchRef, WatchesResult)
def change_watch(ctx: ToolContext, args: WatchRef) -> WatchesResult:
    """Pause, resume or delete one of the user's strategy watches (its paper journal stays);
    returns the watches after the change."""
    watch = _pick(ctx, args)
    done = apply_action(_store(ctx), ctx.user_id, watch.id, args.action, "watch")
    return WatchesResult(
        message=f"Watch {watch.id} ({watch.strategy} on {watch.symbol}) {done}.",
        watches=_lines(ctx),
    )


class JournalArgs(BaseModel):
    """Arguments of ``paper_journal``."""

    watch_id: str | None = Field(default=None, description="Only this watch's trades.")
    symbol: str | None = Field(default=None, description="Only trades on this symbol.")


class JournalResult(BaseModel):
    """The paper journal: trades (open ones have no exit) and totals over the closed ones."""

    trades: list[dict[str, Any]]
    closed: int
    open: int
    wins: int
    win_rate: float | None = Field(description="Winning closed trades / closed trades, in %.")
    total_pnl: float = Field(description="Sum of closed trades' P&L (account currency).")
    average_r: float | None
    message: str
    chart: str | None = Field(
        default=None,
        description="PNG of the closed trades' equity (from 100,000, the backtester's capital) "
        "and drawdown, if saved.",
    )


@tool("paper_journal", JournalArgs, JournalResult)
def paper_journal(ctx: ToolContext, args: JournalArgs) -> JournalResult:
    """Return the user's paper trades from strategy watches, with the win rate, total P&L and
    average R of the closed ones (P&L rounded to the cent, R and % to two decimals)."""
    trades = _store(ctx).journal(ctx.user_id, args.watch_id)
    if args.symbol:
        sym = normalize_symbol(ctx.source, args.symbol)
        trades = [t for t in trades if t["symbol"] == sym]
    closed = [t for t in trades if t["exit_time"] is not None]
    wins = sum(1 for t in closed if t["pnl"] > 0)
    rs = [t["r_multiple"] for t in closed if t["r_multiple"] is not None]
    total = round(sum(t["pnl"] for t in closed), 2)
    rate = round(100.0 * wins / len(closed), 2) if closed else None
    avg_r = round(sum(rs) / len(rs), 2) if rs else None
    if not trades:
        message = "No paper trades yet: a watch posts them as its strategy trades live."
    else:
        message = (
            f"{len(closed)} closed paper trades ({wins} wins"
            + (f", {rate:.2f}%" if rate is not None else "")
            + f"), total P&L {total:+,.2f}"
            + (f", average {avg_r:+.2f} R" if avg_r is not None else "")
            + f"; {len(trades) - len(closed)} open."
        )
    return JournalResult(
        chart=_journal_chart(ctx, closed, args),
        trades=trades,
        closed=len(closed),
        open=len(trades) - len(closed),
        wins=wins,
        win_rate=rate,
        total_pnl=total,
        average_r=avg_r,
        message=message,
    )


JOURNAL_CAPITAL = 100_000.0
"""The equity the journal chart starts from: the backtester's capital, which sizes watches."""


def _journal_chart(ctx: ToolContext, closed: list[dict[str, Any]], args: JournalArgs) -> str | None:
    """Save the equity of the closed paper trades (by exit time, US/Eastern) above its drawdown;
    return the PNG's path, or None without closed trades or a charts folder."""
    if not closed or ctx.services.get("charts_dir") is None:
        return None
    exits = pd.to_datetime([t["exit_time"] for t in closed], utc=True).tz_convert(EASTERN)
    pnl = pd.Series([float(t["pnl"]) for t in closed], index=exits).sort_index()
    equity = JOURNAL_CAPITAL + pnl.cumsum()
    theme = chart_theme(ctx.services.get("chart_theme"))
    scope = "-".join(v for v in (args.symbol and args.symbol.upper(), args.watch_id) if v)
    name = "paper-journal" + (f"-{scope}" if scope else "") + ("-dark" if theme == "dark" else "")
    title = "Paper journal" + (f" ({scope})" if scope else "") + ": equity from closed trades"
    return save_chart(ctx, name, equity_chart(equity, title, theme))
