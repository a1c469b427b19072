"""Deterministic plain-text rendering of tool results.

Used by the terminal, by the offline planner's answers, and as the grounded fallback when a
language model's answer fails the grounding check. Every number shown comes from the result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from tools.base import ToolError
from tools.levels import LEVEL_NAMES

_RENDERERS: dict[str, Callable[[Any], str]] = {}


def renders(name: str) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Register a renderer for the results of tool ``name``."""

    def register(func: Callable[[Any], str]) -> Callable[[Any], str]:
        _RENDERERS[name] = func
        return func

    return register


def render_result(name: str, result: BaseModel) -> str:
    """Return a trader-readable text for one tool result (errors included)."""
    if isinstance(result, ToolError):
        return f"I couldn't do that: {result.error}"
    if name in _RENDERERS:
        return _RENDERERS[name](result)
    return "\n".join(f"{k}: {v}" for k, v in result.model_dump(mode="json").items())


def table(rows: list[list[str]], header: list[str] | None = None) -> str:
    """Return rows as an aligned plain-text table (first column left, others right aligned)."""
    body = ([header] if header else []) + rows
    widths = [max(len(r[i]) for r in body) for i in range(len(body[0]))]

    def fmt(row: list[str]) -> str:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    lines = [fmt(r) for r in body]
    if header:
        lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


DEFAULT_LEVELS = ("+1", "+0.786", "+0.618", "+0.5", "+0.382", "+0.236", "0",
                  "-0.236", "-0.382", "-0.5", "-0.618", "-0.786", "-1")


@renders("atr_levels")
def _levels(r: Any) -> str:
    head = (
        f"{r.symbol} {r.mode} levels for {r.date:%a %Y-%m-%d} "
        f"(previous close {r.previous_close:.2f} on {r.previous_close_date}, ATR {r.atr:.2f})"
    )
    if r.level:
        return f"{r.symbol} {r.level_name} ({r.level}) for {r.date:%Y-%m-%d}: {r.level_value:.2f}\n{head}"
    keys = [k for k in reversed(list(r.levels)) if k in DEFAULT_LEVELS]
    rows = [[k, f"{r.levels[k]:.2f}", LEVEL_NAMES.get(k, "")] for k in keys]
    return "\n".join([
        head,
        table(rows, ["level", "price", ""]),
        r.calls_label,
        r.puts_label,
        r.range_label,
        f"Trend ({r.trend_timeframe} EMA 8/21/34): {r.trend}",
    ])
