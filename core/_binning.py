"""Compiled kernels behind ``core.bars.resample``: one pass from UTC stamps to aggregated bars."""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

NS_PER_MIN = 60_000_000_000
NS_PER_HOUR = 60 * NS_PER_MIN
NS_PER_DAY = 24 * NS_PER_HOUR
RTH_OPEN_MIN = 570
RTH_CLOSE_MIN = 960
KINDS = {"D": 1, "W": 2, "M": 3, "Q": 4, "Y": 5}


@numba.njit(cache=True, nogil=True)
def month_index(day: int) -> int:  # pragma: no cover - jit
    """Return months since 1970-01 for a day number (days since 1970-01-01), proleptic Gregorian."""
    z = day + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    month = mp + 3 if mp < 10 else mp - 9
    year = yoe + era * 400 + (1 if month <= 2 else 0)
    return (year - 1970) * 12 + month - 1


@numba.njit(cache=True, nogil=True)
def _day_key(day: int, kind: int) -> int:  # pragma: no cover - jit
    if kind == 1:
        return day
    if kind == 2:
        return (day + 3) // 7  # 1970-01-01 was a Thursday: weeks start on Monday
    months = month_index(day)
    if kind == 3:
        return months
    if kind == 4:
        return months // 3
    return months // 12


@numba.njit(cache=True, nogil=True)
def _period_end_day(day: int, kind: int) -> int:  # pragma: no cover - jit
    """Return the first day number after the period of ``kind`` that contains ``day``."""
    if kind == 1:
        return day + 1
    if kind == 2:
        return ((day + 3) // 7 + 1) * 7 - 3
    step = 1 if kind == 3 else 3 if kind == 4 else 12
    months = (month_index(day) // step + 1) * step
    # days_from_civil for the first day of month index ``months``
    year = 1970 + months // 12
    month = months % 12 + 1
    y = year - (1 if month <= 2 else 0)
    era = y // 400
    yoe = y - era * 400
    mp = month - 3 if month > 2 else month + 9
    doy = (153 * mp + 2) // 5
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@numba.njit(cache=True, nogil=True)
def aggregate(
    utc: NDArray[np.int64],
    seg_start: NDArray[np.int64],
    seg_offset: NDArray[np.int64],
    o: NDArray[np.float64],
    h: NDArray[np.float64],
    lo: NDArray[np.float64],
    c: NDArray[np.float64],
    v: NDArray[np.float64],
    kind: int,
    minutes: int,
    rth_only: bool,
    out_key: NDArray[np.int64],
    out_utc: NDArray[np.int64],
    out_offset: NDArray[np.int64],
    oo: NDArray[np.float64],
    oh: NDArray[np.float64],
    ol: NDArray[np.float64],
    oc: NDArray[np.float64],
    ov: NDArray[np.float64],
) -> int:  # pragma: no cover - jit
    """Aggregate sorted bars into bins; return the number of output bars written.

    ``seg_start``/``seg_offset``: where each constant UTC-offset segment starts and its offset.
    ``kind`` 0 = intraday bins of ``minutes`` anchored at 09:30, else a ``KINDS`` period.
    Bars outside 09:30-16:00 local are skipped when ``rth_only``.
    The slow path (divisions) runs only when a bar leaves the current bin's UTC window; inside
    it the running high/low/close/volume stay in registers and are stored when the bin closes.
    """
    n_out = -1
    seg = 0
    n_seg = seg_start.size
    prev_key = -(1 << 62)
    window_end = -(1 << 62)  # bars with utc < window_end belong to the current output bar
    hi = 0.0
    low = 0.0
    cl = 0.0
    vol = 0.0
    i = 0
    n = utc.size
    while i < n:
        # fast path: consecutive bars inside the current window
        while i < n and utc[i] < window_end:
            if h[i] > hi:
                hi = h[i]
            if lo[i] < low:
                low = lo[i]
            cl = c[i]
            vol += v[i]
            i += 1
        if i >= n:
            break
        t = utc[i]
        while seg + 1 < n_seg and seg_start[seg + 1] <= i:
            seg += 1
        off = seg_offset[seg]
        local = t + off
        day = local // NS_PER_DAY
        minute = (local - day * NS_PER_DAY) // NS_PER_MIN
        if rth_only and (minute < RTH_OPEN_MIN or minute >= RTH_CLOSE_MIN):
            window_end = -(1 << 62)
            i += 1
            continue
        if kind == 0:
            slot = (minute - RTH_OPEN_MIN) // minutes
            key = day * 10_000 + slot
            end_min = RTH_OPEN_MIN + (slot + 1) * minutes
            if end_min > RTH_CLOSE_MIN:
                end_min = RTH_CLOSE_MIN
            end_local = day * NS_PER_DAY + end_min * NS_PER_MIN
        else:
            key = _day_key(day, kind)
            if rth_only:
                end_local = day * NS_PER_DAY + RTH_CLOSE_MIN * NS_PER_MIN
            else:
                end_local = _period_end_day(day, kind) * NS_PER_DAY
        window_end = end_local - off
        if seg + 1 < n_seg and seg_start[seg + 1] < n and utc[seg_start[seg + 1]] < window_end:
            window_end = utc[seg_start[seg + 1]]
        if key != prev_key:
            if n_out >= 0:
                oh[n_out] = hi
                ol[n_out] = low
                oc[n_out] = cl
                ov[n_out] = vol
            n_out += 1
            prev_key = key
            out_key[n_out] = key
            out_utc[n_out] = t
            out_offset[n_out] = off
            oo[n_out] = o[i]
            hi = h[i]
            low = lo[i]
            vol = 0.0
        else:
            if h[i] > hi:
                hi = h[i]
            if lo[i] < low:
                low = lo[i]
        cl = c[i]
        vol += v[i]
        i += 1
    if n_out >= 0:
        oh[n_out] = hi
        ol[n_out] = low
        oc[n_out] = cl
        ov[n_out] = vol
    return n_out + 1
