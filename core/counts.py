"""Counts of daily sessions that did one thing against their Day-mode ATR levels, and the average
true range over N sessions.

Assumptions, stated because they decide the numbers a user sees:
- Levels: session t uses the close of session t-1 as the previous close (PC) and Wilder's ATR(14)
  as of session t-1 (its own true range included), rounded to 2 decimals half away from zero: the
  values ``core.levels.session_levels`` and ``level_grid`` give (domain spec §1.2). No look-ahead:
  nothing of session t or later enters its levels.
- Warm-up: ATR(14) needs 14 true ranges, i.e. 15 sessions, before a session, so the first 15
  sessions of the data have no levels. Sessions of the range without levels are left out of the
  count and of n, and reported as ``excluded``.
- Range: ``start`` and ``end`` are calendar dates, both inclusive; None means the first or the last
  session of the data.
- Events on daily bars (one open, high, low and close per session; no order inside the session):
  ``close_above`` close > level; ``close_below`` close < level; ``touch`` the session's range
  reached the level: high ≥ level for a level above PC, low ≤ level for one below, and
  low ≤ PC ≤ high for the previous close itself. A session that opened beyond the level counts as
  a touch (a gap through it), and where the vendor's daily high or low is a stale official open
  (SPX), the touch is that open's. ``close_inside`` -x level < close < +x level (strictly);
  ``open_beyond`` open ≥ +x level (side ``above``), open ≤ -x level (``below``), or either.
- Equality is decimal: prices and levels are compared with a 1e-9 tolerance, so a close exactly at
  a level (e.g. at PC + ATR when both are whole cents) equals it even when the float sum is off by
  one unit in the last place. Real differences are at least 1e-6 (cents times 3-decimal fractions).
- Gaps: inside the range, each run of missing weekdays longer than 5 (holidays count as missing,
  so only closures beyond a long weekend or data that is absent qualify) is reported as the
  calendar dates (from, to) with no data, from the day after the last session before the run (or
  the range start) to the day before the next one (or the range end).
- Shares are percentages rounded to one decimal, half away from zero.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core.checks import one_of, positive_int
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.levels import grid_fractions, level_key, round_half_up, session_levels
from core.levelstats import level_prices
from core.ta import atr as wilder_atr
from core.ta import true_range

EVENTS = ("close_above", "close_below", "touch", "close_inside", "open_beyond")
"""What a session can be counted for (rules in the module docstring)."""
BAND_EVENTS = ("close_inside", "open_beyond")
"""Events whose level is a magnitude x > 0 meaning the band between -x and +x."""
SIDES = ("above", "below", "either")
"""Which side of the band ``open_beyond`` counts."""
GAP_WEEKDAYS = 5
"""A run of more missing weekdays than this is a data gap."""
EPS = 1e-9
"""Tolerance under which a price equals a level (decimal equality of float sums)."""

Day = NDArray[np.datetime64]
Mask = NDArray[np.bool_]
Floats = NDArray[np.float64]


@dataclass(frozen=True)
class SessionCount:
    """How many sessions of a range did one event, with the sample behind the share."""

    event: str
    fraction: float
    """The level as an ATR fraction: signed for close_above/close_below/touch, the magnitude x of
    the ±x band for close_inside/open_beyond."""
    side: str
    """``above``/``below``/``either`` for open_beyond; ``either`` otherwise."""
    count: int
    sessions: int
    """n: sessions of the range that have levels."""
    share_pct: float
    """count / sessions in percent, one decimal, half away from zero."""
    start: dt.date
    """The range asked for (inclusive), data start/end filled in for an open end."""
    end: dt.date
    first_session: dt.date
    """First and last session counted."""
    last_session: dt.date
    excluded: int
    """Sessions of the range without levels (the ATR warm-up at the start of the data)."""
    gaps: tuple[tuple[dt.date, dt.date], ...]
    """Calendar dates (from, to) inside the range with no data, runs of > 5 missing weekdays."""
    dates: tuple[dt.date, ...]
    """The sessions that did the event, ascending."""
    open_at_previous_close: int
    """Counted sessions whose open equals the previous close: for a vendor that fills missing
    opens with the previous close (SPX before 2007), open_beyond cannot count these."""


@dataclass(frozen=True)
class TrueRangeAverage:
    """The average true range over the ``sessions`` sessions ending at ``last_session``."""

    sessions: int
    wilder_atr: float
    """Wilder's ATR(sessions) after ``last_session``'s close, unrounded, computed over the full
    history since ``history_start`` (as ``core.ta.atr`` does)."""
    mean_true_range: float
    """The simple mean of the last ``sessions`` true ranges, unrounded."""
    first_session: dt.date
    """First session whose true range is in the mean."""
    last_session: dt.date
    history_start: dt.date
    history_sessions: int


def _days(daily: pd.DataFrame) -> Day:
    idx = daily.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataError("daily bars must be indexed by timestamps")
    missing = [c for c in ("open", "high", "low", "close") if c not in daily.columns]
    if missing:
        raise DataError(f"daily bars lack column(s) {missing}; they need open, high, low, close")
    if not idx.is_monotonic_increasing or not idx.is_unique:
        raise DataError("daily bars must be sorted by date, one row per session")
    local = idx.tz_localize(None) if idx.tz is not None else idx
    prices = daily[["open", "high", "low", "close"]].to_numpy(np.float64)
    if not np.isfinite(prices).all():
        raise DataError("daily bars hold an empty or NaN price")
    return np.asarray(local.normalize().to_numpy().astype("datetime64[D]"))


def _date(day: np.datetime64) -> dt.date:
    value: dt.date = pd.Timestamp(day).date()
    return value


def _check_level(event: str, fraction: float, side: str) -> float:
    """Return the grid fraction ``fraction`` stands for; raise naming what is accepted."""
    one_of(event, EVENTS, "event")
    one_of(side, SIDES, "side")
    grid = grid_fractions()
    match = [f for f in grid if abs(float(fraction) - f) < 1e-9]
    if not match:
        keys = ", ".join(level_key(f) for f in grid)
        raise InvalidArgumentError(f"level {fraction:g} is not on the ATR grid; accepted: {keys}")
    if event in BAND_EVENTS and not match[0] > 0:
        raise InvalidArgumentError(
            f"{event} needs a level magnitude above 0 such as 0.236 or 0.382 (the band between "
            f"-x and +x), got {fraction:g}"
        )
    if side != "either" and event != "open_beyond":
        raise InvalidArgumentError(f"side {side!r} applies to open_beyond only, not {event}")
    return match[0]


def _range_mask(
    days: Day, start: dt.date | None, end: dt.date | None
) -> tuple[Mask, np.datetime64, np.datetime64]:
    lo = np.datetime64(days[0] if start is None else start, "D")
    hi = np.datetime64(days[-1] if end is None else end, "D")
    if lo > hi:
        raise InvalidArgumentError(f"the range starts {lo} after it ends {hi}")
    inside = (days >= lo) & (days <= hi)
    if not inside.any():
        where = (
            "is before the data"
            if hi < days[0]
            else "is after the data"
            if lo > days[-1]
            else "holds no session (weekend or holiday)"
        )
        raise DateOutOfRangeError(
            f"no sessions from {lo} to {hi}: that range {where}; the data covers "
            f"{days[0]} to {days[-1]}"
        )
    return inside, lo, hi


def data_gaps(
    sessions: Day, start: np.datetime64, end: np.datetime64
) -> tuple[tuple[dt.date, dt.date], ...]:
    """Return the calendar-date runs (from, to) inside ``start``..``end`` (inclusive) that hold
    more than ``GAP_WEEKDAYS`` weekdays and no session of ``sessions`` (sorted ``datetime64[D]``
    dates within the range)."""
    one = np.timedelta64(1, "D")
    before = np.r_[np.array([start - one], "datetime64[D]"), sessions]
    after = np.r_[sessions, np.array([end + one], "datetime64[D]")]
    missing = np.busday_count(before + one, after)
    big = np.flatnonzero(missing > GAP_WEEKDAYS)
    return tuple((_date(before[i] + one), _date(after[i] - one)) for i in big)


def _event_mask(
    event: str, fraction: float, side: str, bars: dict[str, Floats], pc: Floats, atr: Floats
) -> Mask:
    o, h, lo, c = bars["open"], bars["high"], bars["low"], bars["close"]
    if event in BAND_EVENTS:
        up, down = level_prices(pc, atr, fraction), level_prices(pc, atr, -fraction)
        if event == "close_inside":
            return np.asarray((c > down + EPS) & (c < up - EPS))
        above, below = o >= up - EPS, o <= down + EPS
        return np.asarray(above if side == "above" else below if side == "below" else above | below)
    level = pc if fraction == 0 else level_prices(pc, atr, fraction)
    if event == "close_above":
        return np.asarray(c > level + EPS)
    if event == "close_below":
        return np.asarray(c < level - EPS)
    if fraction > 0:
        return np.asarray(h >= level - EPS)
    if fraction < 0:
        return np.asarray(lo <= level + EPS)
    return np.asarray((lo <= level + EPS) & (h >= level - EPS))


def count_sessions(
    daily: pd.DataFrame,
    event: str,
    fraction: float,
    *,
    side: str = "either",
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> SessionCount:
    """Return how many sessions of ``start``..``end`` did ``event`` at the Day-mode level
    PC + ``fraction``·ATR (for close_inside/open_beyond: the band ±``fraction``·ATR).

    ``daily`` holds one row per session (open, high, low, close), sorted, with the full history
    before the range (the ATR recursion starts at the data's first row). Vectorised: one pass of
    numpy over all sessions. Rules and assumptions are in the module docstring.

    Raises:
        InvalidArgumentError: unknown event or side, a level off the grid, a band of width 0,
            ``start`` after ``end``.
        DateOutOfRangeError: no session in the range (the message names the data's range).
        DataError: malformed bars, or every session of the range is in the ATR warm-up.
    """
    fraction = _check_level(event, fraction, side)
    days = _days(daily)
    inside, lo, hi = _range_mask(days, start, end)
    levels = session_levels(daily)
    pc, atr = levels["previous_close"].to_numpy(), levels["atr"].to_numpy()
    counted = inside & np.isfinite(pc) & np.isfinite(atr) & (np.nan_to_num(atr) > 0)
    if not counted.any():
        first = days[np.flatnonzero(np.isfinite(atr))[0]] if np.isfinite(atr).any() else None
        raise DataError(
            f"the sessions from {lo} to {hi} have no ATR levels yet: ATR(14) needs 15 sessions "
            f"before a session; the first with levels is {first or 'none (too little data)'}"
        )
    bars = {k: daily[k].to_numpy(np.float64)[counted] for k in ("open", "high", "low", "close")}
    hit = _event_mask(event, fraction, side, bars, pc[counted], atr[counted])
    sel = days[counted]
    n, count = int(sel.size), int(hit.sum())
    return SessionCount(
        event=event,
        fraction=float(fraction),
        side=side,
        count=count,
        sessions=n,
        share_pct=round_half_up(100.0 * count / n, 1),
        start=_date(lo),
        end=_date(hi),
        first_session=_date(sel[0]),
        last_session=_date(sel[-1]),
        excluded=int(inside.sum()) - n,
        gaps=data_gaps(days[inside], lo, hi),
        dates=tuple(_date(d) for d in sel[hit]),
        open_at_previous_close=int((np.abs(bars["open"] - pc[counted]) <= EPS).sum()),
    )


def average_true_range(
    daily: pd.DataFrame, sessions: int = 14, end: dt.date | None = None
) -> TrueRangeAverage:
    """Return Wilder's ATR(``sessions``) and the plain mean of the last ``sessions`` true ranges,
    both as of the close of the last session on or before ``end`` (None: the last session).

    True range TR_t = max(H-L, |H-C[t-1]|, |L-C[t-1]|) needs the previous close, so ``sessions``
    true ranges need ``sessions`` + 1 rows. Wilder's ATR runs over the whole history up to that
    session (seeded with the mean of the first ``sessions`` TRs), exactly as ``core.ta.atr``.
    ``end`` may fall on a weekend or holiday after the data's last session, not past a weekday
    the data lacks.

    Raises:
        InvalidArgumentError: ``sessions`` below 2.
        DateOutOfRangeError: ``end`` past the data, or too early to have enough sessions.
    """
    positive_int(sessions, "sessions")
    if sessions < 2:
        raise InvalidArgumentError(f"sessions must be 2 or more, got {sessions}")
    days = _days(daily)
    last = days[-1] if end is None else np.datetime64(end, "D")
    one = np.timedelta64(1, "D")
    if last > days[-1] and np.busday_count(days[-1] + one, last + one) > 0:
        raise DateOutOfRangeError(f"no data for {last}: the data covers {days[0]} to {days[-1]}")
    upto = int(np.searchsorted(days, last, side="right"))
    if upto < sessions + 1:
        need = days[sessions] if days.size > sessions else None
        raise DateOutOfRangeError(
            f"{sessions} true ranges need {sessions + 1} sessions up to {last}; the data starts on "
            f"{days[0]}" + (f", so the first date possible is {need}" if need else "")
        )
    h, lo, c = (daily[k].to_numpy(np.float64)[:upto] for k in ("high", "low", "close"))
    tr = true_range(h, lo, c)[-sessions:]
    return TrueRangeAverage(
        sessions=sessions,
        wilder_atr=float(wilder_atr(h, lo, c, sessions)[-1]),
        mean_true_range=float(tr.mean()),
        first_session=_date(days[upto - sessions]),
        last_session=_date(days[upto - 1]),
        history_start=_date(days[0]),
        history_sessions=upto,
    )
