"""Tools: list, show and backtest strategies (built-in and stored)."""

from __future__ import annotations

import datetime as dt
import difflib
import re

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field

from core.backtest import backtest
from core.bars import bar_index
from core.errors import InvalidArgumentError
from core.sources import load_bars
from core.spec import StrategySpec, describe
from core.stats import metrics
from core.strategies import builtin_strategies
from tools.base import SessionDate, ToolContext, tool
from tools.charts import chart_theme, equity_chart
from tools.market import daily_bars, normalize_symbol, save_chart
from tools.ports import StrategyStore


def _store(ctx: ToolContext) -> StrategyStore | None:
    return ctx.services.get("strategies")


def visible_strategies(ctx: ToolContext) -> list[StrategySpec]:
    """Return the built-ins plus the user's stored strategies (newest versions)."""
    store = _store(ctx)
    return builtin_strategies() + (store.list(ctx.user_id) if store else [])


def find_strategy(ctx: ToolContext, ref: str) -> StrategySpec:
    """Return a strategy by id, exact name, or close name; raise naming the choices."""
    specs = visible_strategies(ctx)
    key = ref.strip().lower()
    for spec in specs:
        if key in (
            spec.spec_id.lower(),
            spec.name.lower(),
            spec.spec_id.lower().removeprefix("builtin-"),
        ):
            return spec
    # another user's shared strategy ("bob/name") is only ever matched by its full name
    loose = [s for s in specs if "/" not in s.name]
    names = {s.name.lower(): s for s in loose}
    contains = [s for s in loose if key in s.name.lower()]
    if len(contains) == 1:
        return contains[0]
    by_words = _best_by_words(key, loose)
    if by_words is not None:
        return by_words
    close = difflib.get_close_matches(key, names, n=1, cutoff=0.6)
    if close:
        return names[close[0]]
    raise InvalidArgumentError(
        f"no strategy {ref!r}; available: {', '.join(s.name for s in specs)}"
    )


_SYNONYMS = {
    "gg": "golden gate", "ctrig": "call trigger", "ptrig": "put trigger", "mid": "midrange",
    "long": "bull", "short": "bear", "bullish": "bull", "bearish": "bear", "calls": "call",
    "puts": "put", "4h": "4-hour", "po": "po", "1h": "hourly", "am": "morning",
}  # fmt: skip
_FILLER = {"the", "one", "strategy", "strat", "setup", "system", "a", "my", "w", "with", "to", "on"}


def _words(text: str) -> set[str]:
    text = re.sub(r"[^a-z0-9 -]", " ", text.lower())
    for short, long_ in _SYNONYMS.items():
        text = re.sub(rf"\b{re.escape(short)}\b", long_, text)
    words = set(text.replace("-", " ").split()) - _FILLER
    if {"call", "trigger"} <= words:
        words.add("bull")
    if {"put", "trigger"} <= words:
        words.add("bear")
    return words


def _best_by_words(key: str, specs: list[StrategySpec]) -> StrategySpec | None:
    """Return the one strategy whose name shares the most words with ``key`` (synonyms such as
    gg → golden gate and long → bull applied), or None on a tie or no shared word."""
    want = _words(key)
    scored = sorted(
        ((len(want & _words(s.name)) - 0.01 * len(_words(s.name) - want), s) for s in specs),
        key=lambda pair: -pair[0],
    )
    if not scored or scored[0][0] < 1 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


def builtin_name(ref: str) -> str | None:
    """Return the built-in strategy a short or loose name means ("gg bear one" → "Golden gate
    bear"), or None when it names none of them unambiguously."""
    specs = builtin_strategies()
    key = ref.strip().lower()
    for spec in specs:
        if key == spec.name.lower():
            return spec.name
    want = _words(key) - {"spx", "spy", "on", "for", "backtest", "run"}
    fits = [spec for spec in specs if want and want <= _words(spec.name)]
    if len(fits) > 1:
        fits = [f for f in fits if len(_words(f.name)) == min(len(_words(x.name)) for x in fits)]
    return fits[0].name if len(fits) == 1 else None


class ListArgs(BaseModel):
    """Arguments of ``list_strategies`` (none)."""


class StrategyLine(BaseModel):
    """One strategy in a list."""

    id: str
    name: str
    version: int
    side: str
    bar: str
    builtin: bool
    summary: str


class ListResult(BaseModel):
    """The strategies the user can see."""

    strategies: list[StrategyLine]


@tool("list_strategies", ListArgs, ListResult)
def list_strategies(ctx: ToolContext, args: ListArgs) -> ListResult:
    """List the strategies available to backtest: built-ins (golden gate, trigger, vomy, PO dot,
    conviction arrow) and the user's own."""
    return ListResult(
        strategies=[
            StrategyLine(
                id=s.spec_id,
                name=s.name,
                version=s.version,
                side=s.side,
                bar=s.bar,
                builtin="builtin" in s.tags,
                summary=s.description or describe(s),
            )
            for s in visible_strategies(ctx)
        ]
    )


class BacktestArgs(BaseModel):
    """Arguments of ``backtest_strategy``."""

    strategy: str = Field(description="Strategy name or id, e.g. 'Golden gate bull'.")
    symbol: str | None = Field(
        default=None, description="Run on this symbol instead of the spec's."
    )
    start: SessionDate | None = Field(default=None, description="First session (YYYY-MM-DD).")
    end: SessionDate | None = Field(default=None, description="Last session (YYYY-MM-DD).")
    spec: StrategySpec | None = Field(
        default=None, description="An unsaved draft to test instead of a stored strategy."
    )


class BacktestResultModel(BaseModel):
    """Backtest metrics and the last trades; money in account currency (capital 100 000)."""

    strategy: str
    version: int
    description: str
    symbol: str
    bar: str
    first_bar: str
    last_bar: str
    bars: int
    metrics: dict[str, object]
    last_trades: list[dict[str, object]]
    chart: str | None = Field(default=None, description="PNG of equity and drawdown, if saved.")
    data_note: str | None = Field(
        default=None,
        description="Set when the data covers less than the period asked (bars start later or "
        "end earlier): what was tested instead.",
    )
    assumptions: str = Field(
        default="signals on bar close, fills at the next open; stops and "
        "targets at their level or the open on a gap; stop first when both "
        "are inside one bar; no costs unless the spec sets them"
    )


@tool("backtest_strategy", BacktestArgs, BacktestResultModel)
def backtest_strategy(ctx: ToolContext, args: BacktestArgs) -> BacktestResultModel:
    """Backtest a strategy on the symbol's data: trades, win rate, average R, expectancy,
    profit factor, max drawdown, Sharpe, exposure, and the last trades."""
    spec = args.spec if args.spec is not None else find_strategy(ctx, args.strategy)
    sym = normalize_symbol(ctx.source, args.symbol or spec.symbol)
    bars = load_bars(ctx.source, sym, spec.bar)
    if args.start or args.end:
        tz = bar_index(bars).tz
        lo = pd.Timestamp(args.start).tz_localize(tz) if args.start else None
        hi = pd.Timestamp(args.end + dt.timedelta(days=1)).tz_localize(tz) if args.end else None
        bars = bars.loc[lo:hi]
        if hi is not None and len(bars) and bars.index[-1] >= hi:
            bars = bars.iloc[:-1]
    if len(bars) < 50:
        raise InvalidArgumentError(
            f"only {len(bars)} {spec.bar} bars of {sym} in that range; a backtest needs at least 50"
        )
    result = backtest(spec, bars, daily_bars(ctx.source, sym))
    m = metrics(result)
    trades = result.trades.tail(5)
    last: list[dict[str, object]] = [
        {
            "entry": f"{entry:%Y-%m-%d %H:%M}",
            "exit": f"{exit_:%Y-%m-%d %H:%M}",
            "entry_price": round(float(entry_price), 2),
            "exit_price": round(float(exit_price), 2),
            "reason": reason,
            "pnl": round(float(pnl), 2),
            "r": None if pd.isna(r) else round(float(r), 2),
        }
        for entry, exit_, entry_price, exit_price, reason, pnl, r in zip(
            trades["entry_time"],
            trades["exit_time"],
            trades["entry_price"].to_numpy(np.float64),
            trades["exit_price"].to_numpy(np.float64),
            trades["reason"],
            trades["pnl"].to_numpy(np.float64),
            trades["r_multiple"].to_numpy(np.float64),
            strict=True,
        )
    ]
    rounded = {
        k: (round(v, 2) if isinstance(v, float) else v)
        for k, v in m.items()
        if k not in ("by_hour", "by_weekday")
    }
    rounded["by_hour"] = {
        h: {k: round(v, 2) for k, v in row.items()} for h, row in m["by_hour"].items()
    }
    theme = chart_theme(ctx.services.get("chart_theme"))
    chart = save_chart(
        ctx,
        f"backtest-{spec.spec_id}-v{spec.version}-{sym}" + ("-dark" if theme == "dark" else ""),
        equity_chart(result.equity, f"{spec.name} on {sym}: equity", theme),
    )
    return BacktestResultModel(
        chart=chart,
        strategy=spec.name,
        version=spec.version,
        description=describe(spec),
        symbol=sym,
        bar=spec.bar,
        first_bar=f"{bars.index[0]:%Y-%m-%d}",
        last_bar=f"{bars.index[-1]:%Y-%m-%d}",
        bars=len(bars),
        metrics=rounded,
        last_trades=last,
        data_note=_coverage_note(args, bars, sym, spec.bar),
    )


def _coverage_note(args: BacktestArgs, bars: pd.DataFrame, symbol: str, bar: str) -> str | None:
    """Return what was tested instead when the bars start more than a week after the start
    asked or end more than a week before the end asked (a weekend or holiday is not a gap)."""
    first, last = bars.index[0].date(), bars.index[-1].date()
    week = dt.timedelta(days=7)
    gaps = []
    if args.start and first - args.start > week:
        gaps.append(f"{symbol} {bar} bars start {first}, not {args.start}")
    if args.end and args.end - last > week:
        gaps.append(f"they end {last}, not {args.end}")
    return "; ".join(gaps) + f": tested {first} to {last} only" if gaps else None


class CompareArgs(BaseModel):
    """Arguments of ``compare_strategies``."""

    strategies: list[str] = Field(min_length=2, description="Two or more strategy names or ids.")
    symbol: str | None = Field(default=None, description="Run all on this symbol.")
    start: SessionDate | None = None
    end: SessionDate | None = None


class CompareResult(BaseModel):
    """Side-by-side backtest metrics, same data for every strategy."""

    rows: list[BacktestResultModel]


@tool("compare_strategies", CompareArgs, CompareResult)
def compare_strategies(ctx: ToolContext, args: CompareArgs) -> CompareResult:
    """Backtest two or more strategies on the same data and compare their metrics side by side."""
    return CompareResult(
        rows=[
            backtest_strategy(
                ctx, BacktestArgs(strategy=ref, symbol=args.symbol, start=args.start, end=args.end)
            )
            for ref in args.strategies
        ]
    )
