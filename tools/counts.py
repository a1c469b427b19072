"""Tools: how many sessions did something against their Day ATR levels over a date range, and the
average true range over N sessions. Both read the merged daily bars of the symbol."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field, model_validator

from core.calendar import next_session
from core.counts import average_true_range as core_average_true_range
from core.counts import count_sessions
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.levels import parse_level_key, round_half_up
from tools.base import SessionDate, ToolContext, tool
from tools.levels import LEVEL_NAMES
from tools.market import daily_bars, normalize_symbol, session_days

MAX_DATES = 250
"""Most dates a ``session_counts`` result lists."""
STALE_OPEN_SHARE = 3.0
"""Percent of sessions opening exactly at the previous close above which open counts get a note."""
BAND_NAMES = {
    "0.236": "the triggers",
    "0.382": "the golden gates",
    "0.618": "the midranges",
}

Event = Literal["close_above", "close_below", "touch", "close_inside", "open_beyond"]
Side = Literal["above", "below", "either"]
Days = NDArray[np.datetime64]


class SessionCountsArgs(BaseModel):
    """Arguments of ``session_counts``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    event: Event = Field(
        description="close_above / close_below: the close vs a level; touch: the session's "
        "high (level above the previous close) or low (below) reached the level; close_inside: "
        "the close stayed strictly inside ±level; open_beyond: the open was at or beyond ±level."
    )
    level: str = Field(
        description="For close_above/close_below/touch an ATR level key: '0' previous close, "
        "'+0.236' call trigger, '-0.236' put trigger, '+0.382' golden gate, '+0.618', '+1', "
        "'-1', ... For close_inside/open_beyond a magnitude: '0.236' (triggers), '0.382' "
        "(golden gates), '0.618', '1'."
    )
    side: Side = Field(
        default="either", description="open_beyond only: above +level, below -level, or either."
    )
    start: SessionDate | None = Field(
        default=None, description="First date of the range (YYYY-MM-DD); omit for all data."
    )
    end: SessionDate | None = Field(
        default=None, description="Last date of the range (YYYY-MM-DD, inclusive); omit for all."
    )
    list_dates: bool = Field(
        default=False, description="Also list the matching dates (the latest 250 at most)."
    )

    @model_validator(mode="after")
    def _level_for_event(self) -> SessionCountsArgs:
        if self.side != "either" and self.event != "open_beyond":
            raise InvalidArgumentError(
                f"side {self.side!r} applies to open_beyond only; leave it out for {self.event}"
            )
        if self.event not in ("close_inside", "open_beyond"):
            self.level = parse_level_key(self.level)
            return self
        text = str(self.level).strip().replace(" ", "")
        text = text.removeprefix("±").removeprefix("+/-").removeprefix("+-")
        key = parse_level_key(text)
        if key == "0":
            raise InvalidArgumentError(
                f"{self.event} needs a level magnitude above 0 such as 0.236 (the triggers), "
                "0.382 (the golden gates), 0.618 or 1"
            )
        sign = text[0] if text[0] in "+-" else ""
        if self.event == "open_beyond" and sign:
            wanted: Side = "above" if sign == "+" else "below"
            if self.side not in ("either", wanted):
                raise InvalidArgumentError(
                    f"level {self.level!r} is {wanted} the previous close but side is "
                    f"{self.side!r}; give a magnitude such as '0.382' with side above/below/either"
                )
            self.side = wanted
        self.level = key.lstrip("+-")
        return self


class Gap(BaseModel):
    """Calendar dates inside the range with no data (more than 5 weekdays in a row)."""

    start: dt.date
    end: dt.date


class SessionCountsResult(BaseModel):
    """How many sessions did one thing, with the sample (n), range and gaps behind the share."""

    symbol: str
    event: str
    level: str = Field(description="Level key (signed) or band magnitude (close_inside, ...).")
    side: str
    description: str = Field(description="Exactly what was counted, in one line.")
    count: int
    sessions: int = Field(description="Sessions in the range with levels (n).")
    percent: float = Field(description="count / sessions, percent, one decimal.")
    start: dt.date = Field(description="The range asked for (inclusive).")
    end: dt.date
    first_session: dt.date = Field(description="First session counted.")
    last_session: dt.date = Field(description="Last session counted.")
    excluded_sessions: int = Field(
        description="Sessions of the range without levels (first 15 of the data: ATR warm-up)."
    )
    gaps: list[Gap] = Field(description="Date runs of the range with no data.")
    dates: list[dt.date] | None = Field(
        default=None, description="Matching sessions when asked (the latest 250 at most)."
    )
    dates_listed: int = Field(default=0, description="How many dates are listed.")
    dates_cut: bool = Field(default=False, description="True when more dates matched than listed.")
    note: str | None = None


def _level_words(key: str) -> str:
    name = LEVEL_NAMES.get(key)
    if name is None:
        return f"the {key} ATR level"
    return name if name.endswith("ATR") else f"the {name} ({key})"


def _band_words(mag: str) -> str:
    name = BAND_NAMES.get(mag)
    return f"{name} (±{mag})" if name else f"±{mag} ATR"


def describe(event: str, level: str, side: str) -> str:
    """Return one line saying exactly which sessions ``session_counts`` counted."""
    if event == "close_above":
        return f"sessions whose close was above {_level_words(level)}"
    if event == "close_below":
        return f"sessions whose close was below {_level_words(level)}"
    if event == "touch" and level == "0":
        return (
            "sessions that traded at the previous close (0): low at or below it, high at or "
            "above it"
        )
    if event == "touch":
        how = "high at or above it" if level.startswith("+") else "low at or below it"
        return f"sessions that touched {_level_words(level)} ({how})"
    if event == "close_inside":
        return (
            f"sessions whose close was inside {_band_words(level)}, strictly between -{level} "
            f"and +{level}"
        )
    if side == "either":
        return (
            f"sessions that opened beyond {_band_words(level)}, at or above +{level} or at or "
            f"below -{level}"
        )
    key = ("+" if side == "above" else "-") + level
    return f"sessions that opened at or {side} {_level_words(key)}"


def _range_end(ctx: ToolContext, args: SessionCountsArgs, sym: str, days: Days) -> dt.date | None:
    """Return the range end to count to: no later than "today" (``ctx.today``, else the session
    after the data), since later dates are the future, not missing data. Raise when the whole
    range is in the future."""
    first, last = days[0].astype(object), days[-1].astype(object)
    today = ctx.today if ctx.today is not None else next_session(last)
    if args.start is not None and args.start > today:
        raise DateOutOfRangeError(
            f"no {sym} data from {args.start:%Y-%m-%d}: that is after today ({today:%Y-%m-%d}); "
            f"{sym} data covers {first:%Y-%m-%d} to {last:%Y-%m-%d}"
        )
    if args.end is None:
        return today if today < last else None
    return min(args.end, today)


@tool("session_counts", SessionCountsArgs, SessionCountsResult, memo=True)
def session_counts(ctx: ToolContext, args: SessionCountsArgs) -> SessionCountsResult:
    """Count the sessions in a date range (default: all data) that closed above/below an ATR
    level, touched one, closed inside ±a level, or opened beyond ±a level, against each session's
    Day levels (previous close ± fraction × ATR(14) of the prior session). Gives the count, the
    number of sessions n, the percent, the range, data gaps and, on request, the dates.
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    daily = daily_bars(ctx.source, sym)
    end = _range_end(ctx, args, sym, session_days(daily))
    try:
        r = count_sessions(
            daily, args.event, float(args.level), side=args.side, start=args.start, end=end
        )
    except DataError as exc:
        raise type(exc)(f"{sym}: {exc}") from None
    dates = list(r.dates[-MAX_DATES:]) if args.list_dates else None
    note = None
    stale = 100.0 * r.open_at_previous_close / r.sessions
    if args.event == "open_beyond" and stale >= STALE_OPEN_SHARE:
        note = (
            f"{r.open_at_previous_close} of the {r.sessions} sessions ({round_half_up(stale, 1)}%) "
            "opened exactly at the previous close, which is what a data vendor records when it "
            "lacks the real opening price (SPX daily opens are unreliable before 2007): those "
            "sessions cannot count as opening beyond, so the count may be low."
        )
    return SessionCountsResult(
        symbol=sym,
        event=args.event,
        level=args.level,
        side=args.side,
        description=describe(args.event, args.level, args.side),
        count=r.count,
        sessions=r.sessions,
        percent=r.share_pct,
        start=r.start,
        end=r.end,
        first_session=r.first_session,
        last_session=r.last_session,
        excluded_sessions=r.excluded,
        gaps=[Gap(start=a, end=b) for a, b in r.gaps],
        dates=dates,
        dates_listed=len(dates or ()),
        dates_cut=bool(args.list_dates and len(r.dates) > MAX_DATES),
        note=note,
    )


class AverageTrueRangeArgs(BaseModel):
    """Arguments of ``average_true_range``."""

    symbol: str = Field(description="Ticker, e.g. SPX or SPY.")
    sessions: int = Field(default=14, ge=2, le=250, description="Number of sessions, 2 to 250.")
    date: SessionDate | None = Field(
        default=None,
        description="Last session of the window (YYYY-MM-DD); omit for the latest session.",
    )


class AverageTrueRangeResult(BaseModel):
    """The average true range over N sessions, two ways, rounded to the cent."""

    symbol: str
    sessions: int
    wilder_atr: float = Field(description="Wilder ATR(N) after the last session's close.")
    mean_true_range: float = Field(description="Simple mean of the last N true ranges.")
    first_session: dt.date = Field(description="First session whose true range is in the mean.")
    last_session: dt.date
    history_start: dt.date = Field(description="Where Wilder's recursion starts (data start).")
    requested_date: dt.date | None = Field(
        default=None, description="The date asked when it was not a session."
    )
    levels_atr: float | None = Field(
        default=None,
        description="For 14 sessions: the ATR the last session's own Day levels use (Wilder "
        "ATR(14) after the close before it), so both readings of 'the ATR on <date>' show.",
    )


@tool("average_true_range", AverageTrueRangeArgs, AverageTrueRangeResult, memo=True)
def average_true_range(ctx: ToolContext, args: AverageTrueRangeArgs) -> AverageTrueRangeResult:
    """Compute the average true range over the last N sessions (default 14) ending at a date
    (default the latest): Wilder's ATR(N), as the ATR levels use, and the simple mean of the N
    daily true ranges, with the sessions used.
    """
    sym = normalize_symbol(ctx.source, args.symbol)
    daily = daily_bars(ctx.source, sym)
    last = session_days(daily)[-1].astype(object)
    end = args.date
    if end is None and ctx.today is not None and ctx.today < last:
        end = ctx.today
    try:
        r = core_average_true_range(daily, args.sessions, end)
    except DataError as exc:
        raise type(exc)(f"{sym}: {exc}") from None
    levels_atr = None
    days = [d.astype(object) for d in session_days(daily)]
    at = days.index(r.last_session) if r.last_session in days else -1
    if r.sessions == 14 and at > 14:
        before = core_average_true_range(daily, 14, days[at - 1])
        levels_atr = round_half_up(before.wilder_atr, 2)
    return AverageTrueRangeResult(
        levels_atr=levels_atr,
        symbol=sym,
        sessions=r.sessions,
        wilder_atr=round_half_up(r.wilder_atr, 2),
        mean_true_range=round_half_up(r.mean_true_range, 2),
        first_session=r.first_session,
        last_session=r.last_session,
        history_start=r.history_start,
        requested_date=args.date if args.date not in (None, r.last_session) else None,
    )


__all__ = ["average_true_range", "describe", "session_counts"]
