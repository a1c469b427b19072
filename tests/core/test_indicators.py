"""Pivot ribbon and phase oscillator: domain §10 ex. 8 and 9, TA-Lib on real data, no look-ahead."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from core.phase import (
    compressed,
    compression,
    dots,
    ema_step,
    in_expansion_zone,
    phase_oscillator,
    raw_oscillator,
    zone,
)
from core.ribbon import (
    arrow_guidance,
    candle_colors,
    new_state_arrows,
    ribbon,
    trend_label,
    vomy_signals,
)

TOL = 1e-9


def test_example_8_po_value_and_zone():
    raw = raw_oscillator(4520, 4505, 16.4)
    assert raw == pytest.approx(30.487804878048780, abs=TOL)
    po = ema_step(20.0, float(raw), 3)
    assert po == pytest.approx(25.243902439, abs=1e-9)
    assert zone(po) == "mark_up"


def test_example_8_compression_cases():
    comp = compression(4520, 4505, 7.5, 16.4)
    exp = in_expansion_zone(4520, 4505, 7.5, 16.4)
    assert comp == pytest.approx(-17.8, abs=TOL) and exp == pytest.approx(-15.4056, abs=TOL)
    assert compressed(comp, np.float64(-20.0), exp)
    comp2, exp2 = compression(4520, 4505, 9, 8), in_expansion_zone(4520, 4505, 9, 8)
    assert comp2 == pytest.approx(2.0) and exp2 == pytest.approx(3.168)
    assert not compressed(comp2, np.float64(1.0), exp2)  # previous 1 → 2: rising, not compressed
    comp3, exp3 = compression(4520, 4505, 7.5, 8), in_expansion_zone(4520, 4505, 7.5, 8)
    assert comp3 == pytest.approx(-1.0) and exp3 == pytest.approx(0.168)
    assert compressed(comp3, np.float64(-0.5), exp3)  # previous > -1.0: not expanding
    assert not compressed(comp3, np.float64(-1.5), exp3)  # expanding with zone > 0


@pytest.mark.parametrize(
    ("prev", "cur", "fired"),
    [
        (-65, -60, {"leaving_accumulation"}),
        (-105, -95, {"leaving_extreme_down"}),
        (-50, -45, set()),
        (80, 70, set()),
        (80, 60, {"leaving_distribution"}),
        (105, 50, {"leaving_extreme_up", "leaving_distribution"}),
    ],
)
def test_example_8_dots(prev, cur, fired):
    row = dots([prev, cur]).iloc[1]
    assert {k for k, v in row.items() if v} == fired


def test_zone_boundaries():
    values = [100, 99.9, 61.8, 61.7, 23.6, -23.6, -23.7, -61.8, -61.9, -100, -100.1]
    assert list(zone(values)) == [
        "extended_up",
        "distribution",
        "distribution",
        "mark_up",
        "launch_box",
        "launch_box",
        "mark_down",
        "accumulation",
        "accumulation",
        "extended_down",
        "extended_down",
    ]


def test_example_9_conviction_arrows_and_trend():
    diff = np.array([-0.5, 0.2, 0.1, 0.0, -0.1])
    arrows = new_state_arrows(diff >= 0, np.ones(5, bool))
    assert list(arrows) == [0, 1, 0, 0, -1]  # bullish arrow on bar 2, bearish on bar 5
    assert trend_label(100, 99, 98, 97) == "bullish"
    assert trend_label(100, 100, 100, 100) == "bullish"
    assert trend_label(96, 97, 98, 99) == "bearish"
    assert trend_label(100, 98, 99, 97) == "neutral"


def test_candle_colors_and_guidance():
    assert list(candle_colors([1, 1, 3, 3, 2], [2, 2, 2, 2, 2], [1.5, 2.5, 1.5, 2.5, 2])) == [
        "green",
        "light_orange",
        "cyan",
        "red",
        "gray",
    ]
    assert arrow_guidance(True, 10, 8, 9.5) == "wait for pullback to the 21"
    assert arrow_guidance(True, 10, 9, 9.0) == "watch continuation"
    assert arrow_guidance(False, 8, 10, 8.5) == "wait for bounce to the 21"


@pytest.fixture(scope="module")
def spx(source):
    return source.bars("SPX", "1d").iloc[-3000:]


def test_ribbon_and_po_match_talib_on_real_spx(spx):
    c, h, lo = (spx[k].to_numpy() for k in ("close", "high", "low"))
    rib = ribbon(c)
    for n in (8, 13, 21, 48, 200):
        ref = talib.EMA(c, n)
        np.testing.assert_allclose(rib[f"ema{n}"].to_numpy()[300:], ref[300:], atol=TOL, rtol=0)
    po = phase_oscillator(h, lo, c)
    np.testing.assert_allclose(po["atr"].to_numpy()[300:], talib.ATR(h, lo, c, 14)[300:], atol=TOL)
    np.testing.assert_allclose(po["sd"].to_numpy()[300:], talib.STDDEV(c, 21, 1)[300:], atol=1e-7)
    raw = (c - talib.EMA(c, 21)) / (3 * talib.ATR(h, lo, c, 14)) * 100
    np.testing.assert_allclose(po["po"].to_numpy()[300:], talib.EMA(raw, 3)[300:], atol=1e-8)
    assert set(po["color"].iloc[300:]) <= {"magenta", "green", "red"}


def test_no_look_ahead(spx):
    c, h, lo = (spx[k].to_numpy() for k in ("close", "high", "low"))
    full_rib, full_po = ribbon(c), phase_oscillator(h, lo, c)
    for t in (400, 1234, 2999):
        part_rib = ribbon(c[: t + 1]).iloc[-1]
        part_po = phase_oscillator(h[: t + 1], lo[: t + 1], c[: t + 1]).iloc[-1]
        assert part_rib.equals(full_rib.iloc[t])
        assert part_po.equals(full_po.iloc[t])


def test_vomy_fires_once_when_the_stack_forms():
    close = np.r_[np.linspace(100, 120, 80), np.linspace(120, 90, 80)]
    sig = vomy_signals(close)
    assert (sig["signal"] == -1).sum() == 1 and (sig["signal"] == 1).sum() == 1
    first_v = int(np.flatnonzero(sig["signal"].to_numpy() == -1)[0])
    assert sig["vomy"].iloc[first_v] and not sig["vomy"].iloc[first_v - 1]
