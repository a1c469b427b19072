"""Building the live engine: on the provider's stream (``whispr watch``, ``whispr serve``) or, with
no streaming provider, on the offline replay clock (what ``make run`` shows)."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from typing import Any

import pandas as pd

from core.bars import EASTERN
from core.errors import DataError
from core.sources import BarSource, load_bars
from integrations.alerts.briefings import BriefingRunner, SqliteBriefingStore
from integrations.alerts.engine import LiveEngine, LiveStatus, session_levels_for
from integrations.alerts.livebars import MinuteBars
from integrations.alerts.monitor import Monitor
from integrations.alerts.replayclock import ReplayClock
from integrations.alerts.strategywatch import WatchRunner
from integrations.alerts.watchstore import SqliteWatchStore


def session_today() -> dt.date:
    """Return today's date in New York (the session a live watch starts in)."""
    return pd.Timestamp.now(tz=EASTERN).date()


def day_levels(
    source: BarSource, symbols: Sequence[str], day: dt.date
) -> dict[str, tuple[float, float]]:
    """Return each symbol's Day-mode (previous close, ATR) in force on ``day``, computed from
    daily bars strictly before ``day`` (a partial bar of ``day`` itself is never used)."""
    out = {}
    for symbol in symbols:
        day_mode = session_levels_for(source, symbol, day)["day"]
        out[symbol] = (day_mode["previous_close"], day_mode["atr"])
    return out


def streaming(source: BarSource) -> Any:
    """Return the provider behind ``source`` that can stream, or raise saying how to get one."""
    remote = getattr(source, "remote", source)
    if not hasattr(remote, "stream"):
        raise DataError(
            "live alerts need a streaming provider: set WHISPR_DATA_PROVIDER to schwab, alpaca "
            "or polygon (with its keys); to try alerts offline use `whispr replay SYMBOL --date` "
            "or `whispr serve` (it replays the latest sessions)"
        )
    return remote


def check_symbols(source: BarSource, symbols: Sequence[str]) -> None:
    """Raise ``DataError`` naming the first symbol with no daily bars (no levels to watch)."""
    for symbol in symbols:
        if not len(load_bars(source, symbol, "1d")):
            raise DataError(f"no daily bars of {symbol}: its levels cannot be built")


def provider_engine(
    monitor: Monitor,
    source: BarSource,
    symbols: Sequence[str],
    *,
    status: LiveStatus | None = None,
    max_reconnects: int | None = None,
) -> LiveEngine:
    """Return a live engine on the provider's stream; completed one-minute bars are stored in
    the provider's Parquet cache when the source has one."""
    remote = streaming(source)
    check_symbols(source, symbols)
    record = getattr(source, "record_bars", None)
    recorder = MinuteBars(lambda sym, bars: record(sym, "1m", bars)) if record else None
    return LiveEngine(
        monitor,
        symbols,
        functools.partial(remote.stream, batches=True),  # whole frames: see marketdata.batches
        mode=remote.name,
        status=status,
        recorder=recorder,
        max_reconnects=max_reconnects,
    )


def replay_engine(
    monitor: Monitor,
    source: BarSource,
    symbols: Sequence[str],
    *,
    speed: float,
    sessions: int,
    status: LiveStatus | None = None,
) -> LiveEngine:
    """Return a live engine on the offline clock: the latest ``sessions`` sessions every
    symbol has intraday bars for, replayed at ``speed`` times real time, over and over."""
    clock = ReplayClock(source, symbols, sessions=sessions, speed=speed)
    engine = LiveEngine(monitor, clock.symbols, clock.stream, mode="replay", status=status)
    engine.status.replaying = [f"{day:%Y-%m-%d}" for day in clock.days]
    return engine


async def watch_live(
    monitor: Monitor,
    source: BarSource,
    symbols: Sequence[str],
    *,
    max_events: int | None = None,
    max_reconnects: int | None = None,
) -> list[str]:
    """Watch ``symbols`` on the provider's stream, session after session; return the messages
    delivered when it stops (after ``max_events`` events or ``max_reconnects`` reconnects)."""
    engine = provider_engine(monitor, source, symbols, max_reconnects=max_reconnects)
    engine.watches, engine.briefings = runners(source, engine.label)
    return await engine.run(max_events=max_events)


def runners(source: BarSource, label: str) -> tuple[WatchRunner, BriefingRunner]:
    """Return the strategy-watch and briefing runners on the stores under ``WHISPR_HOME`` (in
    ``WHISPR_DATABASE_URL`` when set)."""
    from integrations.chat.settings import load_settings

    settings = load_settings()
    watches = SqliteWatchStore(settings.store_location("watches.sqlite"))
    briefings = SqliteBriefingStore(settings.store_location("briefings.sqlite"))
    return (
        WatchRunner(watches, source, label=label),
        BriefingRunner(briefings, source, label=label),
    )
