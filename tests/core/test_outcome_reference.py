"""core.outcome against a deliberately naive reference written here: plain loops over
``csv.reader`` rows, its own Wilder ATR, decimal rounding and level arithmetic, no ``core``;
compared on every session of the SPX and SPY 5-minute files and on every SPY daily bar of 2023.
Also: the gates agree with core.goldengate's statistics session by session, and a session cut
after any bar sees nothing that came later (look-ahead).
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest

from core.goldengate import gate_sessions
from core.levels import level_grid, session_levels
from core.outcome import session_outcome
from integrations.marketdata.files import samples_dir

SPX_DAILY, SPX_5M = "spx_daily_1962-01-02_2026-02-27.csv", "spx_5min_rth_2025-02-10_2026-02-13.csv"
SPY_DAILY, SPY_5M = "spy_daily_1993-01-29_2026-02-12.csv", "spy_5min_rth_2025-05-12_2026-03-09.csv"


def _touched(out):
    """{key: ("HH:MM", at_open)} of the touched levels."""
    return {k: (f"{t.time:%H:%M}", t.at_open) for k, t in out.touches.items() if t is not None}


def _hhmm(ts):
    return None if ts is None else f"{ts:%H:%M}"


# ---- the reference ----------------------------------------------------------------------


def _rows(name):
    with open(samples_dir() / name, newline="") as fh:
        reader = csv.reader(fh)
        col = {c: i for i, c in enumerate(next(reader))}
        return [
            [r[col["timestamp"]], *(float(r[col[k]]) for k in ("open", "high", "low", "close"))]
            for r in reader
        ]


def _round(x, places):
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(round(x, 9))).quantize(quantum, rounding=ROUND_HALF_UP))


def _day_levels(name):
    """{session date: (previous close, Wilder ATR(14) rounded half up)} from the rows before it."""
    rows = _rows(name)
    out, trs, atr = {}, [], None
    for i in range(1, len(rows)):
        _, _, high, low, close = rows[i]
        prev = rows[i - 1][4]
        trs.append(max(high - low, abs(high - prev), abs(low - prev)))
        if len(trs) == 14:
            atr = sum(trs) / 14
        elif len(trs) > 14:
            atr = (atr * 13 + trs[-1]) / 14
        if atr is not None and i + 1 < len(rows):
            out[rows[i + 1][0]] = (close, _round(atr, 2))
    return out


def _level(pc, atr, f):
    """PC + f·ATR as spec §1.3 adds it up: extensions from ±1 ATR, ±2.x from ±2 ATR."""
    s, k = (1.0 if f > 0 else -1.0), abs(f)
    if k <= 1:
        return pc + s * k * atr
    one = pc + s * atr
    if k <= 2:
        return one + s * atr if k == 2 else one + s * round(k - 1, 3) * atr
    two = one + s * atr
    return two + s * atr if k == 3 else two + s * round(k - 2, 3) * atr


def _ref_touches(bars, pc, atr, keys):
    """{key: (time, at_open)} by walking the bars one by one; bars = [(time, o, h, l, c)]."""
    out = {}
    first_open = bars[0][1]
    for key in keys:
        f = float(key)
        lv = _level(pc, atr, f)
        if (f > 0 and first_open >= lv) or (f < 0 and first_open <= lv) or first_open == lv:
            out[key] = (bars[0][0], True)
            continue
        for time, _, high, low, _ in bars:
            if (lv > first_open and high >= lv) or (lv < first_open and low <= lv):
                out[key] = (time, False)
                break
    return out


def _ref_gate(bars, pc, atr, side):
    """(status, trigger time, completion time, failure time) by walking the bars."""
    trig, done, back = (_level(pc, atr, side * f) for f in (0.382, 0.618, 0.236))

    def past(price, lv):
        return price >= lv if side > 0 else price <= lv

    if past(bars[0][1], done):
        return "opened_beyond", None, None, None
    t = next((i for i, b in enumerate(bars) if past(b[2] if side > 0 else b[3], trig)), None)
    if t is None:
        return "not_triggered", None, None, None
    c = next(
        (j for j in range(t, len(bars)) if past(bars[j][2] if side > 0 else bars[j][3], done)),
        None,
    )
    fail = None
    for j in range(t, len(bars) if c is None else c):
        if j == t and not past(bars[t][1], trig):
            continue  # inside the trigger bar the order of its high and low is unknown
        if (bars[j][3] <= back) if side > 0 else (bars[j][2] >= back):
            fail = j
            break
    status = "completed" if c is not None else "failed" if fail is not None else "triggered"
    time = [None if i is None else bars[i][0] for i in (t, c, fail)]
    return status, *time


def _ref_sessions(name):
    """{date: [("HH:MM", o, h, l, c), ...]} in file order."""
    out = {}
    for stamp, o, h, lo, c in _rows(name):
        out.setdefault(stamp[:10], []).append((stamp[11:16], o, h, lo, c))
    return out


@pytest.mark.parametrize(("daily", "five"), [(SPX_DAILY, SPX_5M), (SPY_DAILY, SPY_5M)])
def test_every_five_minute_session_equals_the_naive_reference(source, daily, five):
    symbol = daily[:3].upper()
    levels = _day_levels(daily)
    bars = source.bars(symbol, "5m")
    core_levels = session_levels(source.bars(symbol, "1d"))
    checked, statuses = 0, set()
    for day, ref_bars in _ref_sessions(five).items():
        if day not in levels:
            continue  # SPY sessions after the daily file ends (2026-02-12)
        pc, atr = levels[day]
        row = core_levels.loc[day]
        assert (row["previous_close"], row["atr"]) == (pc, atr), day
        out = session_outcome(pc, atr, level_grid(pc, atr), bars.loc[day], bar_minutes=5)
        assert _touched(out) == _ref_touches(ref_bars, pc, atr, list(out.touches)), day
        for gate, side in ((out.bull, 1), (out.bear, -1)):
            got = (gate.status, *map(_hhmm, (gate.trigger_time, gate.completion_time)))
            got = (*got, _hhmm(gate.failure_time))
            assert got == _ref_gate(ref_bars, pc, atr, side), (day, gate.side)
            statuses.add(gate.status)
        close = ref_bars[-1][4]
        assert out.change.points == _round(close - pc, 2)
        assert out.change.atr == _round((close - pc) / atr, 3)
        high, low = max(b[2] for b in ref_bars), min(b[3] for b in ref_bars)
        assert out.range_points == _round(high - low, 2), day
        assert out.gap.points == _round(ref_bars[0][1] - pc, 2), day
        checked += 1
    assert checked == (255 if symbol == "SPX" else 191)  # SPY: the days both files hold
    assert statuses == {"opened_beyond", "not_triggered", "triggered", "failed", "completed"}


def test_every_spy_daily_bar_of_2023_equals_the_naive_reference(source):
    levels = _day_levels(SPY_DAILY)
    daily = source.bars("SPY", "1d")
    rows = [r for r in _rows(SPY_DAILY) if r[0].startswith("2023-")]
    statuses = set()
    for day, o, h, lo, c in rows:
        pc, atr = levels[day]
        out = session_outcome(pc, atr, level_grid(pc, atr), daily.loc[day:day])
        ref = _ref_touches([(day, o, h, lo, c)], pc, atr, list(out.touches))
        assert {k: t.at_open for k, t in out.touches.items() if t} == {
            k: v[1] for k, v in ref.items()
        }, day
        for gate, side in ((out.bull, 1), (out.bear, -1)):
            assert gate.status == _ref_gate([(day, o, h, lo, c)], pc, atr, side)[0], day
            statuses.add(gate.status)
        assert out.change.points == _round(c - pc, 2) and out.close == c
    assert len(rows) == 250
    assert statuses == {"opened_beyond", "not_triggered", "triggered", "failed", "completed"}


def test_gates_equal_the_golden_gate_statistics_session_by_session(source):
    """The session answer and golden_gate_stats must never disagree about a gate."""
    bars = source.bars("SPX", "5m")
    detail = gate_sessions(bars, session_levels(source.bars("SPX", "1d")), "both")
    for row in detail.itertuples():
        day = f"{row.date:%Y-%m-%d}"
        pc, atr = row.previous_close, row.atr
        out = session_outcome(pc, atr, level_grid(pc, atr), bars.loc[day], bar_minutes=5)
        gate = out.bull if row.direction == "bull" else out.bear
        assert (gate.status == "opened_beyond") == row.excluded, day
        assert (gate.trigger_time is not None) == row.triggered, day
        assert (gate.status == "completed") == row.completed, day
        assert (gate.failure_time is not None) == row.failed, day
        if row.triggered:
            assert (
                gate.trigger_time == row.trigger_time and gate.trigger_bucket == row.trigger_bucket
            )
        if row.completed:
            assert gate.completion_time == row.completion_time
        if row.failed:
            assert gate.failure_time == row.failure_time


def test_a_partial_session_sees_nothing_after_its_last_bar(source):
    """Look-ahead: the session cut after any bar reports the full session's touches that had
    happened by then, and nothing later; as of = the end of its last bar."""
    pc, atr = 5935.94, 90.11
    bars = source.bars("SPX", "5m").loc["2025-06-03"]
    full = _touched(session_outcome(pc, atr, level_grid(pc, atr), bars, bar_minutes=5))
    for n in range(1, len(bars) + 1):
        part = session_outcome(pc, atr, level_grid(pc, atr), bars.iloc[:n], bar_minutes=5)
        cut = f"{bars.index[n - 1]:%H:%M}"
        assert _touched(part) == {k: v for k, v in full.items() if v[0] <= cut}
        assert part.as_of == bars.index[n - 1] + pd.Timedelta(minutes=5)
        assert part.close == bars["close"].iloc[n - 1]
    at_1215 = session_outcome(pc, atr, level_grid(pc, atr), bars.iloc[:34], bar_minutes=5)
    at_1210 = session_outcome(pc, atr, level_grid(pc, atr), bars.iloc[:33], bar_minutes=5)
    assert (at_1210.bull.status, at_1215.bull.status) == ("not_triggered", "triggered")
    assert f"{at_1215.as_of:%H:%M}" == "12:20"
