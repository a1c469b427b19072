"""Round-robin timing for benchmarks: contenders run in turn on the same data in one process."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def round_robin(contenders: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1
                ) -> dict[str, float]:
    """Return the median seconds of each contender, timed A, B, C, A, B, C, ... after a warm-up."""
    for fn in contenders.values():
        for _ in range(warmup):
            fn()
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeats):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(ts) for name, ts in times.items()}


def report(title: str, medians: dict[str, float], n: int, unit: str, baseline: str) -> str:
    """Return a markdown table of medians, throughput and each row's speed relative to ``baseline``."""
    lines = [f"\n### {title} (n = {n:,})", "",
             f"| implementation | median s | {unit}/s | speed vs {baseline} |",
             "|---|---:|---:|---:|"]
    base = medians[baseline]
    for name, sec in medians.items():
        lines.append(f"| {name} | {sec:.4f} | {n / sec / 1e6:,.1f}M | {base / sec:.2f}x |")
    return "\n".join(lines)
