"""Routes: levels, statistics and the tool list, answered by the same tools the assistant uses,
and the dashboard chart's data (``chartdata``, from the same core and tools functions).

Each call runs as the authenticated user (their ``ToolContext``) and is audited. A tool's
refusal becomes 422 (arguments) or 404 (no such data) with the tool's own explanation.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import AsyncIterator
from pathlib import PurePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from core.errors import DataError, InvalidArgumentError
from integrations.chat.accounts import User
from integrations.web.chartdata import DEFAULT_BARS, MAX_BARS, chart_payload
from integrations.web.deps import CurrentUser, Service, require
from integrations.web.schemas import ToolInfo
from tools import TOOLS, ToolError

router = APIRouter(tags=["data"])
LevelsReader = Annotated[User, Depends(require("levels:read"))]
StatsReader = Annotated[User, Depends(require("stats:read"))]
Symbol = Annotated[
    str, Path(pattern=r"^\$?[A-Za-z0-9.^]{1,15}$", description="Ticker, e.g. SPY or SPX.")
]
Level = Annotated[str | None, Query(max_length=16, description="One level, e.g. +0.382.")]


def _result(name: str, result: BaseModel) -> dict[str, Any]:
    if isinstance(result, ToolError):
        code = 422 if result.kind == "invalid_arguments" else 404 if result.kind == "data" else 500
        raise HTTPException(code, result.error)
    data = result.model_dump(mode="json")
    if isinstance(data.get("chart"), str):  # a server path: give the client its URL instead
        data["chart"] = chart_url(data["chart"])
    return data


def chart_url(path: str) -> str:
    """Return the API URL of a chart file saved for the calling user."""
    return f"/api/charts/{PurePath(path).name}"


def call_tool(service: Any, user: User, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Return the JSON result of tool ``name`` run as ``user`` (audited); raise the HTTP error
    matching a tool refusal: 422 bad arguments, 404 no such data, 500 a bug (logged)."""
    clean = {k: v for k, v in args.items() if v is not None}
    return _result(name, service.run_tool(user, "api", name, clean))


@router.get("/api/live")
def live(request: Request, user: LevelsReader) -> dict[str, Any]:
    """Return the live engine's status: mode (off, replay or the provider), state, session,
    each symbol's levels by mode, last price and tick time, events, reconnects and gaps."""
    snapshot: dict[str, Any] = request.app.state.live.snapshot()
    return snapshot


@router.get("/api/live/stream")
async def live_stream(request: Request, user: LevelsReader) -> StreamingResponse:
    """Server-sent events: the live status (as ``/api/live``) each time it changes, checked
    every half second, until the client goes away. The dashboard listens to this. With the live
    engine off the stream sends the status once and ends; a stream also ends after 10 minutes
    (the browser's EventSource reconnects by itself), so no connection is held for ever."""
    status = request.app.state.live
    deadline = asyncio.get_running_loop().time() + 600

    async def events() -> AsyncIterator[str]:
        sent = None
        yield "retry: 2000\n\n"
        while not await request.is_disconnected():
            snapshot = json.dumps(status.snapshot())
            if snapshot != sent:
                sent = snapshot
                yield f"data: {snapshot}\n\n"
            if status.mode == "off" or asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.5)

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
    )


@router.get("/api/levels/{symbol}")
def levels(
    symbol: Symbol,
    user: LevelsReader,
    service: Service,
    mode: Annotated[str, Query(max_length=16, description="day, multiday, swing, …")] = "day",
    date: Annotated[dt.date | None, Query(description="Session date YYYY-MM-DD.")] = None,
    level: Level = None,
    chart: Annotated[bool, Query(description="Also draw a PNG; its URL is in `chart`.")] = False,
) -> dict[str, Any]:
    """Return the ATR levels in force for a session (tool ``atr_levels``)."""
    args = {"symbol": symbol, "mode": mode, "date": date, "level": level, "chart": chart}
    return call_tool(service, user, "atr_levels", args)


@router.get("/api/chart/{symbol}")
def chart(
    symbol: Symbol,
    user: LevelsReader,
    service: Service,
    tf: Annotated[str, Query(max_length=8, description="Bar size: 5m, 1h, 4h, D or W.")] = "5m",
    mode: Annotated[str, Query(max_length=16, description="day, scalp, multiday, …")] = "day",
    bars: Annotated[int, Query(ge=10, le=MAX_BARS, description="Bars to send.")] = DEFAULT_BARS,
    until: Annotated[
        dt.datetime | None,
        Query(description="Show the data as it stood then (ISO time; naive = US/Eastern)."),
    ] = None,
) -> dict[str, Any]:
    """Return the dashboard chart's data: candles, the mode's levels for the latest session shown
    (labelled), the pivot ribbon EMAs and the phase oscillator (``integrations.web.chartdata``;
    times are US/Eastern wall clock as epoch seconds). 422 names the accepted bar sizes or modes,
    404 an unknown symbol. Not audited: the page re-reads it on every new live bar."""
    ctx = service.tool_context(user, "api")
    try:
        return chart_payload(ctx, symbol, tf, mode, bars, until)
    except InvalidArgumentError as exc:
        raise HTTPException(422, str(exc)) from None
    except DataError as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/api/stats/golden-gate/{symbol}")
def golden_gate(
    symbol: Symbol,
    user: StatsReader,
    service: Service,
    direction: Literal["bull", "bear", "both"] = "both",
    start: dt.date | None = None,
    end: dt.date | None = None,
    buckets: Annotated[
        str | None, Query(max_length=64, description="Trigger hours, e.g. open,09,13.")
    ] = None,
) -> dict[str, Any]:
    """Return golden-gate completion statistics by trigger hour (tool ``golden_gate_stats``)."""
    args = {
        "symbol": symbol,
        "direction": direction,
        "start": start,
        "end": end,
        "trigger_buckets": buckets.split(",") if buckets else None,
    }
    return call_tool(service, user, "golden_gate_stats", args)


@router.get("/api/stats/level-to-level/{symbol}")
def level_to_level(
    symbol: Symbol,
    user: StatsReader,
    service: Service,
    from_level: Annotated[str, Query(alias="from", max_length=16)],
    to_level: Annotated[str, Query(alias="to", max_length=16)],
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> dict[str, Any]:
    """Return how often price reached ``to`` after touching ``from`` (tool ``level_to_level``)."""
    args = {
        "symbol": symbol,
        "from_level": from_level,
        "to_level": to_level,
        "start": start,
        "end": end,
    }
    return call_tool(service, user, "level_to_level", args)


@router.get("/api/sessions/{symbol}")
def session_outcome(
    symbol: Symbol,
    user: StatsReader,
    service: Service,
    date: Annotated[dt.date | None, Query(description="Session; default the latest.")] = None,
    mode: Annotated[str, Query(max_length=16, description="day, multiday, swing, …")] = "day",
) -> dict[str, Any]:
    """Return what happened in one session: level touches with their times, each golden gate's
    fate, gap, range and change vs ATR (tool ``session_outcome``)."""
    args = {"symbol": symbol, "date": date, "mode": mode}
    return call_tool(service, user, "session_outcome", args)


@router.get("/api/stats/counts/{symbol}")
def session_counts(
    symbol: Symbol,
    user: StatsReader,
    service: Service,
    event: Literal["close_above", "close_below", "touch", "close_inside", "open_beyond"],
    level: Annotated[str, Query(max_length=16, description="e.g. +0.236, 0, 0.382.")],
    side: Literal["above", "below", "either"] = "either",
    start: dt.date | None = None,
    end: dt.date | None = None,
    dates: Annotated[bool, Query(description="Also list the matching dates.")] = False,
) -> dict[str, Any]:
    """Return how many sessions closed above/below, touched, closed inside or opened beyond a
    level over a period (tool ``session_counts``)."""
    args = {
        "symbol": symbol,
        "event": event,
        "level": level,
        "side": side,
        "start": start,
        "end": end,
        "list_dates": dates,
    }
    return call_tool(service, user, "session_counts", args)


@router.get("/api/stats/atr/{symbol}")
def average_true_range(
    symbol: Symbol,
    user: StatsReader,
    service: Service,
    sessions: Annotated[int, Query(ge=2, le=250, description="N sessions.")] = 14,
    date: Annotated[dt.date | None, Query(description="Last session; default the latest.")] = None,
) -> dict[str, Any]:
    """Return Wilder's ATR(N) and the mean true range of the last N sessions (tool
    ``average_true_range``)."""
    args = {"symbol": symbol, "sessions": sessions, "date": date}
    return call_tool(service, user, "average_true_range", args)


@router.get("/api/tools", response_model=list[ToolInfo])
def list_tools(user: CurrentUser) -> list[ToolInfo]:
    """List the tools the assistant can call, with their argument schemas."""
    return [ToolInfo(**t.json_schema()) for t in TOOLS.values()]
