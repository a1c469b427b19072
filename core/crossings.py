"""Level crossings over a price stream (ticks, or closes) and first touches over bars.

Crossing rule (domain spec §1.5, §10 ex. 6): price crosses level L *up* between two consecutive
prices p → q when p ≤ L < q, and *down* when p ≥ L > q. Landing exactly on a level crosses
nothing yet. A jump over several levels emits one event per level, in the order price passes them.

The stream scan is one compiled pass that keeps the current position in the sorted level array,
so it costs O(1) per tick plus O(1) per event: no per-tick Python, no per-tick search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import NDArray

from core.errors import InvalidArgumentError

UP = 1
DOWN = -1


@dataclass(frozen=True)
class Crossings:
    """Crossing events, one row per (tick, level): parallel arrays sorted by tick, then by order."""

    tick: np.ndarray
    """Index of the price that completed the cross."""
    level: np.ndarray
    """Index into the sorted level array."""
    direction: np.ndarray
    """+1 up, -1 down."""

    def __len__(self) -> int:
        return int(self.tick.size)


@numba.njit(cache=True, nogil=True)
def _count_lt(levels: np.ndarray, price: float, start: int) -> int:  # pragma: no cover - jit
    k = start
    n = levels.size
    while k < n and levels[k] < price:
        k += 1
    while k > 0 and levels[k - 1] >= price:
        k -= 1
    return k


@numba.njit(cache=True, nogil=True)
def _count_le(levels: np.ndarray, price: float, lt: int) -> int:  # pragma: no cover - jit
    """Return #(levels ≤ price) given ``lt`` = #(levels < price) (levels are distinct)."""
    k = lt
    while k < levels.size and levels[k] <= price:
        k += 1
    return k


@numba.njit(cache=True, nogil=True)
def _quiet_band(levels: np.ndarray, p: float, lt_p: int) -> tuple[float, float]:  # pragma: no cover
    """Return the open interval around ``p`` in which a next price crosses nothing.

    Empty (p, p) when ``p`` sits exactly on a level: any move away from it is a cross.
    """
    if lt_p < levels.size and levels[lt_p] == p:
        return p, p
    lo = levels[lt_p - 1] if lt_p > 0 else -np.inf
    hi = levels[lt_p] if lt_p < levels.size else np.inf
    return lo, hi


@numba.njit(cache=True, nogil=True)
def _scan(
    prices: NDArray[np.float64],
    levels: NDArray[np.float64],
    prev_price: float,
    out_tick: NDArray[np.int64],
    out_level: NDArray[np.int64],
    out_dir: NDArray[np.int8],
    begin: int,
) -> tuple[int, int, float]:  # pragma: no cover - jit
    """Scan prices[begin:]; fill the buffers; return (events written, next begin, last price)."""
    cap = out_tick.size
    n = 0
    p = prev_price
    lt_p = _count_lt(levels, p, 0)
    lo, hi = _quiet_band(levels, p, lt_p)
    i = begin
    size = prices.size
    while i < size:
        # fast path: the price stays strictly between the two levels around it
        while i < size and lo < prices[i] < hi:
            i += 1
        if i >= size:
            break
        p = prices[i - 1] if i > begin else p
        q = prices[i]
        if q > p:
            lt_q = _count_lt(levels, q, lt_p)
            # up through L when p <= L < q: levels with index in [#(L < p), #(L < q))
            if lt_q > lt_p:
                if n + (lt_q - lt_p) > cap:
                    return n, i, p
                for k in range(lt_p, lt_q):
                    out_tick[n] = i
                    out_level[n] = k
                    out_dir[n] = 1
                    n += 1
            lt_p = lt_q
        elif q < p:
            lt_q = _count_lt(levels, q, lt_p)
            # down through L when q < L <= p: levels with index in [#(L <= q), #(L <= p))
            le_p = _count_le(levels, p, lt_p)
            le_q = _count_le(levels, q, lt_q)
            if le_p > le_q:
                if n + (le_p - le_q) > cap:
                    return n, i, p
                for k in range(le_p - 1, le_q - 1, -1):
                    out_tick[n] = i
                    out_level[n] = k
                    out_dir[n] = -1
                    n += 1
            lt_p = lt_q
        p = q
        lo, hi = _quiet_band(levels, p, lt_p)
        i += 1
    return n, i, prices[size - 1] if size > begin else p


def _checked(prices: object, levels: object) -> tuple[np.ndarray, np.ndarray]:
    px = np.ascontiguousarray(prices, dtype=np.float64)
    lv = np.ascontiguousarray(levels, dtype=np.float64)
    if px.ndim != 1 or lv.ndim != 1:
        raise InvalidArgumentError("prices and levels must be one-dimensional")
    if lv.size and (np.any(np.diff(lv) <= 0) or not np.isfinite(lv).all()):
        raise InvalidArgumentError("levels must be finite and strictly ascending")
    if not np.isfinite(px).all():
        bad = int(np.flatnonzero(~np.isfinite(px))[0])
        raise InvalidArgumentError(f"price at index {bad} is not a finite number")
    return px, lv


def find_crossings(prices: object, levels: object, *, buffer_size: int = 1 << 16) -> Crossings:
    """Return every crossing of ``levels`` (strictly ascending) by the price sequence ``prices``.

    The first price only sets the starting position; it cannot cross anything. Events are
    written into reusable buffers of ``buffer_size`` and collected chunk by chunk.
    """
    px, lv = _checked(prices, levels)
    empty = np.empty(0, dtype=np.int64)
    if px.size < 2 or lv.size == 0:
        return Crossings(empty, empty.copy(), np.empty(0, dtype=np.int8))
    buf_t = np.empty(buffer_size, dtype=np.int64)
    buf_l = np.empty(buffer_size, dtype=np.int64)
    buf_d = np.empty(buffer_size, dtype=np.int8)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    begin, last = 1, float(px[0])
    while begin < px.size:
        n, begin, last = _scan(px, lv, last, buf_t, buf_l, buf_d, begin)
        parts.append((buf_t[:n].copy(), buf_l[:n].copy(), buf_d[:n].copy()))
        if n == 0 and begin < px.size:  # one tick jumps more levels than the buffer holds
            buf_t = np.empty(buf_t.size * 2, dtype=np.int64)
            buf_l = np.empty(buf_l.size * 2, dtype=np.int64)
            buf_d = np.empty(buf_d.size * 2, dtype=np.int8)
    return Crossings(*(np.concatenate(cols) for cols in zip(*parts, strict=True)))


@numba.njit(cache=True, nogil=True)
def _count_only(
    prices: NDArray[np.float64], levels: NDArray[np.float64], counts: NDArray[np.int64]
) -> None:  # pragma: no cover - jit
    p = prices[0]
    lt_p = _count_lt(levels, p, 0)
    lo, hi = _quiet_band(levels, p, lt_p)
    i = 1
    size = prices.size
    while i < size:
        while i < size and lo < prices[i] < hi:
            i += 1
        if i >= size:
            break
        p = prices[i - 1]
        q = prices[i]
        lt_q = _count_lt(levels, q, lt_p)
        if q > p:
            for k in range(lt_p, lt_q):
                counts[k, 0] += 1
        elif q < p:
            le_p = _count_le(levels, p, lt_p)
            le_q = _count_le(levels, q, lt_q)
            for k in range(le_q, le_p):
                counts[k, 1] += 1
        lt_p = lt_q
        lo, hi = _quiet_band(levels, q, lt_p)
        i += 1


def crossing_counts(prices: object, levels: object) -> np.ndarray:
    """Return an int64 array [n_levels, 2]: up-crosses and down-crosses of each level."""
    px, lv = _checked(prices, levels)
    counts = np.zeros((lv.size, 2), dtype=np.int64)
    if px.size >= 2 and lv.size:
        _count_only(px, lv, counts)
    return counts


def first_touch(high: object, low: object, level: float, *, above: bool, start: int = 0) -> int:
    """Return the first bar index ≥ ``start`` whose high ≥ level (``above``) or low ≤ level; -1 if none."""
    arr = np.asarray(high if above else low, dtype=np.float64)[start:]
    hits = np.flatnonzero(arr >= level) if above else np.flatnonzero(arr <= level)
    return int(hits[0]) + start if hits.size else -1
