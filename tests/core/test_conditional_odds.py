"""Conditional golden-gate and level-to-level odds (weekday, open location, ribbon and phase
oscillator at the trigger) on the real SPX 5-minute data, checked count by count against a
deliberately naive per-session loop written here: the CSV rows of tests/core/test_gate_reference
(its own levels and gate/level-to-level outcomes), plain-Python EMAs, ATR and oscillator, its own
hourly bars, and the rule "read the last bar closed before the trigger bar opened".
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from core.conditions import (
    OPEN_LOCATIONS,
    PO_ZONES,
    Conditions,
    session_context,
    trigger_states,
)
from core.errors import InvalidArgumentError
from core.goldengate import gate_sessions, gate_stats
from core.levels import session_levels
from core.levelstats import level_to_level
from tests.core.test_gate_reference import (
    FILES,
    _day_levels,
    _gate,
    _l2l,
    _level,
    _sessions,
)

DAILY, FIVE = FILES["SPX"]
WEEKDAY = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# ---- the naive reference -------------------------------------------------------------------


def _ema(values, n):
    """SMA-seeded EMA over the values after any leading NaNs (None where undefined)."""
    out, alpha, value, seed = [], 2 / (n + 1), None, []
    for x in values:
        if value is None:
            if x is not None and not math.isnan(x):
                seed.append(x)
            if len(seed) == n:
                value = sum(seed) / n
            out.append(value)
            continue
        value = value * (1 - alpha) + x * alpha
        out.append(value)
    return out


def _atr(bars, n=14):
    """Wilder ATR: the first value (bar n) is the mean of TR[1..n], then RMA."""
    out, trs, value = [None] * len(bars), [], None
    for i in range(1, len(bars)):
        _, _, h, lo, _ = bars[i]
        prev = bars[i - 1][4]
        tr = max(h - lo, abs(h - prev), abs(lo - prev))
        if value is None:
            trs.append(tr)
            if len(trs) == n:
                value = sum(trs) / n
        else:
            value = (value * (n - 1) + tr) / n
        out[i] = value
    return out


def _zone(po):
    if po is None:
        return "n/a"
    for bound, name in ((100, "extended_up"), (61.8, "distribution")):
        if po >= bound:
            return name
    if po > 23.6:
        return "mark_up"
    if po >= -23.6:
        return "launch_box"
    if po > -61.8:
        return "mark_down"
    return "accumulation" if po > -100 else "extended_down"


def _states(bars):
    """[(spine, zone)] per bar of [(key, open, high, low, close)]."""
    close = [b[4] for b in bars]
    e8, e13, e21, e48 = (_ema(close, n) for n in (8, 13, 21, 48))
    atr = _atr(bars)
    raw = [
        math.nan if p is None or a is None else (c - p) / (3 * a) * 100
        for c, p, a in zip(close, e21, atr, strict=True)
    ]
    po = _ema(raw, 3)
    out = []
    for i in range(len(bars)):
        if None in (e8[i], e13[i], e21[i], e48[i]):
            spine = "n/a"
        elif e8[i] > e13[i] > e21[i] > e48[i]:
            spine = "bullish"
        elif e8[i] < e13[i] < e21[i] < e48[i]:
            spine = "bearish"
        else:
            spine = "mixed"
        out.append((spine, _zone(po[i])))
    return out


class Reference:
    """The SPX sessions, their levels, outcomes and the state read at any bar's start."""

    def __init__(self):
        self.levels = _day_levels(DAILY)
        self.sessions = {d: b for d, b in _sessions(FIVE).items() if d in self.levels}
        five = [(d, *bar) for d, bars in self.sessions.items() for bar in bars]
        self.five_pos = {(b[0], b[1]): i for i, b in enumerate(five)}
        self.five = _states([((b[0], b[1]), *b[2:]) for b in five])
        hours = {}
        for d, m, o, h, lo, c in five:  # hourly bars anchored at 09:30, first/max/min/last
            key = (d, (m - 570) // 60)
            if key not in hours:
                hours[key] = [key, o, h, lo, c]
            else:
                bar = hours[key]
                bar[2], bar[3], bar[4] = max(bar[2], h), min(bar[3], lo), c
        self.hour_pos = {k: i for i, k in enumerate(hours)}
        self.hour = _states([tuple(b) for b in hours.values()])

    def state(self, day, minute, tf):
        """The (spine, zone) of the last tf bar closed when the bar (day, minute) opened."""
        if tf == "5m":
            i = self.five_pos[(day, minute)] - 1
            return self.five[i] if i >= 0 else ("n/a", "n/a")
        i = self.hour_pos[(day, (minute - 570) // 60)] - 1  # the hour holding it is still open
        return self.hour[i] if i >= 0 else ("n/a", "n/a")

    def session_ok(self, day, where):
        bars, (pc, atr) = self.sessions[day], self.levels[day]
        o = bars[0][1]
        put, call = _level(pc, atr, -0.236), _level(pc, atr, 0.236)
        location = {
            "below_put_trigger": o <= put,
            "inside_triggers": put < o < call,
            "above_call_trigger": o >= call,
            "beyond_midrange_up": o >= _level(pc, atr, 0.618),
            "beyond_midrange_down": o <= _level(pc, atr, -0.618),
            "above_previous_close": o > pc,
            "below_previous_close": o < pc,
        }
        weekday = WEEKDAY[dt.date.fromisoformat(day).weekday()]
        if where.weekdays and weekday not in where.weekdays:
            return False
        return where.open_location is None or location[where.open_location]

    def trigger_ok(self, day, bar, where):
        spine, zone = self.state(day, self.sessions[day][bar][0], where.timeframe)
        return (where.ribbon is None or spine == where.ribbon) and (
            where.po_zone is None or zone == where.po_zone
        )


def _first(bars, hit):
    return next((i for i, b in enumerate(bars) if hit(b)), None)


def _gate_touch(bars, pc, atr, side):
    trig = _level(pc, atr, side * 0.382)
    return _first(bars, lambda b: b[2] >= trig if side > 0 else b[3] <= trig)


def _l2l_touch(bars, pc, atr, fa):
    a = _level(pc, atr, fa)
    if fa == 0:
        return _first(bars, lambda b: b[3] <= a <= b[2])
    return _first(bars, lambda b: b[2] >= a if fa > 0 else b[3] <= a)


@pytest.fixture(scope="module")
def ref():
    return Reference()


@pytest.fixture(scope="module")
def data(source):
    return source.bars("SPX", "5m"), session_levels(source.bars("SPX", "1d"))


CASES = [
    Conditions(weekdays=("fri",)),
    Conditions(weekdays=("mon", "tue", "wed")),
    *(Conditions(open_location=where) for where in OPEN_LOCATIONS),
    *(Conditions(ribbon=s, timeframe=tf) for s in ("bullish", "bearish", "mixed") for tf in ("5m", "1h")),
    *(Conditions(po_zone=z) for z in PO_ZONES),
    *(Conditions(po_zone=z, timeframe="1h") for z in ("mark_up", "launch_box", "mark_down")),
    Conditions(weekdays=("tue", "thu"), open_location="above_previous_close", ribbon="bullish"),
    Conditions(open_location="inside_triggers", ribbon="mixed", po_zone="launch_box", timeframe="1h"),
]  # fmt: skip


def _name(where):
    return "|".join(where.describe()).replace(" ", "_")


# ---- the comparisons -----------------------------------------------------------------------


@pytest.mark.parametrize("where", CASES, ids=_name)
@pytest.mark.parametrize(("direction", "side"), [("bull", 1), ("bear", -1)])
def test_conditional_gate_counts_equal_the_naive_loop(ref, data, where, direction, side):
    expected = {"sessions": 0, "excluded": 0, "triggers": 0, "completions": 0, "failures": 0}
    by_bucket: dict[str, tuple[int, int]] = {}
    for day, bars in ref.sessions.items():
        if not ref.session_ok(day, where):
            continue
        expected["sessions"] += 1
        outcome = _gate(bars, *ref.levels[day], side)
        if outcome == "excluded":
            expected["excluded"] += 1
            continue
        if outcome is None:
            continue
        if not ref.trigger_ok(day, _gate_touch(bars, *ref.levels[day], side), where):
            continue
        bucket, hour, fail, _ = outcome
        expected["triggers"] += 1
        expected["completions"] += hour != ""
        expected["failures"] += fail is not None
        n, k = by_bucket.get(bucket, (0, 0))
        by_bucket[bucket] = (n + 1, k + (hour != ""))
    stats = gate_stats(gate_sessions(*data, direction, where=where), direction)
    ours = {k: getattr(stats, k) for k in expected}
    assert ours == expected
    assert {r.bucket: (r.triggers, r.completions) for r in stats.rows if r.triggers} == by_bucket
    if expected["triggers"]:
        assert stats.rate == 100 * expected["completions"] / expected["triggers"]


@pytest.mark.parametrize("where", CASES, ids=_name)
@pytest.mark.parametrize(("from_level", "to_level"), [("+0.236", "+1"), ("-0.382", "-0.618")])
def test_conditional_level_to_level_equals_the_naive_loop(ref, data, where, from_level, to_level):
    fa, fb = float(from_level), float(to_level)
    sessions = excluded = touched = reached = 0
    for day, bars in ref.sessions.items():
        if not ref.session_ok(day, where):
            continue
        sessions += 1
        outcome = _l2l(bars, *ref.levels[day], fa, fb)
        if outcome == "excluded":
            excluded += 1
        elif outcome is not None and ref.trigger_ok(
            day, _l2l_touch(bars, *ref.levels[day], fa), where
        ):
            touched += 1
            reached += outcome[1]
    odds = level_to_level(*data, from_level, to_level, where=where)
    assert (odds.sessions, odds.excluded, odds.touched, odds.reached) == (
        sessions,
        excluded,
        touched,
        reached,
    )
    assert odds.sessions_scanned == len(ref.sessions)
    if touched:
        assert odds.rate == 100 * reached / touched


def test_unconditional_results_are_unchanged(data):
    bars, levels = data
    assert level_to_level(bars, levels, "+0.236", "+1", where=Conditions()) == level_to_level(
        bars, levels, "+0.236", "+1"
    )
    plain = gate_sessions(bars, levels, "both")
    marked = gate_sessions(bars, levels, "both", where=Conditions())
    assert marked[plain.columns].equals(plain) and marked["session_ok"].all()
    assert gate_stats(marked, "bull") == gate_stats(plain, "bull")


@pytest.mark.parametrize("tf", ["5m", "1h"])
def test_states_use_no_bar_after_the_trigger_bar_opened(data, tf):
    """Freqtrade's look-ahead check: the state read for a trigger from all the data equals the
    state read from the data cut just before the trigger bar."""
    bars, levels = data
    times = pd.DatetimeIndex(gate_sessions(bars, levels, "bull")["trigger_time"].dropna())
    picked = times[np.linspace(5, times.size - 1, 12).astype(int)]
    full = trigger_states(bars, picked, tf)
    for i, t in enumerate(picked):
        cut = trigger_states(bars[bars.index < t], pd.DatetimeIndex([t]), tf)
        assert cut.iloc[0].to_dict() == full.iloc[i].to_dict()
    assert (full["as_of"] < picked).all()


def test_states_differ_from_reading_the_trigger_bar_itself(data):
    """The rule matters: on this data reading the trigger bar's own close would change states."""
    bars, levels = data
    times = pd.DatetimeIndex(gate_sessions(bars, levels, "bull")["trigger_time"].dropna())
    before = trigger_states(bars, times, "5m")
    own = trigger_states(bars, times + pd.Timedelta(minutes=5), "5m")  # = the trigger bar
    assert (before["po_zone"] != own["po_zone"]).any()


def test_session_context_on_domain_example_4():
    # PC 4500, ATR 40: -0.618 4475.28, -0.236 4490.56, +0.236 4509.44, +0.618 4524.72
    opens = np.array([4475.28, 4490.56, 4490.57, 4500.0, 4509.44, 4524.72])
    days = np.array(["2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15",
                     "2024-03-18"], dtype="datetime64[D]")  # fmt: skip
    ctx = session_context(days, opens, np.full(6, 4500.0), np.full(6, 40.0))
    assert list(ctx["weekday"]) == ["mon", "tue", "wed", "thu", "fri", "mon"]
    assert list(ctx["open_location"]) == [
        "below_put_trigger",
        "below_put_trigger",  # at the trigger counts as beyond it, as for the gate's open bucket
        "inside_triggers",
        "inside_triggers",
        "above_call_trigger",
        "above_call_trigger",
    ]
    assert list(ctx["beyond_midrange_down"]) == [True, False, False, False, False, False]
    assert list(ctx["beyond_midrange_up"]) == [False, False, False, False, False, True]
    assert list(ctx["above_previous_close"]) == [False, False, False, False, True, True]
    assert list(ctx["below_previous_close"]) == [True, True, True, False, False, False]


def test_conditions_describe_every_condition():
    where = Conditions(
        weekdays=("wed", "mon"),
        open_location="below_put_trigger",
        ribbon="bullish",
        po_zone="mark_up",
        timeframe="1h",
    )
    assert where.describe() == [
        "triggered on Mon or Wed",
        "session opened below the put trigger",
        "ribbon bullish (1h) at the trigger",
        "phase oscillator in mark up (1h) at the trigger",
    ]
    assert Conditions(weekdays=("fri",)).describe("touched +0.236") == ["touched +0.236 on Fri"]
    assert Conditions().empty and not Conditions(weekdays=("fri",)).at_trigger


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weekdays": ("sat",)}, "weekday 'sat'"),
        ({"open_location": "below_put"}, "Did you mean 'below_put_trigger'"),
        ({"ribbon": "bull"}, "accepted: bullish, bearish, mixed"),
        ({"po_zone": "markup"}, "Did you mean 'mark_up'"),
        ({"timeframe": "15m"}, "accepted: 5m, 1h"),
    ],
)
def test_bad_conditions_say_what_is_accepted(kwargs, message):
    with pytest.raises(InvalidArgumentError, match=message):
        Conditions(**kwargs)
