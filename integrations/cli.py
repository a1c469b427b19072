"""The ``whispr`` command line: levels, statistics, the assistant, and the data commands.

Other packages add subcommands through the ``whispr.commands`` entry-point group: each entry
point names a ``register(subparsers)`` function (``whispr eval`` comes from ``eval.cli``).

Start-up: building the parser imports argparse-level code only; each handler imports what its
command needs when it runs (pandas, the tools, LangGraph, Chroma...), so ``whispr --help`` does not
pay for them. ``tests/integrations/test_cli_startup.py`` keeps it that way.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import WhisprError
from integrations.alerts.cli import add_alert_commands, alert_store
from integrations.argtypes import PROVIDER_HELP, iso_date
from integrations.chat.cli import add_channel_commands
from integrations.marketdata.cli import add_data_commands
from integrations.operations.cli import add_backup_commands

if TYPE_CHECKING:
    from pydantic import BaseModel

    from assistant.service import Assistant

log = logging.getLogger("whispr")
COMMAND_GROUP = "whispr.commands"
"""Entry-point group of subcommand plugins: each names a ``register(subparsers)`` function."""


def _emit(name: str, result: BaseModel, as_json: bool) -> int:
    from assistant.render import render_result
    from tools import ToolError

    if as_json:
        print(json.dumps(result.model_dump(mode="json"), indent=2))
    elif not isinstance(result, ToolError):
        print(render_result(name, result))
    if isinstance(result, ToolError):
        print(f"error: {result.error}", file=sys.stderr)
        return 2
    return 0


def _tool_command(
    name: str, build: Callable[[argparse.Namespace], dict[str, Any]]
) -> Callable[[argparse.Namespace], int]:
    def handler(args: argparse.Namespace) -> int:
        from integrations.context import tool_context
        from tools import run_tool

        call = {k: v for k, v in build(args).items() if v is not None}
        return _emit(name, run_tool(tool_context(args), name, call), args.json)

    return handler


def _add_levels(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "levels",
        help="ATR levels for a symbol and session",
        description="Print the Saty ATR levels in force for a session.",
    )
    p.add_argument("symbol", help="SPY, SPX, or any symbol in the data directory")
    p.add_argument(
        "--mode", default="day", help="scalp|day|multiday|swing|position|longterm (default: day)"
    )
    p.add_argument("--date", type=iso_date, help="session date YYYY-MM-DD (default: next session)")
    p.add_argument("--level", help="one level only, e.g. +0.382 or -23.6%%")
    p.add_argument("--current-close", action="store_true", help="anchor on the live close")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(
        handler=_tool_command(
            "atr_levels",
            lambda a: {
                "symbol": a.symbol,
                "mode": a.mode,
                "date": a.date,
                "level": a.level,
                "use_current_close": a.current_close or None,
            },
        )
    )


def _add_stats(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "gg-stats",
        help="golden-gate completion statistics",
        description="Same-session completion of golden gates (±38.2 %% → ±61.8 %%) "
        "by trigger hour, from the intraday data, with counts and date range.",
    )
    p.add_argument("symbol")
    p.add_argument("--direction", default="both", choices=["bull", "bear", "both"])
    p.add_argument("--buckets", help="comma-separated trigger buckets: open,09,10,...,15")
    p.add_argument("--start", type=iso_date, help="first session YYYY-MM-DD")
    p.add_argument("--end", type=iso_date, help="last session YYYY-MM-DD")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(
        handler=_tool_command(
            "golden_gate_stats",
            lambda a: {
                "symbol": a.symbol,
                "direction": a.direction,
                "start": a.start,
                "end": a.end,
                "trigger_buckets": a.buckets.split(",") if a.buckets else None,
            },
        )
    )
    p = sub.add_parser(
        "level-stats",
        help="level-to-level probabilities",
        description="How often price reached level TO after touching FROM the same "
        "session, e.g. --from +0.236 --to +1.",
    )
    p.add_argument("symbol")
    p.add_argument("--from", dest="from_level", required=True, help="e.g. +0.236 or 23.6%%")
    p.add_argument("--to", dest="to_level", required=True, help="e.g. +1 or -61.8%%")
    p.add_argument("--start", type=iso_date)
    p.add_argument("--end", type=iso_date)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(
        handler=_tool_command(
            "level_to_level",
            lambda a: {
                "symbol": a.symbol,
                "from_level": a.from_level,
                "to_level": a.to_level,
                "start": a.start,
                "end": a.end,
            },
        )
    )


def _assistant(args: argparse.Namespace) -> Assistant:
    from assistant.service import Assistant, checkpointer_for
    from assistant.settings import get_settings
    from integrations.alerts.briefings import SqliteBriefingStore
    from integrations.alerts.watchstore import SqliteWatchStore
    from integrations.chat.settings import load_settings
    from integrations.context import tool_context
    from integrations.storage.knowledge import GlossaryIndex
    from integrations.storage.memory import VectorMemory
    from integrations.storage.strategies import SqliteStrategyStore
    from integrations.storage.vectors import VectorStore, make_client

    home = get_settings().home
    database_url = load_settings().database_url  # None: the SQLite files under home
    checkpointer = checkpointer_for(database_url or home / "threads.sqlite")
    ctx = tool_context(args)
    vectors = VectorStore(make_client(home / "chroma"))
    ctx.services["strategies"] = SqliteStrategyStore(
        database_url or home / "whispr.sqlite", vectors
    )
    ctx.services["memory"] = VectorMemory(vectors)
    ctx.services["knowledge"] = GlossaryIndex(vectors)
    ctx.services["alerts"] = alert_store()
    ctx.services["watches"] = SqliteWatchStore(database_url or home / "watches.sqlite")
    ctx.services["briefings"] = SqliteBriefingStore(database_url or home / "briefings.sqlite")
    ctx.services["destination"] = "terminal"
    ctx.services["charts_dir"] = home / "charts"
    return Assistant(ctx, args.provider, checkpointer=checkpointer)


def _ask(args: argparse.Namespace) -> int:
    reply = _assistant(args).ask(args.question, args.thread)
    if args.json:
        print(json.dumps(reply.to_dict(), indent=2, default=str))
    else:
        print(reply.answer)
    return 0


def _chat(args: argparse.Namespace) -> int:
    assistant = _assistant(args)
    thread = args.thread or f"chat-{dt.datetime.now():%Y%m%d-%H%M%S}"
    print(
        f"Whispr ({assistant.provider}) on thread {thread}. Ask about levels, stats, sizing; "
        "empty line or Ctrl-D quits."
    )
    while True:
        try:
            line = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if not line or line in ("quit", "exit"):
            return 0
        try:
            reply = assistant.ask(line, thread)
        except WhisprError as exc:
            print(f"whispr> {exc}")
            continue
        print(f"whispr> {reply.answer}\n")


def _add_assistant(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "ask",
        help="ask the assistant one question",
        description="Ask in plain language; numbers come from the tools.",
    )
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="print the reply with tool calls as JSON")
    p.add_argument("--provider", help=PROVIDER_HELP)
    p.add_argument("--thread", help="conversation thread id (keeps memory between asks)")
    p.add_argument("--user", default="local", help="user id")
    p.set_defaults(handler=_ask)
    p = sub.add_parser("chat", help="interactive chat in the terminal")
    p.add_argument("--provider", help=PROVIDER_HELP)
    p.add_argument("--thread", help="resume a thread")
    p.add_argument("--user", default="local", help="user id")
    p.set_defaults(handler=_chat)


def _demo(args: argparse.Namespace) -> int:
    from integrations.context import tool_context
    from integrations.demo import briefing

    print(briefing(tool_context(args)), end="")
    print('Ask anything: whispr ask "SPX day levels" · whispr chat · whispr --help')
    return 0


def _shown(value: Any) -> str:
    if value is None:
        return "(not set)"
    return json.dumps(value) if isinstance(value, bool) else str(value)


def _config_text(report: dict[str, Any]) -> str:
    lines = []
    for group, values in report["settings"].items():
        lines.append(f"# {group}")
        lines.extend(f"{name}={_shown(value)}" for name, value in values.items())
        lines.append("")
    lines.append(f"home directory: {report['home_dir']}")
    lines.append(f"data directory: {report['data_dir']}")
    lines.append(f"cache directory: {report['cache_dir']}")
    return "\n".join(lines)


def _config(args: argparse.Namespace) -> int:
    from assistant.settings import get_settings
    from integrations.marketdata.cache import default_cache_dir
    from integrations.marketdata.files import default_data_dir

    settings = get_settings()
    data_dir = Path(args.data_dir) if args.data_dir else default_data_dir()
    report = {
        "settings": settings.redacted(),
        "home_dir": str(settings.home),
        "data_dir": str(data_dir),
        "cache_dir": str(default_cache_dir()),
    }
    print(json.dumps(report, indent=2) if args.json else _config_text(report))
    return 0


def _add_config(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "config",
        help="print the effective settings (secrets redacted)",
        description="Print every setting Whispr reads from the environment, grouped, as "
        "NAME=value: secrets show as ******** when set, unset values as (not set). Ends with "
        "where the home, data and cache directories resolve.",
    )
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=_config)


def _add_plugins(sub: argparse._SubParsersAction) -> None:
    """Add the subcommands of every ``whispr.commands`` entry point; one that cannot be
    imported is skipped with a warning."""
    seen = set(sub.choices)
    for point in sorted(entry_points(group=COMMAND_GROUP), key=lambda ep: ep.name):
        if point.name in seen:
            continue
        try:
            register = point.load()
        except ImportError as exc:
            log.warning("command plugin %s (%s) cannot be loaded: %s", point.name, point.value, exc)
            continue
        register(sub)
        seen.add(point.name)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of the ``whispr`` command."""
    parser = argparse.ArgumentParser(
        prog="whispr",
        description="Whispr: ATR levels, golden-gate statistics and a trading assistant for "
        "SPX/SPY. Data comes from WHISPR_DATA_DIR (default: the shipped samples).",
    )
    parser.add_argument("--data-dir", help="folder of <symbol>_<bar>_*.csv/.parquet files")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    demo = sub.add_parser("demo", help="briefing for every symbol in the data (the main job)")
    demo.set_defaults(handler=_demo)
    _add_levels(sub)
    _add_stats(sub)
    _add_assistant(sub)
    add_data_commands(sub)
    add_alert_commands(sub)
    add_channel_commands(sub)
    _add_config(sub)
    add_backup_commands(sub)
    _add_plugins(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``whispr`` command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    if not getattr(args, "handler", None):
        parser.print_help()
        return 1
    try:
        return int(args.handler(args))
    except WhisprError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
