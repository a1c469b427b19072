"""True range, Wilder ATR and EMA against TA-Lib on the real SPY daily file."""

from __future__ import annotations

import numpy as np
import pytest
import talib

from core.ta import atr, ema, rma, rolling_std, sma, true_range

WARM_UP = 300  # (13/14)^300 ≈ 2e-10: seeding differences have decayed below 1e-9


@pytest.fixture(scope="module")
def spy(source):
    daily = source.bars("SPY", "1d")
    return tuple(daily[k].to_numpy() for k in ("high", "low", "close"))


def test_atr_equals_talib_on_real_spy_daily(spy):
    h, lo, c = spy
    ours, ref = atr(h, lo, c, 14), talib.ATR(h, lo, c, 14)
    assert np.array_equal(np.isnan(ours), np.isnan(ref))  # same seeding: first value at index 14
    np.testing.assert_allclose(ours[14:], ref[14:], atol=1e-9, rtol=0)
    np.testing.assert_allclose(true_range(h, lo, c)[1:], talib.TRANGE(h, lo, c)[1:], atol=1e-12)


@pytest.mark.parametrize("length", [3, 8, 21, 48, 200])
def test_ema_sma_equal_talib_after_warm_up(spy, length):
    c = spy[2]
    np.testing.assert_allclose(ema(c, length)[WARM_UP:], talib.EMA(c, length)[WARM_UP:], atol=1e-9)
    np.testing.assert_allclose(sma(c, length)[length:], talib.SMA(c, length)[length:], atol=1e-9)


def test_rma_and_std(spy):
    c = spy[2]
    ref = talib.EMA(c, 27)  # RMA(14) is an EMA with alpha 1/14 = 2/(27+1)
    np.testing.assert_allclose(rma(c, 14)[WARM_UP:], ref[WARM_UP:], atol=1e-9)
    np.testing.assert_allclose(rolling_std(c, 21)[20:], talib.STDDEV(c, 21, 1)[20:], atol=1e-7)


def test_leading_nans_are_skipped_by_the_seed():
    x = np.r_[np.nan, np.nan, 1.0, 2.0, 3.0, 4.0]
    out = ema(x, 3)
    assert np.isnan(out[:4]).all() and out[4] == 2.0 and out[5] == 3.0
