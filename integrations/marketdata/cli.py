"""``whispr data``: fetch bars from a provider into the cache, list what is available, check quality,
and sign in to Schwab."""

from __future__ import annotations

import argparse
import datetime as dt

from core.bars import timeframe
from integrations.argtypes import iso_date
from core.sources import load_bars
from integrations.marketdata.cache import CachedSource, default_cache_dir
from integrations.marketdata.files import FileSource
from integrations.marketdata.quality import check_bars
from integrations.marketdata.registry import PROVIDERS, get_source
from integrations.marketdata.schwab import SchwabSource


def _fetch(args: argparse.Namespace) -> int:
    source = get_source(args.provider)
    if not isinstance(source, CachedSource):
        print("error: choose a remote provider (schwab, alpaca, polygon) to fetch from")
        return 2
    end = args.end or dt.date.today()
    start = args.start or end - dt.timedelta(days=30)
    bars = source.fetch(args.symbol, args.bar, start, end + dt.timedelta(days=1))
    print(
        f"{len(bars)} {args.bar} bars of {args.symbol.upper()} from {source.remote.name}, cached "
        f"in {source.root}"
    )
    for line in check_bars(bars, args.bar).lines():
        print(f"  {line}")
    return 0


def _list(args: argparse.Namespace) -> int:
    files = FileSource()
    print(f"data directory {files.directory}:")
    for sym in files.symbols():
        print(f"  {sym}: {', '.join(files.native_timeframes(sym))}")
    root = default_cache_dir()
    cached = sorted(root.glob("*/*.parquet")) if root.exists() else []
    print(f"cache {root}: {'empty' if not cached else ''}")
    for path in cached:
        print(f"  {path.parent.name}: {path.stem}")
    return 0


def _check(args: argparse.Namespace) -> int:
    source = get_source(args.provider)
    bars_names = [args.bar] if args.bar else source.native_timeframes(args.symbol.upper())
    worst = 0
    for bar in bars_names:
        frame = load_bars(source, args.symbol, timeframe(bar).name)
        report = check_bars(frame, timeframe(bar).name)
        print(f"{args.symbol.upper()} {bar}:")
        for line in report.lines():
            print(f"  {line}")
        worst = max(worst, 0 if report.ok else 1)
    return worst


def _auth(args: argparse.Namespace) -> int:
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
    """Add ``whispr data fetch|list|check|auth`` to the command line."""
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
    p.add_argument("--start", type=iso_date)
    p.add_argument("--end", type=iso_date)
    p.set_defaults(handler=_fetch)
    p = cmds.add_parser("list", help="symbols and bar sizes in the data directory and the cache")
    p.set_defaults(handler=_list)
    p = cmds.add_parser("check", help="data-quality report (gaps, bad highs/lows, duplicates)")
    p.add_argument("symbol")
    p.add_argument("--provider", choices=PROVIDERS, help="default: WHISPR_DATA_PROVIDER or files")
    p.add_argument("--bar", help="one bar size (default: every native size)")
    p.set_defaults(handler=_check)
    p = cmds.add_parser("auth", help="sign in to Schwab (OAuth) and store the tokens")
    p.add_argument("provider", choices=["schwab"])
    p.add_argument("--redirect", help="the redirect URL (skips the prompt)")
    p.set_defaults(handler=_auth)
