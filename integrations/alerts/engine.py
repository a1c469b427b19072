"""The live engine: one supervised provider stream feeding the alert engine for weeks on end.

What it does with each event (a ``Quote`` or a ``StreamBar``, or anything with ``symbol``,
``last``/``close`` and ``time``/``start``):

- **Session roll.** The event's US/Eastern date is its session. When it changes, every symbol's
  levels (Day mode for alerts; multiday, swing, position and long-term for the status) are
  rebuilt from *completed* daily bars strictly before that date, and alerts are re-armed.
- **Alert changes** (added, paused, resumed, deleted, filters edited) are read from the store at
  most ``refresh_seconds`` apart (wall clock) while events arrive, so a change takes effect on
  the next tick after at most that long; the last price per symbol is kept across the rebuild,
  so a crossing between the old and the new rule set is not missed.
- **Exactly once.** A firing is recorded per (alert, session) before it is delivered; a rule
  already recorded for the session (by this process or one before a restart) is never armed.
  A crash between delivery and marking it delivered can repeat that one message (stated).
- **Reconnects.** When the stream ends or fails, it is reopened after an exponential backoff
  (``backoff`` doubling up to ``max_backoff`` seconds); the time between the last event before
  and the first event after is reported as a gap (status and log). Missed ticks are not
  back-filled: a crossing inside a gap is seen at the first tick after it, when the price is
  still beyond the level.
- **Status** (``LiveStatus``): mode, session, levels, last price and tick time per symbol, events,
  reconnects and gaps; ``/api/live`` returns it. Lag, queue depth and delivery failures go to
  the monitor's ``LiveStats`` for ``/metrics``.
- **Strategy watches** (``integrations.alerts.strategywatch``): each event lets the watches on
  its symbol evaluate the bars completed by its time; their entries and exits are recorded and
  delivered like firings.
- **Briefings** (``integrations.alerts.briefings``): each event posts the briefings due at its
  time (once per briefing and session).
- **Bars**: each tick goes to an optional recorder (``integrations.alerts.livebars``) that keeps
  completed one-minute bars, so a session watched live can be replayed later.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from core.alerts import AlertEngine
from core.bars import EASTERN, NS_PER_DAY, resample
from core.calendar import previous_session
from core.errors import DataError
from core.levels import MODES, compute_levels, current_period_start
from core.sources import BarSource, load_bars
from integrations.alerts.batchclock import EasternClock, Moments, day_of, eastern, minute_of_day
from integrations.alerts.briefings import BriefingRunner
from integrations.alerts.daystate import DayState
from integrations.alerts.monitor import Monitor
from integrations.alerts.store import StoredAlert
from integrations.alerts.strategywatch import WatchRunner
from integrations.marketdata.batches import TickBatch

log = logging.getLogger(__name__)

STATUS_MODES = ("day", "multiday", "swing", "position", "longterm")
"""Modes whose levels the engine rebuilds at each session open. Scalp (4-hour) levels roll
inside the session and are left to the tools."""

Connect = Callable[[list[str]], AsyncIterator[Any]]
"""Opens the stream for some symbols (a provider's ``stream``, or ``ReplayClock.stream``)."""


class BarRecorder(Protocol):
    """Where live ticks become stored bars (``integrations.alerts.livebars.MinuteBars``)."""

    def add(self, symbol: str, moment: pd.Timestamp, price: float) -> None: ...
    def add_many(self, symbol: str, times_ns: np.ndarray, prices: np.ndarray) -> None: ...
    def gap(self) -> None: ...
    def flush(self) -> None: ...


@dataclass
class Gap:
    """A stretch with no events because the stream was down: last event before, first after."""

    start: str
    end: str
    seconds: float


@dataclass
class LiveStatus:
    """What the live engine reports: written by the engine's thread, read by the API (each
    field is replaced whole; ``snapshot`` copies under a lock)."""

    mode: str = "off"
    """``off``, ``replay`` (the offline clock) or the provider's name."""
    state: str = "stopped"
    """``connecting``, ``streaming``, ``reconnecting``, ``finished`` or ``stopped``."""
    session: str | None = None
    symbols: list[str] = field(default_factory=list)
    levels: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    """symbol → mode → {"previous_close", "atr", and the levels ±0.236, ±0.382, ±0.618, ±1}
    in force this session (as the levels tools round them)."""
    last_price: dict[str, float] = field(default_factory=dict)
    last_tick: dict[str, str] = field(default_factory=dict)
    """symbol → time of its last event (ISO, US/Eastern)."""
    events: int = 0
    failed_events: int = 0
    """Events that raised while being processed (logged with their traceback, then skipped)."""
    reconnects: int = 0
    gaps: list[Gap] = field(default_factory=list)
    alerts_watched: int = 0
    today: dict[str, DayState] = field(default_factory=dict)
    """symbol → its session so far (open, high, low, golden gates, place among the levels)."""
    error: str | None = None
    """Why the stream last failed (exception class and message), if it did."""
    replaying: list[str] = field(default_factory=list)
    """The sessions the replay clock replays (replay mode only)."""
    notes: list[str] = field(default_factory=list)
    """Symbols left out of this session and why (no daily bars before it, for example)."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-ready copy."""
        with self._lock:
            return {
                "mode": self.mode,
                "state": self.state,
                "session": self.session,
                "symbols": list(self.symbols),
                "levels": {s: dict(m) for s, m in self.levels.items()},
                "last_price": dict(self.last_price),
                "last_tick": dict(self.last_tick),
                "events": self.events,
                "failed_events": self.failed_events,
                "reconnects": self.reconnects,
                "gaps": [vars(g).copy() for g in self.gaps[-20:]],
                "alerts_watched": self.alerts_watched,
                "today": {s: day.snapshot() for s, day in self.today.items()},
                "error": self.error,
                "replaying": list(self.replaying),
                "notes": list(self.notes),
            }


def session_levels_for(source: BarSource, symbol: str, day: dt.date) -> dict[str, dict[str, float]]:
    """Return mode → {previous_close, atr, the main levels} in force on ``day`` for each of
    ``STATUS_MODES``,
    from daily bars strictly before ``day`` (a partial bar of ``day`` itself is never used).
    Raises ``DataError`` when there is no daily bar before ``day``."""
    start = pd.Timestamp(day).tz_localize(EASTERN)
    daily = load_bars(source, symbol, "1d")
    done = daily.loc[: start - pd.Timedelta(1, "ns")]
    if not len(done):
        raise DataError(f"no daily bars of {symbol} before {day} to build its levels")
    before = previous_session(day)
    if done.index[-1].date() < before:
        raise DataError(
            f"the daily bars of {symbol} end on {done.index[-1]:%Y-%m-%d}, before the session "
            f"before {day} ({before}): its levels would be stale"
        )
    out = {}
    for name in STATUS_MODES:
        period = MODES[name].timeframe
        bars = done if period == "1d" else resample(done, period, "1d")
        try:
            levels = compute_levels(bars, current_period_start(start, name), name)
        except DataError:
            continue  # too little history for this mode's ATR
        keys = ("-1", "-0.618", "-0.382", "-0.236", "+0.236", "+0.382", "+0.618", "+1")
        out[name] = {
            "previous_close": levels.previous_close,
            "atr": levels.atr,
            **{key: levels.levels[key] for key in keys},
        }
    return out


class LiveEngine:
    """Runs alerts on a live (or replayed) stream across sessions, reconnecting as needed."""

    def __init__(
        self,
        monitor: Monitor,
        symbols: Sequence[str],
        connect: Connect,
        *,
        mode: str = "live",
        status: LiveStatus | None = None,
        recorder: BarRecorder | None = None,
        watches: WatchRunner | None = None,
        briefings: BriefingRunner | None = None,
        refresh_seconds: float = 1.0,
        backoff: float = 1.0,
        max_backoff: float = 60.0,
        max_reconnects: int | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self.monitor = monitor
        self.store = monitor.store
        self.connect = connect
        self.status = status or LiveStatus()
        self.status.mode = mode
        self.label = "replay" if mode == "replay" else "live"
        """Said after the time in each message: a replayed session is never taken for today."""
        self.status.symbols = [s.upper() for s in symbols]
        self.recorder = recorder
        self.watches = watches
        """Strategy watches evaluated on each completed bar (None: alerts only)."""
        if watches is not None:
            watches.label = self.label
        self.briefings = briefings
        """Scheduled briefings posted at their time each session (None: none)."""
        if briefings is not None:
            briefings.label = self.label
        self.refresh_seconds = refresh_seconds
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_reconnects = max_reconnects
        """Stop instead of reconnecting after this many reconnects (None: never stop)."""
        self.sleep = sleep
        self.wall = wall
        self.day: dt.date | None = None
        self.levels: dict[str, tuple[float, float]] = {}
        self.alerts: list[StoredAlert] = []
        self.engine = AlertEngine([], [])
        self._checked = 0.0
        self._gap_from: pd.Timestamp | None = None
        self._last: pd.Timestamp | None = None
        self._clock = EasternClock()

    # -- per session and per alert change --------------------------------------------------

    def roll(self, day: dt.date) -> None:
        """Start session ``day``: rebuild every symbol's levels and the armed alerts."""
        if self.recorder is not None:
            self.recorder.flush()
        levels: dict[str, tuple[float, float]] = {}
        by_mode: dict[str, dict[str, dict[str, float]]] = {}
        notes = []
        for symbol in self.status.symbols:
            try:
                modes = session_levels_for(self.monitor.source, symbol, day)
            except DataError as exc:
                notes.append(f"{symbol}: {exc}")
                log.warning("live: %s left out of %s: %s", symbol, day, exc)
                continue
            by_mode[symbol] = modes
            if "day" in modes:
                levels[symbol] = (modes["day"]["previous_close"], modes["day"]["atr"])
        self.day, self.levels = day, levels
        with self.status._lock:
            self.status.session = f"{day:%Y-%m-%d}"
            self.status.levels = by_mode
            self.status.notes = notes
            self.status.today = {s: DayState(pc, atr) for s, (pc, atr) in levels.items()}
        log.info("live: session %s, levels for %s", day, ", ".join(sorted(levels)) or "none")
        self.rebuild(carry=False)

    def rebuild(self, *, carry: bool = True) -> None:
        """Re-read the active alerts and rebuild the engine; ``carry`` keeps the last prices.
        A rule already recorded as fired this session stays disarmed."""
        alerts = [a for a in self.store.alerts(active_only=True) if a.rule.symbol in self.levels]
        engine = AlertEngine([a.rule for a in alerts], sorted(self.levels))
        for symbol, (pc, atr) in self.levels.items():
            engine.reset_session(symbol, pc, atr)
        if carry:
            engine.carry_prices(self.engine)
        fired = self.store.fired(f"{self.day:%Y-%m-%d}")
        for k, alert in enumerate(alerts):
            if alert.rule.rule_id in fired:
                engine.set_armed(k, False)
            elif self.day is not None:  # the odds its firing will quote, worked out now
                rule = alert.rule
                self.monitor.odds.warm(rule.symbol, self.day, rule.level, rule.direction)
        self.engine, self.alerts = engine, alerts
        self.status.alerts_watched = len(alerts)
        self._checked = self.wall()

    def _refresh(self) -> None:
        """Rebuild when the stored alerts changed since the last look; store completed bars."""
        self._checked = self.wall()
        if self.recorder is not None:
            self.recorder.flush()
        current = [a for a in self.store.alerts(active_only=True) if a.rule.symbol in self.levels]
        if current != self.alerts:
            self.rebuild(carry=True)

    # -- per event ------------------------------------------------------------------------

    def handle(self, event: Any) -> list[str]:
        """Process one stream event; return the messages delivered because of it."""
        price = getattr(event, "last", None)
        if price is None:
            price = getattr(event, "close", None)
        symbol = str(getattr(event, "symbol", "")).upper().lstrip("$")
        stamp = getattr(event, "time", None)
        if stamp is None:
            stamp = getattr(event, "start", None)
        self.status.events += 1
        if stamp is None or price is None or symbol not in self.status.symbols:
            return []
        local = eastern(stamp)
        if self.status.mode != "replay":  # a replay's clock is not the wall clock
            self.monitor.stats.stream_lag_seconds = max(
                0.0, self.monitor.clock() - local.timestamp()
            )
        self._last = local
        if self._gap_from is not None:
            self._report_gap(self._gap_from, local)
        day = local.date()
        if day != self.day:
            self.roll(day)
        elif self.wall() - self._checked >= self.refresh_seconds:
            self._refresh()
        price = float(price)
        with self.status._lock:
            self.status.last_price[symbol] = price
            self.status.last_tick[symbol] = local.isoformat()
            if symbol in self.status.today and "09:30" <= f"{local:%H:%M}" < "16:00":
                self.status.today[symbol].update(local, price)  # the regular session only
        if self.recorder is not None:
            self.recorder.add(symbol, local, price)
        delivered: list[str] = []
        if self.watches is not None and self.watches.on_event(symbol, local):
            delivered += self.monitor.flush(self.watches.store)
        if self.briefings is not None and self.briefings.on_event(local):
            delivered += self.monitor.flush(self.briefings.store)
        if symbol not in self.engine.sym_index:
            return delivered
        firings = self.engine.process(np.array([self.engine.sym_index[symbol]]), np.array([price]))
        for firing in firings:
            if self._fire(symbol, firing, local, day):
                delivered += self.monitor.flush()
        return delivered

    def handle_batch(self, batch: TickBatch) -> list[str]:
        """Process a frame's ticks (in time order) at once; return the messages delivered.

        The same rolls, status, day state, bars and firings as ``handle`` on each tick, with
        three differences, stated: the alert store is re-read at most once per session segment
        of the batch; watches and briefings look once per batch, at its last tick; and a
        crossing outside an alert's hours or ribbon re-arms it for the next batch (per tick, at
        once). A batch is one provider frame: milliseconds to a second of market time."""
        n = len(batch)
        self.status.events += n
        if not n:
            return []
        local = self._clock.local(batch.times_ns)
        days = local // NS_PER_DAY
        cuts = np.flatnonzero(days[1:] != days[:-1]) + 1
        delivered: list[str] = []
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, n], strict=True):
            delivered += self._segment(batch, local, int(a), int(b))
        return delivered

    def _segment(self, batch: TickBatch, local: np.ndarray, a: int, b: int) -> list[str]:
        """Process ticks ``a:b`` of a batch, all of one session (``local``: wall-clock ns)."""
        px, ns = batch.prices[a:b], batch.times_ns[a:b]
        when = Moments(ns)
        if self.status.mode != "replay":
            self.monitor.stats.stream_lag_seconds = max(0.0, self.monitor.clock() - ns[-1] / 1e9)
        if self._gap_from is not None:
            self._report_gap(self._gap_from, when[0])
        self._last = last_moment = when[-1]
        day = day_of(int(local[a]))
        if day != self.day:
            self.roll(day)
        elif self.wall() - self._checked >= self.refresh_seconds:
            self._refresh()
        inv, uniq = pd.factorize(batch.symbols[a:b])  # hashing, not sorting: O(n)
        minute = minute_of_day(local[a:b])
        rth = (minute >= 570) & (minute < 960)
        engine_idx = np.full(len(uniq), -1, dtype=np.int64)
        delivered: list[str] = []
        names = [str(u).upper().lstrip("$") for u in uniq]
        for k, name in enumerate(names):
            if name not in self.status.symbols:
                continue
            sel = inv == k
            last = int(np.flatnonzero(sel)[-1])
            moment = when[last]
            with self.status._lock:
                self.status.last_price[name] = float(px[last])
                self.status.last_tick[name] = moment.isoformat()
                if name in self.status.today:
                    self.status.today[name].update_many(Moments(ns[sel & rth]), px[sel & rth])
            if self.recorder is not None:
                self.recorder.add_many(name, ns[sel], px[sel])
            if self.watches is not None and self.watches.on_event(name, moment):
                delivered += self.monitor.flush(self.watches.store)
            engine_idx[k] = self.engine.sym_index.get(name, -1)
        if self.briefings is not None and self.briefings.on_event(last_moment):
            delivered += self.monitor.flush(self.briefings.store)
        idx = engine_idx[inv]
        ticks = np.flatnonzero(idx >= 0)
        if not len(ticks):
            return delivered
        recorded = False
        for firing in self.engine.process(idx[ticks], px[ticks]):
            t = int(ticks[firing.tick])
            recorded |= self._fire(names[inv[t]], firing, when[t], day)
        return delivered + (self.monitor.flush() if recorded else [])

    def _fire(self, symbol: str, firing: Any, moment: pd.Timestamp, day: dt.date) -> bool:
        """Record a crossing as a firing when its alert's hours and ribbon allow it (else the
        rule stays armed); return whether a new firing was recorded."""
        alert = self.alerts[firing.rule]
        if not alert.in_window(f"{moment:%H:%M}") or (
            alert.ribbon and self.monitor.ribbon_at(symbol, moment) != alert.ribbon
        ):
            self.engine.set_armed(firing.rule, True)  # not its hours or ribbon: stay armed
            return False
        message = self.monitor.message(
            symbol, alert, firing, moment, day, live=True, label=self.label
        )
        return self.store.record(
            alert.rule.rule_id,
            f"{day:%Y-%m-%d}",
            f"{moment:%Y-%m-%dT%H:%M:%S}",
            firing.price,
            firing.level_price,
            message,
        )

    def _report_gap(self, before: pd.Timestamp, after: pd.Timestamp) -> None:
        self._gap_from = None
        gap = Gap(before.isoformat(), after.isoformat(), (after - before).total_seconds())
        with self.status._lock:
            self.status.gaps = [*self.status.gaps[-19:], gap]
        log.warning("live: no data from %s to %s (%.0f s)", gap.start, gap.end, gap.seconds)

    # -- the supervised stream ----------------------------------------------------------------

    async def run(self, *, max_events: int | None = None) -> list[str]:
        """Stream until cancelled, reopening the stream after each failure or end; stop after
        ``max_events`` events or when a reconnect would exceed ``max_reconnects``. Returns the
        messages delivered."""
        delivered: list[str] = []
        delay = self.backoff
        seen = 0
        while True:
            self.status.state = "connecting"
            try:
                async for event in self.connect(list(self.status.symbols)):
                    self.status.state = "streaming"
                    delay = self.backoff
                    try:
                        if isinstance(event, TickBatch):
                            delivered += self.handle_batch(event)
                        else:
                            delivered += self.handle(event)
                    except Exception:  # a bad event or a bug: skip the event, keep streaming
                        self.status.failed_events += 1
                        log.exception("live: could not process %r", event)
                    seen += 1
                    if max_events is not None and seen >= max_events:
                        self.status.state = "stopped"
                        return delivered
                reason = "the stream ended"
            except asyncio.CancelledError:
                self.status.state = "stopped"
                raise
            except Exception as exc:  # a provider drop: log it, back off, reconnect
                reason = f"{exc.__class__.__name__}: {exc}"
            self.status.error = reason
            if self.max_reconnects is not None and self.status.reconnects >= self.max_reconnects:
                self.status.state = "finished"
                if self.recorder is not None:
                    self.recorder.flush()
                return delivered
            self.status.reconnects += 1
            self.status.state = "reconnecting"
            self._gap_from = self._last
            if self.recorder is not None:
                self.recorder.gap()
            log.warning("live: %s; reconnecting in %.1f s", reason, delay)
            await self.sleep(delay)
            delay = min(delay * 2, self.max_backoff)
