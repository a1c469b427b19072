"""Golden-gate detection and completion statistics (domain spec §4.1).

Rules (Day mode unless a mode is given; * marks a decision the spec leaves open):
- Bull gate: trigger = the session's first bar whose high ≥ PC + 0.382·ATR; completion = the first
  bar at or after the trigger bar (so possibly the trigger bar) whose high ≥ PC + 0.618·ATR, in
  the same session. Bear mirrors with lows and the minus levels. This is exactly the
  level-to-level pair +0.382 → +0.618 of ``core.levelstats`` (same scan, same rules).
- Trigger bucket ``open`` when the session's first bar opens at or beyond ±0.382, else ``09``
  (09:30-09:59), ``10`` … ``15`` by the trigger bar's start (ET); completion hour likewise.
- *Sessions whose first bar opens at or beyond ±0.618 have no gate: ``excluded``, counted apart.
- *Failure (its own field; a failed gate may still complete later): price touches ±0.236 again
  before the completion bar: a bar whose low ≤ PC + 0.236·ATR (bear: high ≥ PC − 0.236·ATR; a
  touch counts, as for every level on bars and in spec §10 ex. 7), i.e. the level-to-level
  reversal +0.382 → +0.236. Hence the trigger bar counts only when it opened at or beyond the
  trigger (open bucket or a gap: the dip surely came after); the completion bar never counts.
- *``gate_stats(open_beyond="open_completions")`` counts the excluded sessions instead as
  ``open``-bucket triggers completed in hour ``09`` (trigger and completion at 09:30, 0 minutes,
  no failure), as the spec's 10-year table appears to; by default they are left out.
- Momentum gate: ``trigger=1.382, target=1.618, fail=1.236``.
- Conditions (``core.conditions``): ``gate_sessions(where=...)`` marks each row with
  ``session_ok`` (weekday, open location) and ``trigger_ok`` (ribbon, oscillator zone at the
  trigger); ``gate_stats`` then counts only ``session_ok`` sessions and ``trigger_ok`` triggers.
Counts are raw; percentages are computed unrounded and rounded only by whoever displays them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from core.checks import one_of
from core.conditions import Conditions
from core.errors import InvalidArgumentError
from core.levelstats import (
    BUCKETS,
    HOURS,
    DateLike,
    LevelToLevel,
    SessionScan,
    level_prices,
    level_to_level,
    scan_conditions,
    scan_sessions,
    trace,
)

DIRECTIONS = ("bull", "bear")
OPEN_BEYOND = ("excluded", "open_completions")
"""How ``gate_stats`` treats sessions opening beyond the completion level (module docstring)."""
_BUCKET_NAMES = np.asarray(("", *BUCKETS), dtype=object)
_HOUR_NAMES = np.asarray(("", *HOURS), dtype=object)


def _gate_frame(
    scan: SessionScan,
    direction: str,
    levels: tuple[float, float, float],
    where: Conditions | None,
    indicator_bars: pd.DataFrame,
) -> pd.DataFrame:
    trigger, target, fail = levels
    side = 1 if direction == "bull" else -1
    gate = trace(scan, side * trigger, side * target)
    t, c = gate.touch, gate.reach
    has_t, done = t >= 0, gate.reach >= 0
    trig_price = level_prices(scan.pc, scan.atr, side * trigger)
    back = trace(scan, side * trigger, side * fail).reach  # the failure is a reversal to ±fail
    failed = has_t & (back >= 0) & (~done | (back < c))
    f = np.where(failed, back, -1)
    t_code = scan.bucket_codes(t, gate.at_open)
    c_code = scan.bucket_codes(c, np.zeros(c.size, bool))  # 1..7 = 09..15
    frame = pd.DataFrame(
        {
            "date": scan.dates,
            "direction": direction,
            "previous_close": scan.pc,
            "atr": scan.atr,
            "excluded": gate.excluded,
            "triggered": has_t,
            "trigger_time": scan.times(t),
            "trigger_bucket": _BUCKET_NAMES[t_code + 1],
            "trigger_price": trig_price,
            "completed": done,
            "completion_time": scan.times(c),
            "completion_hour": _HOUR_NAMES[np.maximum(c_code, 0)],
            "failed": failed,
            "failure_time": scan.times(f),
            "minutes_to_complete": scan.elapsed_minutes(t, c),
        }
    )
    if where is not None:
        # an excluded session is read as an open-bucket trigger (first bar), for open_completions
        at = np.where(gate.excluded, scan.starts, t)
        frame["session_ok"], frame["trigger_ok"] = scan_conditions(scan, at, where, indicator_bars)
    return frame


def gate_sessions(
    bars: pd.DataFrame,
    levels: pd.DataFrame,
    direction: str = "bull",
    trigger: float = 0.382,
    target: float = 0.618,
    fail: float = 0.236,
    *,
    mode: str = "day",
    start: DateLike = None,
    end: DateLike = None,
    where: Conditions | None = None,
    indicator_bars: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return one row per session and direction describing its golden gate.

    Columns: date, direction, previous_close, atr, excluded (opened beyond the target: no gate),
    triggered, trigger_time, trigger_bucket, trigger_price (the trigger level), completed,
    completion_time, completion_hour, failed, failure_time, minutes_to_complete. Times are bar
    starts in ET (NaT when absent), buckets/hours are strings ("" when absent), minutes are
    elapsed whole minutes (<NA> when not completed).

    Args:
        bars: Intraday bars (regular hours are used; 5-minute or finer for exact hours).
        levels: ``previous_close`` and ``atr`` per session, e.g. ``session_levels(daily)``; for
            another ``mode`` the same built from that mode's period bars.
        direction: ``bull``, ``bear`` or ``both`` (bull rows, then bear rows).
        trigger: ATR fraction of the trigger level (1.382 for the momentum gate).
        target: ATR fraction of the completion level (1.618 for the momentum gate).
        fail: ATR fraction the price must fall back through for a failure (1.236 for momentum).
        mode: Levels mode whose period bounds a gate (``day`` = the session).
        start: First session date to scan (inclusive), None for all.
        end: Last session date to scan (inclusive), None for all.
        where: Conditions to mark: adds boolean columns ``session_ok`` (weekday and open
            location hold) and ``trigger_ok`` (ribbon and oscillator zone held at the trigger,
            read as ``core.conditions`` says; False without a trigger, except that an excluded
            session is read at its first bar, as an ``open`` trigger would be, for
            ``gate_stats(open_beyond="open_completions")``). None adds nothing.
        indicator_bars: Bars the ribbon and oscillator are computed on (default ``bars``; pass
            the whole intraday history when ``bars`` is a slice, so the EMAs are warmed up).
    """
    if direction not in (*DIRECTIONS, "both"):
        raise InvalidArgumentError(f"direction must be bull, bear or both, got {direction!r}")
    if not 0 <= fail < trigger < target:
        raise InvalidArgumentError(
            f"need 0 <= fail < trigger < target (ATR fractions), got {fail}, {trigger}, {target}"
        )
    scan = scan_sessions(bars, levels, mode=mode, start=start, end=end)
    sides = DIRECTIONS if direction == "both" else (direction,)
    ind = bars if indicator_bars is None else indicator_bars
    frames = [_gate_frame(scan, side, (trigger, target, fail), where, ind) for side in sides]
    return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)


@dataclass(frozen=True)
class GateRow:
    """One trigger bucket: its triggers and how many completed in each hour."""

    bucket: str
    triggers: int
    completions: int
    by_hour: dict[str, int]
    """Completion hour ("09".."15") → completions."""
    failures: int = 0
    """Triggers that fell back through the trigger level before completing (some completed
    later: see ``recoveries``)."""
    recoveries: int = 0
    """Triggers that fell back first and still completed later the same session."""

    @property
    def rate(self) -> float | None:
        """Return the completion rate in percent (unrounded), None without triggers."""
        return None if self.triggers == 0 else 100.0 * self.completions / self.triggers

    @property
    def pct_by_hour(self) -> dict[str, float | None]:
        """Return each completion hour's share of this row's triggers in percent (unrounded)."""
        return {
            h: None if not self.triggers else 100.0 * n / self.triggers
            for h, n in self.by_hour.items()
        }

    def to_dict(self) -> dict[str, object]:
        """Return the row as JSON-ready data: counts, rate and per-hour percentages."""
        return {**asdict(self), "rate": self.rate, "pct_by_hour": self.pct_by_hour}


@dataclass(frozen=True)
class GateStats:
    """Completion statistics of one gate direction with the sample behind them."""

    direction: str
    rows: list[GateRow]
    sessions: int
    """Sessions scanned (including excluded ones and those that never triggered)."""
    excluded: int
    """Sessions that opened beyond the completion level (no gate)."""
    first_date: str
    last_date: str
    failures: int = 0
    median_minutes_to_complete: float | None = None
    buckets: list[str] = field(default_factory=lambda: list(BUCKETS))
    recoveries: int = 0
    """Failures that completed later the same session (counted in the completions too)."""
    open_beyond: str = "excluded"
    """How the ``excluded`` sessions were treated: ``excluded`` (left out) or
    ``open_completions`` (counted as ``open`` triggers completed at 09:30)."""

    @property
    def triggers(self) -> int:
        """Return the number of triggers across the chosen buckets."""
        return sum(r.triggers for r in self.rows)

    @property
    def completions(self) -> int:
        """Return the number of completions across the chosen buckets."""
        return sum(r.completions for r in self.rows)

    @property
    def rate(self) -> float | None:
        """Return the overall completion rate in percent (unrounded), None without triggers."""
        return None if self.triggers == 0 else 100.0 * self.completions / self.triggers

    def row(self, bucket: str) -> GateRow:
        """Return the row of one trigger bucket; raise ``InvalidArgumentError`` if not chosen."""
        for r in self.rows:
            if r.bucket == bucket:
                return r
        raise InvalidArgumentError(f"no row {bucket!r}; rows: {[r.bucket for r in self.rows]}")

    def to_dict(self) -> dict[str, object]:
        """Return the statistics as JSON-ready data (raw counts; rates unrounded)."""
        out = asdict(self)
        out["rows"] = [r.to_dict() for r in self.rows]
        out["triggers"], out["completions"], out["rate"] = (
            self.triggers,
            self.completions,
            self.rate,
        )
        return out


def _bucket_filter(buckets: list[str] | None) -> list[str]:
    if not buckets:
        return list(BUCKETS)
    bad = set(buckets) - set(BUCKETS)
    if bad:
        raise InvalidArgumentError(f"unknown trigger bucket(s) {sorted(bad)}; accepted: {BUCKETS}")
    return [b for b in BUCKETS if b in set(buckets)]


def _date_filter(detail: pd.DataFrame, start: DateLike, end: DateLike) -> pd.DataFrame:
    dates = pd.to_datetime(detail["date"])
    keep = np.ones(len(detail), bool)
    if start is not None:
        keep &= (dates >= pd.Timestamp(pd.Timestamp(start).date())).to_numpy()
    if end is not None:
        keep &= (dates <= pd.Timestamp(pd.Timestamp(end).date())).to_numpy()
    return detail[keep]


def gate_stats(
    detail: pd.DataFrame,
    direction: str | None = None,
    buckets: list[str] | None = None,
    *,
    start: DateLike = None,
    end: DateLike = None,
    open_beyond: str = "excluded",
) -> GateStats:
    """Return the trigger-bucket × completion-hour table of ``gate_sessions`` output.

    Args:
        detail: Frame from ``gate_sessions`` (one or both directions).
        direction: ``bull`` or ``bear``; may be None when ``detail`` holds one direction.
        buckets: Keep only triggers in these buckets (e.g. after 1pm = ["13", "14", "15"]).
        start: First session date counted (inclusive), None for all.
        end: Last session date counted (inclusive), None for all.
        open_beyond: ``excluded`` leaves the sessions that opened at or beyond the completion
            level out of the rows; ``open_completions`` adds them to the ``open`` row as triggers
            completed in hour ``09`` (0 minutes, no failure). ``excluded`` counts them either way.

    When ``detail`` has the ``session_ok``/``trigger_ok`` columns of ``gate_sessions(where=...)``,
    only sessions with ``session_ok`` are counted (sessions, excluded, dates) and only triggers
    with ``trigger_ok`` (triggers, completions, failures, minutes).
    """
    present = list(pd.unique(detail["direction"])) if "direction" in detail else []
    if direction is None:
        if len(present) != 1:
            raise InvalidArgumentError(f"pick a direction: the detail holds {present}")
        direction = str(present[0])
    if direction not in DIRECTIONS:
        raise InvalidArgumentError(f"direction must be bull or bear, got {direction!r}")
    one_of(open_beyond, OPEN_BEYOND, "open_beyond")
    chosen = _bucket_filter(buckets)
    part = detail[detail["direction"] == direction] if present else detail
    part = _date_filter(part, start, end)
    if "session_ok" in part:
        part = part[part["session_ok"].to_numpy(bool)]
    t_code = pd.Index(BUCKETS).get_indexer(pd.Index(part["trigger_bucket"])).astype(np.int64)
    c_code = pd.Index(HOURS).get_indexer(pd.Index(part["completion_hour"])).astype(np.int64)
    completed = part["completed"].to_numpy(bool)
    minutes_all = part["minutes_to_complete"]
    if open_beyond == "open_completions":
        beyond = part["excluded"].to_numpy(bool)
        t_code, c_code = np.where(beyond, 0, t_code), np.where(beyond, 0, c_code)
        completed = completed | beyond
        minutes_all = minutes_all.mask(beyond, 0)
    trig = t_code >= 0
    if "trigger_ok" in part:
        trig &= part["trigger_ok"].to_numpy(bool)
    done = trig & completed & (c_code >= 0)
    failed = trig & part["failed"].to_numpy(bool)
    nb, nh = len(BUCKETS), len(HOURS)
    triggers = np.bincount(t_code[trig], minlength=nb)
    completions = np.bincount(t_code[done], minlength=nb)
    failures = np.bincount(t_code[failed], minlength=nb)
    recoveries = np.bincount(t_code[failed & done], minlength=nb)
    cells = np.bincount(t_code[done] * nh + c_code[done], minlength=nb * nh).reshape(nb, nh)
    rows = [
        GateRow(
            bucket=b,
            triggers=int(triggers[i]),
            completions=int(completions[i]),
            by_hour={h: int(cells[i, j]) for j, h in enumerate(HOURS)},
            failures=int(failures[i]),
            recoveries=int(recoveries[i]),
        )
        for i, b in enumerate(BUCKETS)
        if b in chosen
    ]
    in_rows = np.isin(t_code, [BUCKETS.index(b) for b in chosen])
    minutes = minutes_all[in_rows & done]
    dates = pd.to_datetime(part["date"])
    return GateStats(
        direction=direction,
        rows=rows,
        sessions=len(part),
        excluded=int(part["excluded"].sum()),
        first_date=f"{dates.min():%Y-%m-%d}" if len(part) else "",
        last_date=f"{dates.max():%Y-%m-%d}" if len(part) else "",
        failures=sum(r.failures for r in rows),
        recoveries=sum(r.recoveries for r in rows),
        median_minutes_to_complete=float(minutes.median()) if len(minutes) else None,
        buckets=chosen,
        open_beyond=open_beyond,
    )


def gate_statistics(
    bars: pd.DataFrame,
    levels: pd.DataFrame,
    direction: str = "bull",
    *,
    buckets: list[str] | None = None,
    mode: str = "day",
    start: DateLike = None,
    end: DateLike = None,
) -> GateStats:
    """Return the golden-gate statistics of one direction straight from bars and levels.

    Shorthand for ``gate_stats(gate_sessions(...), direction, buckets)``; see both.
    """
    detail = gate_sessions(bars, levels, direction, mode=mode, start=start, end=end)
    return gate_stats(detail, direction, buckets)


__all__ = [
    "BUCKETS",
    "DIRECTIONS",
    "HOURS",
    "OPEN_BEYOND",
    "GateRow",
    "GateStats",
    "LevelToLevel",
    "gate_sessions",
    "gate_statistics",
    "gate_stats",
    "level_to_level",
]
