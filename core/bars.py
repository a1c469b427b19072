"""The OHLCV bar frame contract, its validation, and session-aware resampling.

A *bar frame* is a ``pandas.DataFrame`` with float64 columns ``open, high, low, close, volume``
indexed by a timezone-aware ``DatetimeIndex`` in America/New_York (nanosecond unit), sorted, unique.
Intraday bars are labelled by their **start** time; daily and longer bars by the calendar start of
their period at 00:00 ET (a week starts on Monday, a quarter on Jan/Apr/Jul/Oct 1).

Resampling keeps regular trading hours only (09:30-16:00 ET). Intraday bins are anchored at the
09:30 open, so 1h bars start 09:30, 10:30, ... 15:30 (a half bar) and 4h bars 09:30 and 13:30.
Aggregation is first open, max high, min low, last close, summed volume. Empty periods produce no bar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from core.errors import DataError, InvalidArgumentError

EASTERN = "America/New_York"
COLUMNS = ("open", "high", "low", "close", "volume")
NS_PER_MIN = 60_000_000_000
NS_PER_HOUR = 60 * NS_PER_MIN
NS_PER_DAY = 24 * NS_PER_HOUR
RTH_OPEN_MIN = 9 * 60 + 30
RTH_CLOSE_MIN = 16 * 60


@dataclass(frozen=True)
class Timeframe:
    """A bar size: ``minutes`` for intraday bars, else a calendar ``period`` (D, W, M, Q, Y)."""

    name: str
    minutes: int = 0
    period: str = ""

    @property
    def intraday(self) -> bool:
        """Return True for bars shorter than a session."""
        return self.minutes > 0

    @property
    def rank(self) -> int:
        """Return a sortable size: minutes for intraday, a large number per calendar period."""
        if self.intraday:
            return self.minutes
        return {"D": 10**6, "W": 10**7, "M": 10**8, "Q": 10**9, "Y": 10**10}[self.period]


TIMEFRAMES: dict[str, Timeframe] = {
    tf.name: tf
    for tf in (
        *(Timeframe(f"{m}m", minutes=m) for m in (1, 2, 3, 5, 10, 15, 30)),
        Timeframe("1h", minutes=60),
        Timeframe("2h", minutes=120),
        Timeframe("4h", minutes=240),
        Timeframe("1d", period="D"),
        Timeframe("1w", period="W"),
        Timeframe("1mo", period="M"),
        Timeframe("1q", period="Q"),
        Timeframe("1y", period="Y"),
    )
}
_ALIASES = {
    "1min": "1m", "5min": "5m", "d": "1d", "day": "1d", "daily": "1d", "1day": "1d",
    "w": "1w", "week": "1w", "weekly": "1w", "1wk": "1w", "1M": "1mo", "m": "1mo",
    "month": "1mo", "monthly": "1mo", "q": "1q", "quarter": "1q", "quarterly": "1q",
    "y": "1y", "year": "1y", "yearly": "1y", "60m": "1h", "240m": "4h", "120m": "2h",
}


def timeframe(name: str | Timeframe) -> Timeframe:
    """Return the ``Timeframe`` for a name such as ``5m``, ``1h``, ``4h``, ``1d``, ``weekly``."""
    if isinstance(name, Timeframe):
        return name
    key = str(name).strip()
    key = _ALIASES.get(key, _ALIASES.get(key.lower(), key.lower()))
    if key not in TIMEFRAMES:
        raise InvalidArgumentError(
            f"unknown bar size {name!r}; accepted: {', '.join(TIMEFRAMES)} "
            "(also day/daily, week/weekly, month/monthly, quarter, year)"
        )
    return TIMEFRAMES[key]


def make_bars(index: pd.DatetimeIndex, data: dict[str, np.ndarray]) -> pd.DataFrame:
    """Return a bar frame from a tz-aware index and OHLCV arrays (converted to ET, ns, float64)."""
    if index.tz is None:
        raise DataError("bar timestamps must be timezone-aware (got naive timestamps)")
    idx = index.tz_convert(EASTERN).as_unit("ns")
    idx.name = "timestamp"
    frame = {c: np.asarray(data[c], dtype=np.float64) for c in COLUMNS}
    return pd.DataFrame(frame, index=idx)


def validate_bars(bars: pd.DataFrame, source: str = "bars", row_offset: int = 0) -> pd.DataFrame:
    """Return ``bars`` unchanged if it obeys the bar contract, else raise ``DataError``.

    Rules: tz-aware sorted unique index; finite positive prices; ``low <= min(open, close)``;
    ``high >= max(open, close)``; non-negative volume. The error names ``source``, the first row
    that breaks a rule (position + ``row_offset``, so a loader can pass file line numbers) and the
    rule.
    """
    missing = [c for c in COLUMNS if c not in bars.columns]
    if missing:
        raise DataError(f"{source}: missing column(s) {', '.join(missing)}; expected {COLUMNS}")
    idx = bars.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise DataError(f"{source}: the index must be timezone-aware timestamps")

    def fail(mask: np.ndarray, rule: str) -> None:
        bad = np.flatnonzero(mask)
        if bad.size:
            i = int(bad[0])
            raise DataError(
                f"{source}: row {i + row_offset} ({idx[i]}) breaks the rule: {rule}"
                + (f" ({bad.size} rows in all)" if bad.size > 1 else "")
            )

    ns = idx.as_unit("ns").asi8
    if ns.size > 1:
        step = np.diff(ns)
        fail(np.r_[False, step < 0], "timestamps must be sorted ascending")
        fail(np.r_[False, step == 0], "timestamps must be unique (duplicate timestamp)")
    o, h, lo, c, v = (bars[col].to_numpy(dtype=np.float64) for col in COLUMNS)
    prices = np.vstack((o, h, lo, c))
    fail(~np.isfinite(prices).all(axis=0), "prices must be numbers (found an empty or NaN value)")
    fail((prices <= 0).any(axis=0), "prices must be positive")
    fail(lo > np.minimum(o, c), "low <= min(open, close)")
    fail(h < np.maximum(o, c), "high >= max(open, close)")
    fail(~(v >= 0), "volume must be a number >= 0")
    return bars


def local_ns(index: pd.DatetimeIndex) -> np.ndarray:
    """Return Eastern wall-clock times as int64 nanoseconds since 1970-01-01 00:00 (no tz).

    The UTC offset is looked up once per distinct UTC hour, not per bar, which keeps this O(n)
    integer work; offsets only change on the hour (DST transitions).
    """
    utc = index.as_unit("ns").asi8
    if utc.size == 0:
        return utc.copy()
    hour = utc // NS_PER_HOUR
    change = np.flatnonzero(np.r_[True, hour[1:] != hour[:-1]])
    sample = pd.DatetimeIndex(utc[change], tz="UTC").tz_convert(EASTERN)
    offsets = sample.tz_localize(None).as_unit("ns").asi8 - utc[change]
    return utc + np.repeat(offsets, np.diff(np.r_[change, utc.size]))


def _period_keys(day: np.ndarray, period: str) -> np.ndarray:
    if period == "D":
        return day
    if period == "W":
        return (day + 3) // 7  # 1970-01-01 is a Thursday; this makes weeks start on Monday
    months = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    if period == "M":
        return months
    if period == "Q":
        return months // 3
    return months // 12


def _period_start_days(keys: np.ndarray, period: str) -> np.ndarray:
    if period == "D":
        return keys
    if period == "W":
        return keys * 7 - 3
    months = {"M": keys, "Q": keys * 3, "Y": keys * 12}[period]
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def bin_keys(local: np.ndarray, tf: Timeframe) -> tuple[np.ndarray, np.ndarray]:
    """Return (keys, label_local_ns) for wall-clock times: equal keys share one bar of ``tf``."""
    day = local // NS_PER_DAY
    if tf.intraday:
        minute = (local - day * NS_PER_DAY) // NS_PER_MIN
        slot = (minute - RTH_OPEN_MIN) // tf.minutes
        keys = day * 10_000 + slot
        label = day * NS_PER_DAY + (RTH_OPEN_MIN + slot * tf.minutes) * NS_PER_MIN
        return keys, label
    keys = _period_keys(day, tf.period)
    return keys, _period_start_days(keys, tf.period) * NS_PER_DAY


def rth_mask(local: np.ndarray) -> np.ndarray:
    """Return a boolean mask of wall-clock times inside 09:30 <= t < 16:00."""
    minute = (local % NS_PER_DAY) // NS_PER_MIN
    return (minute >= RTH_OPEN_MIN) & (minute < RTH_CLOSE_MIN)


def resample(bars: pd.DataFrame, to: str | Timeframe, source_tf: str | Timeframe | None = None
             ) -> pd.DataFrame:
    """Return ``bars`` aggregated to the bar size ``to`` (session-aware, see module docstring).

    ``source_tf`` (the input's bar size) guards against asking for a finer size than the input
    has; pass it when known. Intraday input outside regular hours is dropped first.
    """
    tf = timeframe(to)
    if source_tf is not None:
        src = timeframe(source_tf)
        if src.rank > tf.rank or (src.intraday and tf.intraday and tf.minutes % src.minutes):
            raise InvalidArgumentError(
                f"cannot build {tf.name} bars from {src.name} bars; the target must be a whole "
                f"multiple of the source bar size"
            )
    if bars.empty:
        return bars.copy()
    local = local_ns(bars.index)
    o, h, lo, c, v = (bars[col].to_numpy(dtype=np.float64) for col in COLUMNS)
    intraday_input = (
        timeframe(source_tf).intraday if source_tf is not None else bool((local % NS_PER_DAY).any())
    )
    if intraday_input:
        keep = rth_mask(local)
        if not keep.all():
            local, o, h, lo, c, v = (a[keep] for a in (local, o, h, lo, c, v))
    if local.size == 0:
        return bars.iloc[:0].copy()
    keys, label = bin_keys(local, tf)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], keys.size] - 1
    out = {
        "open": o[starts],
        "high": np.maximum.reduceat(h, starts),
        "low": np.minimum.reduceat(lo, starts),
        "close": c[ends],
        "volume": np.add.reduceat(v, starts),
    }
    index = pd.DatetimeIndex(label[starts]).tz_localize(EASTERN)
    return make_bars(index, out)


def session_dates(bars: pd.DataFrame) -> np.ndarray:
    """Return each bar's Eastern calendar date as ``datetime64[D]``."""
    return (local_ns(bars.index) // NS_PER_DAY).astype("datetime64[D]")
