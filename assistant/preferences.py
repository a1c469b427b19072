"""Defaults derived from what a user told Whispr about themselves."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.understand.money import read_account, read_risk
from assistant.understand.symbols import read_symbols
from assistant.understand.vocab import normalize


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
        t = normalize(fact)
        named = [s for s in read_symbols(fact, t, known_symbols) if s in known_symbols]
        symbol = named[0] if named else symbol
        pct = read_risk(t)[0]
        risk = pct if pct is not None else risk
        account = read_account(t)[0] or account
    return Preferences(symbol, risk, account)
