"""Tools: remember, recall and forget what a user told Whispr about themselves."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.errors import WhisprError
from tools.base import ToolContext, tool
from tools.ports import MemoryStore


def _memory(ctx: ToolContext) -> MemoryStore:
    store: MemoryStore | None = ctx.services.get("memory")
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

    fact_id: str | None = Field(default=None, description="One fact's id.")
    about: str | None = Field(
        default=None, description="Words of the facts to forget ('my broker account')."
    )
    confirm: bool = Field(
        default=False, description="Required true to forget; ask the user first (never assume)."
    )


class ForgetResult(Facts):
    """What forgetting would remove (done false: the user is asked first) or removed."""

    done: bool = False
    ids: list[str] = Field(default_factory=list)


def _matching(facts: list[tuple[str, str]], args: ForgetArgs) -> list[tuple[str, str]]:
    if args.fact_id:
        return [f for f in facts if f[0] == args.fact_id]
    if args.about:
        words = {w for w in args.about.lower().split() if len(w) > 2} - {
            "the",
            "and",
            "about",
            "my",
        }
        return [f for f in facts if words and words <= set(f[1].lower().replace(",", " ").split())]
    return facts


@tool("forget", ForgetArgs, ForgetResult)
def forget(ctx: ToolContext, args: ForgetArgs) -> ForgetResult:
    """Forget remembered facts: one by id, those about some words, or all. Without confirm=true
    it only says what would be forgotten and asks; ask the user before confirming."""
    store = _memory(ctx)
    facts = store.list(ctx.user_id)
    chosen = _matching(facts, args)
    if not chosen:
        what = args.fact_id or args.about
        raise WhisprError(
            f"I don't remember anything about {what!r}" if what else "I remember nothing yet"
        )
    listed = "; ".join(text for _, text in chosen)
    if not args.confirm:
        return ForgetResult(
            facts=[{"id": i, "text": t} for i, t in facts],
            ids=[i for i, _ in chosen],
            message=f"Forget {len(chosen)} fact{'s' if len(chosen) != 1 else ''} ({listed})? "
            "Say 'yes' to confirm.",
        )
    removed = sum(store.forget(ctx.user_id, i) for i, _ in chosen)
    return ForgetResult(
        facts=[{"id": i, "text": t} for i, t in store.list(ctx.user_id)],
        ids=[i for i, _ in chosen],
        done=True,
        message=f"Forgot {removed} fact{'s' if removed != 1 else ''}.",
    )
