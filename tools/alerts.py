"""Tools: create, list, pause, resume and delete level alerts (delivered where they were asked)."""

from __future__ import annotations

import re
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from core.alerts import AlertRule
from core.errors import InvalidArgumentError, WhisprError
from core.levels import parse_level_key
from tools.base import ToolContext, tool
from tools.levels import LEVEL_NAMES
from tools.market import normalize_symbol
from tools.ports import AlertStore


def _store(ctx: ToolContext) -> AlertStore:
    store: AlertStore | None = ctx.services.get("alerts")
    if store is None:
        raise WhisprError("alerts are not available here (no alert store configured)")
    return store


def session_clock(value: str, *, session_only: bool = True) -> str:
    """Return ``value`` ("13:00", "9:45", "1300") as HH:MM; raise unless it is a time of the
    regular session, 09:30 to 16:00 ET (any time of the day, 04:00 to 20:00 ET, when not
    ``session_only``: a pre-market briefing)."""
    m = re.fullmatch(r"(\d{1,2}):?(\d{2})", value.strip())
    hhmm = f"{int(m.group(1)):02d}:{m.group(2)}" if m else ""
    low, high = ("09:30", "16:00") if session_only else ("04:00", "20:00")
    if not (m and int(m.group(2)) < 60 and low <= hhmm <= high):
        what = "the session" if session_only else "the trading day"
        raise InvalidArgumentError(
            f"{value!r} is not a time of {what}: use HH:MM, {low} to {high} ET"
        )
    return hhmm


def alert_window(after: str | None, before: str | None) -> tuple[str, str] | None:
    """Return the (start, end) ET window of an alert that fires only at or after ``after`` and
    before ``before`` (HH:MM, either may be None), or None for the whole session; raise when
    the window is empty."""
    if after is None and before is None:
        return None
    start, end = after or "09:30", before or "16:00"
    if start >= end:
        raise InvalidArgumentError(f"the window {start}-{end} ET is empty: after must be before")
    return start, end


class CreateAlertArgs(BaseModel):
    """Arguments of ``create_alert``."""

    symbol: str
    level: str = Field(description="Level key: '+0.382' bullish golden gate, '-0.236' put trigger.")
    direction: Literal["up", "down"] = Field(description="up = crosses above, down = loses it.")
    ribbon: Literal["bullish", "bearish", "mixed"] | None = Field(
        default=None, description="Only fire when the pivot ribbon is in this state."
    )
    destination: str | None = Field(default=None, description="Channel; default: where asked.")
    after: str | None = Field(
        default=None, description="Only fire at or after this time, HH:MM ET (e.g. '13:00')."
    )
    before: str | None = Field(
        default=None, description="Only fire before this time, HH:MM ET (e.g. '11:00')."
    )

    @field_validator("level")
    @classmethod
    def _level(cls, value: str) -> str:
        return parse_level_key(value)

    @field_validator("after", "before")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        return None if value is None else session_clock(value)

    def window(self) -> tuple[str, str] | None:
        """Return the (start, end) ET window, or None for the whole session."""
        return alert_window(self.after, self.before)


class AlertLine(BaseModel):
    """One alert."""

    id: str
    symbol: str
    level: str
    direction: str
    ribbon: str | None
    destination: str
    paused: bool
    window: str | None = None
    """``HH:MM-HH:MM`` ET when the alert fires only in part of the session."""


class AlertsResult(BaseModel):
    """The user's alerts after the action."""

    message: str
    alerts: list[AlertLine]
    pending: str | None = Field(
        default=None, description="The alert a deletion waits to be confirmed for."
    )


def _lines(ctx: ToolContext) -> list[AlertLine]:
    return [
        AlertLine(
            id=a.rule.rule_id,
            symbol=a.rule.symbol,
            level=a.rule.level,
            direction=a.rule.direction,
            ribbon=a.ribbon,
            destination=a.rule.destination,
            paused=a.paused,
            window=f"{a.window[0]}-{a.window[1]}" if a.window else None,
        )
        for a in _store(ctx).alerts(ctx.user_id)
    ]


def _destination(asked: str, here: str) -> str:
    """Return where to post: ``#name`` means a channel of the chat system asked from (Slack
    takes a channel name, Discord a channel id); ``kind:target`` is kept as given."""
    if not asked.startswith("#"):
        return asked
    kind = here.partition(":")[0]
    if kind == "slack":
        return f"slack:{asked}"
    if kind == "discord" and asked[1:].isdigit():
        return f"discord:{asked[1:]}"
    raise InvalidArgumentError(
        f"I can't tell which {asked} you mean from here: ask in Slack or Discord, or name it as "
        "slack:<channel id> or discord:<channel id>"
    )


def resolve_destination(ctx: ToolContext, asked: str | None) -> str:
    """Return where an alert or a watch posts: the channel asked from when ``asked`` is empty,
    else ``asked`` resolved by ``_destination``; raise for another user's web inbox."""
    here = ctx.services.get("destination") or f"web:{ctx.user_id}"
    destination = _destination(asked, here) if asked else here
    channel, _, target = destination.partition(":")
    if channel in ("web", "api") and target != ctx.user_id:
        raise InvalidArgumentError(
            f"alerts and watches can post to your own web inbox (web:{ctx.user_id}), a Slack "
            f"channel (slack:<id>) or a Discord channel (discord:<id>), not {destination!r}"
        )
    return destination


@tool("create_alert", CreateAlertArgs, AlertsResult)
def create_alert(ctx: ToolContext, args: CreateAlertArgs) -> AlertsResult:
    """Alert the user when a symbol crosses an ATR level (optionally with a ribbon state); the
    alert is delivered to the channel where it was asked for, once per session."""
    destination = resolve_destination(ctx, args.destination)
    rule = AlertRule(
        rule_id=f"a{uuid.uuid4().hex[:8]}",
        owner=ctx.user_id,
        destination=destination,
        symbol=normalize_symbol(ctx.source, args.symbol),
        level=args.level,
        direction=args.direction,
    )
    window = args.window()
    _store(ctx).add(rule, ribbon=args.ribbon, window=window)
    verb = "crosses above" if args.direction == "up" else "loses"
    ribbon = f" with a {args.ribbon} ribbon" if args.ribbon else ""
    if window:
        ribbon += f" between {window[0]} and {window[1]} ET"
    return AlertsResult(
        message=f"Alert {rule.rule_id}: when {rule.symbol} {verb} {_named(args.level)}"
        f"{ribbon}, I'll post to {destination}.",
        alerts=_lines(ctx),
    )


def _named(key: str) -> str:
    """Return 'the put trigger (-0.236)' for a level with a name, else the key."""
    name = LEVEL_NAMES.get(key)
    return f"the {name.split(' (')[0]} ({key})" if name and not name.startswith(key) else key


class NoArgs(BaseModel):
    """No arguments."""


@tool("list_alerts", NoArgs, AlertsResult)
def list_alerts(ctx: ToolContext, args: NoArgs) -> AlertsResult:
    """List the user's alerts."""
    return AlertsResult(message="Your alerts:", alerts=_lines(ctx))


class AlertPick(BaseModel):
    """Which alert: its id, or its symbol and/or level when exactly one alert matches."""

    alert_id: str | None = Field(default=None, description="The alert's id, e.g. 'a1b2c3d4'.")
    symbol: str | None = Field(default=None, description="Pick the alert by symbol (no id).")
    level: str | None = Field(
        default=None,
        description="Pick the alert by level key (no id); unsigned ('0.382') matches either side.",
    )


class AlertRef(AlertPick):
    """Which alert (or every alert) and what to do with it."""

    action: Literal["pause", "resume", "delete"]
    confirm: bool = Field(
        default=False, description="Required true to delete; ask the user first (never assume)."
    )
    every: bool = Field(
        default=False,
        description="All of the user's alerts ('delete all my alerts'), or all that match "
        "symbol/level when given ('pause all my SPY alerts'), instead of one.",
    )


def _level_choices(level: str) -> set[str]:
    """Return the level keys ``level`` picks: itself, or both sides when written unsigned."""
    key = parse_level_key(level)
    if level.strip()[:1] in "+-" or key == "0":
        return {key}
    return {key, "-" + key[1:]}


def _pick(ctx: ToolContext, args: AlertPick) -> str:
    """Return the id of the one alert ``args`` points at; raise naming the candidates."""
    if args.alert_id:
        return args.alert_id
    if args.symbol is None and args.level is None:
        raise InvalidArgumentError("name the alert: its id, or its symbol and level")
    lines = _lines(ctx)
    hits = [
        a
        for a in lines
        if (args.symbol is None or a.symbol == normalize_symbol(ctx.source, args.symbol))
        and (args.level is None or a.level in _level_choices(args.level))
    ]
    if len(hits) == 1:
        return hits[0].id
    what = " ".join(v for v in (args.symbol, args.level) if v)
    if not hits:
        raise InvalidArgumentError(f"you have no {what} alert")
    listed = "; ".join(f"{a.id} ({a.symbol} {a.direction} {a.level})" for a in hits)
    raise InvalidArgumentError(f"{len(hits)} alerts match {what}: {listed}. Which one?")


def apply_action(store: Any, owner: str, item_id: str, action: str, what: str) -> str:
    """Pause, resume or delete ``owner``'s item ``item_id`` in ``store`` (any store with
    ``set_paused`` and ``delete``: alerts, watches, briefings); return the action's past tense
    ("paused"); raise when the owner has no such item."""
    ok = (
        store.delete(owner, item_id)
        if action == "delete"
        else store.set_paused(owner, item_id, action == "pause")
    )
    if not ok:
        raise InvalidArgumentError(f"you have no {what} {item_id!r}")
    return {"pause": "paused", "resume": "resumed", "delete": "deleted"}[action]


@tool("change_alert", AlertRef, AlertsResult)
def change_alert(ctx: ToolContext, args: AlertRef) -> AlertsResult:
    """Pause, resume or delete one of the user's alerts (by id, or by symbol and level when
    exactly one alert matches)."""
    store = _store(ctx)
    if args.every:
        return _change_every(ctx, store, args)
    alert_id = _pick(ctx, args)
    if args.action == "delete" and not args.confirm:
        line = next((a for a in _lines(ctx) if a.id == alert_id), None)
        if line is None:
            raise InvalidArgumentError(f"you have no alert {alert_id!r}")
        return AlertsResult(
            message=f"Delete alert {alert_id} ({line.symbol} {line.direction} {line.level})? "
            "Say 'yes' to confirm.",
            alerts=_lines(ctx),
            pending=alert_id,
        )
    line = next((a for a in _lines(ctx) if a.id == alert_id), None)
    if line is None:
        raise InvalidArgumentError(f"you have no alert {alert_id!r}")
    done = apply_action(store, ctx.user_id, alert_id, args.action, "alert")
    what = f"{line.symbol} {line.direction} {line.level}"
    return AlertsResult(message=f"Alert {alert_id} ({what}) {done}.", alerts=_lines(ctx))


def _change_every(ctx: ToolContext, store: Any, args: AlertRef) -> AlertsResult:
    """Apply ``args.action`` to every alert matching the optional symbol and level; a delete
    without ``confirm`` only asks (``pending="every"``); return the alerts afterwards."""
    symbol = normalize_symbol(ctx.source, args.symbol) if args.symbol else None
    hits = [
        a
        for a in _lines(ctx)
        if (symbol is None or a.symbol == symbol)
        and (args.level is None or a.level in _level_choices(args.level))
    ]
    what = " ".join(v for v in (symbol, args.level) if v)
    if not hits:
        raise InvalidArgumentError(f"you have no {what + ' ' if what else ''}alerts")
    listed = ", ".join(f"{a.id} ({a.symbol} {a.direction} {a.level})" for a in hits)
    count = f"{len(hits)} alert{'s' if len(hits) != 1 else ''}"
    if args.action == "delete" and not args.confirm:
        return AlertsResult(
            message=f"Delete {count}: {listed}? Say 'yes' to confirm.",
            alerts=_lines(ctx),
            pending="every",
        )
    for a in hits:
        done = apply_action(store, ctx.user_id, a.id, args.action, "alert")
    return AlertsResult(message=f"{count} {done}: {listed}.", alerts=_lines(ctx))


class AlertEdit(AlertPick):
    """Which alert and the filters to change; a filter not named stays as it is."""

    after: str | None = Field(
        default=None, description="Fire only at or after this time, HH:MM ET (e.g. '14:00')."
    )
    before: str | None = Field(
        default=None, description="Fire only before this time, HH:MM ET (e.g. '11:00')."
    )
    any_time: bool = Field(default=False, description="Drop the time window: fire all session.")
    ribbon: Literal["bullish", "bearish", "mixed"] | None = Field(
        default=None, description="Fire only when the pivot ribbon is in this state."
    )
    any_ribbon: bool = Field(default=False, description="Drop the ribbon filter.")

    @field_validator("after", "before")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        return None if value is None else session_clock(value)


@tool("edit_alert", AlertEdit, AlertsResult)
def edit_alert(ctx: ToolContext, args: AlertEdit) -> AlertsResult:
    """Change an alert's time window or ribbon filter (by id, or by symbol and level when exactly
    one alert matches); return the alerts after the change. A new window replaces the old one:
    "only after 14:00" is 14:00-16:00 ET whatever the window was."""
    if not (args.after or args.before or args.any_time or args.ribbon or args.any_ribbon):
        raise InvalidArgumentError(
            "say what to change: a time window (after/before HH:MM ET, or any time) or the "
            "ribbon filter (bullish, bearish, mixed, or any)"
        )
    store = _store(ctx)
    alert_id = _pick(ctx, args)
    current = next((a for a in store.alerts(ctx.user_id) if a.rule.rule_id == alert_id), None)
    if current is None:
        raise InvalidArgumentError(f"you have no alert {alert_id!r}")
    window = (
        None
        if args.any_time
        else alert_window(args.after, args.before)
        if (args.after or args.before)
        else current.window
    )
    ribbon = None if args.any_ribbon else args.ribbon or current.ribbon
    store.set_filters(ctx.user_id, alert_id, ribbon=ribbon, window=window)
    hours = f"between {window[0]} and {window[1]} ET" if window else "all session"
    filt = f", with a {ribbon} ribbon" if ribbon else ", any ribbon"
    return AlertsResult(
        message=f"Alert {alert_id} ({current.rule.symbol} {current.rule.direction} "
        f"{current.rule.level}) now fires {hours}{filt}.",
        alerts=_lines(ctx),
    )


class AlertFiring(BaseModel):
    """One firing of an alert."""

    session: str
    fired_at: str = Field(description="Time of the crossing (ET).")
    price: float
    level_price: float
    delivered: bool


class AlertHistoryResult(BaseModel):
    """An alert and its firings, newest first."""

    alert: AlertLine
    firings: list[AlertFiring]
    message: str


@tool("alert_history", AlertPick, AlertHistoryResult)
def alert_history(ctx: ToolContext, args: AlertPick) -> AlertHistoryResult:
    """Return when one of the user's alerts fired (by id, or by symbol and level when exactly
    one alert matches), newest first: session, time, price and the level's price."""
    alert_id = _pick(ctx, args)
    line = next((a for a in _lines(ctx) if a.id == alert_id), None)
    if line is None:
        raise InvalidArgumentError(f"you have no alert {alert_id!r}")
    firings = [AlertFiring(**f) for f in _store(ctx).history(ctx.user_id, alert_id)]
    what = f"{line.symbol} {line.direction} {line.level}"
    message = (
        f"Alert {alert_id} ({what}) fired {len(firings)} time(s); the latest first:"
        if firings
        else f"Alert {alert_id} ({what}) has not fired yet."
    )
    return AlertHistoryResult(alert=line, firings=firings, message=message)
