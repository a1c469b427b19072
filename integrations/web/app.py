"""The FastAPI app behind ``whispr serve``: the JSON API, the chat page, and Slack's events URL.

Route layout (every ``/api`` route but ``/api/login`` needs a user; see ``deps.py``):

| area | routes | module |
|---|---|---|
| auth | ``POST /api/login``, ``/api/logout``; ``GET /api/me``; ``/api/tokens``; ``/api/users`` | ``routes_auth`` |
| chat | ``POST /api/ask``; ``GET /api/ask/stream`` (SSE); ``/api/threads``; ``/api/charts``; ``/api/audit`` | ``routes_chat`` |
| data | ``GET /api/levels/{symbol}``; ``/api/chart/{symbol}``; ``/api/stats/…``; ``/api/tools`` | ``routes_data`` |
| work | ``/api/strategies…``; ``/api/alerts…``; ``/api/notifications`` | ``routes_work`` |
| work | ``/api/watches…``; ``/api/journal`` and ``/api/journal.csv``; ``/api/briefings…`` | ``routes_watches`` |
| public | ``GET /`` (chat page), ``/static/…``, ``/docs``, ``/openapi.json`` | here |
| operations | ``GET /health``, ``/ready`` (public); ``/metrics`` (admins) | ``routes_ops`` |
| Slack | ``POST /slack/events`` (signed by Slack; added by ``slack_app.mount_events``) | ``integrations.slack_app`` |

To add an area: write ``routes_<area>.py`` with an ``APIRouter``, guard
reads with ``Depends(require("<area>:read"))`` and writes with ``require("<area>:write")`` (the
permissions already exist in ``integrations.chat.accounts.PERMISSIONS``; viewers lack the write
ones), run work as the user through ``ChatService`` (their ``tool_context`` and ``run_tool``),
and list the router in ``ROUTERS``. ``tests/channels/test_web_auth.py`` then checks its auth.

Every request passes ``middleware.RequestContext`` first (request id, timing into the app's
``metrics.Metrics``, the access log); the app's metrics also observe the chat service's turns
and tool calls, and ``app.state.metrics.live`` is what an alert monitor reports to.
"""

from __future__ import annotations

import json
import logging
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.errors import WhisprError
from integrations.alerts.engine import LiveStatus
from integrations.chat.service import ChatService
from integrations.chat.settings import ChannelSettings
from integrations.web import (
    routes_auth,
    routes_chat,
    routes_data,
    routes_ops,
    routes_watches,
    routes_work,
)
from integrations.web.metrics import Metrics
from integrations.web.middleware import HEADER, RequestContext
from integrations.web.shedding import LoadShedder

log = logging.getLogger(__name__)
ROUTERS = (
    routes_auth.router,
    routes_chat.router,
    routes_data.router,
    routes_work.router,
    routes_watches.router,
    routes_ops.router,
)
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def static_dir() -> Path:
    """Return the folder of the chat page's HTML, JS and CSS (package data, no CDN)."""
    return Path(str(resources.files("integrations.web") / "static"))


class BodyLimit:
    """ASGI middleware: refuse request bodies over ``limit`` bytes with a 413 JSON error."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if size > self.limit:
                await self._refuse(send)
                return
        body = b"".join(chunks)
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return await receive()
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        data = json.dumps({"error": f"request body too large (limit {self.limit} bytes)"}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": data})


def _explain(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        detail = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse({"error": _explain(exc), "detail": detail}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse(
            {"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers
        )

    @app.exception_handler(WhisprError)
    async def whispr_error(request: Request, exc: WhisprError) -> JSONResponse:
        return JSONResponse({"error": str(exc)}, status_code=400)

    @app.exception_handler(Exception)
    async def bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        rid = getattr(request.state, "request_id", None)  # answered outside RequestContext
        return JSONResponse(
            {"error": "internal error; it was logged"},
            status_code=500,
            headers={HEADER: rid} if rid else None,
        )


def _install_pages(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(
            static_dir() / "index.html",
            media_type="text/html",
            headers={"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"},
        )

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")


def create_app(service: ChatService, settings: ChannelSettings) -> FastAPI:
    """Return the app answering through ``service``.

    Args:
        service: the channel-neutral chat service (accounts, audit, assistant).
        settings: limits and cookie options.
    """
    app = FastAPI(
        title="Whispr",
        version="1",
        description="ATR levels, statistics and a trading assistant for SPX/SPY. Log in with "
        "POST /api/login (cookie) or send 'Authorization: Bearer <API token>'.",
    )
    app.state.service = service
    app.state.settings = settings
    app.state.metrics = Metrics()
    app.state.live = LiveStatus()
    service.observers.append(app.state.metrics)
    _install_errors(app)
    for router in ROUTERS:
        app.include_router(router)
    _install_pages(app)

    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(
        LoadShedder,
        max_inflight=settings.max_inflight,
        max_wait=settings.queue_wait,
        on_shed=lambda path: app.state.metrics.shed.inc(),
    )
    app.add_middleware(RequestContext, metrics=app.state.metrics)  # added last: runs first
    return app
