"""Tool: the ATR levels in force for a symbol, mode and session."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator

from core.bars import resample
from core.calendar import is_session, next_session
from core.errors import DataError
from core.levels import (
    LevelSet,
    compute_levels,
    current_period_start,
    mode,
    parse_level_key,
    round_price,
)
from core.ribbon import trend_label
from core.sources import load_bars
from core.ta import ema
from tools.base import SessionDate, ToolContext, tool
from tools.charts import chart_theme, levels_chart
from tools.market import (
    daily_bars,
    day_start,
    normalize_symbol,
    resolve_session,
    save_chart,
    session_days,
    through_day,
)

LEVEL_NAMES = {
    "0": "previous close",
    "+0.236": "call trigger",
    "-0.236": "put trigger",
    "+0.382": "bullish golden gate",
    "-0.382": "bearish golden gate",
    "+0.618": "bullish midrange (golden gate completion)",
    "-0.618": "bearish midrange (golden gate completion)",
    "+1": "+1 ATR",
    "-1": "-1 ATR",
    "+2": "+2 ATR",
    "-2": "-2 ATR",
    "+3": "+3 ATR",
    "-3": "-3 ATR",
}


class AtrLevelsArgs(BaseModel):
    """Arguments of ``atr_levels``."""

    symbol: str = Field(description="Ticker, e.g. SPY or SPX.")
    mode: str = Field(
        default="day",
        description="Levels mode: scalp (4h), day (daily, default), multiday (weekly), "
        "swing (monthly), position (quarterly), longterm (yearly).",
    )
    date: SessionDate | None = Field(
        default=None,
        description="Session date (YYYY-MM-DD) the levels apply to; omit for the next session "
        "after the latest data.",
    )
    level: str | None = Field(
        default=None,
        description="One level only, as an ATR fraction key: '+0.236' call trigger, "
        "'-0.236' put trigger, '+0.382'/'-0.382' golden gate, '+0.618', '+1', '+1.236' ... '+3', "
        "'0' previous close. Omit for all levels.",
    )
    levels: list[str] | None = Field(
        default=None,
        description="Several levels at once (e.g. both triggers ['+0.236', '-0.236'], or "
        "['+1', '-1']); omit for one level or all.",
    )
    use_current_close: bool = Field(
        default=False, description="Anchor on the live close of the current period (levels move)."
    )
    chart: bool = Field(
        default=False,
        description="Also draw the levels on the session's bars as a PNG; only when the user "
        "asks for a chart, plot or picture (drawing costs ~0.3 s).",
    )

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        return mode(value).name

    @field_validator("level")
    @classmethod
    def _known_level(cls, value: str | None) -> str | None:
        return None if value is None else parse_level_key(value)

    @field_validator("levels")
    @classmethod
    def _known_levels(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else [parse_level_key(v) for v in value]


class AtrLevelsResult(BaseModel):
    """ATR levels for one symbol, mode and period; prices rounded to the cent for display."""

    symbol: str
    mode: str
    date: dt.date = Field(description="The session the levels apply to.")
    period_start: dt.date = Field(description="First day of the mode's current period.")
    previous_close: float
    previous_close_date: dt.date = Field(
        description="The session whose close anchors the levels (the previous period's last)."
    )
    atr: float = Field(description="ATR(14) of the mode's period bars, rounded to 2 decimals.")
    atr_pct: float = Field(
        default=0.0, description="ATR as a percent of the previous close, rounded to 2 decimals."
    )
    levels: dict[str, float] = Field(description="All 37 levels keyed by ATR fraction, ascending.")
    level: str | None = None
    level_name: str | None = None
    level_value: float | None = None
    asked: dict[str, float] = Field(
        default_factory=dict, description="The levels asked for by key (several-level requests)."
    )
    requested_date: dt.date | None = Field(
        default=None, description="The date asked when it was not a session (weekend, holiday)."
    )
    period_label: str = Field(default="", description="The period the levels are for, in words.")
    trend: str = Field(description="bullish / bearish / neutral from close vs EMA 8/21/34.")
    trend_timeframe: str
    trend_basis: str = "close vs EMA 8/21/34"
    range: float | None = Field(
        description="High - low of the current period so far; None pre-market."
    )
    range_pct: int | None = None
    range_label: str
    calls_label: str
    puts_label: str
    data_through: dt.date = Field(description="Last session in the data used.")
    chart: str | None = Field(default=None, description="PNG of price with the levels, if saved.")


def _trend(
    ctx: ToolContext, sym: str, tf: str, asof_end: pd.Timestamp, daily: pd.DataFrame
) -> tuple[str, str]:
    """Return (label, bar size) of the EMA 8/21/34 trend on ``tf``, falling back to daily bars."""
    candidates = [tf, "1d"] if tf != "1d" else ["1d"]
    for name in candidates:
        try:
            bars = daily if name == "1d" else load_bars(ctx.source, sym, name)
        except DataError:
            continue
        bars = bars.iloc[: int(bars.index.searchsorted(asof_end, side="left"))]
        recent = bars.index[-1] >= asof_end - pd.Timedelta(days=5) if len(bars) else False
        if len(bars) < 34 or not recent:
            continue
        close = bars["close"].to_numpy()
        label = trend_label(close[-1], ema(close, 8)[-1], ema(close, 21)[-1], ema(close, 34)[-1])
        return str(label), name
    return "unknown", tf


def _labels(ls: LevelSet, label: str) -> tuple[str, str, str]:
    up, down = ls.levels[f"+{ls.trigger_percentage:g}"], ls.levels[f"-{ls.trigger_percentage:g}"]
    calls = f"Calls > ${round_price(up):.2f} | +1 ATR: ${round_price(ls.levels['+1']):.2f}"
    puts = f"Puts < ${round_price(down):.2f} | -1 ATR: ${round_price(ls.levels['-1']):.2f}"
    if ls.range is None:
        return f"{label} Range N/A Pre-Market | ATR (${ls.atr:.2f})", calls, puts
    text = f"{label} Range (${round_price(ls.range):.2f}) is {ls.range_pct}% of ATR (${ls.atr:.2f})"
    return text, calls, puts


def levels_for_session(
    ctx: ToolContext,
    symbol: str,
    mode_name: str = "day",
    day: dt.date | None = None,
    use_current_close: bool = False,
) -> tuple[str, dt.date, LevelSet, pd.DataFrame]:
    """Return (symbol, session date, LevelSet, daily bars) with no look-ahead past that session."""
    sym = normalize_symbol(ctx.source, symbol)
    m = mode(mode_name)
    daily = daily_bars(ctx.source, sym)
    if day is not None and m.name in ("day", "scalp"):
        day = next_data_session(daily, day)
    session, _ = resolve_session(
        daily, sym, day, today=ctx.today, strict=m.name in ("day", "scalp")
    )
    if m.name == "scalp":
        bars = load_bars(ctx.source, sym, "4h")
        start = current_period_start(day_start(session), m)
        period_bars = bars.iloc[: int(bars.index.searchsorted(start, side="right"))]
    else:
        known = through_day(daily, session)
        period_bars = known if m.timeframe == "1d" else resample(known, m.timeframe, "1d")
        start = current_period_start(day_start(session), m)
    ls = compute_levels(period_bars, start, m, use_current_close=use_current_close)
    return sym, session, ls, daily


def close_date(ls: LevelSet, mode_name: str, daily: pd.DataFrame) -> dt.date:
    """Return the date of the bar whose close is the previous close: the previous session for
    Day and Scalp, the last session before the period began for weekly and longer modes (not
    the previous period's first day)."""
    if mode_name in ("day", "scalp"):
        return ls.previous_period_start.date()
    before = daily.index[daily.index < ls.period_start]
    return before[-1].date() if len(before) else ls.previous_period_start.date()


def next_data_session(daily: pd.DataFrame, day: dt.date) -> dt.date:
    """Return ``day`` when the data has a session then, else the next session: levels asked for a
    weekend, a holiday or an unscheduled closure (2018-12-05, 2025-01-09) are the next session's,
    whose previous close and ATR are already known. Inside the data the sessions it holds decide
    (the rule calendar is wrong on some historical days); past its end the NYSE rules do."""
    days = session_days(daily)
    if days.size == 0 or day < days[0].astype(object):
        return day
    if day <= days[-1].astype(object):
        pos = int(np.searchsorted(days, np.datetime64(day, "D")))
        found: dt.date = days[pos].astype(object)
        return found
    return day if is_session(day) else next_session(day)


def period_label(mode_name: str, start: dt.date) -> str:
    """Return the period a mode's levels are for, in words ("week of 2024-03-04", "Aug 2018")."""
    if mode_name == "multiday":
        return f"week of {start:%Y-%m-%d}"
    if mode_name == "swing":
        return f"{start:%b %Y}"
    if mode_name == "position":
        return f"Q{(start.month - 1) // 3 + 1} {start.year}"
    if mode_name == "longterm":
        return f"{start.year}"
    return ""


@tool("atr_levels", AtrLevelsArgs, AtrLevelsResult, memo=True)
def atr_levels(ctx: ToolContext, args: AtrLevelsArgs) -> AtrLevelsResult:
    """Get Saty ATR levels (previous close ± fractions of ATR) for a symbol, mode and session.

    Use for questions like "SPY day levels", "SPX put trigger tomorrow", "weekly golden gate".
    Returns every level, or one when ``level`` is given, plus range-vs-ATR and the EMA trend.
    """
    sym, session, ls, daily = levels_for_session(
        ctx, args.symbol, args.mode, args.date, args.use_current_close
    )
    m = mode(args.mode)
    asof_end = day_start(session + dt.timedelta(days=1))
    trend, trend_tf = _trend(ctx, sym, m.trend_timeframe, asof_end, daily)
    range_label, calls, puts = _labels(ls, m.label)
    levels = {k: round_price(v) for k, v in ls.levels.items()}
    asked = {k: levels[k] for k in args.levels or []}
    moved = args.date if args.date is not None and args.date != session else None
    data_through = through_day(daily, session).index[-1].date()
    chart = _chart(ctx, sym, session, m.name, ls.levels, daily) if args.chart else None
    return AtrLevelsResult(
        symbol=sym,
        mode=m.name,
        date=session,
        period_start=ls.period_start.date(),
        previous_close=ls.previous_close,
        previous_close_date=close_date(ls, m.name, daily),
        atr=ls.atr,
        atr_pct=round(ls.atr / ls.previous_close * 100, 2) if ls.previous_close else 0.0,
        levels=levels,
        level=args.level,
        level_name=LEVEL_NAMES.get(args.level or "", args.level) if args.level else None,
        level_value=levels[args.level] if args.level else None,
        asked=asked,
        requested_date=moved,
        period_label=period_label(m.name, ls.period_start.date()),
        trend=trend,
        trend_timeframe=trend_tf,
        range=None if ls.range is None else round_price(ls.range),
        range_pct=ls.range_pct,
        range_label=range_label,
        calls_label=calls,
        puts_label=puts,
        data_through=data_through,
        chart=chart,
    )


def _chart(
    ctx: ToolContext,
    sym: str,
    session: dt.date,
    mode_name: str,
    levels: dict[str, float],
    daily: pd.DataFrame,
) -> str | None:
    """Save a PNG of the session's intraday bars (or the last 60 days) with the levels."""
    if ctx.services.get("charts_dir") is None:
        return None
    try:
        intraday = load_bars(ctx.source, sym, "5m")
        day = f"{session:%Y-%m-%d}"
        bars = intraday.loc[day:day] if len(intraday) else intraday
    except (DataError, KeyError):
        bars = daily.iloc[:0]
    if not len(bars):
        bars = through_day(daily, session).iloc[-60:]
    theme = chart_theme(ctx.services.get("chart_theme"))
    name = f"levels-{sym}-{mode_name}-{session}" + ("-dark" if theme == "dark" else "")
    settled = session < daily.index[-1].date()  # a later session exists: these bars are final
    existing = Path(ctx.services["charts_dir"]) / f"{name}.png"
    if settled and existing.is_file():
        return str(existing)
    png = levels_chart(bars, levels, f"{sym} {mode_name} levels for {session}", theme)
    return save_chart(ctx, name, png)
