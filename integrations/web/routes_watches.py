"""Routes: strategy watches (list, start, pause/resume, delete), the paper journal (JSON and
CSV) and scheduled briefings (list, schedule, pause/resume, delete). Each runs the assistant's own tool as the authenticated user; watches need
``alerts:write`` to change, like alerts (they post to a channel in the same way)."""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from pydantic import Field

from integrations.alerts.watchstore import JOURNAL_COLUMNS
from integrations.web.deps import Service
from integrations.web.routes_data import call_tool
from integrations.web.routes_work import AlertReader, AlertWriter, _Body

router = APIRouter(tags=["strategy watches and paper journal"])
WatchId = Annotated[str, Path(pattern=r"^w[0-9a-f]{7,8}$", description="Watch id.")]
Symbol = Annotated[str | None, Query(pattern=r"^\$?[A-Za-z0-9.^]{1,15}$")]
WatchQuery = Annotated[str | None, Query(pattern=r"^w[0-9a-f]{7,8}$")]
BriefingId = Annotated[str, Path(pattern=r"^b[0-9a-f]{7,8}$", description="Briefing id.")]


class WatchBody(_Body):
    """A strategy to watch live (paper trades only)."""

    strategy: str = Field(min_length=1, max_length=80, description="Strategy name or id.")
    symbol: str | None = Field(default=None, pattern=r"^\$?[A-Za-z0-9.^]{1,15}$")
    destination: str | None = Field(
        default=None,
        pattern=r"^(web|slack|discord):#?[A-Za-z0-9_.-]{1,64}$",
        description="Where to post entries and exits; default: your web inbox.",
    )


class WatchChange(_Body):
    """Pause or resume a watch."""

    action: Literal["pause", "resume"]


@router.get("/api/watches")
def list_watches(user: AlertReader, service: Service) -> dict[str, Any]:
    """List your strategy watches."""
    return call_tool(service, user, "list_watches", {})


@router.post("/api/watches", status_code=201)
def watch_strategy(body: WatchBody, user: AlertWriter, service: Service) -> dict[str, Any]:
    """Watch a strategy live on a symbol; entries and exits post to ``destination``."""
    args = body.model_dump(exclude_none=True)
    args.setdefault("destination", f"web:{user.username}")
    return call_tool(service, user, "watch_strategy", args)


@router.patch("/api/watches/{watch_id}")
def change_watch(
    watch_id: WatchId, body: WatchChange, user: AlertWriter, service: Service
) -> dict[str, Any]:
    """Pause or resume one of your watches."""
    return call_tool(service, user, "change_watch", {"watch_id": watch_id, "action": body.action})


@router.delete("/api/watches/{watch_id}")
def delete_watch(watch_id: WatchId, user: AlertWriter, service: Service) -> dict[str, Any]:
    """Delete one of your watches (its paper trades stay in the journal)."""
    return call_tool(service, user, "change_watch", {"watch_id": watch_id, "action": "delete"})


@router.get("/api/journal")
def journal(
    user: AlertReader, service: Service, watch_id: WatchQuery = None, symbol: Symbol = None
) -> dict[str, Any]:
    """Your paper trades (open ones have no exit) with win rate, total P&L and average R."""
    return call_tool(service, user, "paper_journal", {"watch_id": watch_id, "symbol": symbol})


@router.get("/api/journal.csv", response_class=Response)
def journal_csv(
    user: AlertReader, service: Service, watch_id: WatchQuery = None, symbol: Symbol = None
) -> Response:
    """Your paper trades as CSV (one row per trade, the journal's columns, times in ET)."""
    trades = call_tool(service, user, "paper_journal", {"watch_id": watch_id, "symbol": symbol})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(JOURNAL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(trades["trades"])
    return Response(
        out.getvalue(),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="paper-journal.csv"'},
    )


class BriefingBody(_Body):
    """A briefing posted each NYSE session at ``at`` (ET)."""

    symbol: str = Field(pattern=r"^\$?[A-Za-z0-9.^]{1,15}$")
    at: str = Field(default="09:00", max_length=5, description="HH:MM ET, 04:00 to 20:00.")
    modes: list[str] = Field(default_factory=lambda: ["day"], max_length=6)
    destination: str | None = Field(
        default=None,
        pattern=r"^(web|slack|discord):#?[A-Za-z0-9_.-]{1,64}$",
        description="Where to post; default: your web inbox.",
    )


@router.get("/api/briefings")
def list_briefings(user: AlertReader, service: Service) -> dict[str, Any]:
    """List your scheduled briefings."""
    return call_tool(service, user, "list_briefings", {})


@router.post("/api/briefings", status_code=201)
def schedule_briefing(body: BriefingBody, user: AlertWriter, service: Service) -> dict[str, Any]:
    """Schedule a briefing of a symbol each session at a time (ET)."""
    args = body.model_dump(exclude_none=True)
    args.setdefault("destination", f"web:{user.username}")
    return call_tool(service, user, "schedule_briefing", args)


@router.patch("/api/briefings/{briefing_id}")
def change_briefing(
    briefing_id: BriefingId, body: WatchChange, user: AlertWriter, service: Service
) -> dict[str, Any]:
    """Pause or resume one of your briefings."""
    args = {"briefing_id": briefing_id, "action": body.action}
    return call_tool(service, user, "change_briefing", args)


@router.delete("/api/briefings/{briefing_id}")
def delete_briefing(briefing_id: BriefingId, user: AlertWriter, service: Service) -> dict[str, Any]:
    """Delete one of your briefings."""
    args = {"briefing_id": briefing_id, "action": "delete"}
    return call_tool(service, user, "change_briefing", args)
