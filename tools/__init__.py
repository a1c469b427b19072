"""Typed tool functions over the core. Importing this package registers every tool in ``TOOLS``."""

from tools import context, explain, indicators, levels, sizing, stats, strategies  # noqa: F401
from tools.base import TOOLS, Tool, ToolContext, ToolError, run_tool

__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "run_tool"]
