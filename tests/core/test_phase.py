"""Phase oscillator: domain spec §10 ex. 8, zone and dot boundaries, TA-Lib on the shipped SPX
daily history (1962-2026), the Pine compression tracker as a loop, and no look-ahead."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import talib

from core.phase import (
    DOTS,
    color,
    compressed,
    compression,
    dots,
    ema_step,
    expansion,
    in_expansion_zone,
    phase_oscillator,
    raw_oscillator,
    zone,
)
from core.ta import ema

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
def hlc(spx: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """High, low, close of the SPX daily history as float arrays."""
    return tuple(spx[k].to_numpy(dtype=np.float64) for k in ("high", "low", "close"))


@pytest.fixture(scope="module")
def po_frame(hlc) -> pd.DataFrame:
    """The phase oscillator over the whole SPX daily history."""
    return phase_oscillator(*hlc)


# --- §10 ex. 8: the PO value ------------------------------------------------------------------


def test_example_8_raw_and_po():
    raw = raw_oscillator(4520, 4505, 16.4)
    assert abs(raw - 1500 / 49.2) < TOL and abs(raw - 30.487804878048780) < TOL
    po = ema_step(20.0, float(raw))
    assert abs(po - 25.243902439024390) < TOL  # 20 + (30.4878... − 20) / 2
    assert zone(po) == "mark_up"


def test_example_8_through_the_series_ema():
    # EMA3 seeded with mean(10, 20, 30) = 20 = the previous PO, then one step on the raw value
    raw = float(raw_oscillator(4520, 4505, 16.4))
    assert abs(ema([10.0, 20.0, 30.0, raw], 3)[-1] - 25.243902439024390) < TOL


def test_raw_oscillator_is_vectorised():
    raw = raw_oscillator([4520, 4490, 4505], [4505, 4505, 4505], [16.4, 10.0, 5.0])
    np.testing.assert_allclose(raw, [1500 / 49.2, -50.0, 0.0], atol=TOL, rtol=0)


# --- §10 ex. 8: compression ---------------------------------------------------------------------


def test_example_8_compression_case_1_is_compressed():
    comp = compression(4520, 4505, 7.5, 16.4)
    zone_value = in_expansion_zone(4520, 4505, 7.5, 16.4)
    assert abs(comp - (-17.8)) < TOL and abs(zone_value - (-15.4056)) < TOL
    for prev in (-20.0, -17.8, 0.0, np.nan):  # the expansion zone is negative: any previous
        assert compressed(comp, prev, zone_value)


def test_example_8_compression_case_2_rising_is_not_compressed():
    comp, zone_value = compression(4520, 4505, 9, 8), in_expansion_zone(4520, 4505, 9, 8)
    assert abs(comp - 2.0) < TOL and abs(zone_value - 3.168) < TOL
    assert expansion(comp, 1.0)
    assert not compressed(comp, 1.0, zone_value)
    assert not compressed(comp, 5.0, zone_value)  # compression > 0: never compressed


def test_example_8_compression_case_3_depends_on_the_previous_value():
    comp, zone_value = compression(4520, 4505, 7.5, 8), in_expansion_zone(4520, 4505, 7.5, 8)
    assert abs(comp - (-1.0)) < TOL and abs(zone_value - 0.168) < TOL
    assert compressed(comp, -0.5, zone_value)  # previous > −1.0: falling, so compressed
    assert not compressed(comp, -1.0, zone_value)  # previous == −1.0 counts as expansion
    assert not compressed(comp, -1.5, zone_value)  # expanding with the zone above 0
    assert compressed(comp, np.nan, zone_value)  # no previous value: not expanding (Pine)


def test_compression_below_the_pivot_mirrors():
    # close under the pivot uses (pivot − 2ATR) − (pivot − 2sd): the same 2(sd − ATR)
    assert abs(compression(4490, 4505, 7.5, 16.4) - (-17.8)) < TOL
    assert abs(in_expansion_zone(4490, 4505, 9, 8) - 3.168) < TOL


def test_compressed_is_vectorised():
    comp = np.array([-17.8, 2.0, -1.0, -1.0])
    prev = np.array([np.nan, 1.0, -0.5, -1.5])
    zone_value = np.array([-15.4056, 3.168, 0.168, 0.168])
    assert compressed(comp, prev, zone_value).tolist() == [True, False, True, False]
    assert expansion(comp, prev).tolist() == [False, True, False, True]


# --- zones, colours, dots -------------------------------------------------------------------


def test_zone_boundaries():
    values = [
        150,
        100,
        99.9,
        61.8,
        61.7,
        23.7,
        23.6,
        0,
        -23.6,
        -23.7,
        -61.7,
        -61.8,
        -61.9,
        -99.9,
        -100,
        -100.1,
        np.nan,
    ]
    assert zone(values).tolist() == [
        "extended_up",
        "extended_up",
        "distribution",
        "distribution",
        "mark_up",
        "mark_up",
        "launch_box",
        "launch_box",
        "launch_box",
        "mark_down",
        "mark_down",
        "accumulation",
        "accumulation",
        "accumulation",
        "extended_down",
        "extended_down",
        "n/a",
    ]
    assert zone(-100.0) == "extended_down" and isinstance(zone(5.0), str)


def test_color():
    po = [10.0, 0.0, -0.1, -50.0, np.nan]
    squeezed = [False, False, False, True, True]
    assert color(po, squeezed).tolist() == ["green", "green", "red", "magenta", "n/a"]


@pytest.mark.parametrize(
    ("prev", "cur", "fired"),
    [
        (-65, -60, {"leaving_accumulation"}),
        (-105, -95, {"leaving_extreme_down"}),  # −95 is still below −61.8: accumulation not left
        (-50, -45, set()),
        (80, 70, set()),  # still ≥ 61.8
        (80, 60, {"leaving_distribution"}),
        (-105, -50, {"leaving_extreme_down", "leaving_accumulation"}),
        (105, 50, {"leaving_extreme_up", "leaving_distribution"}),
        (101, 99, {"leaving_extreme_up"}),
        (-61.8, -61.7, {"leaving_accumulation"}),  # PO[1] ≤ −61.8 includes equality
        (-61.9, -61.8, set()),  # −61.8 < PO is strict
        (-100, -99, {"leaving_extreme_down"}),
        (61.8, 61.7, {"leaving_distribution"}),
        (100, 100, set()),
        (-60, -65, set()),  # entering accumulation is no dot
        (np.nan, -50, set()),
    ],
)
def test_example_8_dots(prev, cur, fired):
    frame = dots([prev, cur])
    assert list(frame.columns) == list(DOTS)
    assert not frame.iloc[0].any()  # the first bar never fires
    assert {k for k, v in frame.iloc[1].items() if v} == fired


# --- real data: SPX daily against TA-Lib and a Pine-style loop --------------------------------


def test_po_matches_talib_on_spx_daily(hlc, po_frame):
    h, lo, c = hlc
    pivot, atr14 = talib.EMA(c, 21), talib.ATR(h, lo, c, 14)
    sd = talib.STDDEV(c, 21, 1)  # nbdev=1: population standard deviation
    raw = (c - pivot) / (3 * atr14) * 100
    want = {
        "pivot": pivot,
        "atr": atr14,
        "sd": sd,
        "raw": raw,
        "po": talib.EMA(raw, 3),
        "compression": 2 * (sd - atr14),
        "in_expansion_zone": 2 * sd - 1.854 * atr14,
    }
    assert len(po_frame) == c.size == 16147
    for col, ref in want.items():
        got = po_frame[col].to_numpy()
        np.testing.assert_allclose(got[WARM_UP:], ref[WARM_UP:], atol=TOL, rtol=0, err_msg=col)
    assert np.isnan(po_frame["po"].to_numpy()[:22]).all() and not np.isnan(po_frame["po"][22])


def _pine_compressed(comp: np.ndarray, zone_value: np.ndarray) -> np.ndarray:
    """The Pine script's compression_tracker, bar by bar."""
    out = np.zeros(comp.size, dtype=bool)
    for i in range(1, comp.size):
        expanding = comp[i - 1] <= comp[i]
        if expanding and zone_value[i] > 0:
            out[i] = False
        elif comp[i] <= 0:
            out[i] = True
    return out


def test_compressed_and_color_match_a_pine_loop_on_spx_daily(hlc, po_frame):
    h, lo, c = hlc
    sd, atr14 = talib.STDDEV(c, 21, 1), talib.ATR(h, lo, c, 14)
    comp, zone_value = 2 * (sd - atr14), 2 * sd - 1.854 * atr14
    want = _pine_compressed(comp, zone_value)
    near = (np.abs(comp) <= TOL) | (np.abs(zone_value) <= TOL)
    near |= np.abs(comp - np.r_[np.nan, comp[:-1]]) <= TOL
    ok = ~near
    ok[:WARM_UP] = False
    got = po_frame["compressed"].to_numpy()
    assert (got[ok] == want[ok]).all()
    assert 0.05 < want[ok].mean() < 0.95
    po = po_frame["po"].to_numpy()
    colours = np.where(want, "magenta", np.where(po >= 0, "green", "red"))
    assert (po_frame["color"].to_numpy()[ok] == colours[ok]).all()


def _zone_of(v: float) -> str:
    """Zones from the bottom up, written independently of ``core.phase.zone``."""
    for upper, name in ((-100, "extended_down"), (-61.8, "accumulation")):
        if v <= upper:
            return name
    if v < -23.6:
        return "mark_down"
    if v <= 23.6:
        return "launch_box"
    if v < 61.8:
        return "mark_up"
    return "distribution" if v < 100 else "extended_up"


def test_zones_and_dots_match_loops_on_spx_daily(hlc, po_frame):
    h, lo, c = hlc
    raw = (c - talib.EMA(c, 21)) / (3 * talib.ATR(h, lo, c, 14)) * 100
    po = talib.EMA(raw, 3)
    lines = np.array([-100, -61.8, -23.6, 23.6, 61.8, 100])
    near = np.min(np.abs(po[:, None] - lines[None, :]), axis=1) <= TOL
    zones = po_frame["zone"].to_numpy()
    for i in range(WARM_UP, po.size):
        if not near[i]:
            assert zones[i] == _zone_of(po[i]), i
    counts = dict.fromkeys(DOTS, 0)
    for i in range(WARM_UP, po.size):
        if near[i] or near[i - 1]:
            continue
        a, b = po[i - 1], po[i]
        want = {
            "leaving_accumulation": a <= -61.8 < b,
            "leaving_extreme_down": a <= -100 < b,
            "leaving_distribution": a >= 61.8 > b,
            "leaving_extreme_up": a >= 100 > b,
        }
        for name, fired in want.items():
            assert po_frame[name].iat[i] == fired, (i, name)
            counts[name] += fired
    assert min(counts.values()) > 10  # every dot occurs in 64 years of SPX
    assert set(zones[WARM_UP:]) == set(_zone_of(v) for v in (150, 80, 40, 0, -40, -80, -150))


def test_mismatched_lengths_are_rejected(hlc):
    h, lo, c = hlc
    with pytest.raises(ValueError, match="differ in length"):
        phase_oscillator(h[:-1], lo, c)


# --- no look-ahead ---------------------------------------------------------------------------


@pytest.mark.parametrize("t", [0, 13, 14, 20, 21, 22, 23, 500, 8000, 16145, 16146])
def test_no_look_ahead(hlc, po_frame, t):
    h, lo, c = hlc
    part = phase_oscillator(h[: t + 1], lo[: t + 1], c[: t + 1]).iloc[-1]
    pd.testing.assert_series_equal(part, po_frame.iloc[t], check_exact=True)
