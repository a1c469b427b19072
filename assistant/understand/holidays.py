"""Days traders name instead of dates: Christmas 2023, Thanksgiving, MLK day, Good Friday,
Black Monday, "the day after Thanksgiving 2023", "CPI day" is not here (no calendar of data
releases ships with Whispr, so the planner asks for the date instead)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from core.calendar import easter, next_session, previous_session


def _nth(year: int, month: int, weekday: int, n: int) -> dt.date:
    first = dt.date(year, month, 1)
    return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def _last(year: int, month: int, weekday: int) -> dt.date:
    last = dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


NAMED_DAYS: list[tuple[str, Callable[[int], dt.date]]] = [
    (r"christmas eve|xmas eve", lambda y: dt.date(y, 12, 24)),
    (r"christmas(?: day)?|xmas(?: day)?", lambda y: dt.date(y, 12, 25)),
    (r"new year'?s eve|nye", lambda y: dt.date(y, 12, 31)),
    (r"new year'?s(?: day)?", lambda y: dt.date(y, 1, 1)),
    (
        r"(?:the )?(?:july 4th|4th of july|fourth of july|independence day)",
        lambda y: dt.date(y, 7, 4),
    ),
    (r"juneteenth", lambda y: dt.date(y, 6, 19)),
    (r"thanksgiving(?: day)?", lambda y: _nth(y, 11, 3, 4)),
    (r"black friday", lambda y: _nth(y, 11, 3, 4) + dt.timedelta(days=1)),
    (r"labou?r day", lambda y: _nth(y, 9, 0, 1)),
    (r"memorial day", lambda y: _last(y, 5, 0)),
    (r"mlk(?: jr\.?)?(?: day)?|martin luther king(?: jr\.?)?(?: day)?", lambda y: _nth(y, 1, 0, 3)),
    (r"presidents'? day|washington'?s birthday", lambda y: _nth(y, 2, 0, 3)),
    (r"good friday", lambda y: easter(y) - dt.timedelta(days=2)),
]
FIXED_DAYS: list[tuple[str, dt.date]] = [
    (r"black monday", dt.date(1987, 10, 19)),
    (r"flash crash", dt.date(2010, 5, 6)),
    (r"volmageddon", dt.date(2018, 2, 5)),
    (r"covid crash low", dt.date(2020, 3, 23)),
]


def read_named_day(t: str, today: dt.date) -> tuple[dt.date, str] | None:
    """Return (date, matched text) for a named day in ``t`` ("day after thanksgiving 2023" →
    2023-11-24); a named day without a year is its most recent occurrence up to today."""
    shift = r"(?:(?:the )?(?P<rel>day|session) (?P<dir>after|before) )?"
    for pattern, day in FIXED_DAYS:
        m = re.search(rf"\b{shift}(?:the )?(?:{pattern})\b", t)
        if m:
            return _shifted(day, m), m.group(0)
    for pattern, make in NAMED_DAYS:
        m = re.search(rf"\b{shift}(?:{pattern})\b(?:,? (?P<year>\d{{4}}|'\d{{2}})(?![\d/]))?", t)
        if not m:
            continue
        if m.group("year"):
            raw = int(m.group("year").lstrip("'"))
            year = raw if raw > 100 else (2000 + raw if 2000 + raw <= today.year else 1900 + raw)
            day = make(year)
        else:  # the coming one when it is within a week (its levels are known), else the last
            day = make(today.year)
            if day > today + dt.timedelta(days=7):
                day = make(today.year - 1)
        return _shifted(day, m), m.group(0)
    return None


def _shifted(day: dt.date, m: re.Match[str]) -> dt.date:
    if m.group("dir") == "after":
        return next_session(day)
    if m.group("dir") == "before":
        return previous_session(day)
    return day
