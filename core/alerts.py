"""Incremental level-cross alerts over a multi-symbol tick stream.

State is kept per symbol — the sorted alert levels, the last price, the quiet band around it —
so each tick costs O(1) plus O(1) per firing, in one compiled pass over a batch of ticks from any
mix of symbols; nothing is recomputed from history. Crossing rule as everywhere in Whispr: up
through L when prev ≤ L < price, down when prev ≥ L > price. Each rule fires at most once per
session (``reset_session`` re-arms it). Ribbon, time and the delivery of firings are the
caller's concern; this module only decides *which rule fired on which tick*.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numba
import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, Field

from core.errors import InvalidArgumentError
from core.levels import parse_level_key


class AlertRule(BaseModel):
    """One alert: a symbol crossing one of its ATR levels in one direction."""

    rule_id: str
    owner: str
    destination: str = Field(
        description="Where to deliver: 'slack:#spx', 'discord:123', 'web:user'."
    )
    symbol: str
    level: str
    direction: Literal["up", "down"] = "up"


@dataclass(frozen=True)
class Firing:
    """A rule that fired: which rule, on which tick of the batch, at what price and level."""

    rule: int
    tick: int
    price: float
    level_price: float


@numba.njit(cache=True, nogil=True)
def _scan_batch(
    sym_idx: NDArray[np.int64],
    prices: NDArray[np.float64],
    offsets: NDArray[np.int64],
    level_px: NDArray[np.float64],
    level_dir: NDArray[np.int8],
    armed: NDArray[np.bool_],
    last: NDArray[np.float64],
    has_last: NDArray[np.bool_],
    out_rule: NDArray[np.int64],
    out_tick: NDArray[np.int64],
) -> int:  # pragma: no cover - jit
    """Return the number of firings written; levels of symbol s are level_px[offsets[s]:offsets[s+1]]
    sorted ascending; ``armed`` is cleared for a rule when it fires."""
    n = 0
    cap = out_rule.size
    for i in range(prices.size):
        s = sym_idx[i]
        q = prices[i]
        if not has_last[s]:
            has_last[s] = True
            last[s] = q
            continue
        p = last[s]
        last[s] = q
        if q == p:
            continue
        lo_i = offsets[s]
        hi_i = offsets[s + 1]
        if q > p:
            for k in range(lo_i, hi_i):
                lv = level_px[k]
                if lv >= q:
                    break
                if p <= lv and level_dir[k] == 1 and armed[k] and n < cap:
                    armed[k] = False
                    out_rule[n] = k
                    out_tick[n] = i
                    n += 1
        else:
            for k in range(hi_i - 1, lo_i - 1, -1):
                lv = level_px[k]
                if lv <= q:
                    break
                if p >= lv and level_dir[k] == -1 and armed[k] and n < cap:
                    armed[k] = False
                    out_rule[n] = k
                    out_tick[n] = i
                    n += 1
    return n


class AlertEngine:
    """Evaluates many alert rules over ticks of many symbols, incrementally."""

    def __init__(self, rules: list[AlertRule], symbols: list[str]) -> None:
        unknown = sorted({r.symbol for r in rules} - set(symbols))
        if unknown:
            raise InvalidArgumentError(f"alerts for symbols without data: {', '.join(unknown)}")
        self.symbols = list(symbols)
        self.sym_index = {s: i for i, s in enumerate(self.symbols)}
        self.rules = [r.model_copy(update={"level": parse_level_key(r.level)}) for r in rules]
        by_symbol = sorted(
            range(len(self.rules)), key=lambda k: self.sym_index[self.rules[k].symbol]
        )
        self._order = np.array(by_symbol, dtype=np.int64)
        counts = np.bincount(
            [self.sym_index[self.rules[k].symbol] for k in by_symbol], minlength=len(self.symbols)
        )
        self.offsets = np.r_[0, np.cumsum(counts)].astype(np.int64)
        self.level_px = np.full(len(self.rules), np.nan)
        self.level_dir = np.array(
            [1 if self.rules[k].direction == "up" else -1 for k in by_symbol], dtype=np.int8
        )
        self.armed = np.ones(len(self.rules), dtype=np.bool_)
        self.last = np.zeros(len(self.symbols))
        self.has_last = np.zeros(len(self.symbols), dtype=np.bool_)

    def reset_session(self, symbol: str, previous_close: float, atr: float) -> None:
        """Set a symbol's levels for a new session and re-arm its rules (their order by price
        is kept sorted so the scan can stop early)."""
        s = self.sym_index[symbol]
        lo, hi = self.offsets[s], self.offsets[s + 1]
        keys = [self.rules[k].level for k in self._order[lo:hi]]
        prices = np.array([previous_close + float(key) * atr for key in keys])
        order = np.argsort(prices, kind="stable")
        self._order[lo:hi] = self._order[lo:hi][order]
        self.level_px[lo:hi] = prices[order]
        self.level_dir[lo:hi] = [
            1 if self.rules[k].direction == "up" else -1 for k in self._order[lo:hi]
        ]
        self.armed[lo:hi] = True
        self.has_last[s] = False

    def carry_prices(self, other: AlertEngine) -> None:
        """Take over ``other``'s last price per symbol (both engines' shared symbols), so a
        crossing between the last tick seen by ``other`` and the next tick seen here still fires
        when the rules change mid-session. Call after ``reset_session``."""
        for symbol, s in self.sym_index.items():
            o = other.sym_index.get(symbol)
            if o is not None and other.has_last[o]:
                self.last[s] = other.last[o]
                self.has_last[s] = True

    def set_armed(self, rule: int, armed: bool) -> None:
        """Arm or disarm one rule (by its index in ``rules``): disarm what already fired this
        session after a restart, re-arm a crossing whose extra conditions did not hold."""
        position = int(np.flatnonzero(self._order == rule)[0])
        self.armed[position] = armed

    def process(self, symbols: np.ndarray, prices: np.ndarray) -> list[Firing]:
        """Return the firings of one batch of ticks (``symbols`` as indexes into ``self.symbols``)."""
        sym = np.ascontiguousarray(symbols, dtype=np.int64)
        px = np.ascontiguousarray(prices, dtype=np.float64)
        out_rule = np.empty(len(self.rules) + 1, dtype=np.int64)
        out_tick = np.empty(len(self.rules) + 1, dtype=np.int64)
        n = _scan_batch(
            sym,
            px,
            self.offsets,
            self.level_px,
            self.level_dir,
            self.armed,
            self.last,
            self.has_last,
            out_rule,
            out_tick,
        )
        return [
            Firing(
                int(self._order[out_rule[j]]),
                int(out_tick[j]),
                float(px[out_tick[j]]),
                float(self.level_px[out_rule[j]]),
            )
            for j in range(n)
        ]
