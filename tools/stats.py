"""Tools: golden-gate completion statistics and level-to-level probabilities from intraday data."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator

from core.bars import bar_index, timeframe
from core.conditions import Conditions
from core.counts import data_gaps
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.goldengate import (
    BUCKETS,
    HOURS,
    GateStats,
    LevelToLevel,
    gate_sessions,
    gate_stats,
    level_to_level,
)
from core.levels import parse_level_key, session_levels
from core.sources import load_bars
from tools.base import SessionDate, ToolContext, tool
from tools.market import daily_bars, normalize_symbol


def intraday_history(ctx: ToolContext, sym: str) -> pd.DataFrame:
    """Return all the symbol's intraday bars (5-minute where possible)."""
    natives = [timeframe(n) for n in ctx.source.native_timeframes(sym)]
    intraday = sorted((t for t in natives if t.intraday), key=lambda t: t.rank)
    if not intraday:
        raise DataError(f"{sym} has no intraday data; statistics need 1-minute or 5-minute bars")
    name = "5m" if any(5 % t.minutes == 0 for t in intraday) else intraday[0].name
    return load_bars(ctx.source, sym, name)


def intraday_bars(
    ctx: ToolContext, sym: str, start: dt.date | None, end: dt.date | None
) -> pd.DataFrame:
    """Return the symbol's intraday bars (5-minute where possible) between two dates."""
    bars = intraday_history(ctx, sym)
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


Weekday = Literal["mon", "tue", "wed", "thu", "fri"]
OpenLocation = Literal[
    "below_put_trigger",
    "inside_triggers",
    "above_call_trigger",
    "beyond_midrange_up",
    "beyond_midrange_down",
    "above_previous_close",
    "below_previous_close",
]
RibbonState = Literal["bullish", "bearish", "mixed"]
PoZone = Literal[
    "extended_up",
    "distribution",
    "mark_up",
    "launch_box",
    "mark_down",
    "accumulation",
    "extended_down",
]
Weekdays = Annotated[
    list[Weekday] | None,
    Field(description="Only sessions on these weekdays, e.g. ['fri'] or ['mon', 'tue', 'wed']."),
]
OpenAt = Annotated[
    OpenLocation | None,
    Field(
        description="Only sessions whose open was: below_put_trigger (at or below -0.236), "
        "inside_triggers, above_call_trigger (at or above +0.236), beyond_midrange_up (gap to "
        "+0.618 or beyond), beyond_midrange_down, above_previous_close, below_previous_close."
    ),
]
Ribbon = Annotated[
    RibbonState | None,
    Field(
        description="Only triggers when the pivot ribbon was bullish (8>13>21>48), bearish "
        "(8<13<21<48) or mixed, on the last indicator_timeframe bar closed before the trigger."
    ),
]
Zone = Annotated[
    PoZone | None,
    Field(
        description="Only triggers when the phase oscillator was in this zone, on the last "
        "indicator_timeframe bar closed before the trigger."
    ),
]
IndicatorTimeframe = Annotated[
    Literal["5m", "1h"],
    Field(description="Bar size the ribbon and po_zone conditions are read on."),
]


def _conditions(
    weekdays: list[Weekday] | None,
    open_location: OpenLocation | None,
    ribbon: RibbonState | None,
    po_zone: PoZone | None,
    indicator_timeframe: str,
) -> Conditions | None:
    where = Conditions(
        weekdays=tuple(weekdays or ()),
        open_location=open_location,
        ribbon=ribbon,
        po_zone=po_zone,
        timeframe=indicator_timeframe,
    )
    return None if where.empty else where


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
    weekdays: Weekdays = None
    open_location: OpenAt = None
    ribbon: Ribbon = None
    po_zone: Zone = None
    indicator_timeframe: IndicatorTimeframe = "5m"
    open_beyond: Literal["excluded", "open_completions"] = Field(
        default="excluded",
        description="Sessions that opened at or beyond ±61.8 % (already past the completion): "
        "excluded (no gate, left out; default) or open_completions (counted in the 'open' "
        "bucket as triggered and completed at 09:30, as the spec's 10-year table appears to).",
    )

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
    failures: int = Field(description="Triggers that fell back through the trigger first.")
    failed_then_completed: int = Field(
        default=0, description="Of the failures, those that still completed later that session."
    )
    failed_not_completed: int = Field(
        default=0, description="Triggers that fell back through the trigger and never completed."
    )
    neither: int = Field(
        default=0,
        description="Triggers that neither completed nor fell back by the close; completions + "
        "failed_not_completed + neither = triggers.",
    )
    excluded_sessions: int = Field(
        description="Sessions opening beyond the ±61.8 % (no gate unless open_beyond is "
        "open_completions, which counts them in the open bucket; see open_beyond_treatment)."
    )
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
    conditions: list[str] = Field(
        default_factory=list, description="Every condition applied, in words; empty = none."
    )
    sessions_scanned: int = Field(
        description="Sessions in the date range before the conditions; `sessions` counts those "
        "meeting the weekday/open conditions, each side's triggers those meeting all of them."
    )
    open_beyond: Literal["excluded", "open_completions"] = "excluded"
    open_beyond_treatment: str = Field(
        default="", description="How the sessions that opened beyond ±61.8 % were counted."
    )
    gaps: list[tuple[str, str]] = Field(
        default_factory=list,
        description="Date runs (from, to) with no data between the sessions scanned (more than "
        "5 weekdays without a session).",
    )


def _pct(num: int, den: int) -> float | None:
    return None if den == 0 else round(100.0 * num / den, 1)


def _gaps(dates: object) -> list[tuple[str, str]]:
    """Return the data gaps between consecutive sessions of ``dates`` (``core.counts``)."""
    days = np.unique(pd.to_datetime(pd.Series(dates)).to_numpy().astype("datetime64[D]"))
    if not days.size:
        return []
    return [(str(a), str(b)) for a, b in data_gaps(days, days[0], days[-1])]


def _treatment(stats: list[GateStats]) -> str:
    counts = ", ".join(f"{st.excluded} {st.direction}" for st in stats)
    what = f"Sessions that opened at or beyond the midrange (±61.8 %: {counts})"
    if stats[0].open_beyond == "excluded":
        return f"{what} were excluded: no gate, not counted as triggers."
    hidden = "" if "open" in stats[0].buckets else " (the open row is not among those shown)"
    return f"{what} were counted in the open bucket as triggered and completed at 09:30{hidden}."


def _sides(stats: list[GateStats]) -> list[GateSide]:
    return [
        GateSide(
            direction=st.direction,
            triggers=st.triggers,
            completions=st.completions,
            completion_pct=_pct(st.completions, st.triggers),
            failures=st.failures,
            failed_then_completed=st.recoveries,
            failed_not_completed=st.failures - st.recoveries,
            neither=st.triggers - st.completions - (st.failures - st.recoveries),
            excluded_sessions=st.excluded,
            median_minutes_to_complete=st.median_minutes_to_complete,
            rows=[
                GateRowOut(
                    bucket=r.bucket,
                    triggers=r.triggers,
                    completions=r.completions,
                    completion_pct=_pct(r.completions, r.triggers),
                    by_hour=r.by_hour,
                )
                for r in st.rows
            ],
        )
        for st in stats
    ]


def _no_sample(
    sym: str, detail: pd.DataFrame, words: list[str], what: str, why: str = ""
) -> DataError:
    dates = pd.to_datetime(detail["date"])
    return DataError(
        f"{what} the conditions ({'; '.join(words)}){why}: {len(dates)} {sym} sessions scanned, "
        f"{dates.min():%Y-%m-%d} to {dates.max():%Y-%m-%d}. There are no odds to give; drop a "
        "condition or widen the dates."
    )


@tool("golden_gate_stats", GateStatsArgs, GateStatsResult, memo=True)
def golden_gate_stats(ctx: ToolContext, args: GateStatsArgs) -> GateStatsResult:
    """Measure how often golden gates complete the same session (trigger at ±38.2 % of ATR,
    completion at ±61.8 %), by the hour they triggered, from the intraday data.
    Optional conditions: weekdays, where the session opened, the pivot ribbon and the phase
    oscillator zone when the gate triggered (on the last 5m/1h bar closed before the trigger).
    Every rate comes with its trigger count, session count, date range, data gaps and
    conditions, and says how sessions opening beyond ±61.8 % were treated (excluded by default,
    or counted as open-bucket completions).
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    where = _conditions(
        args.weekdays, args.open_location, args.ribbon, args.po_zone, args.indicator_timeframe
    )
    bars = intraday_bars(ctx, sym, args.start, args.end)
    history = intraday_history(ctx, sym) if where is not None and where.at_trigger else None
    levels = session_levels(daily_bars(ctx.source, sym))
    directions = ["bull", "bear"] if args.direction == "both" else [args.direction]
    details = [
        gate_sessions(bars, levels, d, where=where, indicator_bars=history) for d in directions
    ]
    stats = [
        gate_stats(x, d, args.trigger_buckets, open_beyond=args.open_beyond)
        for x, d in zip(details, directions, strict=True)
    ]
    words = where.describe() if where is not None else []
    if where is not None and stats[0].sessions == 0:
        raise _no_sample(sym, details[0], words, f"No {sym} session meets")
    if where is not None and not any(st.triggers for st in stats):
        what = f"No {' or '.join(directions)} golden-gate trigger"
        if args.trigger_buckets:
            what += f" in buckets {', '.join(stats[0].buckets)}"
        why = (
            f", as all {stats[0].sessions} sessions meeting them opened beyond the midrange "
            "(no gate that way)"
            if all(st.excluded == st.sessions for st in stats)
            else ""
        )
        raise _no_sample(sym, details[0], words, f"{what} meets", why)
    last = stats[-1]
    return GateStatsResult(
        symbol=sym,
        sessions=last.sessions,
        first_date=last.first_date,
        last_date=last.last_date,
        buckets=last.buckets,
        sides=_sides(stats),
        conditions=words,
        sessions_scanned=len(details[-1]),
        open_beyond=args.open_beyond,
        open_beyond_treatment=_treatment(stats),
        gaps=_gaps(details[-1]["date"]),
    )


Reading = Literal["every_session", "touched_first"]


class LevelStatsArgs(BaseModel):
    """Arguments of ``level_to_level``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    from_level: str = Field(description="Level touched first, e.g. '+0.236' (call trigger).")
    to_level: str = Field(description="Level to reach later the same session, e.g. '+1'.")
    start: SessionDate | None = Field(default=None, description="First session (YYYY-MM-DD).")
    end: SessionDate | None = Field(default=None, description="Last session (YYYY-MM-DD).")
    weekdays: Weekdays = None
    open_location: OpenAt = None
    ribbon: Ribbon = None
    po_zone: Zone = None
    indicator_timeframe: IndicatorTimeframe = "5m"
    reading: Reading = Field(
        default="every_session",
        description="Only for from_level '0' (the previous close): every_session (default) = "
        "the share of all sessions whose price reached to_level at any time that session, as "
        "the spec's '0 → +1 ATR ≈ 14 %' counts; touched_first = of the sessions that traded "
        "through the previous close, the share that then reached to_level. For any other "
        "from_level the only reading is touched_first (touch it, then reach to_level) and this "
        "argument is ignored.",
    )

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
    touched: int = Field(
        description="Sessions that touched the first level (the touched-first denominator)."
    )
    reached: int = Field(
        description="Sessions counted as reaching the second level in the reading used: of "
        "`out_of` sessions (`rate_pct` = reached / out_of)."
    )
    rate_pct: float | None
    by_touch_hour: dict[str, tuple[int, int]] = Field(
        description="Touched-first reading: bucket of the first touch → (touched, reached)."
    )
    first_date: str
    last_date: str
    conditions: list[str] = Field(
        default_factory=list, description="Every condition applied, in words; empty = none."
    )
    sessions_scanned: int = Field(
        description="Sessions in the date range before the conditions; `sessions` counts those "
        "meeting the weekday/open conditions, `touched` the touches meeting all of them."
    )
    reading: Reading = Field(
        default="touched_first",
        description="The reading `reached`, `out_of` and `rate_pct` follow (every_session only "
        "for from_level 0).",
    )
    counted: str = Field(default="", description="What was counted, in one line.")
    out_of: int = Field(
        default=0,
        description="Denominator of rate_pct: all sessions (every_session) or the sessions "
        "that touched the first level (touched_first).",
    )
    other_reading: Reading | None = Field(
        default=None, description="From level 0 only: the other reading, given beside it."
    )
    other_counted: str | None = None
    other_reached: int | None = None
    other_out_of: int | None = None
    other_rate_pct: float | None = None
    gaps: list[tuple[str, str]] = Field(
        default_factory=list,
        description="Date runs (from, to) with no data between the sessions scanned (more than "
        "5 weekdays without a session).",
    )


@tool("level_to_level", LevelStatsArgs, LevelStatsResult, memo=True)
def level_to_level_stats(ctx: ToolContext, args: LevelStatsArgs) -> LevelStatsResult:
    """Measure how often price reached one ATR level after touching another the same session
    (e.g. call trigger → +1 ATR), with counts, date range and the hour of the first touch.
    From the previous close (0 → X) it gives two readings, labelled: every_session (default:
    share of all sessions reaching X at any time) and touched_first (of the sessions that
    traded through the previous close, the share then reaching X).
    Optional conditions: weekdays, where the session opened, the pivot ribbon and the phase
    oscillator zone at the first touch (on the last 5m/1h bar closed before it).
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    where = _conditions(
        args.weekdays, args.open_location, args.ribbon, args.po_zone, args.indicator_timeframe
    )
    bars = intraday_bars(ctx, sym, args.start, args.end)
    history = intraday_history(ctx, sym) if where is not None and where.at_trigger else None
    result = level_to_level(
        bars,
        session_levels(daily_bars(ctx.source, sym)),
        args.from_level,
        args.to_level,
        where=where,
        indicator_bars=history,
    )
    if where is not None and result.touched == 0:
        conds = "; ".join(result.conditions)
        what = (
            f"No {sym} session meets the conditions ({conds})"
            if result.sessions == 0
            else f"No touch of {result.from_level} meets the conditions ({conds})"
        )
        raise DataError(
            f"{what}: {result.sessions_scanned} sessions scanned, {bars.index[0]:%Y-%m-%d} to "
            f"{bars.index[-1]:%Y-%m-%d}. There are no odds to give; drop a condition or widen "
            "the dates."
        )
    figures = _readings(result)
    reading: Reading = args.reading if args.reading in figures else "touched_first"
    main = figures[reading]
    if reading != args.reading and result.from_level == "0":
        main = _Figure(
            main.reached,
            main.out_of,
            f"{main.counted} (the ribbon/oscillator conditions are read at the touch, so only "
            "the touched-first reading applies)",
        )
    others = [r for r in figures if r != reading]
    other = figures[others[0]] if others else None
    return LevelStatsResult(
        symbol=sym,
        from_level=result.from_level,
        to_level=result.to_level,
        sessions=result.sessions,
        excluded_sessions=result.excluded,
        touched=result.touched,
        reached=main.reached,
        rate_pct=_pct(main.reached, main.out_of),
        by_touch_hour={k: v for k, v in result.by_touch_bucket.items() if v[0]},
        first_date=result.first_date,
        last_date=result.last_date,
        conditions=list(result.conditions),
        sessions_scanned=result.sessions_scanned or result.sessions,
        reading=reading,
        counted=main.counted,
        out_of=main.out_of,
        other_reading=others[0] if other else None,
        other_counted=other.counted if other else None,
        other_reached=other.reached if other else None,
        other_out_of=other.out_of if other else None,
        other_rate_pct=_pct(other.reached, other.out_of) if other else None,
        gaps=_gaps(result.session_dates),
    )


@dataclass(frozen=True)
class _Figure:
    reached: int
    out_of: int
    counted: str


def _level_words(key: str) -> str:
    """Return a level key as a trader says it: whole ATRs as "+1 ATR", fractions as keys."""
    return f"{key} ATR" if float(key) == int(float(key)) else key


def _readings(result: LevelToLevel) -> dict[Reading, _Figure]:
    """Return the figures of each reading the result holds (every_session only for 0 → X with
    no condition read at the touch)."""
    to = _level_words(result.to_level)
    if result.from_level == "0":
        first = _Figure(
            result.reached,
            result.touched,
            f"of the {result.touched} sessions that traded through the previous close, the "
            f"share that then reached {to}",
        )
    else:
        first = _Figure(
            result.reached,
            result.touched,
            f"of the {result.touched} sessions that touched {result.from_level}, the share "
            f"that then reached {to}",
        )
    out: dict[Reading, _Figure] = {"touched_first": first}
    if result.reached_any is not None:
        out["every_session"] = _Figure(
            result.reached_any,
            result.sessions,
            f"share of all {result.sessions} sessions that reached {to} at any time",
        )
    return out


__all__ = ["HOURS", "golden_gate_stats", "level_to_level_stats"]
