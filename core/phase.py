"""Saty Phase Oscillator, as the Pine script defines it (domain spec §3).

pivot = EMA21(close); ATR = RMA14(true range); sd = population stdev(close, 21);
raw = (close − pivot) / (3·ATR) · 100; PO = EMA3(raw). Compression compares 2·sd with 2·ATR.
The formula pieces are separate functions so each can be checked on its own numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from core.ta import atr, ema, rolling_std

ZONES = ("extended_up", "distribution", "mark_up", "launch_box", "mark_down", "accumulation",
         "extended_down")


def raw_oscillator(close: object, pivot: object, atr_value: object) -> np.ndarray:
    """Return (close − pivot) / (3·ATR) · 100, the oscillator before its EMA3 smoothing."""
    c, p, a = (np.asarray(x, dtype=np.float64) for x in (close, pivot, atr_value))
    return (c - p) / (3.0 * a) * 100.0


def ema_step(previous: float, value: float, length: int = 3) -> float:
    """Return one EMA update: previous + alpha·(value − previous), alpha = 2/(length+1)."""
    alpha = 2.0 / (length + 1)
    return previous * (1 - alpha) + value * alpha


def zone(po: object) -> np.ndarray | str:
    """Return the zone of each PO value: extended_up ≥ 100; distribution [61.8, 100);
    mark_up (23.6, 61.8); launch_box [−23.6, 23.6]; mark_down (−61.8, −23.6);
    accumulation (−100, −61.8]; extended_down ≤ −100 (``n/a`` for NaN)."""
    v = np.asarray(po, dtype=np.float64)
    out = np.select(
        [v >= 100, v >= 61.8, v > 23.6, v >= -23.6, v > -61.8, v > -100, v <= -100],
        list(ZONES), default="n/a")
    return str(out) if out.ndim == 0 else out


def compression(close: object, pivot: object, sd: object, atr_value: object) -> np.ndarray:
    """Return the §3 compression value: (pivot+2sd)−(pivot+2ATR) above the pivot, else
    (pivot−2ATR)−(pivot−2sd); both equal 2(sd − ATR). Negative means Bollinger inside Keltner."""
    c, p, s, a = (np.asarray(x, dtype=np.float64) for x in (close, pivot, sd, atr_value))
    return np.where(c >= p, (p + 2 * s) - (p + 2 * a), (p - 2 * a) - (p - 2 * s))


def in_expansion_zone(close: object, pivot: object, sd: object, atr_value: object) -> np.ndarray:
    """Return the §3 expansion-zone value, the same with 1.854·ATR: 2·sd − 1.854·ATR."""
    c, p, s, a = (np.asarray(x, dtype=np.float64) for x in (close, pivot, sd, atr_value))
    return np.where(c >= p, (p + 2 * s) - (p + 1.854 * a), (p - 1.854 * a) - (p - 2 * s))


def compressed(comp: np.ndarray, comp_prev: np.ndarray, exp_zone: np.ndarray) -> np.ndarray:
    """Return not(expansion and in_expansion_zone > 0) and compression ≤ 0, where expansion
    means compression[1] ≤ compression."""
    expansion = comp_prev <= comp
    return ~(expansion & (exp_zone > 0)) & (comp <= 0)


def dots(po: object) -> pd.DataFrame:
    """Return the four PO dot signals per bar (a bar may fire two): leaving_accumulation
    PO[1] ≤ −61.8 < PO; leaving_extreme_down PO[1] ≤ −100 < PO; leaving_distribution
    PO[1] ≥ 61.8 > PO; leaving_extreme_up PO[1] ≥ 100 > PO."""
    v = np.asarray(po, dtype=np.float64)
    prev = np.r_[np.nan, v[:-1]]
    return pd.DataFrame({
        "leaving_accumulation": (prev <= -61.8) & (v > -61.8),
        "leaving_extreme_down": (prev <= -100) & (v > -100),
        "leaving_distribution": (prev >= 61.8) & (v < 61.8),
        "leaving_extreme_up": (prev >= 100) & (v < 100),
    })


def phase_oscillator(high: object, low: object, close: object) -> pd.DataFrame:
    """Return per bar: pivot, atr, sd, raw, po, zone, compression, in_expansion_zone,
    compressed, colour (magenta compressed, else green PO ≥ 0 / red) and the four dots."""
    c = np.asarray(close, dtype=np.float64)
    pivot = ema(c, 21)
    atr14 = atr(high, low, c, 14)
    sd = rolling_std(c, 21)
    raw = raw_oscillator(c, pivot, atr14)
    po = ema(raw, 3)
    comp = compression(c, pivot, sd, atr14)
    exp_zone = in_expansion_zone(c, pivot, sd, atr14)
    squeezed = compressed(comp, np.r_[np.nan, comp[:-1]], exp_zone)
    colour = np.where(np.isnan(po), "n/a",
                      np.where(squeezed, "magenta", np.where(po >= 0, "green", "red")))
    frame = pd.DataFrame({"pivot": pivot, "atr": atr14, "sd": sd, "raw": raw, "po": po,
                          "zone": zone(po), "compression": comp, "in_expansion_zone": exp_zone,
                          "compressed": squeezed, "color": colour})
    return pd.concat([frame, dots(po)], axis=1)
