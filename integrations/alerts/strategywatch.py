"""Strategy watches live: a saved spec evaluated on each completed bar with the backtester itself.

How a watch decides, stated because a paper journal must match a backtest to the cent:

- **Same code.** At each completed bar of the spec's bar size, the watch runs ``core.backtest``
  over the bars from its *anchor* (``WARMUP_BARS`` bars before the watch started, so the EMAs and
  ATR are warm) up to the last **completed** bar, with daily bars strictly before the session.
  Because the backtester never looks ahead, the trades it reports up to a bar are the trades a
  backtest over any longer stretch reports up to that bar: replaying a session through a watch
  gives the backtester's trades for that session (tested).
- **Open trades.** A trade the backtest closes on the window's last bar only because the data
  ends there (``end_of_data``), or at the "session end" of a bar that is not really the session's
  last (its end is before the close, 16:00 ET or 13:00 on early-close days), is still open.
- **Only its own trades.** Trades entered before the watch started are warm-up, not the watch's.
  The sizing (fixed units or risk % of the backtest's equity from the anchor) is the spec's.
- **When it posts.** An entry is posted when its fill bar has completed (the fill is that bar's
  open, as in backtests); an exit when the bar it happens in has completed. A session's last
  bar completes at the first event at or after its end (in a replay: the next session's first
  tick). Each signal is recorded once (``SqliteWatchStore``) and delivered by the monitor's retry
  loop. A signal first seen more than ``STALE_AFTER`` of market time after its bar ended (a
  watch resumed after a pause, a process down for a while) is entered in the journal but not
  posted: a trader is not sent a morning's worth of old entries at once. The night between a
  session's close and the next session's open is not market time, so the session's last bars
  (a "flat by the close" exit), completed by the next session's first tick, are still posted.
  Nothing places real orders.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pandas as pd

from core.backtest import backtest
from core.bars import EASTERN, timeframe
from core.calendar import early_close, previous_session
from core.errors import WhisprError
from core.sources import BarSource, load_bars
from core.spec import StrategySpec
from integrations.alerts.watchstore import SqliteWatchStore, Watch

log = logging.getLogger(__name__)

WARMUP_BARS = 1500
"""Bars evaluated before a watch's start: EMAs up to 200 bars long are then settled to far
below a cent ((1 - 2/201) ** 1500 < 1e-6)."""

STALE_AFTER = pd.Timedelta(minutes=30)
"""A signal whose bar ended longer ago than this when first seen is journaled, not posted."""


def session_close(day: dt.date) -> pd.Timestamp:
    """Return the regular session's close on ``day`` (13:00 ET on early-close days, else 16:00)."""
    hour = 13 if early_close(day) else 16
    return pd.Timestamp(dt.datetime(day.year, day.month, day.day, hour)).tz_localize(EASTERN)


def _age(bar: pd.Timestamp, step: pd.Timedelta, now: pd.Timestamp) -> pd.Timedelta:
    """Return the market time from the end of the bar starting at ``bar`` to ``now``: from the
    previous session, only what is left of it after the bar plus the time since today's open."""
    ended, day, today = bar + step, bar.date(), now.date()
    if today == day:
        return now - ended
    if previous_session(today) != day:
        return pd.Timedelta.max  # sessions ago
    opened = pd.Timestamp(dt.datetime(today.year, today.month, today.day, 9, 30), tz=EASTERN)
    zero = pd.Timedelta(0)
    return max(session_close(day) - ended, zero) + max(now - opened, zero)


def _entry_level(spec: StrategySpec) -> str:
    """Return ' (crossed down through -0.236)'-style words for the spec's first level condition."""
    for cond in spec.entry:
        level = getattr(cond, "level", None)
        if level is None:
            continue
        way = getattr(cond, "direction", None)
        if way in ("up", "down"):
            return f" (crossed {way} through {level})"
        return f" (price vs {level})"
    return ""


def _stamp(value: Any) -> str:
    return pd.Timestamp(value).tz_convert(EASTERN).isoformat()


def trade_rows(
    spec: StrategySpec, trades: pd.DataFrame, last_bar: int, session_over: bool
) -> list[dict[str, Any]]:
    """Return the backtest's trades as dicts (ISO ET times, prices rounded to the cent, R to
    two decimals), with the exit fields set to None on a trade that is still open."""
    rows = []
    records: list[dict[Any, Any]] = trades.to_dict("records")
    for t in records:
        open_now = int(t["exit_bar"]) == last_bar and (
            t["reason"] == "end_of_data" or (t["reason"] == "session_end" and not session_over)
        )
        stop = float(t["stop"])
        r = float(t["r_multiple"])
        rows.append(
            {
                "entry_time": _stamp(t["entry_time"]),
                "side": spec.side,
                "qty": int(t["qty"]),
                "entry_price": round(float(t["entry_price"]), 2),
                "stop": None if math.isnan(stop) else round(stop, 2),
                "exit_time": None if open_now else _stamp(t["exit_time"]),
                "exit_price": None if open_now else round(float(t["exit_price"]), 2),
                "reason": None if open_now else str(t["reason"]),
                "pnl": None if open_now else round(float(t["pnl"]), 2),
                "r_multiple": None if open_now or math.isnan(r) else round(r, 2),
            }
        )
    return rows


class WatchRunner:
    """Evaluates the active watches as events arrive and records their signals."""

    def __init__(
        self,
        store: SqliteWatchStore,
        source: BarSource,
        *,
        label: str = "live",
        refresh_seconds: float = 1.0,
        wall: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.source = source
        self.label = label
        self.refresh_seconds = refresh_seconds
        self.wall = wall
        self.watches: list[Watch] = []
        self._due: dict[str, pd.Timestamp] = {}
        self._checked = -math.inf

    def refresh(self) -> None:
        """Re-read the active watches (added, paused or deleted ones take effect now)."""
        self._checked = self.wall()
        self.watches = self.store.watches(active_only=True)

    def on_event(self, symbol: str, now: pd.Timestamp) -> int:
        """Evaluate the watches on ``symbol`` whose next bar has completed by ``now`` (tz-aware);
        return how many new signals were recorded."""
        if self.wall() - self._checked >= self.refresh_seconds:
            self.refresh()
        recorded = 0
        for k, watch in enumerate(self.watches):
            if watch.symbol != symbol:
                continue
            due = self._due.get(watch.watch_id)
            if due is not None and now < due:
                continue
            try:
                watch, recorded_now, due = self.evaluate(watch, now)
            except WhisprError as exc:  # no bars yet, a spec the data cannot run: try later
                log.warning("watch %s: %s", watch.watch_id, exc)
                due = now + pd.Timedelta(minutes=timeframe(watch.spec.bar).minutes)
                recorded_now = 0
            self.watches[k] = watch
            self._due[watch.watch_id] = due
            recorded += recorded_now
        return recorded

    def evaluate(self, watch: Watch, now: pd.Timestamp) -> tuple[Watch, int, pd.Timestamp]:
        """Run ``watch``'s spec on the bars completed by ``now``; return the watch (with its
        start fixed on first sight), how many signals were recorded, and when to look again."""
        step = pd.Timedelta(minutes=timeframe(watch.spec.bar).minutes)
        bars = load_bars(self.source, watch.symbol, watch.spec.bar)
        done = bars.loc[: now - step]
        if not watch.start:
            anchor = done.index[max(0, len(done) - WARMUP_BARS)] if len(done) else now
            watch = replace(watch, anchor=_stamp(anchor), start=_stamp(now))
            self.store.start(watch.watch_id, watch.anchor, watch.start)
        window = done.loc[pd.Timestamp(watch.anchor) :]
        if len(window) < 2:
            return watch, 0, now + step
        day = window.index[-1].tz_convert(EASTERN).date()
        daily = load_bars(self.source, watch.symbol, "1d")
        daily = daily.loc[: pd.Timestamp(day).tz_localize(EASTERN) - pd.Timedelta(1, "ns")]
        trades = backtest(watch.spec, window, daily).trades
        mine = trades[trades["entry_time"] >= pd.Timestamp(watch.start)]
        over = window.index[-1] + step >= session_close(day)
        recorded = 0
        for row in trade_rows(watch.spec, mine, len(window) - 1, over):
            fresh = _age(pd.Timestamp(row["entry_time"]), step, now) <= STALE_AFTER
            message = self._entry_message(watch, row)
            recorded += self.store.record_entry(watch, row, message, post=fresh)
            if row["exit_time"] is not None:
                fresh = _age(pd.Timestamp(row["exit_time"]), step, now) <= STALE_AFTER
                message = self._exit_message(watch, row)
                recorded += self.store.record_exit(watch, row, message, post=fresh)
        following = window.index[-1] + 2 * step  # the end of the bar after the last completed
        return watch, recorded, following if following > now else now + step

    def _entry_message(self, watch: Watch, row: dict[str, Any]) -> str:
        at = pd.Timestamp(row["entry_time"])
        stop = f", stop {row['stop']:.2f}" if row["stop"] is not None else ""
        return (
            f"Paper entry · {watch.symbol} {watch.spec.name}: {row['side']} {row['qty']} at "
            f"{row['entry_price']:.2f}{_entry_level(watch.spec)}{stop} · "
            f"{at:%Y-%m-%d %H:%M} ET {self.label} · watch {watch.watch_id}"
        )

    def _exit_message(self, watch: Watch, row: dict[str, Any]) -> str:
        at = pd.Timestamp(row["exit_time"])
        r = f", {row['r_multiple']:+.2f} R" if row["r_multiple"] is not None else ""
        reason = str(row["reason"]).replace("_", " ")
        return (
            f"Paper exit · {watch.symbol} {watch.spec.name}: {reason} at "
            f"{row['exit_price']:.2f}{r}, P&L {row['pnl']:+,.2f} ({row['side']} {row['qty']} "
            f"from {row['entry_price']:.2f}) · {at:%Y-%m-%d %H:%M} ET {self.label} · "
            f"watch {watch.watch_id}"
        )
