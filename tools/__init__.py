"""Typed tool functions over the core. Importing this package registers every tool in ``TOOLS``."""

from tools import context, explain, levels, sizing  # noqa: F401  (each registers its tools)
from tools.base import TOOLS, Tool, ToolContext, ToolError, run_tool

__all__ = ["TOOLS", "Tool", "ToolContext", "ToolError", "run_tool"]
