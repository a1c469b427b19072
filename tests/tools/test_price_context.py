"""price_context on the shipped data: 'now' after the data ends is the last session traded, and
each nearby level carries its distance from price (checked by hand from the CSV rows)."""

from __future__ import annotations

import datetime as dt

from tools import ToolContext, run_tool


def test_now_after_the_data_ends_is_the_last_session_not_the_next(source):
    # spx_daily rows: 2026-02-26 C 6908.86; 2026-02-27 O 6856.54 H 6882.96 L 6831.74 C 6878.88.
    # 'Today' 2026-03-05 is past the data: the answer is 02-27's close against 02-27's levels,
    # not 03-02's levels against their own previous close (+0.000 ATR, "period not started").
    ctx = ToolContext(source=source, today=dt.date(2026, 3, 5))
    r = run_tool(ctx, "price_context", {"symbol": "SPX"})
    assert r.date == dt.date(2026, 2, 27)
    assert (r.price, r.previous_close) == (6878.88, 6908.86)
    assert (r.session_high, r.session_low) == (6882.96, 6831.74)
    assert r.golden_gate_bull != "period not started"
    # (6878.88 - 6908.86) / ATR: below the previous close, never exactly zero
    assert r.atr_fraction < 0


def test_nearby_levels_carry_their_distance_from_price(source):
    # 2026-02-13 last 5-minute close 6835.07 (spx_5min, 15:55 bar); previous close 6832.76; the
    # finished session's official close 6836.17 (spx_daily) is given beside it.
    ctx = ToolContext(source=source, today=dt.date(2026, 2, 13))
    r = run_tool(ctx, "price_context", {"symbol": "SPX"})
    assert r.price == 6835.07 and r.previous_close == 6832.76
    assert r.session_close == 6836.17
    assert r.session_close_atr == round((6836.17 - 6832.76) / r.atr, 3)
    first_up = r.nearest_above[0]
    # call trigger = 6832.76 + 0.236 * ATR; distance = level - price, both rounded to cents
    assert first_up.key == "+0.236"
    assert abs(first_up.price - (6832.76 + 0.236 * r.atr)) < 0.01  # r.atr is rounded
    assert first_up.distance == round(first_up.price - 6835.07, 2)
    assert all(lv.distance < 0 for lv in r.nearest_below)
