"""Golden-gate detection and statistics, and their generalisation to level-to-level odds.

Definitions (domain spec §4.1, Day mode; decisions the spec leaves open are marked *):
- Levels per session: the Day previous close and rounded ATR in force (``session_levels``).
- Bull gate: trigger = first bar whose high ≥ PC + 0.382·ATR; completion = first bar at or after
  the trigger bar whose high ≥ PC + 0.618·ATR, the same session (so it may be the trigger bar).
  Bear mirrors with lows and the minus levels.
- Trigger bucket: ``open`` when the session's first trade (first bar's open) is already at or
  beyond ±0.382; else ``09`` (09:30-09:59), ``10`` … ``15`` by the trigger bar's start time.
  Completion hour likewise by the completing bar's start.
- *Sessions whose first trade is at or beyond ±0.618 have no gate and are counted as excluded.
- *Failure: a bar strictly after the trigger bar and strictly before the completion bar whose
  low < PC + 0.236·ATR (bear: high > PC − 0.236·ATR). Within one bar the order of high and low is
  unknown, so the trigger and completion bars never count as failures.
- Level-to-level: A is touched at the first bar at or beyond A on A's side of the previous close
  (at the open if the session opens beyond it); B is reached at or beyond B in the direction
  A → B, at or after A's bar for a continuation (B farther from PC than A), *strictly after it
  for a reversal (price must turn, which one bar cannot show). *Continuation sessions that open
  already beyond B are excluded, as gates opening beyond the midrange are.
All scans are vectorised over bars with per-session ``np.minimum.reduceat``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from core.bars import NS_PER_DAY, NS_PER_MIN, local_ns
from core.errors import DataError, InvalidArgumentError
from core.levels import parse_level_key

BUCKETS = ("open", "09", "10", "11", "12", "13", "14", "15")
HOURS = ("09", "10", "11", "12", "13", "14", "15")
_NONE = np.iinfo(np.int64).max


@dataclass(frozen=True)
class _Sessions:
    """Intraday bars cut into sessions, aligned with each session's levels."""

    high: np.ndarray
    low: np.ndarray
    minute: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    dates: np.ndarray
    pc: np.ndarray
    atr: np.ndarray
    first_open: np.ndarray
    session_of_bar: np.ndarray


def _sessions(bars: pd.DataFrame, levels: pd.DataFrame) -> _Sessions:
    if bars.empty:
        raise DataError("no intraday bars to scan")
    local = local_ns(bars.index)
    day = local // NS_PER_DAY
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    ends = np.r_[starts[1:], day.size]
    sess_day = day[starts]
    lv_day = local_ns(levels.index) // NS_PER_DAY
    pos = np.searchsorted(lv_day, sess_day)
    pos = np.minimum(pos, lv_day.size - 1)
    found = lv_day[pos] == sess_day
    pc = np.where(found, levels["previous_close"].to_numpy()[pos], np.nan)
    atr = np.where(found, levels["atr"].to_numpy()[pos], np.nan)
    keep = np.isfinite(pc) & np.isfinite(atr)
    if not keep.any():
        raise DataError("no session of the intraday bars has levels (daily history too short?)")
    idx = np.flatnonzero(np.repeat(keep, ends - starts))  # bars of the sessions that have levels
    starts, ends, sess_day, pc, atr = starts[keep], ends[keep], sess_day[keep], pc[keep], atr[keep]
    lengths = ends - starts
    new_starts = np.r_[0, np.cumsum(lengths)[:-1]]
    minute = ((local - day * NS_PER_DAY) // NS_PER_MIN)[idx]
    opens = bars["open"].to_numpy()[starts]
    return _Sessions(
        high=bars["high"].to_numpy()[idx],
        low=bars["low"].to_numpy()[idx],
        minute=minute,
        starts=new_starts,
        ends=new_starts + lengths,
        dates=sess_day.astype("datetime64[D]"),
        pc=pc,
        atr=atr,
        first_open=opens,
        session_of_bar=np.repeat(np.arange(lengths.size), lengths),
    )


def _first(cond: np.ndarray, s: _Sessions, not_before: np.ndarray | None = None) -> np.ndarray:
    """Return per session the first bar index (global) where ``cond`` holds at/after
    ``not_before`` (per session), or -1."""
    pos = np.arange(cond.size)
    ok = cond if not_before is None else cond & (pos >= not_before[s.session_of_bar])
    first = np.minimum.reduceat(np.where(ok, pos, _NONE), s.starts)
    return np.where(first < s.ends, first, -1)


def _bucket(minute: np.ndarray) -> np.ndarray:
    hour = minute // 60
    return np.where(hour <= 9, "09", np.char.zfill(hour.astype(str), 2))


def _beyond(values: np.ndarray, level: np.ndarray, side: int) -> np.ndarray:
    return values >= level if side > 0 else values <= level


def gate_sessions(
    bars: pd.DataFrame,
    levels: pd.DataFrame,
    direction: str = "bull",
    trigger: float = 0.382,
    target: float = 0.618,
    fail: float = 0.236,
) -> pd.DataFrame:
    """Return one row per session: date, previous_close, atr, excluded, triggered,
    trigger_time, trigger_bucket, trigger_price, completed, completion_time, completion_hour,
    failed, failure_time, minutes_to_complete.

    ``levels`` holds ``previous_close`` and ``atr`` per session date (``session_levels``);
    ``trigger``/``target``/``fail`` default to the golden gate (momentum gate: 1.382/1.618/1.236).
    """
    if direction not in ("bull", "bear"):
        raise InvalidArgumentError(f"direction must be bull or bear, got {direction!r}")
    side = 1 if direction == "bull" else -1
    s = _sessions(bars, levels)
    trig, done, back = (s.pc + side * f * s.atr for f in (trigger, target, fail))
    extreme = s.high if side > 0 else s.low
    excluded = _beyond(s.first_open, done, side)
    opened = _beyond(s.first_open, trig, side) & ~excluded
    t_idx = _first(_beyond(extreme, trig[s.session_of_bar], side), s)
    t_idx = np.where(excluded, -1, t_idx)
    has_t = t_idx >= 0
    safe_t = np.where(has_t, t_idx, s.ends - 1)
    c_idx = _first(_beyond(extreme, done[s.session_of_bar], side), s, not_before=safe_t)
    c_idx = np.where(has_t, c_idx, -1)
    counter = s.low < back[s.session_of_bar] if side > 0 else s.high > back[s.session_of_bar]
    f_idx = _first(counter, s, not_before=safe_t + 1)
    failed = has_t & (f_idx >= 0) & ((c_idx < 0) | (f_idx < c_idx))
    t_min, c_min, f_min = (
        np.where(i >= 0, s.minute[np.maximum(i, 0)], -1) for i in (t_idx, c_idx, f_idx)
    )
    bucket = np.where(~has_t, "", np.where(opened, "open", _bucket(t_min)))
    days = s.dates.astype("datetime64[ns]").astype(np.int64)

    def stamp(mins: np.ndarray, valid: np.ndarray) -> pd.DatetimeIndex:
        ns = days + np.where(valid, mins, 0) * NS_PER_MIN
        out = pd.DatetimeIndex(ns).tz_localize("America/New_York")
        return out.where(valid)

    return pd.DataFrame(
        {
            "date": s.dates,
            "previous_close": s.pc,
            "atr": s.atr,
            "excluded": excluded,
            "triggered": has_t,
            "trigger_time": stamp(t_min, has_t),
            "trigger_bucket": bucket,
            "trigger_price": trig,
            "completed": c_idx >= 0,
            "completion_time": stamp(c_min, c_idx >= 0),
            "completion_hour": np.where(c_idx >= 0, _bucket(c_min), ""),
            "failed": failed,
            "failure_time": stamp(f_min, failed),
            "minutes_to_complete": np.where(c_idx >= 0, c_min - t_min, -1),
        }
    )


@dataclass(frozen=True)
class GateRow:
    """One trigger bucket: how many triggered, how many completed in each hour."""

    bucket: str
    triggers: int
    completions: int
    by_hour: dict[str, int]

    @property
    def rate(self) -> float | None:
        """Return the completion rate in percent, None without triggers."""
        return None if self.triggers == 0 else 100.0 * self.completions / self.triggers


@dataclass(frozen=True)
class GateStats:
    """Completion statistics of one gate direction with the sample behind them."""

    direction: str
    rows: list[GateRow]
    sessions: int
    excluded: int
    first_date: str
    last_date: str
    failures: int = 0
    median_minutes_to_complete: float | None = None
    buckets: list[str] = field(default_factory=lambda: list(BUCKETS))

    @property
    def triggers(self) -> int:
        """Return the number of triggers across the chosen buckets."""
        return sum(r.triggers for r in self.rows)

    @property
    def completions(self) -> int:
        """Return the number of completions across the chosen buckets."""
        return sum(r.completions for r in self.rows)

    def to_dict(self) -> dict[str, object]:
        """Return the statistics as JSON-ready data (raw counts; rates unrounded)."""
        out = asdict(self)
        out["rows"] = [{**asdict(r), "rate": r.rate} for r in self.rows]
        out["triggers"], out["completions"] = self.triggers, self.completions
        return out


def gate_stats(detail: pd.DataFrame, direction: str, buckets: list[str] | None = None) -> GateStats:
    """Return the trigger-bucket × completion-hour table from ``gate_sessions`` output."""
    chosen = list(BUCKETS) if not buckets else [b for b in BUCKETS if b in set(buckets)]
    bad = set(buckets or ()) - set(BUCKETS)
    if bad:
        raise InvalidArgumentError(f"unknown trigger bucket(s) {sorted(bad)}; accepted: {BUCKETS}")
    trig = detail[detail["triggered"]]
    rows = []
    for b in chosen:
        part = trig[trig["trigger_bucket"] == b]
        done = part[part["completed"]]
        counts = done["completion_hour"].value_counts()
        rows.append(GateRow(b, len(part), len(done), {h: int(counts.get(h, 0)) for h in HOURS}))
    in_rows = trig[trig["trigger_bucket"].isin(chosen)]
    minutes = in_rows.loc[in_rows["completed"], "minutes_to_complete"]
    dates = detail["date"]
    return GateStats(
        direction=direction,
        rows=rows,
        sessions=len(detail),
        excluded=int(detail["excluded"].sum()),
        first_date=str(dates.min())[:10] if len(dates) else "",
        last_date=str(dates.max())[:10] if len(dates) else "",
        failures=int(in_rows["failed"].sum()),
        median_minutes_to_complete=float(minutes.median()) if len(minutes) else None,
        buckets=chosen,
    )


@dataclass(frozen=True)
class LevelToLevel:
    """How often price reached level B after touching level A in the same session."""

    from_level: str
    to_level: str
    sessions: int
    excluded: int
    touched: int
    reached: int
    by_touch_bucket: dict[str, tuple[int, int]]
    first_date: str
    last_date: str

    @property
    def rate(self) -> float | None:
        """Return reached / touched in percent, None when A was never touched."""
        return None if self.touched == 0 else 100.0 * self.reached / self.touched

    def to_dict(self) -> dict[str, object]:
        """Return the result as JSON-ready data."""
        return {**asdict(self), "rate": self.rate}


def level_to_level(
    bars: pd.DataFrame, levels: pd.DataFrame, from_level: str, to_level: str
) -> LevelToLevel:
    """Return the odds of reaching ``to_level`` after touching ``from_level`` the same session
    (keys such as "+0.236", "-0.618", "0"; see the module docstring for the rules)."""
    a_key, b_key = parse_level_key(from_level), parse_level_key(to_level)
    if a_key == b_key:
        raise InvalidArgumentError("from and to are the same level")
    fa, fb = float(a_key), float(b_key)
    d = 1 if fb > fa else -1
    side_a = int(np.sign(fa)) or d
    continuation = side_a == d and abs(fb) > abs(fa)
    s = _sessions(bars, levels)
    a_price, b_price = s.pc + fa * s.atr, s.pc + fb * s.atr
    reach_a = s.high if side_a > 0 else s.low
    reach_b = s.high if d > 0 else s.low
    excluded = _beyond(s.first_open, b_price, d) if continuation else np.zeros(s.pc.size, bool)
    at_open = _beyond(s.first_open, a_price, side_a)
    a_idx = np.where(excluded, -1, _first(_beyond(reach_a, a_price[s.session_of_bar], side_a), s))
    touched = a_idx >= 0
    start = np.where(touched, a_idx + (0 if continuation else 1), s.ends)
    b_idx = _first(_beyond(reach_b, b_price[s.session_of_bar], d), s, not_before=start)
    reached = touched & (b_idx >= 0)
    minute = np.where(touched, s.minute[np.maximum(a_idx, 0)], -1)
    bucket = np.where(at_open & touched, "open", _bucket(minute))
    by_bucket = {
        b: (int((touched & (bucket == b)).sum()), int((reached & (bucket == b)).sum()))
        for b in BUCKETS
    }
    return LevelToLevel(
        from_level=a_key,
        to_level=b_key,
        sessions=int(s.pc.size),
        excluded=int(excluded.sum()),
        touched=int(touched.sum()),
        reached=int(reached.sum()),
        by_touch_bucket=by_bucket,
        first_date=str(s.dates.min()),
        last_date=str(s.dates.max()),
    )
