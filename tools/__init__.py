"""Typed tool functions over the core. Importing this package registers every tool in ``TOOLS``."""

from tools import (  # noqa: F401  (each module registers its tools)
    alerts,
    authoring,
    briefings,
    context,
    counts,
    distance,
    explain,
    indicators,
    levels,
    memory,
    session,
    sizing,
    stats,
    strategies,
    watches,
)
from tools.base import TOOLS, Tool, ToolContext, ToolError, run_tool

__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "run_tool"]
