"""Data-quality report for bar frames: session gaps, bad highs/lows, duplicates, bad prices.

Works on any frame with OHLC columns and a tz-aware index, valid or not (it is how bad data is
described, so it never raises on it). Intraday sessions are 09:30-16:00 ET, 13:00 on the NYSE
early-close days (``core.calendar``); a session's expected bars are its slots of the bar size.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.bars import (
    NS_PER_DAY,
    NS_PER_MIN,
    RTH_CLOSE_MIN,
    RTH_OPEN_MIN,
    bar_index,
    local_ns,
    timeframe,
)
from core.calendar import early_close


@dataclass
class QualityReport:
    """Problems found in one series; ``ok`` when there are none. Timestamps are ET strings."""

    bars: int
    sessions: int
    first: str
    last: str
    gaps: list[tuple[str, int]] = field(default_factory=list)
    """(session date, missing bars) for intraday sessions with holes inside regular hours."""
    bad_ohlc: list[str] = field(default_factory=list)
    """Bars whose high is below max(open, close) or low above min(open, close)."""
    duplicates: list[str] = field(default_factory=list)
    """Timestamps that occur more than once (each repeat listed)."""
    non_positive: list[str] = field(default_factory=list)
    """Bars with a price that is zero, negative or not a number."""
    outside_hours: list[str] = field(default_factory=list)
    """Intraday bars that start outside the regular session."""
    unsorted: int = 0
    """Number of timestamps earlier than the one before them."""

    @property
    def ok(self) -> bool:
        """Return True when no problem was found."""
        return not (
            self.gaps
            or self.bad_ohlc
            or self.duplicates
            or self.non_positive
            or self.outside_hours
            or self.unsorted
        )

    def lines(self) -> list[str]:
        """Return the report as readable lines (a summary, then one line per problem kind)."""
        out = [f"{self.bars} bars, {self.sessions} sessions, {self.first} to {self.last}"]
        if self.ok:
            return [*out, "no problems found"]
        for name, items in (
            ("sessions with missing bars", [f"{d} ({n} missing)" for d, n in self.gaps]),
            ("bad high/low", self.bad_ohlc),
            ("duplicate timestamps", self.duplicates),
            ("non-positive prices", self.non_positive),
            ("bars outside regular hours", self.outside_hours),
        ):
            if items:
                shown = ", ".join(str(i) for i in items[:10])
                more = f" (+{len(items) - 10} more)" if len(items) > 10 else ""
                out.append(f"{name}: {len(items)}: {shown}{more}")
        if self.unsorted:
            out.append(f"out-of-order timestamps: {self.unsorted}")
        return out


def check_bars(bars: pd.DataFrame, bar: str) -> QualityReport:
    """Return the quality report of a bar frame of size ``bar`` (validation never stops it)."""
    tf = timeframe(bar)
    idx = bar_index(bars)
    stamps = [str(t) for t in idx]
    ns = idx.as_unit("ns").asi8
    o, h, lo, c = (bars[k].to_numpy(dtype=float) for k in ("open", "high", "low", "close"))
    prices = np.vstack((o, h, lo, c))
    bad = (lo > np.minimum(o, c)) | (h < np.maximum(o, c)) | (h < lo)
    report = QualityReport(
        bars=len(bars),
        sessions=0,
        first=stamps[0] if stamps else "",
        last=stamps[-1] if stamps else "",
        bad_ohlc=[stamps[i] for i in np.flatnonzero(bad)],
        duplicates=[stamps[i] for i in np.flatnonzero(np.r_[False, np.diff(ns) == 0])],
        non_positive=[stamps[i] for i in np.flatnonzero(~(prices > 0).all(axis=0))],
        unsorted=int((np.diff(ns) < 0).sum()),
    )
    if not len(bars):
        return report
    local = local_ns(idx)
    day = local // NS_PER_DAY
    days = np.unique(day)
    report.sessions = int(days.size)
    if tf.intraday:
        _intraday_gaps(report, stamps, local, day, days, tf.minutes)
    return report


def _intraday_gaps(
    report: QualityReport,
    stamps: list[str],
    local: np.ndarray,
    day: np.ndarray,
    days: np.ndarray,
    minutes: int,
) -> None:
    dates = [pd.Timestamp(int(d) * NS_PER_DAY).date() for d in days]
    close_of_day = np.array([13 * 60 if early_close(d) else RTH_CLOSE_MIN for d in dates])
    close = close_of_day[np.searchsorted(days, day)]
    minute = (local - day * NS_PER_DAY) // NS_PER_MIN
    inside = (minute >= RTH_OPEN_MIN) & (minute < close)
    report.outside_hours = [stamps[i] for i in np.flatnonzero(~inside)]
    slots = np.unique(day[inside] * 10_000 + (minute[inside] - RTH_OPEN_MIN) // minutes)
    present = dict(zip(*np.unique(slots // 10_000, return_counts=True), strict=True))
    for d, date, close_min in zip(days, dates, close_of_day, strict=True):
        expected = -(-(int(close_min) - RTH_OPEN_MIN) // minutes)
        missing = expected - int(present.get(d, 0))
        if missing > 0:
            report.gaps.append((str(date), missing))
