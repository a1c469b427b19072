"""``whispr data``: fetch bars from a provider into the cache, list what is available, check
quality, and sign in to Schwab. Each handler takes the parsed arguments and returns an exit code;
``WhisprError``s are left to the main command line, which prints them. Handlers import the
sources and pandas when they run (start-up, see ``integrations.cli``)."""

from __future__ import annotations

import argparse
import datetime as dt

from integrations.argtypes import iso_date
from integrations.marketdata.names import PROVIDERS


def fetch_command(args: argparse.Namespace) -> int:
    """Fetch bars into the cache and print a quality report; return 0, 1 on a partial fetch,
    2 when the provider is not a remote one."""
    from core.bars import timeframe
    from integrations.marketdata.cache import CachedSource, PartialFetchError
    from integrations.marketdata.quality import check_bars
    from integrations.marketdata.registry import get_source

    source = get_source(args.provider)
    if not isinstance(source, CachedSource):
        print("error: choose a remote provider (schwab, alpaca, polygon) to fetch from")
        return 2
    end: dt.date = args.end or dt.date.today()
    start: dt.date = args.start or end - dt.timedelta(days=30)
    bar = timeframe(args.bar).name
    code = 0
    # Sources take moments; a day starts at 00:00 ET (naive datetimes are Eastern), and the
    # request runs to the start of the day after ``end``.
    first = dt.datetime.combine(start, dt.time())
    after = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    try:
        bars = source.fetch(args.symbol, bar, first, after)
    except PartialFetchError as exc:
        print(f"warning: {exc}")
        bars, code = exc.bars, 1
    print(
        f"{len(bars)} {bar} bars of {args.symbol.upper()} from {source.remote.name} "
        f"({start} to {end}), cached in {source.root}"
    )
    for line in check_bars(bars, bar).lines():
        print(f"  {line}")
    return code


def list_command(args: argparse.Namespace) -> int:
    """Print the symbols and bar sizes in the data directory and in the cache; return 0."""
    from integrations.marketdata.cache import cache_entries, default_cache_dir
    from integrations.marketdata.files import FileSource

    files = FileSource()
    print(f"data directory {files.directory}:")
    for sym in files.symbols():
        print(f"  {sym}: {', '.join(files.native_timeframes(sym))}")
    root = default_cache_dir()
    entries = cache_entries(root)
    print(f"cache {root}:{'' if entries else ' empty'}")
    for e in entries:
        print(f"  {e.provider} {e.symbol} {e.bar}: {e.bars} bars, {e.first} to {e.last}")
    return 0


def check_command(args: argparse.Namespace) -> int:
    """Print the quality report of a symbol's bars; return 0 when clean, 1 when not."""
    from core.bars import timeframe
    from core.sources import load_bars
    from integrations.marketdata.quality import check_bars
    from integrations.marketdata.registry import get_source

    source = get_source(args.provider)
    names = [args.bar] if args.bar else source.native_timeframes(args.symbol.upper())
    worst = 0
    for bar in names:
        name = timeframe(bar).name
        report = check_bars(load_bars(source, args.symbol, name), name)
        print(f"{args.symbol.upper()} {name} ({source.name}):")
        for line in report.lines():
            print(f"  {line}")
        worst = max(worst, 0 if report.ok else 1)
    return worst


def auth_command(args: argparse.Namespace) -> int:
    """Run Schwab's sign-in (authorization code) and store the tokens; return 0."""
    from integrations.marketdata.schwab import SchwabSource

    source = SchwabSource()
    print("1. Open this URL, sign in to Schwab and approve the app:")
    print(f"   {source.auth.authorize_url()}")
    print("2. Paste the full URL the browser was redirected to (it contains code=...):")
    redirect = args.redirect or input("> ").strip()
    source.auth.exchange_code(redirect)
    print(
        f"Signed in; tokens saved to {source.config.token_file} (mode 0600). They refresh "
        "automatically for 7 days."
    )
    return 0


def add_data_commands(sub: argparse._SubParsersAction) -> None:
    """Add ``whispr data fetch|list|check|auth`` to an argparse subparsers object."""
    data = sub.add_parser(
        "data",
        help="market data: fetch, list, check, auth",
        description="Market-data providers, the local cache and quality checks.",
    )
    cmds = data.add_subparsers(dest="data_command", metavar="ACTION")
    p = cmds.add_parser("fetch", help="fetch bars from a provider into the cache")
    p.add_argument("symbol")
    p.add_argument("--provider", required=True, choices=[x for x in PROVIDERS if x != "files"])
    p.add_argument("--bar", default="5m", help="1m 5m 15m 30m 1h 1d (provider permitting)")
    p.add_argument("--start", type=iso_date, help="first day, YYYY-MM-DD (default: end - 30 days)")
    p.add_argument("--end", type=iso_date, help="last day, YYYY-MM-DD (default: today)")
    p.set_defaults(handler=fetch_command)
    p = cmds.add_parser("list", help="symbols and bar sizes in the data directory and the cache")
    p.set_defaults(handler=list_command)
    p = cmds.add_parser("check", help="data-quality report (gaps, bad highs/lows, duplicates)")
    p.add_argument("symbol")
    p.add_argument("--provider", choices=PROVIDERS, help="default: WHISPR_DATA_PROVIDER or files")
    p.add_argument("--bar", help="one bar size (default: every native size)")
    p.set_defaults(handler=check_command)
    p = cmds.add_parser("auth", help="sign in to Schwab (OAuth) and store the tokens")
    p.add_argument("provider", choices=["schwab"])
    p.add_argument("--redirect", help="the redirect URL (skips the prompt)")
    p.set_defaults(handler=auth_command)
