"""The alert monitor: feeds bars of a session to the engine, checks extra conditions, records
each firing once, and delivers it with retries.

Replay turns each bar into four ticks: open, low, high, close for an up bar and open, high, low,
close for a down bar (bars do not show the true path; this order is an assumption, stated). Statistics quoted in messages use
only sessions before the replayed one (no look-ahead).

The monitor reports on itself through ``LiveStats`` (stream lag, delivery queue depth, failed
deliveries by channel): ``whispr serve`` hands it the web app's, which ``/metrics`` reads
(``integrations.web.metrics``). The live stream runs through ``integrations.alerts.engine``.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from core.alerts import AlertEngine, Firing
from core.bars import bar_index
from core.errors import DataError
from core.levels import session_levels
from core.ribbon import ribbon
from core.sources import BarSource, load_bars
from integrations.alerts.odds import SetupOdds
from integrations.alerts.store import SqliteAlertStore, StoredAlert
from tools.levels import LEVEL_NAMES

log = logging.getLogger(__name__)
Deliver = Callable[[str, str], None]
CHANNELS = ("slack", "discord", "web", "api", "terminal")
"""Channel names of ``LiveStats.failures``: a destination's prefix, or ``terminal`` for the rest
(as ``integrations.alerts.delivery.ChannelRouter`` routes them)."""


@dataclass
class LiveStats:
    """What a running monitor reports about itself: the monitor writes, ``/metrics`` reads.

    Safe to read from another thread (each field is replaced whole; ``failures`` under a lock).
    """

    stream_lag_seconds: float | None = None
    """Seconds from the last live event's own time stamp to its arrival here; None before the
    first stamped event."""
    queue_depth: int = 0
    """Firings recorded but not yet delivered, as of the last delivery step."""
    failures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHANNELS, 0))
    """Failed delivery attempts by channel since start (each retry counts)."""
    _lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def failed(self, destination: str) -> None:
        """Count one failed delivery attempt to ``destination`` (``slack:C01``, ``web:alice``)."""
        channel = destination.partition(":")[0]
        channel = channel if channel in CHANNELS else "terminal"
        with self._lock:
            self.failures[channel] = self.failures.get(channel, 0) + 1

    def failure_counts(self) -> dict[str, int]:
        """Return a copy of ``failures``."""
        with self._lock:
            return dict(self.failures)


def tick_path(bars: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Return (prices, bar index per tick): four ticks per bar, O-L-H-C up bars, O-H-L-C down."""
    o, h, lo, c = (bars[k].to_numpy() for k in ("open", "high", "low", "close"))
    up = c >= o
    path = np.column_stack([o, np.where(up, lo, h), np.where(up, h, lo), c]).ravel()
    return path, np.repeat(np.arange(len(bars)), 4)


class Monitor:
    """Replays sessions through the alert engine, words firings and delivers them; the live
    stream goes through ``integrations.alerts.engine.LiveEngine``, which uses this monitor for
    the wording, the ribbon condition and delivery."""

    def __init__(
        self,
        store: SqliteAlertStore,
        source: BarSource,
        deliver: Deliver,
        *,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 5,
        backoff: float = 1.0,
        stats: LiveStats | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = store
        self.source = source
        self.deliver = deliver
        self.sleep = sleep
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.stats = stats or LiveStats()
        """Lag, queue depth and failures, for ``/metrics``."""
        self.clock = clock
        """POSIX seconds now (stream lag is measured against it)."""
        self.odds = SetupOdds(source)
        """The odds sentences of firings, kept per setup and session (``warm`` them at the open)."""

    def _session_bars(self, symbol: str, day: dt.date) -> tuple[pd.DataFrame, np.ndarray]:
        """Return the session's bars (1-minute if available, else 5-minute) and the ribbon spine
        at each of them, computed on all bars up to the session so the EMAs are warm."""
        for bar in ("1m", "5m"):
            try:
                bars = load_bars(self.source, symbol, bar)
            except DataError:
                continue
            start = pd.Timestamp(day).tz_localize(bar_index(bars).tz)
            end = start + pd.Timedelta(days=1) - pd.Timedelta(1, "ns")
            upto = bars.loc[:end]
            part = upto.loc[start:]
            if len(part):
                spine = ribbon(upto["close"].to_numpy())["spine"].to_numpy()[-len(part) :]
                return part, spine
        raise DataError(f"no intraday bars of {symbol} on {day} to replay")

    def ribbon_at(self, symbol: str, stamp: Any) -> str | None:
        """Return the pivot-ribbon state on the last bar completed before ``stamp`` (1-minute
        bars if the source has them, else 5-minute), from the source's history; None if none."""
        moment = pd.Timestamp(stamp)
        for bar, minutes in (("1m", 1), ("5m", 5)):
            try:
                bars = load_bars(self.source, symbol, bar)
            except DataError:
                continue
            done = bars.loc[: moment - pd.Timedelta(minutes=minutes)]
            if len(done):
                return str(ribbon(done["close"].to_numpy())["spine"].to_numpy()[-1])
        return None

    def message(
        self,
        symbol: str,
        alert: StoredAlert,
        firing: Firing,
        moment: pd.Timestamp,
        day: dt.date,
        *,
        live: bool,
        label: str = "live",
    ) -> str:
        """Return the firing's message: what crossed, at what level, price and time (ET), and
        the historical odds of that setup at that hour."""
        rule = alert.rule
        name = LEVEL_NAMES.get(rule.level, rule.level)
        verb = "crossed above" if rule.direction == "up" else "lost"
        clock = f"{moment:%H:%M:%S}" if live else f"{moment:%H:%M}"
        return (
            f"{symbol} {verb} the {name} ({rule.level}) at {firing.level_price:.2f}: price "
            f"{firing.price:.2f} at {clock} ET on {day:%Y-%m-%d}{f' ({label})' if live else ''}."
            + self.odds.sentence(
                symbol, day, rule.level, rule.direction, moment.hour * 60 + moment.minute
            )
        )

    def replay(
        self, symbol: str, day: dt.date, *, speed: float = 0.0, until: str | None = None
    ) -> list[str]:
        """Replay one session (optionally only up to ``until`` "HH:MM"); return messages delivered.

        ``speed`` is a multiple of real time (60 = an hour a minute); 0 runs as fast as possible.
        """
        stored = [a for a in self.store.alerts(active_only=True) if a.rule.symbol == symbol]
        bars, spine = self._session_bars(symbol, day)
        if until:
            keep = bar_index(bars).strftime("%H:%M") < until
            bars, spine = bars[keep], spine[keep]
        levels = session_levels(load_bars(self.source, symbol, "1d"))
        days = bar_index(levels)
        at = int(days.searchsorted(pd.Timestamp(day).tz_localize(days.tz)))
        if at >= len(levels) or levels.index[at].date() != day:
            raise DataError(f"no daily levels for {symbol} on {day}")
        pc, atr = float(levels["previous_close"].iloc[at]), float(levels["atr"].iloc[at])
        engine = AlertEngine([a.rule for a in stored], [symbol])
        engine.reset_session(symbol, pc, atr)
        session = f"{day:%Y-%m-%d}"
        already = self.store.fired(session)
        for k, alert in enumerate(stored):
            if alert.rule.rule_id in already:
                engine.set_armed(k, False)  # restart: never fire twice in a session
        prices, _ = tick_path(bars)
        seconds = (bars.index[1] - bars.index[0]).total_seconds() if len(bars) > 1 else 60.0
        for b in range(len(bars)):
            ticks = slice(4 * b, 4 * b + 4)
            for firing in engine.process(np.zeros(4), prices[ticks]):
                alert = stored[firing.rule]
                stamp = bars.index[b]
                if (alert.ribbon and spine[b] != alert.ribbon) or not alert.in_window(
                    f"{stamp:%H:%M}"
                ):
                    engine.set_armed(firing.rule, True)  # not its ribbon or hours: stay armed
                    continue
                message = self.message(symbol, alert, firing, stamp, day, live=False)
                self.store.record(
                    alert.rule.rule_id,
                    session,
                    f"{stamp:%Y-%m-%dT%H:%M}",
                    firing.price,
                    firing.level_price,
                    message,
                )
            if speed > 0:
                self.sleep(seconds / speed)
        return self.flush()

    def flush(self, store: Any = None) -> list[str]:
        """Deliver every pending firing (of ``store`` when given: any store with ``pending`` and
        ``mark``, such as the strategy watches' signals; else the alerts'), retrying failures
        with exponential backoff; return the messages delivered. A firing that keeps failing
        stays pending with its last error."""
        store = self.store if store is None else store
        delivered = []
        pending = store.pending()
        self.stats.queue_depth = len(pending)
        for item in pending:
            for attempt in range(item.attempts, self.max_attempts):
                try:
                    self.deliver(item.destination, item.message)
                except Exception as exc:  # a channel down: record, wait, retry
                    self.stats.failed(item.destination)
                    log.warning(
                        "delivery to %s failed (%s); attempt %d",
                        item.destination,
                        exc.__class__.__name__,
                        attempt + 1,
                    )
                    store.mark(item.rule_id, item.session, f"{exc.__class__.__name__}: {exc}")
                    if attempt + 1 < self.max_attempts:
                        self.sleep(self.backoff * 2**attempt)
                    continue
                store.mark(item.rule_id, item.session, None)
                delivered.append(item.message)
                self.stats.queue_depth -= 1
                break
        return delivered
