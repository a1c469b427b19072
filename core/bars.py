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
from typing import cast

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core._binning import KINDS, aggregate
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
    "1min": "1m",
    "5min": "5m",
    "d": "1d",
    "day": "1d",
    "daily": "1d",
    "1day": "1d",
    "w": "1w",
    "week": "1w",
    "weekly": "1w",
    "1wk": "1w",
    "1M": "1mo",
    "m": "1mo",
    "month": "1mo",
    "monthly": "1mo",
    "q": "1q",
    "quarter": "1q",
    "quarterly": "1q",
    "y": "1y",
    "year": "1y",
    "yearly": "1y",
    "60m": "1h",
    "240m": "4h",
    "120m": "2h",
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


def bar_index(frame: pd.DataFrame | pd.Series) -> pd.DatetimeIndex:
    """Return the index of a bar frame (or of a series aligned with one) as the
    ``DatetimeIndex`` the bar contract guarantees (``validate_bars`` checks it; pandas' types
    only know a generic ``Index``)."""
    return cast(pd.DatetimeIndex, frame.index)


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

    def fail(mask: NDArray[np.bool_] | np.bool_, rule: str) -> None:
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


def _utc_offsets(utc: NDArray[np.int64]) -> NDArray[np.int64]:
    stamps = pd.DatetimeIndex(utc, tz="UTC").tz_convert(EASTERN)
    return stamps.tz_localize(None).as_unit("ns").asi8 - utc


def offset_segments(utc: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Return (segment starts, UTC offsets in ns) of a sorted UTC array: one segment per offset.

    Offsets are sampled at every UTC midnight in range; a day whose two midnights disagree holds
    a DST transition, found to the hour. This is O(days) tz work, not O(bars).
    """
    first_day, last_day = utc[0] // NS_PER_DAY, utc[-1] // NS_PER_DAY + 1
    midnights = np.arange(first_day, last_day + 1, dtype=np.int64) * NS_PER_DAY
    offsets = _utc_offsets(midnights)
    changed = np.flatnonzero(offsets[1:] != offsets[:-1])
    hours = (midnights[changed, None] + np.arange(1, 25, dtype=np.int64) * NS_PER_HOUR).ravel()
    looked_up = _utc_offsets(np.r_[utc[:1], hours])
    hour_offsets = looked_up[1:].reshape(changed.size, 24)
    rows = np.arange(changed.size)
    first_new = (hour_offsets != offsets[changed, None]).argmax(axis=1)
    at = hours.reshape(changed.size, 24)[rows, first_new]
    later = at > utc[0]
    moments = np.r_[utc[:1], at[later]]
    values = np.r_[looked_up[:1], hour_offsets[rows, first_new][later]]
    starts = np.asarray(np.searchsorted(utc, moments, side="left"), dtype=np.int64)
    return starts, values.astype(np.int64)


def local_ns(index: pd.DatetimeIndex) -> NDArray[np.int64]:
    """Return Eastern wall-clock times as int64 nanoseconds since 1970-01-01 00:00 (no tz).

    The UTC offset is looked up once per distinct UTC hour, not per bar (offsets only change on
    the hour, at DST transitions), which keeps this O(n) integer work.
    """
    utc = index.as_unit("ns").asi8
    if utc.size == 0:
        return utc.copy()
    starts, offsets = offset_segments(utc)
    return utc + np.repeat(offsets, np.diff(np.r_[starts, utc.size]))


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


def rth_mask(local: NDArray[np.int64]) -> NDArray[np.bool_]:
    """Return a boolean mask of wall-clock times inside 09:30 <= t < 16:00."""
    minute = (local % NS_PER_DAY) // NS_PER_MIN
    return (minute >= RTH_OPEN_MIN) & (minute < RTH_CLOSE_MIN)


def resample(
    bars: pd.DataFrame, to: str | Timeframe, source_tf: str | Timeframe | None = None
) -> pd.DataFrame:
    """Return ``bars`` aggregated to the bar size ``to`` (session-aware, see module docstring).

    ``source_tf`` (the input's bar size) guards against asking for a finer size than the input
    has; pass it when known. Intraday input outside regular hours is dropped first. One compiled
    pass does the binning and the aggregation.
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
    utc = bar_index(bars).as_unit("ns").asi8
    starts, offsets = offset_segments(utc)
    if source_tf is not None:
        intraday_input = timeframe(source_tf).intraday
    else:
        intraday_input = bool((local_ns(bar_index(bars)) % NS_PER_DAY).any())
    o, h, lo, c, v = (np.ascontiguousarray(bars[col].to_numpy(dtype=np.float64)) for col in COLUMNS)
    n = utc.size
    key, first_utc, first_off = (np.empty(n, dtype=np.int64) for _ in range(3))
    outs = [np.empty(n) for _ in COLUMNS]
    oo, oh, ol, oc, ov = outs
    kind = 0 if tf.intraday else KINDS[tf.period]
    count = aggregate(
        utc,
        starts,
        offsets,
        o,
        h,
        lo,
        c,
        v,
        kind,
        max(tf.minutes, 1),
        intraday_input,
        key,
        first_utc,
        first_off,
        oo,
        oh,
        ol,
        oc,
        ov,
    )
    key, first_off = key[:count], first_off[:count]
    if tf.intraday:
        day, slot = key // 10_000, key % 10_000
        label_local = day * NS_PER_DAY + (RTH_OPEN_MIN + slot * tf.minutes) * NS_PER_MIN
        index = pd.DatetimeIndex(label_local - first_off, tz="UTC")
    else:
        label_local = _period_start_days(key, tf.period) * NS_PER_DAY
        index = pd.DatetimeIndex(label_local).tz_localize(EASTERN)
    return make_bars(index, {c: out[:count].copy() for c, out in zip(COLUMNS, outs, strict=True)})


def session_dates(bars: pd.DataFrame) -> np.ndarray:
    """Return each bar's Eastern calendar date as ``datetime64[D]``."""
    return (local_ns(bar_index(bars)) // NS_PER_DAY).astype("datetime64[D]")


def period_start(ts: pd.Timestamp, to: str | Timeframe) -> pd.Timestamp:
    """Return the label (start) of the ``to`` bar that contains the moment ``ts`` (tz-aware).

    A naive ``ts`` is read as Eastern time. For intraday sizes ``ts`` must fall in regular hours.
    """
    tf = timeframe(to)
    stamp = pd.Timestamp(ts)
    stamp = stamp.tz_localize(EASTERN) if stamp.tzinfo is None else stamp.tz_convert(EASTERN)
    local = local_ns(pd.DatetimeIndex([stamp]))
    if tf.intraday and not rth_mask(local)[0]:
        raise InvalidArgumentError(
            f"{stamp:%Y-%m-%d %H:%M} ET is outside regular hours (09:30-16:00); "
            f"{tf.name} bars exist only inside them"
        )
    _, label = bin_keys(local, tf)
    return pd.DatetimeIndex(label).tz_localize(EASTERN)[0]
