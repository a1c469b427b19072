"""Saty Pivot Ribbon Pro and its signals: clouds, conviction arrows, trend label, Vomy/iVomy.

Domain spec §2, §1.4, §4.4, §4.5. All functions take close (and open) arrays and return arrays
of the same length; EMAs are SMA-seeded (``core.ta.ema``), so the first values are NaN and the
states there are reported as ``"n/a"``/0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.ta import ema

RIBBON_LENGTHS = (8, 13, 21, 48, 200)


def _pick(cond: np.ndarray, yes: str, no: str, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, np.where(cond, yes, no), "n/a")


def new_state_arrows(bullish: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Return +1 on the first bar of a new bullish state, -1 of a new bearish one, else 0.

    The first bar with a defined state has no previous state, so it gets no arrow.
    """
    state = np.where(valid, np.where(bullish, 1, -1), 0)
    prev = np.r_[0, state[:-1]]
    return np.where((state != prev) & (prev != 0) & (state != 0), state, 0).astype(np.int8)


def ribbon(close: object, *, overlap: bool = True) -> pd.DataFrame:
    """Return the ribbon per bar: EMAs 8/13/21/48/200, cloud and line colours, conviction state
    and arrows, and the spine label (bullish 8>13>21>48, bearish 8<13<21<48, else mixed)."""
    c = np.asarray(close, dtype=np.float64)
    e8, e13, e21, e48, e200 = (ema(c, n) for n in RIBBON_LENGTHS)
    slow_fast = e13 if overlap else e21
    ok = ~np.isnan(e48)
    bullish = e13 >= e48
    spine = np.where(
        ok & (e8 > e13) & (e13 > e21) & (e21 > e48), "bullish",
        np.where(ok & (e8 < e13) & (e13 < e21) & (e21 < e48), "bearish",
                 np.where(ok, "mixed", "n/a")))
    return pd.DataFrame({
        "ema8": e8, "ema13": e13, "ema21": e21, "ema48": e48, "ema200": e200,
        "fast_cloud": _pick(e8 > e21, "green", "red", ~np.isnan(e21)),
        "slow_cloud": _pick(slow_fast > e48, "cyan", "light_orange", ok),
        "ema21_line": _pick(e8 >= e21, "green", "red", ~np.isnan(e21)),
        "ema200_line": _pick(e21 >= e200, "cyan", "light_orange", ~np.isnan(e200)),
        "conviction": _pick(bullish, "bullish", "bearish", ok),
        "conviction_arrow": new_state_arrows(bullish, ok),
        "spine": spine,
    })


def candle_colors(open_: object, close: object, ema48: object) -> np.ndarray:
    """Return the §2 candle colour per bar: up&above green, up&below light_orange, down&above
    cyan, down&below red, doji gray (above = close ≥ EMA48, up = open < close)."""
    o, c, e = (np.asarray(a, dtype=np.float64) for a in (open_, close, ema48))
    above = c >= e
    up = o < c
    colour = np.where(up, np.where(above, "green", "light_orange"),
                      np.where(above, "cyan", "red"))
    return np.where(o == c, "gray", colour)


def trend_label(close: object, ema8: object, ema21: object, ema34: object) -> np.ndarray | str:
    """Return bullish if close ≥ EMA8 ≥ EMA21 ≥ EMA34, else bearish if close ≤ EMA8 ≤ EMA21 ≤
    EMA34, else neutral (ties count as bullish). Scalars in → a string out; arrays → an array."""
    c, a, b, d = (np.asarray(x, dtype=np.float64) for x in (close, ema8, ema21, ema34))
    bull = (c >= a) & (a >= b) & (b >= d)
    bear = (c <= a) & (a <= b) & (b <= d)
    out = np.where(bull, "bullish", np.where(bear, "bearish", "neutral"))
    return str(out) if out.ndim == 0 else out


def vomy_signals(close: object) -> pd.DataFrame:
    """Return per bar whether the Vomy (8<13<21<48) or iVomy (8>13>21>48) stack holds, and the
    signal on the bar the stack first forms (+1 iVomy, -1 Vomy, 0 none)."""
    c = np.asarray(close, dtype=np.float64)
    e8, e13, e21, e48 = (ema(c, n) for n in (8, 13, 21, 48))
    vomy = (e8 < e13) & (e13 < e21) & (e21 < e48)
    ivomy = (e8 > e13) & (e13 > e21) & (e21 > e48)
    starts_v = vomy & ~np.r_[False, vomy[:-1]]
    starts_i = ivomy & ~np.r_[False, ivomy[:-1]]
    return pd.DataFrame({"vomy": vomy, "ivomy": ivomy,
                         "signal": np.where(starts_i, 1, np.where(starts_v, -1, 0)).astype(np.int8)})


def arrow_guidance(bullish: bool, ema13: float, ema48: float, ema21: float) -> str:
    """Return the §4.5 follow-up for an hourly conviction arrow: with x = (EMA13+EMA48)/2, a
    bullish arrow with x < EMA21 says wait for a pullback to the 21, a bearish one with x > EMA21
    a bounce to the 21, otherwise watch for continuation."""
    x = (ema13 + ema48) / 2
    if bullish:
        return "wait for pullback to the 21" if x < ema21 else "watch continuation"
    return "wait for bounce to the 21" if x > ema21 else "watch continuation"
