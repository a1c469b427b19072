"""Data-quality report for bar frames: session gaps, bad highs/lows, duplicates, bad prices."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from core.bars import NS_PER_DAY, NS_PER_MIN, RTH_CLOSE_MIN, RTH_OPEN_MIN, local_ns, timeframe
from core.calendar import early_close


@dataclass
class QualityReport:
    """Problems found in one series; ``ok`` when there are none."""

    bars: int
    sessions: int
    first: str
    last: str
    gaps: list[tuple[str, int]] = field(default_factory=list)
    """(session date, missing bars) for intraday sessions with holes."""
    bad_ohlc: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    non_positive: list[str] = field(default_factory=list)
    unsorted: int = 0

    @property
    def ok(self) -> bool:
        """Return True when no problem was found."""
        return not (
            self.gaps or self.bad_ohlc or self.duplicates or self.non_positive or self.unsorted
        )

    def lines(self) -> list[str]:
        """Return the report as readable lines."""
        out = [f"{self.bars} bars, {self.sessions} sessions, {self.first} to {self.last}"]
        if self.ok:
            return [*out, "no problems found"]
        for name, items in (
            ("sessions with missing bars", self.gaps),
            ("bad high/low", self.bad_ohlc),
            ("duplicate timestamps", self.duplicates),
            ("non-positive prices", self.non_positive),
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
    idx = bars.index
    stamps = [str(t) for t in idx]
    ns = idx.as_unit("ns").asi8
    o, h, lo, c = (bars[k].to_numpy(dtype=float) for k in ("open", "high", "low", "close"))
    bad = (lo > np.minimum(o, c)) | (h < np.maximum(o, c)) | (h < lo)
    report = QualityReport(
        bars=len(bars),
        sessions=0,
        first=stamps[0] if stamps else "",
        last=stamps[-1] if stamps else "",
        bad_ohlc=[stamps[i] for i in np.flatnonzero(bad)],
        duplicates=[stamps[i] for i in np.flatnonzero(np.r_[False, np.diff(ns) == 0])],
        non_positive=[
            stamps[i] for i in np.flatnonzero((np.vstack((o, h, lo, c)) <= 0).any(axis=0))
        ],
        unsorted=int((np.diff(ns) < 0).sum()),
    )
    if not len(bars):
        return report
    local = local_ns(idx)
    day = local // NS_PER_DAY
    days, counts = np.unique(day, return_counts=True)
    report.sessions = int(days.size)
    if tf.intraday:
        for d, n in zip(days, counts, strict=True):
            date = pd.Timestamp(int(d) * NS_PER_DAY).date()
            close_min = 13 * 60 if early_close(date) else RTH_CLOSE_MIN
            expected = -(-(close_min - RTH_OPEN_MIN) * NS_PER_MIN // (tf.minutes * NS_PER_MIN))
            if n < expected:
                report.gaps.append((str(date), int(expected - n)))
    return report
