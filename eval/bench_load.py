"""Load benchmark (issue #16 item 9): embedded vs shared-services mode, side by side, on loopback.

Each mode starts one uvicorn worker in its own process (``eval.bench_api``'s ``--serve``) and
drives it from one asyncio httpx client holding 1, 16, 64 and 256 connections. Embedded: SQLite
files in a temporary ``WHISPR_HOME``. Shared services: ``WHISPR_DATABASE_URL`` with a fresh
PostgreSQL schema (dropped afterwards) and ``WHISPR_REDIS_URL`` on an empty Redis database (the
run's keys deleted afterwards); skipped with a message when either does not answer.

Each cell sends a fixed number of requests (``requests_for``) after one warm-up request per
connection, and reports p50/p99 of the 200 answers, the longest wait of any request, answers/s,
the error rate (anything but 200, transport errors included) and how many errors were the
shedder's fast ``503``. Then the issue's goals with the measured values. The server is not tuned:
``WHISPR_MAX_INFLIGHT``/``WHISPR_QUEUE_WAIT`` keep their defaults unless set in the environment.
Run: ``python -m eval.bench_load`` (``make bench``); a few minutes on 2 cores.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx
import numpy as np

from eval.bench_api import QUESTION, served

DATABASE_URL = os.environ.get("WHISPR_BENCH_DATABASE_URL", "postgresql://root@127.0.0.1:5432/test")
REDIS_SERVER = os.environ.get("WHISPR_BENCH_REDIS_SERVER", "redis://127.0.0.1:6379")
CONNECTIONS = (1, 16, 64, 256)
ROUTES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("/api/levels/SPX", "GET", "/api/levels/SPX", None),
    ("golden-gate stats SPX", "GET", "/api/stats/golden-gate/SPX", None),
    ("/api/ask (offline)", "POST", "/api/ask", {"question": QUESTION}),
]


@dataclass(frozen=True)
class Cell:
    """One measured (mode, route, connections) cell; latencies in milliseconds."""

    mode: str
    route: str
    conns: int
    n: int
    p50: float
    p99: float
    longest: float
    rps: float
    errors: int
    shed: int
    other: str
    """Errors other than 503, by status or client exception, e.g. ``500x3 ReadErrorx1``."""


def requests_for(route: str, conns: int) -> int:
    """Return how many requests a cell sends: max(200, 4 x connections), 2 x past 64 for the
    slow routes (statistics, ask) so the run stays within a few minutes."""
    if route != ROUTES[0][0] and conns > 64:
        return 2 * conns
    return max(200, 4 * conns)


async def drive(
    mode: str, base: str, token: str, route: tuple[str, str, str, dict[str, Any] | None], conns: int
) -> Cell:
    """Send ``requests_for`` requests to ``route`` over ``conns`` connections; return the cell."""
    name, method, path, body = route
    n = requests_for(name, conns)
    headers = {"Authorization": f"Bearer {token}"}
    results: list[tuple[float, int | str]] = []  # (seconds, status or the client's exception)

    async def one(client: httpx.AsyncClient) -> tuple[float, int | str]:
        start = time.perf_counter()
        try:
            response = await client.request(method, path, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return time.perf_counter() - start, type(exc).__name__
        return time.perf_counter() - start, response.status_code

    async def worker(client: httpx.AsyncClient, todo: Iterator[int]) -> None:
        for _ in todo:  # one iterator shared by every worker: exactly n requests in all
            results.append(await one(client))

    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(one(client) for _ in range(conns)))  # open the connections
        todo = iter(range(n))
        start = time.perf_counter()
        await asyncio.gather(*(worker(client, todo) for _ in range(conns)))
        elapsed = time.perf_counter() - start
    seconds = np.asarray([s for s, _ in results]) * 1000
    ok = np.asarray([s for s, status in results if status == 200]) * 1000
    p50, p99 = np.percentile(ok, [50, 99]) if len(ok) else (np.nan, np.nan)
    return Cell(
        mode=mode,
        route=name,
        conns=conns,
        n=n,
        p50=float(p50),
        p99=float(p99),
        longest=float(seconds.max()),
        rps=n / elapsed,
        errors=sum(status != 200 for _, status in results),
        shed=sum(status == 503 for _, status in results),
        other=" ".join(
            f"{k}x{v}"
            for k, v in sorted(Counter(str(s) for _, s in results).items())
            if k not in ("200", "503")
        ),
    )


def measure(mode: str, env: dict[str, str]) -> list[Cell]:
    """Start a server with ``env`` over the current environment, measure every cell, stop it."""
    home = tempfile.mkdtemp(prefix="whispr-bench-load-")
    env = os.environ | {"WHISPR_ABUSE_LIMIT": "100000000/hour"} | env  # offline turns count
    cells = []
    print(f"{mode}: load average before {os.getloadavg()[0]:.1f}", file=sys.stderr)
    try:
        with served(home, env) as (base, token):
            for conns in CONNECTIONS:
                for route in ROUTES:
                    cells.append(asyncio.run(drive(mode, base, token, route, conns)))
                    print(f"  {mode:<9}{route[0]:<24}{conns:>4} conns done", file=sys.stderr)
    finally:
        print(f"{mode}: load average after {os.getloadavg()[0]:.1f}", file=sys.stderr)
        shutil.rmtree(home, ignore_errors=True)
    return cells


@contextmanager
def shared_services() -> Iterator[dict[str, str] | None]:
    """Yield the shared-services environment (a fresh schema, an empty Redis database) or None
    after printing why when PostgreSQL or Redis does not answer; clean both up afterwards."""
    import psycopg
    import redis

    try:
        with psycopg.connect(DATABASE_URL, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
        probe = redis.Redis.from_url(REDIS_SERVER, socket_connect_timeout=3)
        keyspace = probe.info("keyspace")
        probe.close()
    except (psycopg.Error, redis.RedisError) as exc:
        print(f"shared-services column skipped: {type(exc).__name__}: {' '.join(str(exc).split())}")
        yield None
        return
    # no key-prefix setting: an empty database keeps the run's keys apart from everyone else's
    empty = [db for db in range(15, 0, -1) if f"db{db}" not in keyspace]
    if not empty:
        print("shared-services column skipped: no empty Redis database (1-15) to use")
        yield None
        return
    redis_url = f"{REDIS_SERVER}/{empty[0]}"
    schema = f"whispr_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    option = "options=" + quote(f"-csearch_path={schema}", safe="")
    database_url = DATABASE_URL + ("&" if "?" in DATABASE_URL else "?") + option
    try:
        yield {"WHISPR_DATABASE_URL": database_url, "WHISPR_REDIS_URL": redis_url}
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        client = redis.Redis.from_url(redis_url)
        keys = list(client.scan_iter(match="whispr:*bench", count=500))  # user "bench"'s
        if keys:
            client.delete(*keys)
        client.close()


def print_table(cells: list[Cell]) -> None:
    """Print one row per route and connection count, the modes side by side."""
    modes = sorted({c.mode for c in cells}, key=["embedded", "shared"].index)
    by = {(c.mode, c.route, c.conns): c for c in cells}
    head = f"{'p50 ms':>8}{'p99 ms':>8}{'max ms':>8}{'req/s':>7}{'err %':>7}{'503s':>6}"
    print(f"{'':<24}{'':>6}{'':>6}" + "".join(f"   {m:<{len(head) - 3}}" for m in modes))
    print(f"{'route':<24}{'conns':>6}{'reqs':>6}" + head * len(modes))
    for conns in CONNECTIONS:
        for name, *_ in ROUTES:
            row = f"{name:<24}{conns:>6}{requests_for(name, conns):>6}"
            for mode in modes:
                c = by[(mode, name, conns)]
                row += f"{c.p50:>8.1f}{c.p99:>8.1f}{c.longest:>8.0f}{c.rps:>7.0f}"
                row += f"{100 * c.errors / c.n:>7.1f}{c.shed:>6}"
            print(row)
    for c in cells:
        if c.other:
            print(f"  {c.mode} {c.route} at {c.conns}: errors other than 503: {c.other}")


def print_goals(cells: list[Cell]) -> None:
    """Print the issue's goals next to the measured values, met or not met, per mode."""
    by = {(c.mode, c.route, c.conns): c for c in cells}
    print("\nGoals (issue #16; the issue sets them for shared-services mode on 2 cores)")
    for mode in sorted({c.mode for c in cells}, key=["embedded", "shared"].index):
        levels, ask = by[(mode, ROUTES[0][0], 64)], by[(mode, ROUTES[2][0], 16)]
        longest = max(c.longest for c in cells if c.mode == mode and c.conns == 256)
        for text, value, met in [
            ("/api/levels p99 < 50 ms at 64 connections", levels, levels.p99 < 50),
            ("offline ask p99 < 150 ms at 16 connections", ask, ask.p99 < 150),
            ("no request waits > 1 s at 256 connections", longest, longest <= 1000),
        ]:
            if isinstance(value, Cell):  # a latency goal is met only when nothing failed
                met, shown = met and not value.errors, f"p99 {value.p99:8.1f} ms"
                shown += f", {value.errors} errors" if value.errors else ""
            else:
                shown = f"max {value:8.0f} ms"
            print(f"  {mode:<9}{text:<46}{shown:<30}{'met' if met else 'NOT met'}")


def main() -> None:
    """Measure embedded mode, then shared-services mode when reachable; print table and goals."""
    cells = measure("embedded", {})
    with shared_services() as env:
        if env is not None:
            cells += measure("shared", env)
    inflight = os.environ.get("WHISPR_MAX_INFLIGHT", "64")
    wait = os.environ.get("WHISPR_QUEUE_WAIT", "0.5")
    print(
        f"\nLoad on loopback: one uvicorn worker, one asyncio httpx client, {os.cpu_count()} cores "
        f"(WHISPR_MAX_INFLIGHT={inflight}, WHISPR_QUEUE_WAIT={wait}); p50/p99 of 200 answers, "
        "max = longest wait of any request, err % = not 200 (503s: shed)"
    )
    print_table(cells)
    print_goals(cells)


if __name__ == "__main__":
    main()
