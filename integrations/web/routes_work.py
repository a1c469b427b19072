"""Routes: strategies (list, search, show, draft, save, backtest, share, delete), alerts (list,
create, pause/resume, delete) and the alert inbox of web users.

Each call runs the assistant's own tool as the authenticated user, so the API and the chat see
the same data and the same rules; writes need the ``strategies:write`` / ``alerts:write``
permissions (viewers lack them).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query
from pydantic import BaseModel, Field, model_validator

from assistant.authoring import parse_strategy
from core.spec import StrategySpec
from integrations.chat.accounts import User
from integrations.web.deps import Service, require
from integrations.web.routes_data import call_tool

router = APIRouter(tags=["strategies and alerts"])
StrategyReader = Annotated[User, Depends(require("strategies:read"))]
StrategyWriter = Annotated[User, Depends(require("strategies:write"))]
AlertReader = Annotated[User, Depends(require("alerts:read"))]
AlertWriter = Annotated[User, Depends(require("alerts:write"))]
Ref = Annotated[str, Path(min_length=1, max_length=80, description="Strategy id or name.")]
Owner = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.-]{1,40}$", description="Owner's username.")]
AlertId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,40}$", description="Alert id.")]


_SURROGATE = re.compile("[\ud800-\udfff]")


class _Body(BaseModel):
    model_config = {"extra": "forbid"}

    @model_validator(mode="after")
    def _no_lone_surrogates(self) -> _Body:
        for name, value in self:
            if isinstance(value, str) and _SURROGATE.search(value):
                raise ValueError(f"{name} contains an invalid character (a lone UTF-16 surrogate)")
        return self


class DraftBody(_Body):
    """A strategy described in plain words."""

    text: str = Field(min_length=3, max_length=2000, description="e.g. 'long the +23.6% …'")
    symbol: str = Field(default="SPY", pattern=r"^\$?[A-Za-z0-9.^]{1,15}$")


class SpecBody(_Body):
    """A complete strategy spec to save (a new version when the id exists)."""

    spec: StrategySpec


class BacktestBody(_Body):
    """Backtest options; omitted fields use the spec's own."""

    symbol: str | None = Field(default=None, pattern=r"^\$?[A-Za-z0-9.^]{1,15}$")
    start: dt.date | None = None
    end: dt.date | None = None


class AlertBody(_Body):
    """An alert: when ``symbol`` crosses ``level`` in ``direction``."""

    symbol: str = Field(pattern=r"^\$?[A-Za-z0-9.^]{1,15}$")
    level: str = Field(max_length=16, description="e.g. +0.382 (bullish golden gate)")
    direction: Literal["up", "down"]
    ribbon: Literal["bullish", "bearish", "mixed"] | None = None
    destination: str | None = Field(
        default=None,
        pattern=r"^(web|slack|discord):#?[A-Za-z0-9_.-]{1,64}$",
        description="Where to post; default: your web inbox.",
    )
    after: str | None = Field(default=None, max_length=5, description="Only at/after HH:MM ET.")
    before: str | None = Field(default=None, max_length=5, description="Only before HH:MM ET.")


class AlertChange(_Body):
    """Pause or resume an alert, and/or change its time window or ribbon filter."""

    paused: bool | None = None
    after: str | None = Field(default=None, description="Fire at or after HH:MM ET.")
    before: str | None = Field(default=None, description="Fire before HH:MM ET.")
    any_time: bool = Field(default=False, description="Drop the time window.")
    ribbon: Literal["bullish", "bearish", "mixed"] | None = None
    any_ribbon: bool = Field(default=False, description="Drop the ribbon filter.")


class ReadBody(_Body):
    """Mark notifications read up to this id."""

    up_to: int = Field(ge=0, le=2**63 - 1)


@router.get("/api/strategies")
def list_strategies(user: StrategyReader, service: Service) -> dict[str, Any]:
    """List the built-in strategies and yours (and those shared with everyone)."""
    return call_tool(service, user, "list_strategies", {})


@router.get("/api/strategies/search")
def search_strategies(
    user: StrategyReader,
    service: Service,
    q: Annotated[str, Query(min_length=2, max_length=300, description="Any words.")],
) -> dict[str, Any]:
    """Find strategies by meaning (vector search over descriptions)."""
    return call_tool(service, user, "search_strategies", {"query": q})


@router.post("/api/strategies/draft")
def draft_strategy(body: DraftBody, user: StrategyReader, service: Service) -> dict[str, Any]:
    """Turn a plain-words description into a validated spec (not saved); or say what is missing."""
    draft = parse_strategy(body.text, body.symbol.upper().lstrip("$"))
    if draft.question:
        raise HTTPException(422, draft.question)
    return call_tool(service, user, "draft_strategy", {"spec": draft.spec})


@router.post("/api/strategies", status_code=201)
def save_strategy(body: SpecBody, user: StrategyWriter, service: Service) -> dict[str, Any]:
    """Save a spec as yours (a new version when you already have that id)."""
    return call_tool(service, user, "save_strategy", {"spec": body.spec.model_dump(mode="json")})


@router.get("/api/strategies/{ref}")
def show_strategy(ref: Ref, user: StrategyReader, service: Service) -> dict[str, Any]:
    """Show one of your strategies with its versions."""
    return call_tool(service, user, "show_strategy", {"ref": ref})


@router.post("/api/strategies/{ref}/backtest")
def backtest(
    ref: Ref, body: BacktestBody, user: StrategyReader, service: Service
) -> dict[str, Any]:
    """Backtest a strategy (built-in or yours) on the shipped or configured data."""
    args = {"strategy": ref, **body.model_dump(exclude_none=True)}
    return call_tool(service, user, "backtest_strategy", args)


@router.post("/api/strategies/{ref}/share")
def share_strategy(ref: Ref, user: StrategyWriter, service: Service) -> dict[str, Any]:
    """Share one of your strategies with every user (read-only for them)."""
    return call_tool(service, user, "share_strategy", {"ref": ref})


@router.delete("/api/strategies/{ref}")
def delete_strategy(ref: Ref, user: StrategyWriter, service: Service) -> dict[str, Any]:
    """Delete one of your strategies, every version."""
    return call_tool(service, user, "delete_strategy", {"ref": ref, "confirm": True})


@router.get("/api/strategies/{owner}/{ref}")
def show_shared_strategy(
    owner: Owner, ref: Ref, user: StrategyReader, service: Service
) -> dict[str, Any]:
    """Show a strategy another user shared, addressed as ``owner/name`` (yours never mix in)."""
    return call_tool(service, user, "show_strategy", {"ref": f"{owner}/{ref}"})


@router.post("/api/strategies/{owner}/{ref}/backtest")
def backtest_shared(
    owner: Owner, ref: Ref, body: BacktestBody, user: StrategyReader, service: Service
) -> dict[str, Any]:
    """Backtest a strategy another user shared (``owner/name``)."""
    args = {"strategy": f"{owner}/{ref}", **body.model_dump(exclude_none=True)}
    return call_tool(service, user, "backtest_strategy", args)


@router.delete("/api/strategies/{owner}/{ref}")
def delete_shared_strategy(
    owner: Owner, ref: Ref, user: StrategyWriter, service: Service
) -> dict[str, Any]:
    """Delete ``owner/name``: allowed only when ``owner`` is you."""
    return call_tool(service, user, "delete_strategy", {"ref": f"{owner}/{ref}", "confirm": True})


@router.get("/api/alerts")
def list_alerts(user: AlertReader, service: Service) -> dict[str, Any]:
    """List your alerts."""
    return call_tool(service, user, "list_alerts", {})


@router.post("/api/alerts", status_code=201)
def create_alert(body: AlertBody, user: AlertWriter, service: Service) -> dict[str, Any]:
    """Create an alert; it posts to ``destination`` (default: your web inbox) once a session."""
    args = body.model_dump(exclude_none=True)
    args.setdefault("destination", f"web:{user.username}")
    return call_tool(service, user, "create_alert", args)


@router.patch("/api/alerts/{alert_id}")
def change_alert(
    alert_id: AlertId, body: AlertChange, user: AlertWriter, service: Service
) -> dict[str, Any]:
    """Pause or resume one of your alerts, and/or change its window or ribbon filter."""
    filters = body.model_dump(exclude_none=True, exclude={"paused"})
    filters = {k: v for k, v in filters.items() if v is not False}
    if body.paused is None and not filters:
        raise HTTPException(
            422, "send paused, or a filter: after, before, any_time, ribbon, any_ribbon"
        )
    out: dict[str, Any] = {}
    if filters:
        out = call_tool(service, user, "edit_alert", {"alert_id": alert_id, **filters})
    if body.paused is not None:
        action = "pause" if body.paused else "resume"
        out = call_tool(service, user, "change_alert", {"alert_id": alert_id, "action": action})
    return out


@router.delete("/api/alerts/{alert_id}")
def delete_alert(alert_id: AlertId, user: AlertWriter, service: Service) -> dict[str, Any]:
    """Delete one of your alerts."""
    args = {"alert_id": alert_id, "action": "delete", "confirm": True}  # DELETE is explicit
    return call_tool(service, user, "change_alert", args)


@router.get("/api/alerts/{alert_id}/firings")
def alert_firings(alert_id: AlertId, user: AlertReader, service: Service) -> dict[str, Any]:
    """When one of your alerts fired, newest first (session, time ET, price, level, delivered)."""
    return call_tool(service, user, "alert_history", {"alert_id": alert_id})


@router.get("/api/notifications")
def notifications(
    user: AlertReader,
    service: Service,
    after: Annotated[int, Query(ge=0, le=2**63 - 1, description="Only ids above this.")] = 0,
) -> list[dict[str, Any]]:
    """Return your alert messages delivered to the web, oldest first."""
    return service.activity.notifications(user.username, after=after)


@router.post("/api/notifications/read")
def mark_read(body: ReadBody, user: AlertReader, service: Service) -> dict[str, int]:
    """Mark your notifications up to ``up_to`` read; return how many changed."""
    return {"marked": service.activity.mark_read(user.username, body.up_to)}
