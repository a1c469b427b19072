"""The tool framework: a tool is a plain function with a pydantic argument model and result model.

The docstring's first paragraph and the ``Field`` descriptions are what a language model sees, so
they are written for that reader. ``run_tool`` validates arguments before anything runs and turns
every ``WhisprError`` into a structured ``ToolError`` the graph can explain to the user.
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ValidationError

from core.errors import WhisprError
from core.sources import BarSource
from tools import memo

A = TypeVar("A", bound=BaseModel)
R = TypeVar("R", bound=BaseModel)


@dataclass
class ToolContext:
    """What a tool may use besides its arguments. Identity is injected here, never an argument."""

    source: BarSource
    """Where bars come from (the data directory by default)."""
    user_id: str = "local"
    today: dt.date | None = None
    """The date "today" means; None = the session after the last bar in the data."""
    services: dict[str, Any] = field(default_factory=dict)
    """Optional stores (strategies, memory, alerts) keyed by name, added by later layers."""


@dataclass(frozen=True)
class Tool(Generic[A, R]):
    """A registered tool: name, argument and result models, and the function that runs it."""

    name: str
    args_model: type[A]
    result_model: type[R]
    func: Callable[[ToolContext, A], R]
    memo: bool = False
    """True when the result depends only on the arguments, "today" and the bars (``tools.memo``)."""

    @property
    def description(self) -> str:
        """Return the function's docstring without its Args/Returns sections (what an LLM reads)."""
        doc = inspect.getdoc(self.func) or self.name
        return doc.split("\n\nArgs:")[0].split("\n\nReturns:")[0].strip()

    def json_schema(self) -> dict[str, Any]:
        """Return the OpenAI-style function schema of this tool."""
        return {
            "name": self.name,
            "description": self.description,
            "parameters": self.args_model.model_json_schema(),
        }


FIRST_DATE, LAST_DATE = dt.date(1900, 1, 1), dt.date(2200, 12, 31)


def _in_range(value: dt.date | None) -> dt.date | None:
    """Return ``value`` when it is a date market data can have; raise a clear error otherwise
    (pandas timestamps end in 2262, and no data starts before 1900)."""
    if value is not None and not FIRST_DATE <= value <= LAST_DATE:
        raise ValueError(f"{value} is out of range: use a date from {FIRST_DATE} to {LAST_DATE}")
    return value


SessionDate = Annotated[dt.date, AfterValidator(_in_range)]
"""A date argument of a tool: any date from 1900 to 2200 (a clear error outside)."""


class ToolError(BaseModel):
    """A tool failure reported back to the model and the user instead of an exception."""

    error: str
    kind: str
    """``invalid_arguments`` (fixable by changing the call), ``data`` or ``internal``."""


TOOLS: dict[str, Tool[Any, Any]] = {}


def tool(
    name: str, args_model: type[A], result_model: type[R], *, memo: bool = False
) -> Callable[[Callable[[ToolContext, A], R]], Callable[[ToolContext, A], R]]:
    """Register a tool function under ``name``; return the function unchanged. ``memo``: the
    result depends only on the arguments, "today" and the bars, so it may be kept per source."""

    def register(func: Callable[[ToolContext, A], R]) -> Callable[[ToolContext, A], R]:
        TOOLS[name] = Tool(name, args_model, result_model, func, memo)
        return func

    return register


def _explain_validation(name: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "arguments"
        msg = str(err["msg"]).removeprefix("Value error, ")  # our own validators' message
        parts.append(f"{loc}: {msg}")
    return f"{name}: " + "; ".join(parts)


def _memo_key(spec: Tool[Any, Any], ctx: ToolContext, parsed: BaseModel) -> tuple[Any, ...] | None:
    """Return the memo key of a call, or None when its result must be computed (a chart is a
    file that may have been cleaned away, so calls drawing one are never kept)."""
    if not spec.memo or getattr(parsed, "chart", False):
        return None
    return (spec.name, parsed.model_dump_json(), ctx.today)


def run_tool(ctx: ToolContext, name: str, args: dict[str, Any]) -> BaseModel:
    """Return the tool's result model, or a ``ToolError`` when the call cannot be answered.

    Unexpected exceptions (bugs) are not swallowed: they propagate to the caller, which logs them.
    """
    if name not in TOOLS:
        return ToolError(
            error=f"unknown tool {name!r}; available: {', '.join(TOOLS)}", kind="invalid_arguments"
        )
    spec = TOOLS[name]
    try:
        parsed = spec.args_model.model_validate(args)
    except ValidationError as exc:
        return ToolError(error=_explain_validation(name, exc), kind="invalid_arguments")
    key = _memo_key(spec, ctx, parsed)
    if key is not None and (kept := memo.recall(ctx.source, key)) is not None:
        return kept
    try:
        result: BaseModel = spec.func(ctx, parsed)
        if key is not None:
            memo.keep(ctx.source, key, result)
        return result
    except WhisprError as exc:
        kind = "invalid_arguments" if isinstance(exc, ValueError) else "data"
        return ToolError(error=str(exc), kind=kind)
