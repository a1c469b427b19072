"""Tool: where price sits now relative to the session's ATR levels, and the golden-gate status."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
from pydantic import BaseModel, Field, field_validator

from core.bars import bar_index, timeframe
from core.levels import mode, nearest_levels, round_price, zone
from core.sources import load_bars
from tools.base import SessionDate, ToolContext, tool
from tools.levels import LEVEL_NAMES, levels_for_session


class PriceContextArgs(BaseModel):
    """Arguments of ``price_context``."""

    symbol: str = Field(description="Ticker, e.g. SPY or SPX.")
    date: SessionDate | None = Field(
        default=None, description="Session (YYYY-MM-DD); omit for latest."
    )
    mode: str = Field(default="day", description="Levels mode (day, multiday, swing...).")

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        return mode(value).name


class NamedLevel(BaseModel):
    """A level with its key, friendly name, price and signed distance from the price used."""

    key: str
    name: str
    price: float
    distance: float = Field(description="Level minus price, in points (2 decimals).")


class PriceContextResult(BaseModel):
    """Price relative to the levels of its session."""

    symbol: str
    mode: str
    date: dt.date
    as_of: str = Field(description="Timestamp (ET) of the price used.")
    price: float
    price_source: str
    previous_close: float
    atr: float
    atr_fraction: float = Field(description="(price - previous close) / ATR.")
    zone: str
    nearest_above: list[NamedLevel]
    nearest_below: list[NamedLevel]
    session_high: float | None
    session_low: float | None
    levels_touched: list[str] = Field(description="Level keys inside the session's high-low range.")
    golden_gate_bull: str
    golden_gate_bear: str
    session_close: float | None = Field(
        default=None, description="The official close when the session is finished."
    )
    session_close_atr: float | None = Field(
        default=None, description="(official close - previous close) / ATR."
    )


def _session_bars(ctx: ToolContext, symbol: str, day: dt.date) -> tuple[pd.DataFrame, str]:
    natives = sorted(
        (timeframe(n) for n in ctx.source.native_timeframes(symbol)), key=lambda t: t.rank
    )
    for tf in natives:
        bars = load_bars(ctx.source, symbol, tf.name) if tf.intraday else None
        if bars is None:
            continue
        start = pd.Timestamp(day).tz_localize(bar_index(bars).tz)
        part = bars.loc[start : start + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")]
        if len(part):
            return part, tf.name
    return pd.DataFrame(), ""


def _official_close(daily: pd.DataFrame, day: dt.date) -> float | None:
    """Return the daily file's close of ``day`` when it has that session, else None."""
    if not len(daily):
        return None
    index = bar_index(daily)
    at = int(index.searchsorted(pd.Timestamp(day).tz_localize(index.tz)))
    if at < len(index) and index[at].date() == day:
        return float(daily["close"].iloc[at])
    return None


def gate_status(levels: dict[str, float], open_: float, high: float, low: float, side: str) -> str:
    """Return a golden gate's status from the session's open, high and low so far.

    Bull: opened at/above +0.618 → no gate; opened at/above +0.382 → triggered at the open;
    high ≥ +0.618 → completed; high ≥ +0.382 → triggered; else not triggered. Bear mirrors.
    Completion without an intraday path is sound: reaching +0.618 from below +0.382 passes it.
    """
    sign = 1 if side == "bull" else -1
    trig, done = (
        levels[f"{'+' if sign > 0 else '-'}0.382"],
        levels[f"{'+' if sign > 0 else '-'}0.618"],
    )
    beyond: Callable[[float, float], bool] = (
        (lambda p, lv: p >= lv) if sign > 0 else (lambda p, lv: p <= lv)
    )
    extreme = high if sign > 0 else low
    if beyond(open_, done):
        return "no gate (opened beyond the midrange)"
    opened = " (triggered at the open)" if beyond(open_, trig) else ""
    if beyond(extreme, done):
        return "completed" + opened
    if beyond(extreme, trig):
        return "triggered, not completed" + opened
    return "not triggered"


def _named(items: list[tuple[str, float]], price: float) -> list[NamedLevel]:
    return [
        NamedLevel(
            key=k,
            name=LEVEL_NAMES.get(k, k),
            price=round_price(v),
            distance=round_price(round_price(v) - round_price(price)),
        )
        for k, v in items
    ]


@tool("price_context", PriceContextArgs, PriceContextResult, memo=True)
def price_context(ctx: ToolContext, args: PriceContextArgs) -> PriceContextResult:
    """Show where price is now relative to the ATR levels: zone, nearest levels above and below,
    levels touched this session, and the bullish and bearish golden-gate status.
    """
    sym, session, ls, daily = levels_for_session(ctx, args.symbol, args.mode, args.date)
    bars, bar_name = _session_bars(ctx, sym, session)
    started = bool(len(bars)) or ls.current is not None
    if not started and args.date is None and len(daily):
        # "Now" after the data ends is the last session traded, not the next one (whose only
        # price would be its previous close, +0.000 ATR from itself).
        last = daily.index[-1].date()
        sym, session, ls, daily = levels_for_session(ctx, sym, args.mode, last)
        bars, bar_name = _session_bars(ctx, sym, session)
        started = bool(len(bars)) or ls.current is not None
    closed = _official_close(daily, session)
    if len(bars):
        price, as_of, source = (
            float(bars["close"].iloc[-1]),
            bars.index[-1],
            f"last {bar_name} close",
        )
    elif ls.current is not None:
        price, as_of, source = (
            ls.current["close"],
            ls.period_start,
            "session close"
            if mode(ls.mode).timeframe == "1d"
            else f"{mode(ls.mode).timeframe} close",
        )
    else:
        price, as_of = ls.previous_close, ls.previous_period_start
        source = "previous close (period not started)"
    if ls.mode == "day" and len(bars):  # intraday bars carry the real first trade, not a stale open
        o, h, lo = float(bars["open"].iloc[0]), float(bars["high"].max()), float(bars["low"].min())
    elif ls.current is not None:
        o, h, lo = ls.current["open"], ls.current["high"], ls.current["low"]
    else:
        o = h = lo = price
    levels = ls.levels
    above, below = nearest_levels(levels, price)
    return PriceContextResult(
        symbol=sym,
        mode=ls.mode,
        date=session,
        as_of=as_of.strftime("%Y-%m-%d %H:%M %Z") if len(bars) else as_of.strftime("%Y-%m-%d"),
        price=round_price(price),
        price_source=source,
        previous_close=ls.previous_close,
        atr=ls.atr,
        atr_fraction=round((price - ls.previous_close) / ls.atr, 3),
        zone=zone(price, ls.previous_close, ls.atr),
        nearest_above=_named(above, price),
        nearest_below=_named(below, price),
        session_high=round_price(h) if started else None,
        session_low=round_price(lo) if started else None,
        levels_touched=[k for k, v in levels.items() if lo <= v <= h] if started else [],
        golden_gate_bull=gate_status(levels, o, h, lo, "bull") if started else "period not started",
        golden_gate_bear=gate_status(levels, o, h, lo, "bear") if started else "period not started",
        session_close=round_price(closed) if closed is not None and ls.mode == "day" else None,
        session_close_atr=(
            round((closed - ls.previous_close) / ls.atr, 3)
            if closed is not None and ls.mode == "day"
            else None
        ),
    )
