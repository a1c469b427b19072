"""Alert throughput: 500 symbols x 10 level alerts over an interleaved tick stream, in batches,
one process. Prints ticks per second and firings (issue #6 goal: at least 1M ticks/s).

Run: ``python -m eval.bench_alerts``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from core.alerts import AlertEngine, AlertRule
from integrations.alerts.store import SqliteAlertStore

KEYS = ("+0.236", "+0.382", "+0.618", "+1", "0", "-0.236", "-0.382", "-0.618", "-1", "+1.618")


def main() -> None:
    """Build the rules and the stream, time ``AlertEngine.process`` over it and print the rate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=500)
    parser.add_argument("--ticks", type=int, default=5_000_000)
    parser.add_argument("--batch", type=int, default=10_000)
    args = parser.parse_args()
    names = [f"S{i:03d}" for i in range(args.symbols)]
    rules = [
        AlertRule(
            rule_id=f"{s}-{k}",
            owner="bench",
            destination="null",
            symbol=s,
            level=key,
            direction="up" if key.startswith("+") else "down",
        )
        for s in names
        for k, key in enumerate(KEYS)
    ]
    engine = AlertEngine(rules, names)
    for s in names:
        engine.reset_session(s, 100.0, 2.0)
    rng = np.random.default_rng(3)
    sym = rng.integers(0, args.symbols, args.ticks)
    walk = np.cumsum(rng.normal(0, 0.02, args.ticks))  # one shared walk, offset per symbol
    prices = 100.0 + walk + (sym % 7 - 3) * 0.3
    engine.process(sym[:1000], prices[:1000])  # compile
    for s in names:
        engine.reset_session(s, 100.0, 2.0)
    start = time.perf_counter()
    fired = 0
    for i in range(0, args.ticks, args.batch):
        fired += len(engine.process(sym[i : i + args.batch], prices[i : i + args.batch]))
    elapsed = time.perf_counter() - start
    print(
        f"### Alerts: {args.symbols} symbols x {len(KEYS)} rules, {args.ticks:,} ticks in "
        f"batches of {args.batch:,}"
    )
    print(
        f"decision engine: {args.ticks / elapsed / 1e6:.1f}M ticks/s ({elapsed:.3f} s), "
        f"{fired:,} firings"
    )
    # end to end: every firing recorded durably (the delivery queue) before the next batch
    for s in names:
        engine.reset_session(s, 100.0, 2.0)
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteAlertStore(Path(folder) / "alerts.sqlite")
        latencies: list[float] = []
        start = time.perf_counter()
        for i in range(0, args.ticks, args.batch):
            arrived = time.perf_counter()
            firings = engine.process(sym[i : i + args.batch], prices[i : i + args.batch])
            rows = [
                (
                    engine.rules[f.rule].rule_id,
                    "bench",
                    str(i + f.tick),
                    f.price,
                    f.level_price,
                    "x",
                )
                for f in firings
            ]
            if rows:
                store.record_many(rows)  # one transaction per batch
                latencies += [time.perf_counter() - arrived] * len(rows)
        elapsed = time.perf_counter() - start
    lat = np.sort(np.array(latencies)) * 1000
    print(
        f"end to end with durable recording: {args.ticks / elapsed / 1e6:.1f}M ticks/s; "
        f"tick batch to queued firing p50 {np.percentile(lat, 50):.1f} ms, "
        f"p99 {np.percentile(lat, 99):.1f} ms ({lat.size:,} firings, batches of {args.batch:,})"
    )


if __name__ == "__main__":
    main()
