"""Request ids, request timing and the access log, as one outermost ASGI middleware.

Each request gets an id: the client's ``X-Request-ID`` when it is 1-64 characters of
``[A-Za-z0-9._-]``, else a new one. The id goes back in the response's ``X-Request-ID``, into
``request.state.request_id``, and into every log record of the request
(``integrations.logs.bind_request``). When the request ends, its duration is observed in
``http_request_seconds`` and one ``whispr.access`` record is logged with ``method``, ``route``
(the template, never the path: no ids or query strings), ``status`` and ``ms``; probes and
scrapes (``metrics.UNTIMED``) at DEBUG, the rest at INFO. Headers, cookies and bodies are never
logged.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from integrations.logs import ACCESS_LOGGER, bind_request, unbind_request
from integrations.web.metrics import UNTIMED, Metrics

access_log = logging.getLogger(ACCESS_LOGGER)
HEADER = "X-Request-ID"
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
"""An acceptable client-sent request id (anything else is replaced, not refused)."""


def request_id(scope: Scope) -> str:
    """Return the request's valid ``X-Request-ID``, or a new random one (32 hex digits)."""
    for name, value in scope.get("headers", []):
        if name == b"x-request-id":
            text = value.decode("latin-1")
            if REQUEST_ID.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


def route_template(scope: Scope) -> str:
    """Return the template of the route that served the request, or ``unmatched``."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) and path else "unmatched"


class RequestContext:
    """ASGI middleware: request id, timing into ``metrics`` and the access log."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = request_id(scope)
        scope.setdefault("state", {})["request_id"] = rid
        token = bind_request(rid, scope["method"])
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = rid
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            # Starlette's server-error handler answers outside this middleware: the id stays
            # bound so its log record carries it too (the request's task ends right after).
            self._done(scope, 500, started)
            raise
        self._done(scope, status, started)
        unbind_request(token)

    def _done(self, scope: Scope, status: int, started: float) -> None:
        seconds = time.perf_counter() - started
        route = route_template(scope)
        self.metrics.request(scope["method"], route, status, seconds)
        access_log.log(
            logging.DEBUG if route in UNTIMED else logging.INFO,
            "%s %s %d %.1f ms",
            scope["method"],
            route,
            status,
            seconds * 1000,
            extra={"route": route, "status": status, "ms": round(seconds * 1000, 1)},
        )
