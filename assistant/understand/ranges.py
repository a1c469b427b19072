"""Statistics windows as traders name them: "last 3 years", "past 60 sessions", "since 2025",
"in 2025", "q3 2025", "from 3/1/25 to 6/30/25", "ytd". Read against the reference date."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from assistant.understand.dates import _absolute, read_date
from assistant.understand.dateslot import two_digit_year
from assistant.understand.vocab import alternation, months
from core.calendar import previous_session


def _calendar_before(t: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return "last month" / "last year" as the calendar month or year before this one, or None
    ("past year" and "last 12 months" are rolling windows)."""
    if re.search(r"\b(?:last|previous|prior) month\b(?!s)", t):
        back = today.year * 12 + today.month - 2
        year, month = back // 12, back % 12 + 1
        return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    if re.search(r"\b(?:last|previous|prior) (?:year|yr)\b(?!s)", t):
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    return None


def read_range(text: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Return the (start, end) window a statistics question names: "last 3 years", "since
    2025", "in 2025", "q3 2025", "from 3/1/25 to 6/30/25", "ytd"; (None, None) for all data."""
    t = re.sub(
        r"(\S+(?: \d{1,2},?)?(?: \d{4})?) (?:onwards?|and (?:later|after))\b", r"since \1", text
    )
    t = re.sub(r"(\d)\s?(?:->|→|=>)\s?(\d)", r"\1 to \2", t)  # "2025-06-01 -> 2026-01-31"
    years = re.search(
        r"(?<![\d/.-])((?:19|20)\d\d)\s?(?:-|–|to|thru|through|until)\s?((?:19|20)\d\d)(?![\d/.-])",
        t,
    )
    if years and int(years[1]) <= int(years[2]):  # "2016-2025": whole years, first to last
        return dt.date(int(years[1]), 1, 1), dt.date(int(years[2]), 12, 31)
    units = r"(years?|yrs?|months?|mos?|weeks?|wks?|days?|sessions?|trading days?)"
    if (before := _calendar_before(t, today)) is not None:
        return before
    t = re.sub(r"\b(last|past|previous|prior) (year|month|week)\b", r"\1 1 \2", t)
    m = re.search(
        rf"\b(?:last|past|previous|prior) (\d+|one|two|three|four|five|six|twelve) {units}\b", t
    )
    if m:
        n = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "twelve": 12}.get(
            m[1]
        ) or int(m[1])
        unit = m[2]
        if unit.startswith("y"):
            start = dt.date(today.year - n, today.month, min(today.day, 28))
        elif unit.startswith("mo"):
            back = today.year * 12 + today.month - 1 - n
            start = dt.date(back // 12, back % 12 + 1, min(today.day, 28))
        elif unit.startswith("w"):
            start = today - dt.timedelta(weeks=n)
        elif "session" in unit or "trading" in unit:
            start = today
            for _ in range(n - 1):
                start = previous_session(start)
        else:
            start = today - dt.timedelta(days=n)
        return start, None
    if re.search(r"\bytd\b|\byear to date\b|\bthis year\b", t):
        return dt.date(today.year, 1, 1), None
    spans = (
        _day_span(t, today) or _month_span(t, today) or _half_year(t, today) or _date_span(t, today)
    )
    if spans:
        return spans
    m = re.search(r"\b(?:since|from|after) (\d{4})(?![\d/-])", t)
    if m and not re.search(r"\b(?:to|through|until|-) \d", t[m.end() :]):
        return dt.date(int(m[1]), 1, 1), None
    mon = alternation(months())
    m = re.search(rf"\b({mon})\s?(?:-|to|through|thru|\+|&|and)\s?({mon}),? (\d{{4}})\b", t)
    if m:
        year = int(m[3])
        first, last = months()[m[1]], months()[m[2]]
        return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    m = re.search(r"\b(?:from|between) (.+?) (?:to|and|until|through|thru|-) (.+)$", t)
    if m:
        a, b = read_date(m[1], today), read_date(m[2], today)
        if a.date and b.date:
            return a.date, b.end or b.date
    m = re.search(r"\b(?:since|starting|from) (.+)$", t)
    if m:
        a = read_date(m.group(0), today)
        # "from the gg to the 78.6, 2025" starts at a level, not at a date
        if a.date and 0 <= m.group(0).find(a.text or "\0") <= m.start(1) - m.start() + 4:
            return a.begin or a.date, None
    slot = _absolute(t, today)
    if slot is not None and slot.period:
        return slot.begin or slot.date, slot.end
    if slot is not None and slot.date and re.search(r"(?:19|20)\d\d", slot.text or ""):
        return None, None  # "june 26 2025": the year belongs to one session's date
    m = re.search(r"(?<![\d.$])(20\d\d|19\d\d)(?![\d.,/-])", t)
    if m and int(m[1]) <= today.year:
        return dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)
    return None, None


def _year(two: str | None, four: str | None, today: dt.date) -> int | None:
    if four:
        return int(four)
    return two_digit_year(int(two), today) if two else None


def _month_span(t: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return "aug 2025 thru jan 2026", "jun25-jan26", "jul to dec 25", "may 25 thru jan 26" as
    the first day of the first month to the last day of the last (a number beside a month in a
    span of months is its year)."""
    mon = alternation(months())
    side = rf"({mon})\.?\s?(?:'?(\d{{2}})(?![\d/:])|(\d{{4}}))?"
    m = re.search(rf"\b{side}\s?(?:-|–|to|thru|through|until|till)\s?{side}(?![\d/]|\s\d)", t)
    if not m:
        return None
    end_year = _year(m[5], m[6], today)
    start_year = _year(m[2], m[3], today)
    first, last = months()[m[1]], months()[m[4]]
    if end_year is None:
        return None  # "mar-apr 2024" and bare month spans are read elsewhere
    if start_year is None:
        start_year = end_year - (1 if first > last else 0)
    if (start_year, first) > (end_year, last):
        return None
    return dt.date(start_year, first, 1), dt.date(
        end_year, last, calendar.monthrange(end_year, last)[1]
    )


def _half_year(t: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return "h1 2025", "2nd half of 2025", "first half '24", "2025 h2" as its six months."""
    m = re.search(
        r"\b(?:h([12])|([12])(?:st|nd)? half|(first|second) half)(?: of)?,? (?:'(\d{2})|(\d{4}))\b"
        r"|\b(\d{4}) h([12])\b",
        t,
    )
    if not m:
        return None
    half = int(m[1] or m[2] or m[7] or (1 if m[3] == "first" else 2))
    year = int(m[5] or m[6]) if (m[5] or m[6]) else two_digit_year(int(m[4]), today)
    if half == 1:
        return dt.date(year, 1, 1), dt.date(year, 6, 30)
    return dt.date(year, 7, 1), dt.date(year, 12, 31)


def _date_span(t: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return two written dates joined by to/thru/-, with or without "from"."""
    day = r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2})"
    m = re.search(rf"(?<![\d/-])({day})\s?(?:-|–|to|thru|through|until|till)\s?({day})(?![\d/])", t)
    if not m:
        return None
    a, b = read_date(m[1], today).date, read_date(m[2], today).date
    return (a, b) if a and b and a <= b else None


def _day_span(t: str, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """Return "feb 20 - may 17 2024" (month-day to month-day, one year written at the end)."""
    mon = alternation(months())
    m = re.search(
        rf"\b({mon})\.? (\d{{1,2}})(?:st|nd|rd|th)?\s?(?:-|–|to|thru|through|until)\s?({mon})\.? "
        rf"(\d{{1,2}})(?:st|nd|rd|th)?,? (\d{{4}})\b",
        t,
    )
    if not m:
        return None
    year = int(m[5])
    first, last = months()[m[1]], months()[m[3]]
    try:
        a = dt.date(year - (1 if first > last else 0), first, int(m[2]))
        b = dt.date(year, last, int(m[4]))
    except ValueError:
        return None
    return (a, b) if a <= b else None
