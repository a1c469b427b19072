"""Saty Pivot Ribbon Pro and its signals: clouds, conviction arrows, trend label, Vomy/iVomy.

Domain spec §2, §1.4, §4.4 and §4.5. Every function takes arrays (or scalars where noted) and
returns arrays of the same length. EMAs are SMA-seeded (``core.ta.ema``), so the first values
are NaN; a colour or label that needs an undefined EMA is reported as ``"n/a"`` and a signal
there as 0/False.

Signals need an observed change, with one difference in how the start of data counts: a
conviction arrow needs a defined previous state (the first bar with both EMAs gets no arrow),
whereas a Vomy/iVomy stack counts as "not formed" while its EMAs are undefined, so a stack
already standing on the first bar with EMA48 fires there.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from core.checks import positive_int, same_shape_floats
from core.errors import InvalidArgumentError
from core.ta import ema

RIBBON_LENGTHS = (8, 13, 21, 48, 200)
"""Default EMA lengths: fast, pullback (overlap), pivot, slow, long-term."""
NA = "n/a"


def _defined(*arrays: np.ndarray) -> NDArray[np.bool_]:
    defined: NDArray[np.bool_] = np.logical_and.reduce([~np.isnan(a) for a in arrays])
    return defined


def _pick(cond: np.ndarray, yes: str, no: str, valid: np.ndarray) -> np.ndarray:
    return np.where(valid, np.where(cond, yes, no), NA)


def _check_lengths(lengths: tuple[int, ...]) -> None:
    names = ("fast", "pullback", "pivot", "slow", "long_term")
    for name, n in zip(names, lengths, strict=True):
        positive_int(n, name)
    if any(a >= b for a, b in zip(lengths, lengths[1:], strict=False)):
        raise InvalidArgumentError(
            f"ribbon lengths must rise strictly fast < pullback < pivot < slow < long_term, "
            f"got {', '.join(f'{k}={v}' for k, v in zip(names, lengths, strict=True))}"
        )


def new_state_arrows(bullish: object, valid: object) -> np.ndarray:
    """Mark the first bar of each new bullish or bearish state.

    Args:
        bullish: Boolean state per bar.
        valid: Boolean per bar, False where the state is undefined (EMA warm-up).

    Returns:
        int8 array: +1 on the first bar of a new bullish state, -1 of a new bearish state,
        else 0. A bar whose previous bar has no defined state gets 0: the first defined bar
        has no arrow, because no change of state was observed there.
    """
    ok = np.asarray(valid, dtype=bool)
    state = np.where(ok, np.where(np.asarray(bullish, dtype=bool), 1, -1), 0)
    prev = np.r_[0, state[:-1]]
    return np.where((state != prev) & (prev != 0) & (state != 0), state, 0).astype(np.int8)


def conviction_arrows(ema13: object, ema48: object) -> np.ndarray:
    """Return the §2 conviction arrows from the EMA13 and EMA48 series.

    Args:
        ema13: EMA13 per bar (NaN during warm-up).
        ema48: EMA48 per bar (NaN during warm-up).

    Returns:
        int8 array: +1 where the state (bullish when EMA13 ≥ EMA48) turns bullish, -1 where it
        turns bearish, else 0 (see ``new_state_arrows`` for the first defined bar).
    """
    fast, slow = same_shape_floats(ema13, ema48)
    return new_state_arrows(fast >= slow, _defined(fast, slow))


def _spine(e8: np.ndarray, e13: np.ndarray, e21: np.ndarray, e48: np.ndarray) -> np.ndarray:
    up = (e8 > e13) & (e13 > e21) & (e21 > e48)
    down = (e8 < e13) & (e13 < e21) & (e21 < e48)
    label = np.where(up, "bullish", np.where(down, "bearish", "mixed"))
    return np.where(_defined(e8, e13, e21, e48), label, NA)


def ribbon(
    close: object,
    *,
    fast: int = 8,
    pullback: int = 13,
    pivot: int = 21,
    slow: int = 48,
    long_term: int = 200,
    overlap: bool = True,
) -> pd.DataFrame:
    """Compute the Pivot Ribbon Pro per bar (domain spec §2).

    Args:
        close: Closing prices, oldest first (full history: the EMAs are recursive).
        fast: Fast EMA length (8).
        pullback: Pullback (overlap) EMA length (13); also the fast side of conviction.
        pivot: Pivot EMA length (21).
        slow: Slow EMA length (48); also the slow side of conviction and the candle bias.
        long_term: Long-term EMA length (200). The five lengths must rise strictly.
        overlap: If True the slow cloud compares the pullback EMA with the slow EMA, else the
            pivot EMA.

    Returns:
        DataFrame with one row per bar and columns ``ema{n}`` for the five lengths (``ema8``
        ... ``ema200`` by default); ``fast_cloud`` green if fast > pivot else red;
        ``slow_cloud`` cyan if pullback (pivot when overlap is off) > slow else light_orange;
        ``ema21_line`` green if fast ≥ pivot else red; ``ema200_line`` cyan if pivot ≥
        long-term else light_orange; ``conviction`` bullish if pullback ≥ slow else bearish;
        ``conviction_arrow`` +1/-1/0 (``conviction_arrows``); ``spine`` bullish for
        fast > pullback > pivot > slow, bearish for the reverse, else mixed. Labels are
        ``"n/a"`` where an EMA they need is still undefined.
    """
    lengths = (fast, pullback, pivot, slow, long_term)
    _check_lengths(lengths)
    c = np.asarray(close, dtype=np.float64)
    e_fast, e_pull, e_piv, e_slow, e_long = (ema(c, n) for n in lengths)
    cloud = e_pull if overlap else e_piv
    fast_ok, slow_ok = _defined(e_fast, e_piv), _defined(cloud, e_slow)
    columns = {
        f"ema{n}": e for n, e in zip(lengths, (e_fast, e_pull, e_piv, e_slow, e_long), strict=True)
    }
    return pd.DataFrame(
        {
            **columns,
            "fast_cloud": _pick(e_fast > e_piv, "green", "red", fast_ok),
            "slow_cloud": _pick(cloud > e_slow, "cyan", "light_orange", slow_ok),
            "ema21_line": _pick(e_fast >= e_piv, "green", "red", fast_ok),
            "ema200_line": _pick(e_piv >= e_long, "cyan", "light_orange", _defined(e_piv, e_long)),
            "conviction": _pick(e_pull >= e_slow, "bullish", "bearish", _defined(e_pull, e_slow)),
            "conviction_arrow": conviction_arrows(e_pull, e_slow),
            "spine": _spine(e_fast, e_pull, e_piv, e_slow),
        }
    )


def candle_colors(open_: object, close: object, ema48: object) -> np.ndarray:
    """Colour each candle as §2 does, with above = close ≥ EMA48 and up = open < close.

    Args:
        open_: Opening prices.
        close: Closing prices.
        ema48: The candle-bias EMA (EMA48) per bar.

    Returns:
        Array of strings: green (up, above), light_orange (up, below), cyan (down, above), red
        (down, below), gray for a doji (open == close, whatever the EMA), ``"n/a"`` for other
        candles while the EMA is undefined.
    """
    o, c, e = same_shape_floats(open_, close, ema48)
    above = c >= e
    colour = np.where(
        o < c, np.where(above, "green", "light_orange"), np.where(above, "cyan", "red")
    )
    return np.where(o == c, "gray", np.where(np.isnan(e), NA, colour))


@overload
def trend_label(close: float, ema8: float, ema21: float, ema34: float) -> str: ...


@overload
def trend_label(close: object, ema8: object, ema21: object, ema34: object) -> np.ndarray | str: ...


def trend_label(close: object, ema8: object, ema21: object, ema34: object) -> np.ndarray | str:
    """Label the chart-timeframe trend of §1.4.

    Args:
        close: Close per bar, or one close.
        ema8: EMA8 of the close, same shape.
        ema21: EMA21 of the close, same shape.
        ema34: EMA34 of the close, same shape.

    Returns:
        ``"bullish"`` if close ≥ EMA8 ≥ EMA21 ≥ EMA34, else ``"bearish"`` if close ≤ EMA8 ≤
        EMA21 ≤ EMA34, else ``"neutral"``; ties count as bullish (all equal is bullish); ``"n/a"``
        if any input is NaN. A string for scalar inputs, an array of strings for arrays.
    """
    c, a, b, d = same_shape_floats(close, ema8, ema21, ema34)
    bull = (c >= a) & (a >= b) & (b >= d)
    bear = (c <= a) & (a <= b) & (b <= d)
    label = np.where(bull, "bullish", np.where(bear, "bearish", "neutral"))
    out = np.where(_defined(c, a, b, d), label, NA)
    return str(out) if out.ndim == 0 else out


def _first_bars(held: NDArray[np.bool_]) -> NDArray[np.bool_]:
    first: NDArray[np.bool_] = held & ~np.r_[False, held[:-1]]
    return first


def vomy_from_emas(ema8: object, ema13: object, ema21: object, ema48: object) -> pd.DataFrame:
    """Detect the Vomy and iVomy stacks of §4.4 and the bar each one forms.

    Args:
        ema8: EMA8 per bar (NaN during warm-up).
        ema13: EMA13 per bar.
        ema21: EMA21 per bar.
        ema48: EMA48 per bar.

    Returns:
        DataFrame with boolean ``vomy`` (8 < 13 < 21 < 48 holds), ``ivomy`` (8 > 13 > 21 > 48
        holds) and int8 ``signal``: -1 on the first bar of a Vomy stack, +1 on the first bar of
        an iVomy stack, 0 on every other bar, including the bars a stack merely keeps holding.
        Undefined EMAs count as no stack.
    """
    e8, e13, e21, e48 = same_shape_floats(ema8, ema13, ema21, ema48)
    vomy = (e8 < e13) & (e13 < e21) & (e21 < e48)
    ivomy = (e8 > e13) & (e13 > e21) & (e21 > e48)
    signal = np.where(_first_bars(ivomy), 1, np.where(_first_bars(vomy), -1, 0))
    return pd.DataFrame({"vomy": vomy, "ivomy": ivomy, "signal": signal.astype(np.int8)})


def vomy_signals(close: object) -> pd.DataFrame:
    """Compute EMAs 8/13/21/48 of ``close`` and return ``vomy_from_emas`` of them.

    Args:
        close: Closing prices, oldest first.

    Returns:
        The ``vomy_from_emas`` frame (columns vomy, ivomy, signal), one row per bar.
    """
    c = np.asarray(close, dtype=np.float64)
    return vomy_from_emas(*(ema(c, n) for n in (8, 13, 21, 48)))


def arrow_guidance(bullish: bool, ema13: float, ema48: float, ema21: float) -> str:
    """Return the §4.5 follow-up for an hourly conviction arrow.

    Args:
        bullish: True for a bullish arrow, False for a bearish one.
        ema13: EMA13 on the arrow bar.
        ema48: EMA48 on the arrow bar.
        ema21: EMA21 on the arrow bar.

    Returns:
        With x = (EMA13 + EMA48) / 2: ``"wait for pullback to the 21"`` for a bullish arrow with
        x < EMA21, ``"wait for bounce to the 21"`` for a bearish one with x > EMA21, else
        ``"watch continuation"`` (a tie x == EMA21 is continuation).

    Raises:
        InvalidArgumentError: If an EMA is not a finite number (e.g. still in warm-up).
    """
    values = np.array([ema13, ema48, ema21], dtype=np.float64)
    if not np.isfinite(values).all():
        raise InvalidArgumentError(
            f"arrow guidance needs finite EMA13, EMA48 and EMA21, got {ema13}, {ema48}, {ema21}"
        )
    x = (values[0] + values[1]) / 2
    if bullish:
        return "wait for pullback to the 21" if x < values[2] else "watch continuation"
    return "wait for bounce to the 21" if x > values[2] else "watch continuation"
