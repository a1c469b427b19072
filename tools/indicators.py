"""Tool: the state of the pivot ribbon, phase oscillator, trend label and Vomy on a bar size."""

from __future__ import annotations

import datetime as dt

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field, field_validator

from core.bars import timeframe
from core.errors import DateOutOfRangeError
from core.phase import phase_oscillator
from core.ribbon import arrow_guidance, ribbon, trend_label, vomy_signals
from core.sources import load_bars
from core.ta import ema
from tools.base import SessionDate, ToolContext, tool
from tools.market import normalize_symbol, through_day

MIN_BARS = 60


class IndicatorArgs(BaseModel):
    """Arguments of ``indicator_state``."""

    symbol: str = Field(description="Ticker, e.g. SPY or SPX.")
    timeframe: str = Field(
        default="1d",
        description="Bar size: 1m 3m 5m 10m 15m 30m 1h 2h 4h 1d 1w 1mo (hourly = 1h, daily = 1d).",
    )
    date: SessionDate | None = Field(
        default=None,
        description="State as of this session's close (YYYY-MM-DD); omit for the latest bar.",
    )

    @field_validator("timeframe")
    @classmethod
    def _known(cls, value: str) -> str:
        return timeframe(value).name


class IndicatorResult(BaseModel):
    """Indicator state at the last bar up to the requested date."""

    symbol: str
    timeframe: str
    as_of: str = Field(description="Start time (ET) of the bar the state is read on.")
    close: float
    ema: dict[str, float] = Field(description="EMA 8, 13, 21, 48, 200 (200 may be missing).")
    spine: str = Field(description="bullish 8>13>21>48, bearish 8<13<21<48, else mixed.")
    fast_cloud: str
    slow_cloud: str
    conviction: str = Field(description="bullish when EMA13 ≥ EMA48.")
    last_arrow: str | None = Field(description="Direction and time of the latest conviction arrow.")
    bars_since_arrow: int | None
    arrow_guidance: str | None
    trend: str = Field(description="close vs EMA 8/21/34: bullish, bearish or neutral.")
    phase_oscillator: float
    po_zone: str
    compressed: bool
    po_color: str
    po_dots: list[str] = Field(description="PO dots fired on this bar.")
    last_dot: str | None
    vomy: str = Field(description="vomy (8<13<21<48), ivomy (8>13>21>48) or none.")


def _last_event(mask: NDArray[np.bool_] | np.bool_) -> int | None:
    hits = np.flatnonzero(mask)
    return int(hits[-1]) if hits.size else None


@tool("indicator_state", IndicatorArgs, IndicatorResult, memo=True)
def indicator_state(ctx: ToolContext, args: IndicatorArgs) -> IndicatorResult:
    """Get the pivot ribbon (EMA 8/13/21/48/200 clouds, conviction arrow), the phase oscillator
    (value, zone, compression, dots), the trend label and Vomy/iVomy on one bar size.
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    bars = load_bars(ctx.source, sym, args.timeframe)
    if args.date is None and ctx.today is not None and len(bars):
        bars = through_day(bars, ctx.today)  # "now" is today's last bar, never a later one
    if args.date is not None:
        bars = through_day(bars, args.date)
        if not len(bars) or bars.index[-1].date() < args.date - dt.timedelta(days=7):
            raise DateOutOfRangeError(
                f"no {sym} {args.timeframe} bars near {args.date}; they cover "
                f"{load_bars(ctx.source, sym, args.timeframe).index[0].date()} to "
                f"{load_bars(ctx.source, sym, args.timeframe).index[-1].date()}"
            )
    if len(bars) < MIN_BARS:
        raise DateOutOfRangeError(
            f"{sym} has {len(bars)} {args.timeframe} bars up to then; the ribbon needs {MIN_BARS}"
        )
    c, h, lo = (bars[k].to_numpy() for k in ("close", "high", "low"))
    rib, po, vomy = ribbon(c), phase_oscillator(h, lo, c), vomy_signals(c)
    last = len(bars) - 1
    r, p = rib.iloc[last], po.iloc[last]
    arrow_at = _last_event(rib["conviction_arrow"].to_numpy() != 0)
    arrow = guidance = None
    if arrow_at is not None:
        up = rib["conviction_arrow"].iloc[arrow_at] > 0
        arrow = f"{'bullish' if up else 'bearish'} at {bars.index[arrow_at]:%Y-%m-%d %H:%M}"
        a = rib.iloc[arrow_at]
        guidance = arrow_guidance(bool(up), a["ema13"], a["ema48"], a["ema21"])
    dot_cols = [
        "leaving_accumulation",
        "leaving_extreme_down",
        "leaving_distribution",
        "leaving_extreme_up",
    ]
    fired = [d for d in dot_cols if bool(p[d])]
    any_dot = po[dot_cols].to_numpy().any(axis=1)
    dot_at = _last_event(any_dot)
    last_dot = None
    if dot_at is not None:
        names = [d for d in dot_cols if bool(po[d].iloc[dot_at])]
        last_dot = f"{', '.join(names)} at {bars.index[dot_at]:%Y-%m-%d %H:%M}"
    emas = {
        str(n): round(float(r[f"ema{n}"]), 2)
        for n in (8, 13, 21, 48, 200)
        if np.isfinite(r[f"ema{n}"])
    }
    ema34 = float(ema(c, 34)[last])
    state = "vomy" if vomy["vomy"].iloc[last] else "ivomy" if vomy["ivomy"].iloc[last] else "none"
    return IndicatorResult(
        symbol=sym,
        timeframe=args.timeframe,
        as_of=f"{bars.index[last]:%Y-%m-%d %H:%M %Z}",
        close=round(float(c[last]), 2),
        ema=emas,
        spine=str(r["spine"]),
        fast_cloud=str(r["fast_cloud"]),
        slow_cloud=str(r["slow_cloud"]),
        conviction=str(r["conviction"]),
        last_arrow=arrow,
        bars_since_arrow=None if arrow_at is None else last - arrow_at,
        arrow_guidance=guidance,
        trend=str(trend_label(c[last], r["ema8"], r["ema21"], ema34)),
        phase_oscillator=round(float(p["po"]), 2),
        po_zone=str(p["zone"]),
        compressed=bool(p["compressed"]),
        po_color=str(p["color"]),
        po_dots=fired,
        last_dot=last_dot,
        vomy=state,
    )
