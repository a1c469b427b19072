"""Run one tool directly, bypassing the planner: how eval authors compute expected numbers.

``python -m eval.calltool atr_levels '{"symbol": "SPY", "date": "2019-06-12"}'`` prints the
tool's result as JSON. ``--today YYYY-MM-DD`` fixes what "today" means (default: the eval's
reference date, Friday 2026-02-13). ``--schemas`` prints every tool's argument schema instead.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from integrations.marketdata.registry import get_source
from tools import TOOLS, ToolContext, run_tool

REFERENCE_DATE = dt.date(2026, 2, 13)


def main(argv: list[str] | None = None) -> int:
    """Print the tool's result (or every schema with ``--schemas``); return the exit code."""
    parser = argparse.ArgumentParser(prog="python -m eval.calltool", description=__doc__)
    parser.add_argument("name", nargs="?", help="tool name")
    parser.add_argument("args", nargs="?", default="{}", help="tool arguments as JSON")
    parser.add_argument("--today", type=dt.date.fromisoformat, default=REFERENCE_DATE)
    parser.add_argument("--schemas", action="store_true", help="print every tool's schema")
    ns = parser.parse_args(argv)
    if ns.schemas or not ns.name:
        print(json.dumps([t.json_schema() for t in TOOLS.values()], indent=1))
        return 0
    ctx = ToolContext(source=get_source(None), today=ns.today)
    result = run_tool(ctx, ns.name, json.loads(ns.args))
    print(json.dumps(result.model_dump(mode="json"), indent=1))
    return 1 if "error" in type(result).model_fields else 0


if __name__ == "__main__":
    sys.exit(main())
