"""Tools: draft, save, search, show, share and delete the user's own strategies."""

from __future__ import annotations

from pydantic import BaseModel, Field

from core.errors import InvalidArgumentError, WhisprError
from core.spec import StrategySpec, describe
from tools.base import ToolContext, tool
from tools.ports import StrategyStore


class NoStoreError(WhisprError):
    """Strategy storage is not configured for this channel."""


def _store(ctx: ToolContext) -> StrategyStore:
    store: StrategyStore | None = ctx.services.get("strategies")
    if store is None:
        raise NoStoreError("saving strategies is not available here (no strategy store configured)")
    return store


class SpecArgs(BaseModel):
    """A complete strategy spec (see the StrategySpec schema)."""

    spec: StrategySpec


class DraftResult(BaseModel):
    """A validated strategy not yet saved, echoed in plain words."""

    spec: StrategySpec
    description: str
    next_step: str = "Say 'save it' to store it, or change any part."


@tool("draft_strategy", SpecArgs, DraftResult)
def draft_strategy(ctx: ToolContext, args: SpecArgs) -> DraftResult:
    """Validate a strategy the user described and echo it back in plain words before saving.
    Always draft first; save only after the user confirms."""
    return DraftResult(spec=args.spec, description=describe(args.spec))


class SavedResult(BaseModel):
    """A stored strategy."""

    id: str
    name: str
    version: int
    description: str


@tool("save_strategy", SpecArgs, SavedResult)
def save_strategy(ctx: ToolContext, args: SpecArgs) -> SavedResult:
    """Save a drafted strategy the user confirmed; saving an existing id adds a new version."""
    stored = _store(ctx).save(ctx.user_id, args.spec)
    return SavedResult(
        id=stored.spec_id, name=stored.name, version=stored.version, description=describe(stored)
    )


class SearchArgs(BaseModel):
    """Arguments of ``search_strategies``."""

    query: str = Field(description="What the strategy does, in any words.")


class SearchHit(BaseModel):
    """One search result."""

    id: str
    name: str
    version: int
    description: str
    distance: float


class SearchResult(BaseModel):
    """Strategies nearest in meaning to the query (the user's own and shared ones)."""

    query: str
    hits: list[SearchHit]


@tool("search_strategies", SearchArgs, SearchResult)
def search_strategies(ctx: ToolContext, args: SearchArgs) -> SearchResult:
    """Find saved strategies by meaning ("my trigger long with the ribbon filter")."""
    hits = _store(ctx).search(ctx.user_id, args.query, k=3)
    return SearchResult(
        query=args.query,
        hits=[
            SearchHit(
                id=s.spec_id,
                name=s.name,
                version=s.version,
                description=describe(s),
                distance=round(d, 3),
            )
            for s, d in hits
        ],
    )


class RefArgs(BaseModel):
    """A strategy reference."""

    ref: str = Field(description="Strategy id or name.")
    confirm: bool = Field(default=False, description="Required true to delete.")


class RefResult(BaseModel):
    """The outcome of an action on one strategy."""

    ref: str
    done: bool
    message: str
    versions: list[str] = Field(default_factory=list)


@tool("show_strategy", RefArgs, RefResult)
def show_strategy(ctx: ToolContext, args: RefArgs) -> RefResult:
    """Show a saved strategy and its versions."""
    versions = _store(ctx).versions(ctx.user_id, args.ref)
    if not versions:
        raise InvalidArgumentError(f"no saved strategy {args.ref!r}")
    return RefResult(
        ref=args.ref,
        done=True,
        message=describe(versions[-1]),
        versions=[f"v{v.version}: {describe(v)}" for v in versions],
    )


@tool("delete_strategy", RefArgs, RefResult)
def delete_strategy(ctx: ToolContext, args: RefArgs) -> RefResult:
    """Delete one of the user's strategies; asks for confirmation first (confirm=true)."""
    store = _store(ctx)
    if store.get(ctx.user_id, args.ref) is None:
        raise InvalidArgumentError(f"no saved strategy {args.ref!r}")
    if not args.confirm:
        return RefResult(
            ref=args.ref,
            done=False,
            message=f"Delete {args.ref!r} and all its versions? Say 'yes, delete it'.",
        )
    if not store.delete(ctx.user_id, args.ref):
        raise InvalidArgumentError(f"only its owner can delete {args.ref!r}")
    return RefResult(ref=args.ref, done=True, message="deleted")


@tool("share_strategy", RefArgs, RefResult)
def share_strategy(ctx: ToolContext, args: RefArgs) -> RefResult:
    """Share one of the user's strategies with every user."""
    if not _store(ctx).share(ctx.user_id, args.ref):
        raise InvalidArgumentError(
            f"you have no saved strategy {args.ref!r} to share (only its owner can share it)"
        )
    return RefResult(ref=args.ref, done=True, message="shared with everyone")


class UpdateArgs(BaseModel):
    """Arguments of ``update_strategy``."""

    ref: str = Field(description="Name or id of the user's strategy.")
    target: str | None = Field(default=None, description="New target level key, e.g. '+1'.")
    stop: str | None = Field(default=None, description="New stop level key, e.g. '0'.")
    name: str | None = Field(default=None, description="New name.")
    save: bool = Field(
        default=False, description="Store the new version (after the user confirmed)."
    )


@tool("update_strategy", UpdateArgs, DraftResult)
def update_strategy(ctx: ToolContext, args: UpdateArgs) -> DraftResult:
    """Change a saved strategy's target, stop or name; shows the new version first and stores it
    (keeping the old versions) only with save=true."""
    store = _store(ctx)
    spec = store.get(ctx.user_id, args.ref)
    if spec is None:
        raise InvalidArgumentError(f"no saved strategy {args.ref!r}")
    if "/" in spec.name and not args.ref.startswith(f"{ctx.user_id}/"):
        raise InvalidArgumentError(
            f"{args.ref!r} belongs to another user: you can backtest it, not change it"
        )
    exit_changes = {k: v for k, v in (("target", args.target), ("stop", args.stop)) if v}
    data = spec.model_dump()
    data["exit"].update(exit_changes)
    if args.name:
        data["name"] = args.name
    updated = StrategySpec.model_validate(data)
    if args.save:
        updated = store.save(ctx.user_id, updated)
        return DraftResult(
            spec=updated,
            description=describe(updated),
            next_step=f"Saved as version {updated.version}; earlier versions are kept.",
        )
    return DraftResult(
        spec=updated,
        description=describe(updated),
        next_step="Say 'save it' to store this as a new version.",
    )
