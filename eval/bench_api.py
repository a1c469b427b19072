"""HTTP API latency and throughput on loopback: one uvicorn worker in its own process, driven by
an asyncio httpx client at 1 and 16 concurrent connections.

Rows: ``/health`` (the framework's floor, the peer in the same run), ``/api/levels`` (token
auth + audit + the levels tool), and ``/api/ask`` (auth + rate limit + the offline LangGraph turn
+ audit + transcript). Prints p50/p99 latency, requests/s and each row's p50 as a multiple of the
floor. Run: ``python -m eval.bench_api`` (``make bench``).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np

QUESTION = "what's the SPY put trigger for June 12, 2019?"


def _serve(port: int, home: str) -> None:
    """Run the app (offline provider, shipped data) and print a token for user ``bench``."""
    import uvicorn

    from integrations.chat.accounts import Role
    from integrations.chat.settings import load_settings
    from integrations.web.serve import build_server

    os.environ["WHISPR_HOME"] = home
    os.environ["WHISPR_RATE_LIMIT"] = "1000000/hour"
    server = build_server(load_settings())
    server.service.accounts.add_user("bench", "bench password", Role.TRADER)
    print(server.service.accounts.new_token("bench", "bench")[1], flush=True)
    uvicorn.run(server.app, host="127.0.0.1", port=port, log_level="warning")


async def _load(url: str, headers: dict, method: str, body: dict | None, conns: int, secs: float):
    latencies: list[float] = []
    stop = time.perf_counter() + secs

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop:
            t = time.perf_counter()
            r = await client.request(method, url, json=body, headers=headers)
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200:
                raise RuntimeError(f"{url}: {r.status_code} {r.text[:200]}")

    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(conns)))
        elapsed = time.perf_counter() - start
    ms = np.asarray(latencies) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), len(ms) / elapsed


@contextmanager
def served(home: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, str]]:
    """Start ``python -m eval.bench_api --serve`` on a free loopback port over ``home`` (with
    ``env`` as its environment when given), wait until ``/health`` answers, and yield
    ``(base URL, API token)``; the server is stopped on exit."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "eval.bench_api", "--serve", str(port), home],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    try:
        assert proc.stdout is not None  # stdout=PIPE
        token = proc.stdout.readline().strip()
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                httpx.get(base + "/health")
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base, token
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    """Start the server, measure every row at 1 and 16 connections, print the table."""
    with served(tempfile.mkdtemp(prefix="whispr-bench-api-")) as (base, token):
        auth = {"Authorization": f"Bearer {token}"}
        rows = [
            ("/health (floor)", "GET", "/health", None),
            ("/api/levels (tool)", "GET", "/api/levels/SPY?date=2019-06-12&level=-0.236", None),
            ("/api/ask (offline turn)", "POST", "/api/ask", {"question": QUESTION}),
        ]
        print("HTTP API on loopback, one uvicorn worker (offline planner, shipped data)")
        print(
            f"{'endpoint':<26}{'conns':>6}{'p50 ms':>9}{'p99 ms':>9}{'req/s':>9}{'p50 / floor':>13}"
        )
        for conns in (1, 16):
            floor = None
            for name, method, path, body in rows:
                asyncio.run(_load(base + path, auth, method, body, conns, 0.5))  # warm-up
                p50, p99, rps = asyncio.run(_load(base + path, auth, method, body, conns, 3.0))
                floor = floor or p50
                print(f"{name:<26}{conns:>6}{p50:>9.2f}{p99:>9.2f}{rps:>9.0f}{p50 / floor:>12.1f}x")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--serve":
        _serve(int(sys.argv[2]), sys.argv[3])
    else:
        main()
