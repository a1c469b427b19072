"""The one channel-neutral entry point: ``respond(user, channel, text, thread) -> ChatReply``.

Web, Slack and Discord call it and only render what it returns (freqtrade's ``RPC`` pattern).
It owns everything that must be the same in every channel: identity (each user's ``ToolContext``
carries their ``user_id``, their own chart folder and role-guarded stores), thread namespacing
(the checkpointer sees ``<username>/<thread>``, so nobody can read or continue another user's
thread), per-user rate limits, the audit log of every tool call, the transcript, and the error
policy (known errors become polite replies; bugs are logged, never shown). It tells its
``observers`` how long each turn and tool call took (``/metrics`` is one).
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from langgraph.checkpoint.base import BaseCheckpointSaver
from pydantic import BaseModel

from assistant.service import Assistant
from core.errors import WhisprError
from core.sources import BarSource
from integrations.chat.accounts import User
from integrations.chat.activity import ActivityStore
from integrations.chat.guards import guard_services
from integrations.chat.render import (
    Segment,
    chart_paths,
    chart_specs,
    hide_chart_paths,
    segments,
)
from integrations.chat.store import AccountStore
from tools import ToolContext, ToolError, run_tool

log = logging.getLogger(__name__)

THREAD_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,80}$")
Progress = Callable[[str, dict[str, Any]], None]
SORRY = "Something went wrong on my side while answering; it was logged. Please try again."


class Observer(Protocol):
    """Told the duration of every turn and tool call (``integrations.web.metrics.Metrics``)."""

    def turn(self, provider: str, status: str, seconds: float) -> None:
        """One ``respond`` call ended with ``status`` (a ``ChatReply.status``)."""
        ...

    def tool(self, name: str, outcome: str, seconds: float) -> None:
        """One tool call ended with ``outcome`` (``success`` or ``error``)."""
        ...


def onboarding_text(channel: str, external_id: str) -> str:
    """Return the polite answer for a chat user who is not linked to a Whispr account."""
    return (
        f"Hi! I'm Whispr, an assistant for SPX/SPY ATR levels and statistics. I don't know "
        f"your {channel.title()} account yet, so I can't answer here or keep anything for you. "
        f"Ask a Whispr admin to link it: `whispr users link <your username> --{channel} "
        f"{external_id}`. Then mention me again."
    )


@dataclass
class ChatReply:
    """What every channel renders."""

    text: str
    thread: str
    status: str = "ok"
    """``ok``, ``error`` (a polite text), ``rate_limited``, ``unknown_user`` or ``forbidden``."""
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    """``{name, args, status, result}`` per tool call of this turn."""
    grounded: bool = True
    provider: str = ""
    latency_ms: float = 0.0
    retry_after: float = 0.0
    pieces: list[Segment] = field(default_factory=list)
    """``text`` split into text, tables and images (see ``integrations.chat.render``)."""

    def to_dict(self) -> dict[str, Any]:
        """Return the reply as JSON-ready data (image paths become file names; a levels chart's
        block also says what it shows, for the web page's interactive chart)."""
        specs = chart_specs(self.tool_calls)
        return {
            "answer": self.text,
            "thread": self.thread,
            "status": self.status,
            "tool_calls": [_public_call(c) for c in self.tool_calls],
            "grounded": self.grounded,
            "provider": self.provider,
            "latency_ms": round(self.latency_ms, 1),
            "retry_after": round(self.retry_after),
            "blocks": [_piece_dict(p, specs) for p in self.pieces],
        }


def _public_call(call: dict[str, Any]) -> dict[str, Any]:
    """Return a tool call as shown to clients: a chart's server path becomes its file name."""
    result = call.get("result")
    if isinstance(result, dict) and isinstance(result.get("chart"), str):
        return {**call, "result": {**result, "chart": Path(result["chart"]).name}}
    return call


def _piece_dict(piece: Segment, specs: dict[str, dict[str, str]]) -> dict[str, Any]:
    if piece.kind == "image":
        name = Path(piece.path).name  # type: ignore[union-attr]
        return {"kind": "image", "name": name, **specs.get(name, {})}
    return dict(piece.__dict__)


def _minutes(seconds: float) -> str:
    if seconds < 90:
        return f"{max(1, round(seconds))} seconds"
    if seconds < 5400:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


class ChatService:
    """Answers users in any channel; one instance per process, shared by all channels."""

    def __init__(
        self,
        accounts: AccountStore,
        activity: ActivityStore,
        source: BarSource,
        *,
        provider: str | None = None,
        model: Any = None,
        checkpointer: BaseCheckpointSaver | None = None,
        services: dict[str, Any] | None = None,
        charts_root: Path | None = None,
        rate_limit: tuple[int, float] = (60, 3600.0),
        abuse_limit: tuple[int, float] = (600, 3600.0),
        max_chars: int = 2000,
    ) -> None:
        self.accounts = accounts
        self.activity = activity
        self.source = source
        self.provider = provider
        self.model = model
        self.checkpointer = checkpointer
        self.services = services or {}
        self.charts_root = charts_root
        self.rate_limit = rate_limit
        self.abuse_limit = abuse_limit
        self.max_chars = max_chars
        self.observers: list[Observer] = []
        """Told the duration of each turn and tool call, in any channel."""

    def charts_dir(self, user: User) -> Path | None:
        """Return the folder of ``user``'s charts (None when charts are off)."""
        return None if self.charts_root is None else self.charts_root / user.username

    def tool_context(self, user: User, channel: str, destination: str | None = None) -> ToolContext:
        """Return the tools' context of ``user``: their id, role-guarded stores, chart folder."""
        services = guard_services(self.services, user)
        services["destination"] = destination or f"{channel}:{user.username}"
        services["chart_theme"] = "dark" if channel == "web" else "light"  # the page is dark
        charts = self.charts_dir(user)
        if charts is not None:
            services["charts_dir"] = charts
        return ToolContext(source=self.source, user_id=user.username, services=services)

    def run_tool(self, user: User, channel: str, name: str, args: dict[str, Any]) -> BaseModel:
        """Run one tool for ``user`` directly (API endpoints) and audit the call."""
        started = time.perf_counter()
        try:
            result = run_tool(self.tool_context(user, channel), name, args)
        except Exception:
            log.exception("tool %s failed on %s", name, args)
            result = ToolError(error="the tool failed unexpectedly; it was logged", kind="internal")
        outcome = "error" if isinstance(result, ToolError) else "success"
        for observer in self.observers:
            observer.tool(name, outcome, time.perf_counter() - started)
        self.activity.audit(user.username, channel, "tool_call", outcome, name, args)
        return result

    def respond(
        self,
        user: User,
        channel: str,
        text: str,
        thread: str | None = None,
        *,
        destination: str | None = None,
        on_progress: Progress | None = None,
    ) -> ChatReply:
        """Answer ``text`` for ``user`` on their ``thread`` (new when None); never raises for
        a user's mistake, a provider failure or a bug: those come back as polite replies."""
        started = time.perf_counter()
        reply = self._respond(user, channel, text, thread, destination, on_progress)
        provider = reply.provider or self.provider or "offline"
        for observer in self.observers:
            observer.turn(provider, reply.status, time.perf_counter() - started)
        return reply

    def _respond(
        self,
        user: User,
        channel: str,
        text: str,
        thread: str | None,
        destination: str | None,
        on_progress: Progress | None,
    ) -> ChatReply:
        thread = thread or uuid.uuid4().hex[:16]
        problem = self._check(user, text, thread)
        if problem is not None:
            return problem
        refused = self._limits(user, channel, thread)
        if isinstance(refused, ChatReply):
            return refused
        self.activity.add_message(user.username, thread, channel, "user", {"text": text})
        reply = self._ask(user, channel, text, thread, destination, on_progress)
        if refused and reply.status == "ok":  # a warning before the model quota runs out
            reply = replace(
                reply,
                text=f"{reply.text}\n\n{refused}",
                pieces=[*reply.pieces, *segments(f"\n\n{refused}", [])],
            )
        self.activity.add_message(
            user.username,
            thread,
            channel,
            "assistant",
            {
                "text": reply.text,
                "status": reply.status,
                "tool_calls": _brief(reply.tool_calls),
                "blocks": reply.to_dict()["blocks"],
            },
        )
        return reply

    @property
    def uses_llm(self) -> bool:
        """True when turns are answered by a language model (they count against the quota)."""
        return self.provider not in (None, "offline")

    def _limits(self, user: User, channel: str, thread: str) -> ChatReply | str | None:
        """Count this turn; return a refusal, a quota warning, or None.

        Every turn counts against the flood guard (``abuse_limit``, generous); only turns a
        language model answers count against the per-user quota (``rate_limit``): offline
        answers cost nothing. A warning is returned once 90 % of the quota is used."""
        checks = [("any", self.abuse_limit)] + ([("llm", self.rate_limit)] if self.uses_llm else [])
        for kind, (turns, window) in checks:
            key = user.username if kind == "llm" else f"{kind}:{user.username}"
            wait = self.activity.take_turn(key, turns, window)
            if wait:
                self.activity.audit(user.username, channel, "rate_limited", f"refused ({kind})")
                what = "questions" if kind == "llm" else "messages (all kinds)"
                return ChatReply(
                    f"You have reached your limit of {turns} {what} per {_minutes(window)}. "
                    f"Please try again in {_minutes(wait)}.",
                    thread,
                    status="rate_limited",
                    retry_after=wait,
                )
        if self.uses_llm:
            turns, window = self.rate_limit
            left = turns - self.activity.turns_taken(user.username, window)
            if left <= max(1, turns // 10):
                return (
                    f"(Note: {left} of your {turns} language-model questions per "
                    f"{_minutes(window)} left.)"
                )
        return None

    def _check(self, user: User, text: str, thread: str) -> ChatReply | None:
        if not user.can("ask"):
            return ChatReply("Your account is disabled.", thread, status="forbidden")
        if not THREAD_ID.match(thread):
            return ChatReply(
                "That thread id is not valid: use 1-80 characters A-Z, a-z, 0-9, '_', '.', "
                "':', '-'.",
                thread,
                status="invalid",
            )
        if not text.strip():
            return ChatReply("Ask me something, e.g. 'SPX day levels'.", thread, status="invalid")
        if len(text) > self.max_chars:
            return ChatReply(
                f"That message is too long ({len(text)} characters); the limit is "
                f"{self.max_chars}.",
                thread,
                status="invalid",
            )
        return None

    def _ask(
        self,
        user: User,
        channel: str,
        text: str,
        thread: str,
        destination: str | None,
        on_progress: Progress | None,
    ) -> ChatReply:
        def on_event(event: str, data: dict[str, Any]) -> None:
            if event == "tool_call":
                for observer in self.observers:
                    observer.tool(
                        str(data.get("name")), str(data.get("status")), data.get("seconds", 0.0)
                    )
                self.activity.audit(
                    user.username, channel, "tool_call", data.get("status", "?"),
                    data.get("name"), data.get("args"),
                )  # fmt: skip
            else:
                self.activity.audit(user.username, channel, event, str(data.get("reason", "")))
            if on_progress is not None:
                on_progress(event, data)

        ctx = self.tool_context(user, channel, destination)
        try:
            assistant = Assistant(
                ctx, self.provider, checkpointer=self.checkpointer, model=self.model,
                on_event=on_event,
            )  # fmt: skip
            reply = assistant.ask(text, f"{user.username}/{thread}")
        except WhisprError as exc:
            self.activity.audit(user.username, channel, "turn", f"error: {exc}")
            return ChatReply(f"I couldn't answer that: {exc}", thread, status="error")
        except Exception:
            log.exception("turn failed for %s on %s", user.username, channel)
            self.activity.audit(user.username, channel, "turn", "internal error")
            return ChatReply(SORRY, thread, status="error")
        calls = [
            {**c, "status": "error" if _is_error(c.get("result")) else "success"}
            for c in reply.tool_calls
        ]
        charts = [p for p in chart_paths(calls) if self._owns(user, p)]
        pieces = [
            p for p in segments(reply.answer, charts)
            if p.kind != "image" or self._owns(user, p.path)  # type: ignore[union-attr]
        ]  # fmt: skip
        return ChatReply(
            hide_chart_paths(reply.answer),
            thread,
            tool_calls=calls,
            grounded=reply.grounded,
            provider=reply.provider,
            latency_ms=reply.latency_ms,
            pieces=pieces,
        )

    def _owns(self, user: User, path: str) -> bool:
        folder = self.charts_dir(user)
        if folder is None:
            return False
        try:
            return Path(path).resolve().parent == folder.resolve()
        except OSError:
            return False

    def chart_file(self, user: User, name: str) -> Path | None:
        """Return the path of ``user``'s chart ``name`` if it exists (never another user's)."""
        folder = self.charts_dir(user)
        if folder is None or not re.fullmatch(r"[A-Za-z0-9_.+-]{1,200}\.png", name):
            return None
        path = folder / name
        return path if path.is_file() else None

    def respond_external(
        self,
        channel: str,
        external_id: str,
        text: str,
        thread: str | None = None,
        *,
        destination: str | None = None,
        on_progress: Progress | None = None,
    ) -> ChatReply:
        """Answer a Slack or Discord user: map their id to a user, or onboard them politely."""
        user = self.accounts.user_for(channel, external_id)
        if user is None:
            self.activity.audit(f"{channel}:{external_id}", channel, "unknown_user", "onboarded")
            return ChatReply(
                onboarding_text(channel, external_id), thread or "", status="unknown_user"
            )
        return self.respond(
            user, channel, text, thread, destination=destination, on_progress=on_progress
        )


def _is_error(result: Any) -> bool:
    return isinstance(result, dict) and set(result) == {"error", "kind"}


def _brief(calls: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": c["name"], "args": c["args"], "status": c["status"]} for c in calls]
