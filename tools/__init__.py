"""Typed tool functions over the core. Importing this package registers every tool in ``TOOLS``."""

from tools import levels as _levels  # noqa: F401  (registers atr_levels)
from tools.base import TOOLS, Tool, ToolContext, ToolError, run_tool

__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "run_tool"]
