"""Core benchmarks: ATR vs TA-Lib, level crossings vs memory bandwidth, resampling vs pandas.

Run: ``make bench`` (or ``python -m eval.bench_core``). Prints markdown tables with ratios measured
in the same run; goals from issue #2: ATR ≥ 0.67× TA-Lib's speed, crossings ≥ 100M ticks/s,
resampling ≥ 3× pandas. Data is synthetic (fixed seeds) so the sizes can be large.
"""

from __future__ import annotations

import argparse
import functools

import numpy as np
import pandas as pd

from core.bars import EASTERN, NS_PER_DAY, NS_PER_MIN, make_bars, resample
from core.crossings import crossing_counts, find_crossings
from core.levels import level_grid
from core.ta import atr
from eval.timing import report, round_robin

AGG = {"open": "first", "high": "max", "low": "min", "close": "last", "volume": "sum"}


def synthetic_minutes(n: int, seed: int = 1) -> pd.DataFrame:
    """Return ``n`` regular-hours 1-minute bars (390 a session, weekdays) of a random walk."""
    rng = np.random.default_rng(seed)
    sessions = -(-n // 390)
    days = pd.bdate_range("1900-01-01", periods=sessions).to_numpy().astype("datetime64[D]")
    local = (
        days.astype(np.int64)[:, None] * NS_PER_DAY + (570 + np.arange(390))[None, :] * NS_PER_MIN
    ).ravel()[:n]
    index = pd.DatetimeIndex(local).tz_localize(EASTERN)
    close = 5000 * np.exp(np.cumsum(rng.normal(0, 0.0005, n)))
    opn = np.r_[close[0], close[:-1]]
    spread = np.abs(rng.normal(0, 0.5, n))
    return make_bars(
        index,
        {
            "open": opn,
            "high": np.maximum(opn, close) + spread,
            "low": np.minimum(opn, close) - spread,
            "close": close,
            "volume": rng.integers(1, 1000, n).astype(float),
        },
    )


def bench_atr(n: int, repeats: int) -> str:
    """Return the ATR(14) table: ours (numba) vs talib.ATR on ``n`` bars."""
    import talib  # a dev dependency: benchmarks only  # noqa: PLC0415

    bars = synthetic_minutes(n)
    h, lo, c = (bars[k].to_numpy() for k in ("high", "low", "close"))
    ours, ref = atr(h, lo, c), talib.ATR(h, lo, c, 14)
    diff = float(np.nanmax(np.abs(ours - ref)))
    med = round_robin(
        {
            "TA-Lib talib.ATR (C)": lambda: talib.ATR(h, lo, c, 14),
            "whispr core.ta.atr (numba)": lambda: atr(h, lo, c),
        },
        repeats,
    )
    return (
        report("ATR(14)", med, n, "bars", "TA-Lib talib.ATR (C)")
        + f"\n\nmax |ours - TA-Lib| = {diff:.1e}"
    )


def synthetic_ticks(n: int, seed: int = 2) -> np.ndarray:
    """Return ``n`` tick prices: a mean-reverting walk around 5000 with a bid/ask bounce."""
    rng = np.random.default_rng(seed)
    walk = np.empty(n)
    shocks = rng.normal(0, 0.09, n)
    x, kappa = 0.0, 1e-6
    for start in range(0, n, 1_000_000):  # AR(1) by chunks via a closed-form filter
        seg = shocks[start : start + 1_000_000]
        decay = (1 - kappa) ** np.arange(seg.size)
        walk[start : start + seg.size] = x * decay + np.cumsum(seg)
        x = walk[start + seg.size - 1]
    bounce = rng.choice([-0.05, 0.05], n)
    return np.round(5000 + walk + bounce, 2)


def bench_crossings(n: int, repeats: int) -> str:
    """Return the crossings table: events and counts vs a plain numpy sum (bandwidth ceiling)."""
    ticks = synthetic_ticks(n)
    levels = np.array(list(level_grid(5000.0, 60.0).values()))[4:-5]  # 28 levels, ±2.618 inside
    events = len(find_crossings(ticks, levels))
    med = round_robin(
        {
            "numpy sum (memory-bandwidth ceiling)": lambda: ticks.sum(),
            "whispr find_crossings (event list)": lambda: find_crossings(ticks, levels),
            "whispr crossing_counts (counts only)": lambda: crossing_counts(ticks, levels),
        },
        repeats,
    )
    return (
        report(
            f"Level crossings, {levels.size} levels",
            med,
            n,
            "ticks",
            "numpy sum (memory-bandwidth ceiling)",
        )
        + f"\n\n{events:,} crossing events"
    )


def _pandas_resample(bars: pd.DataFrame, rule: str, offset: str | None = None) -> pd.DataFrame:
    return bars.resample(rule, offset=offset).agg(AGG).dropna(subset=["open"])


def bench_resample(n: int, repeats: int) -> str:
    """Return the resampling tables: 1-minute → 1h and → daily, ours vs pandas ``resample``."""
    bars = synthetic_minutes(n)
    out = []
    for tf, rule, offset in (("1h", "1h", "30min"), ("1d", "1D", None)):
        ours, ref = resample(bars, tf, "1m"), _pandas_resample(bars, rule, offset)
        same = np.allclose(ours.to_numpy(), ref.to_numpy()) and len(ours) == len(ref)
        med = round_robin(
            {
                "pandas resample().agg()": functools.partial(_pandas_resample, bars, rule, offset),
                "whispr core.bars.resample": functools.partial(resample, bars, tf, "1m"),
            },
            repeats,
        )
        out.append(
            report(
                f"Resample 1m → {tf} ({len(ours):,} bars, equal to pandas: {same})",
                med,
                n,
                "input bars",
                "pandas resample().agg()",
            )
        )
    return "\n".join(out)


def main() -> None:
    """Run the core benchmarks and print their tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atr-bars", type=int, default=1_000_000)
    parser.add_argument("--ticks", type=int, default=10_000_000)
    parser.add_argument("--resample-bars", type=int, default=10_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print("## Whispr core benchmarks (medians of round-robin runs; ratios from this run)")
    print(bench_atr(args.atr_bars, args.repeats))
    print(bench_crossings(args.ticks, args.repeats))
    print(bench_resample(args.resample_bars, args.repeats))


if __name__ == "__main__":
    main()
