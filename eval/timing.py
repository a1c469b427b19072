"""Round-robin timing for benchmarks: contenders run in turn on the same data in one process."""

from __future__ import annotations

import ctypes
import statistics
import time
from collections.abc import Callable


def round_robin(
    contenders: dict[str, Callable[[], object]], repeats: int = 5, warmup: int = 1
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
    lines = [
        f"\n### {title} (n = {n:,})",
        "",
        f"| implementation | median s | {unit}/s | speed vs {baseline} |",
        "|---|---:|---:|---:|",
    ]
    base = medians[baseline]
    for name, sec in medians.items():
        lines.append(f"| {name} | {sec:.4f} | {n / sec / 1e6:,.1f}M | {base / sec:.2f}x |")
    return "\n".join(lines)


def keep_freed_memory() -> bool:
    """Tell glibc to keep freed memory in the heap instead of returning it to the OS.

    On this machine's VMs a fresh large allocation pays first-touch page faults (the performance
    notes measured 1.6-3.5x on 10M-element arrays), which taxes whichever contender runs after
    another one freed memory. Applied once per benchmark process, it affects every contender
    alike (the same as ``MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=…``). Returns False where glibc
    is not available.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return False
    m_trim_threshold, m_mmap_max = -1, -4
    return bool(libc.mallopt(m_mmap_max, 0)) and bool(libc.mallopt(m_trim_threshold, 1 << 40))
