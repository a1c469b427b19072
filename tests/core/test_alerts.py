"""Incremental alerts: firings on a real replayed session equal a naive scan; once per session."""

from __future__ import annotations

import numpy as np
import pytest

from core.alerts import AlertEngine, AlertRule
from core.errors import InvalidArgumentError
from core.levels import level_grid, session_levels

RULES = [(key, d) for key in level_grid(0, 1) for d in ("up", "down")]  # all 37 levels, both ways


def _naive(prices, grid, rules):
    """First crossing of each rule's level in its direction, by a plain loop."""
    fired = {}
    for i in range(1, len(prices)):
        p, q = prices[i - 1], prices[i]
        for k, (key, direction) in enumerate(rules):
            lv = grid[key]
            hit = (p <= lv < q) if direction == "up" else (p >= lv > q)
            if hit and k not in fired:
                fired[k] = i
    return fired


def test_replayed_spy_session_matches_a_naive_scan(source):
    minutes = source.bars("SPY", "1m").loc["2024-03-15"]
    levels = session_levels(source.bars("SPY", "1d")).loc["2024-03-15"]
    pc, atr = float(levels["previous_close"]), float(levels["atr"])
    # ticks: each minute's open, high or low in path order, close (a coarse but real path)
    path = []
    for o, h, lo, c in minutes[["open", "high", "low", "close"]].to_numpy():
        path += [o, lo, h, c] if c >= o else [o, h, lo, c]
    prices = np.array(path)
    rules = [
        AlertRule(
            rule_id=f"r{k}", owner="u", destination="web:u", symbol="SPY", level=key, direction=d
        )
        for k, (key, d) in enumerate(RULES)
    ]
    engine = AlertEngine(rules, ["SPX", "SPY"])
    engine.reset_session("SPY", pc, atr)
    firings = []
    for start in range(0, len(prices), 97):  # arbitrary batch boundaries must not matter
        batch = prices[start : start + 97]
        firings += [(f.rule, f.tick + start) for f in engine.process(np.ones(batch.size), batch)]
    expected = _naive(prices, level_grid(pc, atr), RULES)
    assert dict(firings) == expected and len(expected) >= 4
    assert len(firings) == len(set(r for r, _ in firings))  # once per session
    engine.reset_session("SPY", pc, atr)  # a new session re-arms every rule
    assert {f.rule for f in engine.process(np.ones(prices.size), prices)} == set(expected)


def test_symbols_do_not_interfere_and_unknown_symbols_are_refused():
    rules = [
        AlertRule(rule_id="a", owner="u", destination="d", symbol="SPX", level="+0.236"),
        AlertRule(rule_id="b", owner="u", destination="d", symbol="SPY", level="+0.236"),
    ]
    engine = AlertEngine(rules, ["SPX", "SPY"])
    engine.reset_session("SPX", 4500, 40)
    engine.reset_session("SPY", 450, 4)
    sym = np.array([0, 1, 0, 1])
    px = np.array([4505.0, 450.5, 4510.0, 450.7])  # SPX crosses 4509.44; SPY stays under 450.944
    fired = engine.process(sym, px)
    assert [(f.rule, f.tick, f.level_price) for f in fired] == [(0, 2, pytest.approx(4509.44))]
    with pytest.raises(InvalidArgumentError, match="without data: QQQ"):
        AlertEngine(
            [AlertRule(rule_id="c", owner="u", destination="d", symbol="QQQ", level="+0.236")],
            ["SPX", "SPY"],
        )
