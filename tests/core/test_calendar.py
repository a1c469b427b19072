"""The rule-based NYSE calendar against the sessions in the real daily files."""

from __future__ import annotations

import datetime as dt

from core.calendar import easter, early_close, is_session, next_session, previous_session


def test_easter_known_dates():
    assert easter(2024) == dt.date(2024, 3, 31)
    assert easter(2025) == dt.date(2025, 4, 20)
    assert easter(2026) == dt.date(2026, 4, 5)


def test_rule_calendar_matches_real_spy_sessions_2010_2025(source):
    days = {t.date() for t in source.bars("SPY", "1d").index}
    one_off = {
        dt.date(2012, 10, 29),
        dt.date(2012, 10, 30),
        dt.date(2018, 12, 5),
        dt.date(2025, 1, 9),
    }  # Hurricane Sandy, national days of mourning
    day = dt.date(2010, 1, 1)
    while day <= dt.date(2025, 12, 31):
        if day not in one_off:
            assert is_session(day) == (day in days), day
        day += dt.timedelta(days=1)


def test_next_and_previous_session_skip_holidays():
    assert next_session(dt.date(2026, 2, 13)) == dt.date(2026, 2, 17)  # Presidents' Day
    assert previous_session(dt.date(2026, 2, 17)) == dt.date(2026, 2, 13)
    assert next_session(dt.date(2025, 12, 31)) == dt.date(2026, 1, 2)


def test_early_closes_match_the_intraday_file(source):
    bars = source.bars("SPY", "5m")
    short = {d for d, n in bars.groupby(bars.index.date).size().items() if n == 42}
    assert short == {dt.date(2025, 7, 3), dt.date(2025, 11, 28), dt.date(2025, 12, 24)}
    assert all(early_close(d) for d in short)
    assert not early_close(dt.date(2025, 7, 2))
