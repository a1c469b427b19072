"""Tools: remember, recall and forget what a user told Whispr about themselves."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.errors import WhisprError
from tools.base import ToolContext, tool
from tools.ports import MemoryStore


def _memory(ctx: ToolContext) -> MemoryStore:
    store = ctx.services.get("memory")
    if store is None:
        raise WhisprError("remembering is not available here (no memory store configured)")
    return store


class RememberArgs(BaseModel):
    """Arguments of ``remember``."""

    fact: str = Field(description="What the user said about themselves, in their words.")


class Facts(BaseModel):
    """The user's remembered facts."""

    facts: list[dict[str, str]] = Field(description="[{id, text}] oldest first.")
    message: str = ""


@tool("remember", RememberArgs, Facts)
def remember(ctx: ToolContext, args: RememberArgs) -> Facts:
    """Remember a fact or preference the user stated (symbol traded, risk %, account size)."""
    store = _memory(ctx)
    store.add(ctx.user_id, args.fact)
    return Facts(
        facts=[{"id": i, "text": t} for i, t in store.list(ctx.user_id)],
        message=f"Noted: {args.fact}",
    )


class NoArgs(BaseModel):
    """No arguments."""


@tool("recall", NoArgs, Facts)
def recall(ctx: ToolContext, args: NoArgs) -> Facts:
    """List what Whispr remembers about the user."""
    return Facts(facts=[{"id": i, "text": t} for i, t in _memory(ctx).list(ctx.user_id)])


class ForgetArgs(BaseModel):
    """Arguments of ``forget``."""

    fact_id: str | None = Field(default=None, description="One fact's id; omit to forget all.")


@tool("forget", ForgetArgs, Facts)
def forget(ctx: ToolContext, args: ForgetArgs) -> Facts:
    """Forget one remembered fact, or everything when no id is given."""
    store = _memory(ctx)
    removed = store.forget(ctx.user_id, args.fact_id)
    return Facts(
        facts=[{"id": i, "text": t} for i, t in store.list(ctx.user_id)],
        message=f"Forgot {removed} fact{'s' if removed != 1 else ''}.",
    )
