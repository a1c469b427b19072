"""What one symbol's session has done so far, from the live ticks: open, high, low, last, the
range used against the ATR, where price sits among the Day levels, and each golden gate's state.

Golden gate (domain spec §4): the bull gate triggers when price reaches the +38.2 % level and
completes when it then reaches +61.8 % in the same session (the bear gate mirrors it). A
session whose first tick is already beyond ±61.8 % has no gate on that side ("opened beyond");
one that opens between ±38.2 % and ±61.8 % triggers at the open. Only regular-session ticks
(09:30-16:00 ET) are fed to it (the engine's choice), and only the ticks seen count: after
a restart mid-session ``since`` says from when (high and low may then miss earlier extremes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from core.levels import level_grid, nearest_levels

GATES = {"bull": ("+0.382", "+0.618"), "bear": ("-0.382", "-0.618")}


class TickTimes(Protocol):
    """Tick times read by position (a ``pd.DatetimeIndex``, or the engine's lazy ``Moments``)."""

    def __len__(self) -> int: ...

    def __getitem__(self, i: int, /) -> pd.Timestamp: ...


@dataclass
class Gate:
    """One side's golden gate today: trigger and completion times (``HH:MM`` ET) or None."""

    trigger: float
    target: float
    triggered: str | None = None
    completed: str | None = None
    opened_beyond: bool = False
    at_open: bool = False
    """Triggered by the session's first tick (it opened between the trigger and the target)."""

    def state(self) -> str:
        """Return the state in words: not triggered / triggered at … / completed at … / no gate."""
        if self.opened_beyond:
            return f"no gate: opened beyond the completion {self.target:.2f}"
        when = f"at the open ({self.triggered})" if self.at_open else f"at {self.triggered}"
        if self.completed:
            return f"completed at {self.completed} (triggered {when})"
        if self.triggered:
            return f"triggered {when}, target {self.target:.2f}"
        return f"not triggered (trigger {self.trigger:.2f})"


@dataclass
class DayState:
    """One symbol's session so far; ``update`` with each tick."""

    previous_close: float
    atr: float
    grid: dict[str, float] = field(init=False)
    gates: dict[str, Gate] = field(init=False)
    since: str | None = None
    open: float | None = None
    high: float | None = None
    low: float | None = None
    last: float | None = None

    def __post_init__(self) -> None:
        self.grid = level_grid(self.previous_close, self.atr)
        self.gates = {
            side: Gate(self.grid[trigger], self.grid[target])
            for side, (trigger, target) in GATES.items()
        }

    def update(self, moment: pd.Timestamp, price: float) -> None:
        """Take one tick (``moment`` in US/Eastern)."""
        clock = f"{moment:%H:%M}"
        first = self.last is None
        if first:
            self.since, self.open, self.high, self.low = clock, price, price, price
        self.high, self.low, self.last = (
            max(self.high or price, price),
            min(self.low or price, price),
            price,
        )
        for side, gate in self.gates.items():
            up = side == "bull"
            beyond_trigger = price >= gate.trigger if up else price <= gate.trigger
            beyond_target = price >= gate.target if up else price <= gate.target
            if first and beyond_target:
                gate.opened_beyond = True
            if gate.opened_beyond:
                continue
            if gate.triggered is None and beyond_trigger:
                gate.triggered, gate.at_open = clock, first
            if gate.triggered is not None and gate.completed is None and beyond_target:
                gate.completed = clock

    def update_many(self, moments: TickTimes, prices: np.ndarray) -> None:
        """Take a batch of ticks in time order (``moments`` in US/Eastern): the same result as
        ``update`` on each, with the gates' first crossings found by array search."""
        if not len(prices):
            return
        first = self.last is None
        if first:
            self.since, self.open = f"{moments[0]:%H:%M}", float(prices[0])
            self.high = self.low = float(prices[0])
        self.high = max(self.high or float(prices[0]), float(prices.max()))
        self.low = min(self.low or float(prices[0]), float(prices.min()))
        self.last = float(prices[-1])
        for side, gate in self.gates.items():
            up = side == "bull"
            trig = prices >= gate.trigger if up else prices <= gate.trigger
            targ = prices >= gate.target if up else prices <= gate.target
            if first and targ[0]:
                gate.opened_beyond = True
            if gate.opened_beyond:
                continue
            start = 0
            if gate.triggered is None:
                if not trig.any():
                    continue
                start = int(trig.argmax())
                gate.triggered, gate.at_open = f"{moments[start]:%H:%M}", first and start == 0
            if gate.completed is None and targ[start:].any():
                gate.completed = f"{moments[start + int(targ[start:].argmax())]:%H:%M}"

    def snapshot(self) -> dict[str, Any]:
        """Return a JSON-ready summary (prices rounded to the cent)."""
        if self.last is None:
            return {"previous_close": self.previous_close, "atr": self.atr}
        high, low = self.high or self.last, self.low or self.last
        above, below = nearest_levels(self.grid, self.last, count=1)
        return {
            "previous_close": self.previous_close,
            "atr": self.atr,
            "since": self.since,
            "open": round(self.open or self.last, 2),
            "high": round(high, 2),
            "low": round(low, 2),
            "last": round(self.last, 2),
            "change": round(self.last - self.previous_close, 2),
            "change_pct": round(100 * (self.last - self.previous_close) / self.previous_close, 2),
            "change_atr": round((self.last - self.previous_close) / self.atr, 3),
            "range_pct_of_atr": round(100 * (high - low) / self.atr, 1),
            "above": {"level": above[0][0], "price": round(above[0][1], 2)} if above else None,
            "below": {"level": below[0][0], "price": round(below[0][1], 2)} if below else None,
            "gates": {side: gate.state() for side, gate in self.gates.items()},
        }
