"""Tool: what happened in one session against its ATR levels (touches, golden gates, gap, range,
close-to-close change, where it closed)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from pydantic import BaseModel, Field, field_validator

from core.bars import timeframe
from core.calendar import early_close, holidays
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.levels import LevelSet, mode, parse_level_key, round_price
from core.outcome import Gate, Move, SessionOutcome, session_outcome
from tools.base import SessionDate, ToolContext, tool
from tools.levels import LEVEL_NAMES, close_date, levels_for_session
from tools.market import daily_bars, normalize_symbol, session_days, through_day
from tools.stats import intraday_bars


class SessionOutcomeArgs(BaseModel):
    """Arguments of ``session_outcome``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    date: SessionDate | None = Field(
        default=None,
        description="Session (YYYY-MM-DD); omit for the latest session that has data.",
    )
    mode: str = Field(
        default="day",
        description="Levels mode the session is measured against: day (default), multiday "
        "(weekly), swing (monthly), position (quarterly), longterm (yearly).",
    )
    focus: str | None = Field(
        default=None,
        description="The level asked about (e.g. '+0.236', '+0.382' for the bull golden gate): "
        "the answer starts with it. Changes nothing computed.",
    )

    @field_validator("focus")
    @classmethod
    def _focus(cls, value: str | None) -> str | None:
        return None if value is None else parse_level_key(value)

    @field_validator("mode")
    @classmethod
    def _known_mode(cls, value: str) -> str:
        name = mode(value).name
        if name == "scalp":
            raise InvalidArgumentError(
                "session_outcome measures a whole session, and scalp (4h) levels change at "
                "13:30; accepted: day, multiday, swing, position, longterm"
            )
        return name


class Change(BaseModel):
    """A move from the previous close."""

    points: float = Field(description="Points, rounded to the cent.")
    pct: float = Field(description="Percent of the previous close, 2 decimals.")
    atr: float = Field(description="Multiples of the ATR, 3 decimals.")


class LevelTouch(BaseModel):
    """A level the session traded at, with the time of its first touch."""

    key: str
    name: str
    price: float
    time: str | None = Field(description="HH:MM ET start of the touching bar; None without times.")
    at_open: bool = Field(description="The session opened at or beyond this level.")


class NearLevel(BaseModel):
    """A level near the close."""

    key: str
    name: str
    price: float


class GateOutcome(BaseModel):
    """One golden gate in the session: trigger ±0.382, completion ±0.618, failure ±0.236."""

    side: str
    status: str = Field(
        description="opened_beyond (opened past the completion: no gate), not_triggered, "
        "triggered (neither completed nor failed), failed (fell back through the ±0.236 "
        "trigger before completing), completed."
    )
    trigger_level: float
    completion_level: float
    failure_level: float
    triggered_at: str | None = Field(description="HH:MM ET; None when not triggered or no times.")
    triggered_at_open: bool
    trigger_bucket: str | None = Field(description="open, or the ET hour 09..15 of the trigger.")
    completed_at: str | None
    failed_at: str | None = Field(
        description="HH:MM ET it fell back through the ±0.236 trigger before completing."
    )


class SessionOutcomeResult(BaseModel):
    """What one session did against its levels; prices in cents, times ET bar starts."""

    symbol: str
    mode: str
    date: dt.date
    previous_close: float
    previous_close_date: dt.date = Field(description="The session whose close anchors the levels.")
    atr: float
    bar_size: str = Field(description="Bars measured: an intraday size such as 5m, or 1d.")
    bars: int
    times_available: bool = Field(description="False when only a daily bar exists (no times).")
    as_of: str | None = Field(
        description="HH:MM ET the bars run through (end of the last bar); None with a daily bar."
    )
    complete: bool = Field(description="The session's bars reach its close (16:00, or 13:00).")
    open: float
    high: float
    low: float
    close: float = Field(description="The close, or the last price when the session is partial.")
    close_source: str
    gap: Change = Field(description="Open minus the previous close.")
    range_points: float
    range_atr: float = Field(description="(High - low) / ATR, 3 decimals.")
    range_pct: int = Field(description="Range as a whole percent of ATR.")
    change: Change = Field(description="Close minus the previous close.")
    up_atr: float = Field(description="(High - previous close) / ATR: how far up it went.")
    down_atr: float = Field(description="(Low - previous close) / ATR: how far down it went.")
    close_zone: str
    above_close: list[NearLevel]
    below_close: list[NearLevel]
    touches: list[LevelTouch] = Field(description="Levels touched, in the order first touched.")
    focus: LevelTouch | None = Field(
        default=None, description="The level asked about, touched or not (time None if not)."
    )
    bull: GateOutcome
    bear: GateOutcome


def _no_session(sym: str, day: dt.date, days: np.ndarray) -> DateOutOfRangeError:
    first, last = days[0].astype(object), days[-1].astype(object)
    if day > last:
        why = "after the data ends"
    elif day < first:
        why = "before the data starts"
    elif day.weekday() >= 5:
        why = f"a {day:%A}"
    else:
        why = "an NYSE holiday" if day in holidays(day.year) else "missing from the data"
    near = ""
    if first < day < last:
        pos = int(np.searchsorted(days, np.datetime64(day, "D")))
        near = f"; nearest sessions {days[pos - 1]} and {days[pos]}"
    return DateOutOfRangeError(
        f"no {sym} session on {day:%Y-%m-%d} ({why}): {sym} data covers {first:%Y-%m-%d} to "
        f"{last:%Y-%m-%d}{near}"
    )


def _session(ctx: ToolContext, sym: str, daily: pd.DataFrame, day: dt.date | None) -> dt.date:
    """Return the session asked for: ``day`` when the data has it, else (None) the latest
    session with data on or before ``ctx.today`` (never the next, unstarted one)."""
    days = session_days(daily)
    if day is not None:
        if days.size and np.datetime64(day, "D") in days:
            return day
        raise _no_session(sym, day, days)
    known = days if ctx.today is None else days[days <= np.datetime64(ctx.today, "D")]
    if not known.size:
        raise DateOutOfRangeError(
            f"no {sym} session on or before {ctx.today}: {sym} data starts on {days[0]}"
        )
    found: dt.date = known[-1].astype(object)
    return found


def _intraday(ctx: ToolContext, sym: str, day: dt.date) -> tuple[pd.DataFrame, int] | None:
    """Return (the session's intraday bars, bar minutes), None when it has none."""
    try:
        bars = intraday_bars(ctx, sym, day, day)
    except DataError:  # no intraday series, or none on that day: the daily bar answers
        return None
    # the bar size intraday_bars loads: 5-minute when a native size builds it, else the finest
    sizes = sorted(
        (t for t in map(timeframe, ctx.source.native_timeframes(sym)) if t.intraday),
        key=lambda t: t.rank,
    )
    return bars, 5 if any(5 % t.minutes == 0 for t in sizes) else sizes[0].minutes


def _official_close(ctx: ToolContext, sym: str, day: dt.date) -> float | None:
    """Return the close of ``day`` in the source's own daily series, None without one."""
    if "1d" not in ctx.source.native_timeframes(sym):
        return None
    row = through_day(ctx.source.bars(sym, "1d"), day).iloc[-1:]
    return float(row["close"].iloc[0]) if len(row) and row.index[0].date() == day else None


def _hhmm(ts: pd.Timestamp | None, times: bool) -> str | None:
    return f"{ts:%H:%M}" if ts is not None and times else None


def _gate(g: Gate, times: bool) -> GateOutcome:
    return GateOutcome(
        side=g.side,
        status=g.status,
        trigger_level=g.trigger_level,
        completion_level=g.completion_level,
        failure_level=g.failure_level,
        triggered_at=_hhmm(g.trigger_time, times),
        triggered_at_open=g.trigger_at_open,
        trigger_bucket=g.trigger_bucket,
        completed_at=_hhmm(g.completion_time, times),
        failed_at=_hhmm(g.failure_time, times),
    )


def _change(m: Move) -> Change:
    return Change(points=m.points, pct=m.pct, atr=m.atr)


def _focus_touch(out: SessionOutcome, key: str | None) -> LevelTouch | None:
    """Return the asked level as a touch (its time, or None when the session never reached it)."""
    if key is None or key not in out.levels:
        return None
    hit = next((t for k, t in _touches_of(out) if k == key), None)
    return LevelTouch(
        key=key,
        name=LEVEL_NAMES.get(key, key),
        price=round_price(out.levels[key]),
        time=hit.time if hit else None,
        at_open=hit.at_open if hit else False,
    )


def _touches_of(out: SessionOutcome) -> list[tuple[str, LevelTouch]]:
    return [(t.key, t) for t in _touches(out)]


def _touches(out: SessionOutcome) -> list[LevelTouch]:
    hits = [(k, t) for k, t in out.touches.items() if t is not None]
    hits.sort(key=lambda kt: (kt[1].time, not kt[1].at_open, abs(float(kt[0]))))
    return [
        LevelTouch(
            key=k,
            name=LEVEL_NAMES.get(k, k),
            price=out.levels[k],
            time=_hhmm(t.time, out.intraday),
            at_open=t.at_open,
        )
        for k, t in hits
    ]


def _near(items: list[tuple[str, float]]) -> list[NearLevel]:
    return [NearLevel(key=k, name=LEVEL_NAMES.get(k, k), price=p) for k, p in items]


def _measure(
    ctx: ToolContext, sym: str, session: dt.date, ls: LevelSet, daily: pd.DataFrame
) -> tuple[SessionOutcome, bool, str, str]:
    """Return (outcome, complete, bar size, close source) from the session's intraday bars,
    else from its daily bar. A complete intraday session closes at the official daily close."""
    found = _intraday(ctx, sym, session)
    if found is None:
        bar = through_day(daily, session).iloc[-1:]  # the session's own daily bar
        return session_outcome(ls.previous_close, ls.atr, ls.levels, bar), True, "1d", "daily bar"
    bars, minutes = found
    out = session_outcome(ls.previous_close, ls.atr, ls.levels, bars, bar_minutes=minutes)
    end = dt.time(13) if early_close(session) else dt.time(16)
    complete = out.as_of.time() >= end  # the regular-hours bars reach the close
    official = _official_close(ctx, sym, session) if complete else None
    if official is None:
        return out, complete, f"{minutes}m", f"last {minutes}m bar"
    out = session_outcome(
        ls.previous_close, ls.atr, ls.levels, bars, bar_minutes=minutes, close=official
    )
    return out, complete, f"{minutes}m", "official close"


@tool("session_outcome", SessionOutcomeArgs, SessionOutcomeResult, memo=True)
def session_outcome_tool(ctx: ToolContext, args: SessionOutcomeArgs) -> SessionOutcomeResult:
    """Tell what happened in one session against its ATR levels: whether and when each golden
    gate triggered, completed or failed, which levels were touched and at what time (ET), the
    gap, the range and the close-to-close change in points, percent and ATR, and where it
    closed relative to the levels. Use for "did SPX trigger the golden gate today and did it
    complete?", "what time did SPY hit the call trigger on 6/3/25?", "where did SPY close vs
    its levels?". Omit the date for the latest session with data (a partial one is "as of").
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    daily = daily_bars(ctx.source, sym)
    day = _session(ctx, sym, daily, args.date)
    sym, session, ls, daily = levels_for_session(ctx, sym, args.mode, day)
    out, complete, bar_size, source = _measure(ctx, sym, session, ls, daily)
    return SessionOutcomeResult(
        symbol=sym,
        mode=ls.mode,
        date=session,
        previous_close=ls.previous_close,
        previous_close_date=close_date(ls, ls.mode, daily),
        atr=ls.atr,
        bar_size=bar_size,
        bars=out.bar_count,
        times_available=out.intraday,
        as_of=_hhmm(out.as_of, out.intraday),
        complete=complete,
        open=out.open,
        high=out.high,
        low=out.low,
        close=out.close,
        close_source=source,
        gap=_change(out.gap),
        range_points=out.range_points,
        range_atr=out.range_atr,
        range_pct=out.range_pct,
        change=_change(out.change),
        up_atr=out.up_atr,
        down_atr=out.down_atr,
        close_zone=out.close_zone,
        above_close=_near(out.above_close),
        below_close=_near(out.below_close),
        touches=_touches(out),
        focus=_focus_touch(out, args.focus),
        bull=_gate(out.bull, out.intraday),
        bear=_gate(out.bear, out.intraday),
    )


__all__ = ["SessionOutcomeArgs", "SessionOutcomeResult", "session_outcome_tool"]
