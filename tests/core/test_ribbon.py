"""Pivot ribbon, conviction arrows, candle colours, trend label, Vomy and arrow guidance.

Worked examples from domain spec §10 ex. 9, closed-form EMAs of straight lines, TA-Lib on the
shipped SPX daily history (1962-2026), and a look-ahead check on truncated data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from core.errors import InvalidArgumentError
from core.ribbon import (
    arrow_guidance,
    candle_colors,
    conviction_arrows,
    ribbon,
    trend_label,
    vomy_from_emas,
    vomy_signals,
)

TOL = 1e-9
WARM_UP = 400
SPX_DAILY = (
    Path(__file__).resolve().parents[2]
    / "integrations/marketdata/samples/spx_daily_1962-01-02_2026-02-27.csv"
)


@pytest.fixture(scope="module")
def spx() -> pd.DataFrame:
    """SPX daily bars, 1962-01-02 .. 2026-02-27 (columns open, high, low, close)."""
    return pd.read_csv(SPX_DAILY)


@pytest.fixture(scope="module")
def ref(spx: pd.DataFrame) -> dict[int, np.ndarray]:
    """TA-Lib EMAs of the SPX close, by length."""
    close = spx["close"].to_numpy(dtype=np.float64)
    return {n: talib.EMA(close, n) for n in (8, 13, 21, 48, 200)}


def _clear(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Bars where a and b differ by more than the tolerance (a comparison there is robust)."""
    return np.abs(a - b) > TOL


# --- §10 ex. 9: conviction arrows and trend -----------------------------------------------------


def test_example_9_conviction_arrows():
    diff = np.array([-0.5, 0.2, 0.1, 0.0, -0.1])
    ema48 = np.full(5, 4500.0)
    arrows = conviction_arrows(ema48 + diff, ema48)
    assert arrows.tolist() == [0, 1, 0, 0, -1]  # bullish arrow on bar 2, bearish on bar 5
    assert arrows.dtype == np.int8


def test_first_defined_bar_gets_no_arrow():
    ema13 = np.array([np.nan, np.nan, 11.0, 9.0, 9.5, 12.0])
    ema48 = np.array([np.nan, 10.0, 10.0, 10.0, 10.0, 10.0])
    assert conviction_arrows(ema13, ema48).tolist() == [0, 0, 0, -1, 0, 1]


def test_example_9_trend_label():
    assert trend_label(100, 99, 98, 97) == "bullish"
    assert trend_label(100, 100, 100, 100) == "bullish"
    assert trend_label(96, 97, 98, 99) == "bearish"
    assert trend_label(100, 98, 99, 97) == "neutral"
    assert trend_label(100, 100, 99, 100) == "neutral"
    assert trend_label(100, 99, 98, np.nan) == "n/a"


def test_trend_label_is_vectorised():
    close = np.array([100, 100, 96, 100, 97, 5.0])
    e8 = np.array([99, 100, 97, 98, 97, 5.0])
    e21 = np.array([98, 100, 98, 99, 97, np.nan])
    e34 = np.array([97, 100, 99, 97, 98, 5.0])
    labels = trend_label(close, e8, e21, e34)
    assert labels.tolist() == ["bullish", "bullish", "bearish", "neutral", "bearish", "n/a"]


def test_trend_label_rejects_mismatched_shapes():
    with pytest.raises(InvalidArgumentError, match="same shape"):
        trend_label(np.ones(3), np.ones(3), np.ones(2), np.ones(3))


# --- ribbon on straight lines: EMA of close = t is t - (n-1)/2 exactly -------------------------


def test_ribbon_on_a_rising_line_has_closed_form_emas():
    t = np.arange(300, dtype=np.float64)
    rib = ribbon(100.0 + t)
    for n in (8, 13, 21, 48, 200):
        col = rib[f"ema{n}"].to_numpy()
        assert np.isnan(col[: n - 1]).all()
        np.testing.assert_allclose(col[n - 1 :], 100.0 + t[n - 1 :] - (n - 1) / 2, atol=TOL, rtol=0)
    assert (rib["fast_cloud"][:20] == "n/a").all() and (rib["fast_cloud"][20:] == "green").all()
    assert (rib["slow_cloud"][:47] == "n/a").all() and (rib["slow_cloud"][47:] == "cyan").all()
    assert (rib["ema21_line"][20:] == "green").all()
    assert (rib["ema200_line"][:199] == "n/a").all() and (rib["ema200_line"][199:] == "cyan").all()
    assert (rib["conviction"][47:] == "bullish").all() and (rib["conviction"][:47] == "n/a").all()
    assert (rib["spine"][47:] == "bullish").all() and (rib["spine"][:47] == "n/a").all()
    assert (rib["conviction_arrow"] == 0).all()


def test_ribbon_on_a_falling_line_is_bearish():
    rib = ribbon(1000.0 - np.arange(300.0))
    np.testing.assert_allclose(rib["ema48"].to_numpy()[299], 1000.0 - 299 + 23.5, atol=TOL)
    last = rib.iloc[-1]
    assert (
        last["fast_cloud"],
        last["slow_cloud"],
        last["ema21_line"],
        last["ema200_line"],
        last["conviction"],
        last["spine"],
    ) == ("red", "light_orange", "red", "light_orange", "bearish", "bearish")


def test_ribbon_ties_on_a_flat_line():
    # lengths 1/3/7/15/31 have dyadic alphas (1, 1/2, 1/4, 1/8, 1/16): every EMA stays exactly 50
    last = ribbon(np.full(250, 50.0), fast=1, pullback=3, pivot=7, slow=15, long_term=31).iloc[-1]
    assert (last["ema1"], last["ema3"], last["ema7"], last["ema15"], last["ema31"]) == (50,) * 5
    # fast > pivot is false → red; pullback > slow false → light_orange;
    # the ≥ comparisons hold → green, cyan, bullish
    assert (
        last["fast_cloud"],
        last["slow_cloud"],
        last["ema21_line"],
        last["ema200_line"],
        last["conviction"],
        last["spine"],
    ) == ("red", "light_orange", "green", "cyan", "bullish", "mixed")


def test_ribbon_v_shape_gives_one_arrow_each_way():
    close = np.r_[np.linspace(200, 100, 120), np.linspace(100, 220, 120), np.linspace(220, 150, 80)]
    rib = ribbon(close)
    e13, e48 = talib.EMA(close, 13), talib.EMA(close, 48)
    state = e13 >= e48
    expected = [i for i in range(48, close.size) if state[i] != state[i - 1]]
    arrows = rib["conviction_arrow"].to_numpy()
    assert np.flatnonzero(arrows).tolist() == expected and len(expected) == 2
    assert arrows[expected[0]] == 1 and arrows[expected[1]] == -1


def test_ribbon_custom_lengths_and_overlap(spx):
    close = spx["close"].to_numpy(dtype=np.float64)
    rib = ribbon(close, fast=5, pullback=10, pivot=20, slow=50, long_term=100, overlap=False)
    assert list(rib.columns[:5]) == ["ema5", "ema10", "ema20", "ema50", "ema100"]
    for n in (5, 10, 20, 50, 100):
        np.testing.assert_allclose(
            rib[f"ema{n}"].to_numpy()[WARM_UP:], talib.EMA(close, n)[WARM_UP:], atol=TOL, rtol=0
        )
    e20, e50 = talib.EMA(close, 20), talib.EMA(close, 50)
    ok = _clear(e20, e50) & (np.arange(close.size) >= WARM_UP)
    want = np.where(e20 > e50, "cyan", "light_orange")
    assert (rib["slow_cloud"].to_numpy()[ok] == want[ok]).all()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"fast": 0},
        {"fast": 13},
        {"pullback": 30},
        {"slow": 300},
        {"long_term": 2.5},
    ],
)
def test_ribbon_rejects_bad_lengths(kwargs):
    with pytest.raises(InvalidArgumentError):
        ribbon(np.arange(300.0), **kwargs)


# --- real data: SPX daily against TA-Lib ------------------------------------------------------


def test_ribbon_emas_match_talib_on_spx_daily(spx, ref):
    rib = ribbon(spx["close"].to_numpy())
    assert len(rib) == len(spx) == 16147
    for n, want in ref.items():
        np.testing.assert_allclose(
            rib[f"ema{n}"].to_numpy()[WARM_UP:], want[WARM_UP:], atol=TOL, rtol=0
        )
    # a pinned value, independent of both implementations' warm-up: last EMA21 on 2026-02-27
    assert rib["ema21"].iloc[-1] == pytest.approx(ref[21][-1], abs=TOL)


def test_ribbon_labels_match_independent_rules_on_spx_daily(spx, ref):
    rib = ribbon(spx["close"].to_numpy()).iloc[WARM_UP:]
    e8, e13, e21, e48, e200 = (ref[n][WARM_UP:] for n in (8, 13, 21, 48, 200))
    checks = {
        "fast_cloud": (e8, e21, np.where(e8 > e21, "green", "red")),
        "slow_cloud": (e13, e48, np.where(e13 > e48, "cyan", "light_orange")),
        "ema21_line": (e8, e21, np.where(e8 >= e21, "green", "red")),
        "ema200_line": (e21, e200, np.where(e21 >= e200, "cyan", "light_orange")),
        "conviction": (e13, e48, np.where(e13 >= e48, "bullish", "bearish")),
    }
    for col, (a, b, want) in checks.items():
        ok = _clear(a, b)
        assert ok.mean() > 0.99
        assert (rib[col].to_numpy()[ok] == want[ok]).all(), col
        assert len(set(want)) == 2, col  # both colours occur in 64 years
    spine = []
    for v8, v13, v21, v48 in zip(e8, e13, e21, e48, strict=True):
        spine.append(
            "bullish" if v8 > v13 > v21 > v48 else "bearish" if v8 < v13 < v21 < v48 else "mixed"
        )
    near = np.minimum.reduce([np.abs(e8 - e13), np.abs(e13 - e21), np.abs(e21 - e48)]) <= TOL
    assert (rib["spine"].to_numpy()[~near] == np.array(spine)[~near]).all()


def test_conviction_arrows_match_a_loop_on_spx_daily(spx, ref):
    arrows = ribbon(spx["close"].to_numpy())["conviction_arrow"].to_numpy()
    e13, e48 = ref[13], ref[48]
    expected = np.zeros(e13.size, dtype=int)
    for i in range(WARM_UP, e13.size):
        now, before = e13[i] >= e48[i], e13[i - 1] >= e48[i - 1]
        if now != before:
            expected[i] = 1 if now else -1
    near = np.abs(e13 - e48) <= TOL
    ok = ~(near | np.r_[False, near[:-1]])
    ok[:WARM_UP] = False
    assert (arrows[ok] == expected[ok]).all()
    assert (expected == 1).sum() > 100 and (expected == -1).sum() > 100


def test_candle_colors_rules():
    o = [1, 1, 3, 3, 2, 2, 1]
    c = [2, 2, 2, 2, 2, 2, 2]
    e = [1.5, 2.5, 1.5, 2.5, 2, np.nan, np.nan]
    assert candle_colors(o, c, e).tolist() == [
        "green",
        "light_orange",
        "cyan",
        "red",
        "gray",
        "gray",
        "n/a",
    ]
    assert candle_colors([1.0], [2.0], [2.0]).tolist() == ["green"]  # close == EMA is above


def test_candle_colors_match_a_loop_on_spx_daily(spx, ref):
    o, c = spx["open"].to_numpy(), spx["close"].to_numpy()
    got = candle_colors(o, c, ribbon(c)["ema48"])
    e48 = ref[48]
    for i in range(WARM_UP, c.size, 7):
        if abs(c[i] - e48[i]) <= TOL:
            continue
        above = c[i] >= e48[i]
        want = (
            "gray"
            if o[i] == c[i]
            else ("green" if above else "light_orange")
            if o[i] < c[i]
            else ("cyan" if above else "red")
        )
        assert got[i] == want, i


# --- Vomy / iVomy ---------------------------------------------------------------------------


def test_vomy_fires_only_when_the_stack_forms():
    nan = np.nan
    e8 = np.array([nan, 1, 1, 1, 3, 1, 7, 7, 1])
    e13 = np.array([nan, 2, 2, 2, 2, 2, 6, 6, 2])
    e21 = np.array([nan, 3, 3, 3, 3, 3, 5, 5, 3])
    e48 = np.array([nan, 4, 4, 4, 4, 4, 4, 4, 4])
    sig = vomy_from_emas(e8, e13, e21, e48)
    assert sig["vomy"].tolist() == [False, True, True, True, False, True, False, False, True]
    assert sig["ivomy"].tolist() == [False] * 6 + [True, True, False]
    assert sig["signal"].tolist() == [0, -1, 0, 0, 0, -1, 1, 0, -1]


def test_vomy_ties_are_no_stack():
    sig = vomy_from_emas([1, 2, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4])
    assert sig["vomy"].tolist() == [True, False, True]
    assert sig["signal"].tolist() == [-1, 0, -1]


def test_vomy_signals_match_talib_stacks_on_spx_daily(spx, ref):
    sig = vomy_signals(spx["close"].to_numpy())["signal"].to_numpy()
    e8, e13, e21, e48 = (ref[n] for n in (8, 13, 21, 48))
    vomy = (e8 < e13) & (e13 < e21) & (e21 < e48)
    ivomy = (e8 > e13) & (e13 > e21) & (e21 > e48)
    near = np.minimum.reduce([np.abs(e8 - e13), np.abs(e13 - e21), np.abs(e21 - e48)]) <= TOL
    idx = [i for i in range(WARM_UP, sig.size) if not (near[i] or near[i - 1])]
    for i in idx:
        want = 1 if ivomy[i] and not ivomy[i - 1] else -1 if vomy[i] and not vomy[i - 1] else 0
        assert sig[i] == want, i
    assert (sig == 1).sum() > 50 and (sig == -1).sum() > 50


# --- §4.5 arrow guidance ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bullish", "e13", "e48", "e21", "want"),
    [
        (True, 10.0, 8.0, 9.5, "wait for pullback to the 21"),  # x = 9 < 9.5
        (True, 10.0, 9.0, 9.0, "watch continuation"),  # x = 9.5 > 9
        (True, 10.0, 8.0, 9.0, "watch continuation"),  # x = 9 == EMA21: continuation
        (False, 8.0, 10.0, 8.5, "wait for bounce to the 21"),  # x = 9 > 8.5
        (False, 8.0, 10.0, 9.5, "watch continuation"),  # x = 9 < 9.5
        (False, 8.0, 10.0, 9.0, "watch continuation"),
    ],
)
def test_arrow_guidance(bullish, e13, e48, e21, want):
    assert arrow_guidance(bullish, e13, e48, e21) == want


def test_arrow_guidance_rejects_undefined_emas():
    with pytest.raises(InvalidArgumentError, match="finite"):
        arrow_guidance(True, np.nan, 10.0, 9.0)


# --- no look-ahead ---------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0, 7, 20, 47, 48, 199, 200, 1000, 9000, 16145, 16146])
def test_no_look_ahead(spx, t):
    o, c = spx["open"].to_numpy(), spx["close"].to_numpy()
    full_rib, full_vomy = ribbon(c), vomy_signals(c)
    full_candles = candle_colors(o, c, full_rib["ema48"])
    part_rib, part_vomy = ribbon(c[: t + 1]), vomy_signals(c[: t + 1])
    pd.testing.assert_series_equal(part_rib.iloc[-1], full_rib.iloc[t], check_exact=True)
    pd.testing.assert_series_equal(part_vomy.iloc[-1], full_vomy.iloc[t], check_exact=True)
    part_candles = candle_colors(o[: t + 1], c[: t + 1], part_rib["ema48"])
    assert part_candles[-1] == full_candles[t]
