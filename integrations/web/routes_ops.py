"""Operations: ``GET /health`` (the process answers), ``GET /ready`` (it can serve) and
``GET /metrics`` (Prometheus).

``/health`` and ``/ready`` need no login and do no more than a trivial SQLite statement and a
symbol listing, so probes may call them often. ``/metrics`` is for admins (an admin's API token:
Prometheus' ``authorization`` scrape setting), or for anyone when ``WHISPR_METRICS_PUBLIC=1``
(then keep the port private). Being on 127.0.0.1 grants nothing: behind a reverse proxy on the
same host every request would.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from integrations.chat.accounts import Forbidden, check_permission
from integrations.chat.service import ChatService
from integrations.web.deps import current_user, get_service, get_settings
from integrations.web.metrics import CONTENT_TYPE, Metrics

log = logging.getLogger(__name__)
router = APIRouter(tags=["operations"])


@router.get("/health")
def health() -> dict[str, Any]:
    """Return ``{"status": "ok"}`` while the server runs (no login needed)."""
    return {"status": "ok"}


def _storage(service: ChatService) -> str | None:
    try:
        service.accounts.db.ping()
    except sqlite3.Error as exc:
        return f"accounts database: {exc.__class__.__name__}: {exc}"
    except Exception as exc:  # PostgreSQL down or unreachable: not ready (its URL is not shown)
        log.warning("readiness: the accounts database failed: %s", exc.__class__.__name__)
        return f"accounts database: {exc.__class__.__name__}"
    return None


def _data(service: ChatService) -> str | None:
    try:
        symbols = service.source.symbols()
    except Exception as exc:  # a provider misconfigured or down: not ready, and say why
        log.warning("readiness: the data source failed: %s", exc.__class__.__name__)
        return f"data source: {exc.__class__.__name__}"
    return None if symbols else "data source: no symbols"


@router.get(
    "/ready",
    responses={503: {"description": "Not ready: ``failed`` names the checks that failed."}},
)
def ready(request: Request) -> JSONResponse:
    """Return 200 when the accounts database takes a write lock and the data source lists a
    symbol; 503 otherwise, naming the failing checks (``storage``, ``data``). No login needed."""
    service = get_service(request)
    problems = {"storage": _storage(service), "data": _data(service)}
    failed = [name for name, problem in problems.items() if problem]
    body: dict[str, Any] = {
        "status": "not ready" if failed else "ready",
        "checks": {name: problem or "ok" for name, problem in problems.items()},
    }
    if failed:
        body["failed"] = failed
    return JSONResponse(body, status_code=503 if failed else 200)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE: {}}}},
)
def metrics(request: Request) -> Response:
    """Return every metric in Prometheus' text format: for admins (``metrics:read``), or for
    anyone when ``WHISPR_METRICS_PUBLIC=1``."""
    if not get_settings(request).metrics_public:
        user = current_user(request)
        try:
            check_permission(user, "metrics:read")
        except Forbidden as exc:
            raise HTTPException(403, str(exc)) from None
    registry: Metrics = request.app.state.metrics
    return Response(registry.exposition(), media_type=CONTENT_TYPE)
