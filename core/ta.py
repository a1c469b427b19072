"""Technical-analysis primitives on numpy arrays: true range, Wilder's RMA/ATR, EMA, SMA, stdev.

Conventions (domain spec §0): EMA(n) uses alpha = 2/(n+1), Wilder/RMA(n) alpha = 1/n, and both are
seeded with the simple mean of their first ``n`` valid inputs, the way TA-Lib and Pine seed them.
Leading NaNs in the input are skipped: the seed is the mean of the first ``n`` values after them.
Outputs have the input's length with NaN where no value is defined yet. All functions are O(n);
the recursive ones run as compiled numba loops.
"""

from __future__ import annotations

import numba
import numpy as np

from core.checks import positive_int


def _as_float_array(values: object, name: str) -> np.ndarray:
    arr = np.ascontiguousarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    return arr


def true_range(high: object, low: object, close: object) -> np.ndarray:
    """Return TR_t = max(H-L, |H-C[t-1]|, |L-C[t-1]|); TR[0] is NaN (it has no previous close)."""
    h = _as_float_array(high, "high")
    lo = _as_float_array(low, "low")
    c = _as_float_array(close, "close")
    out = np.empty_like(h)
    if h.size == 0:
        return out
    out[0] = np.nan
    prev = c[:-1]
    np.maximum(h[1:] - lo[1:], np.abs(h[1:] - prev), out=out[1:])
    np.maximum(out[1:], np.abs(lo[1:] - prev), out=out[1:])
    return out


@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _recursive_mean(x: np.ndarray, n: int, alpha: float) -> np.ndarray:  # pragma: no cover - jit
    out = np.empty(x.size)
    start = 0
    while start < x.size and np.isnan(x[start]):
        start += 1
    seed_end = start + n
    if seed_end > x.size:
        out[:] = np.nan
        return out
    out[: seed_end - 1] = np.nan
    acc = 0.0
    for i in range(start, seed_end):
        acc += x[i]
    value = acc / n
    out[seed_end - 1] = value
    keep = 1.0 - alpha
    for i in range(seed_end, x.size):
        value = value * keep + x[i] * alpha
        out[i] = value
    return out


def rma(values: object, length: int) -> np.ndarray:
    """Return Wilder's moving average (alpha = 1/length), seeded with the SMA of the first values."""
    positive_int(length, "length")
    return _recursive_mean(_as_float_array(values, "values"), length, 1.0 / length)


def ema(values: object, length: int) -> np.ndarray:
    """Return the exponential moving average (alpha = 2/(length+1)), SMA-seeded like TA-Lib."""
    positive_int(length, "length")
    return _recursive_mean(_as_float_array(values, "values"), length, 2.0 / (length + 1))


@numba.njit(cache=True, nogil=True, fastmath={"contract"})
def _atr_kernel(
    h: np.ndarray, lo: np.ndarray, c: np.ndarray, n: int
) -> np.ndarray:  # pragma: no cover
    out = np.empty(h.size)
    out[: min(n, h.size)] = np.nan
    if h.size <= n:
        return out
    acc = 0.0
    for i in range(1, n + 1):
        tr = max(h[i] - lo[i], abs(h[i] - c[i - 1]), abs(lo[i] - c[i - 1]))
        acc += tr
    value = acc / n
    out[n] = value
    keep = (n - 1.0) / n
    alpha = 1.0 / n
    prev = c[n]
    for i in range(n + 1, h.size):
        hi = h[i]
        low = lo[i]
        # TR = max(H, Cprev) - min(L, Cprev): the same value as the three-way max, fewer ops
        tr = (hi if hi > prev else prev) - (low if low < prev else prev)
        value = value * keep + tr * alpha
        out[i] = value
        prev = c[i]
    return out


def atr(high: object, low: object, close: object, length: int = 14) -> np.ndarray:
    """Return Wilder's ATR: first value (index ``length``) = mean of TR[1..length], then RMA.

    Matches ``talib.ATR`` to floating-point noise: NaN for indexes 0..length-1. True range and
    the recursion run in one compiled pass.
    """
    positive_int(length, "length")
    h = _as_float_array(high, "high")
    lo = _as_float_array(low, "low")
    c = _as_float_array(close, "close")
    if not h.size == lo.size == c.size:
        raise ValueError(f"high, low and close differ in length: {h.size}, {lo.size}, {c.size}")
    return _atr_kernel(h, lo, c, length)


def sma(values: object, length: int) -> np.ndarray:
    """Return the simple moving average over ``length`` values (NaN until the window is full)."""
    positive_int(length, "length")
    x = _as_float_array(values, "values")
    out = np.full(x.size, np.nan)
    if x.size >= length:
        csum = np.cumsum(np.concatenate(([0.0], x)))
        out[length - 1 :] = (csum[length:] - csum[:-length]) / length
    return out


def rolling_std(values: object, length: int) -> np.ndarray:
    """Return the population standard deviation (ddof=0) over a window of ``length`` values."""
    positive_int(length, "length")
    x = _as_float_array(values, "values")
    out = np.full(x.size, np.nan)
    if x.size >= length:
        windows = np.lib.stride_tricks.sliding_window_view(x, length)
        out[length - 1 :] = windows.std(axis=1)
    return out
