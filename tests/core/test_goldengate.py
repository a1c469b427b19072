"""Golden-gate detection on hand-made sessions (domain §10 ex. 7) and statistics on the real SPX
5-minute file against an independent, deliberately simple pure-Python implementation."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd
import pytest

from core.goldengate import gate_sessions, gate_stats, level_to_level
from core.levels import session_levels
from integrations.marketdata.files import samples_dir

LEVELS = pd.DataFrame(
    {"previous_close": [4500.0], "atr": [40.0]},
    index=pd.DatetimeIndex(["2024-03-13"]).tz_localize("America/New_York"),
)


def _session(bars: dict[str, tuple[float, float, float]], open_: float = 4505.0) -> pd.DataFrame:
    """5-minute bars on 2024-03-13 from {"HH:MM": (high, low, close)}; quiet bars elsewhere
    sit between the call trigger (4509.44) and the golden gate (4515.28)."""
    times = pd.date_range(
        "2024-03-13 09:30", "2024-03-13 15:55", freq="5min", tz="America/New_York"
    )
    rows = []
    for t in times:
        h, lo, c = bars.get(t.strftime("%H:%M"), (4513.0, 4511.0, 4512.0))
        rows.append((open_ if t == times[0] else lo, h, lo, c))
    o, h, lo, c = map(np.array, zip(*rows, strict=True))
    o[0] = open_
    lo[0] = min(lo[0], open_)
    h[0] = max(h[0], open_)
    return pd.DataFrame({"open": o, "high": h, "low": lo, "close": c, "volume": 0.0}, index=times)


def test_example_7_trigger_at_1015_completes_in_hour_13():
    bars = _session({"10:15": (4516.0, 4510.0, 4514.0), "13:40": (4525.0, 4515.0, 4524.0)})
    row = gate_sessions(bars, LEVELS, "bull").iloc[0]
    assert row["triggered"] and row["trigger_bucket"] == "10"
    assert row["trigger_time"].strftime("%H:%M") == "10:15"
    assert row["trigger_price"] == pytest.approx(4515.28)
    assert row["completed"] and row["completion_hour"] == "13" and not row["failed"]
    assert row["minutes_to_complete"] == 13 * 60 + 40 - (10 * 60 + 15)


def test_example_7_low_below_the_trigger_first_is_a_failure():
    bars = _session(
        {
            "10:15": (4516.0, 4510.0, 4514.0),
            "11:00": (4512.0, 4509.0, 4510.0),
            "13:40": (4525.0, 4515.0, 4524.0),
        }
    )
    row = gate_sessions(bars, LEVELS, "bull").iloc[0]
    assert row["failed"] and row["completed"]  # failed first, completed later: both reported
    assert row["failure_time"].strftime("%H:%M") == "11:00"


def test_open_bucket_excluded_gap_and_same_bar_completion():
    opened = gate_sessions(_session({}, open_=4516.0), LEVELS, "bull").iloc[0]
    assert opened["trigger_bucket"] == "open" and not opened["completed"]
    gapped = gate_sessions(_session({}, open_=4530.0), LEVELS, "bull").iloc[0]
    assert gapped["excluded"] and not gapped["triggered"]
    same = gate_sessions(_session({"09:45": (4526.0, 4505.0, 4520.0)}), LEVELS, "bull").iloc[0]
    assert same["trigger_bucket"] == "09" and same["completed"] and same["completion_hour"] == "09"


def test_bear_mirror_and_no_trigger():
    bars = _session({"14:05": (4486.0, 4484.0, 4485.0), "15:50": (4480.0, 4475.0, 4476.0)})
    bear = gate_sessions(bars, LEVELS, "bear").iloc[0]
    assert bear["trigger_bucket"] == "14" and bear["completion_hour"] == "15"
    bull = gate_sessions(bars, LEVELS, "bull").iloc[0]
    assert not bull["triggered"] and bull["trigger_bucket"] == ""


def test_stats_table_counts_and_bucket_filter():
    detail = gate_sessions(
        _session({"10:15": (4516.0, 4510.0, 4514.0), "13:40": (4525.0, 4515.0, 4524.0)}),
        LEVELS,
        "bull",
    )
    stats = gate_stats(detail, "bull")
    row10 = next(r for r in stats.rows if r.bucket == "10")
    assert (row10.triggers, row10.completions, row10.by_hour["13"], row10.rate) == (1, 1, 1, 100.0)
    after_1pm = gate_stats(detail, "bull", ["13", "14", "15"])
    assert after_1pm.triggers == 0 and [r.bucket for r in after_1pm.rows] == ["13", "14", "15"]


# ---- independent reference on the real SPX 5-minute file ---------------------------------


def _round2(x: float) -> float:
    return float(Decimal(repr(round(x, 9))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _reference_levels(path):
    """Day previous close and rounded Wilder ATR(14) per session date, by plain loops."""
    rows = list(csv.DictReader(open(path)))
    highs = [float(r["high"]) for r in rows]
    lows = [float(r["low"]) for r in rows]
    closes = [float(r["close"]) for r in rows]
    atr, out = None, {}
    trs = []
    for i in range(1, len(rows)):
        tr = max(highs[i] - lows[i], abs(highs[i] - closes[i - 1]), abs(lows[i] - closes[i - 1]))
        trs.append(tr)
        if len(trs) == 14:
            atr = sum(trs) / 14
        elif len(trs) > 14:
            atr = (atr * 13 + tr) / 14
        if atr is not None and i + 1 < len(rows):
            out[rows[i + 1]["timestamp"]] = (closes[i], _round2(atr))
    return out


def _reference_table(intraday_path, levels, side):
    sessions: dict[str, list] = {}
    for r in csv.DictReader(open(intraday_path)):
        sessions.setdefault(r["timestamp"][:10], []).append(r)
    table: dict[str, dict[str, int]] = {}
    for day, rows in sessions.items():
        if day not in levels:
            continue
        pc, atr = levels[day]
        trig, done = pc + side * 0.382 * atr, pc + side * 0.618 * atr
        beyond = (lambda p, lv: p >= lv) if side > 0 else (lambda p, lv: p <= lv)
        first_open = float(rows[0]["open"])
        if beyond(first_open, done):
            continue
        bucket = completed_hour = None
        for r in rows:
            ext = float(r["high"]) if side > 0 else float(r["low"])
            hour = max(9, int(r["timestamp"][11:13]))
            if bucket is None and beyond(ext, trig):
                bucket = "open" if beyond(first_open, trig) else f"{hour:02d}"
            if bucket is not None and beyond(ext, done):
                completed_hour = f"{hour:02d}"
                break
        if bucket is None:
            continue
        row = table.setdefault(bucket, {"triggers": 0, "completions": 0})
        row["triggers"] += 1
        if completed_hour:
            row["completions"] += 1
            row[completed_hour] = row.get(completed_hour, 0) + 1
    return table


@pytest.mark.parametrize(("direction", "side"), [("bull", 1), ("bear", -1)])
def test_real_spx_table_equals_the_reference(source, direction, side):
    folder = samples_dir()
    ref_levels = _reference_levels(folder / "spx_daily_1962-01-02_2026-02-27.csv")
    reference = _reference_table(
        folder / "spx_5min_rth_2025-02-10_2026-02-13.csv", ref_levels, side
    )
    detail = gate_sessions(
        source.bars("SPX", "5m"), session_levels(source.bars("SPX", "1d")), direction
    )
    stats = gate_stats(detail, direction)
    assert stats.sessions == 255 and (stats.first_date, stats.last_date) == (
        "2025-02-10",
        "2026-02-13",
    )
    ours = {
        r.bucket: {
            "triggers": r.triggers,
            "completions": r.completions,
            **{h: n for h, n in r.by_hour.items() if n},
        }
        for r in stats.rows
        if r.triggers
    }
    assert ours == reference
    assert ours["09"]["triggers"] > 10


def test_level_to_level_reference_on_real_data(source):
    bars, daily = source.bars("SPX", "5m"), source.bars("SPX", "1d")
    lv = session_levels(daily)
    result = level_to_level(bars, lv, "+0.382", "+0.618")
    gate = gate_stats(gate_sessions(bars, lv, "bull"), "bull")
    # the golden gate is the level-to-level pair +0.382 → +0.618 with the same rules
    assert (result.touched, result.reached) == (gate.triggers, gate.completions)
    assert result.excluded == gate.excluded
    assert 0 <= result.rate <= 100


def test_level_to_level_reversal_needs_a_later_bar():
    bars = _session({"10:00": (4516.0, 4499.0, 4500.0)})  # touches +0.382 and PC in one bar
    one_bar = level_to_level(bars, LEVELS, "+0.382", "0")
    assert (one_bar.touched, one_bar.reached) == (1, 0)
    later = level_to_level(
        _session({"10:00": (4516.0, 4510.0, 4512.0), "11:00": (4505.0, 4499.0, 4500.0)}),
        LEVELS,
        "+0.382",
        "0",
    )
    assert (later.touched, later.reached) == (1, 1)
    assert later.by_touch_bucket["10"] == (1, 1)
    assert dt.date.fromisoformat(later.first_date) == dt.date(2024, 3, 13)
