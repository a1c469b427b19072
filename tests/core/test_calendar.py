"""The NYSE calendar against the sessions in the real daily files (issue #12, defect 2: the rule
calendar disagreed with the real SPX sessions on 22 days since 1970 and missed early closes)."""

from __future__ import annotations

import datetime as dt

import pytest

from core.calendar import (
    early_close,
    easter,
    holidays,
    is_session,
    next_session,
    previous_session,
    rule_holidays,
)


def test_easter_known_dates():
    assert easter(2024) == dt.date(2024, 3, 31)
    assert easter(2025) == dt.date(2025, 4, 20)
    assert easter(2026) == dt.date(2026, 4, 5)


@pytest.mark.parametrize(
    ("symbol", "first"), [("SPX", dt.date(1970, 1, 2)), ("SPY", dt.date(1993, 2, 1))]
)
def test_every_day_matches_the_sessions_in_the_daily_file(source, symbol, first):
    """No exception list: every calendar day from ``first`` to the file's last day is a session
    exactly when the shipped daily file has a bar for it."""
    index = source.bars(symbol, "1d").index
    days = {t.date() for t in index}
    last = max(days)
    mismatches = []
    day = first
    while day <= last:
        if is_session(day) != (day in days):
            mismatches.append(day)
        day += dt.timedelta(days=1)
    assert mismatches == []


def test_the_rule_calendar_alone_was_wrong_on_real_closures():
    closures = [
        dt.date(2001, 9, 11),
        dt.date(2012, 10, 29),
        dt.date(2018, 12, 5),
        dt.date(2025, 1, 9),
    ]
    assert not any(is_session(d) for d in closures)
    assert not any(d in rule_holidays(d.year) for d in closures)  # what the rules missed
    assert all(d in holidays(d.year) for d in closures)


def test_next_and_previous_session_skip_holidays_and_closures():
    assert next_session(dt.date(2026, 2, 13)) == dt.date(2026, 2, 17)  # Presidents' Day
    assert previous_session(dt.date(2026, 2, 17)) == dt.date(2026, 2, 13)
    assert next_session(dt.date(2025, 12, 31)) == dt.date(2026, 1, 2)
    assert next_session(dt.date(2025, 1, 8)) == dt.date(2025, 1, 10)  # Carter mourning day
    assert next_session(dt.date(2031, 1, 2)) == dt.date(2031, 1, 3)  # past the range: rules


def test_early_closes_match_the_intraday_file_and_history(source):
    bars = source.bars("SPY", "5m")
    short = {d for d, n in bars.groupby(bars.index.date).size().items() if n == 42}
    assert short == {dt.date(2025, 7, 3), dt.date(2025, 11, 28), dt.date(2025, 12, 24)}
    assert all(early_close(d) for d in short)
    assert not early_close(dt.date(2025, 7, 2))
    assert early_close(dt.date(2002, 7, 5)) and early_close(dt.date(2003, 12, 26))
    assert not early_close(dt.date(2002, 7, 3))


def test_holiday_names_by_the_rules():
    import datetime as dt

    from core.calendar import holiday_name

    assert holiday_name(dt.date(2026, 2, 16)) == "Presidents' Day"  # third Monday of February
    assert holiday_name(dt.date(2021, 12, 24)) == "Christmas Day"  # observed: the 25th a Saturday
    assert holiday_name(dt.date(2022, 6, 20)) == "Juneteenth"  # observed Monday
    assert holiday_name(dt.date(2021, 6, 18)) is None  # no Juneteenth closure before 2022
    assert holiday_name(dt.date(2026, 2, 13)) is None  # a session
    assert holiday_name(dt.date(2018, 12, 5)) is None  # a one-off closure has no rule name
