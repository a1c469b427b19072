"""Tools: golden-gate completion statistics and level-to-level probabilities from intraday data."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import pandas as pd
from pydantic import BaseModel, Field, field_validator

from core.bars import bar_index, timeframe
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.goldengate import BUCKETS, HOURS, gate_sessions, gate_stats, level_to_level
from core.levels import parse_level_key, session_levels
from core.sources import load_bars
from tools.base import SessionDate, ToolContext, tool
from tools.market import daily_bars, normalize_symbol


def intraday_bars(
    ctx: ToolContext, sym: str, start: dt.date | None, end: dt.date | None
) -> pd.DataFrame:
    """Return the symbol's intraday bars (5-minute where possible) between two dates."""
    natives = [timeframe(n) for n in ctx.source.native_timeframes(sym)]
    intraday = sorted((t for t in natives if t.intraday), key=lambda t: t.rank)
    if not intraday:
        raise DataError(f"{sym} has no intraday data; statistics need 1-minute or 5-minute bars")
    name = "5m" if any(5 % t.minutes == 0 for t in intraday) else intraday[0].name
    bars = load_bars(ctx.source, sym, name)
    tz = bar_index(bars).tz
    lo = pd.Timestamp(start).tz_localize(tz) if start else None
    hi = (
        pd.Timestamp(end + dt.timedelta(days=1)).tz_localize(tz) - pd.Timedelta(1, "ns")
        if end
        else None
    )
    part = bars.loc[lo:hi]
    if not len(part):
        raise DateOutOfRangeError(
            f"no {sym} intraday data between {start or 'the start'} and {end or 'the end'}: "
            f"its intraday bars cover {bars.index[0].date()} to {bars.index[-1].date()}"
        )
    return part


class GateStatsArgs(BaseModel):
    """Arguments of ``golden_gate_stats``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    direction: Literal["bull", "bear", "both"] = Field(
        default="both", description="bull (+38.2 % → +61.8 %), bear, or both."
    )
    trigger_buckets: list[str] | None = Field(
        default=None,
        description="Only triggers in these buckets: open (opened beyond the gate), "
        "09 (09:30-09:59), 10, 11, 12, 13, 14, 15 (ET hour). 'after 1pm' = [13, 14, 15].",
    )
    start: SessionDate | None = Field(default=None, description="First session (YYYY-MM-DD).")
    end: SessionDate | None = Field(default=None, description="Last session (YYYY-MM-DD).")

    @field_validator("trigger_buckets")
    @classmethod
    def _buckets(cls, value: list[str] | None) -> list[str] | None:
        if value is None:
            return None
        out = [v if v == "open" else f"{int(v):02d}" if str(v).isdigit() else v for v in value]
        bad = [v for v in out if v not in BUCKETS]
        if bad:
            raise InvalidArgumentError(
                f"unknown trigger bucket(s) {bad}; accepted: {list(BUCKETS)}"
            )
        return out


class GateRowOut(BaseModel):
    """One trigger bucket."""

    bucket: str
    triggers: int
    completions: int
    completion_pct: float | None
    by_hour: dict[str, int] = Field(description="Completions by the hour they happened.")


class GateSide(BaseModel):
    """Statistics of one direction."""

    direction: str
    triggers: int
    completions: int
    completion_pct: float | None
    failures: int
    excluded_sessions: int = Field(description="Sessions opening beyond the ±61.8 % (no gate).")
    median_minutes_to_complete: float | None
    rows: list[GateRowOut]


class GateStatsResult(BaseModel):
    """Golden-gate completion rates with the sample behind every percentage."""

    symbol: str
    sessions: int
    first_date: str
    last_date: str
    buckets: list[str]
    sides: list[GateSide]


def _pct(num: int, den: int) -> float | None:
    return None if den == 0 else round(100.0 * num / den, 1)


@tool("golden_gate_stats", GateStatsArgs, GateStatsResult)
def golden_gate_stats(ctx: ToolContext, args: GateStatsArgs) -> GateStatsResult:
    """Measure how often golden gates complete the same session (trigger at ±38.2 % of ATR,
    completion at ±61.8 %), by the hour they triggered, from the intraday data.
    Every rate comes with its trigger count, session count and date range.
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    bars = intraday_bars(ctx, sym, args.start, args.end)
    levels = session_levels(daily_bars(ctx.source, sym))
    sides = []
    stats = None
    for direction in ["bull", "bear"] if args.direction == "both" else [args.direction]:
        stats = gate_stats(gate_sessions(bars, levels, direction), direction, args.trigger_buckets)
        rows = [
            GateRowOut(
                bucket=r.bucket,
                triggers=r.triggers,
                completions=r.completions,
                completion_pct=_pct(r.completions, r.triggers),
                by_hour=r.by_hour,
            )
            for r in stats.rows
        ]
        sides.append(
            GateSide(
                direction=direction,
                triggers=stats.triggers,
                completions=stats.completions,
                completion_pct=_pct(stats.completions, stats.triggers),
                failures=stats.failures,
                excluded_sessions=stats.excluded,
                median_minutes_to_complete=stats.median_minutes_to_complete,
                rows=rows,
            )
        )
    assert stats is not None
    return GateStatsResult(
        symbol=sym,
        sessions=stats.sessions,
        first_date=stats.first_date,
        last_date=stats.last_date,
        buckets=stats.buckets,
        sides=sides,
    )


class LevelStatsArgs(BaseModel):
    """Arguments of ``level_to_level``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    from_level: str = Field(description="Level touched first, e.g. '+0.236' (call trigger).")
    to_level: str = Field(description="Level to reach later the same session, e.g. '+1'.")
    start: SessionDate | None = Field(default=None, description="First session (YYYY-MM-DD).")
    end: SessionDate | None = Field(default=None, description="Last session (YYYY-MM-DD).")

    @field_validator("from_level", "to_level")
    @classmethod
    def _level(cls, value: str) -> str:
        return parse_level_key(value)


class LevelStatsResult(BaseModel):
    """Level-to-level odds with the sample behind them."""

    symbol: str
    from_level: str
    to_level: str
    sessions: int
    excluded_sessions: int
    touched: int = Field(description="Sessions that touched the first level.")
    reached: int = Field(description="Of those, sessions that reached the second level.")
    rate_pct: float | None
    by_touch_hour: dict[str, tuple[int, int]] = Field(description="bucket → (touched, reached).")
    first_date: str
    last_date: str


@tool("level_to_level", LevelStatsArgs, LevelStatsResult)
def level_to_level_stats(ctx: ToolContext, args: LevelStatsArgs) -> LevelStatsResult:
    """Measure how often price reached one ATR level after touching another the same session
    (e.g. call trigger → +1 ATR), with counts, date range and the hour of the first touch.
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    bars = intraday_bars(ctx, sym, args.start, args.end)
    result = level_to_level(
        bars, session_levels(daily_bars(ctx.source, sym)), args.from_level, args.to_level
    )
    return LevelStatsResult(
        symbol=sym,
        from_level=result.from_level,
        to_level=result.to_level,
        sessions=result.sessions,
        excluded_sessions=result.excluded,
        touched=result.touched,
        reached=result.reached,
        rate_pct=_pct(result.reached, result.touched),
        by_touch_hour={k: v for k, v in result.by_touch_bucket.items() if v[0]},
        first_date=result.first_date,
        last_date=result.last_date,
    )


__all__ = ["HOURS", "golden_gate_stats", "level_to_level_stats"]
