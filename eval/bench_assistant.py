"""Assistant benchmark: turns per second and p50/p99 latency of ``ask`` through the LangGraph
graph with the offline planner, against calling the same tools directly (the graph's overhead).

Run: ``python -m eval.bench_assistant`` (after ``make install``).
"""

from __future__ import annotations

import argparse
import statistics
import time

from assistant.service import Assistant
from eval.accuracy import REFERENCE_DATE, load_requests
from integrations.marketdata.files import FileSource
from tools import ToolContext, run_tool


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    """Time every single-turn labelled request through the graph and directly, and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="passes over the request set")
    args = parser.parse_args()
    ctx = ToolContext(source=FileSource(), today=REFERENCE_DATE)
    assistant = Assistant(ctx, "offline")
    items = [i for i in load_requests() if len(i["turns"]) == 1]
    for item in items:  # warm up: data loading, numba kernels, caches
        assistant.ask(item["turns"][0]["text"])
    graph_ms: list[float] = []
    direct_ms: list[float] = []
    for _ in range(args.rounds):
        for item in items:
            turn = item["turns"][0]
            start = time.perf_counter()
            assistant.ask(turn["text"])
            graph_ms.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            for call in turn["calls"]:
                run_tool(ctx, call["name"], call["args"])
            direct_ms.append((time.perf_counter() - start) * 1000)
    g50, d50 = statistics.median(graph_ms), statistics.median(direct_ms)
    print(f"### Assistant turns, offline planner ({len(graph_ms)} turns)\n")
    print("| path | turns/s | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    print(
        f"| ask() through the graph | {1000 / statistics.mean(graph_ms):.0f} | {g50:.2f} | "
        f"{_percentile(graph_ms, 0.99):.2f} |"
    )
    print(
        f"| the same tool calls, direct | {1000 / statistics.mean(direct_ms):.0f} | {d50:.2f} | "
        f"{_percentile(direct_ms, 0.99):.2f} |"
    )
    print(
        f"\ngraph + planner overhead at p50: {g50 - d50:.2f} ms per turn "
        f"({g50 / max(d50, 1e-9):.1f}x the direct tool time)"
    )


if __name__ == "__main__":
    main()
