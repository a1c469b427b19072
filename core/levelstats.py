"""Level-to-level odds: after price touched ATR level A in a period, how often it reached level B.

Rules (domain spec §4.1, §4.2; * marks a decision the spec leaves open):
- Periods: Day mode scans each regular-hours session (09:30-16:00 ET; other bars are ignored)
  against that session's previous close (PC) and rounded ATR (``session_levels`` of daily bars).
  Other modes scan their period (4h half session, week, month, quarter, year) against levels built
  the same way from that period's bars; a period's ``date`` is its first session.
- Touching A: the first bar whose high ≥ A (A above PC) or low ≤ A (A below PC); for A = "0" the
  first bar with low ≤ PC ≤ high. *A period whose first bar opens at or beyond A (for "0":
  exactly at PC) touched A at the open and goes in bucket ``open``, like the golden gate.
- Reaching B: going up when B > A, else down; the first bar at or after A's bar whose high ≥ B
  (up) or low ≤ B (down), within the same period.
- *B inside A's own bar counts only when the bar's open fixes the order: always for a
  continuation (A ≠ 0 and B farther from PC on A's side: price cannot get to B without passing A,
  or it opened past A), otherwise only when that bar opened at A or on the far side of A from B.
- *Excluded: periods that open at or beyond A and already at or beyond B (only continuations can:
  the gate's gap beyond the midrange). They are neither touches nor reaches; counted apart.
- *"0 → B" has two readings. Touched-first (the counts above, like every other A): of the
  periods that traded through PC, the share that then reached B. Every-session
  (``reached_any``): of all periods, the share whose price reached B at any time (a bar's high
  ≥ B above PC, low ≤ B below; opening at or beyond B counts), as the spec's source figures
  ("0 → +1 ATR ≈ 14 %") count. Both use the same periods and bars.
- Buckets: ``open`` as above, else the ET hour of the touching bar's start: ``09`` (09:30-09:59),
  ``10`` … ``15`` (by the bar's start, so use bars of 30 minutes or less; in modes longer than a
  day, the hour of whichever session the touch falls in).
The scan is vectorised over bars: per-period first hits are one ``np.minimum.reduceat`` each.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import TypeVar

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core.bars import NS_PER_DAY, NS_PER_MIN, bar_index, bin_keys, local_ns, rth_mask, timeframe
from core.conditions import Conditions, condition_masks, session_context
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.levels import mode as find_mode
from core.levels import parse_level_key

BUCKETS = ("open", "09", "10", "11", "12", "13", "14", "15")
"""Trigger/touch buckets: opened beyond the level, else the ET hour of the touching bar."""
HOURS = ("09", "10", "11", "12", "13", "14", "15")
"""Completion/reach hours (ET, by the bar's start; ``09`` is 09:30-09:59)."""
_NONE = np.iinfo(np.int64).max

DateLike = dt.date | str | pd.Timestamp | None
_Scalar = TypeVar("_Scalar", bound=np.generic)


@dataclass(frozen=True)
class SessionScan:
    """Intraday bars cut into level periods (sessions in Day mode), aligned with their levels.

    Bar arrays hold only the regular-hours bars of the kept periods, in time order; period
    ``p`` spans bar positions ``starts[p]`` to ``ends[p] - 1``.
    """

    index: pd.DatetimeIndex
    open: NDArray[np.float64]
    high: NDArray[np.float64]
    low: NDArray[np.float64]
    minute: np.ndarray
    """ET minute of the day of each bar's start."""
    starts: NDArray[np.int64]
    ends: NDArray[np.int64]
    period_of_bar: NDArray[np.intp]
    dates: np.ndarray
    """First session date of each period (datetime64[D])."""
    pc: np.ndarray
    atr: np.ndarray
    without_levels: int
    """Periods in the date range skipped because they have no levels (history too short)."""
    mode: str = "day"

    @property
    def first_open(self) -> np.ndarray:
        """Return each period's opening price (its first bar's open)."""
        return self.open[self.starts]

    def per_bar(self, values: NDArray[_Scalar]) -> NDArray[_Scalar]:
        """Return per-period ``values`` repeated onto every bar of the period."""
        return values[self.period_of_bar]

    def first(self, cond: np.ndarray, not_before: np.ndarray | None = None) -> np.ndarray:
        """Return per period the first bar position where ``cond`` holds, at or after the
        per-period position ``not_before`` if given; -1 where there is none."""
        pos = np.arange(cond.size)
        ok = cond if not_before is None else cond & (pos >= self.per_bar(not_before))
        first = np.minimum.reduceat(np.where(ok, pos, _NONE), self.starts)
        return np.where(first < self.ends, first, -1)

    def times(self, bar: NDArray[np.int64]) -> pd.DatetimeIndex:
        """Return the ET start time of bar positions ``bar``, NaT where ``bar`` is -1."""
        # pandas-stubs: Index.where without ``other`` returns Index; pandas keeps DatetimeIndex
        return self.index[np.maximum(bar, 0)].where(bar >= 0)  # type: ignore[return-value]

    def elapsed_minutes(self, since: np.ndarray, until: np.ndarray) -> pd.arrays.IntegerArray:
        """Return whole minutes between two bars' starts per period (<NA> if either is -1)."""
        utc = self.index.as_unit("ns").asi8
        valid = (since >= 0) & (until >= 0)
        minutes = (utc[np.maximum(until, 0)] - utc[np.maximum(since, 0)]) // NS_PER_MIN
        return pd.arrays.IntegerArray(np.where(valid, minutes, 0).astype(np.int64), ~valid)

    def bucket_codes(self, bar: np.ndarray, at_open: np.ndarray) -> np.ndarray:
        """Return per period the index into ``BUCKETS`` of bar ``bar`` (0 = ``open`` where
        ``at_open``), -1 where ``bar`` is -1."""
        hour = np.clip(self.minute[np.maximum(bar, 0)] // 60, 9, 15)
        return np.where(bar < 0, -1, np.where(at_open, 0, hour - 8))


def _day_number(value: DateLike) -> int | None:
    return None if value is None else int(np.datetime64(pd.Timestamp(value).date(), "D").view("i8"))


def _check_frame(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidArgumentError(f"{name} lack column(s) {missing}; they need {list(columns)}")
    idx = frame.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise DataError(f"{name} must be indexed by timezone-aware timestamps")
    if not idx.is_monotonic_increasing:
        raise DataError(f"{name} must be sorted by time")


def _level_arrays(
    levels: pd.DataFrame, keys: np.ndarray, label: str, tf_name: str
) -> tuple[np.ndarray, np.ndarray]:
    lv_keys, _ = bin_keys(local_ns(bar_index(levels)), timeframe(tf_name))
    if lv_keys.size > 1 and (np.diff(lv_keys) <= 0).any():
        raise InvalidArgumentError(
            f"levels must hold one row per {label} period; build them with "
            f"session_levels() on {tf_name} bars"
        )
    if lv_keys.size == 0:
        return np.full(keys.size, np.nan), np.full(keys.size, np.nan)
    pos = np.minimum(np.searchsorted(lv_keys, keys), lv_keys.size - 1)
    found = lv_keys[pos] == keys
    pc = np.where(found, levels["previous_close"].to_numpy(np.float64)[pos], np.nan)
    atr = np.where(found, levels["atr"].to_numpy(np.float64)[pos], np.nan)
    return pc, atr


def scan_sessions(
    bars: pd.DataFrame,
    levels: pd.DataFrame,
    *,
    mode: str = "day",
    start: DateLike = None,
    end: DateLike = None,
) -> SessionScan:
    """Return the intraday ``bars`` cut into periods of ``mode`` with each period's levels.

    ``levels`` has ``previous_close`` and ``atr`` per period, labelled like the period's bar (for
    Day mode ``session_levels(daily_bars)``). Periods whose first session lies outside
    ``start``..``end`` (inclusive, ET dates) are dropped whole; periods without levels are
    skipped and counted. Raises ``DataError`` when nothing is left to scan.
    """
    _check_frame(bars, ("open", "high", "low"), "bars")
    _check_frame(levels, ("previous_close", "atr"), "levels")
    m = find_mode(mode)
    lo, hi = _day_number(start), _day_number(end)
    if lo is not None and hi is not None and lo > hi:
        raise InvalidArgumentError(f"start {start} is after end {end}")
    local_all = local_ns(bar_index(bars))
    rth = np.flatnonzero(rth_mask(local_all))
    if rth.size == 0:
        raise DataError("no regular-hours bars (09:30-16:00 ET) to scan")
    local = local_all[rth]
    keys, _ = bin_keys(local, timeframe(m.timeframe))
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    lengths = np.diff(np.r_[starts, keys.size])
    pc, atr = _level_arrays(levels, keys[starts], m.label, m.timeframe)
    day = local[starts] // NS_PER_DAY
    in_range = np.ones(starts.size, bool)
    if lo is not None:
        in_range &= day >= lo
    if hi is not None:
        in_range &= day <= hi
    if not in_range.any():
        first, last = (str(np.datetime64(int(d), "D")) for d in (day[0], day[-1]))
        raise DateOutOfRangeError(
            f"no sessions between {start or 'the start'} and {end or 'the end'}; the bars "
            f"cover {first} to {last}"
        )
    has_levels = np.isfinite(pc) & (np.nan_to_num(atr) > 0)
    keep = in_range & has_levels
    if not keep.any():
        raise DataError(
            "no session of the intraday bars has levels (period history too short, or levels "
            f"built for another mode than {m.label}?)"
        )
    sel = np.repeat(keep, lengths)
    lengths = lengths[keep]
    new_starts = np.r_[0, np.cumsum(lengths)[:-1]].astype(np.int64)
    positions = rth[sel]
    return SessionScan(
        index=bar_index(bars)[positions],
        open=bars["open"].to_numpy(np.float64)[positions],
        high=bars["high"].to_numpy(np.float64)[positions],
        low=bars["low"].to_numpy(np.float64)[positions],
        minute=((local % NS_PER_DAY) // NS_PER_MIN)[sel],
        starts=new_starts,
        ends=new_starts + lengths,
        period_of_bar=np.repeat(np.arange(lengths.size), lengths),
        dates=day[keep].astype("datetime64[D]"),
        pc=pc[keep],
        atr=atr[keep],
        without_levels=int((in_range & ~has_levels).sum()),
        mode=m.name,
    )


def _beyond(values: np.ndarray, level: np.ndarray | float, side: int) -> np.ndarray:
    return values >= level if side > 0 else values <= level


def level_prices(pc: np.ndarray, atr: np.ndarray, fraction: float) -> np.ndarray:
    """Return the level PC + fraction·ATR per period, added up as ``level_grid`` does (extensions
    from ±1 ATR, ±2.x from ±2 ATR) so that every value equals the grid's to the bit."""
    sign, k = (1.0 if fraction > 0 else -1.0), abs(float(fraction))
    if k <= 1:
        return pc + sign * k * atr
    one = pc + sign * atr
    if k <= 2:
        return one + sign * atr if k == 2 else one + sign * round(k - 1, 3) * atr
    two = one + sign * atr
    return two + sign * atr if k == 3 else two + sign * round(k - 2, 3) * atr


def scan_conditions(
    scan: SessionScan, touch: np.ndarray, where: Conditions, indicator_bars: pd.DataFrame
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Return ``(session_ok, trigger_ok)`` per period of ``scan`` (see ``core.conditions``), the
    ribbon and oscillator read at the bars ``touch`` (scan positions, -1 none), computed on
    ``indicator_bars`` (give all the intraday history there is: the EMAs are recursive)."""
    context = session_context(scan.dates, scan.first_open, scan.pc, scan.atr)
    return condition_masks(where, context, scan.times(touch), indicator_bars)


@dataclass(frozen=True)
class Trace:
    """Per period: the bar that touched A and the bar that reached B (scan positions, -1 none)."""

    touch: np.ndarray
    reach: np.ndarray
    at_open: np.ndarray
    """The period opened at or beyond A (bucket ``open``)."""
    excluded: np.ndarray
    direction: int
    """+1 when B lies above A, -1 below."""


def trace(scan: SessionScan, from_fraction: float, to_fraction: float) -> Trace:
    """Return where each period of ``scan`` touched PC + from·ATR and then reached PC + to·ATR
    (rules in the module docstring)."""
    fa, fb = float(from_fraction), float(to_fraction)
    if fa == fb:
        raise InvalidArgumentError("from and to are the same level")
    d = 1 if fb > fa else -1
    a, b = level_prices(scan.pc, scan.atr, fa), level_prices(scan.pc, scan.atr, fb)
    a_bar, b_bar = scan.per_bar(a), scan.per_bar(b)
    if fa == 0:
        hit_a = (scan.low <= a_bar) & (scan.high >= a_bar)
        at_open = scan.first_open == a
    else:
        side = 1 if fa > 0 else -1
        hit_a = _beyond(scan.high if side > 0 else scan.low, a_bar, side)
        at_open = _beyond(scan.first_open, a, side)
    excluded = at_open & _beyond(scan.first_open, b, d)
    touch = np.where(excluded, -1, scan.first(hit_a))
    touched = touch >= 0
    safe = np.where(touched, touch, scan.ends - 1)
    continuation = fa != 0 and (fa > 0) == (d > 0)
    same_bar = continuation | (d * (scan.open[safe] - a) <= 0)
    not_before = np.where(touched, safe + (~same_bar).astype(np.int64), scan.ends)
    hit_b = _beyond(scan.high if d > 0 else scan.low, b_bar, d)
    reach = np.where(touched, scan.first(hit_b, not_before), -1)
    return Trace(
        touch=touch, reach=reach, at_open=at_open & touched, excluded=excluded, direction=d
    )


def reached_anytime(scan: SessionScan, fraction: float) -> NDArray[np.bool_]:
    """Return per period whether price reached PC + fraction·ATR at any time in the period: a
    bar's high ≥ the level (above PC) or low ≤ it (below PC); a period opening at or beyond the
    level reached it. ``fraction`` must not be 0."""
    if fraction == 0:
        raise InvalidArgumentError("reaching the previous close at any time is a touch of it")
    side = 1 if fraction > 0 else -1
    level = level_prices(scan.pc, scan.atr, float(fraction))
    hit = _beyond(scan.high if side > 0 else scan.low, scan.per_bar(level), side)
    return np.asarray((scan.first(hit) >= 0) | _beyond(scan.first_open, level, side))


@dataclass(frozen=True)
class LevelToLevel:
    """How often price reached level B after touching level A within the same period."""

    from_level: str
    to_level: str
    sessions: int
    """Periods scanned (sessions in Day mode)."""
    excluded: int
    """Periods that opened beyond both A and B (not counted as touches)."""
    touched: int
    reached: int
    by_touch_bucket: dict[str, tuple[int, int]]
    """Bucket of A's touch → (touched, reached)."""
    first_date: str
    last_date: str
    direction: str = "up"
    """``up`` when B lies above A, else ``down``."""
    mode: str = "day"
    median_minutes_to_reach: float | None = None
    sessions_without_levels: int = 0
    sessions_scanned: int | None = None
    """Periods scanned before any condition (``sessions`` counts those meeting them)."""
    conditions: tuple[str, ...] = ()
    """The conditions applied, in words (``Conditions.describe``); empty = none."""
    reached_any: int | None = None
    """A = "0" only: of the ``sessions`` periods, those in which price reached B at any time,
    whether or not it traded through PC (the every-session reading; ``reached_anytime``). None
    for another A, or when a condition is read at the touch (there is no touch to read it at)."""
    session_dates: tuple[str, ...] = ()
    """Every period scanned (before conditions), ISO dates ascending: the sample whose data gaps
    a caller reports (``core.counts.data_gaps``)."""

    @property
    def rate(self) -> float | None:
        """Return reached / touched in percent (unrounded), None when A was never touched."""
        return None if self.touched == 0 else 100.0 * self.reached / self.touched

    @property
    def rate_any(self) -> float | None:
        """Return reached_any / sessions in percent (unrounded): the every-session reading of
        "0 → B"; None for another A, without sessions or without that count."""
        if self.reached_any is None or self.sessions == 0:
            return None
        return 100.0 * self.reached_any / self.sessions

    def to_dict(self) -> dict[str, object]:
        """Return the result as JSON-ready data (raw counts, unrounded rate)."""
        out = asdict(self)
        out["by_touch_bucket"] = {k: list(v) for k, v in self.by_touch_bucket.items()}
        out["rate"] = self.rate
        out["rate_any"] = self.rate_any
        return out


def level_to_level(
    bars: pd.DataFrame,
    levels: pd.DataFrame,
    from_level: str,
    to_level: str,
    *,
    mode: str = "day",
    start: DateLike = None,
    end: DateLike = None,
    where: Conditions | None = None,
    indicator_bars: pd.DataFrame | None = None,
) -> LevelToLevel:
    """Return the odds of reaching ``to_level`` after touching ``from_level`` in the same period.

    Levels are grid keys or text ``parse_level_key`` accepts ("+0.236", "-61.8%", "0", "1").
    ``levels`` and ``mode`` as for ``scan_sessions``; the rules are in the module docstring.
    The result counts sessions touching A and reaching B, by the bucket of A's touch. For
    A = "0" it also counts ``reached_any``: the sessions that reached B at any time, touch or not
    (the spec's "0 → +1 ATR ≈ 14 %" is that share of all sessions), on the same periods.

    With ``where`` (``core.conditions``), ``sessions``, ``excluded`` and the dates count only the
    periods meeting its weekday and open-location conditions, and a touch counts only when its
    period does and the ribbon/oscillator conditions held at the touch, read on
    ``indicator_bars`` (default ``bars``; pass the whole intraday history when ``bars`` is a
    slice, so the EMAs are warmed up). Without it the result is exactly the unconditional one.
    """
    a_key, b_key = parse_level_key(from_level), parse_level_key(to_level)
    if a_key == b_key:
        raise InvalidArgumentError(f"from and to are the same level ({a_key})")
    scan = scan_sessions(bars, levels, mode=mode, start=start, end=end)
    tr = trace(scan, float(a_key), float(b_key))
    touch, reach, kept = tr.touch, tr.reach, np.ones(scan.pc.size, bool)
    words: tuple[str, ...] = ()
    if where is not None and not where.empty:
        kept, at_touch = scan_conditions(
            scan, tr.touch, where, bars if indicator_bars is None else indicator_bars
        )
        touch, reach = np.where(kept & at_touch, touch, -1), np.where(kept & at_touch, reach, -1)
        name = "the previous close" if a_key == "0" else a_key
        words = tuple(where.describe(f"touched {name}", f"the touch of {name}"))
    touched, reached = touch >= 0, reach >= 0
    codes = scan.bucket_codes(touch, tr.at_open)
    n_touch = np.bincount(codes[touched], minlength=len(BUCKETS))
    n_reach = np.bincount(codes[reached], minlength=len(BUCKETS))
    minutes = pd.Series(scan.elapsed_minutes(touch, reach)).dropna()
    dates = scan.dates[kept]
    reached_any = None
    if a_key == "0" and (where is None or not where.at_trigger):
        reached_any = int((reached_anytime(scan, float(b_key)) & kept).sum())
    return LevelToLevel(
        from_level=a_key,
        to_level=b_key,
        sessions=int(kept.sum()),
        excluded=int((tr.excluded & kept).sum()),
        touched=int(touched.sum()),
        reached=int(reached.sum()),
        by_touch_bucket={
            bucket: (int(n_touch[i]), int(n_reach[i])) for i, bucket in enumerate(BUCKETS)
        },
        first_date=str(dates[0]) if dates.size else "",
        last_date=str(dates[-1]) if dates.size else "",
        direction="up" if tr.direction > 0 else "down",
        mode=scan.mode,
        median_minutes_to_reach=float(minutes.median()) if len(minutes) else None,
        sessions_without_levels=scan.without_levels,
        sessions_scanned=int(scan.pc.size),
        conditions=words,
        reached_any=reached_any,
        session_dates=tuple(str(d) for d in scan.dates),
    )
