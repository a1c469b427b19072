"""``whispr alerts`` (add, list, pause, resume, delete), ``whispr replay`` and ``whispr watch``.

Handlers import the alert engine, stores and sources when they run (start-up, see
``integrations.cli``).
"""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING

from core.errors import InvalidArgumentError
from integrations.argtypes import iso_date

if TYPE_CHECKING:
    from integrations.alerts.delivery import ChannelRouter
    from integrations.alerts.store import SqliteAlertStore


def clock(text: str) -> str:
    """Return ``text`` as HH:MM within the session (09:30-16:00 ET); argparse type."""
    from tools.alerts import session_clock

    try:
        return session_clock(text)
    except InvalidArgumentError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def alert_store() -> SqliteAlertStore:
    """Return the alert store under ``WHISPR_HOME`` (``~/.whispr/alerts.sqlite``), or in
    ``WHISPR_DATABASE_URL`` when set."""
    from integrations.alerts.store import SqliteAlertStore
    from integrations.chat.settings import load_settings

    return SqliteAlertStore(load_settings().store_location("alerts.sqlite"))


def _add(args: argparse.Namespace) -> int:
    from core.alerts import AlertRule
    from core.levels import parse_level_key
    from tools.alerts import alert_window

    rule = AlertRule(
        rule_id=f"a{uuid.uuid4().hex[:8]}",
        owner=args.user,
        destination=args.to,
        symbol=args.symbol.upper().lstrip("$"),
        level=parse_level_key(args.level),
        direction=args.direction,
    )
    window = alert_window(args.after, args.before)
    alert_store().add(rule, ribbon=args.ribbon, window=window)
    print(
        f"alert {rule.rule_id}: {rule.symbol} {rule.direction} through {rule.level}"
        f"{f' with a {args.ribbon} ribbon' if args.ribbon else ''} → {rule.destination}"
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    for a in alert_store().alerts(args.user):
        extra = f", ribbon {a.ribbon}" if a.ribbon else ""
        extra += f", {a.window[0]}-{a.window[1]} ET" if a.window else ""
        state = " (paused)" if a.paused else ""
        print(
            f"{a.rule.rule_id}: {a.rule.symbol} {a.rule.direction} through {a.rule.level}"
            f"{extra} → {a.rule.destination}{state}"
        )
    return 0


def _toggle(args: argparse.Namespace) -> int:
    store = alert_store()
    ok = (
        store.delete(args.user, args.rule_id)
        if args.action == "delete"
        else store.set_paused(args.user, args.rule_id, args.action == "pause")
    )
    print(f"{args.action} {args.rule_id}: {'done' if ok else 'no such alert of yours'}")
    return 0 if ok else 2


def _router() -> ChannelRouter:
    """Return the delivery router of the configured channels; web users' firings go to the
    inbox that ``whispr serve`` shows (same ``WHISPR_HOME``)."""
    from integrations.alerts.delivery import channel_router
    from integrations.chat.activity import ActivityStore
    from integrations.chat.settings import load_settings

    settings = load_settings()
    return channel_router(
        slack_bot_token=settings.slack_bot_token,
        discord_bot_token=settings.discord_bot_token,
        inbox=ActivityStore(settings.accounts_location),
    )


def _replay(args: argparse.Namespace) -> int:
    from integrations.alerts.monitor import Monitor
    from integrations.marketdata.registry import get_source

    delivered = Monitor(alert_store(), get_source(None), _router()).replay(
        args.symbol.upper().lstrip("$"), args.date, speed=args.speed, until=args.until
    )
    print(f"{len(delivered)} alert(s) delivered")
    return 0


def _watch(args: argparse.Namespace) -> int:
    import asyncio

    from integrations.alerts.live import watch_live
    from integrations.alerts.monitor import Monitor
    from integrations.marketdata.registry import get_source

    source = get_source(None)
    symbols = [s.upper().lstrip("$") for s in args.symbols] or source.symbols()
    monitor = Monitor(alert_store(), source, _router())
    print(f"watching {', '.join(symbols)}, session after session (Ctrl-C to stop)")
    try:
        delivered = asyncio.run(
            watch_live(monitor, source, symbols, max_reconnects=args.reconnects)
        )
    except KeyboardInterrupt:
        return 0
    print(f"stream ended; {len(delivered)} message(s) delivered (alerts, watch signals, briefings)")
    return 0


def add_alert_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``whispr alerts …`` and ``whispr replay …`` to the command line."""
    alerts = sub.add_parser("alerts", help="level alerts: add, list, pause, resume, delete")
    cmds = alerts.add_subparsers(dest="alerts_command", metavar="ACTION")
    p = cmds.add_parser("add", help="alert when SYMBOL crosses LEVEL")
    p.add_argument("symbol")
    p.add_argument("level", help="e.g. -0.236 (put trigger), +38.2%%")
    p.add_argument("--direction", choices=["up", "down"], default="up")
    p.add_argument(
        "--ribbon", choices=["bullish", "bearish", "mixed"], help="only with this ribbon"
    )
    p.add_argument("--to", default="terminal", help="destination, e.g. slack:#spx")
    p.add_argument("--after", type=clock, help="only fire at or after HH:MM ET")
    p.add_argument("--before", type=clock, help="only fire before HH:MM ET")
    p.add_argument("--user", default="local")
    p.set_defaults(handler=_add)
    p = cmds.add_parser("list", help="your alerts")
    p.add_argument("--user", default="local")
    p.set_defaults(handler=_list)
    for action in ("pause", "resume", "delete"):
        p = cmds.add_parser(action, help=f"{action} an alert")
        p.add_argument("rule_id")
        p.add_argument("--user", default="local")
        p.set_defaults(handler=_toggle, action=action)
    p = sub.add_parser("replay", help="replay a session through your alerts")
    p.add_argument("symbol")
    p.add_argument("--date", type=iso_date, required=True)
    p.add_argument("--speed", type=float, default=0.0, help="x real time (60 = 1h/min); 0 = max")
    p.add_argument("--until", help="stop at HH:MM ET")
    p.set_defaults(handler=_replay)
    p = sub.add_parser("watch", help="live alerts on the configured provider's stream")
    p.add_argument("symbols", nargs="*", help="default: WHISPR_SYMBOLS")
    p.add_argument(
        "--reconnects",
        type=int,
        default=None,
        help="stop after this many reconnects (default: reconnect for ever)",
    )
    p.set_defaults(handler=_watch)
