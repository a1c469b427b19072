"""Level crossings against domain §10 ex. 6 and a naive pure-Python scan on real SPY 1m closes."""

from __future__ import annotations

import numpy as np
import pytest

from core.crossings import crossing_counts, find_crossings, first_touch
from core.errors import InvalidArgumentError
from core.levels import level_grid

GRID = level_grid(4500, 40)
KEYS = list(GRID)
LEVELS = np.array(list(GRID.values()))


def _events(prices):
    c = find_crossings(prices, LEVELS)
    return [(int(t), KEYS[k], int(d)) for t, k, d in zip(c.tick, c.level, c.direction, strict=True)]


def test_example_6_ticks():
    assert _events([4508, 4516, 4514, 4525]) == [
        (1, "+0.236", 1),
        (1, "+0.382", 1),
        (2, "+0.382", -1),
        (3, "+0.382", 1),
        (3, "+0.5", 1),
        (3, "+0.618", 1),
    ]


def test_landing_exactly_on_a_level_crosses_nothing_yet():
    assert _events([4508, 4515.28]) == [(1, "+0.236", 1)]
    assert _events([4508, 4515.28, 4516]) == [(1, "+0.236", 1), (2, "+0.382", 1)]


def test_gap_down_emits_levels_in_the_order_price_passes_them():
    assert _events([4500.5, 4474]) == [
        (1, "0", -1),
        (1, "-0.236", -1),
        (1, "-0.382", -1),
        (1, "-0.5", -1),
        (1, "-0.618", -1),
    ]


def _naive(prices, levels):
    out = []
    for i in range(1, len(prices)):
        p, q = prices[i - 1], prices[i]
        ups = [k for k, lv in enumerate(levels) if p <= lv < q]
        downs = [k for k, lv in enumerate(levels) if p >= lv > q]
        out += [(i, k, 1) for k in ups] + [(i, k, -1) for k in reversed(downs)]
    return out


def test_matches_naive_scan_on_real_spy_minutes(source):
    closes = source.bars("SPY", "1m")["close"].to_numpy()[:20_000]
    levels = np.array(list(level_grid(500.0, 6.0).values()))
    c = find_crossings(closes, levels)
    ours = list(zip(c.tick.tolist(), c.level.tolist(), c.direction.tolist(), strict=True))
    assert len(ours) > 200
    assert ours == _naive(closes.tolist(), levels.tolist())
    counts = crossing_counts(closes, levels)
    assert counts[:, 0].sum() == sum(1 for e in ours if e[2] == 1)
    assert counts[:, 1].sum() == sum(1 for e in ours if e[2] == -1)


def test_small_buffer_collects_every_chunk():
    rng = np.random.default_rng(7)
    prices = 4500 + np.cumsum(rng.normal(0, 3, 5000))
    full = find_crossings(prices, LEVELS)
    tiny = find_crossings(prices, LEVELS, buffer_size=4)
    assert len(full) > 50
    np.testing.assert_array_equal(full.tick, tiny.tick)
    np.testing.assert_array_equal(full.level, tiny.level)


def test_bad_inputs():
    with pytest.raises(InvalidArgumentError, match="strictly ascending"):
        find_crossings([1, 2], [2.0, 1.0])
    with pytest.raises(InvalidArgumentError, match="index 1"):
        find_crossings([1, np.nan], [2.0])


def test_first_touch_over_bars():
    high = np.array([4510, 4516, 4530.0])
    low = np.array([4505, 4500, 4470.0])
    assert first_touch(high, low, GRID["+0.382"], above=True) == 1
    assert first_touch(high, low, GRID["-0.618"], above=False) == 2
    assert first_touch(high, low, GRID["+1"], above=True) == -1
