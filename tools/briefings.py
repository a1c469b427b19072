"""Tools: schedule a pre-market briefing per NYSE session, list, pause, resume or delete them.

The live engine posts each active briefing once per session at its time (ET): the levels of the
modes asked, the daily ribbon and oscillator, the golden-gate odds and the previous session's
outcome (``integrations.alerts.briefings``).
"""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field, field_validator

from core.errors import InvalidArgumentError, WhisprError
from core.levels import mode
from core.sources import load_bars
from tools.alerts import NoArgs, apply_action, resolve_destination, session_clock
from tools.base import ToolContext, tool
from tools.market import normalize_symbol
from tools.ports import BriefingStore


def _store(ctx: ToolContext) -> BriefingStore:
    store: BriefingStore | None = ctx.services.get("briefings")
    if store is None:
        raise WhisprError("briefings are not available here (no briefing store configured)")
    return store


class BriefingLine(BaseModel):
    """One briefing as the user sees it."""

    id: str
    symbol: str
    modes: list[str]
    at: str = Field(description="HH:MM ET, each NYSE session.")
    destination: str
    paused: bool


class BriefingsResult(BaseModel):
    """The outcome of a briefing action, with the user's briefings after it."""

    message: str
    briefings: list[BriefingLine]


def _lines(ctx: ToolContext) -> list[BriefingLine]:
    return [
        BriefingLine(
            id=b["id"],
            symbol=b["symbol"],
            modes=b["modes"],
            at=b["at"],
            destination=b["destination"],
            paused=b["paused"],
        )  # fmt: skip
        for b in _store(ctx).briefings(ctx.user_id)
    ]


class BriefingArgs(BaseModel):
    """Arguments of ``schedule_briefing``."""

    symbol: str = Field(description="Ticker, e.g. SPX.")
    at: str = Field(default="09:00", description="Time to post, HH:MM ET (e.g. '09:00').")
    modes: list[str] = Field(
        default_factory=lambda: ["day"],
        description="Level modes to include: day, multiday (weekly), swing (monthly), "
        "position (quarterly), longterm (yearly).",
    )
    destination: str | None = Field(
        default=None, description="Where to post ('#channel'); default: where it was asked."
    )

    @field_validator("at")
    @classmethod
    def _clock(cls, value: str) -> str:
        return session_clock(value, session_only=False)

    @field_validator("modes")
    @classmethod
    def _modes(cls, value: list[str]) -> list[str]:
        names = list(dict.fromkeys(mode(v).name for v in value))
        if not names:
            raise InvalidArgumentError("name at least one levels mode (e.g. day)")
        return names


@tool("schedule_briefing", BriefingArgs, BriefingsResult)
def schedule_briefing(ctx: ToolContext, args: BriefingArgs) -> BriefingsResult:
    """Post a symbol's briefing every NYSE session at a time (ET): levels of the modes asked,
    ribbon and phase state, golden-gate odds, the previous session's outcome. Returns the
    user's briefings."""
    symbol = normalize_symbol(ctx.source, args.symbol)
    load_bars(ctx.source, symbol, "1d")  # raises, naming what exists, for a symbol with no data
    destination = resolve_destination(ctx, args.destination)
    briefing_id = f"b{uuid.uuid4().hex[:8]}"
    _store(ctx).add(briefing_id, ctx.user_id, destination, symbol, args.modes, args.at)
    return BriefingsResult(
        message=f"Briefing {briefing_id}: {symbol} ({', '.join(args.modes)} levels, ribbon, PO, "
        f"golden-gate odds, the previous session) to {destination} every session at "
        f"{args.at} ET.",
        briefings=_lines(ctx),
    )


@tool("list_briefings", NoArgs, BriefingsResult)
def list_briefings(ctx: ToolContext, args: NoArgs) -> BriefingsResult:
    """List the user's scheduled briefings."""
    lines = _lines(ctx)
    return BriefingsResult(
        message="Your briefings:" if lines else "You have no scheduled briefings.",
        briefings=lines,
    )


class BriefingRef(BaseModel):
    """Which briefing (its id, or the symbol when one briefing has it) and what to do."""

    briefing_id: str | None = Field(default=None, description="e.g. 'b1a2b3c4'.")
    symbol: str | None = Field(default=None, description="Pick the briefing by symbol.")
    action: Literal["pause", "resume", "delete"]


@tool("change_briefing", BriefingRef, BriefingsResult)
def change_briefing(ctx: ToolContext, args: BriefingRef) -> BriefingsResult:
    """Pause, resume or delete one of the user's briefings; returns the briefings after it."""
    lines = _lines(ctx)
    if args.briefing_id:
        hits = [b for b in lines if b.id == args.briefing_id]
    else:
        sym = normalize_symbol(ctx.source, args.symbol) if args.symbol else None
        hits = [b for b in lines if sym in (None, b.symbol)]
    if len(hits) != 1:
        listed = "; ".join(f"{b.id} ({b.symbol} at {b.at})" for b in hits)
        raise InvalidArgumentError(
            f"{len(hits)} briefings match: {listed}. Which one?"
            if hits
            else "you have no such briefing; ask for 'my briefings' to see them"
        )
    target = hits[0]
    done = apply_action(_store(ctx), ctx.user_id, target.id, args.action, "briefing")
    return BriefingsResult(
        message=f"Briefing {target.id} ({target.symbol} at {target.at} ET) {done}.",
        briefings=_lines(ctx),
    )
