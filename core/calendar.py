"""The NYSE trading calendar by rule: full-day holidays and 13:00 early closes.

Rules (current NYSE practice): New Year's Day (no make-up when it falls on a Saturday), Martin
Luther King Jr. Day (3rd Monday of January, since 1998), Washington's Birthday (3rd Monday of
February), Good Friday, Memorial Day (last Monday of May), Juneteenth (since 2022), Independence
Day, Labor Day, Thanksgiving (4th Thursday of November) and Christmas; a Saturday holiday is
observed on Friday, a Sunday one on Monday. One-off closures (2001-09-11, 2012-10-29, national
days of mourning) are not rules: inside a data set, the data's own sessions are the truth.
"""

from __future__ import annotations

import datetime as dt
from functools import cache


def easter(year: int) -> dt.date:
    """Return Easter Sunday of ``year`` (Gregorian, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last_weekday(year: int, month: int, weekday: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _observed(day: dt.date) -> dt.date:
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@cache
def holidays(year: int) -> frozenset[dt.date]:
    """Return the NYSE full-day holidays of ``year``."""
    days = {
        _nth_weekday(year, 2, 0, 3),
        easter(year) - dt.timedelta(days=2),
        _last_weekday(year, 5, 0),
        _observed(dt.date(year, 7, 4)),
        _nth_weekday(year, 9, 0, 1),
        _nth_weekday(year, 11, 3, 4),
        _observed(dt.date(year, 12, 25)),
    }
    new_year = dt.date(year, 1, 1)
    if new_year.weekday() != 5:
        days.add(_observed(new_year))
    if year >= 1998:
        days.add(_nth_weekday(year, 1, 0, 3))
    if year >= 2022:
        days.add(_observed(dt.date(year, 6, 19)))
    return frozenset(days)


def is_session(day: dt.date) -> bool:
    """Return True if the NYSE trades on ``day`` by rule (a weekday that is not a holiday)."""
    return day.weekday() < 5 and day not in holidays(day.year)


def next_session(day: dt.date) -> dt.date:
    """Return the first trading session strictly after ``day``."""
    nxt = day + dt.timedelta(days=1)
    while not is_session(nxt):
        nxt += dt.timedelta(days=1)
    return nxt


def previous_session(day: dt.date) -> dt.date:
    """Return the last trading session strictly before ``day``."""
    prev = day - dt.timedelta(days=1)
    while not is_session(prev):
        prev -= dt.timedelta(days=1)
    return prev


def early_close(day: dt.date) -> bool:
    """Return True on a 13:00 early close: July 3, the day after Thanksgiving, December 24."""
    if not is_session(day):
        return False
    after_thanksgiving = _nth_weekday(day.year, 11, 3, 4) + dt.timedelta(days=1)
    return day in (dt.date(day.year, 7, 3), after_thanksgiving, dt.date(day.year, 12, 24))
