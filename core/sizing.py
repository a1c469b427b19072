"""Position sizing from account risk (domain spec §7 backtest sizing, §8 risk rules, §10 ex. 10)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from core.errors import SpecError


@dataclass(frozen=True)
class Size:
    """A position size and the risk behind it. Money in account currency, unrounded."""

    units: int
    """Shares or contracts: floor(risk budget / (|entry - stop| x multiplier))."""
    risk_budget: float
    """account_size x risk_pct / 100: the most the trade may lose."""
    risk_per_unit: float
    dollar_risk: float
    """units x risk_per_unit: what hitting the stop actually loses (≤ the budget)."""
    direction: str
    """long if stop < entry, else short."""


def position_size(
    account_size: float, risk_pct: float, entry: float, stop: float, multiplier: float = 1.0
) -> Size:
    """Return the largest whole position whose loss at ``stop`` stays within the risk budget.

    Assumes the stop fills at its price (no slippage or gap) and ignores commissions; ``multiplier``
    is the contract size (1 for shares, 100 for an option priced per share, 50 for ES).
    """
    if not account_size > 0:
        raise SpecError(f"account size must be positive, got {account_size}")
    if not 0 < risk_pct <= 100:
        raise SpecError(f"risk % must be in (0, 100], got {risk_pct}")
    if not (entry > 0 and stop > 0):
        raise SpecError(f"entry and stop must be positive prices, got {entry} and {stop}")
    if entry == stop:
        raise SpecError("the stop equals the entry: the risk per unit would be zero")
    if not multiplier > 0:
        raise SpecError(f"multiplier must be positive, got {multiplier}")
    budget = account_size * risk_pct / 100.0
    per_unit = abs(entry - stop) * multiplier
    # the small epsilon keeps an exact fit (budget / per_unit = 222.0000000001 or 221.9999999) whole
    units = max(0, math.floor(budget / per_unit + 1e-9))
    return Size(units, budget, per_unit, units * per_unit, "long" if stop < entry else "short")


def r_multiple(entry: float, stop: float, target: float) -> float:
    """Return the reward-to-risk of ``target``: (target - entry) / (entry - stop), signed for side."""
    if entry == stop:
        raise SpecError("the stop equals the entry: R is undefined")
    return (target - entry) / (entry - stop)


def risk_budget_ranges(net_liq: float) -> dict[str, tuple[float, float]]:
    """Return the §8 risk ranges in money: per trade 1-2 %, daily stop 3-4 %, weekly 7-8 %."""
    if not net_liq > 0:
        raise SpecError(f"net liquidation value must be positive, got {net_liq}")
    pct = {"per_trade": (1, 2), "daily_stop": (3, 4), "weekly_stop": (7, 8)}
    return {k: (net_liq * lo / 100, net_liq * hi / 100) for k, (lo, hi) in pct.items()}
