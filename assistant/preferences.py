"""Defaults derived from what a user told Whispr about themselves."""

from __future__ import annotations

from dataclasses import dataclass

from assistant import slots


@dataclass(frozen=True)
class Preferences:
    """Defaults read from remembered facts; the newest fact wins."""

    default_symbol: str | None = None
    risk_pct: float | None = None
    account: float | None = None


def from_facts(facts: list[str], known_symbols: tuple[str, ...]) -> Preferences:
    """Return the defaults stated in ``facts`` ("I trade SPY", "risk 0.5% per trade", "50k account")."""
    symbol = risk = account = None
    for fact in facts:
        symbol = slots.find_symbol(fact, known_symbols) or symbol
        risk = slots.find_risk(fact) if slots.find_risk(fact) is not None else risk
        account = slots.find_account_size(fact) or account
    return Preferences(symbol, risk, account)
