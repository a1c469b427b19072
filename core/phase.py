"""Saty Phase Oscillator, with the Pine script's semantics (domain spec §3).

pivot = EMA21(close); ATR = Wilder RMA14 of the true range (``core.ta.atr``); sd = population
stdev(close, 21); raw = (close − pivot) / (3·ATR) · 100; PO = EMA3(raw), SMA-seeded. Compression
compares the Bollinger offset 2·sd with the Keltner offset 2·ATR, written out as the script does.
The pieces are separate functions taking arrays (or scalars), so each formula can be checked on
its own numbers; ``phase_oscillator`` runs them over a whole series.

Undefined values: the first 22 bars have no PO. NaN compares false, as in Pine, so a bar
whose previous compression is NaN is not "expanding", and no dot fires next to a NaN PO.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import pandas as pd

from core.checks import positive_int, same_shape_floats
from core.errors import InvalidArgumentError
from core.ta import atr, ema, rolling_std

PIVOT_LENGTH = 21
ATR_LENGTH = 14
SMOOTHING = 3
KELTNER_MULT = 2.0
EXPANSION_MULT = 1.854
ZONES = (
    "extended_up",
    "distribution",
    "mark_up",
    "launch_box",
    "mark_down",
    "accumulation",
    "extended_down",
)
"""Zone names from the top (PO ≥ 100) to the bottom (PO ≤ −100)."""
DOTS = (
    "leaving_accumulation",
    "leaving_extreme_down",
    "leaving_distribution",
    "leaving_extreme_up",
)
NA = "n/a"


def raw_oscillator(close: object, pivot: object, atr_value: object) -> np.ndarray:
    """Return the oscillator before smoothing.

    Args:
        close: Close per bar (or one close).
        pivot: EMA21 of the close, same shape.
        atr_value: ATR14, same shape.

    Returns:
        (close − pivot) / (3·ATR) · 100 as a float array of the input shape (0-d for scalars).
    """
    c, p, a = same_shape_floats(close, pivot, atr_value)
    return (c - p) / (3.0 * a) * 100.0


def ema_step(previous: float, value: float, length: int = SMOOTHING) -> float:
    """Return one EMA update, the recursion that turns raw values into the PO.

    Args:
        previous: The EMA on the previous bar (the previous PO).
        value: This bar's input (the raw oscillator).
        length: EMA length; alpha = 2/(length+1).

    Returns:
        previous·(1 − alpha) + value·alpha, as ``core.ta.ema`` computes it.
    """
    positive_int(length, "length")
    alpha = 2.0 / (length + 1)
    return float(previous * (1.0 - alpha) + value * alpha)


@overload
def zone(po: float) -> str: ...


@overload
def zone(po: object) -> np.ndarray | str: ...


def zone(po: object) -> np.ndarray | str:
    """Name the zone of each PO value.

    Args:
        po: Phase-oscillator values (array or one value).

    Returns:
        extended_up ≥ 100; distribution [61.8, 100); mark_up (23.6, 61.8); launch_box
        [−23.6, 23.6]; mark_down (−61.8, −23.6); accumulation (−100, −61.8]; extended_down
        ≤ −100; ``"n/a"`` for NaN. A string for a scalar, an array of strings for an array.
    """
    v = np.asarray(po, dtype=np.float64)
    out = np.select(
        [v >= 100, v >= 61.8, v > 23.6, v >= -23.6, v > -61.8, v > -100, v <= -100],
        list(ZONES),
        default=NA,
    )
    return str(out) if out.ndim == 0 else out


def _band_gap(
    close: object, pivot: object, sd: object, atr_value: object, mult: float
) -> np.ndarray:
    c, p, s, a = same_shape_floats(close, pivot, sd, atr_value)
    above = (p + 2.0 * s) - (p + mult * a)
    below = (p - mult * a) - (p - 2.0 * s)
    return np.where(c >= p, above, below)


def compression(close: object, pivot: object, sd: object, atr_value: object) -> np.ndarray:
    """Return the script's compression value.

    Args:
        close: Close per bar.
        pivot: EMA21 of the close.
        sd: Population stdev of the close over 21 bars.
        atr_value: ATR14.

    Returns:
        (pivot + 2sd) − (pivot + 2ATR) where close ≥ pivot, else (pivot − 2ATR) − (pivot − 2sd);
        both equal 2(sd − ATR) up to rounding. Negative means the Bollinger band lies inside
        the Keltner band.
    """
    return _band_gap(close, pivot, sd, atr_value, KELTNER_MULT)


def in_expansion_zone(close: object, pivot: object, sd: object, atr_value: object) -> np.ndarray:
    """Return the script's expansion-zone value.

    Args:
        close: Close per bar.
        pivot: EMA21 of the close.
        sd: Population stdev of the close over 21 bars.
        atr_value: ATR14.

    Returns:
        As ``compression`` with 1.854·ATR in place of 2·ATR, i.e. 2·sd − 1.854·ATR.
    """
    return _band_gap(close, pivot, sd, atr_value, EXPANSION_MULT)


def expansion(comp: object, comp_prev: object) -> np.ndarray:
    """Return whether compression is not falling.

    Args:
        comp: Compression per bar.
        comp_prev: Compression on the previous bar (NaN where there is none).

    Returns:
        Boolean array: compression[1] ≤ compression (False where either is NaN).
    """
    c, prev = same_shape_floats(comp, comp_prev)
    return prev <= c


def compressed(comp: object, comp_prev: object, exp_zone: object) -> np.ndarray:
    """Return the script's compression tracker.

    Args:
        comp: Compression per bar.
        comp_prev: Compression on the previous bar (NaN where there is none).
        exp_zone: The in-expansion-zone value per bar.

    Returns:
        Boolean array: not (expansion and in_expansion_zone > 0) and compression ≤ 0.
    """
    c, prev, z = same_shape_floats(comp, comp_prev, exp_zone)
    return ~(expansion(c, prev) & (z > 0)) & (c <= 0)


def color(po: object, is_compressed: object) -> np.ndarray:
    """Return the oscillator colour per bar.

    Args:
        po: Phase-oscillator values.
        is_compressed: The ``compressed`` flags, same shape.

    Returns:
        Array of strings: magenta if compressed, else green for PO ≥ 0 and red for PO < 0;
        ``"n/a"`` where the PO is NaN.
    """
    v = np.asarray(po, dtype=np.float64)
    squeeze = np.asarray(is_compressed, dtype=bool)
    if squeeze.shape != v.shape:
        raise InvalidArgumentError(
            f"po and is_compressed differ in shape: {v.shape}, {squeeze.shape}"
        )
    colour = np.where(squeeze, "magenta", np.where(v >= 0, "green", "red"))
    return np.where(np.isnan(v), NA, colour)


def dots(po: object) -> pd.DataFrame:
    """Find the four PO dot signals of §3 (a bar may fire two).

    Args:
        po: Phase-oscillator values, oldest first.

    Returns:
        DataFrame of booleans, one row per bar: ``leaving_accumulation`` PO[1] ≤ −61.8 < PO;
        ``leaving_extreme_down`` PO[1] ≤ −100 < PO; ``leaving_distribution`` PO[1] ≥ 61.8 > PO;
        ``leaving_extreme_up`` PO[1] ≥ 100 > PO. The first bar never fires.
    """
    v = np.asarray(po, dtype=np.float64).reshape(-1)
    prev = np.r_[np.nan, v[:-1]]
    return pd.DataFrame(
        {
            "leaving_accumulation": (prev <= -61.8) & (v > -61.8),
            "leaving_extreme_down": (prev <= -100) & (v > -100),
            "leaving_distribution": (prev >= 61.8) & (v < 61.8),
            "leaving_extreme_up": (prev >= 100) & (v < 100),
        }
    )


def phase_oscillator(high: object, low: object, close: object) -> pd.DataFrame:
    """Compute the Phase Oscillator over a whole series.

    Args:
        high: Highs, oldest first (full history: EMAs and ATR are recursive).
        low: Lows, same length.
        close: Closes, same length.

    Returns:
        DataFrame with one row per bar: ``pivot`` (EMA21), ``atr`` (ATR14), ``sd`` (population
        stdev 21), ``raw``, ``po``, ``zone``, ``compression``, ``in_expansion_zone``,
        ``expansion``, ``compressed``, ``color`` and the four dot columns of ``dots``.
    """
    c = np.asarray(close, dtype=np.float64)
    pivot = ema(c, PIVOT_LENGTH)
    atr14 = atr(high, low, c, ATR_LENGTH)
    sd = rolling_std(c, PIVOT_LENGTH)
    raw = raw_oscillator(c, pivot, atr14)
    po = ema(raw, SMOOTHING)
    comp = compression(c, pivot, sd, atr14)
    comp_prev = np.r_[np.nan, comp[:-1]]
    exp_zone = in_expansion_zone(c, pivot, sd, atr14)
    squeezed = compressed(comp, comp_prev, exp_zone)
    frame = pd.DataFrame(
        {
            "pivot": pivot,
            "atr": atr14,
            "sd": sd,
            "raw": raw,
            "po": po,
            "zone": zone(po),
            "compression": comp,
            "in_expansion_zone": exp_zone,
            "expansion": expansion(comp, comp_prev),
            "compressed": squeezed,
            "color": color(po, squeezed),
        }
    )
    return pd.concat([frame, dots(po)], axis=1)
