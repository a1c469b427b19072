"""The NYSE trading calendar: sessions, holidays and 13:00 early closes.

From 1950 to 2030 the sessions and early closes are those of a maintained calendar
(``exchange_calendars``' XNYS: one-off closures such as 2001-09-11, Hurricane Sandy and national
days of mourning included, and the historical rules of each era). Outside that range, and for
``easter``, the rules below apply.

Rules (current NYSE practice): New Year's Day (no make-up when it falls on a Saturday), Martin
Luther King Jr. Day (3rd Monday of January, since 1998), Washington's Birthday (3rd Monday of
February), Good Friday, Memorial Day (last Monday of May), Juneteenth (since 2022), Independence
Day, Labor Day, Thanksgiving (4th Thursday of November) and Christmas; a Saturday holiday is
observed on Friday, a Sunday one on Monday. One-off closures (2001-09-11, 2012-10-29, national
days of mourning) are not rules: inside a data set, the data's own sessions are the truth.
"""

from __future__ import annotations

import datetime as dt
import warnings
from functools import cache

import numpy as np

_RANGE = (dt.date(1950, 1, 3), dt.date(2030, 12, 31))


@cache
def _xnys() -> tuple[np.ndarray, frozenset[dt.date]]:
    """Return (session dates as datetime64[D], early-close dates) of XNYS over ``_RANGE``."""
    import exchange_calendars  # loaded on first use (~0.5 s), then kept

    with warnings.catch_warnings():  # the library's own use of a pandas API pandas deprecates
        warnings.filterwarnings("ignore", message="Series.values returning an ndarray")
        cal = exchange_calendars.get_calendar(
            "XNYS", start=_RANGE[0].isoformat(), end=_RANGE[1].isoformat()
        )
    sessions = cal.sessions.to_numpy().astype("datetime64[D]")
    early = frozenset(d.date() for d in cal.early_closes)
    return sessions, early


def _covered(day: dt.date) -> bool:
    return _RANGE[0] <= day <= _RANGE[1]


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
    """Return the NYSE full-day holidays of ``year``: the weekdays without a session (closures
    included) where the maintained calendar covers the year, else the rule holidays."""
    if _RANGE[0].year < year < _RANGE[1].year:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        return frozenset(
            first + dt.timedelta(days=i)
            for i in range((last - first).days + 1)
            if (first + dt.timedelta(days=i)).weekday() < 5
            and not is_session(first + dt.timedelta(days=i))
        )
    return rule_holidays(year)


@cache
def rule_holidays(year: int) -> frozenset[dt.date]:
    """Return the NYSE full-day holidays of ``year`` by the current rules."""
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


def holiday_name(day: dt.date) -> str | None:
    """Return the name of the NYSE full-day holiday that ``day`` is by the current rules
    ("Presidents' Day", observed dates included), or None (a session, a weekend, or a one-off
    closure such as 2018-12-05)."""
    year = day.year
    named = {
        _nth_weekday(year, 1, 0, 3): "Martin Luther King Jr. Day",
        _nth_weekday(year, 2, 0, 3): "Presidents' Day",
        easter(year) - dt.timedelta(days=2): "Good Friday",
        _last_weekday(year, 5, 0): "Memorial Day",
        _observed(dt.date(year, 6, 19)): "Juneteenth",
        _observed(dt.date(year, 7, 4)): "Independence Day",
        _nth_weekday(year, 9, 0, 1): "Labor Day",
        _nth_weekday(year, 11, 3, 4): "Thanksgiving Day",
        _observed(dt.date(year, 12, 25)): "Christmas Day",
        _observed(dt.date(year, 1, 1)): "New Year's Day",
    }
    name = named.get(day)
    return name if name is not None and day in rule_holidays(year) else None


def is_session(day: dt.date) -> bool:
    """Return True if the NYSE trades on ``day`` (the maintained calendar from 1950 to 2030,
    else by rule: a weekday that is not a holiday)."""
    if _covered(day):
        sessions = _xnys()[0]
        pos = int(np.searchsorted(sessions, np.datetime64(day, "D")))
        return pos < sessions.size and sessions[pos] == np.datetime64(day, "D")
    return day.weekday() < 5 and day not in holidays(day.year)


def next_session(day: dt.date) -> dt.date:
    """Return the first trading session strictly after ``day``."""
    if _RANGE[0] <= day < _RANGE[1]:
        sessions = _xnys()[0]
        pos = int(np.searchsorted(sessions, np.datetime64(day, "D"), side="right"))
        if pos < sessions.size:
            found: dt.date = sessions[pos].astype(object)
            return found
    nxt = day + dt.timedelta(days=1)
    while not is_session(nxt):
        nxt += dt.timedelta(days=1)
    return nxt


def previous_session(day: dt.date) -> dt.date:
    """Return the last trading session strictly before ``day``."""
    if _RANGE[0] < day <= _RANGE[1]:
        sessions = _xnys()[0]
        pos = int(np.searchsorted(sessions, np.datetime64(day, "D"), side="left"))
        if pos > 0:
            found: dt.date = sessions[pos - 1].astype(object)
            return found
    prev = day - dt.timedelta(days=1)
    while not is_session(prev):
        prev -= dt.timedelta(days=1)
    return prev


def early_close(day: dt.date) -> bool:
    """Return True on a 13:00 early close (the maintained calendar's, e.g. 2002-07-05 and
    2003-12-26; by rule outside it: July 3, the day after Thanksgiving, December 24)."""
    if _covered(day):
        return day in _xnys()[1]
    if not is_session(day):
        return False
    after_thanksgiving = _nth_weekday(day.year, 11, 3, 4) + dt.timedelta(days=1)
    return day in (dt.date(day.year, 7, 3), after_thanksgiving, dt.date(day.year, 12, 24))
