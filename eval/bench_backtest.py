"""Backtest benchmark: a two-EMA cross (always long or flat, fills at the next open) on 1M
synthetic 1-minute bars, Whispr's numba backtester vs vectorbt, timed round-robin in one run.

Run: ``make bench`` (it installs vectorbt, a benchmark-only dependency; its first call compiles
for about a minute). Both engines must make the same number of trades.
"""

from __future__ import annotations

import argparse
import gc

import numpy as np

from core.backtest import backtest
from core.bars import resample
from core.spec import Exits, MovingAverageCross, StrategySpec
from core.ta import ema
from eval.bench_core import synthetic_minutes
from eval.timing import keep_freed_memory, report, round_robin

SPEC = StrategySpec(
    name="ema cross",
    symbol="SYN",
    bar="1m",
    entry=[MovingAverageCross(fast=10, slow=30, average="ema")],
    exit=Exits(
        session_end=False,
        when=[MovingAverageCross(fast=10, slow=30, average="ema", direction="down")],
    ),
)


def _vectorbt(close, open_):
    import vectorbt as vbt  # noqa: PLC0415 - optional, benchmark-only dependency

    diff = ema(close, 10) - ema(close, 30)
    before = np.r_[np.nan, diff[:-1]]
    with np.errstate(invalid="ignore"):
        entries = (diff > 0) & (before <= 0)
        exits = (diff < 0) & (before >= 0)
    # signal on the close, fill at the next open: shift signals one bar
    entries, exits = np.r_[False, entries[:-1]], np.r_[False, exits[:-1]]
    return vbt.Portfolio.from_signals(close, entries, exits, price=open_, init_cash=1e9, size=1)


def _vectorbt_pipeline(close, open_):
    import vectorbt as vbt  # noqa: PLC0415

    fast, slow = vbt.MA.run(close, 10, ewm=True), vbt.MA.run(close, 30, ewm=True)
    entries = fast.ma_crossed_above(slow).to_numpy()
    exits = fast.ma_crossed_below(slow).to_numpy()
    entries, exits = np.r_[False, entries[:-1]], np.r_[False, exits[:-1]]
    return vbt.Portfolio.from_signals(close, entries, exits, price=open_, init_cash=1e9, size=1)


def main() -> None:
    """Time both engines and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tuned = keep_freed_memory()
    bars = synthetic_minutes(args.bars)
    daily = resample(bars, "1d", "1m")
    close, open_ = bars["close"].to_numpy(), bars["open"].to_numpy()
    ours = backtest(SPEC, bars, daily, capital=1e9).trades
    theirs = _vectorbt(close, open_).trades.count()
    pipeline = _vectorbt_pipeline(close, open_).trades.count()
    # vectorbt's imports leave a very large object heap; freeze it so that garbage-collector
    # passes triggered by either contender do not rescan it (it would tax whoever runs next)
    gc.collect()
    gc.freeze()
    med = round_robin(
        {
            "vectorbt MA.run x2 + crossed + from_signals": lambda: _vectorbt_pipeline(close, open_),
            "vectorbt from_signals on our signals": lambda: _vectorbt(close, open_),
            "whispr backtest (signals + loop + trade list)": lambda: backtest(
                SPEC, bars, daily, capital=1e9
            ),
        },
        args.repeats,
    )
    print(
        report(
            "Backtest, EMA 10/30 cross",
            med,
            args.bars,
            "bars",
            "vectorbt MA.run x2 + crossed + from_signals",
        )
    )
    print(f"\nglibc keeps freed memory for every contender: {tuned}")
    print(
        f"\ntrades: whispr {len(ours)}, vectorbt on our signals {theirs}, vectorbt pipeline "
        f"{pipeline} (its EWM seeding differs at the start)"
    )


if __name__ == "__main__":
    main()
