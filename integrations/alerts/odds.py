"""The historical odds quoted in a firing's message, worked out once per setup and session.

A firing says how often its setup played out before: for a golden-gate trigger, how often gates
triggered in that hour completed; for any other level, how often price went on to the next
level of the grid the same session. Both read only sessions before the firing's session (no
look-ahead), so they are fixed for the whole session: ``SetupOdds`` keeps each sentence per
(symbol, session, level, direction, hour bucket), and ``warm`` works them out at the session
open, so a firing in a busy feed costs a lookup instead of a scan of the history (~10 ms).

Assumption, stated: the bars before a session do not change during it (a provider's backfill of
older bars shows in the next session's odds, not in the current one's).
"""

from __future__ import annotations

import datetime as dt
import threading

import pandas as pd

from core.bars import bar_index
from core.errors import DataError
from core.goldengate import gate_sessions, gate_stats, level_to_level
from core.levels import grid_fractions, level_key, session_levels
from core.sources import BarSource, load_bars

MAX_KEPT = 4096
"""Sentences kept; more (many sessions replayed) drops them all and starts again."""


def gate_setup(key: str, direction: str) -> str | None:
    """Return ``bull``/``bear`` when crossing ``key`` in ``direction`` triggers a golden gate,
    else None."""
    if key == "+0.382" and direction == "up":
        return "bull"
    if key == "-0.382" and direction == "down":
        return "bear"
    return None


def bucket_of(minute: int) -> str:
    """Return the hour bucket of a minute of the day (ET): ``09`` before 10:00, else the hour."""
    return "09" if minute < 600 else f"{minute // 60:02d}"


class SetupOdds:
    """The odds sentences of one bar source, kept per setup and session (thread-safe)."""

    def __init__(self, source: BarSource) -> None:
        self.source = source
        self._kept: dict[tuple[str, dt.date, str, str, str], str] = {}
        self._gates: dict[tuple[str, dt.date, str], pd.DataFrame] = {}
        self._lock = threading.Lock()

    def sentence(self, symbol: str, day: dt.date, key: str, direction: str, minute: int) -> str:
        """Return the odds sentence for crossing ``key`` in ``direction`` at ``minute`` of
        ``day`` (ET), from sessions before ``day`` only; "" when there is no history."""
        bucket = bucket_of(minute) if gate_setup(key, direction) else ""
        kept_key = (symbol, day, key, direction, bucket)
        with self._lock:
            if kept_key in self._kept:
                return self._kept[kept_key]
        text = self._work_out(symbol, day, key, direction, bucket)
        with self._lock:
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
                self._gates.clear()
            self._kept[kept_key] = text
        return text

    def warm(self, symbol: str, day: dt.date, key: str, direction: str) -> None:
        """Work out every sentence a crossing of ``key`` in ``direction`` on ``day`` can quote
        (each hour bucket for a golden gate), so the firing itself only looks it up."""
        hours = range(9, 16) if gate_setup(key, direction) else range(10, 11)  # 09 holds the open
        for hour in hours:
            self.sentence(symbol, day, key, direction, hour * 60)

    def _history(self, symbol: str, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        try:
            history = load_bars(self.source, symbol, "5m")
        except DataError:
            return None
        history = history.loc[
            : pd.Timestamp(day).tz_localize(bar_index(history).tz) - pd.Timedelta(1, "ns")
        ]
        if not len(history):
            return None
        return history, session_levels(load_bars(self.source, symbol, "1d"))

    def _work_out(self, symbol: str, day: dt.date, key: str, direction: str, bucket: str) -> str:
        side = gate_setup(key, direction)
        if side is not None:
            detail = self._gate_detail(symbol, day, side)
            if detail is None:
                return ""
            stats = gate_stats(detail, side, [bucket])
            row = stats.rows[0]
            if not row.triggers:
                return ""
            return (
                f" Historically {side} golden gates triggered in the {bucket} bucket completed "
                f"{row.completions} of {row.triggers} times ({row.rate:.1f}%), "
                f"{stats.first_date} to {stats.last_date}."
            )
        keys = [level_key(f) for f in grid_fractions()]
        here = keys.index(key)
        step = 1 if direction == "up" else -1
        if not 0 <= here + step < len(keys):
            return ""
        found = self._history(symbol, day)
        if found is None:
            return ""
        target = keys[here + step]
        odds = level_to_level(*found, key, target)
        if not odds.touched:
            return ""
        return (
            f" After touching {key}, price reached {target} the same session in "
            f"{odds.reached} of {odds.touched} sessions ({odds.rate:.1f}%), "
            f"{odds.first_date} to {odds.last_date}."
        )

    def _gate_detail(self, symbol: str, day: dt.date, side: str) -> pd.DataFrame | None:
        with self._lock:
            if (symbol, day, side) in self._gates:
                return self._gates[(symbol, day, side)]
        found = self._history(symbol, day)
        detail = None if found is None else gate_sessions(*found, side)
        if detail is not None:
            with self._lock:
                self._gates[(symbol, day, side)] = detail
        return detail
