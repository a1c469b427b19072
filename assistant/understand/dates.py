"""Dates and periods as traders write them: one parser for every form, relative ones included.

``read_date`` returns a ``DateSlot``: an absolute date, a relative one (resolved per symbol
against that symbol's "today" with ``DateSlot.resolve``), "current", or a named period (Aug 2018
→ swing mode, q2 2024 → position, 2022 → long-term, week of 3/4/24 → multiday). Anything that
looks like a date but cannot be read (2019-02-30, 13/45/21) or contradicts itself (a weekday that
is not the date's) becomes ``problem``: the planner asks instead of guessing.

Two-digit years: the latest past year that fits (97 → 1997). A yearless month-day or month:
this year unless that is after the next session, then last year."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import replace

from assistant.understand.dateslot import (
    DateSlot,
    _day,
    _first_session,
    _month_period,
    _no_year,
    _quarter_period,
    _year_of,
    _year_period,
    day_words,
    two_digit_year,
)
from assistant.understand.holidays import read_named_day
from assistant.understand.vocab import alternation, months, weekdays
from core.calendar import next_session

_EMA_PAIRS = {"8/21", "8/13", "13/48", "21/48", "8/34", "21/34", "9/21", "20/50", "50/200", "9/20"}
_MON = alternation(months())
_WD = alternation(weekdays())
_ORD = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:'(\d{2})|(\d{4})(?!\d)|(\d{2})(?![\d:%]))"


Found = list[tuple[int, DateSlot]]


def _adder(found: Found):
    def add(m: re.Match[str], slot: DateSlot) -> None:
        found.append((m.start(), replace(slot, text=m.group(0))))

    return add


def _numeric_dates(t: str, today: dt.date) -> Found:
    """Return dates written in digits: 2019-06-12, 20190612, 6/12/19, 8.24.15, 6/12."""
    found: Found = []
    add = _adder(found)
    for m in re.finditer(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b", t):
        add(m, _day(int(m[1]), int(m[2]), int(m[3]), m[0]))
    for m in re.finditer(r"(?<![\d.$])((?:19|20)\d\d)(\d\d)(\d\d)(?![\d.])", t):
        add(m, _day(int(m[1]), int(m[2]), int(m[3]), m[0]))
    for m in re.finditer(
        r"(?<![\d.$/+-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/]|\.\d|\s?(?:emas?|ribbon|clouds?|stack|cross))",
        t,
    ):
        a, b, year = int(m[1]), int(m[3]), m[4]
        emas = {8, 9, 13, 20, 21, 34, 48, 50, 55, 89, 100, 200}
        if {a, b, int(year)} <= emas and re.search(r"\b(?:trend|emas?|ribbon|stack)\b", t):
            continue  # "daily trend 8/21/34": EMA lengths, not a date
        y = int(year) if len(year) == 4 else two_digit_year(int(year), today)
        if m[2] == "." and a <= 12 and b <= 12 and a != b:  # 06.11.2020: June 11 or 6 Nov?
            one, other = dt.date(y, a, b), dt.date(y, b, a)
            text = f"'{m[0]}' could be {one:%b} {b} or {a} {other:%b} {y}: which date did you mean?"
            add(m, DateSlot(problem=text, text=m[0]))
            continue
        month, day = (b, a) if a > 12 >= b else (a, b)
        add(m, _day(y, month, day, m[0]))
    for m in re.finditer(
        r"(?<![\d.$+\-/])(\d{1,2})/(\d{1,2})(?![\d/%]|\s?(?:atr|size|r\b|emas?|ribbon|clouds?|stack|cross))",
        t,
    ):
        if re.search(r"\b(?:the|ema|emas)\s*$", t[: m.start()]) and m[0] in _EMA_PAIRS:
            continue
        a, b = int(m[1]), int(m[2])
        month, day = (b, a) if a > 12 >= b else (a, b)
        add(m, _no_year(month, day, m[0], today))
    return found


def _named_month_dates(t: str, today: dt.date) -> Found:
    """Return dates and months written with a month name: jan 15 '21, 18th may 2021, Aug 2018."""
    found: Found = []
    add = _adder(found)
    for m in re.finditer(rf"\b({_MON})\.?,? {_YEAR}(?!\s?(?:st|nd|rd|th)\b)", t):
        if m[4] and int(m[4]) <= 31:
            continue  # "may 18": a day, read below
        year = _year_of((m[2], m[3], m[4]), today)
        if year is not None:
            add(m, _month_period(year, months()[m[1]], m[0]))
    for m in re.finditer(
        rf"\b({_MON})\.? (\d{{1,2}}){_ORD}(?:,? (?:'(\d{{2}})|(\d{{4}})(?!\d)|(?<=,) ?(\d{{2}})(?!\d)))?",
        t,
    ):
        add(m, _written_day(m, months()[m[1]], int(m[2]), today))
    for m in re.finditer(
        rf"(?<![.+\-/\d])\b(?:the )?(\d{{1,2}}){_ORD}(?: of)?[ -]({_MON})\.?(?:,?[ -](?:'(\d{{2}})|(\d{{4}})(?!\d)|(\d{{2}})(?![\d:])))?",
        t,
    ):
        add(m, _written_day(m, months()[m[2]], int(m[1]), today))
    return found


def _written_day(m: re.Match[str], month: int, day: int, today: dt.date) -> DateSlot:
    """Return the day a month-name match names; its year groups are 3-5, none means no year."""
    year = _year_of((m[3], m[4], m[5]), today)
    if year is None:
        return _no_year(month, day, m[0], today)
    return _day(year, month, day, m[0])


def _named_periods(t: str, today: dt.date) -> Found:
    """Return quarters, years and bare months: q2 2024, 2024q2, in 2022, 2022 yearly, for august."""
    found: Found = []
    add = _adder(found)
    for m in re.finditer(r"\bq([1-4])[ -]?(?:'(\d{2})|(\d{4})|(\d{2}))?\b", t):
        year = _year_of((m[2], m[3], m[4]), today)
        yearless = year is None  # "the q2 pdc" in a 2020 thread is 2020's
        if year is None:
            year = today.year if (int(m[1]) - 1) * 3 < today.month else today.year - 1
        add(m, replace(_quarter_period(year, int(m[1]), m[0]), yearless=yearless))
    for m in re.finditer(r"\b(\d{4}) ?q([1-4])\b", t):
        add(m, _quarter_period(int(m[1]), int(m[2]), m[0]))
    ordinal = r"([1-4])(?:st|nd|rd|th)|(first|second|third|fourth)"
    for m in re.finditer(rf"\b(?:the )?(?:{ordinal}) (?:quarter|qtr)(?: of)?,? (\d{{4}})\b", t):
        q = int(m[1]) if m[1] else ("first", "second", "third", "fourth").index(m[2]) + 1
        add(m, _quarter_period(int(m[3]), q, m[0]))
    for m in re.finditer(
        r"\b(?:in|for|of|during|year|yr|from) (?:the year )?(\d{4})(?![\d./-]|,\d)", t
    ):
        if 1950 <= int(m[1]) <= today.year:
            add(m, _year_period(int(m[1]), m[0]))
    for m in re.finditer(r"\b(?:in|for|of|during|year|yr) '(\d{2})(?![\d/.-])", t):  # "in '25"
        year = 2000 + int(m[1]) if 2000 + int(m[1]) <= today.year else 1900 + int(m[1])
        add(m, _year_period(year, m[0]))
    for m in re.finditer(r"(?<![\d$.,])(\d{4})(?= (?:yearly|annual|long ?term|year)\b)", t):
        if 1950 <= int(m[1]) <= today.year:
            add(m, _year_period(int(m[1]), m[0]))
    for m in re.finditer(
        r"(?<![\d$.,])(?<!\bat )(?<!\b@ )(?<!\bto )(?<!\bis )(?<!\bfrom )(?<!\bwas )(?<!\btraded )(\d{4})(?![\d./-]|,\d|\s?(?:pts|points|level|%))",
        t,
    ):
        if 1950 <= int(m[1]) <= today.year and not any(
            s.start() <= m.start() < s.end()
            for s in re.finditer(r"\d[\d/-]*\d", t)
            if s.group(0) != m[1]
        ):
            add(m, _year_period(int(m[1]), m[0]))
    month_words = rf"\b(?:for|in|of|since|from|during|starting) ({_MON})\b(?! \d| '\d)"
    for m in re.finditer(rf"{month_words}|\b({_MON})(?=\W*$)", t):  # "spx monthly aug"
        month = months()[m[1] or m[2]]
        year = today.year if month <= today.month else today.year - 1
        add(m, _month_period(year, month, m[0]))
    return found


def _absolute(t: str, today: dt.date) -> DateSlot | None:
    """Return the first absolute date or named period in ``t`` (see ``_pick`` for which wins)."""
    found = _numeric_dates(t, today) + _named_month_dates(t, today) + _named_periods(t, today)
    return _pick(found, t, today)


def _pick(found: Found, t: str, today: dt.date) -> DateSlot | None:
    """Return the slot a message means among those read: a named day only when no date is
    written, an unreadable date over a period read from inside it, a day over a bare year."""
    if not [s for _, s in found if s.problem is None and s.mode != "longterm"]:
        named = read_named_day(t, today)  # Thanksgiving 2023, Good Friday: when no date is written
        if named:
            found = [(p, s) for p, s in found if s.text not in named[1]]
        if named:
            found.append((t.find(named[1]), DateSlot(date=named[0], text=named[1])))
    if not found:
        return None
    found.sort(key=lambda f: f[0])
    for pos, slot in found:  # an unreadable date wins over a period read from inside it
        if slot.problem and any(
            p > pos and p < pos + len(slot.text) for p, s in found if not s.problem
        ):
            return slot
    days = [s for _, s in found if s.problem is None and not s.period]
    periods = [s for _, s in found if s.problem is None and s.period]
    if days and periods and all(p.mode == "longterm" for p in periods):
        return days[0]  # "end of 2022 (12/30/22)": the day is what was asked
    readable = [s for _, s in found if s.problem is None]
    return readable[0] if readable else found[0][1]


_RELATIVE: list[tuple[str, int]] = [
    (r"\bday before yesterday\b", -2),
    (r"\byesterday'?s?\b|\b(?:last|prior|previous) (?:trading )?(?:session|day)\b", -1),
    (r"\btomorrow'?s?\b|\bnext (?:trading )?(?:session|day)\b|\bovernight\b", 1),
]
_CURRENT = (
    r"\btoday'?s?\b|\btonight\b|\bnow\b|\bcurrently\b|\bcurrent(?: session)?\b|\bthis session\b"
    r"|\bright now\b|\blive\b|\bthis (?:am|morning|afternoon)\b"
)


def _relative(t: str, today: dt.date) -> DateSlot | None:
    for pattern, shift in _RELATIVE:
        m = re.search(pattern, t)
        if m:
            return DateSlot(shift=shift, relative=True, text=m.group(0))
    m = re.search(
        r"\b(\d{1,2}|a|one|two|three|four|five) (?:trading )?(?:days?|sessions?) ago\b", t
    )
    if m:
        n = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}.get(m[1]) or int(m[1])
        return DateSlot(shift=-n, relative=True, text=m.group(0))
    m = re.search(r"\b(\d{1,2}|a|one|two|three|four|five|six) (weeks?|months?|years?) ago\b", t)
    if m:  # "2 weeks ago": that calendar day (a weekend or holiday answers the next session)
        n = {"a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}.get(
            m[1]
        ) or int(m[1])
        if m[2].startswith("week"):
            day = today - dt.timedelta(weeks=n)
        else:
            back = today.year * 12 + today.month - 1 - (n if m[2].startswith("month") else 12 * n)
            year, month = back // 12, back % 12 + 1
            day = dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
        return DateSlot(date=day, text=m.group(0))
    m = re.search(rf"\b(?:(last|past|previous|this|on|next|for|coming) )?({_WD})\b", t)
    if m:
        if m[1] in ("next", "for", "coming", "this"):
            ahead = (weekdays()[m[2]] - today.weekday()) % 7
            upcoming = today + dt.timedelta(days=ahead)
            if ahead and _first_session(upcoming) == next_session(today):
                return DateSlot(date=upcoming, text=m.group(0))
        return DateSlot(
            weekday=weekdays()[m[2]],
            strictly_before=m[1] in ("last", "past", "previous"),
            relative=True,
            text=m.group(0),
        )
    return None


def _weekday_of_week(t: str, today: dt.date) -> DateSlot | None:
    """Return the day a weekday names inside this or last week ("wed (this week)", "last week
    tuesday", "thu of last week"): a session, not the week's period."""
    week = r"(this|last|past|previous|prior) week'?s?"
    m = re.search(
        rf"\b({_WD})\b[^.?!;]{{0,16}}?\W(?:of |in |from )?(?:the )?{week}\b", t
    ) or re.search(rf"\b{week}\W*(?:on )?({_WD})\b", t)
    if not m:
        return None
    day_word, which = (m[1], m[2]) if m[1] in weekdays() else (m[2], m[1])
    monday = today - dt.timedelta(days=today.weekday() + (7 if which != "this" else 0))
    return DateSlot(date=monday + dt.timedelta(days=weekdays()[day_word]), text=m.group(0))


def _named_period(t: str, today: dt.date) -> DateSlot | None:
    """Return this/last week, month, quarter or year as a period of its mode."""
    m = re.search(
        r"\b(this|last|past|previous|prior|next|coming) (week|month|quarter|year)'?s?\b", t
    )
    if not m:
        return None
    if m[1] in ("next", "coming"):
        return _next_period(m[2], today, m.group(0))
    last = m[1] != "this"
    unit = m[2]
    if not last:
        mode = {"week": "multiday", "month": "swing", "quarter": "position", "year": "longterm"}[
            unit
        ]
        return DateSlot(current=True, mode=mode, text=m.group(0))
    if unit == "week":
        day = today - dt.timedelta(days=7 if last else 0)
        monday = day - dt.timedelta(days=day.weekday())
        return DateSlot(
            date=_first_session(monday),
            mode="multiday",
            period=f"week of {monday:%Y-%m-%d}",
            end=monday + dt.timedelta(days=6),
            text=m.group(0),
        )
    if unit == "month":
        months_back = today.year * 12 + today.month - 1 - (1 if last else 0)
        return _month_period(months_back // 12, months_back % 12 + 1, m.group(0))
    if unit == "quarter":
        q = (today.month - 1) // 3 + 1
        year, q = (
            (today.year, q - 1)
            if last and q > 1
            else (today.year - (1 if last else 0), 4 if last else q)
        )
        return _quarter_period(year, q, m.group(0))
    return _year_period(today.year - (1 if last else 0), m.group(0))


def _next_period(unit: str, today: dt.date, text: str) -> DateSlot:
    """Return the coming week, month, quarter or year (its first session)."""
    if unit == "week":
        monday = today + dt.timedelta(days=7 - today.weekday())
        return DateSlot(
            date=_first_session(monday),
            mode="multiday",
            period=f"week of {monday:%Y-%m-%d}",
            text=text,
        )
    if unit == "month":
        month = today.month % 12 + 1
        return _month_period(today.year + (today.month == 12), month, text)
    if unit == "quarter":
        q = (today.month - 1) // 3 + 2
        return _quarter_period(today.year + (q > 4), (q - 1) % 4 + 1, text)
    return _year_period(today.year + 1, text)


def _weekday_check(t: str, slot: DateSlot) -> DateSlot:
    """Return ``slot`` with a problem when a weekday named beside the date is not its weekday."""
    if slot.date is None or slot.period:
        return slot
    plain = t.replace(slot.text, " ") if slot.text else t
    plain = re.sub(r"\b(?:good|black|cyber|blue) (?:friday|monday)\b", " ", plain)
    m = re.search(rf"\b({_WD})\b", plain)
    if m and weekdays()[m[1]] != slot.date.weekday():
        said = m[1].rstrip("s'").capitalize()
        return replace(
            slot,
            problem=f"{slot.date:%Y-%m-%d} is a {slot.date:%A}, not a {said}: which date did you mean?",
        )
    return slot


def _year_elsewhere(t: str, slot: DateSlot) -> DateSlot:
    """Return ``slot`` in the year written apart from a yearless date ("3/29 2024", "march 5
    in 2021", "good friday 2024 (3/29)"); a yearless date otherwise takes its latest past
    occurrence, which would answer for another year than the one written."""
    if slot.date is None or slot.period or not slot.text:
        return slot
    if re.search(r"\d{4}|'\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2}", slot.text):
        return slot  # the date carries its own year
    rest = t.replace(slot.text, " ")
    years = {
        int(y) for y in re.findall(r"(?<![\d/.$-])((?:19[5-9]|20[0-4])\d)(?![\d/.%-]|k\b)", rest)
    }
    if len(years) != 1:
        return slot
    year = years.pop()
    try:
        return replace(slot, date=slot.date.replace(year=year))
    except ValueError:  # 2/29 in a year without one
        return replace(slot, problem=f"{year} has no {slot.date:%b %d}: which date did you mean?")


def _end_of_year(t: str) -> DateSlot | None:
    """Return "end of 2024" / "eoy 2024" / "year end 2024" as the year's last calendar day."""
    m = re.search(r"\b(?:end of|eoy|year[- ]end)\s?(?:of )?((?:19|20)\d\d)\b", t)
    return DateSlot(date=dt.date(int(m[1]), 12, 31), text=m.group(0)) if m else None


def read_date(text: str, today: dt.date) -> DateSlot:
    """Return the date or period a normalised message asks about (an empty slot if none)."""
    text = day_words(text, today)
    t = re.sub(  # "on fridays", "mon/tue only", "friday gg stats": conditions, not a session
        r"\b(?:on )?(?:mon|tues|wednes|thurs|fri)days\b|\b(?:mon|tue|wed|thu|fri)\w*(?:\s?/\s?(?:mon|tue|wed|thu|fri)\w*)+"
        r"|\b(?:mon|tue|wed|thu|fri)\w* only\b|^(?:mon|tue|wed|thu|fri)\w*day (?=gg|golden gate|gate|stats|odds)",
        " ",
        text,
    )
    ended = _end_of_year(t)
    if ended is not None:
        return ended
    slot = _absolute(t, today)
    if slot is not None:
        slot = _year_elsewhere(t, slot)
        week = re.search(r"\bweek (?:of|starting|beginning)\s*$", t[: t.find(slot.text)])
        if week and slot.date:
            monday = slot.date - dt.timedelta(days=slot.date.weekday())
            slot = replace(slot, mode="multiday", period=f"week of {monday:%Y-%m-%d}")
        return _weekday_check(t, slot)
    slot = _weekday_of_week(t, today) or _named_period(t, today)
    if slot is not None:
        return slot
    slot = _relative(t, today)
    if slot is not None:
        return slot
    m = re.search(_CURRENT, t)
    if m:
        return DateSlot(current=True, text=m.group(0))
    bad = re.search(
        r"(?<![\d.$])\d{1,4}/\d{1,2}(?:/\d{1,4})?(?![\d%])|(?<![\d.$])\d{1,4}-\d{1,2}-\d{1,4}(?![\d%])",
        t,
    )
    if bad and bad.group(0) not in _EMA_PAIRS and not re.search(r"[+-]\d", bad.group(0)[:2]):
        return DateSlot(
            problem=f"I couldn't read '{bad.group(0)}' as a date: which date did you mean?",
            text=bad.group(0),
        )
    return DateSlot()
