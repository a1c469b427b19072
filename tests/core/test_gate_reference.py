"""Golden-gate and level-to-level statistics on the shipped real data, checked count by count
against an independent, deliberately simple pure-Python implementation: plain loops over
``csv.reader`` rows, its own Wilder ATR and decimal half-away-from-zero rounding, no ``core``.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_UP, Decimal

import pytest

from core.goldengate import HOURS, gate_sessions, gate_stats
from core.levels import session_levels
from core.levelstats import level_to_level
from integrations.marketdata.files import samples_dir

FILES = {
    "SPX": ("spx_daily_1962-01-02_2026-02-27.csv", "spx_5min_rth_2025-02-10_2026-02-13.csv"),
    "SPY": ("spy_daily_1993-01-29_2026-02-12.csv", "spy_5min_rth_2025-05-12_2026-03-09.csv"),
}
PAIRS = [
    ("+0.236", "+0.382"),
    ("-0.382", "-0.618"),
    ("+0.618", "+1"),
    ("+1", "+1.236"),
    ("-1.382", "-1.618"),
    ("+0.382", "0"),
    ("-0.618", "-0.236"),
    ("0", "+1"),
    ("0", "-0.618"),
    ("-0.236", "+0.236"),
]

# ---- the reference -------------------------------------------------------------------------


def _rows(name):
    with open(samples_dir() / name, newline="") as fh:
        reader = csv.reader(fh)
        col = {c: i for i, c in enumerate(next(reader))}
        return [
            [r[col["timestamp"]], *(float(r[col[k]]) for k in ("open", "high", "low", "close"))]
            for r in reader
        ]


def _round2(x):
    return float(Decimal(repr(round(x, 9))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _day_levels(name):
    """{session date: (previous close, Wilder ATR(14) rounded)} from the row before it."""
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
            out[rows[i + 1][0]] = (close, _round2(atr))
    return out


def _sessions(name):
    """{date: [(minute of day, open, high, low, close), ...]} in file order."""
    out = {}
    for stamp, o, h, lo, c in _rows(name):
        minute = int(stamp[11:13]) * 60 + int(stamp[14:16])
        out.setdefault(stamp[:10], []).append((minute, o, h, lo, c))
    return out


def _level(pc, atr, f):
    """PC + f·ATR as spec §1.3 builds it: extensions from ±1 ATR, ±2.x from ±2 ATR."""
    s, k = (1.0 if f > 0 else -1.0), abs(f)
    if k <= 1:
        return pc + s * k * atr
    one = pc + s * atr
    if k <= 2:
        return one + s * atr if k == 2 else one + s * round(k - 1, 3) * atr
    two = one + s * atr
    return two + s * atr if k == 3 else two + s * round(k - 2, 3) * atr


def _hour(minute):
    return f"{max(9, minute // 60):02d}"


def _gate(bars, pc, atr, side):
    """None (no trigger), "excluded", or (bucket, completion hour, failure minute, minutes)."""
    trig, done, back = (_level(pc, atr, side * f) for f in (0.382, 0.618, 0.236))
    up = side > 0
    first_open = bars[0][1]
    if (first_open >= done) if up else (first_open <= done):
        return "excluded"
    t = None
    for i, (_, _, h, lo, _) in enumerate(bars):
        if (h >= trig) if up else (lo <= trig):
            t = i
            break
    if t is None:
        return None
    opened = (first_open >= trig) if up else (first_open <= trig)
    bucket = "open" if opened else _hour(bars[t][0])
    comp = None
    for j in range(t, len(bars)):
        if (bars[j][2] >= done) if up else (bars[j][3] <= done):
            comp = j
            break
    fail = None
    for j in range(t, len(bars)):
        o = bars[j][1]
        if j == t and not ((o >= trig) if up else (o <= trig)):
            continue  # inside the trigger bar the order of high and low is unknown
        if (bars[j][3] <= back) if up else (bars[j][2] >= back):
            fail = j
            break
    if fail is not None and comp is not None and fail >= comp:
        fail = None
    hour = _hour(bars[comp][0]) if comp is not None else ""
    minutes = bars[comp][0] - bars[t][0] if comp is not None else None
    return bucket, hour, None if fail is None else bars[fail][0], minutes


def _reference_gates(symbol, side):
    levels = _day_levels(FILES[symbol][0])
    return {
        day: _gate(bars, *levels[day], side)
        for day, bars in _sessions(FILES[symbol][1]).items()
        if day in levels
    }


def _l2l(bars, pc, atr, fa, fb):
    """None (A not touched), "excluded", or (bucket of A's touch, reached B)."""
    a, b = _level(pc, atr, fa), _level(pc, atr, fb)
    up = fb > fa
    first_open = bars[0][1]
    if fa == 0:
        opened = first_open == a
    else:
        opened = (first_open >= a) if fa > 0 else (first_open <= a)
    if opened and ((first_open >= b) if up else (first_open <= b)):
        return "excluded"
    t = None
    for i, (_, _, h, lo, _) in enumerate(bars):
        if (lo <= a <= h) if fa == 0 else ((h >= a) if fa > 0 else (lo <= a)):
            t = i
            break
    if t is None:
        return None
    bucket = "open" if opened else _hour(bars[t][0])
    continuation = fa != 0 and (fa > 0) == up
    for j in range(t, len(bars)):
        _, o, h, lo, _ = bars[j]
        if j == t and not continuation and not ((o <= a) if up else (o >= a)):
            continue
        if (h >= b) if up else (lo <= b):
            return bucket, True
    return bucket, False


# ---- the comparisons -----------------------------------------------------------------------


@pytest.mark.parametrize("symbol", ["SPX", "SPY"])
@pytest.mark.parametrize(("direction", "side"), [("bull", 1), ("bear", -1)])
def test_real_gate_table_equals_the_reference(source, symbol, direction, side):
    reference = _reference_gates(symbol, side)
    detail = gate_sessions(
        source.bars(symbol, "5m"), session_levels(source.bars(symbol, "1d")), direction
    )
    stats = gate_stats(detail, direction)
    assert stats.sessions == len(reference)
    assert (stats.first_date, stats.last_date) == (min(reference), max(reference))
    assert stats.excluded == sum(v == "excluded" for v in reference.values())
    expected: dict[str, dict[str, int]] = {}
    for value in reference.values():
        if value is None or value == "excluded":
            continue
        bucket, hour, fail, _ = value
        row = expected.setdefault(
            bucket, {"triggers": 0, "completions": 0, "failures": 0, "recoveries": 0}
        )
        row["triggers"] += 1
        row["completions"] += hour != ""
        row["failures"] += fail is not None
        row["recoveries"] += fail is not None and hour != ""  # fell back, completed later
        if hour:
            row[hour] = row.get(hour, 0) + 1
    ours = {
        r.bucket: {
            "triggers": r.triggers,
            "completions": r.completions,
            "failures": r.failures,
            "recoveries": r.recoveries,
            **{h: n for h, n in r.by_hour.items() if n},
        }
        for r in stats.rows
        if r.triggers
    }
    assert ours == expected


@pytest.mark.parametrize(("direction", "side"), [("bull", 1), ("bear", -1)])
def test_real_gate_sessions_equal_the_reference_one_by_one(source, direction, side):
    reference = _reference_gates("SPX", side)
    detail = gate_sessions(
        source.bars("SPX", "5m"), session_levels(source.bars("SPX", "1d")), direction
    )
    ours = {}
    for row in detail.itertuples():
        day = f"{row.date:%Y-%m-%d}"
        if row.excluded:
            ours[day] = "excluded"
        elif not row.triggered:
            ours[day] = None
        else:
            fail = None if not row.failed else row.failure_time.hour * 60 + row.failure_time.minute
            minutes = None if not row.completed else int(row.minutes_to_complete)
            ours[day] = (row.trigger_bucket, row.completion_hour, fail, minutes)
    assert ours == reference


@pytest.mark.parametrize(("from_level", "to_level"), PAIRS)
def test_real_level_to_level_equals_the_reference(source, from_level, to_level):
    levels = _day_levels(FILES["SPX"][0])
    results = [
        _l2l(bars, *levels[day], float(from_level), float(to_level))
        for day, bars in _sessions(FILES["SPX"][1]).items()
        if day in levels
    ]
    odds = level_to_level(
        source.bars("SPX", "5m"), session_levels(source.bars("SPX", "1d")), from_level, to_level
    )
    hits = [r for r in results if r is not None and r != "excluded"]
    assert (odds.sessions, odds.excluded) == (len(results), results.count("excluded"))
    assert (odds.touched, odds.reached) == (len(hits), sum(reached for _, reached in hits))
    by_bucket = {b: (n, k) for b, (n, k) in odds.by_touch_bucket.items() if n}
    expected: dict[str, tuple[int, int]] = {}
    for bucket, reached in hits:
        n, k = expected.get(bucket, (0, 0))
        expected[bucket] = (n + 1, k + reached)
    assert by_bucket == expected


def test_real_spx_completion_rates_are_plausible(source):
    detail = gate_sessions(
        source.bars("SPX", "5m"), session_levels(source.bars("SPX", "1d")), "both"
    )
    for direction in ("bull", "bear"):
        stats = gate_stats(detail, direction)
        assert stats.sessions == 255
        assert stats.triggers + stats.excluded <= stats.sessions
        assert stats.row("09").triggers > 10
        assert 30 < stats.rate < 95
        for row in stats.rows:
            if row.triggers:
                assert sum(row.pct_by_hour.values()) == pytest.approx(row.rate, abs=1e-9)
                first = "09" if row.bucket == "open" else row.bucket
                assert all(row.by_hour[h] == 0 for h in HOURS if h < first)


def test_gate_answer_parts_add_up_to_the_triggers(source):
    """Issue #13: "completed" and "fell back first" must add up to the triggers: completed
    (some after a fall back) + fell back and never completed + neither = triggers."""
    from tools import ToolContext, run_tool

    result = run_tool(ToolContext(source=source), "golden_gate_stats", {"symbol": "SPX"})
    reference = {1: _reference_gates("SPX", 1), -1: _reference_gates("SPX", -1)}
    for side in result.sides:
        values = [
            v
            for v in reference[1 if side.direction == "bull" else -1].values()
            if v is not None and v != "excluded"
        ]
        failed_only = sum(fail is not None and hour == "" for _, hour, fail, _ in values)
        neither = sum(fail is None and hour == "" for _, hour, fail, _ in values)
        assert (side.failed_not_completed, side.neither) == (failed_only, neither)
        assert side.completions + side.failed_not_completed + side.neither == side.triggers
