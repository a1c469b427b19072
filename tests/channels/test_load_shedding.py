"""Back-pressure (issue #16, item 4): past its in-flight limit the server answers 503 at once
(with Retry-After) instead of queueing; probes and streams are never shed."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from integrations.web.app import create_app
from integrations.web.shedding import LoadShedder, exempt
from tests.channels.conftest import make_service


def _slow_app(gate: asyncio.Event) -> Starlette:
    """A bare Starlette app (a test fixture, not Whispr's) whose API route waits for ``gate``."""

    async def slow(request):
        await gate.wait()
        return JSONResponse({"ok": True})

    async def health(request):
        return JSONResponse({"status": "ok"})

    return Starlette(routes=[Route("/api/slow", slow), Route("/health", health)])


def test_requests_past_the_limit_get_a_fast_503_and_the_admitted_ones_finish():
    async def scenario():
        gate = asyncio.Event()
        shed: list[str] = []
        app = LoadShedder(_slow_app(gate), max_inflight=2, max_wait=0.1, on_shed=shed.append)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            started = time.perf_counter()
            pending = [asyncio.create_task(client.get("/api/slow")) for _ in range(5)]
            await asyncio.sleep(0.3)  # the three beyond the limit have given up by now
            refused = [t for t in pending if t.done()]
            refused_after = time.perf_counter() - started
            health = await client.get("/health")  # a probe is never shed
            gate.set()
            answers = await asyncio.gather(*pending)
        return answers, refused, refused_after, health, shed

    answers, refused, refused_after, health, shed = asyncio.run(scenario())
    assert sorted(r.status_code for r in answers) == [200, 200, 503, 503, 503]
    assert len(refused) == 3 and refused_after < 1.0  # refused within the wait, not queued
    busy = next(r for r in answers if r.status_code == 503)
    assert busy.headers["retry-after"] == "1" and busy.json()["kind"] == "overloaded"
    assert health.status_code == 200
    assert shed == ["/api/slow"] * 3


def test_what_is_never_shed():
    assert exempt("/health") and exempt("/metrics") and exempt("/static/app.js")
    assert exempt("/api/live/stream") and exempt("/")  # a stream, the page
    assert not exempt("/api/levels/SPX") and not exempt("/api/ask")
    with pytest.raises(ValueError):
        LoadShedder(_slow_app(asyncio.Event()), max_inflight=0, max_wait=1.0)


def test_the_real_app_sheds_concurrent_asks_and_counts_them(tmp_path):
    import threading

    import uvicorn

    service, settings = make_service(tmp_path)
    service.accounts.add_user("alice", "correct horse battery", "trader")
    token = service.accounts.new_token("alice", "tests")[1]
    limited = replace(settings, max_inflight=1, queue_wait=0.0, metrics_public=True)
    app = create_app(service, limited)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    headers = {"Authorization": f"Bearer {token}"}

    async def burst():
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            asks = [
                client.post("/api/ask", json={"question": "spx levels"}, headers=headers)
                for _ in range(12)
            ]
            return await asyncio.gather(*asks)

    try:
        codes = [r.status_code for r in asyncio.run(burst())]
        metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", headers=headers).text
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    assert 200 in codes and 503 in codes and set(codes) <= {200, 503}
    shed_line = next(line for line in metrics.splitlines() if line.startswith("http_shed_total"))
    assert float(shed_line.split()[-1]) == codes.count(503)
