"""Start-up of the ``whispr`` command: each command runs in a fresh process, N times in turn, and
the median wall time is printed next to ``python -c pass`` (the interpreter's floor) and the
issue #16 targets (``whispr --help`` under 0.5 s, ``whispr levels`` under 1.5 s).

Run: ``python -m eval.bench_startup [-n 7]``. Wall times include the interpreter's start; the
data is the shipped samples unless ``WHISPR_DATA_DIR`` is set. Nothing here is a test: timings
depend on the machine and its load, so they live in ``eval/``, not in ``tests/``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"whispr --help": 0.5, "whispr levels SPX": 1.5}
"""Issue #16's start-up goals in seconds (median wall time on the project's machine)."""

COMMANDS = (
    "whispr --help",
    "whispr levels SPX",
    "whispr levels SPY --mode multiday",
    "whispr config",
    "whispr data list",
    "whispr alerts list",
)


def _argv(command: str) -> list[str]:
    """Return the argv of ``command``: the venv's ``whispr`` script, else ``python -m``."""
    words = command.split()
    if words[0] == "python":
        return [sys.executable, *words[1:]]
    script = Path(sys.executable).with_name("whispr")
    head = [str(script)] if script.exists() else [sys.executable, "-m", "integrations.cli"]
    return [*head, *words[1:]]


def _run(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr}")
    return elapsed


def measure(commands: list[str], repeats: int, env: dict[str, str]) -> dict[str, float]:
    """Return the median wall seconds of each command, run round robin after one warm-up each
    (the warm-up fills the OS file cache and numba's on-disk cache, as any second start finds)."""
    argvs = {c: _argv(c) for c in commands}
    for argv in argvs.values():
        _run(argv, env)
    times: dict[str, list[float]] = {c: [] for c in commands}
    for _ in range(repeats):
        for command, argv in argvs.items():
            times[command].append(_run(argv, env))
    return {c: statistics.median(ts) for c, ts in times.items()}


def table(medians: dict[str, float], floor: float) -> str:
    """Return a markdown table: median, time above the floor, target and whether it is met."""
    lines = [
        "| command | median s | above floor s | target s | met |",
        "|---|---:|---:|---:|:---:|",
    ]
    for command, sec in medians.items():
        target = TARGETS.get(command)
        met = "" if target is None else ("yes" if sec < target else "NO")
        shown = "" if target is None else f"{target:.1f}"
        lines.append(f"| {command} | {sec:.3f} | {sec - floor:.3f} | {shown} | {met} |")
    return "\n".join(lines)


def main() -> None:
    """Time every command and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--repeats", type=int, default=7, help="runs per command")
    args = parser.parse_args()
    commands = ["python -c pass", *COMMANDS]
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "WHISPR_HOME": home}  # `alerts list` must not touch ~/.whispr
        medians = measure(commands, args.repeats, env)
    floor = medians["python -c pass"]
    print(f"### Start-up (median of {args.repeats} runs, {os.cpu_count()} CPUs)\n")
    print(table(medians, floor))


if __name__ == "__main__":
    main()
