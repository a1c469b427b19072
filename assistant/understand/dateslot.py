"""A date or period read from a message (``DateSlot``) and the small builders the date
parser uses: two-digit years, a day that may not exist, a month, quarter or year as a period of
its mode."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from core.calendar import is_session, next_session, previous_session


@dataclass(frozen=True)
class DateSlot:
    """A date or period read from a message."""

    date: dt.date | None = None
    """An absolute date as written (may fall on a weekend: the tools say which session)."""
    shift: int = 0
    """Sessions from the symbol's today (yesterday -1, tomorrow +1), when ``relative``."""
    weekday: int | None = None
    """The most recent such weekday on or before today ("last" → strictly before)."""
    strictly_before: bool = False
    relative: bool = False
    current: bool = False
    mode: str | None = None
    """The mode a named period implies (swing for a month, position for a quarter...)."""
    period: str | None = None
    """How the period was named, for the answer's restatement."""
    end: dt.date | None = None
    """Last day of a named period (statistics use it as a range)."""
    begin: dt.date | None = None
    """First calendar day of a named period."""
    text: str = ""
    yearless: bool = False
    """Written without a year (6/12, may 18): a follow-up takes the year of the session answered."""
    problem: str | None = None

    def resolve(self, today: dt.date) -> dt.date | None:
        """Return the date this slot means for a symbol whose latest session is ``today``."""
        if self.date is not None or not self.relative:
            return self.date
        if self.weekday is not None:
            back = (today.weekday() - self.weekday) % 7
            if back == 0 and self.strictly_before:
                back = 7
            return today - dt.timedelta(days=back)
        day = today
        for _ in range(abs(self.shift)):
            day = next_session(day) if self.shift > 0 else previous_session(day)
        return day

    @property
    def found(self) -> bool:
        """Return True when the message named any date, period or 'today'."""
        return bool(self.date or self.relative or self.current or self.problem)


def two_digit_year(yy: int, today: dt.date) -> int:
    """Return the most recent past year ending in ``yy`` (97 → 1997, 21 → 2021)."""
    year = 2000 + yy
    return year if year <= today.year else year - 100


def _year_of(groups: tuple[str | None, ...], today: dt.date) -> int | None:
    quoted, four, two = groups
    if four:
        return int(four)
    short = quoted or two
    if short:
        return two_digit_year(int(short), today)
    return None


def _first_session(day: dt.date) -> dt.date:
    return day if is_session(day) else next_session(day)


def _month_period(year: int, month: int, text: str) -> DateSlot:
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    label = f"{first:%b %Y}"
    return DateSlot(
        date=_first_session(first), mode="swing", period=label, end=last, begin=first, text=text
    )


def _quarter_period(year: int, q: int, text: str) -> DateSlot:
    first = dt.date(year, 3 * q - 2, 1)
    last = dt.date(year, 3 * q, calendar.monthrange(year, 3 * q)[1])
    return DateSlot(
        date=_first_session(first),
        mode="position",
        period=f"Q{q} {year}",
        end=last,
        begin=first,
        text=text,
    )


def _year_period(year: int, text: str) -> DateSlot:
    first = dt.date(year, 1, 1)
    return DateSlot(
        date=_first_session(first),
        mode="longterm",
        period=str(year),
        end=dt.date(year, 12, 31),
        begin=first,
        text=text,
    )


def _day(year: int, month: int, day: int, text: str) -> DateSlot:
    try:
        return DateSlot(date=dt.date(year, month, day), text=text)
    except ValueError:
        if 1 <= month <= 12:
            days = calendar.monthrange(year, month)[1]
            why = f"{calendar.month_name[month]} {year} has {days} days"
        else:
            why = "there is no month " + str(month)
        return DateSlot(
            problem=f"I couldn't read '{text}' as a date ({why}): which date did you mean?",
            text=text,
        )


def _no_year(month: int, day: int, text: str, today: dt.date) -> DateSlot:
    slot = _day(today.year, month, day, text)
    if slot.date and slot.date > next_session(today):
        slot = _day(today.year - 1, month, day, text)
    return replace(slot, yearless=True)


_MONTH_WORDS = (
    r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|january|february|march|april|june|july"
    r"|august|september|sept|october|november|december"
)


def month_day_only(text: str, today: dt.date) -> str:
    """Return ``text`` with "on the 5th" / "for the 5th" (a day of the month, no month named; a
    follow-up's "the week starting the 17th" is left to the follow-up) written as that
    day of the latest month in which it is on or before ``today``: "the 5th" on 2026-02-13 is
    2026-02-05, "the 20th" is 2026-01-20. Any month word in the message leaves it unchanged."""
    if re.search(rf"\b(?:{_MONTH_WORDS})\b", text):
        return text
    m = re.search(
        r"\b(?:on|for) the (\d{1,2})(?:st|nd|rd|th)\b(?! (?:hour|bar|candle|session|percentile|time"
        r"|trigger|level|ema|sma|minute))",
        text,
    )
    if not m or not 1 <= int(m[1]) <= 31:
        return text
    year, month, day = today.year, today.month, int(m[1])
    while True:
        if day <= calendar.monthrange(year, month)[1]:
            candidate = dt.date(year, month, day)
            if candidate <= today:
                break
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return text[: m.start()] + f" on {candidate.isoformat()} " + text[m.end() :]


_COUNTS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_WEEKDAY_INDEX = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4}


def weekdays_ago(text: str, today: dt.date) -> str:
    """Return ``text`` with "two fridays ago" written as that date: the Nth such weekday before
    ``today`` (on Friday 2026-02-13, "two fridays ago" is 2026-01-30; "one friday ago" 02-06)."""
    m = re.search(r"\b(one|two|three|four|five|[1-5]) (mon|tue|wed|thu|fri)[a-z]*days? ago\b", text)
    if not m:
        return text
    count = _COUNTS.get(m[1]) or int(m[1])
    back = (today.weekday() - _WEEKDAY_INDEX[m[2]]) % 7 or 7
    day = today - dt.timedelta(days=back + 7 * (count - 1))
    return text[: m.start()] + f"on {day.isoformat()}" + text[m.end() :]


def day_words(text: str, today: dt.date) -> str:
    """Return ``text`` with the day forms read against ``today`` written as ISO dates: "on the
    5th" (``month_day_only``) and "two fridays ago" (``weekdays_ago``)."""
    text = re.sub(r"\bnot (?:yesterday|yday)(?:'?s)?(?: close)?\b", " ", text)  # "not yesterdays"
    return weekdays_ago(month_day_only(text, today), today)
