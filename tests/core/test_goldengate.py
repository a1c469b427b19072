"""Golden-gate detection and statistics on hand-made sessions (domain §4.1, §10 ex. 7)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from core.bars import resample
from core.errors import DataError, DateOutOfRangeError, InvalidArgumentError
from core.goldengate import BUCKETS, HOURS, gate_sessions, gate_statistics, gate_stats
from core.levels import session_levels
from core.levelstats import level_to_level
from tests.core.synthetic import BEAR_QUIET, combine, levels_for, session

LEVELS = levels_for(["2024-03-13"])
EX7 = {"10:15": (4513.0, 4516.0, 4512.0, 4514.0), "13:40": (4520.0, 4525.0, 4519.0, 4524.0)}


def _bull(bars: pd.DataFrame, levels: pd.DataFrame = LEVELS) -> pd.Series:
    return gate_sessions(bars, levels, "bull").iloc[0]


def test_example_7_trigger_in_the_1015_bar_completes_in_hour_13():
    row = _bull(session(bars=EX7))
    assert row["triggered"] and row["trigger_bucket"] == "10"
    assert row["trigger_time"] == pd.Timestamp("2024-03-13 10:15", tz="America/New_York")
    assert row["trigger_price"] == pytest.approx(4515.28, abs=1e-9)
    assert row["completed"] and row["completion_hour"] == "13" and not row["failed"]
    assert row["completion_time"].strftime("%H:%M") == "13:40"
    assert row["minutes_to_complete"] == 13 * 60 + 40 - (10 * 60 + 15)
    assert not row["excluded"] and pd.isna(row["failure_time"])


def test_example_7_touching_the_call_trigger_first_is_a_failure():
    dip = {**EX7, "11:00": (4512.0, 4512.5, 4509.44, 4510.0)}  # low exactly +0.236: a touch
    row = _bull(session(bars=dip))
    assert row["failed"] and row["completed"]  # failed first, completed later: both reported
    assert row["failure_time"].strftime("%H:%M") == "11:00"
    above = {**EX7, "11:00": (4512.0, 4512.5, 4509.45, 4510.0)}
    assert not _bull(session(bars=above))["failed"]


def test_a_dip_after_the_completion_is_no_failure():
    late = {**EX7, "14:00": (4512.0, 4512.5, 4505.0, 4506.0)}
    row = _bull(session(bars=late))
    assert row["completed"] and not row["failed"]


def test_open_bucket_and_a_dip_in_the_opening_bar_is_a_failure():
    row = _bull(session(first_open=4516.0))
    assert row["trigger_bucket"] == "open" and not row["completed"] and not row["failed"]
    assert row["trigger_time"].strftime("%H:%M") == "09:30"
    dipped = _bull(session(bars={"09:30": (4516.0, 4517.0, 4509.0, 4510.0)}))
    assert dipped["trigger_bucket"] == "open" and dipped["failed"]
    assert dipped["failure_time"].strftime("%H:%M") == "09:30"


def test_a_dip_inside_a_trigger_bar_that_opened_below_the_gate_is_not_a_failure():
    row = _bull(session(bars={"10:15": (4512.0, 4516.0, 4509.0, 4514.0)}))
    assert row["trigger_bucket"] == "10" and not row["failed"]
    gap = _bull(session(bars={"10:15": (4516.0, 4517.0, 4509.0, 4514.0)}))  # gapped over it
    assert gap["failed"] and gap["failure_time"].strftime("%H:%M") == "10:15"


def test_opening_at_or_beyond_the_midrange_is_excluded():
    for first_open in (4524.72, 4530.0):
        row = _bull(session(first_open=first_open))
        assert row["excluded"] and not row["triggered"] and row["trigger_bucket"] == ""
        assert not row["completed"] and not row["failed"]


def test_completion_inside_the_trigger_bar():
    row = _bull(session(bars={"09:45": (4512.0, 4526.0, 4511.0, 4520.0)}))
    assert (row["trigger_bucket"], row["completion_hour"], row["minutes_to_complete"]) == (
        "09",
        "09",
        0,
    )
    opened = _bull(session(bars={"09:30": (4516.0, 4526.0, 4505.0, 4520.0)}))
    assert opened["trigger_bucket"] == "open" and opened["completed"]
    assert not opened["failed"]  # dip and completion in one bar: order unknown, completion stands


def test_bear_mirror_and_no_bull_trigger():
    bars = session(
        quiet=BEAR_QUIET,
        bars={
            "14:05": (4487.0, 4487.5, 4484.72, 4485.0),
            "14:30": (4486.0, 4490.56, 4485.5, 4489.0),
            "15:50": (4480.0, 4481.0, 4475.0, 4476.0),
        },
    )
    bear = gate_sessions(bars, LEVELS, "bear").iloc[0]
    assert (bear["trigger_bucket"], bear["completion_hour"]) == ("14", "15")
    assert bear["trigger_price"] == pytest.approx(4484.72, abs=1e-9)
    assert bear["failed"] and bear["failure_time"].strftime("%H:%M") == "14:30"
    assert bear["minutes_to_complete"] == 105
    bull = gate_sessions(bars, LEVELS, "bull").iloc[0]
    assert not bull["triggered"] and bull["trigger_bucket"] == "" and bull["completion_hour"] == ""
    assert pd.isna(bull["trigger_time"]) and pd.isna(bull["minutes_to_complete"])


def test_bear_open_bucket_and_exclusion():
    assert (
        gate_sessions(session(quiet=BEAR_QUIET, first_open=4484.0), LEVELS, "bear").iloc[0][
            "trigger_bucket"
        ]
        == "open"
    )
    gap = gate_sessions(session(quiet=BEAR_QUIET, first_open=4470.0), LEVELS, "bear").iloc[0]
    assert gap["excluded"] and not gap["triggered"]


def _five_days() -> tuple[pd.DataFrame, pd.DataFrame]:
    days = ["2024-03-11", "2024-03-12", "2024-03-13", "2024-03-14", "2024-03-15"]
    bars = combine(
        session(days[0], EX7),  # 10 → 13
        session(days[1], {**EX7, "11:00": (4512.0, 4512.5, 4509.0, 4510.0)}),  # 10 → 13, failed
        session(days[2], first_open=4516.0),  # open, not completed
        session(days[3], first_open=4530.0),  # excluded
        session(days[4], {"13:05": (4513.0, 4516.0, 4512.0, 4515.5)}),  # 13, not completed
    )
    return bars, levels_for(days)


def test_statistics_table_counts_percentages_and_sample():
    bars, levels = _five_days()
    stats = gate_stats(gate_sessions(bars, levels, "bull"), "bull")
    assert (stats.sessions, stats.excluded, stats.first_date, stats.last_date) == (
        5,
        1,
        "2024-03-11",
        "2024-03-15",
    )
    assert (stats.triggers, stats.completions, stats.failures) == (4, 2, 1)
    assert stats.rate == 50.0 and stats.median_minutes_to_complete == 205.0
    assert [r.bucket for r in stats.rows] == list(BUCKETS)
    table = {r.bucket: (r.triggers, r.completions, r.failures) for r in stats.rows if r.triggers}
    assert table == {"open": (1, 0, 0), "10": (2, 2, 1), "13": (1, 0, 0)}
    row10 = stats.row("10")
    assert row10.by_hour == {h: (2 if h == "13" else 0) for h in HOURS}
    assert row10.pct_by_hour["13"] == 100.0 and row10.rate == 100.0
    assert stats.row("13").rate == 0.0 and stats.row("11").rate is None
    assert stats.row("11").pct_by_hour["11"] is None


def test_bucket_and_date_filters():
    bars, levels = _five_days()
    detail = gate_sessions(bars, levels, "bull")
    after_1pm = gate_stats(detail, "bull", ["13", "14", "15"])
    assert [r.bucket for r in after_1pm.rows] == ["13", "14", "15"]
    assert (after_1pm.triggers, after_1pm.completions, after_1pm.sessions) == (1, 0, 5)
    window = gate_stats(detail, "bull", start="2024-03-12", end="2024-03-13")
    assert (window.sessions, window.triggers, window.completions) == (2, 2, 1)
    assert (window.first_date, window.last_date) == ("2024-03-12", "2024-03-13")
    scanned = gate_sessions(bars, levels, "bull", start="2024-03-12", end="2024-03-13")
    expected = detail.iloc[1:3].reset_index(drop=True)
    pd.testing.assert_frame_equal(scanned, expected)
    with pytest.raises(InvalidArgumentError, match="accepted"):
        gate_stats(detail, "bull", ["1pm"])
    with pytest.raises(DateOutOfRangeError, match="cover 2024-03-11 to 2024-03-15"):
        gate_sessions(bars, levels, "bull", start="2025-01-01")
    with pytest.raises(InvalidArgumentError, match="after end"):
        gate_sessions(bars, levels, "bull", start="2024-03-14", end="2024-03-12")


def test_both_directions_in_one_frame():
    bars, levels = _five_days()
    both = gate_sessions(bars, levels, "both")
    assert len(both) == 10 and list(both["direction"].unique()) == ["bull", "bear"]
    bull = gate_stats(both, "bull")
    assert bull == gate_stats(gate_sessions(bars, levels, "bull"), "bull")
    assert bull == gate_statistics(bars, levels, "bull")
    with pytest.raises(InvalidArgumentError, match="pick a direction"):
        gate_stats(both)


def test_gate_is_the_level_to_level_pair_382_to_618():
    bars, levels = _five_days()
    stats = gate_stats(gate_sessions(bars, levels, "bull"), "bull")
    odds = level_to_level(bars, levels, "+0.382", "+0.618")
    assert (odds.touched, odds.reached, odds.excluded) == (4, 2, 1)
    assert odds.by_touch_bucket == {r.bucket: (r.triggers, r.completions) for r in stats.rows}


def test_momentum_gate_levels():
    bars = session(
        bars={"10:00": (4550.0, 4556.0, 4549.0, 4555.0), "11:00": (4560.0, 4565.0, 4559.0, 4564.0)}
    )
    row = gate_sessions(bars, LEVELS, "bull", 1.382, 1.618, 1.236).iloc[0]
    assert row["trigger_price"] == pytest.approx(4555.28, abs=1e-9)
    assert (row["trigger_bucket"], row["completion_hour"]) == ("10", "11")


def test_bars_outside_regular_hours_are_ignored():
    early = pd.DataFrame(
        {"open": 4530.0, "high": 4540.0, "low": 4530.0, "close": 4535.0, "volume": 0.0},
        index=pd.DatetimeIndex(["2024-03-13 08:00"]).tz_localize("America/New_York"),
    )
    row = _bull(combine(early, session(bars=EX7)))
    assert row["trigger_bucket"] == "10" and not row["excluded"]


def test_bad_inputs_are_refused_with_what_is_accepted():
    bars = session(bars=EX7)
    with pytest.raises(InvalidArgumentError, match="bull, bear or both"):
        gate_sessions(bars, LEVELS, "up")
    with pytest.raises(InvalidArgumentError, match="fail < trigger < target"):
        gate_sessions(bars, LEVELS, "bull", 0.618, 0.382)
    with pytest.raises(DataError, match="sorted"):
        gate_sessions(bars.iloc[::-1], LEVELS)
    with pytest.raises(DataError, match="timezone-aware"):
        gate_sessions(bars.tz_localize(None), LEVELS)
    with pytest.raises(DataError, match="has levels"):
        gate_sessions(bars, levels_for(["2024-03-12"]))
    with pytest.raises(InvalidArgumentError, match="previous_close"):
        gate_sessions(bars, LEVELS.rename(columns={"previous_close": "pc"}))


def test_statistics_are_json_ready_with_raw_counts():
    bars, levels = _five_days()
    data = json.loads(json.dumps(gate_stats(gate_sessions(bars, levels, "bull"), "bull").to_dict()))
    assert (data["triggers"], data["completions"], data["rate"], data["sessions"]) == (
        4,
        2,
        50.0,
        5,
    )
    row10 = next(r for r in data["rows"] if r["bucket"] == "10")
    assert row10["by_hour"]["13"] == 2 and row10["pct_by_hour"]["13"] == 100.0


def test_bucket_and_completion_hour_do_not_depend_on_bar_size(source):
    """1-minute bars and the same bars as 5-minute bars give the same trigger buckets and
    completion hours (a 5-minute bar never straddles an hour)."""
    minute = source.bars("SPY", "1m")
    five = resample(minute, "5m", "1m")
    levels = session_levels(source.bars("SPY", "1d"))
    cols = ["date", "excluded", "trigger_bucket", "completed", "completion_hour"]
    for side in ("bull", "bear"):
        fine = gate_sessions(minute, levels, side)[cols]
        coarse = gate_sessions(five, levels, side)[cols]
        pd.testing.assert_frame_equal(fine, coarse)
        assert fine["trigger_bucket"].ne("").sum() > 10
